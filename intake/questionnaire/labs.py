"""The lab tests the questionnaire asks about and the case page shows: their names, units and
qualitative values, and each in plain words for the patient."""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """The questionnaire's marker of a text translated where it is shown (as in schema.py,
    which this module stands beside and may not import): returns the text unchanged."""
    return message


LAB_TESTS = (
    ("ferritin", gettext_noop("Ferritin"), ("ng/mL", "µg/L")),
    ("tsat", gettext_noop("Transferrin saturation (TSAT)"), ("%",)),
    ("tsh", gettext_noop("TSH (thyroid)"), ("mIU/L",)),
    ("calprotectin", gettext_noop("Faecal calprotectin"), ("µg/g",)),
    ("ttg_iga", gettext_noop("Coeliac blood test (tTG-IgA)"), ()),
    ("total_iga", gettext_noop("Total IgA"), ()),
)
QUALITATIVE_LAB_CHOICES = {
    "ttg_iga": (("neg", gettext_noop("Negative")), ("pos", gettext_noop("Positive"))),
    "total_iga": (("normal", gettext_noop("Normal")), ("low", gettext_noop("Low"))),
}
MAX_LAB_ROWS = 8
# Each test in plain words, on the page where results are typed.
LAB_EXPLANATIONS = {
    "ferritin": gettext_noop("the iron your body has in store. A low value means low iron stores."),
    "tsat": gettext_noop(
        "transferrin saturation: how much of the iron-carrying protein in your blood is carrying "
        "iron, as a percentage."
    ),
    "tsh": gettext_noop("a hormone that shows how well your thyroid gland is working."),
    "calprotectin": gettext_noop("a stool (poo) test that shows inflammation in the bowel."),
    "ttg_iga": gettext_noop(
        "the usual blood test for coeliac disease, an illness in which gluten harms the gut. The "
        "report says negative or positive."
    ),
    "total_iga": gettext_noop(
        "the amount of one kind of antibody (IgA) in your blood, often measured with the coeliac "
        "test. The report says normal or low."
    ),
}


def lab_name(test: object) -> str:
    """A lab test's name as people read it ("tsat" -> "Transferrin saturation (TSAT)"), for the
    case page, its print view, the PDF and the CSV alike; an unknown code as it is."""
    for code, name, _units in LAB_TESTS:
        if code == test:
            return name
    return str(test)


def lab_value(test: object, value: object, unit: object = "") -> str:
    """A result's value in words with its unit: "38 ng/mL", "Positive"."""
    words = dict(QUALITATIVE_LAB_CHOICES.get(test, ())) if isinstance(test, str) else {}
    shown = words.get(value, value) if isinstance(value, str) else value
    if isinstance(shown, float) and shown.is_integer():
        shown = int(shown)
    return f"{shown} {unit}" if unit else str(shown)

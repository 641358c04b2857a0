"""The answers behind a fired rule, in words, for the case page, its print view and the PDF.

Since revision 3 the engine names, for every rule that fired and every red flag, the answers
that made it fire for this patient (`because`, clinical-spec R3-13 and R3-24): a question's key
with the patient's value, one entry per ticked box of a multi-select, a lab result as
"prior_labs.<test>", and derived facts ("chronic diarrhoea", "RLS criteria met") followed by the
entries that made them true. A practitioner has to be able to check a flag against the answers,
so each entry is shown in the questionnaire's own words, and a derived fact's inputs are shown
under it. Assessments stored under earlier rules have no `because`; they show nothing here.

Plain Python on top of `intake.questionnaire`: it decides nothing clinical and trusts nothing
it reads (stored JSON may be old, or not what it should be).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from intake import questionnaire


@dataclass(frozen=True)
class BecauseLine:
    """One entry of `because` in words, with the entries it stands for (a derived fact's
    own inputs) under it."""

    text: str
    children: tuple[BecauseLine, ...] = ()


@dataclass(frozen=True)
class Derived:
    """A fact the engine works out from the answers (spec §3.2) rather than asks.

    `words` is a plain phrase for a true predicate, or a label for a value ("RLS criteria" and
    "met"). `inputs` are the keys that may follow it as its own inputs; for a multi-select only
    the listed values count, so that a condition that fired a rule by itself is not shown as an
    input of the fact before it."""

    words: str
    inputs: frozenset[str] = frozenset()
    input_values: tuple[tuple[str, frozenset[str]], ...] = ()
    valued: bool = False

    def takes(self, key: str, value: Any) -> bool:
        allowed = dict(self.input_values).get(key)
        if allowed is not None:
            return isinstance(value, str) and value in allowed
        return key in self.inputs


_GUT_WEEKLY = frozenset({"abd_pain_freq", "bloating_freq", "gas_freq", "loose_stools_4wk"})
_IBS = frozenset({"ibs.status", "ibs.subtype"})
_AUTOIMMUNE = frozenset(
    {"t1dm", "celiac_known", "rheumatoid_arthritis", "sjogren", "scleroderma", "other_autoimmune"}
)
DERIVED: dict[str, Derived] = {
    "chronic_diarrhea": Derived(_("Chronic diarrhoea"), frozenset({"loose_stools_4wk"}) | _IBS),
    "chronic_constipation": Derived(
        _("Chronic constipation"), frozenset({"constipation_4wk"}) | _IBS
    ),
    "gi_symptomatic": Derived(
        _("Gut symptoms (weekly, or for 4 weeks or more)"),
        _GUT_WEEKLY | {"constipation_4wk"},
    ),
    "sibo_symptoms": Derived(
        _("Symptoms that fit SIBO (abdominal pain, bloating, gas or diarrhoea)"), _GUT_WEEKLY
    ),
    "iron_deficient_lab": Derived(
        _("Ferritin below 30 on file"), frozenset({"prior_labs.ferritin"})
    ),
    "autoimmune_risk": Derived(
        _("An autoimmune condition"), input_values=(("conditions", _AUTOIMMUNE),)
    ),
    "pregnant_eff": Derived(_("Pregnant"), frozenset({"pregnant", "sex_at_birth"})),
    "gi_onset_age": Derived(
        _("Age when the gut symptoms began"),
        frozenset({"age_years", "gi_symptom_duration_months"}),
        valued=True,
    ),
    "ibs.status": Derived(_("IBS criteria (Rome IV)"), valued=True),
    "ibs.subtype": Derived(_("IBS subtype"), valued=True),
    "rls.status": Derived(_("RLS criteria"), valued=True),
    "phq9_items[9]": Derived(_("PHQ-9 item 9"), valued=True),
}
STATUS_WORDS = {
    "met": pgettext_lazy("criteria", "met"),
    "not_met": pgettext_lazy("criteria", "not met"),
    "incomplete": pgettext_lazy("criteria", "incomplete"),
    "not_assessed": pgettext_lazy("criteria", "not assessed"),
}
# Keys that are facts the clinic holds rather than questions the patient answers.
OTHER_LABELS = {"age_years": _("Age")}
LAB_PREFIX = "prior_labs."
# RF-5's safety default (spec §9): a missing duration at age 50 or over counts as late onset.
DURATION_KEY = "gi_symptom_duration_months"
DURATION_DEFAULT = _("Not answered (counted as onset at 50 or over)")

FLAG_ORDER = ("thyroid", "iron_panel", "celiac", "stool", "sibo_breath")  # spec §11
IBS_NOTES = {
    "treat_constipation_first": _(
        "The constipation has not been treated yet: Rome IV asks whether the pain settles once "
        "it is"
    ),
}
IRON_CONTEXT = {
    "heavy_menstrual_bleeding": _("heavy periods"),
    "blood_donor_regular": _("regular blood donation"),
    "breastfeeding": _("breastfeeding"),
    "iv_iron_last_12wk": _("IV iron in the last 12 weeks"),
}


def because_lines(because: Any) -> list[BecauseLine]:
    """`because` as lines in words, each derived fact with its own inputs under it."""
    if not isinstance(because, list):
        return []
    entries = [_entry(item) for item in because]
    lines, _end = _lines(entries, 0, None)
    return lines


def because_text(because: Any) -> str:
    """The same on one line, a derived fact's inputs in brackets after it:
    "Chronic diarrhoea (Loose stools...? Yes); Has a parent...? Yes"."""
    return "; ".join(_inline(line) for line in because_lines(because))


def because_brief(because: Any) -> str:
    """One line for the one-page print: each entry, a derived fact by its phrase alone
    ("Chronic diarrhoea"); derived_facts() says once, for the page, what each rests on."""
    return "; ".join(line.text for line in because_lines(because))


def derived_facts(result: Any) -> list[str]:
    """Each derived fact behind the result's red flags and fired rules, with the answers it
    rests on, once, in the order they first appear: "Chronic diarrhoea: For 4 weeks...? Yes"."""
    if not isinstance(result, dict):
        return []
    facts: list[str] = []
    for because in _all_because(result):
        for line in because_lines(because):
            if line.children:
                text = f"{line.text}: {'; '.join(_inline(child) for child in line.children)}"
                if text not in facts:
                    facts.append(text)
    return facts


def _all_because(result: dict) -> list[Any]:
    """Every `because` of a stored result, red flags first, then the flags in their order."""
    found = []
    urgent = result.get("urgent")
    reasons = urgent.get("reasons") if isinstance(urgent, dict) else None
    flags = result.get("flags")
    rules = [
        rule
        # In the tests' order, not the stored dict's: PostgreSQL's jsonb keeps no key order.
        for flag in (
            [flags[test] for test in FLAG_ORDER if test in flags] if isinstance(flags, dict) else ()
        )
        if isinstance(flag, dict) and isinstance(flag.get("rules_fired"), list)
        for rule in flag["rules_fired"]
    ]
    for entry in [*(reasons if isinstance(reasons, list) else ()), *rules]:
        if isinstance(entry, dict):
            found.append(entry.get("because"))
    return found


def contact_today(urgent: Any) -> bool:
    """An emergency, or "Not sure" to an emergency-level question (RF-U): the patient is to be
    contacted today, not reviewed within a working day (spec §9)."""
    if not isinstance(urgent, dict):
        return False
    reasons = urgent.get("reasons")
    unsure = isinstance(reasons, list) and any(
        isinstance(reason, dict) and reason.get("rule") == "RF-U" for reason in reasons
    )
    return urgent.get("emergency") is True or unsure


def unsure_red_flag(key: Any) -> str:
    return gettext("%(question)s — answered Not sure: ask the patient") % {
        "question": question_label(key)
    }


def ibs_note(note: Any) -> str:
    return str(IBS_NOTES.get(note, note)) if isinstance(note, str) else str(note)


def iron_context(ids: Any) -> str:
    """What to weigh with an iron result: "Also weigh: heavy periods, breastfeeding"."""
    if not isinstance(ids, list) or not ids:
        return ""
    words = [
        str(IRON_CONTEXT.get(item, item)) if isinstance(item, str) else str(item) for item in ids
    ]
    return gettext("Also weigh: %(things)s") % {"things": ", ".join(words)}


def question_label(key: Any) -> str:
    question = questionnaire.QUESTIONS.get(key) if isinstance(key, str) else None
    return gettext(question.label) if question is not None else str(key)


# --- how one entry reads -------------------------------------------------------------------


def _entry(item: Any) -> tuple[str, Any]:
    if isinstance(item, dict):
        return str(item.get("key")), item.get("value")
    return str(item), None


def _lines(
    entries: list[tuple[str, Any]], start: int, parent: Derived | None
) -> tuple[list[BecauseLine], int]:
    """Lines from entries[start:]: all of them at the top (parent None), else only as long as
    each entry is one of the parent's inputs. Returns the lines and where they stopped."""
    lines = []
    index = start
    while index < len(entries):
        key, value = entries[index]
        if parent is not None and not parent.takes(key, value):
            break
        index += 1
        derived = DERIVED.get(key)
        children: list[BecauseLine] = []
        if derived is not None and (derived.inputs or derived.input_values):
            children, index = _lines(entries, index, derived)
        lines.append(BecauseLine(_text(key, value), tuple(children)))
    return lines, index


def _text(key: str, value: Any) -> str:
    derived = DERIVED.get(key)
    if derived is not None:
        if derived.valued:
            if key.endswith(".status") and isinstance(value, str):
                return f"{derived.words}: {STATUS_WORDS.get(value, value)}"
            if key == "gi_onset_age" and _number(value) and math.isfinite(value):
                # Whole years: the rule compares with 50, and "52.3 years" reads as false precision.
                return f"{derived.words}: {math.floor(value)}"
            return f"{derived.words}: {_value(value)}"
        return str(derived.words) if value is True else f"{derived.words}: {_value(value)}"
    if key.startswith(LAB_PREFIX):
        return _lab(key, value)
    if key == DURATION_KEY and value is None:
        return _joined(question_label(key), DURATION_DEFAULT)
    question = questionnaire.QUESTIONS.get(key)
    if question is None:
        return f"{OTHER_LABELS.get(key, key)}: {_value(value)}"
    if question.kind == "multi" and _scalar(value) and value is not None:
        # One ticked box: its label says it all ("Type 1 diabetes").
        label = dict(question.choices).get(value)
        return gettext(label) if label is not None else _value(value)
    listed = isinstance(value, list) and all(isinstance(item, str) for item in value)
    if _scalar(value) or (question.kind == "multi" and listed):
        return _joined(gettext(question.label), _answer(question, value))
    return _joined(gettext(question.label), _value(value))


def _words(text: str) -> str:
    """A questionnaire text (marked with gettext_noop) in the active language; gettext("")
    would be the catalogue's header."""
    return gettext(text) if text else text


def _answer(question: questionnaire.Question, value: Any) -> str:
    """Question.display (its words are the questionnaire's English) in the active language,
    as the label beside it is."""
    if value is None:
        return gettext("Not answered")
    if question.kind == "multi" and isinstance(value, list):
        labels = dict(question.choices)
        words = [_words(labels[item]) if item in labels else str(item) for item in value]
        return ", ".join(words) or _words(question.none_choice or "None of these")
    if question.widget == "slider":
        return gettext("%(value)s out of %(maximum)s") % {
            "value": value,
            "maximum": question.max_value,
        }
    if question.kind == "choice":
        label = dict(question.choices).get(value)
        return _words(label) if label is not None else str(value)
    if question.kind == "bool":
        return gettext("Yes") if value else gettext("No")
    return str(value)


def _lab(key: str, value: Any) -> str:
    test = key.removeprefix(LAB_PREFIX)
    if test not in {code for code, _name, _units in questionnaire.LAB_TESTS}:
        return f"{key}: {_value(value)}"
    words = dict(questionnaire.QUALITATIVE_LAB_CHOICES.get(test, ()))
    if isinstance(value, str):
        shown = _words(words[value]) if value in words else value
    else:
        shown = _value(value)
    return f"{_words(questionnaire.lab_name(test))}: {shown}"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: Any) -> bool:
    """A value the questionnaire's words can look up (stored JSON may hold anything)."""
    return value is None or isinstance(value, str | int | float | bool)


def _joined(label: str, answer: str) -> str:
    """'Question? Answer' or 'Label: Answer' (no colon after a question mark). A note for the
    patient in brackets after the question ("(Iron tablets ... answer Not sure.)") is left out:
    the practitioner reads it in the answers section."""
    question, bracket, _note = label.partition("? (")
    if bracket and label.endswith(")"):
        label = f"{question}?"
    return f"{label} {answer}" if label.endswith(("?", ".", ":", "!")) else f"{label}: {answer}"


def _value(value: Any) -> str:
    if value is None:
        return gettext("not answered")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _inline(line: BecauseLine) -> str:
    if not line.children:
        return line.text
    return f"{line.text} ({'; '.join(_inline(child) for child in line.children)})"


def flatten(lines: Iterable[BecauseLine], depth: int = 0) -> list[tuple[int, str]]:
    """(depth, text) pairs in reading order, for tests and plain-text output."""
    out = []
    for line in lines:
        out.append((depth, line.text))
        out.extend(flatten(line.children, depth + 1))
    return out

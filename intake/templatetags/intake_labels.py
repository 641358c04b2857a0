"""Words for the engine's tokens on staff pages (display only; no clinical logic here)."""

from django import template

from intake import questionnaire
from intake.enums import TestKind

register = template.Library()

CRITERION_WORDS = {"T": "Met", "F": "Not met", "U": "Unknown"}
FLAG_WORDS = {
    "order": "Suggested",
    "order_igg_based": "Suggested (IgG-based tests: IgA deficiency)",
    "on_file": "Recent result on file",
    "deferred_low_gluten": "Deferred: not eating enough gluten",
    "deferred_pregnancy": "Deferred: pregnancy",
    "not_indicated_known_celiac": "Not indicated: coeliac disease known",
    "not_applicable_pediatric": "Not applicable under 18",
    "not_assessed": "Not assessed (age)",
    "no": "Not flagged",
}
STATUS_WORDS = {
    "met": "Criteria met",
    "not_met": "Criteria not met",
    "incomplete": "Incomplete answers",
    "not_assessed": "Not assessed",
}


@register.filter
def criterion_word(value: str) -> str:
    return CRITERION_WORDS.get(value, value)


@register.filter
def flag_word(value: str) -> str:
    return FLAG_WORDS.get(value, value)


@register.filter
def status_word(value: str) -> str:
    return STATUS_WORDS.get(value, value or "—")


@register.filter
def token_words(value) -> str:
    """snake_case token to words: 'chronic_persistent' -> 'chronic persistent'."""
    return str(value).replace("_", " ") if value not in (None, "") else "—"


@register.filter
def question_label(key: str) -> str:
    question = questionnaire.QUESTIONS.get(key)
    if question is not None:
        return question.label
    return {"phq9_items": "PHQ-9 mood questions", "prior_labs": "Earlier results"}.get(key, key)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


TEST_SHORT_NAMES = {
    "thyroid": "Thyroid",
    "iron_panel": "Iron",
    "celiac": "Coeliac",
    "stool": "Stool",
    "sibo_breath": "SIBO",
}


@register.filter
def test_short_name(value: str) -> str:
    return TEST_SHORT_NAMES.get(value, value)


SUGGESTED = ("order", "order_igg_based")


@register.filter
def test_name(key: str) -> str:
    """'sibo_breath' -> 'SIBO breath test'."""
    return TestKind(key).label if key in TestKind.values else token_words(key)


@register.filter
def not_suggested(flags) -> list:
    """The (test, flag) pairs of the assessment's flags that are not a suggestion to order."""
    return [(name, flag) for name, flag in (flags or {}).items() if flag["value"] not in SUGGESTED]


@register.filter
def summary_lead(label) -> str:
    """A field's label before its error in an error summary: 'Are you pregnant? ' or
    'Date of birth: ' (no colon after a question mark or full stop)."""
    label = str(label or "").strip()
    if not label:
        return ""
    return f"{label} " if label[-1] in "?.:!" else f"{label}: "

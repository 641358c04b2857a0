"""Words for the engine's tokens on staff pages (display only; no clinical logic here)."""

from django import template
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from intake import explain_answers, phones, questionnaire, selectors
from intake.enums import TestKind
from intake.services.evaluation import RAISED_FLAG_VALUES

register = template.Library()

CRITERION_WORDS = {"T": _("Met"), "F": _("Not met"), "U": _("Unknown")}
FLAG_WORDS = {
    "order": _("Suggested"),
    "order_igg_based": _("Suggested (IgG-based tests: IgA deficiency)"),
    "positive_on_file": _("Positive tTG-IgA on file: refer"),
    "consider": _("Optional: consider"),
    "on_file": _("Recent result on file"),
    "deferred_low_gluten": _("Deferred: not eating enough gluten"),
    "deferred_pregnancy": _("Deferred: pregnancy"),
    "not_indicated_known_celiac": _("Not indicated: coeliac disease known"),
    "not_applicable_pediatric": _("Not applicable under 18"),
    "not_assessed": _("Not assessed (age)"),
    "no": _("Not flagged"),
}
STATUS_WORDS = {
    "met": _("Criteria met"),
    "not_met": _("Criteria not met"),
    "incomplete": _("Incomplete answers"),
    "not_assessed": _("Not assessed"),
}


@register.filter
def mobile(value: str) -> str:
    """A stored E.164 mobile number grouped for reading: +44 7400 123456."""
    return phones.display_mobile(value)


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
        return gettext(question.label)
    others = {"phq9_items": _("PHQ-9 mood questions"), "prior_labs": _("Earlier results")}
    return others.get(key, key)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# The raised values (spec §8): each became a recommendation the practitioner decides on.
SUGGESTED = RAISED_FLAG_VALUES


@register.filter
def lab_name(test) -> str:
    """'tsat' -> 'Transferrin saturation (TSAT)'."""
    return questionnaire.lab_name(test)


@register.filter
def lab_result(entry) -> str:
    """An entered result's value with its unit: '38 ng/mL', 'Negative'."""
    return questionnaire.lab_value(entry.test, entry.value, entry.unit)


@register.filter
def test_name(key: str) -> str:
    """'sibo_breath' -> 'SIBO breath test'."""
    return TestKind(key).label if key in TestKind.values else token_words(key)


@register.filter
def flag_items(flags) -> list:
    """The (test, flag) pairs of a stored result, in the tests' own order. PostgreSQL's jsonb
    keeps no key order, so the stored dict's order is not the order to show."""
    flags = flags or {}
    return [(test, flags[test]) for test in TestKind.values if test in flags]


@register.filter
def not_suggested(flags) -> list:
    """The (test, flag) pairs of the assessment's flags that are not a suggestion to order."""
    return [(name, flag) for name, flag in flag_items(flags) if flag["value"] not in SUGGESTED]


@register.filter
def because(entries) -> list[explain_answers.BecauseLine]:
    """The answers that made a rule fire for this patient, as lines (derived facts with their
    own inputs under them); nothing for an assessment made before rules said why."""
    return explain_answers.because_lines(entries)


# The wording of stored results lives in intake/explain_answers.py; templates reach it as
# filters of the same names.
for _name in (
    "because_text",
    "because_brief",
    "derived_facts",
    "contact_today",
    "unsure_red_flag",
    "ibs_note",
    "iron_context",
):
    register.filter(_name, getattr(explain_answers, _name))


@register.filter
def summary_lead(label) -> str:
    """A field's label before its error in an error summary: 'Are you pregnant? ' or
    'Date of birth: ' (no colon after a question mark or full stop)."""
    label = str(label or "").strip()
    if not label:
        return ""
    return f"{label} " if label[-1] in "?.:!" else f"{label}: "


@register.filter
def red_flag_rules(intake) -> list[str]:
    """The work queue row's red flags by rule id (RF-1, RF-U), from the queue's read."""
    return selectors.red_flag_rules(intake)


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)s hour", "%(count)s hours", count) % {"count": count}


def _minutes(count: int) -> str:
    return ngettext("%(count)s minute", "%(count)s minutes", count) % {"count": count}


@register.filter
def duration_words(value) -> str:
    """A time span in words, to the two largest units: "2 days 4 hours", "35 minutes"."""
    seconds = int(value.total_seconds()) if hasattr(value, "total_seconds") else None
    if seconds is None or seconds < 0:
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _days(days) + (f" {_hours(hours)}" if hours else "")
    if hours:
        return _hours(hours) + (f" {_minutes(minutes)}" if minutes else "")
    return _minutes(minutes) if minutes else gettext("under a minute")

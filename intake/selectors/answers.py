"""The patient's path: the questionnaire a browser holds, and answers as people read them.

Answer lines are written in the language active when they are built: the patient's on the
review page, STAFF_LANGUAGE_CODE on the case page. The questionnaire's texts arrive in English
(marked with gettext_noop where they are written) and are translated here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, IntegerField, Value, When
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from intake import questionnaire
from intake.errors import InvitationUnavailable
from intake.models import Intake, Invitation, LicensedInstrument, Patient
from intake.questionnaire import Facts, StepKind


def patient_intake(
    *, intake_id: int | None, invitation_id: int | None, lock: bool = False
) -> Intake:
    """The intake a patient's session holds access to, or 404. Access lasts while the link
    that granted it is not revoked: revoking or re-issuing a link (e.g. one sent to the wrong
    address) shuts out every browser that opened it. A draft also needs the link to be
    unexpired, as a link opened for the first time does (InvitationUnavailable otherwise:
    the answers are kept for a new link); a sent questionnaire's thank-you page still shows.

    `lock` (inside a transaction, for a save that follows): this same read locks the intake's
    row, so a save needs no second read of it."""
    if intake_id is None or invitation_id is None:
        raise Http404(_("No questionnaire is open in this browser."))
    if lock and connection.vendor == "postgresql":  # LOCKED_INTAKE_SQL is its dialect
        intake, expires_at = _locked_intake(intake_id=intake_id, invitation_id=invitation_id)
    else:
        invitations = Invitation.objects.select_related("intake__patient").filter(
            pk=invitation_id, intake_id=intake_id, revoked_at__isnull=True
        )
        if lock:
            invitations = invitations.select_for_update()
        # One row at most (its key): unordered, as a sort would cost more to build than to run.
        invitation = next(iter(invitations.order_by()[:1]), None)
        intake = invitation.intake if invitation is not None else None
        expires_at = invitation.expires_at if invitation is not None else None
    if intake is None:
        raise Http404(_("No questionnaire is open in this browser."))
    if intake.is_draft and expires_at <= timezone.now():
        expired_on = timezone.localdate(expires_at)
        # Translators: a date format (Django's date filter), e.g. "23 April 2026".
        day = date_format(expired_on, _("j F Y"))
        raise InvitationUnavailable(
            _(
                "This link expired on %(day)s. Your answers so far are kept, but you need a new "
                "link from your clinic to change or send them."
            )
            % {"day": day}
        )
    return intake


# patient_intake's conditions, for a save on PostgreSQL: the intake with its row locked until the
# transaction ends, its link's expiry, and the patient's date of birth (all that a save reads of
# the patient). Written out because the ORM took three times as long to build this query as the
# database took to run it, on the request made most often (autosave, while the patient types).
LOCKED_INTAKE_SQL = """
    SELECT i.*, v.expires_at AS link_expires_at, p.date_of_birth AS patient_date_of_birth
    FROM intake_intake i
    JOIN intake_invitation v ON v.intake_id = i.id
    JOIN intake_patient p ON p.id = i.patient_id
    WHERE v.id = %s AND i.id = %s AND v.revoked_at IS NULL
    FOR UPDATE OF i
"""


def _locked_intake(*, intake_id: int, invitation_id: int) -> tuple[Intake | None, Any]:
    """The intake and its link's expiry, or (None, None) when the link is revoked or another
    intake's."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("A locked read needs a transaction.")
    intake = next(iter(Intake.objects.raw(LOCKED_INTAKE_SQL, [invitation_id, intake_id])), None)
    if intake is None:
        return None, None
    intake.patient = Patient.from_db(
        connection.alias, ["id", "date_of_birth"], [intake.patient_id, intake.patient_date_of_birth]
    )
    return intake, intake.link_expires_at


@dataclass(frozen=True)
class AnswerLine:
    key: str
    label: str
    answer: str
    # False when the question was left unanswered: compare this, never the answer's words
    # (they are in the page's language).
    answered: bool = True


@dataclass(frozen=True)
class AnswerSection:
    step: questionnaire.Step
    lines: list[AnswerLine]
    title: str = ""  # the step's title, translated


def _translated(text: str) -> str:
    # gettext("") is the catalogue's header, not a blank.
    return _(text) if text else text


def _not_answered(key: str, label: str) -> AnswerLine:
    return AnswerLine(key, label, _("Not answered"), answered=False)


def answer_words(question: questionnaire.Question, value: Any) -> str:
    """A question's answer in words in the active language (Question.display, translated)."""
    if value is None:
        return _("Not answered")
    if question.kind == "multi":
        labels = dict(question.choices)
        words = [_translated(labels.get(item, str(item))) for item in value]
        return ", ".join(words) or _translated(question.none_choice or "None of these")
    if question.widget == "slider":
        return _("%(value)s out of %(maximum)s") % {"value": value, "maximum": question.max_value}
    if question.kind == "choice":
        label = dict(question.choices).get(value)
        return _translated(label) if label is not None else str(value)
    if question.kind == "bool":
        return _("Yes") if value else _("No")
    return str(value)  # a number, or the patient's own words


def _lab_line(row: dict[str, Any]) -> str:
    words = dict(questionnaire.QUALITATIVE_LAB_CHOICES.get(row["test"], ()))
    if isinstance(row["value"], str) and row["value"] in words:
        value = _(words[row["value"]])
    else:
        value = questionnaire.lab_value(row["test"], row["value"], row.get("unit") or "")
    return _("%(test)s: %(value)s (taken %(day)s)") % {
        "test": _translated(questionnaire.lab_name(row["test"])),
        "value": value,
        "day": row["taken_on"],
    }


# The PHQ-9's answers as its published translations word them. "Not at all" answers other
# questions too, where another word fits (the PHQ-9's Spanish is "Ningún día", "on no day"),
# so these carry their own context. Their English is questionnaire.PHQ9_CHOICES'.
PHQ9_CHOICE_LABELS = {
    0: pgettext_lazy("PHQ-9", "Not at all"),
    1: pgettext_lazy("PHQ-9", "Several days"),
    2: pgettext_lazy("PHQ-9", "More than half the days"),
    3: pgettext_lazy("PHQ-9", "Nearly every day"),
}


def answer_sections(*, answers: dict[str, Any], facts: Facts) -> list[AnswerSection]:
    """The answers grouped by step, in the patient's words, for review and case pages."""
    sections = []
    for step in questionnaire.applicable_steps(facts):
        lines = []
        if step.kind == StepKind.MOOD:
            items = answers.get("phq9_items")
            for number, text in enumerate(questionnaire.PHQ9_ITEMS, start=1):
                key, label = f"phq9_{number}", _(text)
                if items:
                    lines.append(AnswerLine(key, label, str(PHQ9_CHOICE_LABELS[items[number - 1]])))
                else:
                    lines.append(_not_answered(key, label))
        if step.kind == StepKind.IRLS:
            items = answers.get("irls_items") or [None] * questionnaire.IRLS_ITEM_COUNT
            for number, score in enumerate(items, start=1):
                key = f"irls_{number}"
                label = _("Severity scale item %(number)s") % {"number": number}
                if score is None:
                    lines.append(_not_answered(key, label))
                else:
                    lines.append(AnswerLine(key, label, str(score)))
        if step.kind == StepKind.LABS:
            rows = answers.get("prior_labs") or []
            for index, row in enumerate(rows, start=1):
                label = _("Result %(number)s") % {"number": index}
                lines.append(AnswerLine(f"lab_{index}", label, _lab_line(row)))
            if not rows:
                lines.append(AnswerLine("prior_labs", _("Results"), _("None added")))
        for question in step.questions:
            if questionnaire.field_shown(step, question, facts):
                value = answers.get(question.key)
                lines.append(
                    AnswerLine(
                        question.key,
                        _translated(question.label),
                        answer_words(question, value),
                        answered=value is not None,
                    )
                )
        if step.kind != StepKind.CONSENT:
            sections.append(AnswerSection(step, lines, _translated(step.title)))
    return sections


def irls_instrument(*, language: str | None = None) -> LicensedInstrument | None:
    """The clinic's active IRLS version in `language` (by default the page's), else its
    newest active version in any language: the page notes when the items shown are in
    another language than the patient's."""
    language = language or translation.get_language()
    in_language = Case(
        When(language=language, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return (
        LicensedInstrument.objects.filter(name="IRLS", active=True)
        .order_by(in_language.desc(), "-uploaded_at")
        .first()
    )

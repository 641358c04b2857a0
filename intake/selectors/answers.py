"""The patient's path: the questionnaire a browser holds, and answers as people read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from intake import questionnaire
from intake.errors import InvitationUnavailable
from intake.models import Intake, Invitation, LicensedInstrument
from intake.questionnaire import Facts, StepKind


def patient_intake(*, intake_id: int | None, invitation_id: int | None) -> Intake:
    """The intake a patient's session holds access to, or 404. Access lasts while the link
    that granted it is not revoked: revoking or re-issuing a link (e.g. one sent to the wrong
    address) shuts out every browser that opened it. A draft also needs the link to be
    unexpired, as a link opened for the first time does (InvitationUnavailable otherwise:
    the answers are kept for a new link); a sent questionnaire's thank-you page still shows."""
    if intake_id is None or invitation_id is None:
        raise Http404("No questionnaire is open in this browser.")
    invitation = (
        Invitation.objects.select_related("intake__patient")
        .filter(pk=invitation_id, intake_id=intake_id, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise Http404("No questionnaire is open in this browser.")
    intake = invitation.intake
    if intake.is_draft and invitation.expires_at <= timezone.now():
        expired_on = timezone.localdate(invitation.expires_at)
        raise InvitationUnavailable(
            f"This link expired on {expired_on.day} {expired_on:%B %Y}. Your answers so far "
            "are kept, but you need a new link from your clinic to change or send them."
        )
    return intake


@dataclass(frozen=True)
class AnswerLine:
    key: str
    label: str
    answer: str


@dataclass(frozen=True)
class AnswerSection:
    step: questionnaire.Step
    lines: list[AnswerLine]


def _lab_line(row: dict[str, Any]) -> str:
    value = questionnaire.lab_value(row["test"], row["value"], row.get("unit") or "")
    return f"{questionnaire.lab_name(row['test'])}: {value} (taken {row['taken_on']})"


def answer_sections(*, answers: dict[str, Any], facts: Facts) -> list[AnswerSection]:
    """The answers grouped by step, in the patient's words, for review and case pages."""
    sections = []
    for step in questionnaire.applicable_steps(facts):
        lines = []
        if step.kind == StepKind.MOOD:
            items = answers.get("phq9_items")
            choices = dict(questionnaire.PHQ9_CHOICES)
            for number, text in enumerate(questionnaire.PHQ9_ITEMS, start=1):
                answer = choices[items[number - 1]] if items else "Not answered"
                lines.append(AnswerLine(f"phq9_{number}", text, answer))
        if step.kind == StepKind.IRLS:
            items = answers.get("irls_items") or [None] * questionnaire.IRLS_ITEM_COUNT
            for number, score in enumerate(items, start=1):
                answer = "Not answered" if score is None else str(score)
                lines.append(AnswerLine(f"irls_{number}", f"Severity scale item {number}", answer))
        if step.kind == StepKind.LABS:
            rows = answers.get("prior_labs") or []
            for index, row in enumerate(rows, start=1):
                lines.append(AnswerLine(f"lab_{index}", f"Result {index}", _lab_line(row)))
            if not rows:
                lines.append(AnswerLine("prior_labs", "Results", "None added"))
        for question in step.questions:
            if questionnaire.field_shown(step, question, facts):
                lines.append(
                    AnswerLine(
                        question.key, question.label, question.display(answers.get(question.key))
                    )
                )
        if step.kind != StepKind.CONSENT:
            sections.append(AnswerSection(step, lines))
    return sections


def irls_instrument() -> LicensedInstrument | None:
    return (
        LicensedInstrument.objects.filter(name="IRLS", active=True).order_by("-uploaded_at").first()
    )

"""The practitioner's workflow: status, assignment, test decisions, notes and results.

Every change names the case version the practitioner's page was built from; if someone else
changed the case since, the change is refused with Conflict and the page shows what they typed
again (optimistic locking). Each change is one transaction and one audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.enums import TRANSITIONS, AssessmentKind, AuditAction, CaseStatus, Decision
from intake.errors import Conflict, IntakeError
from intake.models import Intake, LabResultEntry, Note, TestRecommendation
from intake.services.common import record_event
from intake.services.evaluation import store_assessment

__all__ = [
    "record_contact",
    "TRANSITIONS",
    "Conflict",
    "add_note",
    "assign_case",
    "change_status",
    "record_decision",
    "record_results",
]

NOTE_MAX_LENGTH = 5000
# The statuses a case leaves for "Tests ordered" when a test is ordered on it.
ORDERING_MOVES = frozenset({CaseStatus.NEW, CaseStatus.IN_REVIEW})


def _case_for_change(intake_id: int, version: int, *, allow_closed: bool = False) -> Intake:
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if intake.is_draft:
        raise IntakeError(_("This questionnaire has not been submitted yet."))
    if intake.version != version:
        raise Conflict(
            _(
                "Someone else changed this case while you were working on it. Their change is "
                "shown below; your entry was not saved, and is shown again so you can check it "
                "and send it again."
            )
        )
    if intake.status == CaseStatus.CLOSED and not allow_closed:
        raise IntakeError(_("This case is closed. Reopen it first to make changes."))
    return intake


def _save(intake: Intake, fields: list[str]) -> None:
    intake.version += 1
    intake.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def change_status(
    *, intake_id: int, version: int, status: str, by, ip_address: str | None = None
) -> Intake:
    intake = _case_for_change(intake_id, version, allow_closed=True)
    if status not in TRANSITIONS.get(intake.status, ()):
        raise IntakeError(
            _("A case that is “%(status)s” cannot move to that status.")
            % {"status": intake.get_status_display()}
        )
    old = intake.get_status_display()
    intake.status = status
    intake.closed_at = timezone.now() if status == CaseStatus.CLOSED else None
    _save(intake, ["status", "closed_at"])
    record_event(
        action=AuditAction.STATUS,
        actor=by,
        intake=intake,
        obj=intake,
        ip_address=ip_address,
        summary=f"{old} → {intake.get_status_display()}",
    )
    return intake


@transaction.atomic
def assign_case(
    *, intake_id: int, version: int, assignee, by, ip_address: str | None = None
) -> Intake:
    """Assign to a colleague, to oneself ("take"), or to nobody. Taking a new case starts
    its review."""
    intake = _case_for_change(intake_id, version)
    intake.assigned_to = assignee
    fields = ["assigned_to"]
    if assignee is not None and intake.status == CaseStatus.NEW:
        intake.status = CaseStatus.IN_REVIEW
        fields.append("status")
    _save(intake, fields)
    record_event(
        action=AuditAction.ASSIGN,
        actor=by,
        intake=intake,
        obj=intake,
        ip_address=ip_address,
        summary=f"assigned to {assignee.get_username()}" if assignee else "unassigned",
    )
    return intake


@transaction.atomic
def record_decision(
    *,
    intake_id: int,
    version: int,
    recommendation_id: int,
    decision: str,
    reason: str = "",
    by,
    ip_address: str | None = None,
) -> TestRecommendation:
    intake = _case_for_change(intake_id, version)
    recommendation = TestRecommendation.objects.filter(
        pk=recommendation_id, intake=intake, assessment_id=intake.current_assessment_id
    ).first()
    if recommendation is None:
        raise IntakeError(_("That test is not among this case's current recommendations."))
    if decision not in (Decision.ORDERED, Decision.DECLINED, Decision.ALREADY_DONE):
        raise IntakeError(_("Choose ordered, declined or already done."))
    reason = reason.strip()
    if decision == Decision.DECLINED and not reason:
        raise IntakeError(_("Give a reason for declining the test."))
    recommendation.decision = decision
    recommendation.decision_reason = reason
    recommendation.decided_by = by
    recommendation.decided_at = timezone.now()
    recommendation.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    old_status = intake.get_status_display()
    fields = []
    if decision == Decision.ORDERED and intake.status in ORDERING_MOVES:
        # Ordering a test is what "Tests ordered" means: the queue's "awaiting tests" count and
        # filter follow the practitioner's decision without a second click.
        intake.status = CaseStatus.TESTS_ORDERED
        fields.append("status")
    _save(intake, fields)
    record_event(
        action=AuditAction.DECISION,
        actor=by,
        intake=intake,
        obj=recommendation,
        ip_address=ip_address,
        summary=f"{recommendation.get_test_display()}: {recommendation.get_decision_display()}",
    )
    if fields:
        record_event(
            action=AuditAction.STATUS,
            actor=by,
            intake=intake,
            obj=intake,
            ip_address=ip_address,
            summary=f"{old_status} → {intake.get_status_display()} (a test was ordered)",
        )
    recommendation.intake = intake  # the caller reads the case's new status from here
    return recommendation


@transaction.atomic
def add_note(*, intake_id: int, text: str, by, ip_address: str | None = None) -> Note:
    """Notes only add, so two people writing at once never conflict; closed cases take notes
    too (a call after closing is still part of the record)."""
    intake = Intake.objects.select_for_update().get(pk=intake_id)
    text = text.strip()
    if not text:
        raise IntakeError(_("Write the note before saving it."))
    if len(text) > NOTE_MAX_LENGTH:
        raise IntakeError(_("Keep a note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH})
    note = Note.objects.create(intake=intake, author=by, text=text)
    intake.version += 1
    intake.save(update_fields=["version", "updated_at"])
    record_event(action=AuditAction.NOTE, actor=by, intake=intake, obj=note, ip_address=ip_address)
    return note


@transaction.atomic
def record_results(
    *,
    intake_id: int,
    version: int,
    results: list[dict[str, Any]],
    by,
    ip_address: str | None = None,
) -> Intake:
    """Store results and re-evaluate the case with them. The earlier assessment stays on
    record; a decision already made on a test that is still recommended carries over."""
    intake = _case_for_change(intake_id, version)
    if not results:
        raise IntakeError(_("Enter at least one result."))
    LabResultEntry.objects.bulk_create(
        LabResultEntry(
            intake=intake,
            test=row["test"],
            value=row["value"],
            unit=row["unit"] or "",
            taken_on=dt.date.fromisoformat(row["taken_on"]),
            entered_by=by,
        )
        for row in results
    )
    previous_assessment_id = intake.current_assessment_id
    assessment = store_assessment(
        intake, kind=AssessmentKind.RESULTS, created_by=by, on=timezone.localdate()
    )
    _save(
        intake,
        ["current_assessment", "urgent", "crisis", "emergency", "rls_status", "ibs_status"],
    )
    record_event(
        action=AuditAction.RESULTS,
        actor=by,
        intake=intake,
        obj=assessment,
        ip_address=ip_address,
        summary=f"{len(results)} result(s) entered; re-evaluated",
    )
    _carry_decisions(
        intake, previous_assessment_id=previous_assessment_id, by=by, ip_address=ip_address
    )
    return intake


def _carry_decisions(
    intake: Intake, *, previous_assessment_id: int | None, by, ip_address: str | None
) -> list[TestRecommendation]:
    """A re-evaluation makes new recommendations; a decision already made on a test that is
    still recommended is the practitioner's, not the rules', so it carries over as it was
    (who, when, why), each on the audit log. A test no longer recommended keeps its decision on
    the earlier assessment, where the case page still shows it."""
    earlier = {
        rec.test: rec
        for rec in TestRecommendation.objects.filter(
            assessment_id=previous_assessment_id, intake=intake
        ).exclude(decision=Decision.PENDING)
    }
    carried = []
    for recommendation in TestRecommendation.objects.filter(
        assessment_id=intake.current_assessment_id, test__in=list(earlier)
    ):
        before = earlier[recommendation.test]
        recommendation.decision = before.decision
        recommendation.decision_reason = before.decision_reason
        recommendation.decided_by_id = before.decided_by_id
        recommendation.decided_at = before.decided_at
        recommendation.save(
            update_fields=["decision", "decision_reason", "decided_by", "decided_at"]
        )
        record_event(
            action=AuditAction.DECISION,
            actor=by,
            intake=intake,
            obj=recommendation,
            ip_address=ip_address,
            summary=(
                f"{recommendation.get_test_display()}: {recommendation.get_decision_display()}"
                " (kept from before the re-evaluation)"
            ),
        )
        carried.append(recommendation)
    return carried


@transaction.atomic
def record_contact(*, intake_id: int, by, ip_address: str | None = None) -> Intake:
    """Someone contacted a patient whose answers called for contact today: the draft or case
    leaves the top of the work queue; the case page keeps the marker and who recorded the
    contact, when. Recording it again changes nothing (two people pressing at once)."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if intake.contact_needed_at is None:
        raise IntakeError(_("Nothing in this questionnaire called for contacting the patient."))
    if intake.contacted_at is None:
        intake.contacted_at = timezone.now()
        intake.contacted_by = by
        intake.save(update_fields=["contacted_at", "contacted_by", "updated_at"])
        record_event(
            action=AuditAction.CONTACTED,
            actor=by,
            intake=intake,
            obj=intake,
            ip_address=ip_address,
        )
    return intake

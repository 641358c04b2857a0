"""Subject access: everything held about one patient, as JSON-serialisable data, for the export
(services.export_subject_access renders it as JSON or PDF and records the export). What it
holds and why is in docs/data-protection.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from intake.languages import language_name
from intake.models import (
    Assessment,
    AuditEvent,
    Invitation,
    LabResultEntry,
    Note,
    OutboxMessage,
    Patient,
    TestRecommendation,
)

__all__ = ["SUBJECT_ACCESS_SECTIONS", "subject_access_data"]

SUBJECT_ACCESS_SECTIONS = (
    "patient",
    "intakes",
    "assessments",
    "recommendations",
    "notes",
    "lab_results",
    "invitations",
    "messages",
    "audit_events",
)


def _when(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601; times to the second, in the clinic's time zone with their offset."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _audit_events(patient: Patient) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(Q(patient=patient) | Q(intake__patient=patient))
        .select_related("intake")
        .order_by("at", "pk")
    )


def _audit_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": _when(event.at),
        "actor": event.actor_label,
        "action": event.action,
        "action_label": str(event.get_action_display()),
        "object": f"{event.object_type} {event.object_id}".strip(),
        "case_number": event.intake.case_number if event.intake_id else None,
        "summary": event.summary,
        # The address is given for what the patient did through their own link; staff
        # addresses are the staff member's personal data, and who accessed the record is
        # answered by "actor" (docs/data-protection.md).
        "ip_address": event.ip_address if event.actor_id is None else None,
    }


def subject_access_data(*, patient: Patient) -> dict[str, Any]:
    """Everything held about one patient, JSON-serialisable (labels as plain strings, in the
    staff language), for a subject-access request.
    Invitation token hashes are never included: they are credentials, not data about anyone."""
    patient = Patient.objects.select_related("erased_by").get(pk=patient.pk)
    intakes = list(
        patient.intakes.select_related("assigned_to", "contacted_by").order_by("created_at", "pk")
    )
    assessments = list(
        Assessment.objects.filter(intake__patient=patient)
        .select_related("intake", "created_by")
        .order_by("created_at", "pk")
    )
    recommendations = list(
        TestRecommendation.objects.filter(intake__patient=patient)
        .select_related("intake", "decided_by")
        .order_by("assessment__created_at", "assessment_id", "pk")
    )
    notes = list(
        Note.objects.filter(intake__patient=patient)
        .select_related("intake", "author")
        .order_by("created_at", "pk")
    )
    labs = list(
        LabResultEntry.objects.filter(intake__patient=patient)
        .select_related("intake", "entered_by")
        .order_by("entered_at", "pk")
    )
    invitations = list(
        Invitation.objects.filter(intake__patient=patient)
        .select_related("intake", "created_by")
        .order_by("created_at", "pk")
    )
    return {
        "generated_at": _when(timezone.now()),
        "patient": {
            "id": patient.pk,
            "full_name": patient.full_name,
            "date_of_birth": _when(patient.date_of_birth),
            "email": patient.email,
            "mobile_phone": patient.mobile_phone,
            "preferred_channel": patient.preferred_channel,
            "mrn": patient.mrn,
            "created_at": _when(patient.created_at),
            "erased_at": _when(patient.erased_at),
            "erased_by": _username(patient.erased_by),
            "erasure_reason": patient.erasure_reason,
        },
        "intakes": [
            {
                "case_number": intake.case_number,
                "status": intake.status,
                "status_label": str(intake.get_status_display()),
                "created_at": _when(intake.created_at),
                "updated_at": _when(intake.updated_at),
                "submitted_at": _when(intake.submitted_at),
                "closed_at": _when(intake.closed_at),
                "contact_needed_at": _when(intake.contact_needed_at),
                "contact_reasons": list(intake.contact_reasons),
                "contacted_at": _when(intake.contacted_at),
                "contacted_by": _username(intake.contacted_by),
                "matched_existing_patient": intake.matched_existing_patient,
                # The language the questionnaire was shown in: the patient's choice, else
                # the clinic's default (blank on the intake).
                "language": intake.language or settings.LANGUAGE_CODE,
                "language_label": str(language_name(intake.language or settings.LANGUAGE_CODE)),
                "answers": intake.answers,
                "consent": {
                    "name": intake.consent_name,
                    "version": intake.consent_version,
                    "at": _when(intake.consented_at),
                },
                "assigned_to": _username(intake.assigned_to),
            }
            for intake in intakes
        ],
        "assessments": [
            {
                "id": assessment.pk,
                "case_number": assessment.intake.case_number,
                "kind": assessment.kind,
                "ruleset_version": assessment.ruleset_version,
                "created_at": _when(assessment.created_at),
                "created_by": _username(assessment.created_by),
                "engine_answers": assessment.engine_answers,
                "result": assessment.result,
                "notes": assessment.notes,
            }
            for assessment in assessments
        ],
        "recommendations": [
            {
                "case_number": rec.intake.case_number,
                "assessment_id": rec.assessment_id,
                "test": rec.test,
                "test_label": str(rec.get_test_display()),
                "value": rec.value,
                "rules": rec.rules,
                "decision": rec.decision,
                "decision_label": str(rec.get_decision_display()),
                "decision_reason": rec.decision_reason,
                "decided_by": _username(rec.decided_by),
                "decided_at": _when(rec.decided_at),
            }
            for rec in recommendations
        ],
        "notes": [
            {
                "case_number": note.intake.case_number,
                "author": _username(note.author),
                "created_at": _when(note.created_at),
                "text": note.text,
            }
            for note in notes
        ],
        "lab_results": [
            {
                "case_number": lab.intake.case_number,
                "test": lab.test,
                "value": lab.value,
                "unit": lab.unit,
                "taken_on": _when(lab.taken_on),
                "entered_by": _username(lab.entered_by),
                "entered_at": _when(lab.entered_at),
            }
            for lab in labs
        ],
        "invitations": [
            {
                "case_number": invitation.intake.case_number,
                "created_at": _when(invitation.created_at),
                "created_by": _username(invitation.created_by),
                "via_public_start": invitation.via_public_start,
                "expires_at": _when(invitation.expires_at),
                "revoked_at": _when(invitation.revoked_at),
                "last_opened_at": _when(invitation.last_opened_at),
            }
            for invitation in invitations
        ],
        # Messages to the patient (the outbox): where they went and what became of them.
        "messages": [
            {
                "case_number": message.intake.case_number,
                "kind": message.kind,
                "channel": message.channel,
                "recipient": message.recipient,
                "state": message.state,
                "attempts": message.attempts,
                "last_error": message.last_error,
                "created_at": _when(message.created_at),
                "sent_at": _when(message.sent_at),
            }
            for message in OutboxMessage.objects.filter(intake__patient=patient)
            .select_related("intake")
            .order_by("created_at", "pk")
        ],
        "audit_events": [_audit_row(event) for event in _audit_events(patient)],
    }

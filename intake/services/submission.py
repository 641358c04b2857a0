"""The one-time submit: consent signed with the answers, evaluation, the case opened and the
messages it causes queued in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.enums import AssessmentKind, AuditAction, CaseStatus
from intake.models import Intake
from intake.services import notifications, webhooks
from intake.services.answers import first_unanswered_step, first_unfinished_step, record_consent
from intake.services.common import IntakeError, record_event
from intake.services.contact import contact_alert, report_contact_needed
from intake.services.evaluation import store_assessment

__all__ = ["submit_intake", "sign_and_submit"]


@transaction.atomic
def submit_intake(*, intake_id: int, ip_address: str | None = None) -> Intake:
    """Evaluate and submit, exactly once: a second submit (double click, back button, another
    tab) finds the intake already submitted and changes nothing."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if not intake.is_draft:
        return intake
    missing = first_unfinished_step(intake)
    if missing is not None:
        raise IntakeError(
            _("Please complete the step “%(step)s” before submitting.") % {"step": _(missing.title)}
        )
    now = timezone.now()
    store_assessment(intake, kind=AssessmentKind.SUBMISSION, on=timezone.localdate())
    intake.status = CaseStatus.NEW
    intake.submitted_at = now
    intake.version += 1
    intake.save(
        update_fields=[
            "status",
            "submitted_at",
            "current_assessment",
            "urgent",
            "crisis",
            "emergency",
            "rls_status",
            "ibs_status",
            "version",
            "updated_at",
        ]
    )
    record_event(action=AuditAction.SUBMIT, intake=intake, obj=intake, ip_address=ip_address)
    notifications.queue_staff_alert(intake=intake, template="alert_new_case", key=str(intake.pk))
    notifications.queue_submission_confirmation(intake=intake, ip_address=ip_address)
    webhooks.queue_submission_notices(intake=intake)
    # Normally reported as the patient saved the step; this catches a draft from before the
    # check ran on every step, so a submitted case needing contact is listed all the same.
    alert = contact_alert(intake)
    if alert is not None:
        report_contact_needed(intake_id=intake.pk, reasons=alert.reasons, ip_address=ip_address)
        intake.refresh_from_db()
    return intake


@transaction.atomic
def sign_and_submit(*, intake_id: int, full_name: str, ip_address: str | None = None) -> Intake:
    """Consent, signed on the check page after the answers, and the submit, together: the
    signature is stored only with the answers it was given for. Exactly once, like
    `submit_intake`: a second request finds the intake submitted and changes nothing, not even
    the signature."""
    intake = Intake.objects.select_for_update().get(pk=intake_id)
    if not intake.is_draft:
        return intake
    missing = first_unanswered_step(intake)
    if missing is not None:
        raise IntakeError(
            _("Please complete the step “%(step)s” before submitting.") % {"step": _(missing.title)}
        )
    record_consent(intake_id=intake_id, full_name=full_name, ip_address=ip_address)
    return submit_intake(intake_id=intake_id, ip_address=ip_address)

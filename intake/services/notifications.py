"""Messages to patients, written to the outbox in the caller's transaction.

No message without its change and no change without its message: each function here runs
inside the service that makes the change, and the delivery task is handed the message's id
only once that transaction has committed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from intake.enums import AuditAction
from intake.models import Intake, Invitation
from intake.notifications.models import OutboxChannel, OutboxKind, OutboxMessage
from intake.notifications.tasks import deliver_message
from intake.services.common import IntakeError, record_event

__all__ = ["NoEmailAddress", "queue_invitation_email", "queue_submission_confirmation"]


class NoEmailAddress(IntakeError):
    pass


def _enqueue_after_commit(message: OutboxMessage) -> None:
    message_id = message.pk
    transaction.on_commit(lambda: deliver_message.enqueue(message_id))


def _queue(
    *,
    kind: str,
    intake: Intake,
    invitation: Invitation | None,
    recipient: str,
    template: str,
    key: str,
    context: dict,
    by,
    ip_address: str | None,
) -> OutboxMessage:
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "channel": OutboxChannel.EMAIL,
            "recipient": recipient,
            "template": template,
            "context": context,
            "intake": intake,
            "invitation": invitation,
            "next_attempt_at": timezone.now(),
        },
    )
    if created:
        record_event(
            action=AuditAction.CREATE,
            actor=by,
            intake=intake,
            obj=message,
            ip_address=ip_address,
            summary=f"{message.get_kind_display().lower()} email queued",
        )
        _enqueue_after_commit(message)
    return message


def queue_invitation_email(
    *, invitation: Invitation, token: str, by=None, ip_address: str | None = None
) -> OutboxMessage:
    """The link, emailed to the address on the patient's record. The raw token rides in the
    message until it is sent (the link cannot be rebuilt from the stored fingerprint)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_invitation_email runs inside the change's transaction")
    patient = invitation.intake.patient
    if not patient.email:
        raise NoEmailAddress("There is no email address on the patient's record.")
    return _queue(
        kind=OutboxKind.INVITATION,
        intake=invitation.intake,
        invitation=invitation,
        recipient=patient.email,
        template="invitation",
        key=f"invitation:{invitation.pk}",
        context={"token": token},
        by=by,
        ip_address=ip_address,
    )


def queue_submission_confirmation(
    *, intake: Intake, ip_address: str | None = None
) -> OutboxMessage | None:
    """That the answers arrived, what happens next and whom to call: nothing about the answers
    or what the clinic makes of them. None when there is no address on the record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_submission_confirmation runs inside the change's transaction")
    if not intake.patient.email:
        return None
    return _queue(
        kind=OutboxKind.SUBMITTED,
        intake=intake,
        invitation=None,
        recipient=intake.patient.email,
        template="submitted",
        key=f"submitted:{intake.pk}",
        context={},
        by=None,
        ip_address=ip_address,
    )

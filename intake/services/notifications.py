"""Messages to patients, written to the outbox in the caller's transaction.

No message without its change and no change without its message: each function here runs
inside the service that makes the change, and the delivery task is handed the message's id
only once that transaction has committed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.enums import AuditAction, ContactChannel
from intake.models import Intake, Invitation
from intake.notifications.models import OutboxChannel, OutboxKind, OutboxMessage
from intake.notifications.tasks import deliver_message
from intake.services.common import IntakeError, record_event

__all__ = [
    "NoEmailAddress",
    "NoMessagesWanted",
    "NoMobileNumber",
    "queue_invitation_message",
    "queue_invitation_email",
    "queue_reminder",
    "queue_staff_alert",
    "queue_submission_confirmation",
]

# The staff alerts, by template under templates/intake/emails/. Each reads the same whatever
# the case (urgency and the kind of need are health information): a case number and a link.
STAFF_ALERT_TEMPLATES = (
    "alert_new_case",
    "alert_contact_draft",
    "alert_contact_case",
    "alert_link_closed",
)


class NoEmailAddress(IntakeError):
    pass


class NoMobileNumber(IntakeError):
    pass


class NoMessagesWanted(IntakeError):
    pass


# How the audit trail names a message by its channel.
CHANNEL_WORDS = {OutboxChannel.EMAIL: "email", OutboxChannel.SMS: "text message"}


def _preferred_address(patient) -> tuple[str, str]:
    """(channel, recipient) by the patient's preferred channel; IntakeError with what is
    missing when there is no way to reach them that way."""
    if patient.preferred_channel == ContactChannel.NONE:
        raise NoMessagesWanted(
            _("The patient's record says no messages: copy the link and pass it on yourself.")
        )
    if patient.preferred_channel == ContactChannel.SMS:
        if not patient.mobile_phone:
            raise NoMobileNumber(_("There is no mobile phone number on the patient's record."))
        return OutboxChannel.SMS, patient.mobile_phone
    if not patient.email:
        raise NoEmailAddress(_("There is no email address on the patient's record."))
    return OutboxChannel.EMAIL, patient.email


def _enqueue_after_commit(message: OutboxMessage) -> None:
    message_id, due = message.pk, message.next_attempt_at
    if due > timezone.now():  # a reminder held back to the morning
        transaction.on_commit(lambda: deliver_message.using(run_after=due).enqueue(message_id))
    else:
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
    due: dt.datetime | None = None,
    reminder_number: int | None = None,
    summary: str = "",
    channel: str = OutboxChannel.EMAIL,
) -> OutboxMessage:
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "channel": channel,
            "recipient": recipient,
            "template": template,
            "context": context,
            "intake": intake,
            "invitation": invitation,
            "next_attempt_at": due or timezone.now(),
            "reminder_number": reminder_number,
        },
    )
    if created:
        record_event(
            action=AuditAction.CREATE,
            actor=by,
            intake=intake,
            obj=message,
            ip_address=ip_address,
            summary=summary
            or f"{message.get_kind_display().lower()} {CHANNEL_WORDS[channel]} queued",
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
        raise NoEmailAddress(_("There is no email address on the patient's record."))
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


def queue_invitation_message(
    *, invitation: Invitation, token: str, by=None, ip_address: str | None = None
) -> OutboxMessage:
    """The link, by the patient's preferred channel: an email, or a text message to their
    mobile (intake/notifications/sms.py). Refused (nothing queued) when the record says no
    messages or lacks that channel's address. One message per link, whichever way it goes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_invitation_message runs inside the change's transaction")
    channel, recipient = _preferred_address(invitation.intake.patient)
    return _queue(
        kind=OutboxKind.INVITATION,
        intake=invitation.intake,
        invitation=invitation,
        recipient=recipient,
        template="invitation",
        key=f"invitation:{invitation.pk}",
        context={"token": token},
        by=by,
        ip_address=ip_address,
        channel=channel,
    )


def queue_submission_confirmation(
    *, intake: Intake, ip_address: str | None = None
) -> OutboxMessage | None:
    """That the answers arrived, what happens next and whom to call: nothing about the answers
    or what the clinic makes of them. By the preferred channel; None when the record says no
    messages or has no address for that channel."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_submission_confirmation runs inside the change's transaction")
    try:
        # By the patient's preferred channel; none when the record says no messages.
        channel, recipient = _preferred_address(intake.patient)
    except IntakeError:
        return None
    return _queue(
        kind=OutboxKind.SUBMITTED,
        intake=intake,
        invitation=None,
        recipient=recipient,
        channel=channel,
        template="submitted",
        key=f"submitted:{intake.pk}",
        context={},
        by=None,
        ip_address=ip_address,
    )


def queue_reminder(
    *,
    invitation: Invitation,
    number: int,
    due: dt.datetime,
    by=None,
    ip_address: str | None = None,
) -> OutboxMessage:
    """Reminder `number` for this link, by the patient's preferred channel (an email, or a
    text message), sent at `due` (now, or the end of the clinic's quiet hours). The caller
    holds the invitation's row lock and has checked that a reminder may go
    (services.reminders); the unique (invitation, reminder number) makes a second one with the
    same number impossible all the same. The message carries no link to the questionnaire (only
    a fingerprint of it is stored), only the stop-reminders link, made when it is sent."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_reminder runs inside the change's transaction")
    channel, recipient = _preferred_address(invitation.intake.patient)
    how = "sent by staff" if getattr(by, "is_authenticated", False) else "automatic"
    return _queue(
        kind=OutboxKind.REMINDER,
        intake=invitation.intake,
        invitation=invitation,
        recipient=recipient,
        template="reminder",
        key=f"reminder:{invitation.pk}:{number}",
        context={},
        by=by,
        ip_address=ip_address,
        due=due,
        reminder_number=number,
        summary=f"reminder {number} {CHANNEL_WORDS[channel]} queued ({how})",
        channel=channel,
    )


def queue_staff_alert(*, intake: Intake, template: str, key: str) -> OutboxMessage | None:
    """An alert to the clinic's alert address (CLINIC_ALERT_EMAIL), through the outbox in the
    caller's transaction. None when no address is set. `key` makes it once per occasion."""
    if template not in STAFF_ALERT_TEMPLATES:
        raise ValueError(f"Unknown staff alert: {template}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_staff_alert runs inside the change's transaction")
    if not settings.CLINIC_ALERT_EMAIL:
        return None
    return _queue(
        kind=OutboxKind.STAFF_ALERT,
        intake=intake,
        invitation=None,
        recipient=settings.CLINIC_ALERT_EMAIL,
        template=template,
        key=f"{template}:{key}",
        context={},
        by=None,
        ip_address=None,
        summary="staff alert email queued",
    )

"""Delivering one outbox message: claim it, render it, send it, record what happened.

A message is claimed by moving it from queued to sending with a conditional UPDATE, so of two
workers handed the same id only one sends it (on PostgreSQL the row is first taken with
SELECT ... FOR UPDATE SKIP LOCKED, so the other worker does not even wait for it).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from intake import questionnaire
from intake.enums import CaseStatus, ContactChannel
from intake.models import Invitation
from intake.notifications import sms, webhooks
from intake.notifications.models import (
    ClinicSettings,
    ClinicTextKey,
    OutboxChannel,
    OutboxKind,
    OutboxMessage,
    OutboxState,
)
from intake.notifications.stop_links import stop_url
from intake.notifications.texts import clinic_texts, text_language
from intake.services.common import facts_for

log = logging.getLogger(__name__)

__all__ = [
    "claim",
    "deliver",
    "due_ids",
    "give_up_interrupted",
    "mark_bounced",
    "retry_delay",
    "message_language",
    "render_email",
    "render_sms",
]


def retry_delay(attempts: int) -> dt.timedelta:
    """OUTBOX_RETRY_SECONDS after the first failure, doubled after each one after it."""
    return dt.timedelta(seconds=settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def claim(message_id: int) -> OutboxMessage | None:
    """The message, now `sending` and with one more attempt, or None when it is not due or
    another worker holds it."""
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            pk=message_id, state=OutboxState.QUEUED, next_attempt_at__lte=now
        )
        if connection.features.has_select_for_update_skip_locked:
            if due.select_for_update(skip_locked=True).first() is None:
                return None
        claimed = due.update(state=OutboxState.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if claimed != 1:
        return None
    return OutboxMessage.objects.select_related("intake__patient", "invitation").get(pk=message_id)


def message_language(message: OutboxMessage) -> str:
    """The language a message is written in: the patient's (their intake's, else
    LANGUAGE_CODE) for a message to them, STAFF_LANGUAGE_CODE for a staff alert."""
    if message.kind == OutboxKind.STAFF_ALERT:
        return settings.STAFF_LANGUAGE_CODE
    return text_language(message.intake.language or settings.LANGUAGE_CODE)


def _context(message: OutboxMessage, language: str) -> dict:
    """What the templates need, rebuilt from the ids: the clinic, never the patient's health."""
    # The clinic's sign-off in the message's language (texts.py says which one wins).
    sign_off = ClinicSettings.load().sign_off
    key = ClinicTextKey.SIGN_OFF
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "sign_off": clinic_texts((key,), language, sign_off=sign_off)[key],
        "site_url": settings.SITE_URL.rstrip("/"),
        "intake_id": message.intake_id,
        "case_number": message.intake.case_number,
    }
    if message.kind != OutboxKind.STAFF_ALERT:  # an alert's mailbox is not told who it is
        context["patient_name"] = message.intake.patient.full_name
    if message.kind == OutboxKind.REMINDER:
        context["stop_link"] = stop_url(message.invitation_id)
        context["started"] = bool(message.intake.answers)
        context["first_sent_at"] = message.invitation.created_at
    if message.invitation is not None:
        context["expires_at"] = message.invitation.expires_at
        # The welcome page's estimate: from the number of questions, never from answers.
        estimate = questionnaire.time_estimate(facts_for(message.intake, answers={}))
        context["minutes_low"] = estimate["fewest_minutes"]
        context["minutes_high"] = estimate["most_minutes"]
    token = message.context.get("token")
    if token:
        context["link"] = settings.SITE_URL.rstrip("/") + reverse("intake:open_link", args=[token])
    context.update({k: v for k, v in message.context.items() if k != "token"})
    return context


def render_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The email, in the message's language (message_language): rendered in the worker,
    outside any request, so the language is set here for the subject and both bodies."""
    language = message_language(message)
    with translation.override(language):
        context = _context(message, language)
        base = f"intake/emails/{message.template}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text_body = render_to_string(f"{base}.txt", context)
        html_body = render_to_string(f"{base}.html", context)
    headers = {
        "Auto-Submitted": "auto-generated",
        "X-Outbox-Id": str(message.pk),
        "Content-Language": language,
    }
    if "stop_link" in context:  # mail programs offer it as "unsubscribe"
        headers["List-Unsubscribe"] = f"<{context['stop_link']}>"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=headers,
    )
    email.attach_alternative(html_body, "text/html")
    return email


def render_sms(message: OutboxMessage) -> str:
    """A text message: the email's facts in a few lines (templates/intake/sms/), in the
    message's language."""
    language = message_language(message)
    with translation.override(language):
        context = _context(message, language)
        return render_to_string(f"intake/sms/{message.template}.txt", context).strip()


def _finish(message: OutboxMessage, **fields) -> None:
    if fields.get("state") in (OutboxState.SENT, OutboxState.FAILED):
        fields["context"] = {k: v for k, v in message.context.items() if k != "token"}
    # Only this worker's claim may be finished: the row is still `sending`.
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENDING).update(**fields)


def _not_wanted(message: OutboxMessage) -> str:
    """Why a message queued earlier must not go now ("" when it may)."""
    link = message.invitation
    if link is not None and (link.revoked_at is not None or link.expires_at <= timezone.now()):
        # A dead link is no use to the patient (staff revoked or re-issued it meanwhile).
        return "Not sent: the link no longer works."
    if message.kind != OutboxKind.STAFF_ALERT and message.channel != OutboxChannel.WEBHOOK:
        # Staff changed the patient's contact details meanwhile (a wrong address corrected, or
        # "no messages"): a message queued or retrying for the old address must not go there.
        patient = message.intake.patient
        current = patient.mobile_phone if message.channel == OutboxChannel.SMS else patient.email
        if message.recipient != current:
            return "Not sent: the address on the patient's record changed."
        if message.kind == OutboxKind.REMINDER and patient.preferred_channel == ContactChannel.NONE:
            return "Not sent: the patient's record says no messages."
    if message.kind == OutboxKind.REMINDER:
        # Between the planner and the worker (a reminder held to the morning, a busy queue).
        if message.intake.status != CaseStatus.DRAFT:
            return "Not sent: the questionnaire was submitted."
        stopped = Invitation.objects.filter(
            intake_id=message.intake_id, reminders_stopped_at__isnull=False
        )
        if stopped.exists():
            return "Not sent: the patient asked for no more reminders."
    return ""


def deliver(message_id: int) -> str:
    """Send one message if it is due and unclaimed. Returns its state afterwards (or
    "skipped"), for the task's result. A failure is tried again later or marked failed."""
    message = claim(message_id)
    if message is None:
        return "skipped"
    reason = _not_wanted(message)
    if reason:
        _finish(message, state=OutboxState.FAILED, last_error=reason)
        return OutboxState.FAILED
    try:
        if message.channel == OutboxChannel.WEBHOOK:
            webhooks.post(message)  # a notice to a clinic's system, not to the patient
        elif message.channel == OutboxChannel.SMS:
            sms.send(to=message.recipient, body=render_sms(message))
        else:
            render_email(message).send()
    except webhooks.NotSent as error:
        _finish(message, state=OutboxState.FAILED, last_error=str(error))
        return OutboxState.FAILED
    except Exception as error:  # any failure of the backend is this message's failure
        # The exception's class and text say what the mail server answered; they never carry
        # the message's body.
        reason = f"{type(error).__name__}: {error}"[:300]
        if isinstance(error, webhooks.ReceiverFailed):
            reason = str(error)
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _finish(message, state=OutboxState.FAILED, last_error=reason)
            log.warning("outbox message %s failed after %s tries", message.pk, message.attempts)
            return OutboxState.FAILED
        later = timezone.now() + retry_delay(message.attempts)
        # The task that called this queues the next try (intake/notifications/tasks.py).
        _finish(message, state=OutboxState.QUEUED, last_error=reason, next_attempt_at=later)
        log.info("outbox message %s will be tried again at %s", message.pk, later.isoformat())
        return OutboxState.QUEUED
    _finish(message, state=OutboxState.SENT, sent_at=timezone.now(), last_error="")
    return OutboxState.SENT


def due_ids() -> list[int]:
    """Queued messages whose time has come, for the sweep that hands them to the worker again
    (a task lost between the commit and the queue, or a queue emptied by hand)."""
    return list(
        OutboxMessage.objects.filter(
            state=OutboxState.QUEUED, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


def give_up_interrupted(*, older_than: dt.timedelta) -> int:
    """Messages left `sending` by a worker that died mid-send. They may have gone, so they are
    never sent again automatically (never twice); they are marked failed with that reason, for
    staff to see and send a new link if needed. Returns how many."""
    cutoff = timezone.now() - older_than
    return OutboxMessage.objects.filter(state=OutboxState.SENDING, claimed_at__lt=cutoff).update(
        state=OutboxState.FAILED,
        last_error="Interrupted while sending; not tried again in case it was delivered.",
        context={},
    )


def mark_bounced(
    *, message_id: int | None = None, address: str = "", reason: str = ""
) -> list[int]:
    """Record a bounce the mail provider reported: the message with this id, or the latest
    message sent to this address. Only a sent email can bounce. The patient's later reminders
    are then held (services.reminders) until staff check the address. Returns the ids marked."""
    sent = OutboxMessage.objects.filter(state=OutboxState.SENT, channel=OutboxChannel.EMAIL)
    if message_id is not None:
        sent = sent.filter(pk=message_id)
    else:
        sent = sent.filter(recipient__iexact=address.strip()).order_by("-sent_at", "-pk")[:1]
    ids = list(sent.values_list("pk", flat=True))
    text = f"Bounced: {reason}" if reason else "Bounced (reported by the mail provider)."
    OutboxMessage.objects.filter(pk__in=ids, state=OutboxState.SENT).update(
        state=OutboxState.BOUNCED, last_error=text[:300]
    )
    return ids

"""Reminders to patients who have not finished their questionnaire, and their "stop" link.

The planner (`plan_reminders`, run by `manage.py send_reminders`) looks at every live link
whose patient can be reached (an email address or a mobile number, as their record prefers;
none for a record saying "no messages") and queues the reminders that are due under the clinic's
settings (intake/notifications/schedule.py), each in a transaction of its own that holds the
link's row: two planners at the same moment queue each reminder once (and the unique
(invitation, reminder number) would refuse a second all the same). Staff can send one by hand
(`send_reminder`); it counts towards the clinic's maximum, so a patient never gets more than
that many reminders for one link, however they were sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intake.enums import AuditAction, CaseStatus, ContactChannel
from intake.models import Invitation
from intake.notifications import schedule
from intake.notifications.models import ClinicSettings, OutboxKind, OutboxMessage, OutboxState
from intake.notifications.stop_links import BadStopLink, invitation_id_from
from intake.services.common import IntakeError, record_event
from intake.services.notifications import queue_reminder

__all__ = [
    "BadStopLink",
    "PlanSummary",
    "ReminderRefused",
    "plan_reminders",
    "reminder_rules",
    "check_stop_link",
    "send_reminder",
    "stop_reminders",
]


class ReminderRefused(IntakeError):
    """A reminder cannot go for this link; the message says why, for staff."""


@dataclass(frozen=True)
class PlanSummary:
    checked: int  # live links with an address and reminders left
    queued: int
    quiet_hours: bool  # the run fell in the quiet hours, so nothing was queued


def reminder_rules(clinic: ClinicSettings | None = None) -> schedule.Rules:
    clinic = clinic or ClinicSettings.load()
    return schedule.Rules(
        unopened_days=clinic.unopened_days,
        idle_days=clinic.idle_days,
        max_reminders=clinic.max_reminders,
        quiet_from=clinic.quiet_from,
        quiet_until=clinic.quiet_until,
        time_zone=settings.CLINIC_TIME_ZONE,
    )


def _with_reminder_facts(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Each link with what decides its next reminder: how many it has had and when the last
    was queued, and whether its patient stopped reminders (on any link to the questionnaire)
    or a message to their present address bounced."""
    reminders = Q(outbox_messages__kind=OutboxKind.REMINDER)
    stopped = Invitation.objects.filter(
        intake=OuterRef("intake"), reminders_stopped_at__isnull=False
    )
    # A bounce to the address (or number) still on the record: once staff correct it, the
    # reminders go again.
    bounced = OutboxMessage.objects.filter(
        Q(recipient=OuterRef("intake__patient__email"))
        | Q(recipient=OuterRef("intake__patient__mobile_phone")),
        intake=OuterRef("intake"),
        state=OutboxState.BOUNCED,
    )
    return invitations.select_related("intake__patient").annotate(
        reminders_sent=Count("outbox_messages", filter=reminders),
        last_reminder_at=Max("outbox_messages__created_at", filter=reminders),
        stopped=Exists(stopped),
        bounced=Exists(bounced),
    )


# Patients a reminder can reach: by email or text message, as their record prefers, with that
# channel's address on it (a record saying "no messages" gets none).
REACHABLE = Q(
    intake__patient__preferred_channel=ContactChannel.EMAIL,
    intake__patient__email__gt="",
) | Q(
    intake__patient__preferred_channel=ContactChannel.SMS,
    intake__patient__mobile_phone__gt="",
)


def _unreachable(patient) -> str:
    """Why a message cannot reach this patient ("" when it can)."""
    if patient.erased_at is not None:
        return _("The patient's record was erased.")
    if patient.preferred_channel == ContactChannel.NONE:
        return _("The patient's record says no messages.")
    if patient.preferred_channel == ContactChannel.SMS and not patient.mobile_phone:
        return _("There is no mobile phone number on the patient's record.")
    if patient.preferred_channel == ContactChannel.EMAIL and not patient.email:
        return _("There is no email address on the patient's record.")
    return ""


def _last_activity(invitation: Invitation) -> dt.datetime | None:
    """When the patient last opened the link or saved an answer; None if never opened."""
    moments = [invitation.last_opened_at]
    if invitation.intake.answers:
        moments.append(invitation.intake.updated_at)
    moments = [moment for moment in moments if moment is not None]
    return max(moments, default=None)


def _refusal(invitation: Invitation, *, now: dt.datetime, rules: schedule.Rules) -> str:
    """Why no reminder may go for this link now ("" when one may)."""
    if invitation.intake.status != CaseStatus.DRAFT:
        return _("The questionnaire was already submitted.")
    if invitation.revoked_at is not None or invitation.expires_at <= now:
        return _("This link no longer works. Send the patient a new link instead.")
    unreachable = _unreachable(invitation.intake.patient)
    if unreachable:
        return unreachable
    if invitation.stopped:
        return _("The patient asked for no more reminders.")
    if invitation.bounced:
        return _("An email to this patient bounced. Check the address on their record first.")
    if invitation.reminders_sent >= rules.max_reminders:
        return ngettext(
            "This link has had the clinic's maximum of %(count)s reminder.",
            "This link has had the clinic's maximum of %(count)s reminders.",
            rules.max_reminders,
        ) % {"count": rules.max_reminders}
    return ""


def _due(invitation: Invitation, *, rules: schedule.Rules) -> dt.datetime | None:
    return schedule.reminder_due_at(
        sent_at=invitation.created_at,
        last_activity=_last_activity(invitation),
        reminders_sent=invitation.reminders_sent,
        last_reminder_at=invitation.last_reminder_at,
        rules=rules,
    )


def _locked(invitation_id: int) -> Invitation:
    """The link with its reminder facts, its row held until the transaction ends."""
    Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    return _with_reminder_facts(Invitation.objects.filter(pk=invitation_id)).get()


def _queue(invitation: Invitation, *, now: dt.datetime, due: dt.datetime, by, ip_address):
    message = queue_reminder(
        invitation=invitation,
        number=invitation.reminders_sent + 1,
        due=due,
        by=by,
        ip_address=ip_address,
    )
    # Dated by the planner's clock (a late cron run, or a test's frozen one), which the next
    # reminder of the series counts from.
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=now)
    return message


@transaction.atomic
def _remind_if_due(invitation_id: int, *, now: dt.datetime, rules: schedule.Rules) -> bool:
    invitation = _locked(invitation_id)
    if _refusal(invitation, now=now, rules=rules):
        return False
    due = _due(invitation, rules=rules)
    if due is None or due > now:
        return False
    _queue(invitation, now=now, due=now, by=None, ip_address=None)
    return True


def plan_reminders(*, now: dt.datetime | None = None) -> PlanSummary:
    """Queue every reminder due at `now` (default: the present). Safe to run at any time, as
    often as wanted, and twice at once: each reminder is queued once."""
    now = now or timezone.now()
    clinic = ClinicSettings.load()
    rules = reminder_rules(clinic)
    if not clinic.reminders_enabled or rules.max_reminders == 0:
        return PlanSummary(checked=0, queued=0, quiet_hours=False)
    if schedule.in_quiet_hours(now, rules=rules):
        return PlanSummary(checked=0, queued=0, quiet_hours=True)
    candidates = (
        _with_reminder_facts(
            Invitation.objects.filter(
                REACHABLE,
                revoked_at__isnull=True,
                expires_at__gt=now,
                intake__status=CaseStatus.DRAFT,
                intake__patient__erased_at__isnull=True,
            )
        )
        .filter(stopped=False, bounced=False, reminders_sent__lt=rules.max_reminders)
        .order_by("pk")
    )
    checked = queued = 0
    for invitation in candidates:
        checked += 1
        due = _due(invitation, rules=rules)
        if due is not None and due <= now:
            queued += _remind_if_due(invitation.pk, now=now, rules=rules)
    return PlanSummary(checked=checked, queued=queued, quiet_hours=False)


@transaction.atomic
def send_reminder(
    *, invitation: Invitation, by, ip_address: str | None = None, now: dt.datetime | None = None
) -> OutboxMessage:
    """A reminder sent by staff now (or, in the quiet hours, at their end). It counts towards
    the clinic's maximum and honours a patient's "stop reminders"; ReminderRefused says why
    not. Audited with the member of staff who sent it."""
    now = now or timezone.now()
    rules = reminder_rules()
    invitation = _locked(invitation.pk)
    refusal = _refusal(invitation, now=now, rules=rules)
    if refusal:
        raise ReminderRefused(refusal)
    due = schedule.next_allowed(now, rules=rules)
    return _queue(invitation, now=now, due=due, by=by, ip_address=ip_address)


def check_stop_link(*, token: str) -> None:
    """BadStopLink unless the link is one the app made (and not too old). Changes nothing."""
    invitation_id_from(token)


@transaction.atomic
def stop_reminders(*, token: str, ip_address: str | None = None) -> Invitation:
    """The patient followed "stop reminders": none is sent for this questionnaire from now on,
    on this link or a later one. Recorded once (time and audit); following it again changes
    nothing. BadStopLink for a link altered, cut short or too old; the same for a link whose
    invitation is gone (a patient's record erased), so the page says the same either way."""
    invitation_id = invitation_id_from(token)
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("intake__patient")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.intake.patient.erased_at is not None:
        raise BadStopLink("no such invitation")
    if invitation.reminders_stopped_at is None:
        invitation.reminders_stopped_at = timezone.now()
        invitation.save(update_fields=["reminders_stopped_at"])
        record_event(
            action=AuditAction.UPDATE,
            intake=invitation.intake,
            obj=invitation,
            ip_address=ip_address,
            summary="reminders stopped by the patient (the link in a reminder)",
        )
    return invitation

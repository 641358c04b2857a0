"""Reminders: the planner's whole schedule on a frozen clock (the planner takes `now`), the
clinic's quiet hours, the maximum, none after submission, revocation, expiry, a bounce or the
patient's "stop reminders"; a reminder arriving at a real SMTP server with its stop link and no
health information; staff sending one by hand; the stop link's page, hostile links included."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re
import socket
import threading
from dataclasses import dataclass, field
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import signing
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake import demo, services
from intake.enums import AuditAction, CaseStatus, ContactChannel
from intake.models import AuditEvent, ClinicSettings, Invitation, OutboxMessage
from intake.notifications import delivery, sms
from intake.notifications.models import OutboxKind, OutboxState
from intake.notifications.stop_links import SALT, invitation_id_from, stop_token
from tests.answer_sets import RLS_AND_DIARRHOEA
from tests.factories import login_verified, run_db_worker

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BORN = dt.date(1980, 4, 23)
HEALTH_WORDS = ("restless", "legs", "ibs", "sibo", "ferritin", "iron", "bowel", "crisis", "diarrh")


def at(text: str) -> dt.datetime:
    """A moment on the clinic's clock (London; January, so the same as UTC)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _clinic(settings):
    settings.CLINIC_TIME_ZONE = "Europe/London"
    settings.SITE_URL = "https://intake.example.org"
    settings.CLINIC_NAME = "Riverside Sleep and Gut Clinic"
    settings.CLINIC_PHONE = "020 7946 0958"


def _invite(*, sent: dt.datetime, address: str = "ann@example.org") -> Invitation:
    """A link sent at `sent` that lives 14 days, to a patient with this address."""
    invitation, _token = services.create_invitation(
        full_name="Ann Example", date_of_birth=BORN, email=address
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=sent, expires_at=sent + dt.timedelta(days=14)
    )
    invitation.refresh_from_db()
    return invitation


def _reminders(invitation: Invitation) -> list[tuple[int, dt.datetime]]:
    return [
        (number, created.astimezone(LONDON))
        for number, created in OutboxMessage.objects.filter(
            invitation=invitation, kind=OutboxKind.REMINDER
        )
        .order_by("reminder_number")
        .values_list("reminder_number", "created_at")
    ]


def _plan(when: str) -> tuple[int, int, bool]:
    summary = services.plan_reminders(now=at(when))
    return summary.queued, summary.checked, summary.quiet_hours


# --- the schedule -----------------------------------------------------------------------------


def test_reminders_link_never_opened_whole_schedule():
    # Sent on Monday 5 January at 22:30: the first reminder falls due on Thursday at 22:30, in
    # the quiet hours (21:00 to 08:00), so it goes on Friday at 08:00; the second 3 days later.
    invitation = _invite(sent=at("2026-01-05 22:30"))

    steps = [
        ("2026-01-07 12:00", (0, 1, False)),  # two days: not yet
        ("2026-01-08 20:59", (0, 1, False)),  # still under 3 days
        ("2026-01-08 22:30", (0, 0, True)),  # due, but night in London
        ("2026-01-09 07:59", (0, 0, True)),
        ("2026-01-09 08:00", (1, 1, False)),  # the morning: reminder 1
        ("2026-01-09 08:10", (0, 1, False)),  # the next run: nothing more
        ("2026-01-12 07:59", (0, 0, True)),
        ("2026-01-12 08:00", (1, 1, False)),  # 3 days after reminder 1: reminder 2
        ("2026-01-15 12:00", (0, 0, False)),  # the maximum (2) reached: not even checked
        ("2026-01-18 12:00", (0, 0, False)),
    ]
    seen = [(when, _plan(when)) for when, _expected in steps]

    assert seen == steps
    assert _reminders(invitation) == [(1, at("2026-01-09 08:00")), (2, at("2026-01-12 08:00"))]


def test_reminders_started_intake_untouched_for_two_days():
    invitation = _invite(sent=at("2026-01-05 10:00"))
    demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA, until_step="bowel")
    Invitation.objects.filter(pk=invitation.pk).update(last_opened_at=at("2026-01-05 11:00"))
    # The patient's last save: Tuesday 12:00.
    type(invitation.intake).objects.filter(pk=invitation.intake_id).update(
        updated_at=at("2026-01-06 12:00")
    )

    steps = [
        ("2026-01-08 10:00", (0, 1, False)),  # 3 days from sending, but they started: 2 idle
        ("2026-01-08 11:59", (0, 1, False)),
        ("2026-01-08 12:00", (1, 1, False)),
        ("2026-01-10 11:59", (0, 1, False)),
        ("2026-01-10 12:00", (1, 1, False)),
        ("2026-01-12 12:00", (0, 0, False)),
    ]
    seen = [(when, _plan(when)) for when, _expected in steps]

    assert seen == steps
    assert [number for number, _when in _reminders(invitation)] == [1, 2]


def test_reminders_opened_then_left_counts_from_the_opening():
    invitation = _invite(sent=at("2026-01-05 10:00"))
    Invitation.objects.filter(pk=invitation.pk).update(last_opened_at=at("2026-01-06 09:00"))

    assert (_plan("2026-01-08 08:59"), _plan("2026-01-08 09:00")) == (
        (0, 1, False),
        (1, 1, False),
    )


def _submitted(invitation: Invitation) -> None:
    type(invitation.intake).objects.filter(pk=invitation.intake_id).update(
        status=CaseStatus.NEW, submitted_at=at("2026-01-06 10:00")
    )


def _revoked(invitation: Invitation) -> None:
    services.revoke_invitation(invitation=invitation, by=None)


def _stopped(invitation: Invitation) -> None:
    services.stop_reminders(token=stop_token(invitation.pk))


def _stopped_on_an_earlier_link(invitation: Invitation) -> None:
    # The patient stopped them on the first link; staff then issued a new one.
    services.stop_reminders(token=stop_token(invitation.pk))
    services.reissue_invitation(invitation=invitation, by=None)
    Invitation.objects.update(created_at=at("2026-01-05 10:00"))


def _bounced(invitation: Invitation) -> None:
    message = OutboxMessage.objects.create(
        kind=OutboxKind.INVITATION,
        recipient="ann@example.org",
        template="invitation",
        intake=invitation.intake,
        invitation=invitation,
        next_attempt_at=at("2026-01-05 10:00"),
        state=OutboxState.SENT,
        sent_at=at("2026-01-05 10:01"),
        idempotency_key="invitation:test",
    )
    delivery.mark_bounced(message_id=message.pk)


def _no_address(invitation: Invitation) -> None:
    type(invitation.intake.patient).objects.update(email="")


def _no_messages_wanted(invitation: Invitation) -> None:
    type(invitation.intake.patient).objects.update(preferred_channel=ContactChannel.NONE)


def _texts_without_a_mobile(invitation: Invitation) -> None:
    type(invitation.intake.patient).objects.update(preferred_channel=ContactChannel.SMS)


def _reminders_off(invitation: Invitation) -> None:
    ClinicSettings.objects.update_or_create(pk=1, defaults={"reminders_enabled": False})


@pytest.mark.parametrize(
    "change",
    [
        _submitted,
        _revoked,
        _stopped,
        _stopped_on_an_earlier_link,
        _bounced,
        _no_address,
        _no_messages_wanted,
        _texts_without_a_mobile,
        _reminders_off,
    ],
)
def test_reminders_none_when(change):
    invitation = _invite(sent=at("2026-01-05 10:00"))
    change(invitation)

    assert _plan("2026-01-09 10:00") == (0, 0, False)
    assert OutboxMessage.objects.filter(kind=OutboxKind.REMINDER).count() == 0


def test_reminders_go_again_once_a_bounced_address_is_corrected():
    invitation = _invite(sent=at("2026-01-05 10:00"))
    _bounced(invitation)
    held = _plan("2026-01-08 10:00")
    type(invitation.intake.patient).objects.update(email="ann.new@example.org")

    assert (held, _plan("2026-01-08 10:10")) == ((0, 0, False), (1, 1, False))
    assert OutboxMessage.objects.get(kind=OutboxKind.REMINDER).recipient == "ann.new@example.org"


def test_reminders_none_after_expiry():
    _invite(sent=at("2026-01-05 10:00"))  # expires on 19 January at 10:00
    ClinicSettings.objects.update_or_create(pk=1, defaults={"unopened_days": 14})

    assert _plan("2026-01-19 10:00") == (0, 0, False)


def test_reminders_clinic_settings_change_the_schedule():
    ClinicSettings.objects.update_or_create(
        pk=1,
        defaults={
            "unopened_days": 1,
            "max_reminders": 1,
            "quiet_from": dt.time(12, 0),
            "quiet_until": dt.time(12, 0),  # no quiet hours
        },
    )
    invitation = _invite(sent=at("2026-01-05 23:00"))

    assert [_plan("2026-01-06 22:59"), _plan("2026-01-06 23:00"), _plan("2026-01-08 23:00")] == [
        (0, 1, False),
        (1, 1, False),
        (0, 0, False),
    ]
    assert _reminders(invitation) == [(1, at("2026-01-06 23:00"))]


def test_reminders_planner_run_twice_queues_once():
    invitation = _invite(sent=at("2026-01-05 10:00"))

    first = _plan("2026-01-08 10:00")
    second = _plan("2026-01-08 10:00")

    assert (first, second) == ((1, 1, False), (0, 1, False))
    assert len(_reminders(invitation)) == 1


def test_reminders_one_per_number_held_by_the_database():
    invitation = _invite(sent=at("2026-01-05 10:00"))
    _plan("2026-01-08 10:00")
    original = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)

    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(
            kind=OutboxKind.REMINDER,
            recipient=original.recipient,
            template="reminder",
            intake=invitation.intake,
            invitation=invitation,
            next_attempt_at=original.next_attempt_at,
            idempotency_key="another key",
            reminder_number=1,
        )


@pytest.mark.django_db(transaction=True)
def test_reminders_two_planners_at_once_queue_once():
    if connection.vendor != "postgresql":
        pytest.skip("threads share no in-memory SQLite database; the race is run on PostgreSQL")
    invitation = _invite(sent=at("2026-01-05 10:00"))
    barrier = threading.Barrier(2)
    queued = []

    def plan():
        from django.db import connections

        barrier.wait()
        try:
            queued.append(services.plan_reminders(now=at("2026-01-08 10:00")).queued)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(queued) == [0, 1]
    assert len(_reminders(invitation)) == 1


def test_reminders_task_argument_is_the_message_id_only(django_capture_on_commit_callbacks):
    _invite(sent=at("2026-01-05 10:00"))
    with django_capture_on_commit_callbacks(execute=True):
        _plan("2026-01-08 10:00")

    message = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [message.pk], "kwargs": {}}


def test_reminders_command_says_what_it_did():
    out = io.StringIO()
    with mock.patch("intake.services.reminders.timezone.now", return_value=at("2026-01-08 12:00")):
        _invite(sent=at("2026-01-05 10:00"))
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)

    assert out.getvalue() == (
        "Reminders queued: 1 (links checked: 1).\nReminders queued: 0 (links checked: 1).\n"
    )


def test_reminders_command_in_the_quiet_hours_queues_nothing():
    out = io.StringIO()
    _invite(sent=at("2026-01-05 10:00"))
    with mock.patch("intake.services.reminders.timezone.now", return_value=at("2026-01-08 23:00")):
        call_command("send_reminders", stdout=out)

    assert out.getvalue() == "Quiet hours: no reminders are sent now.\n"
    assert OutboxMessage.objects.count() == 0


def test_reminders_command_refuses_a_short_interval():
    with pytest.raises(CommandError) as refused:
        call_command("send_reminders", "--every", "5")
    assert str(refused.value) == "--every must be 60 seconds or more (or left out to run once)."


# --- delivery through a real SMTP server -------------------------------------------------------


@dataclass
class Inbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield inbox
    controller.stop()


def _due_now(*, started: bool) -> Invitation:
    """A link sent 3 days and an hour ago, so a reminder is due now on the real clock; no quiet
    hours, so that the test does not depend on the time of day it runs."""
    _no_quiet_hours()
    sent = timezone.now() - dt.timedelta(days=3, hours=1)
    invitation = _invite(sent=sent)
    if started:
        demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA, until_step="bowel")
        type(invitation.intake).objects.filter(pk=invitation.intake_id).update(updated_at=sent)
    return invitation


def _stop_link(text: str) -> str:
    [link] = re.findall(r"https://intake\.example\.org/reminders/stop/[^/\s]+/", text)
    return link


def test_reminder_arrives_with_stop_link_and_no_health_data(
    smtp, django_capture_on_commit_callbacks
):
    invitation = _due_now(started=True)
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.plan_reminders()

    run_db_worker()

    assert summary.queued == 1
    message = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)
    assert (message.state, message.reminder_number) == (OutboxState.SENT, 1)
    [(recipients, received)] = smtp.messages
    assert recipients == ["ann@example.org"]
    assert (
        received["Subject"] == "Riverside Sleep and Gut Clinic: a reminder about your questionnaire"
    )
    assert received["Auto-Submitted"] == "auto-generated"
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(("html",)).get_content()
    stop = _stop_link(text)
    assert invitation_id_from(stop.split("/")[-2]) == invitation.pk  # signed for this link
    assert received["List-Unsubscribe"].strip() == f"<{stop}>"
    assert text.count(stop) == 1
    assert html.count(f'href="{stop}"') == 1
    assert "Your answers so far are saved" in text
    assert "call Riverside Sleep and Gut Clinic on 020 7946 0958" in text
    assert f"{stop}\n\nThe clinic team\nRiverside Sleep and Gut Clinic\n" in text
    assert "/i/" not in received.as_string()  # never the questionnaire's link
    # The stop link's signature is random letters: left out of the search for words.
    whole = " ".join((received["Subject"], text, html)).replace(stop, "").casefold()
    assert [word for word in HEALTH_WORDS if word in whole] == []


def test_reminder_for_a_link_never_opened_says_so(smtp, django_capture_on_commit_callbacks):
    invitation = _due_now(started=False)
    ClinicSettings.objects.filter(pk=1).update(sign_off="")
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_reminders()

    run_db_worker()

    [(_recipients, received)] = smtp.messages
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    sent_on = invitation.created_at.astimezone(ZoneInfo("UTC"))
    assert f"On {sent_on:%-d %B %Y} Riverside Sleep and Gut Clinic sent you a link" in text
    assert "It has not been opened yet." in text
    assert f"{_stop_link(text)}\n\nRiverside Sleep and Gut Clinic\n" in text


def test_reminder_queued_then_submitted_is_not_sent(smtp, django_capture_on_commit_callbacks):
    invitation = _due_now(started=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_reminders()
    _submitted(invitation)

    run_db_worker()

    message = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)
    assert (message.state, message.last_error) == (
        OutboxState.FAILED,
        "Not sent: the questionnaire was submitted.",
    )
    assert smtp.messages == []


def test_reminder_queued_then_stopped_is_not_sent(smtp, django_capture_on_commit_callbacks):
    invitation = _due_now(started=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_reminders()
    _stopped(invitation)

    run_db_worker()

    message = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)
    assert (message.state, message.last_error) == (
        OutboxState.FAILED,
        "Not sent: the patient asked for no more reminders.",
    )
    assert smtp.messages == []


def test_reminder_by_text_message_for_a_patient_who_prefers_them(settings):
    settings.SMS_BACKEND = "intake.notifications.sms.LocmemBackend"
    sms.outbox.clear()
    invitation = _due_now(started=False)
    type(invitation.intake.patient).objects.update(
        preferred_channel=ContactChannel.SMS, mobile_phone="+447700900123"
    )
    services.plan_reminders()
    message = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)

    state = delivery.deliver(message.pk)

    [(to, body)] = sms.outbox
    sms.outbox.clear()
    stop = re.findall(r"https://intake\.example\.org/reminders/stop/[^/\s]+/", body)
    assert (state, message.channel, message.recipient, to) == (
        OutboxState.SENT,
        "sms",
        "+447700900123",
        "+447700900123",
    )
    assert [invitation_id_from(link.split("/")[-2]) for link in stop] == [invitation.pk]
    assert body.startswith(
        "Riverside Sleep and Gut Clinic: a reminder to fill in your questionnaire"
    )
    assert [word for word in HEALTH_WORDS if word in body.replace(stop[0], "").casefold()] == []
    assert AuditEvent.objects.filter(object_type="OutboxMessage").get().summary == (
        "reminder 1 text message queued (automatic)"
    )


# --- sent by hand ------------------------------------------------------------------------------


@pytest.fixture
def staff_client(practitioner) -> Client:
    return login_verified(Client(), practitioner)


def _live_link(address: str = "ann@example.org") -> Invitation:
    invitation, _token = services.create_invitation(
        full_name="Ann Example", date_of_birth=BORN, email=address
    )
    return invitation


def _no_quiet_hours() -> None:
    ClinicSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": dt.time(0, 0), "quiet_until": dt.time(0, 0)}
    )


def test_reminder_by_hand_is_queued_audited_and_counted(staff_client, practitioner):
    _no_quiet_hours()  # whatever the time of day the test runs
    invitation = _live_link()

    first = staff_client.post(f"/staff/invitations/{invitation.pk}/remind/", follow=True)
    staff_client.post(f"/staff/invitations/{invitation.pk}/remind/", follow=True)
    third = staff_client.post(f"/staff/invitations/{invitation.pk}/remind/", follow=True)

    assert [str(m) for m in first.context["messages"]] == ["Reminder 1 for Ann Example is queued."]
    assert [str(m) for m in third.context["messages"]] == [
        "No reminder was sent: This link has had the clinic's maximum of 2 reminders."
    ]
    assert [number for number, _when in _reminders(invitation)] == [1, 2]
    events = AuditEvent.objects.filter(object_type="OutboxMessage", actor=practitioner)
    assert sorted(events.values_list("summary", flat=True)) == [
        "reminder 1 email queued (sent by staff)",
        "reminder 2 email queued (sent by staff)",
    ]
    # Counted: the planner sends none after them.
    assert services.plan_reminders(now=invitation.expires_at - dt.timedelta(hours=1)).queued == 0


def test_reminder_by_hand_at_night_waits_for_the_morning(practitioner):
    invitation = _live_link()

    message = services.send_reminder(
        invitation=invitation, by=practitioner, now=at("2026-01-08 22:15")
    )

    assert message.next_attempt_at == at("2026-01-09 08:00")


def test_reminder_by_hand_after_stop_is_refused(staff_client):
    invitation = _live_link()
    _stopped(invitation)

    response = staff_client.post(f"/staff/invitations/{invitation.pk}/remind/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "No reminder was sent: The patient asked for no more reminders."
    ]
    assert OutboxMessage.objects.count() == 0


def test_reminder_by_hand_without_address_is_refused(staff_client):
    invitation = _live_link(address="")

    response = staff_client.post(f"/staff/invitations/{invitation.pk}/remind/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "No reminder was sent: There is no email address on the patient's record."
    ]


def test_reminder_by_hand_needs_sign_in_and_post(anonymous, staff_client):
    invitation = _live_link()

    signed_out = anonymous.post(f"/staff/invitations/{invitation.pk}/remind/")
    by_get = staff_client.get(f"/staff/invitations/{invitation.pk}/remind/")
    unknown = staff_client.post("/staff/invitations/999999/remind/")

    assert (signed_out.status_code, signed_out["Location"].split("?")[0]) == (
        302,
        "/accounts/login/",
    )
    assert (by_get.status_code, unknown.status_code) == (405, 404)
    assert OutboxMessage.objects.count() == 0


def test_invitation_page_shows_reminders_stop_and_bounce(staff_client):
    invitation = _live_link()
    services.send_reminder(invitation=invitation, by=None, now=at("2026-01-08 10:00"))
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.update(state=OutboxState.SENT, sent_at=at("2026-01-08 10:01"))
    delivery.mark_bounced(message_id=message.pk, reason="550 mailbox unknown")
    with mock.patch("intake.services.reminders.timezone.now", return_value=at("2026-01-08 11:30")):
        _stopped(invitation)

    page = staff_client.get("/staff/invitations/").content.decode()

    assert (
        f'<div class="small" id="outbox-{message.pk}">Reminder 1 to ann@example.org, '
        "2026-01-08 10:00: bounced (Bounced: 550 mailbox unknown)</div>"
    ) in page
    assert (
        f'<div class="small" id="reminders-stopped-{invitation.pk}">Reminders stopped by the '
        "patient, 2026-01-08 11:30</div>"
    ) in page
    assert f'action="/staff/invitations/{invitation.pk}/remind/"' not in page  # stopped


def test_invitation_page_offers_a_reminder_for_a_live_link(staff_client):
    invitation = _live_link()

    page = staff_client.get("/staff/invitations/").content.decode()

    assert f'action="/staff/invitations/{invitation.pk}/remind/"' in page


# --- the stop link -----------------------------------------------------------------------------


def test_stop_link_asks_first_then_stops_and_records(anonymous):
    invitation = _live_link()
    url = f"/reminders/stop/{stop_token(invitation.pk)}/"

    asked = anonymous.get(url)
    invitation.refresh_from_db()
    untouched = invitation.reminders_stopped_at
    stopped = anonymous.post(url)
    again = anonymous.post(url)

    invitation.refresh_from_db()
    assert (asked.status_code, untouched) == (200, None)
    assert 'id="stop-reminders"' in asked.content.decode()
    # Reminders go by email or by text message, whichever the patient prefers.
    assert (
        "sends a short reminder when a questionnaire has not been filled in."
        in asked.content.decode()
    )
    assert (stopped.status_code, again.status_code) == (200, 200)
    assert '<h1 tabindex="-1" data-focus-on-load id="reminders-stopped">Reminders stopped</h1>' in (
        again.content.decode()
    )
    assert invitation.reminders_stopped_at is not None
    events = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="Invitation")
    assert list(events.values_list("summary", "actor_label")) == [
        ("reminders stopped by the patient (the link in a reminder)", "patient link")
    ]


def _expired_token(invitation_id: int) -> str:
    with mock.patch("django.core.signing.time.time", return_value=0):
        return signing.dumps(invitation_id, salt=SALT)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda pk: stop_token(pk)[:-3] + "abc",  # the signature altered
        # Another link's signature on this link's id.
        lambda pk: stop_token(pk).split(":")[0] + ":" + stop_token(pk + 1).split(":", 1)[1],
        lambda pk: signing.dumps(pk, salt="another.purpose"),  # signed for something else
        lambda pk: signing.dumps("1", salt=SALT),  # a signed value that is not an id
        lambda pk: "not-a-token",
        lambda pk: "x" * 3000,
        lambda pk: "%00%0d%0a<script>",
        _expired_token,
    ],
)
def test_stop_link_hostile_or_old_gives_a_clear_page(anonymous, make_token):
    invitation = _live_link()
    url = f"/reminders/stop/{make_token(invitation.pk)}/"

    responses = [anonymous.get(url), anonymous.post(url)]

    invitation.refresh_from_db()
    assert [response.status_code for response in responses] == [400, 400]
    assert all(
        "This link to stop reminders is not complete, has been changed, or is too old."
        in response.content.decode()
        for response in responses
    )
    assert invitation.reminders_stopped_at is None


def test_stop_link_for_an_erased_record_gives_the_same_page(anonymous):
    invitation = _live_link()
    type(invitation.intake.patient).objects.update(erased_at=at("2026-01-08 10:00"))

    response = anonymous.post(f"/reminders/stop/{stop_token(invitation.pk)}/")

    assert response.status_code == 400


# --- bounces -----------------------------------------------------------------------------------


def _sent(invitation: Invitation, key: str, minute: int) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=OutboxKind.INVITATION,
        recipient="ann@example.org",
        template="invitation",
        intake=invitation.intake,
        invitation=invitation,
        next_attempt_at=at("2026-01-05 10:00"),
        state=OutboxState.SENT,
        sent_at=at(f"2026-01-05 10:{minute:02d}"),
        idempotency_key=key,
    )


def test_mark_bounced_by_address_takes_the_latest_sent():
    invitation = _live_link()
    older, newer = _sent(invitation, "a", 1), _sent(invitation, "b", 2)
    out = io.StringIO()

    call_command(
        "outbox_mark_bounced", "ANN@example.org", "--reason", "550 no such user", stdout=out
    )

    states = dict(OutboxMessage.objects.values_list("pk", "state"))
    assert (states[older.pk], states[newer.pk]) == (OutboxState.SENT, OutboxState.BOUNCED)
    assert out.getvalue() == f"Marked bounced: message {newer.pk}.\n"
    assert OutboxMessage.objects.get(pk=newer.pk).last_error == "Bounced: 550 no such user"


def test_mark_bounced_by_id():
    invitation = _live_link()
    message = _sent(invitation, "a", 1)

    call_command("outbox_mark_bounced", str(message.pk), stdout=io.StringIO())

    message.refresh_from_db()
    assert (message.state, message.last_error) == (
        OutboxState.BOUNCED,
        "Bounced (reported by the mail provider).",
    )
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="OutboxMessage").get()
    assert (event.summary, event.actor_label, event.intake_id) == (
        "message marked bounced (reported by the mail provider)",
        "manage.py outbox_mark_bounced",
        invitation.intake_id,
    )


@pytest.mark.parametrize("target", ["999999", "nobody@example.org", "not an address"])
def test_mark_bounced_refuses_what_matches_no_sent_email(target):
    invitation = _live_link()
    queued = services.send_reminder(invitation=invitation, by=None, now=at("2026-01-08 10:00"))

    with pytest.raises(CommandError):
        call_command("outbox_mark_bounced", target, stdout=io.StringIO())
    with pytest.raises(CommandError):  # a message not sent yet cannot have bounced
        call_command("outbox_mark_bounced", str(queued.pk), stdout=io.StringIO())

    assert OutboxMessage.objects.get().state == OutboxState.QUEUED


@pytest.mark.parametrize(
    ("email", "channel", "reason"),
    [
        (
            "ann.correct@example.org",
            ContactChannel.EMAIL,
            "Not sent: the address on the patient's record changed.",
        ),
        (
            "ann@example.org",
            ContactChannel.NONE,
            "Not sent: the patient's record says no messages.",
        ),
    ],
    ids=["address corrected", "no messages wanted"],
)
def test_reminder_queued_then_record_changed_is_not_sent(
    mailoutbox, practitioner, email, channel, reason
):
    invitation = _due_now(started=False)
    services.plan_reminders()
    message = OutboxMessage.objects.get(kind=OutboxKind.REMINDER)
    services.save_contact_details(
        patient=invitation.intake.patient,
        email=email,
        mobile_phone="",
        preferred_channel=channel,
        mrn="",
        by=practitioner,
    )

    state = delivery.deliver(message.pk)

    message.refresh_from_db()
    assert (state, message.last_error) == (OutboxState.FAILED, reason)
    assert mailoutbox == []

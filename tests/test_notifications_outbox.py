"""The outbox and its worker: a message is written with the change that causes it, delivered
by the real database worker through a real SMTP server on a local port, never twice, and a
refused delivery is tried again with back-off, then failed with the server's reason."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake import demo, services
from intake.models import AuditEvent, Invitation, OutboxMessage
from intake.notifications import delivery
from intake.notifications.models import OutboxState
from tests.answer_sets import RLS_AND_DIARRHOEA
from tests.factories import run_db_worker

BORN = dt.date(1980, 4, 23)
HEALTH_WORDS = ("restless", "legs", "ibs", "sibo", "ferritin", "iron", "bowel", "crisis")


@dataclass
class Inbox:
    refuse: bool = False
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 Delivery refused by policy"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a local port for the test, and the app pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://intake.example.org"
    settings.CLINIC_NAME = "Riverside Sleep and Gut Clinic"
    settings.CLINIC_PHONE = "020 7946 0958"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 60
    yield inbox
    controller.stop()


def _invite(django_capture_on_commit_callbacks, *, email_link=True, address="ann@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_invitation(
            full_name="Ann Example", date_of_birth=BORN, email=address, email_link=email_link
        )


def _time_passes() -> None:
    """Every retry falls due now (as if the back-off had elapsed)."""
    past = timezone.now() - dt.timedelta(seconds=1)
    OutboxMessage.objects.update(next_attempt_at=past)
    DBTaskResult.objects.update(run_after=past)


@pytest.mark.django_db
def test_outbox_invitation_email_arrives_through_the_worker(
    smtp, django_capture_on_commit_callbacks
):
    invitation, token = _invite(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts, message.recipient) == (
        OutboxState.QUEUED,
        0,
        "ann@example.org",
    )
    assert smtp.messages == []

    run_db_worker()

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxState.SENT, 1, "")
    assert message.sent_at is not None
    assert message.context == {}  # the raw token is wiped once sent
    assert len(smtp.messages) == 1
    recipients, received = smtp.messages[0]
    assert recipients == ["ann@example.org"]
    assert received["To"] == "ann@example.org"
    assert received["From"] == "intake@localhost"
    assert received["Subject"] == (
        "Riverside Sleep and Gut Clinic: your questionnaire before your appointment"
    )
    assert received["Auto-Submitted"] == "auto-generated"
    link = f"https://intake.example.org/i/{token}/"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert text.count(link) == 1
    assert html.count(f'href="{link}"') == 1
    assert "call Riverside Sleep and Gut Clinic on 020 7946 0958" in text
    assert f"until {invitation.expires_at:%-d %B %Y}" in text
    assert "It takes about " in text


@pytest.mark.django_db
def test_outbox_email_carries_no_health_words(smtp, django_capture_on_commit_callbacks):
    _invite(django_capture_on_commit_callbacks)
    run_db_worker()
    _recipients, received = smtp.messages[0]
    # Decoded: an encoded body (base64 once it holds a non-ASCII letter) could hold any letters.
    parts = [str(value) for value in received.values()]
    parts += [part.get_content() for part in received.walk() if not part.is_multipart()]
    whole = "\n".join(parts).casefold()
    assert "questionnaire" in whole  # the body itself was read
    assert [word for word in HEALTH_WORDS if word in whole] == []


@pytest.mark.django_db
def test_outbox_task_argument_is_the_message_id_only(smtp, django_capture_on_commit_callbacks):
    _invite(django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    message = OutboxMessage.objects.get()
    assert queued.args_kwargs == {"args": [message.pk], "kwargs": {}}


@pytest.mark.django_db
def test_outbox_nothing_queued_without_the_tick(smtp, django_capture_on_commit_callbacks):
    _invite(django_capture_on_commit_callbacks, email_link=False)
    assert (OutboxMessage.objects.count(), DBTaskResult.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_outbox_no_address_refuses_the_whole_change(smtp, django_capture_on_commit_callbacks):
    with pytest.raises(services.NoEmailAddress):
        _invite(django_capture_on_commit_callbacks, address="")
    # No change without its message: the invitation went with it.
    assert (Invitation.objects.count(), OutboxMessage.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_outbox_queueing_is_audited(smtp, django_capture_on_commit_callbacks):
    invitation, _token = _invite(django_capture_on_commit_callbacks)
    event = AuditEvent.objects.filter(object_type="OutboxMessage").get()
    assert (event.summary, event.intake_id) == (
        "invitation link email queued",
        invitation.intake_id,
    )


@pytest.mark.django_db
def test_outbox_reissue_emails_the_new_link(smtp, django_capture_on_commit_callbacks):
    invitation, _token = _invite(django_capture_on_commit_callbacks, email_link=False)
    with django_capture_on_commit_callbacks(execute=True):
        new, token = services.reissue_invitation(invitation=invitation, by=None, email_link=True)
    run_db_worker()
    _recipients, received = smtp.messages[0]
    assert (
        received.get_body(("plain",)).get_content().count(f"https://intake.example.org/i/{token}/")
        == 1
    )
    assert OutboxMessage.objects.get().invitation_id == new.pk


@pytest.mark.django_db
def test_outbox_second_delivery_of_one_message_sends_nothing(
    smtp, django_capture_on_commit_callbacks
):
    _invite(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert delivery.deliver(message.pk) == OutboxState.SENT
    assert delivery.deliver(message.pk) == "skipped"
    run_db_worker()  # the queued task finds it sent
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_outbox_claimed_message_is_not_claimed_again(smtp, django_capture_on_commit_callbacks):
    """A worker that claimed a message (and may be sending it) keeps it: another worker
    handed the same id skips it, so the message cannot go twice."""
    _invite(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    first = delivery.claim(message.pk)
    assert first is not None and first.state == OutboxState.SENDING
    assert delivery.claim(message.pk) is None
    assert delivery.deliver(message.pk) == "skipped"
    assert smtp.messages == []


@pytest.mark.django_db
def test_outbox_unknown_id_is_skipped(smtp):
    assert delivery.deliver(999_999) == "skipped"


@pytest.mark.django_db
def test_outbox_refused_delivery_retried_with_backoff_then_failed(
    smtp, django_capture_on_commit_callbacks
):
    smtp.refuse = True
    _invite(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    reason = "SMTPDataError: (554, b'5.7.1 Delivery refused by policy')"
    before = timezone.now()
    run_db_worker()
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (
        OutboxState.QUEUED,
        1,
        reason,
    )
    # The first retry after OUTBOX_RETRY_SECONDS (60), and not sooner.
    assert dt.timedelta(seconds=59) < message.next_attempt_at - before < dt.timedelta(seconds=62)
    run_db_worker()  # not yet due: nothing happens
    message.refresh_from_db()
    assert message.attempts == 1

    _time_passes()
    started = timezone.now()
    run_db_worker()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.QUEUED, 2)
    # Doubled: 120 seconds.
    assert dt.timedelta(seconds=119) < message.next_attempt_at - started < dt.timedelta(seconds=122)

    _time_passes()
    run_db_worker()
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (
        OutboxState.FAILED,
        3,
        reason,
    )
    assert message.context == {}
    assert smtp.messages == []
    _time_passes()
    run_db_worker()  # a failed message stays failed
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.FAILED, 3)


@pytest.mark.django_db
def test_outbox_recovers_after_refusals(smtp, django_capture_on_commit_callbacks):
    smtp.refuse = True
    _invite(django_capture_on_commit_callbacks)
    run_db_worker()
    smtp.refuse = False
    _time_passes()
    run_db_worker()
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts, message.last_error) == (OutboxState.SENT, 2, "")
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_outbox_two_workers_racing_send_once(smtp):
    """Two deliveries of the same message at the same moment, each on its own connection."""
    if connection.vendor != "postgresql":
        pytest.skip("threads share no in-memory SQLite database; the race is run on PostgreSQL")
    invitation, _token = services.create_invitation(
        full_name="Ann Example", date_of_birth=BORN, email="ann@example.org", email_link=True
    )
    message = OutboxMessage.objects.get(invitation=invitation)
    barrier = threading.Barrier(2)
    results = []

    def race():
        from django.db import connections

        barrier.wait()
        try:
            results.append(delivery.deliver(message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent", "skipped"]
    assert len(smtp.messages) == 1


def _submitted_with_email(django_capture_on_commit_callbacks, address="casey@example.org"):
    invitation, _token = services.create_invitation(
        full_name="Casey Case", date_of_birth=BORN, email=address
    )
    intake = demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA)
    with django_capture_on_commit_callbacks(execute=True):
        return services.submit_intake(intake_id=intake.pk)


@pytest.mark.django_db
def test_outbox_submission_confirmation_arrives_without_answers(
    smtp, django_capture_on_commit_callbacks
):
    intake = _submitted_with_email(django_capture_on_commit_callbacks)
    run_db_worker()
    message = OutboxMessage.objects.get(kind="submitted")
    assert (message.state, message.recipient, message.invitation_id) == (
        OutboxState.SENT,
        "casey@example.org",
        None,
    )
    [(recipients, received)] = smtp.messages
    assert recipients == ["casey@example.org"]
    assert received["Subject"] == "Riverside Sleep and Gut Clinic: we have your questionnaire"
    text = received.get_body(("plain",)).get_content()
    assert f"has received your questionnaire (reference {intake.case_number})" in text
    assert "call Riverside Sleep and Gut Clinic on 020 7946 0958" in text
    whole = received.as_string().casefold()
    assert [word for word in (*HEALTH_WORDS, "diarrh", "urgent", "result") if word in whole] == []


@pytest.mark.django_db
def test_outbox_submission_twice_confirms_once(smtp, django_capture_on_commit_callbacks):
    intake = _submitted_with_email(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_intake(intake_id=intake.pk)  # a double click
    assert OutboxMessage.objects.filter(kind="submitted").count() == 1


@pytest.mark.django_db
def test_outbox_submission_without_address_sends_nothing(smtp, django_capture_on_commit_callbacks):
    _submitted_with_email(django_capture_on_commit_callbacks, address="")
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_outbox_sweep_fails_a_message_a_dead_worker_left_sending(
    smtp, django_capture_on_commit_callbacks
):
    """A worker that died mid-send may have sent the message: it is not sent again, it is
    marked failed with that reason, for staff to see."""
    _invite(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert delivery.claim(message.pk) is not None  # the worker dies here
    OutboxMessage.objects.update(claimed_at=timezone.now() - dt.timedelta(minutes=16))
    call_command("outbox_sweep", stdout=io.StringIO())
    run_db_worker()
    message.refresh_from_db()
    assert (message.state, message.last_error, message.context) == (
        OutboxState.FAILED,
        "Interrupted while sending; not tried again in case it was delivered.",
        {},
    )
    assert smtp.messages == []


@pytest.mark.django_db
def test_outbox_sweep_keeps_a_recent_claim(smtp, django_capture_on_commit_callbacks):
    _invite(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    delivery.claim(message.pk)  # being sent right now by a live worker
    out = io.StringIO()
    call_command("outbox_sweep", stdout=out)
    message.refresh_from_db()
    assert (message.state, out.getvalue()) == (
        OutboxState.SENDING,
        "0 queued again, 0 marked failed as interrupted.\n",
    )


@pytest.mark.django_db
def test_outbox_sweep_requeues_a_lost_task_and_it_sends_once(
    smtp, django_capture_on_commit_callbacks
):
    _invite(django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # the queue lost the task
    call_command("outbox_sweep", stdout=io.StringIO())
    call_command("outbox_sweep", stdout=io.StringIO())  # twice: still sent once
    run_db_worker()
    assert OutboxMessage.objects.get().state == OutboxState.SENT
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_outbox_sweep_refuses_a_bad_interval(smtp):
    with pytest.raises(CommandError) as refused:
        call_command("outbox_sweep", "--interrupted-after-minutes", "0")
    assert str(refused.value) == "--interrupted-after-minutes must be 1 or more."


@pytest.mark.django_db
def test_outbox_link_revoked_before_sending_is_not_sent(smtp, django_capture_on_commit_callbacks):
    invitation, _token = _invite(django_capture_on_commit_callbacks)
    services.revoke_invitation(invitation=invitation, by=None)
    run_db_worker()
    message = OutboxMessage.objects.get()
    assert (message.state, message.last_error, message.context) == (
        OutboxState.FAILED,
        "Not sent: the link no longer works.",
        {},
    )
    assert smtp.messages == []

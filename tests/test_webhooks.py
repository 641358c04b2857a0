"""The webhook on submission: a notice per active endpoint, written with the submission, posted
by the real database worker to a real HTTP server on a local port, signed with the endpoint's
secret, never twice; a receiver that is down or refuses is tried again with back-off, then the
notice fails with the reason; every attempt is in the delivery log. No health data."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent, OutboxMessage, WebhookDelivery, WebhookEndpoint
from intake.notifications import delivery, signing
from intake.notifications.models import OutboxState
from intake.services import webhooks
from tests.factories import run_db_worker, submitted_case
from tests.webhook_receiver import LocalServer, Receiver, free_port, time_passes

pytestmark = pytest.mark.django_db

NAME = "Wendy Webhook"
BORN = dt.date(1971, 3, 9)
HEALTH_WORDS = ("restless", "legs", "ibs", "sibo", "ferritin", "iron", "bowel", "crisis")
HEALTH_WORDS += ("diarrh", "urgent", "result", "rls", "flag", "wendy", "1971-03-09")


@pytest.fixture
def wired(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://intake.example.org"
    settings.WEBHOOK_ALLOW_HTTP = True  # the receiver is plain http on this machine
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_SECONDS = 60
    return settings


def _endpoint(port: int, *, active: bool = True, path: str = "/hooks/intake") -> tuple:
    endpoint = WebhookEndpoint(
        url=f"http://127.0.0.1:{port}{path}", description="Clinic EHR", is_active=active
    )
    secret = webhooks.register_webhook_endpoint(endpoint=endpoint, by=None)
    return endpoint, secret


def _submit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return submitted_case(name=NAME, born=BORN)


def test_webhook_submission_delivers_a_signed_notice_without_health_data(
    wired, django_capture_on_commit_callbacks
):
    receiver = Receiver()
    port = free_port()
    endpoint, secret = _endpoint(port)
    with LocalServer(receiver, port):
        case = _submit(django_capture_on_commit_callbacks)
        message = OutboxMessage.objects.get(kind="webhook_submitted")
        assert (message.state, message.channel, message.recipient, message.context) == (
            OutboxState.QUEUED,
            "webhook",
            f"http://127.0.0.1:{port}",
            {"endpoint": endpoint.pk},
        )
        assert receiver.received == []

        run_db_worker()

    [(path, headers, body)] = receiver.received
    assert path == "/hooks/intake"
    assert json.loads(body) == {
        "id": message.pk,
        "type": "case.submitted",
        "case_id": case.pk,
        "submitted_at": case.submitted_at.isoformat(),
        "case_url": f"https://intake.example.org/staff/cases/{case.pk}/",
        "api_url": f"https://intake.example.org/api/v1/cases/{case.pk}/",
        "fhir_url": f"https://intake.example.org/api/v1/cases/{case.pk}/fhir/",
    }
    assert (headers["Content-Type"], headers["User-Agent"], headers["X-Intake-Webhook-Id"]) == (
        "application/json",
        "intake-webhooks/1",
        str(message.pk),
    )
    timestamp = headers["X-Intake-Timestamp"]
    assert timestamp.isdigit()
    assert headers["X-Intake-Signature"] == "v1=" + signing.sign(
        secret=secret, timestamp=int(timestamp), body=body
    )
    assert signing.verify_signature(
        secret=secret,
        body=body,
        timestamp=timestamp,
        signature=headers["X-Intake-Signature"],
    )
    # No health data, no name, no birth date: not in the body nor in any header.
    everything = (body.decode() + json.dumps(headers)).casefold()
    assert [word for word in HEALTH_WORDS if word in everything] == []
    assert case.case_number.casefold() not in everything
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxState.SENT, 1, "")
    [attempt] = WebhookDelivery.objects.all()
    assert (attempt.endpoint, attempt.message, attempt.attempt, attempt.status_code) == (
        endpoint,
        message,
        1,
        200,
    )
    assert (attempt.error, attempt.succeeded) == ("", True)


def test_webhook_one_notice_per_active_endpoint_and_none_for_a_switched_off_one(
    wired, django_capture_on_commit_callbacks
):
    first, _ = _endpoint(free_port())
    second, _ = _endpoint(free_port())
    _endpoint(free_port(), active=False)

    case = _submit(django_capture_on_commit_callbacks)

    notices = OutboxMessage.objects.filter(kind="webhook_submitted").order_by("pk")
    assert [message.context for message in notices] == [
        {"endpoint": first.pk},
        {"endpoint": second.pk},
    ]
    assert [message.idempotency_key for message in notices] == [
        f"webhook:{first.pk}:submitted:{case.pk}",
        f"webhook:{second.pk}:submitted:{case.pk}",
    ]
    # Handed to the worker by id only.
    assert sorted(task.args_kwargs["args"][0] for task in DBTaskResult.objects.all()) == [
        message.pk for message in notices
    ]
    summaries = AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="OutboxMessage"
    ).values_list("summary", flat=True)
    # Both sorted as text: endpoint 10 comes before endpoint 9.
    assert sorted(summaries) == sorted(
        "submission notice queued for webhook endpoint "
        f"{endpoint.pk} ({endpoint.url.removesuffix('/hooks/intake')})"
        for endpoint in (first, second)
    )


def test_webhook_double_submit_queues_one_notice(wired, django_capture_on_commit_callbacks):
    _endpoint(free_port())
    case = _submit(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.submit_intake(intake_id=case.pk)  # a double click

    assert OutboxMessage.objects.filter(kind="webhook_submitted").count() == 1
    assert callbacks == []  # nothing handed to the worker again


@pytest.mark.django_db(transaction=True)
def test_webhook_notice_is_queued_in_the_submission_transaction_only(wired):
    _endpoint(free_port())
    case = submitted_case(name=NAME, born=BORN)

    with pytest.raises(RuntimeError) as refused:
        webhooks.queue_submission_notices(intake=case)

    assert str(refused.value) == "queue_submission_notices runs inside the change's transaction"


def test_webhook_receiver_down_is_retried_then_delivered_when_it_comes_up(
    wired, django_capture_on_commit_callbacks
):
    receiver = Receiver()
    port = free_port()  # nothing listens there yet: the connection is refused
    _endpoint(port)
    _submit(django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(kind="webhook_submitted")

    run_db_worker()

    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.QUEUED, 1)
    assert message.last_error.startswith("Could not connect: ")
    assert "refused" in message.last_error.casefold()
    assert message.next_attempt_at > timezone.now()
    with LocalServer(receiver, port):
        time_passes()
        run_db_worker()
        run_db_worker()  # nothing more to send: never twice

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxState.SENT, 2, "")
    assert len(receiver.received) == 1
    log = list(WebhookDelivery.objects.order_by("attempt").values_list("attempt", "status_code"))
    assert log == [(1, None), (2, 200)]


def test_webhook_receiver_error_is_retried_with_backoff_then_failed_with_the_reason(
    wired, django_capture_on_commit_callbacks
):
    receiver = Receiver(status=500)
    port = free_port()
    _endpoint(port)
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        message = OutboxMessage.objects.get(kind="webhook_submitted")
        waits = []
        for _ in range(3):
            before = timezone.now()
            run_db_worker()
            message.refresh_from_db()
            waits.append((message.state, message.next_attempt_at - before))
            time_passes()
        run_db_worker()

    assert [state for state, _wait in waits] == [
        OutboxState.QUEUED,
        OutboxState.QUEUED,
        OutboxState.FAILED,
    ]
    # Back-off: 60 s, then 120 s (at least; the clock moved a little while the worker ran).
    assert dt.timedelta(seconds=60) <= waits[0][1] < dt.timedelta(seconds=90)
    assert dt.timedelta(seconds=120) <= waits[1][1] < dt.timedelta(seconds=150)
    assert (message.state, message.attempts, message.last_error) == (
        OutboxState.FAILED,
        3,
        "The receiver answered HTTP 500.",
    )
    assert len(receiver.received) == 3
    log = list(
        WebhookDelivery.objects.order_by("attempt").values_list("attempt", "status_code", "error")
    )
    assert log == [(n, 500, "The receiver answered HTTP 500.") for n in (1, 2, 3)]


def test_webhook_receiver_that_does_not_answer_in_time_is_tried_again(
    wired, django_capture_on_commit_callbacks
):
    wired.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = Receiver(hold=threading.Event())
    port = free_port()
    _endpoint(port)
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        run_db_worker()

    message = OutboxMessage.objects.get(kind="webhook_submitted")
    assert (message.state, message.attempts, message.last_error) == (
        OutboxState.QUEUED,
        1,
        "Could not connect: timed out",
    )
    [attempt] = WebhookDelivery.objects.all()
    assert (attempt.status_code, attempt.error) == (None, "Could not connect: timed out")
    assert len(receiver.received) == 1


def test_webhook_redirect_is_not_followed(wired, django_capture_on_commit_callbacks):
    receiver = Receiver(status=302)
    port = free_port()
    _endpoint(port)
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        run_db_worker()

    message = OutboxMessage.objects.get(kind="webhook_submitted")
    assert (message.state, message.last_error) == (
        OutboxState.QUEUED,
        "The receiver answered HTTP 302 (a redirect, not followed).",
    )
    assert len(receiver.received) == 1


def test_webhook_endpoint_switched_off_before_sending_is_not_sent(
    wired, django_capture_on_commit_callbacks
):
    receiver = Receiver()
    port = free_port()
    endpoint, _ = _endpoint(port)
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        endpoint.is_active = False
        webhooks.change_webhook_endpoint(endpoint=endpoint, by=None)
        run_db_worker()

    message = OutboxMessage.objects.get(kind="webhook_submitted")
    assert (message.state, message.last_error) == (
        OutboxState.FAILED,
        "Not sent: the webhook endpoint was switched off.",
    )
    assert (receiver.received, WebhookDelivery.objects.count()) == ([], 0)


def test_webhook_address_made_non_http_behind_the_form_is_not_opened(
    wired, django_capture_on_commit_callbacks, tmp_path
):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("do not read")
    endpoint, _ = _endpoint(free_port())
    _submit(django_capture_on_commit_callbacks)
    # Written straight to the table, past the form's checks.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"file://{secret_file}")

    run_db_worker()

    message = OutboxMessage.objects.get(kind="webhook_submitted")
    assert (message.state, message.last_error) == (
        OutboxState.FAILED,
        "Not sent: the address must start with https://.",
    )


def test_webhook_plain_http_is_not_sent_unless_allowed(wired, django_capture_on_commit_callbacks):
    receiver = Receiver()
    port = free_port()
    _endpoint(port)
    wired.WEBHOOK_ALLOW_HTTP = False
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        run_db_worker()

    message = OutboxMessage.objects.get(kind="webhook_submitted")
    assert (message.state, message.last_error, receiver.received) == (
        OutboxState.FAILED,
        "Not sent: the address must start with https://.",
        [],
    )


def test_webhook_second_delivery_of_one_notice_posts_nothing(
    wired, django_capture_on_commit_callbacks
):
    receiver = Receiver()
    port = free_port()
    _endpoint(port)
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        message = OutboxMessage.objects.get(kind="webhook_submitted")
        first = delivery.deliver(message.pk)
        again = delivery.deliver(message.pk)  # the same id handed over twice

    assert (first, again, len(receiver.received)) == (OutboxState.SENT, "skipped", 1)


def test_webhook_replaced_secret_signs_from_then_on(wired, django_capture_on_commit_callbacks):
    receiver = Receiver()
    port = free_port()
    endpoint, old = _endpoint(port)
    new = webhooks.replace_webhook_secret(endpoint=endpoint, by=None)
    with LocalServer(receiver, port):
        _submit(django_capture_on_commit_callbacks)
        run_db_worker()

    [(_path, headers, body)] = receiver.received
    given = {"body": body, "timestamp": headers["X-Intake-Timestamp"]}
    signature = headers["X-Intake-Signature"]
    assert new != old
    assert signing.verify_signature(secret=new, signature=signature, **given) is True
    assert signing.verify_signature(secret=old, signature=signature, **given) is False

"""Staff alerts go through the outbox like messages to patients: written with the change that
causes them, delivered by the worker (a task argument that is the message's id), once per
occasion, holding nothing of the patient (no name, no kind of need, no urgency) in the row, the
task or the message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from intake import services
from intake.enums import ContactReason
from intake.models import OutboxMessage
from intake.notifications import delivery
from intake.notifications.models import OutboxKind, OutboxState
from tests.factories import open_invitation, submitted_case

pytestmark = pytest.mark.django_db

NAME = "Zed Marker"
HEALTH_WORDS = ("urgent", "crisis", "emergency", "unsure", "not sure", "bleeding", "restless")


@pytest.fixture(autouse=True)
def _alerts(settings):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    settings.SITE_URL = "https://intake.clinic.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _alert_rows() -> list[tuple[str, str, str, dict, int | None]]:
    return list(
        OutboxMessage.objects.filter(kind=OutboxKind.STAFF_ALERT)
        .order_by("pk")
        .values_list("template", "recipient", "idempotency_key", "context", "invitation_id")
    )


def test_alert_new_case_is_an_outbox_message_with_its_task(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(name=NAME, rectal_bleeding="yes")

    [message] = OutboxMessage.objects.filter(kind=OutboxKind.STAFF_ALERT)
    assert _alert_rows() == [
        ("alert_new_case", "alerts@clinic.example", f"alert_new_case:{case.pk}", {}, None)
    ]
    assert (
        DBTaskResult.objects.filter(args_kwargs={"args": [message.pk], "kwargs": {}}).count() == 1
    )
    assert mail.outbox == []  # nothing sent in the request itself


def test_alert_delivered_says_nothing_of_the_patient(django_capture_on_commit_callbacks):
    case = submitted_case(name=NAME, rectal_bleeding="yes")
    message = OutboxMessage.objects.get(kind=OutboxKind.STAFF_ALERT)

    state = delivery.deliver(message.pk)

    [sent] = mail.outbox
    html = sent.alternatives[0][0]
    whole = f"{sent.subject} {sent.body} {html}".casefold()
    assert (state, case.urgent) == (OutboxState.SENT, True)
    assert (sent.to, sent.subject) == (
        ["alerts@clinic.example"],
        f"New intake submitted: {case.case_number}",
    )
    assert f'href="https://intake.clinic.example/staff/cases/{case.pk}/"' in html
    assert [word for word in (*HEALTH_WORDS, NAME.casefold()) if word in whole] == []


def test_alert_contact_once_per_kind_keyed_without_the_kind():
    invitation, _token = open_invitation(name=NAME, born=dt.date(1970, 1, 1))
    intake_id = invitation.intake_id

    services.report_contact_needed(
        intake_id=intake_id, reasons=[ContactReason.EMERGENCY, ContactReason.CRISIS]
    )
    services.report_contact_needed(intake_id=intake_id, reasons=[ContactReason.CRISIS])

    assert _alert_rows() == [
        (
            "alert_contact_draft",
            "alerts@clinic.example",
            f"alert_contact_draft:{intake_id}:1",
            {},
            None,
        ),
        (
            "alert_contact_draft",
            "alerts@clinic.example",
            f"alert_contact_draft:{intake_id}:2",
            {},
            None,
        ),
    ]


def test_alert_without_an_address_queues_nothing(settings):
    settings.CLINIC_ALERT_EMAIL = ""

    submitted_case(name=NAME)

    assert _alert_rows() == []


def test_alert_unknown_template_is_refused():
    invitation, _token = open_invitation(name=NAME)

    with pytest.raises(ValueError):
        services.queue_staff_alert(intake=invitation.intake, template="invitation", key="x")

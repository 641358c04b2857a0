"""Messages to a patient are in their subject-access export, and erasure on request stops any
still waiting and removes the address and link from every one."""

from __future__ import annotations

import datetime as dt

import pytest

from intake import selectors, services
from intake.models import OutboxMessage
from intake.notifications import delivery
from intake.notifications.models import OutboxState

pytestmark = pytest.mark.django_db


def _emailed(django_capture_on_commit_callbacks, email="ann@example.org"):
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_invitation(
            full_name="Ann Example",
            date_of_birth=dt.date(1980, 4, 23),
            email=email,
            email_link=True,
        )


def test_records_export_lists_each_message(django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation, token = _emailed(django_capture_on_commit_callbacks)
    delivery.deliver(OutboxMessage.objects.get().pk)
    data = selectors.subject_access_data(patient=invitation.intake.patient)
    [row] = data["messages"]
    assert {k: row[k] for k in ("case_number", "kind", "channel", "recipient", "state")} == {
        "case_number": invitation.intake.case_number,
        "kind": "invitation",
        "channel": "email",
        "recipient": "ann@example.org",
        "state": "sent",
    }
    assert row["sent_at"] is not None
    assert token not in str(data)


def test_records_export_file_has_the_messages(django_capture_on_commit_callbacks, clinic_admin):
    invitation, _token = _emailed(django_capture_on_commit_callbacks)
    body, content_type, _name = services.export_subject_access(
        patient=invitation.intake.patient, by=clinic_admin, fmt="json"
    )
    assert content_type == "application/json"
    assert b'"recipient": "ann@example.org"' in body


def test_records_erasure_stops_waiting_messages_and_wipes_addresses(
    django_capture_on_commit_callbacks, clinic_admin, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation, _token = _emailed(django_capture_on_commit_callbacks)
    services.erase_patient(patient=invitation.intake.patient, by=clinic_admin, reason="asked")
    message = OutboxMessage.objects.get()
    assert (message.state, message.recipient, message.context, message.last_error) == (
        OutboxState.FAILED,
        "",
        {},
        "Not sent: the patient's record was erased.",
    )
    assert delivery.deliver(message.pk) == "skipped"

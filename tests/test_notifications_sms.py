"""Text messages: a link or a confirmation goes by the patient's preferred channel, through the
outbox like an email; the backend is chosen by SMS_BACKEND and the console one logs no text."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from intake import demo, services
from intake.models import AuditEvent, Invitation, OutboxMessage, Patient
from intake.notifications import delivery, sms
from intake.notifications.models import OutboxChannel, OutboxState
from tests.answer_sets import RLS_AND_DIARRHOEA
from tests.factories import login_verified, open_invitation

pytestmark = pytest.mark.django_db

MOBILE = "+447400123456"
HEALTH_WORDS = ("restless", "legs", "ibs", "sibo", "ferritin", "iron", "bowel", "crisis", "diarrh")


class RefusingBackend(sms.BaseSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        raise RuntimeError("provider refused the number")


@pytest.fixture(autouse=True)
def texts(settings):
    settings.SMS_BACKEND = "intake.notifications.sms.LocmemBackend"
    settings.SITE_URL = "https://intake.example.org"
    settings.CLINIC_NAME = "Riverside Sleep and Gut Clinic"
    settings.CLINIC_PHONE = "020 7946 0958"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _prefers(invitation: Invitation, channel: str, **fields) -> Invitation:
    """The invitation as a view would fetch it, after its patient's record was changed."""
    Patient.objects.filter(pk=invitation.intake.patient_id).update(
        preferred_channel=channel, **fields
    )
    return Invitation.objects.select_related("intake__patient").get(pk=invitation.pk)


def test_sms_link_by_preferred_channel_arrives_as_a_text(texts):
    invitation, _token = open_invitation(email="ann@example.org")
    invitation = _prefers(invitation, "sms", mobile_phone=MOBILE)

    new, token = services.reissue_invitation(invitation=invitation, by=None, send_link=True)

    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.state) == (
        OutboxChannel.SMS,
        MOBILE,
        OutboxState.QUEUED,
    )
    assert delivery.deliver(message.pk) == OutboxState.SENT
    [(to, body)] = texts
    assert to == MOBILE
    assert body.count(f"https://intake.example.org/i/{token}/") == 1
    assert body.startswith("Riverside Sleep and Gut Clinic: please fill in your questionnaire")
    assert body.endswith("Questions: call 020 7946 0958.")
    assert "Ann" not in body  # a text can show on a locked screen: no name
    assert [word for word in HEALTH_WORDS if word in body.casefold()] == []
    message.refresh_from_db()
    assert (message.state, message.context) == (OutboxState.SENT, {})
    event = AuditEvent.objects.filter(object_type="OutboxMessage").get()
    assert event.summary == "invitation link text message queued"


def test_sms_link_preference_email_goes_by_email(texts):
    invitation, _token = open_invitation(email="ann@example.org")
    invitation = _prefers(invitation, "email", mobile_phone=MOBILE)

    services.reissue_invitation(invitation=invitation, by=None, send_link=True)

    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == (OutboxChannel.EMAIL, "ann@example.org")


@pytest.mark.parametrize(
    ("channel", "fields", "refusal", "message"),
    [
        (
            "none",
            {"mobile_phone": MOBILE},
            services.NoMessagesWanted,
            "The patient's record says no messages: copy the link and pass it on yourself.",
        ),
        (
            "sms",
            {},
            services.NoMobileNumber,
            "There is no mobile phone number on the patient's record.",
        ),
    ],
)
def test_sms_link_without_a_way_to_send_refuses_the_whole_change(channel, fields, refusal, message):
    invitation, _token = open_invitation(email="ann@example.org")
    invitation = _prefers(invitation, channel, **fields)

    with pytest.raises(refusal) as refused:
        services.reissue_invitation(invitation=invitation, by=None, send_link=True)

    assert str(refused.value) == message
    # No change without its message: the old link still works and no new one was made.
    invitation.refresh_from_db()
    assert (invitation.revoked_at, Invitation.objects.count(), OutboxMessage.objects.count()) == (
        None,
        1,
        0,
    )


def _submit(invitation: Invitation, django_capture_on_commit_callbacks):
    intake = demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA)
    with django_capture_on_commit_callbacks(execute=False):
        return services.submit_intake(intake_id=intake.pk)


def test_sms_submission_confirmation_by_text(texts, django_capture_on_commit_callbacks):
    invitation, _token = open_invitation(email="casey@example.org")
    invitation = _prefers(invitation, "sms", mobile_phone=MOBILE)
    intake = _submit(invitation, django_capture_on_commit_callbacks)

    message = OutboxMessage.objects.get(kind="submitted")
    assert (message.channel, message.recipient) == (OutboxChannel.SMS, MOBILE)
    assert delivery.deliver(message.pk) == OutboxState.SENT
    assert texts == [
        (
            MOBILE,
            f"Riverside Sleep and Gut Clinic has received your questionnaire (reference "
            f"{intake.case_number}). The team will contact you if they need anything else. "
            "Questions: call 020 7946 0958.",
        )
    ]


def test_sms_submission_no_messages_wanted_sends_nothing(django_capture_on_commit_callbacks):
    invitation, _token = open_invitation(email="casey@example.org")
    invitation = _prefers(invitation, "none")

    _submit(invitation, django_capture_on_commit_callbacks)

    assert OutboxMessage.objects.filter(kind="submitted").count() == 0


def test_sms_backend_failure_is_retried_then_failed_with_its_reason(settings):
    settings.SMS_BACKEND = "tests.test_notifications_sms.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    invitation, _token = open_invitation()
    invitation = _prefers(invitation, "sms", mobile_phone=MOBILE)
    services.reissue_invitation(invitation=invitation, by=None, send_link=True)
    message = OutboxMessage.objects.get()

    first = delivery.deliver(message.pk)
    OutboxMessage.objects.update(next_attempt_at=message.created_at)
    second = delivery.deliver(message.pk)

    message.refresh_from_db()
    assert (first, second) == (OutboxState.QUEUED, OutboxState.FAILED)
    assert (message.state, message.attempts, message.last_error, message.context) == (
        OutboxState.FAILED,
        2,
        "RuntimeError: provider refused the number",
        {},
    )


def test_sms_console_backend_logs_no_text(settings, caplog):
    settings.SMS_BACKEND = "intake.notifications.sms.ConsoleBackend"
    body = "Riverside: your link https://intake.example.org/i/secret-token/"

    with caplog.at_level(logging.INFO, logger="intake.notifications.sms"):
        sms.send(to=MOBILE, body=body)

    assert caplog.messages == [
        f"text message to +44…3456 ({len(body)} characters) not sent: console backend"
    ]
    assert "secret-token" not in caplog.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "intake.notifications.sms.NoSuchBackend",
            "SMS_BACKEND must name a text message backend class "
            "(got 'intake.notifications.sms.NoSuchBackend')",
        ),
        (
            "intake.notifications.sms.masked",
            "SMS_BACKEND must name a subclass of intake.notifications.sms.BaseSmsBackend "
            "(got 'intake.notifications.sms.masked')",
        ),
    ],
)
def test_sms_backend_setting_that_names_no_backend_is_refused(settings, path, message):
    settings.SMS_BACKEND = path
    with pytest.raises(ImproperlyConfigured) as refused:
        sms.get_backend()
    assert str(refused.value) == message


def test_sms_new_link_by_text_from_the_invitations_list(practitioner):
    invitation, _token = open_invitation(email="ann@example.org")
    invitation = _prefers(invitation, "sms", mobile_phone=MOBILE)
    client = login_verified(Client(), practitioner)

    listing = client.get("/staff/invitations/").content.decode()
    response = client.post(f"/staff/invitations/{invitation.pk}/reissue/", {"send_link": "1"})

    assert "New link by text message" in listing
    assert response.status_code == 200
    assert (response.context["emailed_to"], response.context["texted_to"]) == ([], [MOBILE])
    assert "sent by text message to +44 7400 123456" in response.content.decode()


def test_sms_new_link_refused_says_why_and_keeps_the_old_link(practitioner):
    invitation, _token = open_invitation(email="ann@example.org")
    invitation = _prefers(invitation, "none")
    client = login_verified(Client(), practitioner)

    response = client.post(
        f"/staff/invitations/{invitation.pk}/reissue/", {"send_link": "1"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "No new link was made: The patient's record says no messages: copy the link and pass "
        "it on yourself."
    ]
    invitation.refresh_from_db()
    assert invitation.revoked_at is None

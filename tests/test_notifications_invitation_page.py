"""Staff have the invitation link emailed from the invitations page, and see each message's
state there: queued, sent, or failed with the reason."""

from __future__ import annotations

import pytest
from django.test import Client

from intake.models import Invitation, OutboxMessage
from intake.notifications import delivery
from intake.notifications.models import OutboxState
from tests.factories import login_verified, open_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(practitioner) -> Client:
    client = Client()
    login_verified(client, practitioner)
    return client


def _create(client, django_capture_on_commit_callbacks, **fields):
    data = {"full_name": "Dana New", "date_of_birth": "1990-02-03", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/staff/invitations/", data)


def test_invitation_page_email_ticked_queues_one_message(
    staff_client, django_capture_on_commit_callbacks
):
    response = _create(
        staff_client,
        django_capture_on_commit_callbacks,
        email="dana@example.org",
        email_link="on",
    )
    message = OutboxMessage.objects.get()
    assert response.status_code == 200
    assert (message.recipient, message.state, message.invitation_id) == (
        "dana@example.org",
        OutboxState.QUEUED,
        Invitation.objects.get().pk,
    )
    assert response.context["emailed_to"] == ["dana@example.org"]
    assert response.context["link"] != ""  # still shown once to copy


def test_invitation_page_email_ticked_without_address_is_refused(
    staff_client, django_capture_on_commit_callbacks
):
    response = _create(staff_client, django_capture_on_commit_callbacks, email_link="on")
    assert response.context["form"].errors == {
        "email": ["Enter the patient's email address to email them the link."]
    }
    assert (Invitation.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_invitation_page_hostile_address_is_refused(
    staff_client, django_capture_on_commit_callbacks
):
    response = _create(
        staff_client,
        django_capture_on_commit_callbacks,
        email="dana@example.org\r\nBcc: everyone@example.org",
        email_link="on",
    )
    assert response.context["form"].errors == {
        "email": ["Enter an email address like name@example.com, or leave it empty."]
    }
    assert (Invitation.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_invitation_page_not_ticked_sends_nothing(staff_client, django_capture_on_commit_callbacks):
    _create(staff_client, django_capture_on_commit_callbacks, email="dana@example.org")
    assert OutboxMessage.objects.count() == 0


def test_invitation_page_list_shows_each_message_state(
    staff_client, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _create(
        staff_client,
        django_capture_on_commit_callbacks,
        email="dana@example.org",
        email_link="on",
    )
    message = OutboxMessage.objects.get()
    page = staff_client.get("/staff/invitations/").content.decode()
    assert (
        f'<div class="small" id="outbox-{message.pk}">Email to dana@example.org: queued</div>'
        in page
    )

    delivery.deliver(message.pk)
    page = staff_client.get("/staff/invitations/").content.decode()
    assert (
        f'<div class="small" id="outbox-{message.pk}">Email to dana@example.org: sent</div>' in page
    )

    OutboxMessage.objects.update(state=OutboxState.FAILED, last_error="SMTPDataError: <b>no</b>")
    page = staff_client.get("/staff/invitations/").content.decode()
    assert (
        f'<div class="small" id="outbox-{message.pk}">Email to dana@example.org: failed '
        "(SMTPDataError: &lt;b&gt;no&lt;/b&gt;)</div>"
    ) in page


def test_invitation_page_reissue_by_email_sends_the_new_link(
    staff_client, django_capture_on_commit_callbacks
):
    invitation, _token = open_invitation(email="ann@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/staff/invitations/{invitation.pk}/reissue/", {"email_link": "1"}
        )
    new = Invitation.objects.exclude(pk=invitation.pk).get()
    message = OutboxMessage.objects.get()
    assert (message.invitation_id, message.recipient) == (new.pk, "ann@example.org")
    assert response.context["emailed_to"] == ["ann@example.org"]


def test_invitation_page_reissue_plain_sends_nothing(staff_client):
    invitation, _token = open_invitation(email="ann@example.org")
    staff_client.post(f"/staff/invitations/{invitation.pk}/reissue/")
    assert OutboxMessage.objects.count() == 0


def test_invitation_page_reissue_by_email_without_address_sends_nothing(staff_client):
    invitation, _token = open_invitation()
    response = staff_client.post(
        f"/staff/invitations/{invitation.pk}/reissue/", {"email_link": "1"}
    )
    assert (response.status_code, OutboxMessage.objects.count()) == (200, 0)
    assert response.context["emailed_to"] == []

"""Creating an invitation through the API: the same checks and service as the staff page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from intake.enums import AuditAction
from intake.models import AuditEvent, Invitation, Patient
from intake.notifications.models import OutboxMessage
from intake.services import invitation_for_token
from tests.access import PAYLOADS
from tests.api_clients import INVITE, READ, api_client, caller

pytestmark = pytest.mark.django_db

URL = "/api/v1/invitations/"


@pytest.fixture
def token() -> str:
    return api_client(name="Booking system", scopes=[INVITE])[1]


def _post(token: str, data, content_type: str = "application/json"):
    return caller(token).post(URL, data, content_type=content_type)


def test_api_invitations_create_returns_the_link_once(token):
    response = _post(
        token, {"full_name": "  Ann   Example ", "date_of_birth": "1980-04-23", "email": ""}
    )

    invitation = Invitation.objects.select_related("intake__patient").get()
    body = response.json()
    link_token = body["link"].rsplit("/", 2)[-2]
    assert response.status_code == 201
    assert body == {
        "id": invitation.pk,
        "case_id": invitation.intake_id,
        "patient_id": invitation.intake.patient_id,
        "link": f"{settings.SITE_URL.rstrip('/')}/i/{link_token}/",
        "expires_at": timezone.localtime(invitation.expires_at).isoformat().replace("+00:00", "Z"),
        "emailed": False,
        "language": None,
    }
    assert invitation_for_token(link_token) == invitation
    assert (invitation.intake.patient.full_name, invitation.created_by) == ("Ann Example", None)


def test_api_invitations_create_is_audited_under_the_client(token):
    _post(token, {"full_name": "Ann Example", "date_of_birth": "1980-04-23"})

    event = AuditEvent.objects.get(action=AuditAction.INVITATION_CREATED)
    assert (event.actor, event.actor_label, event.summary) == (
        None,
        "API client Booking system",
        "created through the API",
    )


def test_api_invitations_a_returning_patient_joins_their_record(token):
    for _ in range(2):
        _post(token, {"full_name": "Ann Example", "date_of_birth": "1980-04-23"})

    assert Patient.objects.count() == 1
    assert Invitation.objects.count() == 2


def test_api_invitations_need_the_scope():
    _client, read_only = api_client(scopes=[READ])

    response = _post(read_only, {"full_name": "Ann Example", "date_of_birth": "1980-04-23"})

    assert response.status_code == 403
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {},
            {
                "full_name": ["This field is required."],
                "date_of_birth": ["This field is required."],
            },
        ),
        (
            {"full_name": "Ann Example", "date_of_birth": "23/04/1980"},
            {
                "date_of_birth": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
        (
            {"full_name": "Ann Example", "date_of_birth": "2999-01-01"},
            {"date_of_birth": ["The date of birth cannot be in the future."]},
        ),
        (
            {"full_name": "Ann Example", "date_of_birth": "1800-01-01"},
            {"date_of_birth": ["Check the year: that is more than 120 years ago."]},
        ),
        (
            {"full_name": PAYLOADS[0], "date_of_birth": "1980-04-23"},
            {"full_name": ["A name cannot contain < > { or }."]},
        ),
        (
            {"full_name": "Ann " + PAYLOADS[3], "date_of_birth": "1980-04-23"},
            {"full_name": ["A name cannot contain < > { or }."]},
        ),
        (
            {"full_name": "12345", "date_of_birth": "1980-04-23"},
            {"full_name": ["Enter the full name using letters."]},
        ),
        (
            {"full_name": ["Ann"], "date_of_birth": "1980-04-23"},
            {"full_name": ["Not a valid string."]},
        ),
        (
            {"full_name": "A" * 201, "date_of_birth": "1980-04-23"},
            {"full_name": ["Ensure this field has no more than 200 characters."]},
        ),
        (
            {"full_name": "Ann Example", "date_of_birth": "1980-04-23", "email": "not-an-email"},
            {"email": ["Enter a valid email address."]},
        ),
        (
            ["Ann Example", "1980-04-23"],
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        ),
    ],
)
def test_api_invitations_bad_input_is_400_with_the_reasons(token, data, errors):
    response = _post(token, data)

    assert (response.status_code, response.json()) == (400, errors)
    assert Invitation.objects.count() == 0


def test_api_invitations_unreadable_json_is_400(token):
    response = _post(token, '{"full_name": "Ann', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_api_invitations_a_form_post_is_415(token):
    response = _post(
        token,
        "full_name=Ann+Example&date_of_birth=1980-04-23",
        content_type="application/x-www-form-urlencoded",
    )

    assert (response.status_code, response.json()) == (
        415,
        {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'},
    )


def test_api_invitations_get_is_405(token):
    response = caller(token).get(URL)

    assert (response.status_code, response.json()) == (405, {"detail": 'Method "GET" not allowed.'})


def test_api_invitations_dates_are_checked_in_the_clinics_calendar(token):
    today = timezone.localdate()

    response = _post(token, {"full_name": "Ann Example", "date_of_birth": today.isoformat()})
    tomorrow = _post(
        token,
        {"full_name": "Bob Example", "date_of_birth": (today + dt.timedelta(days=1)).isoformat()},
    )

    assert (response.status_code, tomorrow.status_code) == (201, 400)


def test_api_invitations_a_namesake_with_another_email_is_a_new_record_audited_under_the_client(
    token,
):
    first = {"full_name": "Ann Example", "date_of_birth": "1980-04-23", "email": "ann@example.com"}
    _post(token, first)

    response = _post(token, {**first, "email": "other.ann@example.com"})

    patients = list(Patient.objects.order_by("pk"))
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="Patient")
    assert response.status_code == 201
    assert [patient.namesake_number for patient in patients] == [0, 1]
    assert response.json()["patient_id"] == patients[1].pk
    assert (event.actor_label, event.summary) == (
        "API client Booking system",
        "patient record for a different person with the same name and date of birth as record "
        f"{patients[0].pk}: a different email was given",
    )


def test_api_invitations_email_link_queues_the_email_in_the_outbox(token):
    response = _post(
        token,
        {
            "full_name": "Ann Example",
            "date_of_birth": "1980-04-23",
            "email": "ann@example.com",
            "email_link": True,
        },
    )

    message = OutboxMessage.objects.get()
    assert (response.status_code, response.json()["emailed"]) == (201, True)
    assert (message.kind, message.recipient, message.invitation_id) == (
        "invitation",
        "ann@example.com",
        response.json()["id"],
    )


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        (
            {"email_link": True},
            {"email": ["Give the patient's email address to have the link emailed."]},
        ),
        (
            {"email_link": True, "email": ""},
            {"email": ["Give the patient's email address to have the link emailed."]},
        ),
        ({"email_link": "maybe"}, {"email_link": ["Must be a valid boolean."]}),
    ],
)
def test_api_invitations_email_link_needs_an_address(token, extra, errors):
    response = _post(token, {"full_name": "Ann Example", "date_of_birth": "1980-04-23", **extra})

    assert (response.status_code, response.json()) == (400, errors)
    assert (Invitation.objects.count(), OutboxMessage.objects.count()) == (0, 0)

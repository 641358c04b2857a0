"""API authentication, scopes, rate limits and the audit trail of every call."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from intake.api.authentication import INVALID
from intake.api.permissions import HasScope
from intake.enums import AuditAction
from intake.models import ApiClient, AuditEvent
from intake.services import api_clients
from intake.services.common import hash_token
from tests.api_clients import INVITE, READ, api_client, caller
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}


def _refusal(response) -> tuple[int, str, dict]:
    return (response.status_code, response["Content-Type"], response.json())


def test_api_auth_without_a_token_is_401_json_with_a_bearer_challenge():
    response = Client().get(CASES)

    assert _refusal(response) == (401, "application/json", NOT_PROVIDED)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_api_auth_unknown_token_is_401():
    api_client()

    response = caller("not-a-real-token").get(CASES)

    assert _refusal(response) == (401, "application/json", {"detail": INVALID})


def test_api_auth_revoked_token_is_401_like_an_unknown_one():
    client, token = api_client()
    api_clients.revoke_api_client(client=client, by=None)

    response = caller(token).get(CASES)

    assert _refusal(response) == (401, "application/json", {"detail": INVALID})


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer two parts",
        "Bearer \u00e9t\u00e9",
        "bearer " + "x" * 5000,
        "Bearer ' OR 1=1 --",
    ],
)
def test_api_auth_malformed_or_hostile_header_is_401(header):
    api_client()

    response = Client(HTTP_AUTHORIZATION=header).get(CASES)

    assert _refusal(response) == (401, "application/json", {"detail": INVALID})


def test_api_auth_other_schemes_are_not_credentials():
    _client, token = api_client()

    response = Client(HTTP_AUTHORIZATION=f"Token {token}").get(CASES)

    assert _refusal(response) == (401, "application/json", NOT_PROVIDED)


def test_api_auth_the_stored_hash_is_not_a_token():
    client, _token = api_client()

    response = caller(client.token_hash).get(CASES)

    assert response.status_code == 401


def test_api_auth_a_signed_in_member_of_staff_needs_a_token_too(clinic_admin):
    browser = login_verified(Client(), clinic_admin)

    response = browser.get(CASES)

    assert _refusal(response) == (401, "application/json", NOT_PROVIDED)


def test_api_auth_missing_scope_is_403_json():
    _client, token = api_client(scopes=[INVITE])

    response = caller(token).get(CASES)

    assert _refusal(response) == (403, "application/json", {"detail": HasScope.message})


def test_api_auth_no_scopes_still_reads_the_questionnaire_but_no_case():
    _client, token = api_client(scopes=[])

    questionnaire = caller(token).get("/api/v1/questionnaire/")
    cases = caller(token).get(CASES)
    invitation = caller(token).post(
        "/api/v1/invitations/",
        {"full_name": "Ann Example", "date_of_birth": "1980-04-23"},
        content_type="application/json",
    )

    assert questionnaire.status_code == 200
    assert (cases.status_code, invitation.status_code) == (403, 403)


def test_api_auth_token_is_stored_only_as_its_sha256():
    client, token = api_client()
    client.refresh_from_db()

    assert client.token_hash == hash_token(token)
    assert client.token_prefix == token[:8]
    assert len(token) == 43
    assert ApiClient.objects.filter(token_hash=token).exists() is False


def test_api_auth_a_call_marks_the_client_used():
    client, token = api_client()
    before = timezone.now()

    caller(token).get(CASES)

    client.refresh_from_db()
    assert client.last_used_at >= before


def test_api_auth_rate_limited_per_client_with_429_json(settings):
    settings.RATE_LIMIT_API = "3/h"
    _first, token = api_client(name="First")
    _second, other = api_client(name="Second")

    statuses = [caller(token).get(CASES).status_code for _ in range(3)]
    refused = caller(token).get(CASES)
    other_client = caller(other).get(CASES)

    assert statuses == [200, 200, 200]
    assert _refusal(refused) == (
        429,
        "application/json",
        {"detail": "Too many requests. Wait a while and try again."},
    )
    assert other_client.status_code == 200


def test_api_auth_wrong_tokens_are_rate_limited_by_address(settings):
    settings.RATE_LIMIT_API = "2/h"

    statuses = [caller(f"guess-{n}").get(CASES).status_code for n in range(3)]

    assert statuses == [401, 401, 429]


def test_api_auth_every_answered_call_is_audited_under_the_client_name():
    _client, token = api_client(name="Booking system", scopes=[READ])

    caller(token).get(CASES, {"since": "2026-01-01T00:00:00Z"})

    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.actor_label, event.summary) == (
        None,
        "API client Booking system",
        "API case list: 0 shown; since=2026-01-01T00%3A00%3A00Z",
    )


def test_api_auth_a_refused_call_writes_no_view():
    _client, token = api_client(scopes=[INVITE])

    caller(token).get(CASES)
    caller("unknown").get(CASES)

    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 0


def test_api_auth_a_refused_token_is_audited_as_a_failed_sign_in():
    client, token = api_client(name="Booking system", scopes=[READ])
    api_clients.revoke_api_client(client=client, by=None)

    caller(token).get(CASES)
    caller("guessed-token").get("/api/v1/questionnaire/")

    refused = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("pk")
    assert [(event.actor, event.actor_label, event.summary) for event in refused] == [
        (
            None,
            "API (token not valid)",
            "API call refused (the token is not valid): GET /api/v1/cases/",
        ),
        (
            None,
            "API (token not valid)",
            "API call refused (the token is not valid): GET /api/v1/questionnaire/",
        ),
    ]
    assert token not in "".join(event.summary for event in refused)


def test_api_auth_a_missing_scope_is_audited_under_the_client_name():
    _client, token = api_client(name="Booking system", scopes=[INVITE])

    response = caller(token).get(CASES)

    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.actor_label, event.summary) == (
        "API client Booking system",
        "API call refused (no scope read_cases): GET /api/v1/cases/",
    )


def test_api_auth_no_token_and_rate_limited_calls_are_not_audited(settings):
    settings.RATE_LIMIT_API = "1/h"
    _client, token = api_client(scopes=[READ])

    statuses = [Client().get(CASES).status_code]
    statuses += [caller(token).get(CASES).status_code for _ in range(2)]

    assert statuses == [401, 200, 429]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 0

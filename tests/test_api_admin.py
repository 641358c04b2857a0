"""API clients in the admin: a clinic admin registers one and sees its token once; revoking it
shuts the token out; clients are never deleted."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from intake.enums import AuditAction
from intake.models import ApiClient, AuditEvent
from intake.services.common import hash_token
from tests.api_clients import caller
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

ADD = "/admin/intake/apiclient/add/"
TOKEN_MESSAGE = re.compile(
    r"^The token for Clinic EHR \(copy it now: it is not shown again\): (\S{43})$"
)


@pytest.fixture
def admin_browser(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def _add(browser: Client, **data):
    form = {"name": "Clinic EHR", "scopes": ["read_cases"], "_save": "Save", **data}
    return browser.post(ADD, form, follow=True)


def _token(response) -> str:
    shown = [str(message) for message in response.context["messages"]]
    matches = [TOKEN_MESSAGE.match(text) for text in shown]
    tokens = [match.group(1) for match in matches if match]
    assert len(tokens) == 1, shown
    return tokens[0]


def test_api_admin_add_shows_the_token_once_and_keeps_its_hash(admin_browser, clinic_admin):
    response = _add(admin_browser)

    token = _token(response)
    client = ApiClient.objects.get()
    assert (client.name, client.scopes, client.token_hash, client.created_by) == (
        "Clinic EHR",
        ["read_cases"],
        hash_token(token),
        clinic_admin,
    )
    assert caller(token).get("/api/v1/cases/").status_code == 200
    # Never again: not on the list, not on the client's page.
    again = admin_browser.get(f"/admin/intake/apiclient/{client.pk}/change/")
    listing = admin_browser.get("/admin/intake/apiclient/")
    assert token not in again.content.decode()
    assert token not in listing.content.decode()


def test_api_admin_add_is_audited_without_the_token(admin_browser):
    token = _token(_add(admin_browser, scopes=["read_cases", "create_invitations"]))

    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="ApiClient")
    assert (event.actor_label, event.summary) == (
        "clinic.admin",
        "API client Clinic EHR registered: read_cases, create_invitations",
    )
    assert token not in event.summary


def test_api_admin_unknown_scope_is_refused(admin_browser):
    response = _add(admin_browser, scopes=["read_cases", "superuser"])

    assert response.context["adminform"].form.errors == {
        "scopes": ["Select a valid choice. superuser is not one of the available choices."]
    }
    assert ApiClient.objects.count() == 0


def test_api_admin_hostile_name_is_stored_as_text_and_escaped(admin_browser):
    name = "<script>alert(1)</script>"

    _add(admin_browser, name=name)

    listing = admin_browser.get("/admin/intake/apiclient/").content.decode()
    assert ApiClient.objects.get().name == name
    assert name not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_api_admin_revoke_shuts_the_token_out(admin_browser):
    token = _token(_add(admin_browser))
    client = ApiClient.objects.get()

    admin_browser.post(
        "/admin/intake/apiclient/",
        {"action": "revoke_clients", "_selected_action": [client.pk]},
    )

    client.refresh_from_db()
    assert client.revoked_at is not None
    assert caller(token).get("/api/v1/cases/").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="ApiClient")
    assert event.summary == "API client Clinic EHR revoked"


def test_api_admin_scopes_can_be_narrowed(admin_browser):
    token = _token(_add(admin_browser, scopes=["read_cases", "create_invitations"]))
    client = ApiClient.objects.get()

    admin_browser.post(
        f"/admin/intake/apiclient/{client.pk}/change/",
        {"name": "Clinic EHR", "scopes": ["create_invitations"], "_save": "Save"},
    )

    client.refresh_from_db()
    assert client.scopes == ["create_invitations"]
    assert caller(token).get("/api/v1/cases/").status_code == 403


def test_api_admin_clients_are_never_deleted(admin_browser):
    _add(admin_browser)
    client = ApiClient.objects.get()

    response = admin_browser.post(f"/admin/intake/apiclient/{client.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert ApiClient.objects.count() == 1

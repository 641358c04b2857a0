"""Issue 14's "done when", end to end, as a clinic's IT person would do it: a clinic admin
registers an API client and a webhook endpoint in the admin; a patient submits; the worker posts
the signed notice to a receiver on a local port; with the token, the receiver follows the
notice's links to the case as JSON and as a FHIR bundle, and a booking system creates an
invitation."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from intake.models import OutboxMessage
from intake.notifications import signing
from intake.notifications.models import OutboxState
from tests.api_clients import caller
from tests.factories import login_verified, run_db_worker, submitted_case
from tests.fhir_checks import check_transaction, model_of
from tests.webhook_receiver import LocalServer, Receiver, free_port

pytestmark = pytest.mark.django_db

SITE = "https://intake.example.org"


def _shown_once(response, pattern: str) -> str:
    matches = [re.match(pattern, str(message)) for message in response.context["messages"]]
    [found] = [match.group(1) for match in matches if match]
    return found


def _relative(url: str) -> str:
    assert url.startswith(SITE + "/")
    return url.removeprefix(SITE)


def test_api_journey_admin_registers_a_patient_submits_and_the_ehr_follows_the_notice(
    clinic_admin, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = SITE
    settings.WEBHOOK_ALLOW_HTTP = True  # the receiver below is plain http on this machine
    port = free_port()
    admin = login_verified(Client(), clinic_admin)
    added = admin.post(
        "/admin/intake/apiclient/add/",
        {"name": "Clinic EHR", "scopes": ["read_cases", "create_invitations"], "_save": "Save"},
        follow=True,
    )
    token = _shown_once(added, r"^The token for Clinic EHR .*: (\S{43})$")
    added = admin.post(
        "/admin/intake/webhookendpoint/add/",
        {"url": f"http://127.0.0.1:{port}/intake", "is_active": "on", "_save": "Save"},
        follow=True,
    )
    secret = _shown_once(added, r"^The signing secret for .*: (whsec_\S{43})$")
    receiver = Receiver()

    with LocalServer(receiver, port):
        with django_capture_on_commit_callbacks(execute=True):
            case = submitted_case(name="Jules Journey", born=dt.date(1984, 8, 1))
        run_db_worker()

    [(_path, headers, body)] = receiver.received
    assert signing.verify_signature(
        secret=secret,
        body=body,
        timestamp=headers["X-Intake-Timestamp"],
        signature=headers["X-Intake-Signature"],
    )
    notice = json.loads(body)
    assert (notice["type"], notice["case_id"]) == ("case.submitted", case.pk)
    assert OutboxMessage.objects.get(kind="webhook_submitted").state == OutboxState.SENT
    ehr = caller(token)
    listed = ehr.get("/api/v1/cases/", {"since": "2026-01-01T00:00:00Z"}).json()
    assert [row["id"] for row in listed["results"]] == [case.pk]
    one = ehr.get(_relative(notice["api_url"]))
    assert (one.status_code, one.json()["case_number"]) == (200, case.case_number)
    fetched = ehr.get(_relative(notice["fhir_url"]))
    assert (fetched.status_code, fetched["Content-Type"]) == (200, "application/fhir+json")
    bundle = json.loads(fetched.content)
    assert model_of(bundle).model_dump(mode="json") == bundle
    assert check_transaction(bundle) == []
    invited = ehr.post(
        "/api/v1/invitations/",
        {"full_name": "Nell Newcomer", "date_of_birth": "1990-02-03"},
        content_type="application/json",
    )
    assert invited.status_code == 201
    assert invited.json()["link"].startswith(f"{SITE}/i/")

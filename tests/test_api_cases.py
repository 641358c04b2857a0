"""The API's cases: the list changed since a time (cursor pages, constant queries), one case as
JSON (a small, fixed shape) and as a FHIR bundle, and the FHIR Questionnaire."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.enums import AuditAction
from intake.fhir import questionnaire as fhir_questionnaire
from intake.models import AuditEvent, Intake
from intake.services import fhir_exports
from tests.access import PAYLOADS
from tests.api_clients import READ, api_client, caller
from tests.factories import open_invitation, submitted_case
from tests.fhir_checks import check_transaction, model_of

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "There is no submitted case with this id."}


@pytest.fixture
def token() -> str:
    return api_client(scopes=[READ])[1]


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat().replace("+00:00", "Z")


def _changed(case: Intake, at: dt.datetime) -> None:
    Intake.objects.filter(pk=case.pk).update(updated_at=at)


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- the list ---------------------------------------------------------------------------------


def test_api_cases_list_submitted_only_oldest_change_first(token):
    first = submitted_case(name="Ann First")
    second = submitted_case(name="Bob Second")
    open_invitation(name="Dee Draft")  # a draft is the patient's, never listed
    _changed(first, timezone.now())
    _changed(second, timezone.now() - dt.timedelta(hours=1))

    response = caller(token).get("/api/v1/cases/")

    assert response.status_code == 200
    assert _ids(response) == [second.pk, first.pk]
    assert (response.json()["next"], response.json()["previous"]) == (None, None)


def test_api_cases_list_since_keeps_cases_changed_at_or_after(token):
    old = submitted_case(name="Ann Old")
    new = submitted_case(name="Bob New")
    since = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    _changed(old, since - dt.timedelta(seconds=1))
    _changed(new, since)

    response = caller(token).get("/api/v1/cases/", {"since": "2026-11-01T09:00:00Z"})

    assert _ids(response) == [new.pk]


def test_api_cases_list_since_without_offset_is_the_clinics_time(token, settings):
    settings.TIME_ZONE = "Europe/London"
    case = submitted_case()
    # 09:30 in London in summer is 08:30 UTC.
    _changed(case, dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC))

    before = caller(token).get("/api/v1/cases/", {"since": "2026-07-01T09:30:00"})
    after = caller(token).get("/api/v1/cases/", {"since": "2026-07-01T09:30:01"})

    assert (_ids(before), _ids(after)) == ([case.pk], [])


@pytest.mark.parametrize(
    "since",
    ["yesterday", "2026-13-01T00:00:00Z", "", "01/11/2026", "' OR 1=1 --", *PAYLOADS],
)
def test_api_cases_list_unreadable_since_is_400(token, since):
    response = caller(token).get("/api/v1/cases/", {"since": since})

    assert (response.status_code, response.json()) == (
        400,
        {"since": ["Give a date and time such as 2026-12-01T09:00:00Z."]},
    )


def test_api_cases_list_cursor_pages_every_case_once(token):
    cases = [submitted_case(name=f"Pat {name}") for name in ("Ann", "Bob", "Cat")]
    start = timezone.now() - dt.timedelta(hours=3)
    for hours, case in enumerate(cases):
        _changed(case, start + dt.timedelta(hours=hours))
    api = caller(token)

    seen = []
    url = "/api/v1/cases/?page_size=2"
    while url:
        page = api.get(url).json()
        seen.append([row["id"] for row in page["results"]])
        url = page["next"]

    assert seen == [[cases[0].pk, cases[1].pk], [cases[2].pk]]


def test_api_cases_list_a_tampered_cursor_is_404_json(token):
    response = caller(token).get("/api/v1/cases/", {"cursor": "not-a-cursor"})

    assert (response.status_code, response.json()) == (404, {"detail": "Invalid cursor"})


def test_api_cases_list_page_size_is_capped(token):
    submitted_case()

    response = caller(token).get("/api/v1/cases/", {"page_size": "100000"})

    assert (response.status_code, len(response.json()["results"])) == (200, 1)


def test_api_cases_list_since_a_date_alone_is_its_start(token):
    case = submitted_case()
    _changed(case, dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC))

    response = caller(token).get("/api/v1/cases/", {"since": "2026-11-01"})

    assert _ids(response) == [case.pk]


def _list_queries(token: str) -> int:
    # The rate limit's counter is created on a client's first call and counted up after that:
    # a first call, then the one measured.
    caller(token).get("/api/v1/cases/")
    with CaptureQueriesContext(connection) as queries:
        response = caller(token).get("/api/v1/cases/")
    assert response.status_code == 200
    return len(queries)


def test_api_cases_list_query_count_is_the_same_for_one_and_many(token):
    submitted_case(name="Ann One")
    one = _list_queries(token)
    for name in ("Bob", "Cat", "Dan", "Eve"):
        submitted_case(name=f"{name} More")

    many = _list_queries(token)

    assert many == one


# --- one case ---------------------------------------------------------------------------------


def test_api_cases_one_case_has_the_documented_shape(token):
    case = submitted_case(rectal_bleeding="yes")
    result = case.current_assessment.result

    response = caller(token).get(f"/api/v1/cases/{case.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": case.pk,
        "case_number": f"C-{case.pk:06d}",
        "patient_id": case.patient_id,
        "status": "new",
        "submitted_at": _iso(case.submitted_at),
        "updated_at": _iso(case.updated_at),
        "closed_at": None,
        "urgent": True,
        "crisis": case.crisis,
        "emergency": case.emergency,
        "contact_needed_at": _iso(case.contact_needed_at),
        "contacted_at": None,
        "rls_status": case.rls_status,
        "ibs_status": case.ibs_status,
        "ruleset_version": case.current_assessment.ruleset_version,
        "flags": {name: flag["value"] for name, flag in result["flags"].items()},
        "red_flags": [reason["rule"] for reason in result["urgent"]["reasons"]],
        "language": None,
    }
    assert response.json()["red_flags"] != []


def test_api_cases_one_case_carries_no_free_text(token):
    case = submitted_case(name="Zed " + PAYLOADS[0].replace("<", "").replace(">", ""))

    content = caller(token).get(f"/api/v1/cases/{case.pk}/").content.decode()

    assert case.patient.full_name not in content
    assert "reason" not in content
    assert "because" not in content


def test_api_cases_one_case_is_audited_as_a_view_of_that_case(token):
    case = submitted_case()

    caller(token).get(f"/api/v1/cases/{case.pk}/")

    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor_label, event.intake_id, event.patient_id, event.summary) == (
        "API client Clinic EHR",
        case.pk,
        case.patient_id,
        "API case",
    )


@pytest.mark.parametrize("path", ["/api/v1/cases/{id}/", "/api/v1/cases/{id}/fhir/"])
def test_api_cases_a_draft_answers_exactly_like_a_missing_case(token, path):
    invitation, _ = open_invitation(name="Dee Draft")
    api = caller(token)

    draft = api.get(path.format(id=invitation.intake_id))
    missing = api.get(path.format(id=999_999))

    assert (draft.status_code, draft.json()) == (404, NOT_FOUND)
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert AuditEvent.objects.filter(action__in=[AuditAction.VIEW, AuditAction.EXPORT]).count() == 0


@pytest.mark.parametrize("path", ["/api/v1/cases/-1/", "/api/v1/cases/abc/", "/api/v1/cases/1.5/"])
def test_api_cases_a_bad_id_is_404(token, path):
    response = caller(token).get(path)

    assert response.status_code == 404


def test_api_cases_one_case_refuses_writes(token):
    case = submitted_case()

    response = caller(token).post(
        f"/api/v1/cases/{case.pk}/", {"status": "closed"}, content_type="application/json"
    )

    assert (response.status_code, response.json()) == (
        405,
        {"detail": 'Method "POST" not allowed.'},
    )
    case.refresh_from_db()
    assert case.status == "new"


# --- FHIR -------------------------------------------------------------------------------------


def test_api_cases_fhir_bundle_is_the_case_pages_bundle_audited_as_an_export(token):
    case = submitted_case()

    response = caller(token).get(f"/api/v1/cases/{case.pk}/fhir/")

    assert (response.status_code, response["Content-Type"]) == (200, fhir_exports.FHIR_JSON)
    bundle = json.loads(response.content)
    model_of(bundle)
    assert check_transaction(bundle) == []
    expected = fhir_exports.case_bundle(intake=case)
    assert [entry["resource"]["resourceType"] for entry in bundle["entry"]] == [
        entry["resource"]["resourceType"] for entry in expected["entry"]
    ]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor_label, event.intake_id, event.summary) == (
        "API client Clinic EHR",
        case.pk,
        "FHIR bundle through the API",
    )


def test_api_cases_fhir_questionnaire_equals_the_generated_one(token):
    response = caller(token).get("/api/v1/questionnaire/")

    assert (response.status_code, response["Content-Type"]) == (200, fhir_exports.FHIR_JSON)
    assert json.loads(response.content) == fhir_questionnaire.questionnaire(
        site_url=settings.SITE_URL
    )
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor_label, event.intake_id, event.summary) == (
        "API client Clinic EHR",
        None,
        "FHIR Questionnaire through the API",
    )

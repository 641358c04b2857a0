"""Every registered URL, opened by a clinic admin (who may open every staff and admin page) with
real records behind it: no page may be kept by a cache, and every page that shows a patient's
name or full date of birth puts the view on record in the audit log.

The URLs come from the resolver (tests/url_walk.py), so a page added later is walked too."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import services
from intake.enums import AuditAction
from intake.models import (
    ApiClient,
    AuditEvent,
    ClinicSettings,
    Intake,
    Invitation,
    LabResultEntry,
    LicensedInstrument,
    Note,
    OutboxMessage,
    Patient,
    TestRecommendation,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.factories import login_verified, submitted_case
from tests.url_walk import Route, routes

pytestmark = pytest.mark.django_db

NAME = "Walter Walkthrough"
BORN = dt.date(1975, 6, 7)
NEVER_CACHE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
# Intake pages whose <pk> is not a case's.
PATIENT_PK = {
    "patient",
    "export_patient_json",
    "export_patient_pdf",
    "erase_patient",
    "patient_contact",
}
INVITATION_PK = {"revoke_invitation", "reissue_invitation", "send_reminder"}


@pytest.fixture
def admin_browser(clinic_admin, settings) -> Client:
    settings.RATE_LIMIT_PATIENT = "1000/h"
    return login_verified(Client(), clinic_admin)


@pytest.fixture
def records(clinic_admin, practitioner) -> dict[str, object]:
    """One of everything a page can be about, all about one patient where that applies."""
    case = submitted_case(name=NAME, born=BORN)
    services.add_note(intake_id=case.pk, text="Called back", by=practitioner)
    case = services.record_results(
        intake_id=case.pk,
        version=Intake.objects.get(pk=case.pk).version,
        results=[{"test": "tsh", "value": 2, "unit": "mIU/L", "taken_on": "2026-01-05"}],
        by=practitioner,
    )
    patient = case.patient
    LicensedInstrument.objects.create(
        version="1", licence_ref="L-1", items=["item"] * 10, choice_labels=["0"] * 5
    )
    StaticDevice.objects.create(user=clinic_admin, name="backup")
    ApiClient.objects.create(name="Clinic EHR", token_hash="0" * 64, token_prefix="00000000")
    endpoint = WebhookEndpoint.objects.create(
        url="https://ehr.example.org/hook", description="Clinic EHR", secret="whsec_walk"
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        message=OutboxMessage.objects.create(
            kind="webhook_submitted",
            channel="webhook",
            recipient="https://ehr.example.org",
            context={"endpoint": endpoint.pk},
            intake=case,
            next_attempt_at=case.submitted_at,
            idempotency_key="webhook:walk",
        ),
        attempt=1,
        attempted_at=case.submitted_at,
        status_code=200,
        duration_ms=4,
    )
    AccessAttempt.objects.create(username="someone", ip_address="10.0.0.1", failures_since_start=1)
    AccessLog.objects.create(username="someone", ip_address="10.0.0.1")
    AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1")
    # The admin's own history of changes, shown on its home page and a record's history page.
    LogEntry.objects.create(
        user=clinic_admin,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(patient.pk),
        object_repr=str(patient),
        action_flag=CHANGE,
        change_message="[]",
    )
    return {
        "case": case,
        "patient": patient,
        "invitation": Invitation.objects.get(intake=case),
        "by_model": {
            Patient: patient.pk,
            Intake: case.pk,
            Invitation: Invitation.objects.get(intake=case).pk,
            TestRecommendation: TestRecommendation.objects.filter(intake=case).first().pk,
            Note: Note.objects.get(intake=case).pk,
            LabResultEntry: LabResultEntry.objects.get(intake=case).pk,
            AuditEvent: AuditEvent.objects.filter(patient=patient).first().pk,
            TOTPDevice: TOTPDevice.objects.get(user=clinic_admin).pk,
            Group: Group.objects.order_by("pk").first().pk,
            # Made by a migration, so gone after a transactional test's flush: made here.
            ClinicSettings: ClinicSettings.load().pk,
        },
        "admin_user": clinic_admin,
    }


def _values(route: Route, records: dict) -> dict[str, object]:
    case, patient = records["case"], records["patient"]
    pk = case.pk
    short = route.name.removeprefix("intake:")
    if short in PATIENT_PK:
        pk = patient.pk
    elif short in INVITATION_PK:
        pk = records["invitation"].pk
    elif route.name.startswith("admin:otp_totp_totpdevice"):
        pk = records["by_model"][TOTPDevice]
    object_id = "1"
    if route.model_admin is not None:
        model = route.model_admin.model
        object_id = records["by_model"].get(model) or model._default_manager.order_by("pk")[0].pk
    values = {
        "pk": pk,
        "object_id": object_id,
        "id": records["admin_user"].pk,
        "content_type_id": ContentType.objects.get_for_model(Patient).pk,
        "token": "not-a-link",
        "slug": "about-you",
        "app_label": "intake",
        "url": "no-such-page/",
    }
    for param in route.params:
        values.setdefault(param, pk)  # a new kind of parameter: walked with the case's id
    if route.name == "admin:view_on_site":
        values["object_id"] = patient.pk
    return values


def _every_get(admin_browser: Client, records: dict) -> list[tuple[str, object, list]]:
    """(path, response, audit events it wrote) for a GET of every URL pattern."""
    seen = []
    for route in routes():
        path = route.path(_values(route, records))
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = admin_browser.get(path)
        events = list(AuditEvent.objects.filter(pk__gt=last).values_list("action", "summary"))
        seen.append((path, response, events))
    return seen


def _text(response) -> str:
    if response.streaming:
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        pages = pypdf.PdfReader(io.BytesIO(content)).pages
        return "".join(page.extract_text() for page in pages)
    return content.decode("utf-8", errors="replace")


def test_every_page_forbids_caching(admin_browser, records):
    cached = {}
    for path, response, _events in _every_get(admin_browser, records):
        directives = {
            part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()
        }
        if directives != NEVER_CACHE:
            cached[path] = sorted(directives)

    assert cached == {}


def test_staff_csv_export_forbids_caching(admin_browser, records):
    response = admin_browser.get("/staff/export.csv")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_every_page_showing_a_patients_name_or_birth_date_is_audited(admin_browser, records):
    shown = []
    unaudited = []
    for path, response, events in _every_get(admin_browser, records):
        text = _text(response)
        if NAME in text or BORN.isoformat() in text:
            shown.append(path)
            if not [action for action, _summary in events if action != AuditAction.LOGIN]:
                unaudited.append(path)

    assert unaudited == [], unaudited
    # The walk reached the pages that show patients (else it proves nothing).
    patient = records["patient"]
    assert {
        f"/staff/patients/{patient.pk}/",
        f"/staff/patients/{patient.pk}/erase/",
        f"/admin/intake/patient/{patient.pk}/history/",
        f"/admin/intake/patient/{patient.pk}/change/",
        f"/staff/cases/{records['case'].pk}/",
        "/admin/",
    } - set(shown) == set()


def test_erasure_page_view_is_audited_with_the_patient(admin_browser, records, clinic_admin):
    patient = records["patient"]

    admin_browser.get(f"/staff/patients/{patient.pk}/erase/")

    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.actor_id, event.patient_id, event.summary) == (
        AuditAction.VIEW,
        clinic_admin.pk,
        patient.pk,
        "erasure page",
    )


@pytest.mark.parametrize("model", ["patient", "intake"])
def test_admin_history_page_view_is_audited_with_the_patient(
    admin_browser, records, clinic_admin, model
):
    patient, case = records["patient"], records["case"]
    object_id = patient.pk if model == "patient" else case.pk

    admin_browser.get(f"/admin/intake/{model}/{object_id}/history/")

    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.actor_id, event.patient_id, event.summary) == (
        AuditAction.VIEW,
        clinic_admin.pk,
        patient.pk,
        "admin change history",
    )

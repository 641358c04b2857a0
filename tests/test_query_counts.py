"""Every list and detail page runs as many queries for several rows as for one: no query per
row (N+1). Each test counts a page's queries with one row, adds rows, counts again and
compares the two counts, so a page may change its fixed cost freely but never grow with its
rows. The work queue and the case page have their own query-count tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import middleware, services
from intake.enums import AuditAction, Role
from intake.models import (
    AuditEvent,
    ClinicSettings,
    Intake,
    Invitation,
    LabResultEntry,
    LicensedInstrument,
    Note,
    Patient,
    TestRecommendation,
    WebhookDelivery,
    WebhookEndpoint,
)
from intake.notifications.models import OutboxChannel, OutboxKind, OutboxMessage, OutboxState
from intake.services import webhooks
from tests.api_clients import READ, api_client, caller
from tests.factories import login_verified, open_invitation, staff_user, submitted_case

SEVERAL = 3
# Unique names and numbers for the rows made here.
_serial = itertools.count()
# A PHQ-9 with thoughts of self-harm: contact needed today (R3-23).
SELF_HARM = {"phq9_items": [0, 0, 0, 0, 0, 0, 0, 0, 2]}


@pytest.fixture(autouse=True)
def _idle_clock_written_once(monkeypatch):
    # A staff request writes the session when the idle clock's last restart is a minute old;
    # a slow run could cross that minute between the two GETs below and count one more query.
    monkeypatch.setattr(middleware, "IDLE_CLOCK_STEP_SECONDS", 24 * 60 * 60)


def page_queries(client: Client, url: str) -> list[str]:
    """The SQL of one GET of `url`, after a first GET that fills the per-process caches
    (content types, permissions) so that only the page's own queries are counted."""
    assert client.get(url, follow=True).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries.captured_queries]


def one_then_several(client: Client, url: Callable[[], str], add: Callable[[int], object]):
    """The queries of the page at `url()` with one row (`add(1)`), then with SEVERAL rows."""
    add(1)
    one = page_queries(client, url())
    add(SEVERAL - 1)
    several = page_queries(client, url())
    return one, several


def same_count(one: list[str], several: list[str]) -> bool:
    """Whether the two pages ran as many queries; if not, the queries are printed (pytest
    shows them with the failure) to find the one run per row."""
    if len(one) != len(several):
        print("With one row:", *one, "With several rows:", *several, sep="\n")
    return len(one) == len(several)


def signed_in(user) -> Client:
    return login_verified(Client(), user)


def cases(n: int, **answers) -> list[Intake]:
    """`n` submitted cases, each assigned to a practitioner of its own, so that the relations
    a row shows are filled."""
    made = []
    for _ in range(n):
        serial = next(_serial)
        case = submitted_case(name=f"Case Patient {serial}", **answers)
        assignee = staff_user(f"assignee.{serial}", Role.PRACTITIONER)
        Intake.objects.filter(pk=case.pk).update(assigned_to=assignee)
        case.refresh_from_db()
        made.append(case)
    return made


# ---- the staff pages ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "export.json"])
def test_patient_record_queries_do_not_grow_with_the_patients_questionnaires(clinic_admin, page):
    # The record page and the subject-access export, with one questionnaire then several, each
    # assigned and with a note.
    client = signed_in(clinic_admin)
    first = submitted_case(name="Record Patient")
    patient = first.patient
    other = staff_user("record.reader", Role.PRACTITIONER)

    def add(n: int) -> None:
        for _ in range(n):
            invitation, _token = open_invitation(name="Record Patient")
            intake = invitation.intake
            Intake.objects.filter(pk=intake.pk).update(patient=patient, assigned_to=other)
            Note.objects.create(intake=intake, author=other, text="Rang back")

    one, several = one_then_several(client, lambda: f"/staff/patients/{patient.pk}/{page}", add)

    assert Intake.objects.filter(patient=patient).count() == SEVERAL + 1
    assert same_count(one, several)


def test_invitations_list_queries_do_not_grow_with_the_invitations(clinic_admin):
    client = signed_in(clinic_admin)

    def add(n: int) -> None:
        for i in range(n):
            invitation, _token = open_invitation(
                name=f"Invited {Invitation.objects.count()}",
                email=f"p{Invitation.objects.count()}@example.org",
                created_by=clinic_admin,
                email_link=i % 2 == 0,
            )

    one, several = one_then_several(client, lambda: "/staff/invitations/", add)

    assert Invitation.objects.count() == SEVERAL
    assert same_count(one, several)


def test_invitation_page_queries_do_not_grow_with_the_links_messages(clinic_admin):
    # The link page, shown after re-issuing a link by email: the same count whatever the
    # intake's earlier links and messages.
    client = signed_in(clinic_admin)
    invitation, _token = open_invitation(name="Link Patient", email="link@example.org")

    def reissue() -> list[str]:
        live = Invitation.objects.filter(intake=invitation.intake).latest("pk")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/staff/invitations/{live.pk}/reissue/", {"email_link": "1"}, follow=False
            )
        assert response.status_code == 200
        return [query["sql"] for query in queries.captured_queries]

    reissue()
    one = reissue()
    for _ in range(SEVERAL - 1):
        reissue()
    several = reissue()

    assert Invitation.objects.filter(intake=invitation.intake).count() == SEVERAL + 3
    assert same_count(one, several)


def test_retention_list_queries_do_not_grow_with_the_records_due(clinic_admin):
    client = signed_in(clinic_admin)
    long_ago = timezone.now() - dt.timedelta(days=20 * 365)

    def add(n: int) -> None:
        for case in cases(n):
            Patient.objects.filter(pk=case.patient_id).update(created_at=long_ago)
            Intake.objects.filter(patient=case.patient_id).update(updated_at=long_ago)

    one, several = one_then_several(client, lambda: "/staff/retention/", add)

    assert same_count(one, several)


def test_staff_overview_queries_do_not_grow_with_the_cases(clinic_admin):
    client = signed_in(clinic_admin)

    def add(n: int) -> None:
        for case in cases(n):
            services.record_event(action=AuditAction.VIEW, actor=clinic_admin, intake=case)
        open_invitation(name=f"Draft {Intake.objects.count()}")

    one, several = one_then_several(client, lambda: "/staff/overview/", add)

    assert same_count(one, several)


def test_contact_needed_list_queries_do_not_grow_with_the_patients_waiting(practitioner):
    # The list at the top of the work queue: submitted cases and drafts alike.
    client = signed_in(practitioner)

    def add(n: int) -> None:
        cases(n, **SELF_HARM)

    one, several = one_then_several(client, lambda: "/staff/", add)

    waiting = Intake.objects.filter(contact_needed_at__isnull=False, contacted_at__isnull=True)
    assert waiting.count() == SEVERAL
    assert same_count(one, several)


# ---- the admin: every registered model's list and change page -----------------------------


def _users(n: int) -> list:
    start = get_user_model().objects.count()
    return [staff_user(f"staff.{start + i}", Role.PRACTITIONER) for i in range(n)]


def _attempt_fields() -> dict:
    i = next(_serial)
    return {
        "user_agent": "test browser",
        "ip_address": f"192.0.2.{i % 250 + 1}",
        "username": f"someone.{i}",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }


def _devices(model) -> Callable[[int], list]:
    return lambda n: [model.objects.create(user=user, name="app") for user in _users(n)]


def _groups(n: int) -> list[Group]:
    start = Group.objects.count()
    permissions = list(Permission.objects.all()[:3])
    made = []
    for i in range(n):
        group = Group.objects.create(name=f"Group {start + i}")
        group.permissions.set(permissions)
        made.append(group)
    return made


def _recommendations(n: int) -> list[TestRecommendation]:
    made = []
    for case in cases(n):
        made.extend(case.recommendations.all()[:1])
    return made


def _audit_events(n: int) -> list[AuditEvent]:
    actor = _users(1)[0]
    return [
        services.record_event(
            action=AuditAction.VIEW, actor=actor, intake=case, obj=case, summary="case page"
        )
        for case in cases(n)
    ]


def _notes(n: int) -> list[Note]:
    author = _users(1)[0]
    return [Note.objects.create(intake=case, author=author, text="Rang back") for case in cases(n)]


def _lab_results(n: int) -> list[LabResultEntry]:
    by = _users(1)[0]
    return [
        LabResultEntry.objects.create(
            intake=case,
            test="ferritin",
            value=40,
            unit="ng/mL",
            taken_on=dt.date(2026, 11, 1),
            entered_by=by,
        )
        for case in cases(n)
    ]


def _instruments(n: int) -> list[LicensedInstrument]:
    start = LicensedInstrument.objects.count()
    return [
        LicensedInstrument.objects.create(
            name="irls",
            version=f"v{start + i}",
            licence_ref=f"LIC-{start + i}",
            items=[],
            choice_labels=[],
        )
        for i in range(n)
    ]


def _invitations(n: int) -> list[Invitation]:
    creator = _users(1)[0]
    start = Invitation.objects.count()
    return [open_invitation(name=f"Invited {start + i}", created_by=creator)[0] for i in range(n)]


def _endpoints(n: int) -> list[WebhookEndpoint]:
    made = []
    for _ in range(n):
        endpoint = WebhookEndpoint(url=f"https://ehr{next(_serial)}.example.org/hook")
        webhooks.register_webhook_endpoint(endpoint=endpoint, by=None)
        made.append(endpoint)
    return made


def _deliveries(n: int) -> list[WebhookDelivery]:
    # Each attempt at a submission notice: its own endpoint, message and case.
    made = []
    # The cases first: a case submitted after an endpoint is registered has its notice queued.
    for case, endpoint in zip(cases(n), _endpoints(n), strict=True):
        message = OutboxMessage.objects.create(
            kind=OutboxKind.WEBHOOK_SUBMITTED,
            channel=OutboxChannel.WEBHOOK,
            recipient=endpoint.url,
            context={"endpoint": endpoint.pk},
            intake=case,
            state=OutboxState.SENT,
            attempts=1,
            sent_at=timezone.now(),
            next_attempt_at=timezone.now(),
            idempotency_key=f"webhook:{endpoint.pk}:submitted:{case.pk}",
        )
        made.append(
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                message=message,
                attempt=1,
                attempted_at=timezone.now(),
                status_code=204,
                duration_ms=5,
            )
        )
    return made


# How to make n rows of each model the admin lists; a model registered without one here fails
# test_every_admin_model_has_rows_for_its_query_count.
ADMIN_ROWS: dict[str, Callable[[int], list]] = {
    "auth.Group": _groups,
    "auth.User": _users,
    "axes.AccessAttempt": lambda n: [
        AccessAttempt.objects.create(
            **_attempt_fields(), get_data="", post_data="", failures_since_start=1
        )
        for _ in range(n)
    ],
    "axes.AccessLog": lambda n: [AccessLog.objects.create(**_attempt_fields()) for _ in range(n)],
    "axes.AccessFailureLog": lambda n: [
        AccessFailureLog.objects.create(**_attempt_fields()) for _ in range(n)
    ],
    "otp_totp.TOTPDevice": _devices(TOTPDevice),
    "otp_static.StaticDevice": _devices(StaticDevice),
    "intake.Patient": lambda n: [case.patient for case in cases(n)],
    "intake.Intake": cases,
    "intake.Assessment": lambda n: [case.current_assessment for case in cases(n)],
    "intake.TestRecommendation": _recommendations,
    "intake.AuditEvent": _audit_events,
    "intake.LicensedInstrument": _instruments,
    "intake.Invitation": _invitations,
    "intake.Note": _notes,
    "intake.LabResultEntry": _lab_results,
    # One row only: the clinic's settings.
    "intake.ClinicSettings": lambda n: [ClinicSettings.load()],
    "intake.WebhookEndpoint": _endpoints,
    "intake.WebhookDelivery": _deliveries,
    "intake.ApiClient": lambda n: [api_client(name=f"EHR {next(_serial)}")[0] for _ in range(n)],
}
REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def test_every_admin_model_has_rows_for_its_query_count():
    assert sorted(set(REGISTERED) - set(ADMIN_ROWS)) == []


def _admin_url(label: str, view: str, *args) -> str:
    app_label, model_name = label.lower().split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    # Sees every model the admin registers.
    user = get_user_model().objects.create_superuser(username="root", password="x-pass-12345")
    return user


@pytest.mark.parametrize("label", [label for label in REGISTERED if label in ADMIN_ROWS])
def test_admin_changelist_queries_do_not_grow_with_the_rows(superuser, label):
    client = signed_in(superuser)
    add = ADMIN_ROWS[label]

    one, several = one_then_several(client, lambda: _admin_url(label, "changelist"), add)

    assert same_count(one, several)


@pytest.mark.parametrize("label", [label for label in REGISTERED if label in ADMIN_ROWS])
def test_admin_change_page_queries_do_not_grow_with_the_rows(superuser, label):
    client = signed_in(superuser)
    rows = ADMIN_ROWS[label](1)
    url = _admin_url(label, "change", rows[0].pk)
    one = page_queries(client, url)

    ADMIN_ROWS[label](SEVERAL - 1)
    several = page_queries(client, url)

    assert same_count(one, several)


def test_admin_intake_page_queries_do_not_grow_with_its_links(superuser):
    # The intake's page lists its invitation links (an inline): one, then re-issued.
    client = signed_in(superuser)
    invitation, _token = open_invitation(name="Reissued Patient")
    url = _admin_url("intake.Intake", "change", invitation.intake_id)

    def add(n: int) -> None:
        for _ in range(n):
            live = Invitation.objects.filter(
                intake=invitation.intake, revoked_at__isnull=True
            ).get()
            services.reissue_invitation(invitation=live, by=superuser)

    one = page_queries(client, url)
    add(SEVERAL - 1)
    several = page_queries(client, url)

    assert Invitation.objects.filter(intake=invitation.intake).count() == SEVERAL
    assert same_count(one, several)


# ---- the API --------------------------------------------------------------------------------


def test_api_case_list_queries_do_not_grow_with_the_cases(db):
    _client, token = api_client(scopes=(READ,))
    client = caller(token)

    one, several = one_then_several(client, lambda: "/api/v1/cases/", cases)

    assert same_count(one, several)


@pytest.mark.parametrize("suffix", ["", "fhir/"])
def test_api_case_detail_queries_do_not_grow_with_the_cases_records(db, suffix):
    # One case, with one then several notes, results and decisions behind it.
    _client, token = api_client(scopes=(READ,))
    client = caller(token)
    case = submitted_case()
    author = _users(1)[0]

    def add(n: int) -> None:
        for _ in range(n):
            Note.objects.create(intake=case, author=author, text="Rang back")
            LabResultEntry.objects.create(
                intake=case,
                test="ferritin",
                value=40,
                unit="ng/mL",
                taken_on=dt.date(2026, 11, 1),
                entered_by=author,
            )

    one, several = one_then_several(client, lambda: f"/api/v1/cases/{case.pk}/{suffix}", add)

    assert same_count(one, several)

"""Data protection: the subject-access export, erasure on request and the retention review."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import questionnaire, selectors, services
from intake.enums import AuditAction, Decision, Role
from intake.models import (
    Assessment,
    AuditEvent,
    Intake,
    Invitation,
    LabResultEntry,
    Note,
    Patient,
    TestRecommendation,
)
from intake.roles import ROLE_PERMISSIONS
from tests.factories import login_verified, open_invitation, submitted_case

pytestmark = pytest.mark.django_db

MARKER = "MARKER-7f3a9c-crawly-fizzy-legs"
CHILD_BORN = dt.date(timezone.localdate().year - 10, 6, 15)


def _worked_case(practitioner, *, own_words: str = "they feel like fizzy bugs") -> Intake:
    """A child's submitted case a practitioner has worked on: a declined test with a reason,
    a note, a result (so a second assessment), and a fresh link for a second questionnaire."""
    case = submitted_case(
        name="Robin Child",
        born=CHILD_BORN,
        guardian_completed=True,
        rls_child_own_words=own_words,
    )
    case = services.assign_case(
        intake_id=case.pk, version=case.version, assignee=practitioner, by=practitioner
    )
    rec = TestRecommendation.objects.filter(assessment=case.current_assessment).first()
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=rec.pk,
        decision=Decision.DECLINED,
        reason=f"Family declined; {own_words}",
        by=practitioner,
    )
    services.add_note(intake_id=case.pk, text=f"Mum says: {own_words}", by=practitioner)
    case.refresh_from_db()
    services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[{"test": "ferritin", "value": 30, "unit": "ng/mL", "taken_on": "2026-01-05"}],
        by=practitioner,
    )
    services.create_invitation(
        full_name="Robin Child", date_of_birth=CHILD_BORN, created_by=practitioner
    )
    case.refresh_from_db()
    return case


def _tables_containing(text: str) -> set[str]:
    """Every table with a row whose columns, as text, contain `text`: the whole database."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            if any(text in str(value) for row in cursor.fetchall() for value in row):
                found.add(table)
    return found


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


# --- the subject-access export --------------------------------------------------------------


def test_subject_access_data_has_every_section(practitioner):
    case = _worked_case(practitioner)
    patient = case.patient

    data = selectors.subject_access_data(patient=patient)

    assert list(data) == ["generated_at", *selectors.SUBJECT_ACCESS_SECTIONS]
    assert data["patient"] == {
        "id": patient.pk,
        "full_name": "Robin Child",
        "date_of_birth": CHILD_BORN.isoformat(),
        "email": "",
        "mobile_phone": "",
        "preferred_channel": "email",
        "mrn": "",
        "created_at": timezone.localtime(patient.created_at).isoformat(timespec="seconds"),
        "erased_at": None,
        "erased_by": None,
        "erasure_reason": "",
    }
    assert [row["case_number"] for row in data["intakes"]] == [
        case.case_number,
        Intake.objects.exclude(pk=case.pk).get(patient=patient).case_number,
    ]
    first = data["intakes"][0]
    assert first["answers"] == case.answers
    assert first["consent"] == {
        "name": "Robin Child",
        "version": case.consent_version,
        "at": timezone.localtime(case.consented_at).isoformat(timespec="seconds"),
    }
    assert first["assigned_to"] == "pat.practitioner"
    assert (first["contact_needed_at"], first["contact_reasons"], first["contacted_by"]) == (
        None,
        [],
        None,
    )
    assert [row["kind"] for row in data["assessments"]] == ["submission", "results"]
    assert data["assessments"][0]["result"] == Assessment.objects.earliest().result
    declined = [r for r in data["recommendations"] if r["decision"] == Decision.DECLINED]
    # Declined on the submission's assessment, carried over to the re-evaluation's.
    assert [(r["assessment_id"], r["decision_reason"], r["decided_by"]) for r in declined] == [
        (row["id"], "Family declined; they feel like fizzy bugs", "pat.practitioner")
        for row in data["assessments"]
    ]
    assert [(n["author"], n["text"]) for n in data["notes"]] == [
        ("pat.practitioner", "Mum says: they feel like fizzy bugs")
    ]
    assert [(lab["test"], lab["value"], lab["taken_on"]) for lab in data["lab_results"]] == [
        ("ferritin", 30, "2026-01-05")
    ]
    assert len(data["invitations"]) == 2
    # Each step the patient saved is on record as a change (tested in test_audit.py).
    saves = [event for event in data["audit_events"] if event["action"] == AuditAction.UPDATE]
    assert len(saves) >= len(questionnaire.applicable_steps(services.facts_for(case)))
    assert [e for e in saves if not e["summary"].startswith(("answers saved", "consent"))] == []
    assert [
        event["action"] for event in data["audit_events"] if event["action"] != AuditAction.UPDATE
    ] == [
        AuditAction.INVITATION_CREATED,
        AuditAction.SUBMIT,
        AuditAction.ASSIGN,
        AuditAction.DECISION,
        AuditAction.NOTE,
        AuditAction.RESULTS,
        AuditAction.DECISION,  # the decline carried over to the re-evaluation
        AuditAction.INVITATION_CREATED,
    ]


def test_subject_access_data_has_no_token_hashes(practitioner):
    case = _worked_case(practitioner)
    hashes = list(Invitation.objects.values_list("token_hash", flat=True))

    text = json.dumps(selectors.subject_access_data(patient=case.patient))

    assert len(hashes) == 2
    assert [h for h in hashes if h in text] == []
    assert "token_hash" not in text
    assert set(json.loads(text)["invitations"][0]) == {
        "case_number",
        "created_at",
        "created_by",
        "via_public_start",
        "expires_at",
        "revoked_at",
        "last_opened_at",
    }


def test_subject_access_data_ip_address_only_for_the_patients_own_events(practitioner):
    invitation, _ = open_invitation()
    services.mark_opened(invitation=invitation, ip_address="198.51.100.7")
    services.record_event(
        action=AuditAction.VIEW,
        actor=practitioner,
        intake=invitation.intake,
        ip_address="203.0.113.9",
    )

    events = selectors.subject_access_data(patient=invitation.intake.patient)["audit_events"]

    assert [(e["actor"], e["action"], e["ip_address"]) for e in events] == [
        ("patient link", AuditAction.INVITATION_CREATED, None),
        ("patient link", AuditAction.INVITATION_OPENED, "198.51.100.7"),
        ("pat.practitioner", AuditAction.VIEW, None),
    ]


def test_export_subject_access_json_is_the_data_and_is_audited(clinic_admin, practitioner):
    case = _worked_case(practitioner)
    stamp = timezone.localtime().strftime("%Y%m%d")

    content, content_type, filename = services.export_subject_access(
        patient=case.patient, by=clinic_admin, fmt="json", ip_address="192.0.2.1"
    )

    data = json.loads(content.decode("utf-8"))
    event = AuditEvent.objects.latest("pk")
    assert content_type == "application/json"
    assert filename == f"patient-{case.patient.pk}-subject-access-{stamp}.json"
    assert data["patient"]["full_name"] == "Robin Child"
    assert (event.action, event.actor, event.patient, event.summary, event.ip_address) == (
        AuditAction.EXPORT,
        clinic_admin,
        case.patient,
        "subject access export (json)",
        "192.0.2.1",
    )


def test_export_subject_access_pdf_is_a_pdf(clinic_admin, practitioner):
    case = _worked_case(practitioner)

    content, content_type, filename = services.export_subject_access(
        patient=case.patient, by=clinic_admin, fmt="pdf"
    )

    assert content[:4] == b"%PDF"
    assert content_type == "application/pdf"
    assert filename.endswith(".pdf")
    assert AuditEvent.objects.latest("pk").summary == "subject access export (pdf)"


def test_export_subject_access_unknown_format_refused(clinic_admin, practitioner):
    case = submitted_case()

    with pytest.raises(services.IntakeError) as refusal:
        services.export_subject_access(patient=case.patient, by=clinic_admin, fmt="xml")

    assert str(refusal.value) == "Choose JSON or PDF."


# --- erasure ----------------------------------------------------------------------------------


def test_erase_patient_anonymises_identifying_fields_and_free_text(clinic_admin, practitioner):
    case = _worked_case(practitioner)
    patient = case.patient
    Patient.objects.filter(pk=patient.pk).update(email="robin@example.org")

    services.erase_patient(patient=patient, by=clinic_admin, reason="Written request 3 March")

    patient.refresh_from_db()
    case.refresh_from_db()
    assert (patient.full_name, patient.date_of_birth, patient.email) == (
        f"Erased patient #{patient.pk}",
        dt.date(CHILD_BORN.year, 1, 1),
        "",
    )
    assert "rls_child_own_words" not in case.answers
    assert case.consent_name == "[erased]"
    assert list(Note.objects.values_list("text", flat=True)) == ["[erased]"]
    declined = TestRecommendation.objects.filter(decision=Decision.DECLINED).order_by("pk")
    assert list(declined.values_list("decision_reason", flat=True)) == ["[erased]", "[erased]"]
    assert set(TestRecommendation.objects.values_list("decision_reason", flat=True)) == {
        "",
        "[erased]",
    }
    assert [
        "rls_child_own_words" in answers
        for answers in Assessment.objects.values_list("engine_answers", flat=True)
    ] == [False, False]


def test_erase_patient_keeps_clinical_rows_and_audit_trail(clinic_admin, practitioner):
    case = _worked_case(practitioner)
    before = {
        "assessments": list(Assessment.objects.values_list("pk", "result")),
        "recommendations": list(TestRecommendation.objects.values_list("pk", "test", "decision")),
        "labs": list(LabResultEntry.objects.values_list("pk", "test", "value", "taken_on")),
        "audit": list(AuditEvent.objects.order_by("pk").values()),
    }
    answers_before = {k: v for k, v in case.answers.items() if k != "rls_child_own_words"}

    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Patient's email")

    case.refresh_from_db()
    audit_after = list(AuditEvent.objects.order_by("pk").values())
    assert list(Assessment.objects.values_list("pk", "result")) == before["assessments"]
    assert (
        list(TestRecommendation.objects.values_list("pk", "test", "decision"))
        == before["recommendations"]
    )
    assert (
        list(LabResultEntry.objects.values_list("pk", "test", "value", "taken_on"))
        == before["labs"]
    )
    assert case.answers == answers_before
    assert audit_after[: len(before["audit"])] == before["audit"]
    assert len(audit_after) == len(before["audit"]) + 1
    assert audit_after[-1]["action"] == AuditAction.ERASE


def test_erase_patient_records_who_when_and_why(clinic_admin, practitioner, monkeypatch):
    case = _worked_case(practitioner)
    moment = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    services.erase_patient(
        patient=case.patient,
        by=clinic_admin,
        reason="  Written request 3 March  ",
        ip_address="::1",
    )

    patient = Patient.objects.get(pk=case.patient.pk)
    event = AuditEvent.objects.latest("pk")
    assert (patient.erased_by, patient.erasure_reason) == (clinic_admin, "Written request 3 March")
    assert (patient.erased_at, event.at) == (moment, moment)
    assert (event.action, event.actor_label, event.patient, event.ip_address, event.summary) == (
        AuditAction.ERASE,
        "clinic.admin",
        patient,
        "::1",
        "erasure on request; 2 case(s), 2 link(s) revoked",
    )


def test_erase_patient_revokes_every_invitation(clinic_admin, practitioner):
    case = _worked_case(practitioner)

    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Request")

    assert list(Invitation.objects.filter(revoked_at__isnull=True)) == []


def test_erase_patient_twice_refused_and_changes_nothing(clinic_admin, practitioner):
    case = _worked_case(practitioner)
    services.erase_patient(patient=case.patient, by=clinic_admin, reason="First request")
    events = AuditEvent.objects.count()

    with pytest.raises(services.IntakeError) as refusal:
        services.erase_patient(patient=case.patient, by=practitioner, reason="Second request")

    patient = Patient.objects.get(pk=case.patient.pk)
    assert str(refusal.value) == "This patient's record has already been erased."
    assert (patient.erased_by, patient.erasure_reason) == (clinic_admin, "First request")
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_erase_patient_blank_reason_refused_and_changes_nothing(clinic_admin, reason):
    case = submitted_case(name="Kept Name")
    events = AuditEvent.objects.count()

    with pytest.raises(services.IntakeError) as refusal:
        services.erase_patient(patient=case.patient, by=clinic_admin, reason=reason)

    patient = Patient.objects.get(pk=case.patient.pk)
    assert str(refusal.value) == "Give the reason for the erasure request."
    assert (patient.full_name, patient.erased_at) == ("Kept Name", None)
    assert AuditEvent.objects.count() == events


def test_erase_patient_marker_nowhere_in_database(clinic_admin, practitioner):
    case = _worked_case(practitioner, own_words=MARKER)
    before = _tables_containing(MARKER)

    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Request by parent")

    assert before == {
        "intake_intake",
        "intake_assessment",
        "intake_note",
        "intake_testrecommendation",
    }
    assert _tables_containing(MARKER) == set()
    assert _tables_containing("Robin Child") == set()


def test_erase_patient_renames_admin_history(clinic_admin):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    case = submitted_case(name="Logged Name")
    LogEntry.objects.create(
        user=clinic_admin,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(case.patient.pk),
        object_repr=str(case.patient),
        action_flag=CHANGE,
        change_message="[]",
    )

    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Request")

    assert list(LogEntry.objects.values_list("object_repr", flat=True)) == [
        f"Erased patient #{case.patient.pk} (1980-01-01)"
    ]


# --- who may do it ----------------------------------------------------------------------------


def _granted(role: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_records_role_migration_grants_manage_records_to_clinic_admins():
    # Run the data migration as `migrate` does, on the historical models, from no roles at
    # all (transactional tests elsewhere flush what the migrations left).
    migration = importlib.import_module("intake.migrations.0006_records_role")
    state = MigrationLoader(connection).project_state(("intake", "0006_records_role"))
    Group.objects.all().delete()

    migration.grant_manage_records(state.apps, None)

    assert _granted(Role.CLINIC_ADMIN) == set(ROLE_PERMISSIONS[Role.CLINIC_ADMIN])
    assert "intake.manage_records" in _granted(Role.CLINIC_ADMIN)
    assert "intake.manage_records" not in _granted(Role.PRACTITIONER)
    assert _granted(Role.AUDITOR) == set(ROLE_PERMISSIONS[Role.AUDITOR])


def _record_urls(pk: int) -> list[str]:
    return [
        f"/staff/patients/{pk}/export.json",
        f"/staff/patients/{pk}/export.pdf",
        f"/staff/patients/{pk}/erase/",
        "/staff/retention/",
    ]


def test_records_urls_practitioner_forbidden(practitioner):
    case = submitted_case()
    client = login_verified(Client(), practitioner)

    statuses = [client.get(url).status_code for url in _record_urls(case.patient.pk)]

    # A patient's record pages answer as if it did not exist; the retention list is refused.
    assert statuses == [404, 404, 404, 403]
    assert client.post(f"/staff/patients/{case.patient.pk}/erase/").status_code == 404


def test_records_urls_anonymous_redirected_to_login(anonymous):
    case = submitted_case()

    locations = [
        (response.status_code, response["Location"])
        for response in (anonymous.get(url) for url in _record_urls(case.patient.pk))
    ]

    assert locations == [
        (302, f"/accounts/login/?next={url}") for url in _record_urls(case.patient.pk)
    ]


def test_records_urls_unknown_patient_not_found(admin_client):
    statuses = [admin_client.get(url).status_code for url in _record_urls(999999)[:3]]

    assert statuses == [404, 404, 404]


def test_records_urls_refuse_wrong_methods(admin_client):
    case = submitted_case()
    pk = case.patient.pk

    statuses = [
        admin_client.post(f"/staff/patients/{pk}/export.json").status_code,
        admin_client.post(f"/staff/patients/{pk}/export.pdf").status_code,
        admin_client.post("/staff/retention/").status_code,
        admin_client.put(f"/staff/patients/{pk}/erase/").status_code,
    ]

    assert statuses == [405, 405, 405, 405]


# --- the pages --------------------------------------------------------------------------------


def test_export_views_download_json_and_pdf(admin_client):
    case = submitted_case(name="Dana Download")
    pk = case.patient.pk
    stamp = timezone.localtime().strftime("%Y%m%d")

    as_json = admin_client.get(f"/staff/patients/{pk}/export.json")
    as_pdf = admin_client.get(f"/staff/patients/{pk}/export.pdf")

    assert as_json.status_code == 200
    assert as_json["Content-Type"] == "application/json"
    assert as_json["Content-Disposition"] == (
        f'attachment; filename="patient-{pk}-subject-access-{stamp}.json"'
    )
    assert json.loads(as_json.content)["patient"]["full_name"] == "Dana Download"
    assert as_pdf["Content-Type"] == "application/pdf"
    assert as_pdf.content[:4] == b"%PDF"
    assert "no-cache" in as_pdf["Cache-Control"]
    assert list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT)
        .order_by("pk")
        .values_list("summary", flat=True)
    ) == ["subject access export (json)", "subject access export (pdf)"]


def test_erase_view_get_shows_the_form(admin_client):
    case = submitted_case(name="Erin Erase")

    response = admin_client.get(f"/staff/patients/{case.patient.pk}/erase/")

    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["reason", "confirm_name"]
    assert 'name="reason"' in page
    assert 'name="confirm_name"' in page
    assert "<strong>Erin Erase</strong>" in page


def test_erase_view_post_erases_and_redirects(admin_client, clinic_admin):
    case = submitted_case(name="Erin Erase")
    pk = case.patient.pk

    response = admin_client.post(
        f"/staff/patients/{pk}/erase/",
        {"reason": "Written request 3 March", "confirm_name": "Erin Erase"},
        follow=True,
    )

    patient = Patient.objects.get(pk=pk)
    assert response.redirect_chain == [(f"/staff/patients/{pk}/", 302)]
    assert (patient.full_name, patient.erased_by) == (f"Erased patient #{pk}", clinic_admin)
    assert [str(m) for m in response.context["messages"]] == [
        "The record was erased: name, email, full date of birth and free text are gone; the "
        "clinical data and the audit trail are kept."
    ]
    assert "Erase on request" not in response.content.decode()


def test_erase_view_without_csrf_token_forbidden(clinic_admin):
    case = submitted_case(name="Erin Erase")
    client = login_verified(Client(enforce_csrf_checks=True), clinic_admin)

    response = client.post(
        f"/staff/patients/{case.patient.pk}/erase/",
        {"reason": "Request", "confirm_name": "Erin Erase"},
    )

    assert response.status_code == 403
    assert Patient.objects.get(pk=case.patient.pk).erased_at is None


def test_erase_view_wrong_name_keeps_the_typed_reason(admin_client):
    case = submitted_case(name="Erin Erase")

    response = admin_client.post(
        f"/staff/patients/{case.patient.pk}/erase/",
        {"reason": "Phoned on 4 March, confirmed in writing", "confirm_name": "erin erase"},
    )

    form = response.context["form"]
    assert response.status_code == 400
    assert form.errors == {
        "confirm_name": ["Type the patient's full name exactly as shown to confirm."]
    }
    assert form["reason"].value() == "Phoned on 4 March, confirmed in writing"
    assert "Phoned on 4 March, confirmed in writing</textarea>" in response.content.decode()
    assert Patient.objects.get(pk=case.patient.pk).erased_at is None


def test_erase_view_blank_reason_shows_the_message(admin_client):
    case = submitted_case(name="Erin Erase")

    response = admin_client.post(
        f"/staff/patients/{case.patient.pk}/erase/", {"reason": "  ", "confirm_name": "Erin Erase"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "reason": ["Give the reason for the erasure request."]
    }


def test_erase_view_already_erased_shows_no_form(admin_client, clinic_admin):
    case = submitted_case(name="Erin Erase")
    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Request")
    pk = case.patient.pk

    page = admin_client.get(f"/staff/patients/{pk}/erase/").content.decode()
    response = admin_client.post(
        f"/staff/patients/{pk}/erase/", {"reason": "Again", "confirm_name": f"Erased patient #{pk}"}
    )

    assert 'name="reason"' not in page
    assert "It cannot be erased again." in page
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This patient's record has already been erased."
    ]


def test_patient_page_links_shown_only_with_manage_records(admin_client, practitioner):
    case = submitted_case()
    url = f"/staff/patients/{case.patient.pk}/"
    practitioner_client = login_verified(Client(), practitioner)

    for_admin = admin_client.get(url).content.decode()
    for_practitioner = practitioner_client.get(url).content.decode()

    erase_link = f'href="/staff/patients/{case.patient.pk}/erase/"'
    assert erase_link in for_admin
    assert f'href="/staff/patients/{case.patient.pk}/export.json"' in for_admin
    assert erase_link not in for_practitioner
    assert "export.json" not in for_practitioner


def test_patient_page_marks_an_erased_patient(admin_client, clinic_admin):
    case = submitted_case()
    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Emailed request")

    page = admin_client.get(f"/staff/patients/{case.patient.pk}/").content.decode()

    assert '<span class="badge text-bg-secondary">Erased</span>' in page
    assert "Reason: Emailed request" in page
    assert "Born 1980 ·" in page


# --- the retention review ---------------------------------------------------------------------


def _age(intake: Intake, *, days: int) -> None:
    then = timezone.now() - dt.timedelta(days=days)
    Patient.objects.filter(pk=intake.patient_id).update(created_at=then)
    Intake.objects.filter(patient=intake.patient_id).update(updated_at=then)


def test_retention_due_lists_only_records_past_the_setting(settings, clinic_admin):
    settings.RECORD_RETENTION_DAYS = 100
    old = submitted_case(name="Old Record")
    older = submitted_case(name="Older Record")
    recent = submitted_case(name="Recent Record")
    changed = submitted_case(name="Old But Active")
    erased = submitted_case(name="Old Erased")
    _age(old, days=101)
    _age(older, days=300)
    _age(recent, days=99)
    _age(changed, days=300)
    Intake.objects.filter(pk=changed.pk).update(updated_at=timezone.now() - dt.timedelta(days=5))
    services.erase_patient(patient=erased.patient, by=clinic_admin, reason="Request")
    _age(erased, days=300)

    due = list(selectors.retention_due(user=clinic_admin))

    assert [p.full_name for p in due] == ["Older Record", "Old Record"]
    assert [p.intake_count for p in due] == [1, 1]


def test_retention_due_patient_without_questionnaires_uses_creation(settings, clinic_admin):
    settings.RECORD_RETENTION_DAYS = 30
    patient = Patient.objects.create(full_name="No Intakes", date_of_birth=dt.date(1970, 1, 2))
    Patient.objects.filter(pk=patient.pk).update(created_at=timezone.now() - dt.timedelta(days=31))

    assert [p.full_name for p in selectors.retention_due(user=clinic_admin)] == ["No Intakes"]
    two_days_ago = timezone.localdate() - dt.timedelta(2)
    assert [
        p.full_name for p in selectors.retention_due(user=clinic_admin, today=two_days_ago)
    ] == []


def test_retention_page_lists_due_records_with_last_activity(settings, admin_client):
    settings.RECORD_RETENTION_DAYS = 100
    old = submitted_case(name="Old Record")
    submitted_case(name="Recent Record")
    _age(old, days=150)
    last_activity = timezone.localdate() - dt.timedelta(days=150)

    response = admin_client.get("/staff/retention/")

    page = response.content.decode()
    assert response.status_code == 200
    assert [p.full_name for p in response.context["page"]] == ["Old Record"]
    assert f'<a href="/staff/patients/{old.patient.pk}/">Old Record</a>' in page
    assert f"<td>{last_activity:%Y-%m-%d}</td>" in page
    assert "no activity for more than 100 days" in page


def test_retention_page_query_count_does_not_grow_with_rows(settings, admin_client):
    settings.RECORD_RETENTION_DAYS = 10
    _age(submitted_case(name="One"), days=20)
    admin_client.get("/staff/retention/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        admin_client.get("/staff/retention/")
    for index in range(5):
        _age(submitted_case(name=f"More {index}"), days=20)

    with CaptureQueriesContext(connection) as six:
        response = admin_client.get("/staff/retention/")

    assert len(response.context["page"].object_list) == 6
    assert len(six) == len(one)


# --- the admin --------------------------------------------------------------------------------


def test_admin_patient_change_page_links_to_the_erase_page(admin_client):
    case = submitted_case()
    pk = case.patient.pk

    response = admin_client.get(f"/admin/intake/patient/{pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/staff/patients/{pk}/erase/">Erase on request…</a>' in page
    assert 'name="erasure_reason"' not in page
    assert 'name="erased_at"' not in page


def test_admin_erased_patient_is_read_only(admin_client, clinic_admin):
    case = submitted_case()
    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Request")
    pk = case.patient.pk

    page = admin_client.get(f"/admin/intake/patient/{pk}/change/").content.decode()
    response = admin_client.post(
        f"/admin/intake/patient/{pk}/change/",
        {"full_name": "Back Again", "date_of_birth": "1980-04-23", "email": ""},
    )

    assert 'name="full_name"' not in page
    assert response.status_code == 302
    assert Patient.objects.get(pk=pk).full_name == f"Erased patient #{pk}"


def test_admin_patient_list_filters_by_erasure(admin_client):
    response = admin_client.get("/admin/intake/patient/?erased_at__isnull=True")

    assert response.status_code == 200
    assert "erased_at" in response.context["cl"].list_display


def test_admin_patient_list_links_to_the_retention_review(admin_client):
    page = admin_client.get("/admin/intake/patient/").content.decode()

    assert '<li><a href="/staff/retention/">Retention review</a></li>' in page


def test_subject_access_answer_lines_are_in_the_pages_language():
    # The PDF's headings follow the page's language (STAFF_LANGUAGE_CODE): so do its answers.
    from django.utils import translation

    from intake.questionnaire import QUESTIONS
    from intake.services.records import _answer_lines

    with translation.override("es"):
        lines = _answer_lines({"fhx_thyroid": "yes", "bloating_freq": "daily"})
        expected = [
            (translation.gettext(QUESTIONS["fhx_thyroid"].label), translation.gettext("Yes")),
            (
                translation.gettext(QUESTIONS["bloating_freq"].label),
                translation.gettext("Every day"),
            ),
        ]

    assert expected[0][1] != "Yes"
    assert lines == expected

"""A crisis answer before the questionnaire is sent: the clinic is told at once (the work
queue and the alert address), with nothing but the need for contact; staff record the contact."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent
from tests.cases import submitted_case
from tests.conftest import login_verified
from tests.intake_answers import answer_steps

pytestmark = pytest.mark.django_db

CRISIS_MOOD = {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "2"}


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


def _report_crisis(patient_link) -> None:
    client = patient_link.client
    answer_steps(client, stop_at="mood")
    response = client.post("/intake/step/mood/", {**CRISIS_MOOD, "base_revision": "0"})
    assert response["Location"] == "/intake/support/"


def test_crisis_answer_in_a_draft_is_reported_once_with_no_health_information(
    patient_link, settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        _report_crisis(patient_link)
        # Saving the mood step again (e.g. after going back) does not report twice.
        patient_link.client.post("/intake/step/mood/", {**CRISIS_MOOD, "base_revision": "1"})

    intake = patient_link.refresh()
    support = patient_link.client.get("/intake/support/").content.decode()
    [alert] = mail.outbox
    assert intake.is_draft and intake.crisis_reported_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.CRISIS_REPORTED, intake=intake).count() == 1
    assert alert.subject == f"Prompt contact needed: {intake.case_number}"
    assert intake.patient.full_name not in alert.body
    for word in ("crisis", "harm", "suicid", "mood", "PHQ"):
        assert word.lower() not in alert.body.lower()
    assert "We have let your clinic know" in support


def test_a_calm_mood_step_reports_nothing(
    patient_link, settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    with django_capture_on_commit_callbacks(execute=True):
        answer_steps(patient_link.client, stop_at="labs")

    assert patient_link.refresh().crisis_reported_at is None
    assert mail.outbox == []


def test_work_queue_lists_the_draft_until_contact_is_recorded(patient_link, staff, practitioner):
    _report_crisis(patient_link)
    intake = patient_link.refresh()

    before = staff.get("/staff/").content.decode()
    recorded = staff.post(f"/staff/cases/{intake.pk}/crisis-contacted/")
    after = staff.get("/staff/").content.decode()
    again = staff.post(f"/staff/cases/{intake.pk}/crisis-contacted/")

    intake.refresh_from_db()
    assert "Contact these patients today" in before and intake.patient.full_name in before
    assert f'href="/staff/patients/{intake.patient_id}/"' in before
    assert recorded["Location"] == "/staff/"
    assert "Contact these patients today" not in after
    assert again.status_code == 302
    assert intake.crisis_contacted_by == practitioner
    assert (
        AuditEvent.objects.filter(action=AuditAction.CRISIS_CONTACTED, intake=intake).count() == 1
    )
    # The answers themselves stay private until the patient sends them.
    assert staff.get(f"/staff/cases/{intake.pk}/").status_code == 404


def test_a_submitted_case_leaves_the_contact_list_and_is_first_in_the_queue(patient_link, staff):
    _report_crisis(patient_link)
    answer_steps(patient_link.client)
    patient_link.client.post("/intake/review/")
    calm = submitted_case(name="Calm Case")

    response = staff.get("/staff/")

    intake = patient_link.refresh()
    assert response.context["needing_contact"] == []
    assert [row[0].pk for row in response.context["rows"]] == [intake.pk, calm.pk]
    assert intake.crisis


def test_recording_contact_is_refused_without_a_report_or_a_permission(patient_link):
    from intake.enums import Role
    from tests.conftest import _staff

    intake = patient_link.intake
    auditor_client = login_verified(Client(), _staff("audit.only", Role.AUDITOR))

    # Without the permission the record is as good as missing: 404, not 403.
    assert auditor_client.post(f"/staff/cases/{intake.pk}/crisis-contacted/").status_code == 404
    with pytest.raises(services.IntakeError):
        services.record_crisis_contact(intake_id=intake.pk, by=None)


def test_recording_contact_needs_a_csrf_token(patient_link, practitioner):
    _report_crisis(patient_link)
    intake = patient_link.refresh()
    strict = login_verified(Client(enforce_csrf_checks=True), practitioner)

    response = strict.post(f"/staff/cases/{intake.pk}/crisis-contacted/")

    intake.refresh_from_db()
    assert response.status_code == 403
    assert intake.crisis_contacted_at is None

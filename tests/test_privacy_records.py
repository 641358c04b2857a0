"""No health information in logs or mail on the paths beyond the main one (tests/test_privacy.py):
autosave, a crisis reported from a draft, results, erasure and the subject-access export."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.test import Client

from intake.models import Intake
from tests.factories import answer_steps, login_verified, open_invitation, submitted_case

# Staff alerts go through the outbox: delivered at once here, to be read from mail.outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]
MARKER = "ZQX-PRIVATE-MARKER-5514"


def test_autosaved_words_and_a_draft_crisis_never_reach_logs_or_mail(
    caplog, settings, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    invitation, token = open_invitation(name="Kim Marker", born=dt.date(2014, 1, 9))
    patient = Client()
    patient.get(f"/i/{token}/")
    answer_steps(patient, {"about-you": {"guardian_completed": "yes"}}, stop_at="legs")
    legs = patient.get("/intake/step/legs/")
    autosaved = patient.post(
        "/intake/step/legs/autosave/",
        {
            "base_revision": legs.context["revision"],
            "rls_screen": "yes",
            "rls_child_own_words": f"tingly {MARKER}",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer_steps(
            patient,
            {
                "legs": {"rls_child_own_words": f"tingly {MARKER}"},
                "mood": {"phq9_9": "2"},
            },
            stop_at="labs",
        )

    draft = Intake.objects.get(pk=invitation.intake_id)
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    assert autosaved.json()["ok"] is True
    assert draft.answers["rls_child_own_words"] == f"tingly {MARKER}"
    assert draft.contact_reasons == ["crisis"]
    assert [m.subject for m in mail.outbox] == [f"Prompt contact needed: {draft.case_number}"]
    assert MARKER not in caplog.text
    assert MARKER not in mails
    assert "Kim Marker" not in mails
    assert "phq" not in mails.lower() and "self-harm" not in mails.lower()


def test_results_erasure_and_subject_access_never_reach_logs(caplog, practitioner, clinic_admin):
    caplog.set_level(logging.DEBUG)
    case = submitted_case(name="Lee Marker", rls_child_own_words=None)
    staff = login_verified(Client(), practitioner)
    admin = login_verified(Client(), clinic_admin)

    results = staff.post(
        f"/staff/cases/{case.pk}/results/",
        {
            "version": case.version,
            "results-TOTAL_FORMS": "1",
            "results-INITIAL_FORMS": "0",
            "results-0-test": "ferritin",
            "results-0-value": f"12 {MARKER}",
            "results-0-unit": "ng/mL",
            "results-0-taken_on": "2026-11-01",
        },
    )
    exported = admin.get(f"/staff/patients/{case.patient_id}/export.json")
    erased = admin.post(
        f"/staff/patients/{case.patient_id}/erase/",
        {"reason": f"request {MARKER}", "confirm_name": "Lee Marker"},
    )

    assert results.status_code == 400  # refused, and what was typed is shown back
    assert MARKER in results.content.decode()
    assert exported.status_code == 200
    assert erased.status_code == 302
    assert MARKER not in caplog.text
    assert "Lee Marker" not in caplog.text

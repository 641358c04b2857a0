"""The patient's path through the questionnaire, as a browser would drive it."""

from __future__ import annotations

import pytest
from django.core import mail

from intake.enums import CaseStatus
from intake.models import Assessment, TestRecommendation
from tests.factories import answer_steps, send_answers

# Staff alerts go through the outbox: delivered at once here, to be read from mail.outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]

ADULT_STEPS = [
    "about-you",
    "legs",
    "course",
    "bowel",
    "stool-form",
    "gut-severity",
    "gut-risks",
    "history",
    "warning-signs",
    "mood",
    "labs",
]


def test_flow_adult_answers_every_applicable_step_then_submits_once(
    patient_link, settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    client = patient_link.client

    visited = answer_steps(client)
    review = client.get("/intake/review/")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = send_answers(client)
        again = send_answers(client, full_name="Someone Else")  # double click / back button

    intake = patient_link.refresh()
    assert visited == ADULT_STEPS
    assert review.status_code == 200
    assert (submitted.status_code, submitted["Location"]) == (302, "/intake/done/")
    assert (again.status_code, again["Location"]) == (302, "/intake/done/")
    assert intake.status == CaseStatus.NEW
    assert Assessment.objects.filter(intake=intake).count() == 1
    assert intake.rls_status == "met"
    assert sorted(
        TestRecommendation.objects.filter(intake=intake).values_list("test", flat=True)
    ) == [
        "celiac",
        "iron_panel",
        "sibo_breath",
        "stool",
        "thyroid",
    ]
    assert len(mail.outbox) == 1


def test_flow_done_page_shows_thanks_and_no_clinical_findings(patient_link):
    answer_steps(patient_link.client)
    send_answers(patient_link.client)

    html = patient_link.client.get("/intake/done/").content.decode()
    page = html[html.index("<main") : html.index("</main>")]

    assert "Thank you: your answers have been sent" in page
    for finding in ("RLS", "criteria", "IBS", "ferritin", "order", "SIBO", "coeliac"):
        assert finding not in page


def test_flow_screen_no_skips_rls_details_and_course(patient_link):
    visited = answer_steps(patient_link.client, {"legs": {"rls_screen": "no"}})

    answers = patient_link.refresh().answers
    assert "course" not in visited
    assert "rls_c1_urge" not in answers
    assert answers["rls_screen"] == "no"


def test_flow_on_dopaminergic_treatment_adds_treatment_step(patient_link):
    treated = {"rls_on_treatment": "yes", "rls_treatment_meds": ["dopamine_agonist"]}

    visited = answer_steps(patient_link.client, {"legs": treated})

    assert visited[:4] == ["about-you", "legs", "course", "treatment"]
    assert patient_link.refresh().answers["rls_treatment_meds"] == ["dopamine_agonist"]


def test_flow_male_patient_is_not_asked_about_pregnancy(patient_link):
    answer_steps(patient_link.client, {"about-you": {"sex_at_birth": "male", "pregnant": "yes"}})

    assert "pregnant" not in patient_link.refresh().answers


def test_flow_crisis_answer_shows_support_page_before_anything_else(patient_link, settings):
    settings.CRISIS_RESOURCES_TEXT = "Call the crisis line 0800 TEST."
    client = patient_link.client
    answer_steps(client, stop_at="mood")
    mood = {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "2", "base_revision": "0"}

    response = client.post("/intake/step/mood/", mood)
    support = client.get(response["Location"])

    assert response["Location"] == "/intake/support/"
    # The number in the clinic's text is tap-to-call.
    assert (
        'Call the crisis line <a class="alert-link tel-link" href="tel:0800">0800</a> TEST.'
        in support.content.decode()
    )
    # Nothing reaches the clinic before the questionnaire is sent, so the page promises no alert.
    assert "alerted" not in support.content.decode()
    assert "Continue the questionnaire" in support.content.decode()


def test_flow_warning_signs_step_and_thank_you_page_say_when_not_to_wait(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="warning-signs")

    step = client.get("/intake/step/warning-signs/").content.decode()
    answer_steps(client)
    send_answers(client)
    done = client.get("/intake/done/").content.decode()

    for page in (step, done):
        assert "emergency department" in page


def test_flow_submitted_intake_is_read_only(patient_link):
    answer_steps(patient_link.client)
    send_answers(patient_link.client)

    response = patient_link.client.post(
        "/intake/step/about-you/", {"sex_at_birth": "male", "base_revision": "1"}
    )

    assert (response.status_code, response["Location"]) == (302, "/intake/done/")
    assert patient_link.refresh().answers["sex_at_birth"] == "female"


def test_flow_change_from_the_review_page_saves_and_returns_there(patient_link):
    client = patient_link.client
    answer_steps(client)
    review = client.get("/intake/review/").content.decode()
    revision = patient_link.refresh().step_revisions.get("about-you", 0)

    page = client.get("/intake/step/about-you/?from=review").content.decode()
    saved = client.post(
        "/intake/step/about-you/?from=review",
        {"sex_at_birth": "female", "pregnant": "yes", "base_revision": revision},
    )

    assert 'href="/intake/step/about-you/?from=review"' in review
    assert "Save and go back to the check page" in page
    assert saved["Location"] == "/intake/review/"
    assert patient_link.refresh().answers["pregnant"] == "yes"

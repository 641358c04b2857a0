"""A patient's browser left for longer than PATIENT_IDLE_MINUTES (30 by default) must give the
date of birth again before any page shows their answers, so the next person at a shared
computer cannot read them. Nothing typed is lost: saves sent after that time are kept, and the
help page still shows at once. The clock is moved by rewriting the session, never by waiting."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from intake.enums import CaseStatus
from intake.views.patient_access import IDLE_MESSAGE, SESSION_SEEN
from tests.factories import PATIENT_DOB, PatientLink, answer_steps

pytestmark = pytest.mark.django_db

VERIFY = (302, "/intake/verify/")
MINUTE = 60


def _leave(client: Client, seconds: int) -> None:
    """As if the browser's last request was `seconds` earlier."""
    session = client.session
    session[SESSION_SEEN] -= seconds
    session.save()


def _outcome(response) -> tuple[int, str] | int:
    if response.status_code == 302:
        return (302, response["Location"])
    return response.status_code


def _about_you(link: PatientLink, revision: int = 0, **answers: str):
    data = {"base_revision": str(revision), "sex_at_birth": "female", "pregnant": "no", **answers}
    return link.client.post("/intake/step/about-you/", data)


@pytest.fixture
def started(patient_link) -> PatientLink:
    assert _outcome(_about_you(patient_link)) == (302, "/intake/step/legs/")
    return patient_link


@pytest.mark.parametrize(
    "page",
    [
        "/intake/",
        "/intake/welcome/",
        "/intake/step/about-you/",
        "/intake/step/legs/",
        "/intake/review/",
    ],
)
def test_after_the_idle_time_every_page_with_answers_asks_the_date_of_birth(started, page):
    _leave(started.client, 30 * MINUTE + 1)

    response = started.client.get(page)

    assert _outcome(response) == VERIFY
    assert [str(m) for m in get_messages(response.wsgi_request)] == [IDLE_MESSAGE]


def test_within_the_idle_time_pages_open_as_usual(started):
    _leave(started.client, 29 * MINUTE)

    assert started.client.get("/intake/step/about-you/").status_code == 200


def test_each_request_restarts_the_clock(started):
    _leave(started.client, 20 * MINUTE)
    started.client.get("/intake/step/legs/")
    _leave(started.client, 20 * MINUTE)

    assert started.client.get("/intake/step/legs/").status_code == 200


def test_the_idle_time_is_the_clinics_setting(started, settings):
    settings.PATIENT_IDLE_MINUTES = 5
    _leave(started.client, 5 * MINUTE + 1)

    assert _outcome(started.client.get("/intake/step/about-you/")) == VERIFY


def test_date_of_birth_again_opens_the_answers_with_everything_kept(started):
    _leave(started.client, 31 * MINUTE)
    started.client.get("/intake/step/about-you/")
    before = started.client.cookies["sessionid"].value

    verified = started.client.post("/intake/verify/", {"date_of_birth": PATIENT_DOB.isoformat()})
    page = started.client.get("/intake/step/about-you/")

    assert _outcome(verified) == (302, "/intake/")
    assert started.client.cookies["sessionid"].value != before
    assert page.status_code == 200
    assert (page.context["form"].initial["sex_at_birth"], started.refresh().answers) == (
        "female",
        {"sex_at_birth": "female", "pregnant": "no"},
    )


def test_wrong_date_of_birth_after_the_idle_time_opens_nothing(started):
    _leave(started.client, 31 * MINUTE)
    started.client.get("/intake/")

    wrong = started.client.post("/intake/verify/", {"date_of_birth": "1999-01-01"})
    page = started.client.get("/intake/step/about-you/")

    assert wrong.context["form"].errors == {
        "date_of_birth": [
            "That date of birth does not match our records. You have 4 more tries before the "
            "link locks for 15 minutes."
        ]
    }
    assert _outcome(page) == VERIFY


def test_a_session_from_before_the_idle_clock_starts_it(started):
    session = started.client.session
    del session[SESSION_SEEN]
    session.save()

    assert started.client.get("/intake/step/about-you/").status_code == 200
    assert isinstance(started.client.session[SESSION_SEEN], int)


# --- nothing typed is lost ---------------------------------------------------------------------


def test_autosave_after_the_idle_time_is_kept_and_the_next_page_asks(started):
    _leave(started.client, 31 * MINUTE)

    saved = started.client.post(
        "/intake/step/legs/autosave/", {"base_revision": "0", "rls_screen": "yes"}
    )
    page = started.client.get("/intake/step/legs/")

    assert (saved.status_code, saved.json()["ok"], saved.json()["revision"]) == (200, True, 1)
    assert started.refresh().answers["rls_screen"] == "yes"
    assert _outcome(page) == VERIFY


def test_a_complete_step_sent_after_the_idle_time_is_saved_then_asks(started):
    _leave(started.client, 31 * MINUTE)

    sent = _about_you(started, revision=1, sex_at_birth="male")

    assert _outcome(sent) == VERIFY
    assert started.refresh().answers == {"sex_at_birth": "male"}
    assert started.intake.step_revisions["about-you"] == 2


def test_an_unfinished_step_sent_after_the_idle_time_keeps_what_is_valid(started):
    _leave(started.client, 31 * MINUTE)

    sent = started.client.post(
        "/intake/step/legs/",
        {"base_revision": "0", "rls_screen": "yes", "rls_c1_urge": "not-a-choice"},
    )

    assert _outcome(sent) == VERIFY
    assert started.refresh().answers == {
        "sex_at_birth": "female",
        "pregnant": "no",
        "rls_screen": "yes",
    }


@pytest.mark.parametrize("revision", ["0", "7", "", "x"])
def test_a_step_sent_after_the_idle_time_with_another_revision_saves_nothing(started, revision):
    _leave(started.client, 31 * MINUTE)

    sent = (
        _about_you(started, revision=0, sex_at_birth="male")
        if revision == "0"
        else (
            started.client.post(
                "/intake/step/about-you/", {"base_revision": revision, "sex_at_birth": "male"}
            )
        )
    )

    assert _outcome(sent) == VERIFY
    assert started.refresh().answers == {"sex_at_birth": "female", "pregnant": "no"}


def test_sending_the_questionnaire_after_the_idle_time_asks_first_and_sends_nothing(patient_link):
    answer_steps(patient_link.client)
    _leave(patient_link.client, 31 * MINUTE)

    sent = patient_link.client.post("/intake/review/", {"agree": "on", "full_name": "Ann Example"})

    assert _outcome(sent) == VERIFY
    assert (patient_link.refresh().status, patient_link.intake.consent_name) == (
        CaseStatus.DRAFT,
        "",
    )


@pytest.mark.parametrize("path", ["/intake/step/no-such-step/", "/intake/step/consent/"])
def test_a_post_to_an_unknown_or_consent_step_after_the_idle_time_saves_nothing(started, path):
    _leave(started.client, 31 * MINUTE)

    sent = started.client.post(path, {"base_revision": "0", "agree": "on", "full_name": "X"})

    assert _outcome(sent) == VERIFY
    assert (started.refresh().answers, started.intake.consent_name) == (
        {"sex_at_birth": "female", "pregnant": "no"},
        "",
    )


def test_help_still_shows_at_once_after_the_idle_time(patient_link):
    answer_steps(patient_link.client, stop_at="warning-signs")
    _leave(patient_link.client, 31 * MINUTE)

    saved = patient_link.client.post(
        "/intake/step/warning-signs/autosave/", {"base_revision": "0", "saddle_numbness": "yes"}
    )
    help_page = patient_link.client.get("/intake/support/")
    onwards = patient_link.client.get("/intake/")

    assert saved.json()["help_url"] == "/intake/support/"
    assert help_page.status_code == 200
    assert help_page.templates[0].name == "intake/patient/emergency.html"
    assert _outcome(onwards) == VERIFY

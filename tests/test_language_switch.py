"""The patient's language: the browser's first, then their choice, kept on the intake; a switch
that keeps what was typed; staff pages in the staff's language whatever the browser says."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from intake.languages import SESSION_LANGUAGE
from intake.views.common import SESSION_CARRIED
from tests.factories import PATIENT_DOB, answer_steps, login_verified, open_invitation

pytestmark = pytest.mark.django_db

SWITCH = "/language/"


def _open(token: str, **headers) -> Client:
    client = Client(**headers)
    response = client.get(f"/i/{token}/")
    assert response.status_code == 302
    return client


def test_the_browsers_language_is_the_first_guess_and_is_kept_on_the_intake():
    invitation, token = open_invitation()

    client = _open(token, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")

    invitation.intake.refresh_from_db()
    assert invitation.intake.language == "es"
    assert client.get("/intake/welcome/")["Content-Language"] == "es"


def test_a_language_chosen_before_wins_over_the_browsers():
    invitation, token = open_invitation()
    invitation.intake.language = "es"
    invitation.intake.save(update_fields=["language"])

    client = _open(token, HTTP_ACCEPT_LANGUAGE="en")

    assert client.session[SESSION_LANGUAGE] == "es"
    assert client.get("/intake/welcome/")["Content-Language"] == "es"
    invitation.intake.refresh_from_db()
    assert invitation.intake.language == "es"


def test_a_browser_in_a_language_not_offered_gets_the_clinics_default():
    invitation, token = open_invitation()

    client = _open(token, HTTP_ACCEPT_LANGUAGE="de-DE,fr;q=0.8")

    assert client.get("/intake/welcome/")["Content-Language"] == settings.LANGUAGE_CODE
    invitation.intake.refresh_from_db()
    assert invitation.intake.language == settings.LANGUAGE_CODE


def test_switching_keeps_the_patient_on_their_page_and_remembers_the_choice(patient_link):
    response = patient_link.client.post(
        f"{SWITCH}?next=/intake/welcome/", {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert response["Location"] == "/intake/welcome/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert patient_link.refresh().language == "es"
    page = patient_link.client.get("/intake/welcome/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es"
    # And back again.
    patient_link.client.post(f"{SWITCH}?next=/intake/welcome/", {"language": "en"})
    assert patient_link.refresh().language == "en"
    assert patient_link.client.get("/intake/welcome/")["Content-Language"] == "en"


def test_the_switch_is_on_patient_pages_with_each_language_in_its_own_words(patient_link):
    page = patient_link.client.get("/intake/welcome/").content.decode()

    assert f'action="{SWITCH}?next=%2Fintake%2Fwelcome%2F"' in page
    assert 'lang="es"' in page and ">Español</button>" in page
    assert 'aria-current="true"' in page


def test_switching_on_a_step_carries_what_was_typed_unsaved_and_without_errors(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="course")
    before = patient_link.refresh().answers
    typed = {
        "base_revision": "0",
        "rls_on_treatment": "no",
        "rls_impact_level": "mild",
        "rls_days_per_week": "4",
    }

    response = client.post(
        f"{SWITCH}?next=/intake/step/course/",
        {**typed, "language": "es", "csrfmiddlewaretoken": "x"},
    )

    assert response["Location"] == "/intake/step/course/"
    assert patient_link.refresh().answers == before  # switching saves nothing
    page = client.get("/intake/step/course/")
    form = page.context["form"]
    assert form["rls_impact_level"].value() == "mild"
    assert form["rls_days_per_week"].value() == "4"
    assert form.errors == {}  # nothing was sent yet: no "answer this question" on arrival
    assert page["Content-Language"] == "es"
    # Shown once: the next visit shows the saved answers again.
    assert SESSION_CARRIED not in client.session
    assert client.get("/intake/step/course/").context["form"].is_bound is False


def test_carried_answers_go_only_to_the_page_they_came_from(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="course")
    client.post(f"{SWITCH}?next=/intake/step/course/", {"language": "es", "rls_days_per_week": "4"})

    other = client.get("/intake/welcome/")

    assert other.status_code == 200
    assert client.session[SESSION_CARRIED]["path"] == "/intake/step/course/"


def test_switching_on_the_date_of_birth_page_keeps_the_date_typed():
    invitation, token = open_invitation()
    client = _open(token)
    answer_steps(client, stop_at="course")
    fresh = Client()
    fresh.get(f"/i/{token}/")  # answers exist: the date of birth comes first

    fresh.post(
        f"{SWITCH}?next=/intake/verify/",
        {"language": "es", "date_of_birth": "1980-04-23"},
    )
    page = fresh.get("/intake/verify/")

    assert page.status_code == 200
    assert page.context["form"].errors == {}
    assert 'value="1980-04-23"' in str(page.context["form"]["date_of_birth"])
    assert page["Content-Language"] == "es"


@pytest.mark.parametrize("language", ["xx", "", "es'><script>", "e" * 5000])
def test_a_language_not_offered_is_refused_clearly_and_changes_nothing(patient_link, language):
    response = patient_link.client.post(f"{SWITCH}?next=/intake/welcome/", {"language": language})

    assert response.status_code == 400
    assert "That language is not offered here" in response.content.decode()
    assert patient_link.refresh().language == "en" or patient_link.refresh().language == ""
    assert SESSION_LANGUAGE not in patient_link.client.session


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_never_sends_the_patient_to_another_site(target):
    client = Client()

    response = client.post(SWITCH, {"language": "es", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_switch_only_accepts_a_post():
    assert Client().get(f"{SWITCH}?next=/").status_code == 405


def test_before_any_intake_the_choice_is_kept_in_the_cookie():
    client = Client()
    client.post(SWITCH, {"language": "es", "next": "/"})

    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "es"


def test_staff_pages_stay_in_the_staff_language_whatever_the_browser_says(practitioner):
    client = login_verified(Client(), practitioner)

    response = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 200
    assert response["Content-Language"] == settings.STAFF_LANGUAGE_CODE
    assert "Work queue" in response.content.decode()


def test_switching_on_the_labs_step_shows_a_half_typed_row_without_its_errors(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")
    typed = {
        "base_revision": "0",
        "labs-TOTAL_FORMS": "1",
        "labs-INITIAL_FORMS": "0",
        "labs-0-test": "ferritin",  # no value yet: saving would say "Enter the result"
    }

    client.post(f"{SWITCH}?next=/intake/step/labs/", {**typed, "language": "es"})
    page = client.get("/intake/step/labs/")

    form = page.context["form"]
    assert form.rows.forms[0]["test"].value() == "ferritin"
    assert form.rows.total_error_count() == 0
    assert 'id="error-summary"' not in page.content.decode()


def test_a_huge_switch_post_is_not_kept_in_the_session(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="course")
    hostile = {f"field_{n}": "x" * 600 for n in range(350)}  # about 210 kB, under the body cap

    response = client.post(f"{SWITCH}?next=/intake/step/course/", {**hostile, "language": "es"})

    assert response.status_code == 302
    assert client.session[SESSION_LANGUAGE] == "es"  # the language still switches
    assert SESSION_CARRIED not in client.session


def test_only_the_target_forms_fields_are_carried(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="course")

    client.post(
        f"{SWITCH}?next=/intake/step/course/",
        {"language": "es", "rls_days_per_week": "4", "not_a_field": "y" * 1000},
    )

    assert client.session[SESSION_CARRIED]["data"] == {"rls_days_per_week": ["4"]}


def test_nothing_is_carried_to_a_staff_page(practitioner):
    client = login_verified(Client(), practitioner)

    response = client.post(f"{SWITCH}?next=/staff/", {"language": "es", "q": "smith"})

    assert response["Location"] == "/staff/"
    assert SESSION_CARRIED not in client.session


def test_a_language_chosen_on_the_date_of_birth_page_is_kept_once_the_date_is_given():
    invitation, token = open_invitation()
    client = _open(token, HTTP_ACCEPT_LANGUAGE="en")
    answer_steps(client, stop_at="course")
    assert invitation.intake.__class__.objects.get(pk=invitation.intake_id).language == "en"
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    fresh.get(f"/i/{token}/")  # answers exist: the date of birth comes first

    fresh.post(f"{SWITCH}?next=/intake/verify/", {"language": "es"})
    response = fresh.post("/intake/verify/", {"date_of_birth": PATIENT_DOB.isoformat()})

    assert response.status_code == 302
    assert fresh.session[SESSION_LANGUAGE] == "es"
    assert fresh.get("/intake/welcome/")["Content-Language"] == "es"
    invitation.intake.refresh_from_db()
    assert invitation.intake.language == "es"


def test_a_choice_on_the_date_of_birth_page_changes_nothing_before_the_date_is_given():
    invitation, token = open_invitation()
    client = _open(token, HTTP_ACCEPT_LANGUAGE="en")
    answer_steps(client, stop_at="course")
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    fresh.get(f"/i/{token}/")

    fresh.post(f"{SWITCH}?next=/intake/verify/", {"language": "es"})

    invitation.intake.refresh_from_db()
    assert invitation.intake.language == "en"


def test_a_browser_left_idle_does_not_change_the_intakes_language_until_the_date_is_given(
    patient_link,
):
    from intake.views.patient_access import SESSION_IDLE, SESSION_INVITATION, SESSION_PENDING

    client = patient_link.client
    answer_steps(client, stop_at="course")
    language = patient_link.refresh().language
    session = client.session
    session[SESSION_IDLE] = True
    session[SESSION_PENDING] = session[SESSION_INVITATION]
    session.save()
    other = "es" if language != "es" else "en"

    client.post(f"{SWITCH}?next=/intake/verify/", {"language": other})
    assert patient_link.refresh().language == language  # the next person at the computer
    client.post("/intake/verify/", {"date_of_birth": PATIENT_DOB.isoformat()})

    assert patient_link.refresh().language == other

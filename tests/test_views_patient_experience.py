"""What a new patient meets: the welcome page, the clinic's name and number on every page,
progress by part, pages that arrive as they should look, sliders and "None of these"."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from intake import questionnaire, services
from intake.forms.patient import NONE_WITH_OTHERS
from tests.answer_sets import STEP_DATA
from tests.factories import answer_steps, login_verified, open_invitation, send_answers

pytestmark = pytest.mark.django_db
NUMBER_0_TO_100 = "Enter a whole number from 0 to 100."
TEL = '<a class="tel-link" href="tel:02079460958">020 7946 0958</a>'


def _post(client: Client, slug: str, data: dict, revision=None) -> object:
    if revision is None:
        revision = client.get(f"/intake/step/{slug}/").context["revision"]
    return client.post(f"/intake/step/{slug}/", {**data, "base_revision": revision})


def _row(response, key: str) -> tuple[str, bool]:
    """A question's show-if markup and whether it arrives hidden."""
    [(attrs, hidden)] = [
        (str(attrs), hidden)
        for field, attrs, hidden in response.context["rows"]
        if field.name == key
    ]
    return attrs, hidden


def _main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


# --- the welcome page ----------------------------------------------------------------------


def test_resume_new_questionnaire_goes_to_the_welcome_page(patient_link):
    assert patient_link.client.get("/intake/")["Location"] == "/intake/welcome/"


def test_resume_once_anything_is_saved_goes_to_the_step_to_finish(patient_link):
    client = patient_link.client
    client.post(
        "/intake/step/about-you/autosave/", {"base_revision": "0", "sex_at_birth": "female"}
    )

    assert client.get("/intake/")["Location"] == "/intake/step/about-you/"


def test_resume_with_every_step_done_goes_to_the_check_page_not_to_consent(patient_link):
    answer_steps(patient_link.client)

    assert patient_link.client.get("/intake/")["Location"] == "/intake/review/"


def test_welcome_page_says_who_asks_why_how_long_what_to_have_ready_and_whom_to_call(
    patient_link, settings
):
    settings.CLINIC_NAME = "Hill & Dale Clinic"
    settings.CLINIC_PHONE = "+44 20 7946 0000"

    response = patient_link.client.get("/intake/welcome/")
    page = _main(response)

    estimate = response.context["estimate"]
    assert estimate == questionnaire.time_estimate(services.facts_for(patient_link.intake))
    assert (
        '<h1 tabindex="-1" data-focus-on-load>Your questionnaire for Hill &amp; Dale Clinic</h1>'
        in page
    )
    assert (
        f"About {estimate['fewest_minutes']} to {estimate['most_minutes']} minutes. You will be "
        f"asked between {estimate['fewest_questions']} and {estimate['most_questions']} "
        "questions, depending on your answers." in page
    )
    assert "a list of the medicines you take, or their boxes" in page
    assert "any recent blood or stool test results you have (optional)" in page
    assert "Your answers are saved as you go." in page
    assert (
        'Call Hill &amp; Dale Clinic on <a class="tel-link" href="tel:+442079460000">'
        "+44 20 7946 0000</a>." in page
    )
    assert (
        '<a class="btn btn-primary btn-lg" href="/intake/step/about-you/">'
        "Start the questionnaire</a>" in page
    )


def test_welcome_page_after_a_pause_offers_to_carry_on(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="bowel")

    page = _main(client.get("/intake/welcome/"))

    assert (
        '<a class="btn btn-primary btn-lg" href="/intake/">Carry on where you left off</a>' in page
    )


def test_welcome_page_after_sending_goes_to_the_thank_you_page(patient_link):
    answer_steps(patient_link.client)
    send_answers(patient_link.client)

    response = patient_link.client.get("/intake/welcome/")

    assert (response.status_code, response["Location"]) == (302, "/intake/done/")


def test_welcome_page_without_an_opened_link_is_not_found(anonymous):
    assert anonymous.get("/intake/welcome/").status_code == 404


def test_welcome_page_refuses_a_post(patient_link):
    assert patient_link.client.post("/intake/welcome/").status_code == 405


# --- the clinic on every patient page --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/intake/welcome/", "/intake/step/about-you/", "/intake/review/", "/i/not-a-token/"],
)
def test_patient_pages_show_the_clinic_name_and_its_number_to_tap(patient_link, settings, path):
    settings.CLINIC_NAME = "Riverside <Sleep> Clinic"

    page = patient_link.client.get(path).content.decode()

    assert (
        '<a class="navbar-brand patient-brand" href="/">Riverside &lt;Sleep&gt; Clinic'
        '<span class="patient-brand__sub">Health questionnaire</span></a>' in page
    )
    assert (
        f"Questions about this questionnaire? Call Riverside &lt;Sleep&gt; Clinic on {TEL}." in page
    )


def test_staff_pages_keep_their_own_header_and_footer(practitioner):
    page = login_verified(Client(), practitioner).get("/staff/").content.decode()

    assert '<a class="navbar-brand" href="/">RLS &amp; Gut Health Intake</a>' in page
    assert "Questions about this questionnaire?" not in page


def test_verify_page_shows_the_clinic_too():
    _invitation, token = open_invitation()
    first = Client()
    first.get(f"/i/{token}/")
    first.post("/intake/step/about-you/autosave/", {"base_revision": "0", "sex_at_birth": "male"})
    other = Client()

    page = other.get(other.get(f"/i/{token}/")["Location"]).content.decode()

    assert f"Call Riverside Sleep and Gut Clinic on {TEL}." in page


# --- progress ------------------------------------------------------------------------------


def test_progress_names_the_part_and_its_total_stays_when_answers_open_steps(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")
    before = _main(client.get("/intake/step/legs/"))
    treated = {"rls_on_treatment": "yes", "rls_treatment_meds": ["dopamine_agonist"]}
    _post(client, "legs", {**STEP_DATA["legs"], **treated})

    course = _main(client.get("/intake/step/course/"))

    label = 'id="step-progress-label">Part 2 of 7: <strong>Your legs</strong></p>'
    assert label in before
    assert label in course
    assert '<li class="is-current" aria-current="step">Your legs</li>' in course
    assert (
        '<li class="is-done">About you<span class="visually-hidden"> (done)</span></li>' in course
    )


# --- pages arrive as they should look (no shift after load) -----------------------------------


def test_bowel_page_sends_the_pain_questions_hidden_when_there_is_no_pain(patient_link):
    client = patient_link.client
    answer_steps(client, {"bowel": {"abd_pain_freq": "never"}}, stop_at="gut-risks")

    response = client.get("/intake/step/bowel/")

    attrs, hidden = _row(response, "pain_related_to_bm")
    assert attrs == ' data-show-if-field="abd_pain_freq" data-show-if-not="never"'
    assert hidden is True
    assert (
        '<div class="question-row" data-show-if-field="abd_pain_freq" '
        'data-show-if-not="never" hidden>' in response.content.decode()
    )


def test_bowel_page_sends_the_pain_questions_shown_when_there_is_pain(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="stool-form")

    response = client.get("/intake/step/bowel/")

    assert _row(response, "pain_related_to_bm")[1] is False
    assert _row(response, "bowel_meds_current")[1] is False


def test_bowel_page_first_time_sends_the_follow_ups_hidden(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="bowel")

    response = client.get("/intake/step/bowel/")

    hidden = {field.name: hidden for field, _attrs, hidden in response.context["rows"]}
    assert [name for name, is_hidden in hidden.items() if is_hidden] == [
        "pain_related_to_bm",
        "pain_with_stool_freq_change",
        "pain_with_stool_form_change",
        "bowel_meds_current",
    ]


def test_bowel_page_with_an_error_shows_follow_ups_as_they_were_sent(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="bowel")

    response = _post(client, "bowel", {"abd_pain_freq": "daily"})

    assert response.status_code == 200
    # Opened by the pain just sent, and unanswered: shown, with its error.
    assert _row(response, "pain_related_to_bm")[1] is False
    assert response.context["form"].errors["pain_related_to_bm"] == [
        "Choose an answer to this question."
    ]


def test_mood_page_marks_the_fallback_question_to_follow_the_nine(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")

    response = client.get("/intake/step/mood/")

    attrs, hidden = _row(response, "self_harm_thoughts")
    assert attrs == (
        ' data-show-if-incomplete="phq9_1,phq9_2,phq9_3,phq9_4,phq9_5,phq9_6,phq9_7,phq9_8,phq9_9"'
    )
    assert hidden is False


def test_mood_page_with_all_nine_answered_sends_the_fallback_hidden(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")

    response = client.get("/intake/step/mood/")
    page = _main(response)

    assert _row(response, "self_harm_thoughts")[1] is True
    # The introduction is said once: the PHQ-9's own question heads the nine.
    assert page.count("how often have you been bothered") == 1


def test_mood_page_with_some_of_the_nine_sent_keeps_the_fallback_in_view(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")

    response = _post(client, "mood", {"phq9_1": "1", "phq9_2": "0"})

    assert _row(response, "self_harm_thoughts")[1] is False


# --- sliders -------------------------------------------------------------------------------


def _slider_tag(page: str, key: str) -> str:
    return re.search(rf'<input type="range"[^>]*data-name="{key}"[^>]*>', page, re.S).group()


def test_slider_not_answered_yet_sends_nothing_and_says_so(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="gut-severity")

    page = client.get("/intake/step/gut-severity/").content.decode()

    tag = _slider_tag(page, "ibssss_pain_severity")
    assert " name=" not in tag
    assert 'aria-valuetext="Not answered yet"' in tag
    assert 'aria-labelledby="id_ibssss_pain_severity_legend"' in tag
    assert 'aria-describedby="id_ibssss_pain_severity_anchors"' in tag
    assert "Not answered yet: move the slider" in page
    assert (
        '<li><span class="slider__anchor-number">0</span> No pain</li>'
        '<li><span class="slider__anchor-number">50</span> Moderate pain</li>'
        '<li><span class="slider__anchor-number">100</span> Very severe pain</li>' in page
    )
    assert '<script src="/static/js/slider.js" defer></script>' in page


def test_slider_left_alone_is_not_taken_as_an_answer(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="gut-severity")
    data = {k: v for k, v in STEP_DATA["gut-severity"].items() if k != "ibssss_distension"}

    response = _post(client, "gut-severity", data)

    # The patient sees a slider, so the error asks them to move it, not to type a number.
    assert response.context["form"].errors == {
        "ibssss_distension": ["Move the slider to give your answer."]
    }
    assert "ibssss_distension" not in patient_link.refresh().answers


@pytest.mark.parametrize("value", ["-1", "101", "fifty", "50.5", "1e2", "<b>"])
def test_slider_refuses_what_is_not_0_to_100(patient_link, value):
    client = patient_link.client
    answer_steps(client, stop_at="gut-severity")

    response = _post(
        client, "gut-severity", {**STEP_DATA["gut-severity"], "ibssss_distension": value}
    )

    assert response.context["form"].errors == {"ibssss_distension": [NUMBER_0_TO_100]}
    assert "Not answered yet: move the slider" in response.content.decode()


def test_slider_answered_shows_its_value_and_0_is_a_real_answer(patient_link):
    client = patient_link.client
    answer_steps(client, {"gut-severity": {"ibssss_distension": "0"}}, stop_at="gut-risks")

    page = client.get("/intake/step/gut-severity/").content.decode()

    tag = _slider_tag(page, "ibssss_distension")
    assert patient_link.refresh().answers["ibssss_distension"] == 0
    assert 'name="ibssss_distension"' in tag
    assert 'value="0"' in tag
    assert 'aria-valuetext="0 out of 100"' in tag


def test_slider_without_scripts_offers_a_number_box(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="stool-form")

    page = client.get("/intake/step/stool-form/").content.decode()

    assert re.search(
        r'<noscript>\s*<label class="form-label small mb-1" for="id_pct_bm_hard_number">Type a '
        r'number from 0 to 100</label>\s*<input type="number" inputmode="numeric" '
        r'class="form-control slider__number" id="id_pct_bm_hard_number" name="pct_bm_hard"',
        page,
    )


def test_stool_shares_over_100_still_refused_with_sliders(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="stool-form")

    response = _post(client, "stool-form", {"pct_bm_hard": "70", "pct_bm_loose": "40"})

    assert response.context["form"].errors == {
        "pct_bm_loose": [
            "Hard and loose together cannot be more than 100%: you entered 70% and 40%. "
            "Change one of them."
        ]
    }


# --- tick lists: groups and "None of these" ---------------------------------------------------


def test_history_lists_are_grouped_with_none_of_these_at_the_end(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="history")

    page = client.get("/intake/step/history/").content.decode()

    assert page.count('<details class="tick-group">') == 11
    assert (
        '<summary class="tick-group__title">Blood and iron'
        '<span class="tick-group__count"></span></summary>' in page
    )
    assert page.count("data-none-of-these") == 3
    assert '<label for="id_conditions_33" class="form-check-label">None of these</label>' in page
    assert '<script src="/static/js/tick-list.js" defer></script>' in page


def test_history_group_with_a_ticked_box_starts_open_and_says_how_many(patient_link):
    client = patient_link.client
    answer_steps(
        client, {"history": {"medications": ["ppi", "iron_supplement"]}}, stop_at="warning-signs"
    )

    page = client.get("/intake/step/history/").content.decode()

    assert (
        '<details class="tick-group" open>\n        <summary class="tick-group__title">For the '
        'stomach, iron, thyroid or heart<span class="tick-group__count"> · 2 ticked</span>'
        "</summary>" in page
    )


@pytest.mark.parametrize(
    ("ticked", "stored"),
    [(["none"], []), (["ppi"], ["ppi"]), ([], None)],
    ids=["none-of-these", "one-ticked", "nothing-ticked"],
)
def test_history_none_of_these_is_an_empty_list_and_nothing_ticked_is_no_answer(
    patient_link, ticked, stored
):
    client = patient_link.client
    answer_steps(client, stop_at="history")
    data = {k: v for k, v in STEP_DATA["history"].items() if k != "medications"}

    response = _post(client, "history", {**data, "medications": ticked})

    assert response.status_code == 302
    assert patient_link.refresh().answers.get("medications", "absent") == (
        "absent" if stored is None else stored
    )


def test_history_none_of_these_with_another_box_is_refused(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="history")

    response = _post(client, "history", {**STEP_DATA["history"], "conditions": ["none", "t1dm"]})

    assert response.context["form"].errors == {"conditions": [NONE_WITH_OTHERS]}
    assert "conditions" not in patient_link.refresh().answers


@pytest.mark.parametrize("value", ["None", "nothing", "none ", "__all__"])
def test_history_none_of_these_only_by_its_own_value(patient_link, value):
    client = patient_link.client
    answer_steps(client, stop_at="history")

    response = _post(client, "history", {**STEP_DATA["history"], "conditions": [value]})

    assert response.context["form"].errors == {
        "conditions": ["Choose only from the listed options."]
    }


def test_none_of_these_is_not_offered_where_a_list_is_required(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")
    data = {**STEP_DATA["legs"], "rls_on_treatment": "yes", "rls_treatment_meds": ["none"]}

    response = _post(client, "legs", data)

    assert response.context["form"].errors == {
        "rls_treatment_meds": ["Choose only from the listed options."]
    }


def test_history_none_of_these_autosaves_as_an_empty_list(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="history")
    revision = client.get("/intake/step/history/").context["revision"]

    saved = client.post(
        "/intake/step/history/autosave/", {"base_revision": revision, "thyroid_symptoms": "none"}
    )

    assert saved.json()["ok"] is True
    assert patient_link.refresh().answers["thyroid_symptoms"] == []


def test_history_none_of_these_comes_back_ticked(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="warning-signs")

    page = client.get("/intake/step/history/").content.decode()

    assert re.search(r'value="none" id="id_conditions_33" data-none-of-these checked>', page)


def test_check_page_reads_none_of_these_back(patient_link):
    client = patient_link.client
    answer_steps(client)

    lines = {
        line.key: line.answer
        for part in client.get("/intake/review/").context["parts"]
        for step in part["steps"]
        for line in step["section"].lines
    }

    assert (lines["conditions"], lines["thyroid_symptoms"]) == ("None of these", "None of these")


# --- words explained where they appear ----------------------------------------------------------


def test_labs_page_explains_each_test_in_plain_words(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="labs")

    page = client.get("/intake/step/labs/").content.decode()

    assert "<summary>What the tests are</summary>" in page
    assert (
        "<dt>Transferrin saturation (TSAT)</dt><dd>Transferrin saturation: how much of the "
        "iron-carrying protein in your blood is carrying iron, as a percentage.</dd>" in page
    )
    assert "<dt>Coeliac blood test (tTG-IgA)</dt><dd>The usual blood test for coeliac" in page
    assert "<dt>Ferritin</dt><dd>The iron your body has in store." in page


def test_history_page_shows_what_one_unit_of_alcohol_is(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="history")

    page = client.get("/intake/step/history/").content.decode()

    assert (
        "One unit is 10 ml of pure alcohol. A single measure of spirits (25 ml) is 1 unit" in page
    )

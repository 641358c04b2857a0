"""Which questions a patient's pages ask under revision 3's "Asked when", at each boundary, and
what the server does with answers to questions that do not apply or values it refuses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from intake.forms.patient import CHOOSE_ONE, TICK_ONE
from tests.answer_sets import NO_RED_FLAGS, STEP_DATA
from tests.factories import PatientLink, answer_steps, open_invitation

pytestmark = pytest.mark.django_db

RLS_DETAILS = [
    "rls_c1_urge",
    "rls_c2_rest",
    "rls_c3_movement_relief",
    "rls_c4_evening",
    "leg_main_problem",
    "position_shift_relief",
]
CHILD = {"about-you": {"guardian_completed": "yes"}}


def _born(age: int) -> dt.date:
    """The date of birth of a patient whose `age`th birthday is today."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February
        return dt.date(today.year - age, 2, 28)


def _turning_tomorrow(age: int) -> dt.date:
    """The date of birth of a patient who is a year younger than `age` until tomorrow."""
    return _born(age) + dt.timedelta(days=1)


def _patient(born: dt.date) -> PatientLink:
    invitation, token = open_invitation(name="Sam Example", born=born)
    client = Client()
    client.get(f"/i/{token}/")
    return PatientLink(client=client, intake=invitation.intake, token=token)


def _names(response) -> list[str]:
    return [field.name for field, _attrs, _hidden in response.context["rows"]]


def _attrs(response) -> dict[str, str]:
    return {field.name: str(attrs) for field, attrs, _hidden in response.context["rows"]}


def _post(client, slug: str, data: dict, revision: int = 0):
    return client.post(f"/intake/step/{slug}/", {"base_revision": revision, **data})


# --- about you: pregnancy from age 10, unless male -------------------------------------------


def test_about_you_age_10_today_female_is_asked_about_pregnancy():
    link = _patient(_born(10))

    page = link.client.get("/intake/step/about-you/")
    refused = _post(
        link.client, "about-you", {"sex_at_birth": "female", "guardian_completed": "yes"}
    )

    assert _names(page) == ["sex_at_birth", "pregnant", "weeks_pregnant", "guardian_completed"]
    assert refused.context["form"].errors == {"pregnant": [CHOOSE_ONE]}


def test_about_you_age_9_is_not_asked_about_pregnancy_and_a_sent_answer_is_dropped():
    link = _patient(_turning_tomorrow(10))

    page = link.client.get("/intake/step/about-you/")
    saved = _post(
        link.client,
        "about-you",
        {
            "sex_at_birth": "female",
            "pregnant": "yes",
            "weeks_pregnant": "12",
            "guardian_completed": "yes",
        },
    )

    assert _names(page) == ["sex_at_birth", "guardian_completed"]
    assert saved.status_code == 302
    assert link.refresh().answers == {"sex_at_birth": "female", "guardian_completed": True}


@pytest.mark.parametrize(("sex", "kept"), [("male", False), ("female", True), ("other", True)])
def test_about_you_pregnancy_answer_kept_unless_male(patient_link, sex, kept):
    _post(patient_link.client, "about-you", {"sex_at_birth": sex, "pregnant": "no"})

    expected = {"sex_at_birth": sex, "pregnant": "no"} if kept else {"sex_at_birth": sex}
    assert patient_link.refresh().answers == expected


# --- history: alcohol and nicotine from 12; breastfeeding and heavy periods from 10 -------------


def test_history_age_11_is_not_asked_about_alcohol_or_nicotine():
    link = _patient(_turning_tomorrow(12))
    answer_steps(link.client, CHILD, stop_at="history")

    page = link.client.get("/intake/step/history/")
    saved = _post(
        link.client,
        "history",
        {"caffeine_cups_per_day": "1", "alcohol_units_per_week": "4", "nicotine": "yes"},
    )

    assert "alcohol_units_per_week" not in _names(page)
    assert "nicotine" not in _names(page)
    assert saved.status_code == 302
    answers = link.refresh().answers
    assert ("alcohol_units_per_week" in answers, "nicotine" in answers) == (False, False)


def test_history_age_12_today_must_answer_alcohol_and_nicotine():
    link = _patient(_born(12))
    answer_steps(link.client, CHILD, stop_at="history")

    refused = _post(link.client, "history", {"caffeine_cups_per_day": "1"})

    assert refused.context["form"].errors == {
        "alcohol_units_per_week": ["Enter a whole number from 0 to 500."],
        "nicotine": [CHOOSE_ONE],
    }


@pytest.mark.parametrize(
    ("sex", "age", "asked"),
    [("female", 10, True), ("female", 9, False), ("other", 10, True), ("male", 40, False)],
)
def test_history_breastfeeding_and_heavy_periods_from_10_unless_male(sex, age, asked):
    link = _patient(_born(age) if age != 9 else _turning_tomorrow(10))
    answer_steps(
        link.client, {"about-you": {"sex_at_birth": sex, **CHILD["about-you"]}}, stop_at="history"
    )

    names = _names(link.client.get("/intake/step/history/"))

    assert ("breastfeeding" in names, "heavy_menstrual_bleeding" in names) == (asked, asked)


def test_history_new_optional_questions_may_be_left_blank(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="history")
    data = {
        key: value
        for key, value in STEP_DATA["history"].items()
        if key
        not in {
            "iv_iron_last_12wk",
            "blood_donor_regular",
            "heavy_menstrual_bleeding",
            "breastfeeding",
        }
    }

    saved = _post(client, "history", data)

    assert (saved.status_code, saved["Location"]) == (302, "/intake/step/warning-signs/")


# --- legs: treatment first, details on an open screen or treatment ----------------------------


def test_legs_page_marks_up_the_treatment_list_and_the_details_for_the_browser(patient_link):
    answer_steps(patient_link.client, stop_at="legs")

    attrs = _attrs(patient_link.client.get("/intake/step/legs/"))

    assert attrs["rls_on_treatment"] == ""
    assert attrs["rls_treatment_meds"] == (
        ' data-show-if-field="rls_on_treatment" data-show-if-in="yes"'
    )
    assert attrs["rls_screen"] == ""
    for key in RLS_DETAILS:
        assert attrs[key] == (
            ' data-show-if-field="rls_screen" data-show-if-not="no"'
            ' data-show-if-or="[{&quot;field&quot;:&quot;rls_on_treatment&quot;,'
            '&quot;in&quot;:[&quot;yes&quot;]}]"'
        )


def test_legs_screen_no_but_treated_must_answer_the_details(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")

    refused = _post(
        client,
        "legs",
        {"rls_on_treatment": "yes", "rls_treatment_meds": ["levodopa"], "rls_screen": "no"},
    )

    assert refused.context["form"].errors == {key: [CHOOSE_ONE] for key in RLS_DETAILS}
    assert "rls_screen" not in patient_link.refresh().answers


def test_legs_screen_no_and_treated_is_asked_the_course_and_augmentation(patient_link):
    client = patient_link.client
    legs = {
        **STEP_DATA["legs"],
        "rls_screen": "no",
        "rls_on_treatment": "yes",
        "rls_treatment_meds": ["dopamine_agonist", "iron"],
    }

    visited = answer_steps(client, {"legs": legs})

    answers = patient_link.refresh().answers
    assert visited[:4] == ["about-you", "legs", "course", "treatment"]
    assert (answers["rls_screen"], answers["rls_treatment_meds"]) == (
        "no",
        ["dopamine_agonist", "iron"],
    )
    assert {key: answers[key] for key in RLS_DETAILS} == {
        key: STEP_DATA["legs"][key] for key in RLS_DETAILS
    }
    assert answers["aug_spread_to_arms"] == "no"


def test_legs_screen_no_untreated_drops_details_sent_anyway_and_skips_the_course(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")
    data = {**STEP_DATA["legs"], "rls_screen": "no", "rls_treatment_meds": ["levodopa"]}

    saved = _post(client, "legs", data)

    assert (saved.status_code, saved["Location"]) == (302, "/intake/step/bowel/")
    assert patient_link.refresh().answers == {
        **{"sex_at_birth": "female", "pregnant": "no"},
        "rls_on_treatment": "no",
        "rls_screen": "no",
    }


def test_legs_treated_without_a_medicine_ticked_is_asked_to_tick_one(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")

    refused = _post(client, "legs", {**STEP_DATA["legs"], "rls_on_treatment": "yes"})

    assert refused.context["form"].errors == {"rls_treatment_meds": [TICK_ONE]}
    assert re.search(r'name="rls_on_treatment" value="yes"[^>]*checked', refused.content.decode())


@pytest.mark.parametrize("value", ["aspirin", "levodopa<script>", ""])
def test_legs_tampered_treatment_choice_is_refused(patient_link, value):
    client = patient_link.client
    answer_steps(client, stop_at="legs")
    data = {
        **STEP_DATA["legs"],
        "rls_on_treatment": "yes",
        "rls_treatment_meds": ["levodopa", value],
    }

    refused = _post(client, "legs", data)

    assert refused.context["form"].errors == {
        "rls_treatment_meds": ["Choose only from the listed options."]
    }
    assert "rls_treatment_meds" not in patient_link.refresh().answers


def test_legs_autosave_drops_the_treatment_list_once_untreated(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="legs")
    url = "/intake/step/legs/autosave/"
    client.post(
        url, {"base_revision": "0", "rls_on_treatment": "yes", "rls_treatment_meds": "opioid"}
    )
    treated = dict(patient_link.refresh().answers)

    client.post(
        url, {"base_revision": "1", "rls_on_treatment": "no", "rls_treatment_meds": "opioid"}
    )

    answers = patient_link.refresh().answers
    assert (treated["rls_on_treatment"], treated["rls_treatment_meds"]) == ("yes", ["opioid"])
    assert answers["rls_on_treatment"] == "no"
    assert "rls_treatment_meds" not in answers


@pytest.mark.parametrize(
    ("legs", "history"),
    [
        ({"rls_on_treatment": "no"}, {"medications": ["levodopa"], "conditions": ["parkinsons"]}),
        (
            {"rls_on_treatment": "yes", "rls_treatment_meds": ["gabapentinoid"]},
            {"medications": ["levodopa", "gabapentinoid"], "conditions": ["parkinsons"]},
        ),
    ],
    ids=["untreated-legs", "gabapentin-for-the-legs"],
)
def test_flow_parkinsons_on_levodopa_is_not_asked_about_augmentation(patient_link, legs, history):
    client = patient_link.client

    visited = answer_steps(client, {"legs": legs, "history": history})
    treatment = client.get("/intake/step/treatment/")

    assert "treatment" not in visited
    assert (treatment.status_code, treatment["Location"]) == (302, "/intake/")
    assert patient_link.refresh().answers["medications"] == [
        "levodopa",
        *history["medications"][1:],
    ]


# --- bowel: the child's constipation question; gut-symptom questions ---------------------------


def _child_at_bowel(born: dt.date) -> PatientLink:
    link = _patient(born)
    answer_steps(link.client, CHILD, stop_at="bowel")
    return link


@pytest.mark.parametrize(("age", "asked"), [(17, True), (18, False)])
def test_bowel_constipation_treatment_question_asked_up_to_17(age, asked):
    # 17 until tomorrow, or 18 since today.
    link = _child_at_bowel(_turning_tomorrow(18) if age == 17 else _born(18))

    names = _names(link.client.get("/intake/step/bowel/"))

    assert ("pain_resolves_with_constipation_treatment" in names) is asked


def test_bowel_child_posting_na_gets_a_clear_error_and_keeps_what_was_typed():
    link = _child_at_bowel(_born(12))
    data = {
        **STEP_DATA["bowel"],
        "constipation_4wk": "yes",
        "pain_resolves_with_constipation_treatment": "na",
    }

    refused = _post(link.client, "bowel", data)

    page = refused.content.decode()
    assert refused.context["form"].errors == {
        "pain_resolves_with_constipation_treatment": [CHOOSE_ONE]
    }
    assert re.search(r'name="constipation_4wk" value="yes"[^>]*checked', page)
    assert refused.context["form"]["abd_pain_freq"].value() == "2_3_per_week"
    assert 'href="#div_id_pain_resolves_with_constipation_treatment"' in page
    assert "constipation_4wk" not in link.refresh().answers


@pytest.mark.parametrize("value", ["not_treated_yet", "no_constipation", "yes", "no"])
def test_bowel_child_constipation_answers_of_revision_3_are_saved(value):
    link = _child_at_bowel(_born(12))
    data = {
        **STEP_DATA["bowel"],
        "constipation_4wk": "yes",
        "pain_resolves_with_constipation_treatment": value,
    }

    saved = _post(link.client, "bowel", data)

    assert saved.status_code == 302
    assert link.refresh().answers["pain_resolves_with_constipation_treatment"] == value


def test_bowel_child_not_constipated_drops_the_treatment_answer():
    link = _child_at_bowel(_born(12))
    data = {**STEP_DATA["bowel"], "pain_resolves_with_constipation_treatment": "yes"}

    saved = _post(link.client, "bowel", data)

    assert saved.status_code == 302
    assert "pain_resolves_with_constipation_treatment" not in link.refresh().answers


def test_bowel_without_gut_symptoms_skips_bowel_medicines_stool_form_and_severity(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="bowel")
    quiet = {
        "abd_pain_freq": "never",
        "bloating_freq": "1_3_per_month",
        "gas_freq": "lt_1_per_month",
        "loose_stools_4wk": "no",
        "constipation_4wk": "no",
        "gi_symptom_duration_months": "0",
        "greasy_floating_stools": "no",
        "bowel_meds_current": "yes",
    }

    saved = _post(client, "bowel", quiet)

    assert (saved.status_code, saved["Location"]) == (302, "/intake/step/gut-risks/")
    assert "bowel_meds_current" not in patient_link.refresh().answers


def test_bowel_weekly_gas_asks_about_bowel_medicines(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="bowel")
    data = {**STEP_DATA["bowel"], "abd_pain_freq": "never", "bloating_freq": "never"}
    data.pop("bowel_meds_current")

    refused = _post(client, "bowel", {**data, "gas_freq": "1_per_week"})

    assert refused.context["form"].errors == {"bowel_meds_current": [CHOOSE_ONE]}


# --- warning signs: follow-ups on the same page --------------------------------------------------


def test_warning_signs_page_marks_up_the_follow_ups_for_the_browser(patient_link):
    answer_steps(patient_link.client, stop_at="warning-signs")

    attrs = _attrs(patient_link.client.get("/intake/step/warning-signs/"))

    assert attrs["bleeding_now_or_faint"] == (
        ' data-show-if-field="rectal_bleeding" data-show-if-in="yes,unsure"'
        ' data-show-if-or="[{&quot;field&quot;:&quot;black_stools&quot;,'
        '&quot;in&quot;:[&quot;yes&quot;,&quot;unsure&quot;]}]"'
    )
    assert attrs["clot_chest_symptoms"] == (
        ' data-show-if-field="unilateral_calf_swelling_pain" data-show-if-in="yes,unsure"'
    )
    assert attrs["vomiting_green_or_no_fluids"] == (
        ' data-show-if-field="persistent_vomiting" data-show-if-in="yes,unsure"'
    )
    assert attrs["vomiting_blood"] == ""


def test_warning_signs_follow_ups_not_saved_when_their_question_is_no(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="warning-signs")
    data = {
        **NO_RED_FLAGS,
        "bleeding_now_or_faint": "yes",
        "clot_chest_symptoms": "yes",
        "vomiting_green_or_no_fluids": "yes",
    }

    saved = _post(client, "warning-signs", data)

    answers = patient_link.refresh().answers
    assert saved.status_code == 302
    assert {
        key: answers.get(key)
        for key in ("bleeding_now_or_faint", "clot_chest_symptoms", "vomiting_green_or_no_fluids")
    } == {
        "bleeding_now_or_faint": None,
        "clot_chest_symptoms": None,
        "vomiting_green_or_no_fluids": None,
    }
    assert answers["vomiting_blood"] == "no"


@pytest.mark.parametrize(
    ("answer", "follow_up"),
    [
        ({"rectal_bleeding": "yes"}, "bleeding_now_or_faint"),
        ({"black_stools": "unsure"}, "bleeding_now_or_faint"),
        ({"unilateral_calf_swelling_pain": "unsure"}, "clot_chest_symptoms"),
        ({"persistent_vomiting": "yes"}, "vomiting_green_or_no_fluids"),
    ],
)
def test_warning_signs_follow_up_must_be_answered_after_yes_or_not_sure(
    patient_link, answer, follow_up
):
    client = patient_link.client
    answer_steps(client, stop_at="warning-signs")
    data = {key: value for key, value in NO_RED_FLAGS.items() if key != follow_up}

    refused = _post(client, "warning-signs", {**data, **answer})

    assert refused.context["form"].errors == {follow_up: [CHOOSE_ONE]}
    assert "rectal_bleeding" not in patient_link.refresh().answers


# --- mood and the check page ----------------------------------------------------------------------


def test_mood_self_harm_question_accepts_not_sure(patient_link):
    client = patient_link.client
    answer_steps(client, stop_at="mood")

    saved = _post(client, "mood", {"self_harm_thoughts": "unsure"})

    assert saved.status_code == 302
    assert patient_link.refresh().answers["self_harm_thoughts"] == "unsure"


def test_review_page_lists_the_new_answers_in_words(patient_link):
    client = patient_link.client
    answer_steps(
        client,
        {"legs": {"rls_on_treatment": "yes", "rls_treatment_meds": ["gabapentinoid", "other"]}},
    )

    sections = {
        line.key: line.answer
        for part in client.get("/intake/review/").context["parts"]
        for step in part["steps"]
        for line in step["section"].lines
    }

    assert sections["rls_treatment_meds"] == (
        "Gabapentin or pregabalin (Lyrica), Something else, or I am not sure what it is"
    )
    assert sections["abd_pain_freq"] == "2 or 3 days a week"
    assert sections["anemia_recent_unexplained"] == "No"
    assert sections["iv_iron_last_12wk"] == "No"
    assert "bleeding_now_or_faint" not in sections

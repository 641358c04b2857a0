"""The questionnaire asks exactly the clinical spec's questions, with the engine's choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from intake import questionnaire
from intake.clinical.answers import SCHEMA
from intake.questionnaire import Facts


def _collected_keys() -> set[str]:
    keys = set(questionnaire.QUESTIONS)
    return keys | {"phq9_items", "prior_labs", "irls_items"}


def test_questionnaire_keys_are_spec_keys():
    assert _collected_keys() - set(SCHEMA) == set()


def test_questionnaire_collects_every_spec_key_but_age():
    # Age comes from the date of birth the clinic holds.
    assert set(SCHEMA) - _collected_keys() == {"age_years"}


@pytest.mark.parametrize("question", list(questionnaire.QUESTIONS.values()), ids=lambda q: q.key)
def test_questionnaire_choices_are_accepted_by_the_engine(question):
    field = SCHEMA[question.key]

    if question.kind == "choice":
        assert {value for value, _label in question.choices} <= set(field.choices)
    elif question.kind == "multi":
        assert {value for value, _label in question.choices} == set(field.choices)
    elif question.kind == "int":
        assert (question.min_value, question.max_value) == (field.low, field.high)
    else:
        assert field.kind == question.kind


@pytest.mark.parametrize(
    ("answers", "age", "expected_absent"),
    [
        ({"rls_screen": "no"}, 40, {"rls_c1_urge", "leg_main_problem", "rls_freq"}),
        ({"sex_at_birth": "male"}, 40, {"pregnant", "weeks_pregnant"}),
        (
            {"sex_at_birth": "female", "pregnant": "no"},
            40,
            {"weeks_pregnant", "guardian_completed"},
        ),
        ({"abd_pain_freq": "never"}, 40, {"pain_related_to_bm"}),
        ({"constipation_4wk": "yes"}, 40, {"pain_resolves_with_constipation_treatment"}),
        ({"rls_screen": "yes", "rls_on_treatment": "no"}, 40, {"aug_spread_to_arms"}),
    ],
)
def test_applicable_keys_hide_questions_that_do_not_apply(answers, age, expected_absent):
    keys = questionnaire.applicable_keys(Facts(answers, age))

    assert keys & expected_absent == set()


@pytest.mark.parametrize(
    ("answers", "age", "expected_present"),
    [
        ({"rls_screen": "unsure"}, 40, {"rls_c1_urge", "position_shift_relief", "rls_freq"}),
        ({"sex_at_birth": "other", "pregnant": "yes"}, 40, {"pregnant", "weeks_pregnant"}),
        ({"rls_screen": "yes"}, 12, {"guardian_completed", "rls_child_own_words"}),
        ({"constipation_4wk": "yes"}, 12, {"pain_resolves_with_constipation_treatment"}),
        (
            {"rls_on_treatment": "yes", "rls_treatment_meds": ["dopamine_agonist"]},
            40,
            {"aug_earlier_onset_hours"},
        ),
    ],
)
def test_applicable_keys_show_questions_that_apply(answers, age, expected_present):
    keys = questionnaire.applicable_keys(Facts(answers, age))

    assert keys >= expected_present


def test_steps_without_leg_or_tummy_trouble_skip_course_treatment_severity_and_stool_form():
    answers = {
        "rls_on_treatment": "no",
        "rls_screen": "no",
        "abd_pain_freq": "never",
        "bloating_freq": "never",
        "gas_freq": "1_3_per_month",
        "loose_stools_4wk": "no",
        "constipation_4wk": "no",
    }

    slugs = [s.slug for s in questionnaire.applicable_steps(Facts(answers, 40))]

    assert slugs == [
        "about-you",
        "legs",
        "bowel",
        "gut-risks",
        "history",
        "warning-signs",
        "mood",
        "labs",
        "consent",
    ]


def test_question_display_gives_words_not_codes():
    question = questionnaire.QUESTIONS["abd_pain_freq"]
    multi = questionnaire.QUESTIONS["medications"]

    assert question.display("2_3_per_week") == "2 or 3 days a week"
    assert question.display(None) == "Not answered"
    assert multi.display([]) == "None of these"
    assert multi.display(["ppi"]) == "Stomach acid reducers such as omeprazole or lansoprazole"


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({}, False),
        ({"abd_pain_freq": "never", "bloating_freq": "never"}, False),
        ({"abd_pain_freq": "1_3_per_month", "bloating_freq": "1_3_per_month"}, False),
        ({"abd_pain_freq": "1_per_week", "bloating_freq": "never"}, True),
        ({"abd_pain_freq": "never", "bloating_freq": "1_per_week"}, True),
        ({"abd_pain_freq": "never", "bloating_freq": "daily", "gas_freq": "daily"}, True),
        ({"abd_pain_freq": "never", "bloating_freq": "never", "gas_freq": "daily"}, False),
    ],
)
def test_gut_severity_step_only_with_pain_or_bloating_weekly(answers, shown):
    step = questionnaire.STEPS_BY_SLUG["gut-severity"]

    assert step.shown(Facts(answers, 40)) is shown


# --- revision 3: "Asked when" at each boundary ---------------------------------------------

RLS_DETAILS = {
    "rls_c1_urge",
    "rls_c2_rest",
    "rls_c3_movement_relief",
    "rls_c4_evening",
    "leg_main_problem",
    "position_shift_relief",
}
COURSE = {"rls_freq", "rls_impact_level", "rls_days_per_week", "rls_onset_time"}
AUGMENTATION = {
    "aug_earlier_onset_hours",
    "aug_spread_to_arms",
    "aug_dose_escalation_or_shorter_relief",
}
SEX_AND_AGE = {"pregnant", "breastfeeding", "heavy_menstrual_bleeding"}


def _asked(answers: dict, age: int = 40, keys: set[str] | None = None) -> set[str]:
    applicable = questionnaire.applicable_keys(Facts(answers, age))
    return applicable & keys if keys is not None else applicable


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({"rls_screen": "no", "rls_on_treatment": "no"}, False),
        ({"rls_screen": "no"}, False),
        ({"rls_screen": "no", "rls_on_treatment": "yes"}, True),
        ({"rls_screen": "yes", "rls_on_treatment": "no"}, True),
        ({"rls_screen": "unsure", "rls_on_treatment": "no"}, True),
        ({"rls_on_treatment": "yes"}, True),
        ({}, False),
    ],
    ids=[
        "screen-no-untreated",
        "screen-no-treatment-unanswered",
        "screen-no-treated",
        "screen-yes",
        "screen-unsure",
        "treated-screen-unanswered",
        "nothing-answered",
    ],
)
def test_rls_details_and_course_asked_when_screen_open_or_treated(answers, asked):
    expected = RLS_DETAILS | COURSE if asked else set()

    assert _asked(answers, keys=RLS_DETAILS | COURSE) == expected
    assert questionnaire.STEPS_BY_SLUG["course"].shown(Facts(answers, 40)) is asked


@pytest.mark.parametrize(
    ("answers", "age", "asked"),
    [
        ({"rls_screen": "no", "rls_on_treatment": "yes"}, 17, True),
        ({"rls_screen": "no", "rls_on_treatment": "yes"}, 18, False),
        ({"rls_screen": "no", "rls_on_treatment": "no"}, 17, False),
        ({"rls_screen": "yes"}, 6, True),
    ],
)
def test_childs_own_words_asked_below_18_with_the_rls_details(answers, age, asked):
    assert ("rls_child_own_words" in _asked(answers, age)) is asked


@pytest.mark.parametrize(
    ("treated", "asked"), [("yes", True), ("no", False), (None, False)], ids=str
)
def test_rls_treatment_meds_asked_only_of_a_treated_patient(treated, asked):
    answers = {"rls_screen": "no"} if treated is None else {"rls_on_treatment": treated}

    assert ("rls_treatment_meds" in _asked(answers)) is asked


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        # Whatever the screen (R3-2, R3-19).
        ({"rls_screen": "no", "rls_on_treatment": "yes", "rls_treatment_meds": ["levodopa"]}, True),
        (
            {
                "rls_screen": "yes",
                "rls_on_treatment": "yes",
                "rls_treatment_meds": ["iron", "dopamine_agonist"],
            },
            True,
        ),
        ({"rls_on_treatment": "yes", "rls_treatment_meds": ["gabapentinoid", "opioid"]}, False),
        ({"rls_on_treatment": "yes", "rls_treatment_meds": []}, False),
        # Levodopa for Parkinson's is in `medications`, not what is taken for the legs.
        (
            {
                "rls_screen": "yes",
                "rls_on_treatment": "no",
                "conditions": ["parkinsons"],
                "medications": ["levodopa", "dopamine_agonist"],
            },
            False,
        ),
        (
            {
                "rls_screen": "yes",
                "rls_on_treatment": "yes",
                "rls_treatment_meds": ["iron"],
                "conditions": ["parkinsons"],
                "medications": ["levodopa"],
            },
            False,
        ),
        # Not treated: a stale list of medicines is not an answer that applies.
        (
            {"rls_screen": "yes", "rls_on_treatment": "no", "rls_treatment_meds": ["levodopa"]},
            False,
        ),
    ],
    ids=[
        "levodopa-screen-no",
        "agonist-and-iron",
        "gabapentinoid-opioid",
        "none-ticked",
        "parkinsons-levodopa-untreated",
        "parkinsons-levodopa-iron-for-legs",
        "untreated-stale-list",
    ],
)
def test_augmentation_asked_on_dopaminergic_medicine_for_the_legs(answers, asked):
    facts = Facts(answers, 60)

    assert questionnaire.STEPS_BY_SLUG["treatment"].shown(facts) is (
        asked and "rls_treatment_meds" in questionnaire.applicable_keys(facts)
    )
    assert _asked(answers, 60, AUGMENTATION) == (AUGMENTATION if asked else set())


@pytest.mark.parametrize(
    ("sex", "age", "asked"),
    [
        ("female", 9, False),
        ("female", 10, True),
        ("other", 9, False),
        ("other", 10, True),
        ("male", 10, False),
        ("male", 40, False),
        ("female", 40, True),
    ],
)
def test_pregnancy_breastfeeding_and_heavy_periods_asked_from_10_unless_male(sex, age, asked):
    assert _asked({"sex_at_birth": sex}, age, SEX_AND_AGE) == (SEX_AND_AGE if asked else set())


@pytest.mark.parametrize(("age", "asked"), [(6, False), (11, False), (12, True), (40, True)])
def test_alcohol_and_nicotine_asked_from_12(age, asked):
    keys = {"alcohol_units_per_week", "nicotine"}

    assert _asked({}, age, keys) == (keys if asked else set())


@pytest.mark.parametrize(
    ("constipation", "age", "asked"),
    [
        ("yes", 5, False),
        ("yes", 6, True),
        ("yes", 17, True),
        ("yes", 18, False),
        ("no", 12, False),
        (None, 12, True),  # unanswered counts as not "no" (R3-3 ruling)
        (None, 18, False),
    ],
)
def test_constipation_treatment_question_asked_of_children_6_to_17_unless_not_constipated(
    constipation, age, asked
):
    answers = {} if constipation is None else {"constipation_4wk": constipation}
    key = "pain_resolves_with_constipation_treatment"

    assert (key in _asked(answers, age)) is asked


def test_constipation_treatment_question_has_revision_3_choices_and_wording():
    question = questionnaire.QUESTIONS["pain_resolves_with_constipation_treatment"]

    assert question.label == (
        "When the constipation has been treated, does the tummy pain go away?"
    )
    assert question.choices == (
        ("yes", "Yes"),
        ("no", "No"),
        ("not_treated_yet", "It has not been treated yet"),
        ("no_constipation", "My child is not constipated"),
    )
    assert {value for value, _label in question.choices} == set(
        SCHEMA["pain_resolves_with_constipation_treatment"].choices
    )


@pytest.mark.parametrize(
    ("answers", "follow_up", "asked"),
    [
        ({"rectal_bleeding": "yes", "black_stools": "no"}, "bleeding_now_or_faint", True),
        ({"rectal_bleeding": "unsure", "black_stools": "no"}, "bleeding_now_or_faint", True),
        ({"rectal_bleeding": "no", "black_stools": "yes"}, "bleeding_now_or_faint", True),
        ({"rectal_bleeding": "no", "black_stools": "unsure"}, "bleeding_now_or_faint", True),
        ({"rectal_bleeding": "no", "black_stools": "no"}, "bleeding_now_or_faint", False),
        ({}, "bleeding_now_or_faint", False),
        ({"unilateral_calf_swelling_pain": "yes"}, "clot_chest_symptoms", True),
        ({"unilateral_calf_swelling_pain": "unsure"}, "clot_chest_symptoms", True),
        ({"unilateral_calf_swelling_pain": "no"}, "clot_chest_symptoms", False),
        ({}, "clot_chest_symptoms", False),
        ({"persistent_vomiting": "yes"}, "vomiting_green_or_no_fluids", True),
        ({"persistent_vomiting": "unsure"}, "vomiting_green_or_no_fluids", True),
        ({"persistent_vomiting": "no"}, "vomiting_green_or_no_fluids", False),
        ({}, "vomiting_green_or_no_fluids", False),
    ],
)
def test_emergency_follow_ups_asked_after_yes_or_not_sure(answers, follow_up, asked):
    assert (follow_up in _asked(answers)) is asked


@pytest.mark.parametrize("age", [6, 40])
def test_red_flag_questions_without_conditions_are_asked_at_every_age(age):
    keys = {
        "vomiting_blood",
        "anemia_recent_unexplained",
        "rectal_bleeding",
        "black_stools",
        "leg_weakness_progressive",
        "saddle_numbness",
        "new_bladder_bowel_control_loss",
        "new_spreading_numbness",
        "unilateral_calf_swelling_pain",
    }

    assert _asked({}, age, keys) == keys


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({"abd_pain_freq": "1_3_per_month", "bloating_freq": "1_3_per_month"}, False),
        ({"abd_pain_freq": "1_per_week"}, True),
        ({"bloating_freq": "1_per_week"}, True),
        ({"gas_freq": "daily"}, True),
        ({"gas_freq": "1_3_per_month", "loose_stools_4wk": "yes"}, True),
        ({"constipation_4wk": "yes"}, True),
        ({"loose_stools_4wk": "no", "constipation_4wk": "no"}, False),
        ({}, False),
    ],
)
def test_stool_form_and_bowel_medicines_asked_with_gut_symptoms(answers, asked):
    keys = {"pct_bm_hard", "pct_bm_loose", "bowel_meds_current"}

    assert _asked(answers, keys=keys) == (keys if asked else set())


def test_self_harm_question_offers_not_sure():
    question = questionnaire.QUESTIONS["self_harm_thoughts"]

    assert question.choices == (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))


@pytest.mark.parametrize(
    ("answers", "shown"),
    [({}, True), ({"phq9_items": [0] * 9}, False)],
    ids=["phq9-blank", "phq9-complete"],
)
def test_self_harm_question_only_when_the_phq9_is_not_complete(answers, shown):
    step = questionnaire.STEPS_BY_SLUG["mood"]
    question = questionnaire.QUESTIONS["self_harm_thoughts"]

    assert questionnaire.field_shown(step, question, Facts(answers, 40)) is shown


# --- revision 3: wording ---------------------------------------------------------------------


def test_legs_step_asks_about_treatment_first_then_the_screen():
    keys = [question.key for question in questionnaire.STEPS_BY_SLUG["legs"].questions]
    course = [question.key for question in questionnaire.STEPS_BY_SLUG["course"].questions]

    assert keys[:3] == ["rls_on_treatment", "rls_treatment_meds", "rls_screen"]
    assert "rls_on_treatment" not in course


def test_treatment_questions_wording_and_choices():
    treated = questionnaire.QUESTIONS["rls_on_treatment"]
    meds = questionnaire.QUESTIONS["rls_treatment_meds"]

    assert treated.label == "Do you take anything for your restless legs now?"
    assert meds.label == "Which of these do you take for your restless legs now?"
    assert (meds.kind, meds.widget, meds.required) == ("multi", "checkboxes", True)
    assert [value for value, _label in meds.choices] == [
        "dopamine_agonist",
        "levodopa",
        "gabapentinoid",
        "opioid",
        "iron",
        "other",
    ]
    labels = dict(meds.choices)
    assert labels["dopamine_agonist"].startswith("Pramipexole, ropinirole or rotigotine")
    assert labels["gabapentinoid"].startswith("Gabapentin or pregabalin")


def test_legs_page_says_above_the_screen_to_answer_without_treatment():
    intro = questionnaire.STEPS_BY_SLUG["legs"].intro

    assert intro == (
        "These questions are about uncomfortable feelings in your legs. If you take anything "
        "for your restless legs, answer the questions after the first ones for your legs "
        "without it, or as they were before you started it."
    )


@pytest.mark.parametrize(
    "key",
    [
        "rls_screen",
        "rls_c1_urge",
        "rls_c2_rest",
        "rls_c3_movement_relief",
        "rls_c4_evening",
        "leg_main_problem",
        "position_shift_relief",
        "rls_freq",
        "rls_lifetime_episodes_ge5",
        "rls_impact_level",
    ],
)
def test_untreated_rls_items_say_to_answer_without_treatment(key):
    help_text = questionnaire.QUESTIONS[key].help_text

    assert help_text.endswith(
        "If you take anything for your restless legs, answer for your legs without it, or as "
        "they were before you started it."
    )


@pytest.mark.parametrize(
    ("key", "label", "help_text"),
    [
        (
            "rls_days_per_week",
            "In the past week, as things are now, on how many days did you have it?",
            "A number from 0 to 7. If you take anything for your legs, count the days as they "
            "are now, with it.",
        ),
        (
            "rls_onset_time",
            "In the past week, as things are now, when in the day did it usually start?",
            "If you take anything for your legs, answer for how they are now, with it.",
        ),
    ],
)
def test_current_rls_items_ask_about_the_past_week_as_things_are_now(key, label, help_text):
    question = questionnaire.QUESTIONS[key]

    assert (question.label, question.help_text) == (label, help_text)


EMERGENCY_WORDING = {
    "leg_weakness_progressive": (
        "In the last 4 weeks, has weakness in one or both legs started or got worse (tripping, "
        "foot dragging, legs giving way)?"
    ),
    "saddle_numbness": (
        "Is there numbness or tingling, new in the last 4 weeks, between your legs, around "
        "your bottom or genitals?"
    ),
    "new_bladder_bowel_control_loss": (
        "In the last 4 weeks, have you had new trouble passing urine, or leaking of urine or "
        "stool that you cannot control?"
    ),
    "new_spreading_numbness": (
        "In the last 4 weeks, has numbness or weakness started and spread over days (for "
        "example from the feet upwards)?"
    ),
    "unilateral_calf_swelling_pain": (
        "In the last 2 weeks, has one calf or leg (not both) become swollen, painful or tender?"
    ),
    "vomiting_blood": (
        "In the last 7 days, have you vomited blood, or something that looks like coffee grounds?"
    ),
    "bleeding_now_or_faint": (
        "Is the bleeding or black stool happening in the last 48 hours, or do you feel faint "
        "or dizzy when you stand up?"
    ),
    "clot_chest_symptoms": "Any new breathlessness, chest pain, or coughing up blood?",
    "vomiting_green_or_no_fluids": (
        "Is the vomit green, or have you (or your child) been unable to keep fluids down for "
        "24 hours (12 hours in a child)?"
    ),
}


@pytest.mark.parametrize(("key", "label"), EMERGENCY_WORDING.items(), ids=list(EMERGENCY_WORDING))
def test_emergency_questions_use_the_spec_wording_with_yes_no_not_sure(key, label):
    question = questionnaire.QUESTIONS[key]
    warning_signs = {q.key for q in questionnaire.STEPS_BY_SLUG["warning-signs"].questions}

    assert question.label == label
    assert question.help_text == "A problem you have had for longer, unchanged, is not a yes"
    assert question.choices == questionnaire.YES_NO_UNSURE
    assert question.required is True
    assert key in warning_signs


@pytest.mark.parametrize(
    ("key", "label"),
    [
        (
            "black_stools",
            "In the last 3 months, have you had black, sticky, tar-like, bad-smelling stools? "
            "(Iron tablets and bismuth make stools dark but usually firm and not sticky. If you "
            "take them and are not sure, answer Not sure.)",
        ),
        (
            "rectal_bleeding",
            "In the last 3 months, have you seen blood from your bottom or in your stools?",
        ),
        (
            "anemia_recent_unexplained",
            "In the last 12 months, has a blood test shown anaemia (a low blood count) whose "
            "cause has not been found? Answer yes even if you were given iron for it.",
        ),
    ],
)
def test_red_flag_questions_revision_3_wording(key, label):
    question = questionnaire.QUESTIONS[key]

    assert question.label == label
    assert question.choices == questionnaire.YES_NO_UNSURE


def test_anaemia_history_stays_in_the_conditions_list():
    conditions = dict(questionnaire.QUESTIONS["conditions"].choices)
    warning_signs = [q.key for q in questionnaire.STEPS_BY_SLUG["warning-signs"].questions]

    assert conditions["anemia_known"] == "Anaemia"
    assert "anemia_recent_unexplained" in warning_signs


def test_pain_frequency_counts_days_while_bloating_and_gas_count_times():
    pain = questionnaire.QUESTIONS["abd_pain_freq"]

    assert pain.label == (
        "On how many days have you had pain in your tummy (abdomen), on average, over the last "
        "3 months?"
    )
    assert [label for _value, label in pain.choices] == [
        "Never",
        "Less than 1 day a month",
        "1 to 3 days a month",
        "About 1 day a week",
        "2 or 3 days a week",
        "4 to 6 days a week",
        "Every day",
    ]
    assert [value for value, _label in pain.choices] == list(SCHEMA["abd_pain_freq"].choices)
    for key in ("bloating_freq", "gas_freq"):
        assert questionnaire.QUESTIONS[key].choices == questionnaire.FREQUENCY


@pytest.mark.parametrize(
    ("key", "choices"),
    [
        ("fhx_rls", questionnaire.FAMILY),
        ("iv_iron_last_12wk", questionnaire.YES_NO_UNSURE),
        ("blood_donor_regular", questionnaire.YES_NO),
        ("breastfeeding", questionnaire.YES_NO),
        ("heavy_menstrual_bleeding", questionnaire.YES_NO),
    ],
)
def test_new_optional_questions_may_be_left_blank(key, choices):
    question = questionnaire.QUESTIONS[key]

    assert (question.required, question.choices) == (False, choices)


# --- conditions as the browser reads them -----------------------------------------------------


def test_html_attrs_any_of_gives_the_first_rule_and_the_others_as_json():
    condition = questionnaire.QUESTIONS["bleeding_now_or_faint"].show_if

    assert condition.html_attrs() == {
        "data-show-if-field": "rectal_bleeding",
        "data-show-if-in": "yes,unsure",
        "data-show-if-or": '[{"field":"black_stools","in":["yes","unsure"]}]',
    }


def test_html_attrs_rls_details_follow_the_screen_or_treatment():
    condition = questionnaire.QUESTIONS["rls_c1_urge"].show_if

    assert condition.html_attrs() == {
        "data-show-if-field": "rls_screen",
        "data-show-if-not": "no",
        "data-show-if-or": '[{"field":"rls_on_treatment","in":["yes"]}]',
    }


def test_html_attrs_unanswered_constipation_keeps_the_question_shown():
    condition = questionnaire.QUESTIONS["pain_resolves_with_constipation_treatment"].show_if

    assert condition.html_attrs() == {
        "data-show-if-field": "constipation_4wk",
        "data-show-if-unless": "no",
    }


def _answer_parts(condition) -> list:
    if isinstance(condition, questionnaire.AllOf):
        return [part for c in condition.conditions for part in _answer_parts(c)]
    if isinstance(condition, (questionnaire.AnyOf, questionnaire.AnswerIn, questionnaire.Includes)):
        return [condition]
    return []  # a fact the server holds


@pytest.mark.parametrize(
    "step", [s for s in questionnaire.STEPS if s.questions], ids=lambda s: s.slug
)
def test_every_question_condition_is_one_rule_on_answers_asked_before_it(step):
    # The browser tests one rule (or one AnyOf) per question, on answers above it on the page
    # (may_show_on_page settles the page in one pass, in order). An AnyOf must be decided on its
    # own page: a part on an earlier page would be unknown to the browser, which could hide a
    # question the server asks.
    position = questionnaire.STEPS.index(step)
    earlier = {q.key for s in questionnaire.STEPS[:position] for q in s.questions}
    problems = []
    for index, question in enumerate(step.questions):
        above = {q.key for q in step.questions[:index]}
        parts = _answer_parts(question.show_if)
        if len(parts) > 1:
            problems.append(f"{question.key}: {len(parts)} answer rules")
        for part in parts:
            keys = part.fields() if isinstance(part, questionnaire.AnyOf) else {part.key}
            if isinstance(part, questionnaire.AnyOf) and not keys <= above:
                problems.append(f"{question.key}: AnyOf reads {sorted(keys - above)}")
            if not keys <= above | earlier:
                problems.append(f"{question.key}: reads {sorted(keys)}, not asked before it")

    assert problems == []


@pytest.mark.parametrize(
    ("age", "sex", "on_page"),
    [(9, "female", False), (10, "female", True), (40, "male", True)],
)
def test_may_show_on_page_weeks_pregnant_only_where_the_pregnancy_question_is(age, sex, on_page):
    # A male patient's page has both (the browser hides them as he answers); a 9-year-old's
    # has neither, as the question it follows is never sent.
    step = questionnaire.STEPS_BY_SLUG["about-you"]
    question = questionnaire.QUESTIONS["weeks_pregnant"]

    assert questionnaire.may_show_on_page(step, question, Facts({"sex_at_birth": sex}, age)) is (
        on_page
    )


def test_any_of_holds_off_page_when_any_part_may_still_hold():
    condition = questionnaire.QUESTIONS["rls_c1_urge"].show_if
    untreated_no = Facts({"rls_screen": "no", "rls_on_treatment": "no"}, 40)

    assert condition(untreated_no) is False
    assert condition.holds_off_page(untreated_no, {"rls_screen", "rls_on_treatment"}) is True
    assert condition.holds_off_page(untreated_no, set()) is False


# --- the patient's way through: parts, time, wording ------------------------------------------


def test_sections_hold_every_step_once_in_questionnaire_order():
    slugs = [slug for section in questionnaire.SECTIONS for slug in section.slugs]

    assert slugs == [step.slug for step in questionnaire.STEPS]


@pytest.mark.parametrize("section", questionnaire.SECTIONS, ids=lambda section: section.title)
def test_sections_each_have_a_step_asked_whatever_the_answers(section):
    # So the number of parts never changes as answers open more steps.
    steps = [questionnaire.STEPS_BY_SLUG[slug] for slug in section.slugs]

    assert [step.slug for step in steps if step.show_if is None][:1] == [section.slugs[0]]


def test_section_progress_names_the_part_and_marks_those_done():
    progress = questionnaire.section_progress("stool-form")

    assert (progress["number"], progress["total"], progress["title"]) == (3, 7, "Tummy and bowels")
    assert [part["done"] for part in progress["parts"]] == [True, True] + [False] * 5
    assert [part["title"] for part in progress["parts"] if part["current"]] == ["Tummy and bowels"]


def test_section_progress_of_the_check_page_is_the_last_part():
    progress = questionnaire.section_progress("consent")

    assert (progress["number"], progress["title"]) == (7, "Check and send")


@pytest.mark.parametrize(
    ("age", "licensed", "fewest", "most"),
    [(40, False, 50, 85), (40, True, 50, 95), (16, False, 52, 88), (8, False, 50, 83)],
)
def test_time_estimate_counts_the_questions_asked(age, licensed, fewest, most):
    estimate = questionnaire.time_estimate(Facts({"sex_at_birth": "male"}, age, licensed))

    seconds = questionnaire.SECONDS_PER_QUESTION
    assert estimate == {
        "fewest_questions": fewest,
        "most_questions": most,
        "fewest_minutes": -(-fewest * seconds // 60),
        "most_minutes": -(-most * seconds // 60),
        "seconds_per_question": seconds,
    }


def test_time_estimate_fewest_are_the_questions_no_answer_opens():
    # An adult who answers no to the leg screen and has no weekly tummy symptoms.
    facts = Facts({}, 40)
    asked = [
        question
        for step in questionnaire.applicable_steps(facts)
        if step.kind not in ("mood", "labs", "consent")
        for question in step.visible_questions(facts)
    ]

    assert questionnaire.time_estimate(facts)["fewest_questions"] == len(asked) + 9 + 1


@pytest.mark.parametrize(
    "question",
    [q for q in questionnaire.QUESTIONS.values() if q.widget == "slider"],
    ids=lambda q: q.key,
)
def test_sliders_are_0_to_100_with_three_anchors_in_words(question):
    assert (question.kind, question.min_value, question.max_value) == ("int", 0, 100)
    assert len(question.anchors) == 3
    assert all(anchor.strip() for anchor in question.anchors)


def test_sliders_are_the_0_to_100_answers():
    sliders = {q.key for q in questionnaire.QUESTIONS.values() if q.widget == "slider"}

    assert sliders == {
        "pct_bm_hard",
        "pct_bm_loose",
        "ibssss_pain_severity",
        "ibssss_distension",
        "ibssss_bowel_dissatisfaction",
        "ibssss_life_interference",
    }


@pytest.mark.parametrize(
    "question",
    [q for q in questionnaire.QUESTIONS.values() if q.groups],
    ids=lambda q: q.key,
)
def test_tick_list_groups_hold_every_choice_once(question):
    grouped = [key for _title, keys in question.groups for key in keys]

    assert sorted(grouped) == sorted(value for value, _label in question.choices)
    assert len(grouped) == len(set(grouped))


def test_none_of_these_is_offered_on_the_history_lists():
    offered = {q.key for q in questionnaire.QUESTIONS.values() if q.none_choice}

    assert offered == {"conditions", "medications", "thyroid_symptoms"}
    assert questionnaire.NONE_OF_THESE not in {
        value
        for q in questionnaire.QUESTIONS.values()
        if q.kind == "multi"
        for value, _label in q.choices
    }


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "Not answered"),
        ([], "None of these"),
        (["ppi"], "Stomach acid reducers such as omeprazole or lansoprazole"),
    ],
)
def test_none_of_these_reads_back_in_words(value, shown):
    assert questionnaire.QUESTIONS["medications"].display(value) == shown


# A question names its time frame ("in the last 3 months", "now", "ever"), except: facts
# without one (sex at birth); the leg criteria and the child's words, which describe the legs
# without treatment (R3-2: the step and each help say so); and the spec's own wording.
TIME_FRAME = re.compile(
    r"\b(last|now|these days|ever|usual|today|past|at the moment|before|since|in your life|"
    r"weeks?|months?|years?|evening|night)\b",
    re.IGNORECASE,
)
NO_TIME_FRAME = {
    "sex_at_birth",
    "rls_c1_urge",
    "rls_c2_rest",
    "rls_c3_movement_relief",
    "leg_main_problem",
    "position_shift_relief",
    "rls_child_own_words",
    "pain_resolves_with_constipation_treatment",  # §2.3 quotes it
    "vomiting_green_or_no_fluids",  # R3-15 quotes it
    "clot_chest_symptoms",  # R3-15 quotes it ("new")
}


@pytest.mark.parametrize("question", list(questionnaire.QUESTIONS.values()), ids=lambda q: q.key)
def test_every_question_names_its_time_frame(question):
    assert bool(TIME_FRAME.search(question.label)) is (question.key not in NO_TIME_FRAME)


# The patient side is in UK English (docs/style.md): these US spellings never appear.
US_SPELLINGS = re.compile(
    r"\b(anemia|anemic|diarrhea|celiac|color|gray|center|fiber|esophag\w*|hemoglobin|apnea|pediatric|"
    r"feces|fecal|tumor|liter|edema|favor|behavior|labor|pain killer)\b",
    re.IGNORECASE,
)


def _patient_texts() -> list[str]:
    texts = [questionnaire.CONSENT_TEXT, questionnaire.ALCOHOL_UNITS]
    texts += [section.title for section in questionnaire.SECTIONS]
    texts += list(questionnaire.LAB_EXPLANATIONS.values())
    texts += [name for _code, name, _units in questionnaire.LAB_TESTS]
    texts += list(questionnaire.PHQ9_ITEMS)
    for step in questionnaire.STEPS:
        texts += [step.title, step.intro, step.notice]
        for q in step.questions:
            texts += [q.label, q.help_text, q.none_choice, *(q.anchors or ())]
            texts += [label for _value, label in q.choices]
            texts += [title for title, _keys in q.groups]
    return texts


def test_patient_wording_uses_uk_spelling():
    assert [text for text in _patient_texts() if US_SPELLINGS.search(text)] == []


def test_patient_templates_use_uk_spelling():
    folder = Path(__file__).resolve().parent.parent / "templates" / "intake" / "patient"
    found = {
        path.name: US_SPELLINGS.findall(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.html"))
    }

    assert {name: words for name, words in found.items() if words} == {}


def test_alcohol_question_says_what_one_unit_is():
    question = questionnaire.QUESTIONS["alcohol_units_per_week"]

    assert question.help_text.startswith("One unit is 10 ml of pure alcohol.")


def test_every_lab_test_is_explained_in_plain_words():
    assert set(questionnaire.LAB_EXPLANATIONS) == {code for code, _n, _u in questionnaire.LAB_TESTS}

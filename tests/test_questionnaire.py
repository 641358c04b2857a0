"""The questionnaire asks exactly the clinical spec's questions, with the engine's choices."""

from __future__ import annotations

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
        ({"rls_screen": "yes", "rls_on_treatment": "yes"}, 40, {"aug_earlier_onset_hours"}),
    ],
)
def test_applicable_keys_show_questions_that_apply(answers, age, expected_present):
    keys = questionnaire.applicable_keys(Facts(answers, age))

    assert keys >= expected_present


def test_steps_without_leg_or_tummy_trouble_skip_course_treatment_and_severity():
    answers = {"rls_screen": "no", "abd_pain_freq": "never", "bloating_freq": "never"}

    slugs = [s.slug for s in questionnaire.applicable_steps(Facts(answers, 40))]

    assert slugs == [
        "about-you",
        "legs",
        "bowel",
        "stool-form",
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

    assert question.display("2_3_per_week") == "2 or 3 times a week"
    assert question.display(None) == "Not answered"
    assert multi.display([]) == "None of these"
    assert multi.display(["ppi"]) == "Stomach acid reducers such as omeprazole or lansoprazole"


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({}, False),
        ({"abd_pain_freq": "never", "bloating_freq": "never"}, False),
        ({"abd_pain_freq": "lt_1_per_month", "bloating_freq": "never"}, True),
        ({"abd_pain_freq": "never", "bloating_freq": "daily"}, True),
    ],
)
def test_gut_severity_step_only_with_pain_or_bloating(answers, shown):
    step = questionnaire.STEPS_BY_SLUG["gut-severity"]

    assert step.shown(Facts(answers, 40)) is shown

"""The questionnaire and the engine agree on what is asked (spec revision 3, "Asked when").

The engine lists an unanswered question in data_quality.missing only when the questionnaire
asks it, and a patient who answered everything the questionnaire asked is never told that
an answer is missing. Checked on generated patients, answering only what applies to them.
"""

import random

import pytest

from intake import questionnaire
from intake.clinical import evaluate
from intake.clinical.answers import SCHEMA

SEEDS = range(200)
# Answers that decide whether other questions are asked. They are always answered here: the
# step forms require them, and what the engine does without them is tested in tests/clinical.
PARENT_KEYS = frozenset(
    {
        "sex_at_birth",
        "pregnant",
        "rls_on_treatment",
        "rls_treatment_meds",
        "rls_screen",
        "rls_freq",
        "abd_pain_freq",
        "bloating_freq",
        "gas_freq",
        "loose_stools_4wk",
        "constipation_4wk",
        "antibiotics_last_3mo",
        "rectal_bleeding",
        "black_stools",
        "unilateral_calf_swelling_pain",
        "persistent_vomiting",
        "phq9_items",
    }
)
AGES = (6, 9, 10, 11, 12, 16, 17, 18, 35, 49, 50, 72)


def _value(rng: random.Random, key: str):
    field = SCHEMA[key]
    if field.kind == "choice":
        return rng.choice(field.choices)
    if field.kind == "int":
        return rng.randint(field.low, min(field.high, 60))
    if field.kind == "bool":
        return rng.random() < 0.5
    if field.kind == "text":
        return "they feel fizzy"
    if field.kind == "multi":
        return rng.sample(field.choices, rng.randint(0, 2))
    if key == "phq9_items":
        return [rng.randint(0, 1) for _ in range(9)]
    return None  # irls_items and prior_labs: left out


def _patient(seed: int, *, skip: float) -> dict:
    """Answers only what the questionnaire asks, step by step, leaving out `skip` of them."""
    rng = random.Random(seed)
    answers = {
        "age_years": rng.choice(AGES),
        "sex_at_birth": rng.choice(("female", "male", "other")),
    }
    # Answering one question can open others: go round until nothing new applies.
    for _ in range(6):
        facts = questionnaire.Facts(answers=answers, age_years=answers["age_years"])
        new = [key for key in sorted(questionnaire.applicable_keys(facts)) if key not in answers]
        new = [key for key in new if key in SCHEMA and key not in ("irls_items", "prior_labs")]
        if not new:
            break
        for key in new:
            value = _value(rng, key)
            if value is not None:
                answers[key] = value
    # Drop what no longer applies (an answer changed what is asked), then skip some.
    facts = questionnaire.Facts(answers=answers, age_years=answers["age_years"])
    applicable = questionnaire.applicable_keys(facts) | {"age_years", "sex_at_birth"}
    kept = {key: value for key, value in answers.items() if key in applicable}
    return {
        key: value
        for key, value in kept.items()
        if key in PARENT_KEYS or key == "age_years" or rng.random() >= skip
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_agreement_missing_answers_are_questions_the_patient_is_asked(seed):
    answers = _patient(seed, skip=0.25)
    facts = questionnaire.Facts(answers=answers, age_years=answers["age_years"])

    missing = evaluate(answers).as_dict()["data_quality"]["missing"]

    assert set(missing) - questionnaire.applicable_keys(facts) == set()


@pytest.mark.parametrize("seed", SEEDS)
def test_agreement_answering_everything_asked_leaves_nothing_missing(seed):
    answers = _patient(seed, skip=0.0)

    missing = evaluate(answers).as_dict()["data_quality"]["missing"]

    assert missing == []

"""clinical.urgent: the red flags alone, asked on every save while a patient types (R3-23). It
must give what evaluate gives, for every answer set, and refuse what evaluate refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from intake.clinical import evaluate, urgent
from intake.clinical.answers import SCHEMA
from tests.answer_sets import adult, full_adult, ibs_adult_met
from tests.clinical.test_red_flags import SINGLE_RF_CASES

# Keys that decide red flags weigh most: answered more often than the rest.
RED_FLAG_ITEMS = [key for key, field in SCHEMA.items() if field.choices == ("yes", "no", "unsure")]


def _value(key: str) -> st.SearchStrategy[object]:
    field = SCHEMA[key]
    if field.kind == "choice":
        return st.sampled_from(field.choices)
    if field.kind == "int":
        return st.integers(field.low, field.high)
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "text":
        return st.text(max_size=20)
    if field.kind == "multi":
        return st.lists(st.sampled_from(field.choices), unique=True, max_size=4)
    if field.kind == "int_list":
        item = st.integers(field.low, field.high)
        if field.allow_blank_items:
            item = st.one_of(item, st.none())
        return st.lists(item, min_size=field.length, max_size=field.length)
    lab = st.fixed_dictionaries(
        {
            "test": st.sampled_from(["ferritin", "tsat"]),
            "value": st.integers(1, 500),
            "unit": st.sampled_from(["ng/mL", "%"]),
            "days_ago": st.integers(0, 800),
        }
    )
    return st.lists(lab, max_size=2)  # some units will not fit: refused by both


@st.composite
def answer_sets(draw) -> dict[str, object]:
    answers: dict[str, object] = {
        "age_years": draw(st.integers(0, 100)),
        "sex_at_birth": draw(st.sampled_from(SCHEMA["sex_at_birth"].choices)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(SCHEMA)), unique=True, max_size=40)):
        answers[key] = draw(_value(key))
    for key in draw(st.lists(st.sampled_from(RED_FLAG_ITEMS), unique=True, max_size=6)):
        answers[key] = draw(st.sampled_from(["yes", "no", "unsure"]))
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(SCHEMA)))
        answers[key] = draw(st.sampled_from([None, "", -1, 10**6, "maybe", ["x"], 1.5, True]))
    return answers


def _urgent_of(answers: dict, **settings) -> object:
    """urgent's answer as evaluate words it (§11's urgent, and the "Not sure" kinds), or the
    refusal."""
    try:
        red = urgent(answers, **settings)
    except ValueError as refusal:
        return ("refused", str(refusal))
    return (
        {
            "value": bool(red.reasons),
            "reasons": red.reasons,
            "crisis": red.crisis,
            "emergency": red.emergency,
        },
        red.unsure_emergency,
        red.unsure_crisis,
    )


def _evaluate_of(answers: dict, **settings) -> object:
    try:
        assessment = evaluate(answers, **settings)
    except ValueError as refusal:
        return ("refused", str(refusal))
    return (
        assessment.as_dict()["urgent"],
        assessment.unsure_emergency,
        assessment.unsure_crisis,
    )


@fuzz_settings(max_examples=600, deadline=None)
@given(answers=answer_sets(), min_age=st.sampled_from([0, 6, 12, 18]))
def test_urgent_gives_what_evaluate_gives(answers, min_age):
    assert _urgent_of(answers, min_age=min_age) == _evaluate_of(answers, min_age=min_age)


KNOWN = {
    **{f"fires {rule}": answers for rule, answers in SINGLE_RF_CASES.items()},
    "nothing urgent": adult(),
    "a full adult": full_adult(),
    "IBS with bleeding": ibs_adult_met(rectal_bleeding="yes"),
    "not sure about self-harm": adult(self_harm_thoughts="unsure"),
    "not sure about a clot": adult(unilateral_calf_swelling_pain="unsure"),
    "a child": adult(age_years=4, rectal_bleeding="yes"),
}


@pytest.mark.parametrize("answers", KNOWN.values(), ids=KNOWN.keys())
def test_urgent_gives_what_evaluate_gives_for_known_cases(answers):
    assert _urgent_of(answers) == _evaluate_of(answers)


@pytest.mark.parametrize(
    ("answers", "settings"),
    [
        ({"sex_at_birth": "female"}, {}),  # no age
        (adult(rectal_bleeding="maybe"), {}),
        (adult(phq9_items=[0, 1]), {}),
        (adult(), {"min_age": -1}),
        (adult(), {"min_age": "6"}),
        ("not answers", {}),
    ],
    ids=["no age", "bad choice", "short PHQ-9", "negative min age", "text min age", "not a dict"],
)
def test_urgent_refuses_what_evaluate_refuses(answers, settings):
    with pytest.raises(ValueError) as from_urgent:
        urgent(answers, **settings)
    with pytest.raises(ValueError) as from_evaluate:
        evaluate(answers, **settings)
    assert str(from_urgent.value) == str(from_evaluate.value)

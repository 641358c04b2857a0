"""The questionnaire's schema: step kinds are an enum that refuses a misspelt kind and that
templates compare against by name. (What is asked is tested in test_questionnaire.py.)"""

from __future__ import annotations

import pytest
from django.template import Context, Template

from intake import questionnaire
from intake.questionnaire import Step, StepKind


def test_step_kind_misspelt_is_refused_when_the_step_is_defined():
    with pytest.raises(ValueError) as refusal:
        Step("mood-check", "Mood", kind="mod")

    assert str(refusal.value) == "'mod' is not a valid StepKind"


def test_step_kind_given_as_text_is_stored_as_the_enum():
    step = Step("mood-check", "Mood", kind="mood")

    assert step.kind is StepKind.MOOD


def test_step_kind_defaults_to_plain_questions():
    assert Step("about-you", "About you").kind is StepKind.QUESTIONS


def test_step_kinds_of_the_questionnaire_are_the_four_special_pages_in_order():
    special = [(step.slug, step.kind) for step in questionnaire.STEPS if step.kind != "questions"]

    assert special == [
        ("severity-scale", StepKind.IRLS),
        ("mood", StepKind.MOOD),
        ("labs", StepKind.LABS),
        ("consent", StepKind.CONSENT),
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(StepKind.MOOD, "mood page"), (StepKind.LABS, "labs page"), (StepKind.IRLS, "other")],
)
def test_step_kind_in_a_template_is_compared_by_member_name(kind, expected):
    template = Template(
        "{% if step.kind == StepKind.MOOD %}mood page"
        "{% elif step.kind == StepKind.LABS %}labs page{% else %}other{% endif %}"
    )

    rendered = template.render(Context({"step": Step("x", "X", kind=kind), "StepKind": StepKind}))

    assert rendered == expected


def test_step_kind_group_answer_keys_follow_the_kinds():
    assert questionnaire.GROUP_KEY_BY_KIND == {
        StepKind.IRLS: "irls_items",
        StepKind.MOOD: "phq9_items",
        StepKind.LABS: "prior_labs",
    }

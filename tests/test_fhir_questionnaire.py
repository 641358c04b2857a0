"""The intake as a FHIR Questionnaire (intake/fhir/questionnaire.py) and the app's CodeSystem.

No database: the Questionnaire is built from intake/questionnaire.py alone. On generated
patients, answering only what applies to them, the Questionnaire's enableWhen enables exactly
the questions the app asks, and their answers make a response that follows it.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from intake import questionnaire as intake_questions
from intake.clinical.catalogue import RULES
from intake.fhir import codes
from intake.fhir import questionnaire as fhir_questionnaire
from intake.questionnaire import Facts
from tests.fhir_checks import check_response, model_of

SITE = "https://clinic.example/"
CODES = "https://clinic.example/fhir/CodeSystem/intake"
SEEDS = range(200)
AGES = (5, 6, 9, 10, 11, 12, 16, 17, 18, 35, 50, 72)


def _all_items(items):
    for item in items:
        yield item
        yield from _all_items(item.get("item", []))


def _items_by_link(resource):
    return {item["linkId"]: item for item in _all_items(resource["item"])}


@pytest.fixture(scope="module")
def built():
    return fhir_questionnaire.questionnaire(site_url=SITE)


def test_questionnaire_builds_as_an_r4_model(built):
    model = model_of(built)

    assert model.get_resource_type() == "Questionnaire"
    assert model.model_dump(mode="json") == built


def test_questionnaire_header_names_the_canonical_url_and_version(built):
    header = {key: value for key, value in built.items() if key != "item"}

    assert header == {
        "resourceType": "Questionnaire",
        "url": "https://clinic.example/fhir/Questionnaire/intake",
        "version": fhir_questionnaire.version(),
        "name": "RlsGutIntake",
        "title": "RLS and gut health intake",
        "status": "active",
        "subjectType": ["Patient"],
        "description": "The patient intake for restless legs and gut health. It flags items "
        "for a practitioner's review; it never diagnoses.",
        "copyright": "Wording is the app's own, except the PHQ-9 (Pfizer; free to use). The "
        "licensed IRLS items are not included.",
    }
    assert len(fhir_questionnaire.version()) == 12
    assert fhir_questionnaire.canonical(site_url=SITE) == (
        f"https://clinic.example/fhir/Questionnaire/intake|{fhir_questionnaire.version()}"
    )


def test_questionnaire_version_is_the_same_for_another_site_url():
    other = fhir_questionnaire.questionnaire(site_url="http://127.0.0.1:8000")

    assert other["version"] == fhir_questionnaire.version()
    assert other["url"] == "http://127.0.0.1:8000/fhir/Questionnaire/intake"


def test_questionnaire_version_changes_when_a_question_changes(monkeypatch):
    before = fhir_questionnaire.version()
    about = intake_questions.STEPS[0]
    reworded = dataclasses.replace(
        about.questions[0], label="Sex at birth, as recorded on your birth certificate"
    )
    steps = (
        dataclasses.replace(about, questions=(reworded, *about.questions[1:])),
        *intake_questions.STEPS[1:],
    )
    monkeypatch.setattr(intake_questions, "STEPS", steps)
    fhir_questionnaire._built.cache_clear()
    fhir_questionnaire.version.cache_clear()
    try:
        after = fhir_questionnaire.version()
    finally:
        monkeypatch.undo()
        fhir_questionnaire._built.cache_clear()
        fhir_questionnaire.version.cache_clear()

    assert after != before
    assert fhir_questionnaire.version() == before


def test_questionnaire_link_ids_are_unique_and_are_the_spec_keys(built):
    links = [item["linkId"] for item in _all_items(built["item"])]
    questions = {
        item["linkId"]
        for item in _all_items(built["item"])
        if item["type"] not in ("group", "display")
    }

    assert len(links) == len(set(links))
    assert questions == {
        *intake_questions.QUESTIONS,
        "age_years",
        *(f"phq9_items.{number}" for number in range(1, 10)),
        "prior_labs.test",
        "prior_labs.value",
        "prior_labs.ttg_iga",
        "prior_labs.total_iga",
        "prior_labs.unit",
        "prior_labs.taken_on",
    }


def test_questionnaire_groups_are_the_steps_without_the_licensed_scale_and_consent(built):
    groups = [item["linkId"] for item in built["item"]]

    assert groups == [
        "age_years",
        "about-you",
        "legs",
        "course",
        "treatment",
        "bowel",
        "stool-form",
        "gut-severity",
        "gut-risks",
        "history",
        "warning-signs",
        "mood",
        "labs",
    ]


def test_questionnaire_every_question_has_its_type_and_answer_codes(built):
    items = _items_by_link(built)
    types = {
        "choice": "choice",
        "multi": "choice",
        "int": "integer",
        "bool": "boolean",
        "text": "text",
    }

    for key, question in intake_questions.QUESTIONS.items():
        item = items[key]
        assert (item["text"], item["type"]) == (question.label, types[question.kind]), key
        assert item.get("repeats", False) is (question.kind == "multi"), key
        if question.kind in ("choice", "multi"):
            assert item["answerOption"] == [
                {"valueCoding": {"system": CODES, "code": value, "display": label}}
                for value, label in question.choices
            ], key
        else:
            assert "answerOption" not in item, key


def test_questionnaire_required_flags_follow_the_questions_except_where_not_expressed(built):
    items = _items_by_link(built)
    not_expressed = fhir_questionnaire.conditions_not_expressed()

    required = {key: items[key]["required"] for key in intake_questions.QUESTIONS}

    assert required == {
        key: question.required and key not in not_expressed
        for key, question in intake_questions.QUESTIONS.items()
    }


def test_questionnaire_conditions_not_expressed_are_listed():
    assert fhir_questionnaire.conditions_not_expressed() == {
        "rls_child_own_words": "a condition FHIR's enableWhen cannot express",
        "prior_celiac_test_on_gluten": "depends on any row of a repeating group",
    }


def test_questionnaire_answered_and_not_one_of_says_exists_and_not_equal(built):
    pregnant = _items_by_link(built)["pregnant"]

    assert pregnant["enableBehavior"] == "all"
    assert pregnant["enableWhen"] == [
        {"question": "sex_at_birth", "operator": "exists", "answerBoolean": True},
        {
            "question": "sex_at_birth",
            "operator": "!=",
            "answerCoding": {"system": CODES, "code": "male"},
        },
        {"question": "age_years", "operator": ">=", "answerInteger": 10},
    ]


def test_questionnaire_unless_with_an_age_range_says_not_equal_and_both_bounds(built):
    item = _items_by_link(built)["pain_resolves_with_constipation_treatment"]

    assert item["enableBehavior"] == "all"
    assert item["enableWhen"] == [
        {"question": "age_years", "operator": ">=", "answerInteger": 6},
        {"question": "age_years", "operator": "<=", "answerInteger": 17},
        {
            "question": "constipation_4wk",
            "operator": "!=",
            "answerCoding": {"system": CODES, "code": "no"},
        },
    ]


def test_questionnaire_any_of_inside_the_rls_details_lists_the_other_answers(built):
    item = _items_by_link(built)["rls_c1_urge"]

    assert item["enableBehavior"] == "any"
    assert item["enableWhen"] == [
        {
            "question": "rls_screen",
            "operator": "=",
            "answerCoding": {"system": CODES, "code": "yes"},
        },
        {
            "question": "rls_screen",
            "operator": "=",
            "answerCoding": {"system": CODES, "code": "unsure"},
        },
        {
            "question": "rls_on_treatment",
            "operator": "=",
            "answerCoding": {"system": CODES, "code": "yes"},
        },
    ]


def test_questionnaire_treatment_step_follows_the_medicines_for_the_legs(built):
    # "Treated" is implied: the medicines are only answered by a treated patient.
    group = _items_by_link(built)["treatment"]

    assert (group["enableBehavior"], group["enableWhen"]) == (
        "any",
        [
            {
                "question": "rls_treatment_meds",
                "operator": "=",
                "answerCoding": {"system": CODES, "code": "dopamine_agonist"},
            },
            {
                "question": "rls_treatment_meds",
                "operator": "=",
                "answerCoding": {"system": CODES, "code": "levodopa"},
            },
        ],
    )


def test_questionnaire_self_harm_question_follows_an_unanswered_phq9(built):
    item = _items_by_link(built)["self_harm_thoughts"]

    assert item["enableBehavior"] == "any"
    assert item["enableWhen"] == [
        {"question": f"phq9_items.{number}", "operator": "exists", "answerBoolean": False}
        for number in range(1, 10)
    ]


def test_questionnaire_phq9_is_a_loinc_coded_group(built):
    group = _items_by_link(built)["phq9_items"]
    first = group["item"][0]

    assert group["code"] == [
        {
            "system": "http://loinc.org",
            "code": "44249-1",
            "display": "PHQ-9 quick depression assessment panel",
        }
    ]
    assert [item["code"][0]["code"] for item in group["item"]] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert [item["text"] for item in group["item"]] == list(intake_questions.PHQ9_ITEMS)
    assert group.get("required", False) is False
    assert first["required"] is True
    assert first["answerOption"] == [
        {
            "valueCoding": {"system": "http://loinc.org", "code": code, "display": label},
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": n}
            ],
        }
        for (n, label), code in zip(
            intake_questions.PHQ9_CHOICES,
            ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"),
            strict=True,
        )
    ]


def test_questionnaire_number_questions_carry_their_range(built):
    item = _items_by_link(built)["rls_days_per_week"]

    assert item["extension"] == [
        {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
        {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 7},
    ]


def test_questionnaire_earlier_results_are_a_repeating_group_with_ucum_units(built):
    items = _items_by_link(built)

    assert items["prior_labs"]["repeats"] is True
    assert [option["valueCoding"] for option in items["prior_labs.unit"]["answerOption"]] == [
        {"system": "http://unitsofmeasure.org", "code": "ng/mL", "display": "ng/mL"},
        {"system": "http://unitsofmeasure.org", "code": "ug/L", "display": "µg/L"},
        {"system": "http://unitsofmeasure.org", "code": "%", "display": "%"},
        {"system": "http://unitsofmeasure.org", "code": "m[IU]/L", "display": "mIU/L"},
        {"system": "http://unitsofmeasure.org", "code": "ug/g", "display": "µg/g"},
    ]
    assert items["prior_labs.ttg_iga"]["enableWhen"] == [
        {
            "question": "prior_labs.test",
            "operator": "=",
            "answerCoding": {"system": CODES, "code": "ttg_iga"},
        }
    ]


# --- generated patients: the Questionnaire asks what the app asks -----------------------------


def _answer(rng: random.Random, question: intake_questions.Question):
    values = [value for value, _label in question.choices]
    if question.kind == "choice":
        return rng.choice(values)
    if question.kind == "multi":
        # A required list needs a tick (the form refuses none).
        return rng.sample(values, rng.randint(1 if question.required else 0, 2))
    if question.kind == "int":
        return rng.randint(question.min_value or 0, min(question.max_value or 60, 60))
    if question.kind == "bool":
        return rng.random() < 0.5
    return "they feel fizzy"


def _lab_row(rng: random.Random) -> dict:
    test, _label, units = rng.choice(intake_questions.LAB_TESTS)
    if units:
        return {"test": test, "value": 12.5, "unit": rng.choice(units), "taken_on": "2026-10-01"}
    choices = intake_questions.QUALITATIVE_LAB_CHOICES[test]
    return {"test": test, "value": rng.choice(choices)[0], "unit": None, "taken_on": "2026-10-01"}


def _patient(seed: int) -> tuple[dict, int]:
    """Answers to what applies, in the order asked; optional questions sometimes left blank."""
    rng = random.Random(seed)
    age = rng.choice(AGES)
    answers: dict = {}
    for step in intake_questions.STEPS:
        if not step.shown(Facts(answers, age)):
            continue
        if step.kind == "mood" and rng.random() < 0.7:
            answers["phq9_items"] = [rng.randint(0, 3) for _ in range(9)]
        if step.kind == "labs" and rng.random() < 0.6:
            answers["prior_labs"] = [_lab_row(rng) for _ in range(rng.randint(1, 3))]
        for question in step.questions:
            shown = intake_questions.field_shown(step, question, Facts(answers, age))
            if shown and (question.required or rng.random() < 0.7):
                answers[question.key] = _answer(rng, question)
    return answers, age


def _asked_by_the_app(answers: dict, age: int) -> dict[str, bool]:
    facts = Facts(answers, age)
    return {
        question.key: step.shown(facts) and intake_questions.field_shown(step, question, facts)
        for step in intake_questions.STEPS
        for question in step.questions
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_questionnaire_enables_exactly_what_the_app_asks(built, seed):
    answers, age = _patient(seed)
    items = fhir_questionnaire.response_items(site_url=SITE, answers=answers, age_years=age)

    problems, enabled = check_response(built, items)

    assert problems == []
    not_expressed = fhir_questionnaire.conditions_not_expressed()
    asked = _asked_by_the_app(answers, age)
    assert {key: enabled[key] for key in asked} == {
        key: shown or key in not_expressed for key, shown in asked.items()
    }


def test_questionnaire_generated_patients_reach_every_condition():
    # The agreement above is only worth something if the patients take each branch.
    asked_sometimes = set()
    skipped_sometimes = set()
    for seed in SEEDS:
        for key, shown in _asked_by_the_app(*_patient(seed)).items():
            (asked_sometimes if shown else skipped_sometimes).add(key)

    conditional = {
        key for key, question in intake_questions.QUESTIONS.items() if question.show_if is not None
    }
    assert conditional - asked_sometimes == set()
    assert conditional - skipped_sometimes == set()


# --- the app's code system ----------------------------------------------------------------


def test_code_system_builds_as_an_r4_model_with_unique_codes():
    system = codes.code_system(site_url=SITE)
    found = [concept["code"] for concept in system["concept"]]

    assert model_of(system).model_dump(mode="json") == system
    assert system["url"] == CODES
    assert (system["content"], system["caseSensitive"], system["count"]) == (
        "complete",
        True,
        len(found),
    )
    assert len(found) == len(set(found))


def test_code_system_holds_every_app_code_the_questionnaire_uses(built):
    concepts = {concept["code"]: concept for concept in codes.code_system(site_url=SITE)["concept"]}
    used = {
        option["valueCoding"]["code"]
        for item in _all_items(built["item"])
        for option in item.get("answerOption", [])
        if option["valueCoding"]["system"] == CODES
    }

    assert used - set(concepts) == set()
    assert {rule.id for rule in RULES} - set(concepts) == set()
    assert {"irls-total", "ibs-sss-total", "case-summary", "thyroid", "iron_panel", "celiac"} - set(
        concepts
    ) == set()
    assert concepts["other"] == {
        "code": "other",
        "display": "Intersex or another answer",
        "definition": "Another answer than those listed.",
        "designation": [{"value": "Something else, or I am not sure what it is"}],
    }
    assert concepts["RF-10"]["display"] == "Rule RF-10"


def test_check_response_reports_answers_the_questionnaire_would_not_take(built):
    # The checker the tests above rely on finds each kind of mistake.
    answers, age = _patient(1)
    items = fhir_questionnaire.response_items(site_url=SITE, answers=answers, age_years=age)
    about = items[1]
    about["item"].append({"linkId": "weeks_pregnant", "answer": [{"valueInteger": 20}]})
    about["item"][0]["answer"] = [{"valueCoding": {"system": CODES, "code": "robot"}}]
    items.append({"linkId": "not-a-step", "item": []})

    problems, _enabled = check_response(built, items)

    assert problems == [
        "not-a-step: not an item of the Questionnaire here",
        "weeks_pregnant: out of the Questionnaire's order",
        "sex_at_birth: ('https://clinic.example/fhir/CodeSystem/intake', 'robot') is not one of "
        "its answer options",
        "weeks_pregnant: answered, but its enableWhen disables it",
    ]

"""The intake as a FHIR R4 Questionnaire, and a case's answers as its QuestionnaireResponse items.

Both are walked from intake/questionnaire.py in the same order, so the response always follows
the questionnaire's structure: one group per step (linkId = the step's slug), one item per
question (linkId = the spec's key), the PHQ-9 as a group of nine LOINC-coded items
(`phq9_items.1`..`phq9_items.9`), earlier results as a repeating group (`prior_labs`), and the
patient's age in years first (`age_years`), which the conditions on age read.

Conditions become `enableWhen` where FHIR can say them (docs/integration.md has the details):
- an answer is one of some values: `=` per value, any of them;
- an answer is given and is none of the values: `exists` and `!=` per value, all of them;
- none of the values, or no answer (`unless`): `!=` per value, which holds when no answer
  equals it;
- a multi-select holds any of some values: `=` per value, any of them;
- an age range: `>=` and `<=` on `age_years`; a child: `age_years < 18`;
- AllOf: all of its parts' conditions; AnyOf: any of its parts'. An AllOf part that another
  part implies is left out: an answer to a question that is not enabled does not exist, so
  "the medicines for the legs include levodopa" already says "treated".
FHIR has one enableBehavior per item, so "all of (one of ...)" cannot be said; such an item
has no enableWhen and is not required (`conditions_not_expressed()` lists them). The licensed
IRLS items are never included: their text is the clinic's under licence, not the app's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intake import questionnaire as intake_questions
from intake.fhir.codes import (
    ITEM_CONTROL,
    LAB_NAMES,
    LOINC,
    PHQ9_ANSWER_LOINC,
    PHQ9_ITEM_LOINC,
    PHQ9_PANEL,
    UCUM,
    UCUM_UNITS,
    Site,
    coding,
    content_hash,
    own,
)
from intake.fhir.resource import checked
from intake.questionnaire import (
    AgeBetween,
    AllOf,
    AnswerIn,
    AnyOf,
    Condition,
    Facts,
    Includes,
    Question,
    Step,
    StepKind,
)

AGE = "age_years"
AGE_TEXT = "Age in whole years (from the date of birth the clinic holds)"
PHQ9 = "phq9_items"
LABS = "prior_labs"
NUMERIC_LABS = tuple(key for key, _label, units in intake_questions.LAB_TESTS if units)
QUALITATIVE_LABS = tuple(intake_questions.QUALITATIVE_LAB_CHOICES)
ITEM_TYPES = {
    "choice": "choice",
    "multi": "choice",
    "int": "integer",
    "bool": "boolean",
    "text": "text",
}
WIDGET_CONTROLS = {"radio": "radio-button", "select": "drop-down", "checkboxes": "check-box"}
EXTENSION = "http://hl7.org/fhir/StructureDefinition"
ADULT_AGE = 18  # Facts.child: under 18
NAME = "RlsGutIntake"
TITLE = "RLS and gut health intake"


def phq9_link_id(number: int) -> str:
    return f"{PHQ9}.{number}"


def lab_link_id(part: str) -> str:
    return f"{LABS}.{part}"


# --- conditions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Forms:
    """A condition as FHIR enableWhen entries: `all` (every entry holds) and `any` (one entry
    holds), each None where that behaviour cannot say it. A single entry is both."""

    all: tuple[dict[str, Any], ...] | None
    any: tuple[dict[str, Any], ...] | None


def _either(entries: tuple[dict[str, Any], ...], *, behaviour: str) -> _Forms:
    both = entries if len(entries) == 1 else None
    return _Forms(entries, both) if behaviour == "all" else _Forms(both, entries)


def _answer(site: Site, key: str, value: Any) -> dict[str, Any]:
    """The enableWhen answer[x] for `value` of the question `key`."""
    if key == AGE:
        return {"answerInteger": value}
    kind = intake_questions.QUESTIONS[key].kind
    if kind == "bool":
        return {"answerBoolean": value}
    if kind == "int":
        return {"answerInteger": value}
    return {"answerCoding": own(site, value)}


def _when(site: Site, key: str, operator: str, value: Any) -> dict[str, Any]:
    if operator == "exists":
        return {"question": key, "operator": operator, "answerBoolean": value}
    return {"question": key, "operator": operator, **_answer(site, key, value)}


def _needs_answer(condition: Condition) -> str | None:
    """The question whose answer `condition` needs to hold at all (None for `unless`, which an
    unanswered question satisfies, and for facts such as age)."""
    if isinstance(condition, Includes):
        return condition.key
    if isinstance(condition, AnswerIn) and not condition.unanswered_holds:
        return condition.key
    return None


def _without_implied(parts: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """Leave out a part that is the condition for asking the question another part reads: an
    answer to a question that is not enabled does not exist (FHIR treats it as unanswered)."""
    implied: list[Condition] = []
    for part in parts:
        key = _needs_answer(part)
        shown = intake_questions.QUESTIONS[key].show_if if key else None
        if shown is not None:
            implied.extend(shown.conditions if isinstance(shown, AllOf) else (shown,))
    return tuple(part for part in parts if part not in implied)


def _forms(site: Site, condition: Condition) -> _Forms | None:
    if isinstance(condition, Includes):
        entries = tuple(_when(site, condition.key, "=", value) for value in condition.values)
        return _either(entries, behaviour="any")
    if isinstance(condition, AnswerIn):
        return _answer_in_forms(site, condition)
    if isinstance(condition, AgeBetween):
        bounds = []
        if condition.low > 0:
            bounds.append(_when(site, AGE, ">=", condition.low))
        if condition.high is not None:
            bounds.append(_when(site, AGE, "<=", condition.high))
        return _either(tuple(bounds), behaviour="all")
    if condition is intake_questions.is_child:  # Facts.child, the one plain-function condition
        return _either((_when(site, AGE, "<", ADULT_AGE),), behaviour="all")
    if isinstance(condition, AllOf):
        parts = _without_implied(condition.conditions)
        if len(parts) == 1:
            return _forms(site, parts[0])
        forms = [_forms(site, part) for part in parts]
        if any(form is None or form.all is None for form in forms):
            return None
        return _either(tuple(entry for form in forms for entry in form.all), behaviour="all")
    if isinstance(condition, AnyOf):
        forms = [_forms(site, part) for part in condition.conditions]
        if any(form is None or form.any is None for form in forms):
            return None
        return _either(tuple(entry for form in forms for entry in form.any), behaviour="any")
    return None  # a fact FHIR does not hold, such as the IRLS licence


def _answer_in_forms(site: Site, condition: AnswerIn) -> _Forms:
    key, values = condition.key, condition.values
    if not condition.negate:
        return _either(tuple(_when(site, key, "=", value) for value in values), behaviour="any")
    unequal = tuple(_when(site, key, "!=", value) for value in values)
    if condition.unanswered_holds:
        # "!=" holds when no answer equals the value, so an unanswered question holds too.
        return _either(unequal, behaviour="all")
    # Answered, and none of the values: said with all of exists and "!="; or, as one of the
    # other answers, with any.
    answered = (_when(site, key, "exists", True), *unequal)
    others = tuple(
        _when(site, key, "=", value)
        for value, _label in intake_questions.QUESTIONS[key].choices
        if value not in values
    )
    return _Forms(answered, others or None)


def _enable(site: Site, condition: Condition | None) -> dict[str, Any] | None:
    """The enableWhen and enableBehavior of an item; {} when always shown, None when FHIR
    cannot say the condition."""
    if condition is None:
        return {}
    forms = _forms(site, condition)
    if forms is None:
        return None
    entries, behaviour = (forms.all, "all") if forms.all is not None else (forms.any, "any")
    fields: dict[str, Any] = {"enableWhen": list(entries)}
    if len(entries) > 1:
        fields["enableBehavior"] = behaviour
    return fields


# --- the Questionnaire ----------------------------------------------------------------------


def _extension(name: str, **value: Any) -> dict[str, Any]:
    return {"url": f"{EXTENSION}/{name}", **value}


def _control(code: str) -> dict[str, Any]:
    return _extension(
        "questionnaire-itemControl", valueCodeableConcept={"coding": [coding(ITEM_CONTROL, code)]}
    )


def _display(link_id: str, text: str, *, help_text: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link_id, "text": text, "type": "display"}
    if help_text:
        item["extension"] = [_control("help")]
    return item


@dataclass
class _Builder:
    site: Site
    not_expressed: dict[str, str] = field(default_factory=dict)

    def items(self) -> list[dict[str, Any]]:
        age = {"linkId": AGE, "text": AGE_TEXT, "type": "integer", "required": True}
        items = [{**age, "readOnly": True}]
        for step in intake_questions.STEPS:
            group = self.step(step)
            if group is not None:
                items.append(group)
        return items

    def step(self, step: Step) -> dict[str, Any] | None:
        if step.kind in (StepKind.IRLS, StepKind.CONSENT):
            return None  # the IRLS text is licensed; consent is the app's own page
        items = []
        if step.intro:
            items.append(_display(f"{step.slug}.intro", step.intro))
        if step.notice:
            items.append(_display(f"{step.slug}.notice", step.notice))
        if step.kind == StepKind.MOOD:
            items.append(self.phq9())
        if step.kind == StepKind.LABS:
            items.append(self.labs())
        for question in step.questions:
            items.append(self.question(step, question))
        group = {"linkId": step.slug, "text": step.title, "type": "group"}
        enable = self.enable(step.slug, step.show_if)
        return {**group, **enable, "item": items}

    def enable(self, link_id: str, condition: Condition | None) -> dict[str, Any]:
        fields = _enable(self.site, condition)
        if fields is None:
            self.not_expressed[link_id] = "a condition FHIR's enableWhen cannot express"
            return {}
        return fields

    def question(self, step: Step, question: Question) -> dict[str, Any]:
        if step.kind == StepKind.MOOD:
            # Asked when the PHQ-9 was not answered (spec §2.4): any of its items unanswered.
            whens = [_when(self.site, phq9_link_id(n), "exists", False) for n in range(1, 10)]
            enable: dict[str, Any] | None = {"enableWhen": whens, "enableBehavior": "any"}
        elif step.kind == StepKind.LABS:
            # Asked when a tTG-IgA row is among the results; enableWhen reads one row only.
            enable = None
            self.not_expressed[question.key] = "depends on any row of a repeating group"
        else:
            enable = _enable(self.site, question.show_if)
            if enable is None:
                self.not_expressed[question.key] = "a condition FHIR's enableWhen cannot express"
        item: dict[str, Any] = {
            "linkId": question.key,
            "text": question.label,
            "type": ITEM_TYPES[question.kind],
            **(enable or {}),
            # Without its condition, an item FHIR shows to everyone cannot be required.
            "required": question.required and enable is not None,
        }
        extensions = []
        if question.widget in WIDGET_CONTROLS:
            extensions.append(_control(WIDGET_CONTROLS[question.widget]))
        if question.kind == "int":
            if question.min_value is not None:
                extensions.append(_extension("minValue", valueInteger=question.min_value))
            if question.max_value is not None:
                extensions.append(_extension("maxValue", valueInteger=question.max_value))
        if extensions:
            item["extension"] = extensions
        if question.kind == "multi":
            item["repeats"] = True
        if question.kind in ("choice", "multi"):
            item["answerOption"] = [
                {"valueCoding": own(self.site, value, label)} for value, label in question.choices
            ]
        if question.help_text:
            item["item"] = [_display(f"{question.key}.help", question.help_text, help_text=True)]
        return item

    def phq9(self) -> dict[str, Any]:
        options = [
            {
                "valueCoding": coding(LOINC, code, label),
                "extension": [_extension("ordinalValue", valueDecimal=score)],
            }
            for (score, label), code in zip(
                intake_questions.PHQ9_CHOICES, PHQ9_ANSWER_LOINC, strict=True
            )
        ]
        items = [
            {
                "linkId": phq9_link_id(number),
                "code": [coding(LOINC, code)],
                "text": text,
                "type": "choice",
                # Required once the group is answered: the nine are answered together or not
                # at all (the group itself may be skipped).
                "required": True,
                "answerOption": options,
            }
            for number, (text, code) in enumerate(
                zip(intake_questions.PHQ9_ITEMS, PHQ9_ITEM_LOINC, strict=True), start=1
            )
        ]
        group = {"linkId": PHQ9, "code": [coding(LOINC, *PHQ9_PANEL)], "text": "PHQ-9"}
        return {**group, "type": "group", "item": items}

    def labs(self) -> dict[str, Any]:
        def test_is(*tests: str) -> dict[str, Any]:
            whens = [
                {
                    "question": lab_link_id("test"),
                    "operator": "=",
                    "answerCoding": own(self.site, t),
                }
                for t in tests
            ]
            return {"enableWhen": whens, **({"enableBehavior": "any"} if len(whens) > 1 else {})}

        def choice(link: str, text: str, options: list[dict[str, Any]], **more: Any):
            item = {"linkId": lab_link_id(link), "text": text, "type": "choice", **more}
            return {**item, "required": True, "answerOption": options}

        tests = [{"valueCoding": own(self.site, key, label)} for key, label in LAB_NAMES.items()]
        units = [{"valueCoding": coding(UCUM, code, unit)} for unit, code in UCUM_UNITS.items()]
        value = {"linkId": lab_link_id("value"), "text": "Value", "type": "decimal"}
        items = [
            choice("test", "Test", tests),
            {**value, **test_is(*NUMERIC_LABS), "required": True},
            *(
                choice(
                    test,
                    "Result",
                    [{"valueCoding": own(self.site, v, label)} for v, label in options],
                    **test_is(test),
                )
                for test, options in intake_questions.QUALITATIVE_LAB_CHOICES.items()
            ),
            choice("unit", "Unit", units, **test_is(*NUMERIC_LABS)),
            {"linkId": lab_link_id("taken_on"), "text": "Date taken", "type": "date"},
        ]
        items[-1]["required"] = True
        group = {"linkId": LABS, "text": "Earlier test result", "type": "group"}
        return {**group, "repeats": True, "item": items}


@functools.cache
def _built(site_url: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    builder = _Builder(Site(site_url))
    return builder.items(), builder.not_expressed


@functools.cache
def version() -> str:
    """Changes when the questions change: a hash of the item list (built without SITE_URL, so
    moving the site does not change it)."""
    items, _not_expressed = _built("")
    return content_hash(items)


def canonical(*, site_url: str) -> str:
    """The Questionnaire's canonical URL with its version, as a response points at it."""
    return f"{Site(site_url).questionnaire}|{version()}"


def conditions_not_expressed() -> dict[str, str]:
    """Items and groups shown on a condition that FHIR cannot express, with why: exported
    without enableWhen and not required."""
    _items, not_expressed = _built("")
    return dict(not_expressed)


def questionnaire(*, site_url: str) -> dict[str, Any]:
    """The FHIR Questionnaire resource."""
    items, _not_expressed = _built(site_url)
    return checked(
        {
            "resourceType": "Questionnaire",
            "url": Site(site_url).questionnaire,
            "version": version(),
            "name": NAME,
            "title": TITLE,
            "status": "active",
            "subjectType": ["Patient"],
            "description": "The patient intake for restless legs and gut health. It flags items "
            "for a practitioner's review; it never diagnoses.",
            "copyright": "Wording is the app's own, except the PHQ-9 (Pfizer; free to use). The "
            "licensed IRLS items are not included.",
            "item": items,
        }
    )


# --- a case's answers as QuestionnaireResponse items ----------------------------------------


def _text_answer(value: Any) -> list[dict[str, Any]]:
    text = str(value).strip() if value is not None else ""
    return [{"valueString": text}] if text else []


def _answers(site: Site, question: Question, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    labels = dict(question.choices)
    if question.kind == "multi":
        return [{"valueCoding": own(site, item, labels.get(item))} for item in value]
    if question.kind == "choice":
        return [{"valueCoding": own(site, value, labels.get(value))}]
    if question.kind == "int":
        return [{"valueInteger": value}]
    if question.kind == "bool":
        return [{"valueBoolean": value}]
    return _text_answer(value)


def _phq9_answers(items: list[Any]) -> dict[str, Any] | None:
    labels = dict(intake_questions.PHQ9_CHOICES)
    answered = []
    for number, (text, score) in enumerate(
        zip(intake_questions.PHQ9_ITEMS, items, strict=False), start=1
    ):
        if score in labels:
            answer = coding(LOINC, PHQ9_ANSWER_LOINC[score], labels[score])
            answered.append(
                {"linkId": phq9_link_id(number), "text": text, "answer": [{"valueCoding": answer}]}
            )
    return {"linkId": PHQ9, "text": "PHQ-9", "item": answered} if answered else None


def _lab_row(site: Site, row: Mapping[str, Any]) -> dict[str, Any]:
    def item(part: str, text: str, answer: dict[str, Any]) -> dict[str, Any]:
        return {"linkId": lab_link_id(part), "text": text, "answer": [answer]}

    test = row["test"]
    items = [item("test", "Test", {"valueCoding": own(site, test, LAB_NAMES.get(test))})]
    if test in intake_questions.QUALITATIVE_LAB_CHOICES:
        label = dict(intake_questions.QUALITATIVE_LAB_CHOICES[test]).get(row["value"])
        items.append(item(test, "Result", {"valueCoding": own(site, row["value"], label)}))
    else:
        items.append(item("value", "Value", {"valueDecimal": row["value"]}))
        unit = row.get("unit")
        if unit:
            unit_coding = coding(UCUM, UCUM_UNITS[unit], unit) if unit in UCUM_UNITS else None
            if unit_coding:
                items.append(item("unit", "Unit", {"valueCoding": unit_coding}))
    items.append(item("taken_on", "Date taken", {"valueDate": row["taken_on"]}))
    return {"linkId": LABS, "text": "Earlier test result", "item": items}


def unanswered_required(*, answers: Mapping[str, Any], age_years: int) -> list[str]:
    """The questions the Questionnaire requires that apply to this patient and have no answer.
    Forms require them, but an answer changed on an earlier step can make a question apply on
    a step already done; the response is then not `completed` (see bundle.py)."""
    facts = Facts(answers=answers, age_years=age_years)
    not_expressed = conditions_not_expressed()
    missing = []
    for step in intake_questions.applicable_steps(facts):
        for question in step.questions:
            if (
                question.required
                and question.key not in not_expressed
                and intake_questions.field_shown(step, question, facts)
                and answers.get(question.key) in (None, "", [])
            ):
                missing.append(question.key)
    return missing


def response_items(
    *, site_url: str, answers: Mapping[str, Any], age_years: int
) -> list[dict[str, Any]]:
    """The stored answers as QuestionnaireResponse items, in the Questionnaire's order. Only
    answers to questions that apply are included (as the app decides, age as at submission),
    so that no answer sits under an item its enableWhen disables; an unanswered question, or
    a list with nothing ticked, has no item."""
    site = Site(site_url)
    facts = Facts(answers=answers, age_years=age_years)
    items: list[dict[str, Any]] = [
        {"linkId": AGE, "text": AGE_TEXT, "answer": [{"valueInteger": age_years}]}
    ]
    for step in intake_questions.applicable_steps(facts):
        if step.kind in (StepKind.IRLS, StepKind.CONSENT):
            continue
        group_items = []
        if step.kind == StepKind.MOOD and answers.get(PHQ9):
            phq9 = _phq9_answers(answers[PHQ9])
            if phq9:
                group_items.append(phq9)
        if step.kind == StepKind.LABS:
            group_items.extend(_lab_row(site, row) for row in answers.get(LABS) or ())
        for question in step.questions:
            if not intake_questions.field_shown(step, question, facts):
                continue
            answer = _answers(site, question, answers.get(question.key))
            if answer:
                group_items.append(
                    {"linkId": question.key, "text": question.label, "answer": answer}
                )
        if group_items:
            items.append({"linkId": step.slug, "text": step.title, "item": group_items})
    return items

"""The questionnaire's building blocks: steps and their kinds, questions, the conditions that
show them, and the rules every step follows ("required when it applies", what a page holds).
What is actually asked, in order, is the data in steps.py."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a patient-facing text for translation and returns it unchanged: the questionnaire
    stays plain Python, `manage.py makemessages` collects these texts (Django's own name for
    this marker), and the Django side translates each where it is shown (forms, selectors,
    templates' {% translate %}). Staff pages show them in STAFF_LANGUAGE_CODE."""
    return message


class StepKind(enum.StrEnum):
    """What a step's page is made of: plain questions, or a page with its own layout and its
    own answer (the IRLS's ten items, the PHQ-9's nine, earlier results as rows), or consent,
    the check-and-send page."""

    QUESTIONS = "questions"
    IRLS = "irls"
    MOOD = "mood"
    LABS = "labs"
    CONSENT = "consent"

    # Templates compare against the members ({{ StepKind.MOOD }}) without calling the class.
    do_not_call_in_templates = enum.nonmember(True)


@dataclass(frozen=True)
class Facts:
    """What a show-condition may look at: the answers so far and facts the clinic holds."""

    answers: Mapping[str, Any]
    age_years: int
    irls_licensed: bool = False

    def answer(self, key: str) -> Any:
        return self.answers.get(key)

    @property
    def child(self) -> bool:
        return self.age_years < 18


Condition = Callable[[Facts], bool]


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str  # choice | multi | int | bool | text
    choices: tuple[tuple[Any, str], ...] = ()
    help_text: str = ""
    required: bool = True
    min_value: int | None = None
    max_value: int | None = None
    show_if: Condition | None = None
    widget: str = "radio"  # radio | select | checkboxes | number | slider | textarea | checkbox
    # A slider's three anchors in words: what 0, 50 and 100 mean for this question.
    anchors: tuple[str, str, str] | None = None
    # A long tick list in groups, each a heading and the choices under it (every choice once).
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A tick list's own "None of these" box: ticking it is an answer (stored as an empty list),
    # so that a list left with nothing ticked stays "not answered".
    none_choice: str = ""

    def shown(self, facts: Facts) -> bool:
        return self.show_if is None or self.show_if(facts)

    def display(self, value: Any) -> str:
        """The patient's answer in words, for the review and case pages."""
        if value is None:
            return gettext_noop("Not answered")
        if self.kind == "multi":
            labels = dict(self.choices)
            none = self.none_choice or gettext_noop("None of these")
            return ", ".join(labels.get(item, str(item)) for item in value) or none
        if self.widget == "slider":
            return gettext_noop("%(value)s out of %(maximum)s") % {
                "value": value,
                "maximum": self.max_value,
            }
        if self.kind == "choice":
            return dict(self.choices).get(value, str(value))
        if self.kind == "bool":
            return gettext_noop("Yes") if value else gettext_noop("No")
        return str(value)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = ()
    show_if: Condition | None = None
    kind: StepKind = StepKind.QUESTIONS
    notice: str = ""  # shown to everyone in a box under the intro, e.g. when to seek urgent care

    def __post_init__(self) -> None:
        # A misspelt kind fails here, at import, not as a page that quietly lays out wrong.
        object.__setattr__(self, "kind", StepKind(self.kind))

    def shown(self, facts: Facts) -> bool:
        return self.show_if is None or self.show_if(facts)

    def visible_questions(self, facts: Facts) -> list[Question]:
        return [question for question in self.questions if question.shown(facts)]

    @property
    def has_sliders(self) -> bool:
        return any(question.widget == "slider" for question in self.questions)

    @property
    def has_tick_lists(self) -> bool:
        return any(question.groups or question.none_choice for question in self.questions)


@dataclass(frozen=True)
class AnswerIn:
    """Shown when an earlier answer is one of `values`. Negated: when it is answered and is not
    one of them; negated with `unanswered_holds`: unless it is one of them, so that an
    unanswered question counts as holding (the spec's "constipation_4wk != no")."""

    key: str
    values: tuple[Any, ...]
    negate: bool = False
    unanswered_holds: bool = False

    def __call__(self, facts: Facts) -> bool:
        value = facts.answer(self.key)
        if value is None:
            return self.unanswered_holds
        return (value not in self.values) if self.negate else (value in self.values)

    def browser_rule(self) -> dict[str, Any]:
        """The condition as static/js/show-if.js tests it: the field and one test of `in`
        (one of the values chosen), `not` (an answer chosen, none of the values) or `unless`
        (none of the values chosen, no answer included)."""
        if not self.negate:
            test = "in"
        else:
            test = "unless" if self.unanswered_holds else "not"
        return {"field": self.key, test: [str(value) for value in self.values]}

    def html_attrs(self) -> dict[str, str]:
        """For static/js/show-if.js, which hides the question in the browser (the server
        enforces the same condition on its own)."""
        return _rule_attrs(self.browser_rule())

    def holds_off_page(self, facts: Facts, on_page: Collection[str]) -> bool:
        """An answer asked on the same page is the browser's to check (it may still change)."""
        return self.key in on_page or self(facts)


@dataclass(frozen=True)
class Includes:
    """Shown when a multi-select answer holds any of `values` (R3-19: the augmentation
    questions follow what the patient takes for their restless legs)."""

    key: str
    values: tuple[str, ...]

    def __call__(self, facts: Facts) -> bool:
        chosen = facts.answer(self.key) or ()
        return any(value in chosen for value in self.values)

    def browser_rule(self) -> dict[str, Any]:
        # The script reads every ticked box, so "in" means "any of these ticked".
        return {"field": self.key, "in": list(self.values)}

    def html_attrs(self) -> dict[str, str]:
        return _rule_attrs(self.browser_rule())

    def holds_off_page(self, facts: Facts, on_page: Collection[str]) -> bool:
        return self.key in on_page or self(facts)


def _rule_attrs(rule: Mapping[str, Any]) -> dict[str, str]:
    [(test, values)] = [(test, values) for test, values in rule.items() if test != "field"]
    return {"data-show-if-field": rule["field"], f"data-show-if-{test}": ",".join(values)}


@dataclass(frozen=True)
class AgeBetween:
    """A fact the clinic holds: the patient's age in whole years, `low` to `high` included."""

    low: int = 0
    high: int | None = None

    def __call__(self, facts: Facts) -> bool:
        return facts.age_years >= self.low and (self.high is None or facts.age_years <= self.high)


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def __call__(self, facts: Facts) -> bool:
        return all(condition(facts) for condition in self.conditions)

    def html_attrs(self) -> dict[str, str]:
        # On a question, only one part may depend on an answer (the others are facts the
        # server holds): the browser tests one rule, or one AnyOf, per question
        # (tests/test_questionnaire.py checks). A step's condition is the server's alone.
        attrs: dict[str, str] = {}
        for condition in self.conditions:
            attrs.update(getattr(condition, "html_attrs", dict)())
        return attrs

    def holds_off_page(self, facts: Facts, on_page: Collection[str]) -> bool:
        return all(holds_off_page(condition, facts, on_page) for condition in self.conditions)


@dataclass(frozen=True)
class AnyOf:
    """Shown when any of several answers holds (R3-19: the RLS details follow an open screen
    or a treated patient). Every part is an answer the browser can test: on a question's
    page they must all be answers on that same page (tests/test_questionnaire.py checks)."""

    conditions: tuple[AnswerIn | Includes, ...]

    def __call__(self, facts: Facts) -> bool:
        return any(condition(facts) for condition in self.conditions)

    def html_attrs(self) -> dict[str, str]:
        """The first part as a single rule (its field tells the page which answer decides),
        the others as a JSON list of further rules in `data-show-if-or`."""
        first, *others = (condition.browser_rule() for condition in self.conditions)
        attrs = _rule_attrs(first)
        if others:
            attrs["data-show-if-or"] = json.dumps(others, separators=(",", ":"))
        return attrs

    def holds_off_page(self, facts: Facts, on_page: Collection[str]) -> bool:
        return any(holds_off_page(condition, facts, on_page) for condition in self.conditions)

    def fields(self) -> set[str]:
        return {condition.key for condition in self.conditions}


def holds_off_page(condition: Condition, facts: Facts, on_page: Collection[str]) -> bool:
    """Whether the parts of a condition the server decides hold: facts the clinic holds (age,
    settings) and answers from earlier steps. Answers to the keys in `on_page` count as
    holding, since the patient may still choose them on that page. A plain function such as
    `is_child` is a server fact through and through."""
    method = getattr(condition, "holds_off_page", None)
    return method(facts, on_page) if method else condition(facts)


def is_child(facts: Facts) -> bool:
    return facts.child


# Keys the questionnaire collects outside plain questions: PHQ-9 items on the mood step and lab
# rows on the labs step; age comes from the date of birth the clinic holds.
DERIVED_KEYS = frozenset({"age_years"})
# The list answer each kind of step collects beside (or instead of) its plain questions.
GROUP_KEY_BY_KIND = {
    StepKind.IRLS: "irls_items",
    StepKind.MOOD: "phq9_items",
    StepKind.LABS: "prior_labs",
}
GROUP_KEYS = frozenset(GROUP_KEY_BY_KIND.values())
IRLS_ITEM_COUNT = 10


def step_keys(step: Step) -> set[str]:
    """Every answer key a step can hold, whether or not it applies now."""
    keys = {question.key for question in step.questions}
    if step.kind in GROUP_KEY_BY_KIND:
        keys.add(GROUP_KEY_BY_KIND[step.kind])
    return keys


def phq9_answered(answers: Mapping[str, Any]) -> bool:
    return answers.get("phq9_items") is not None


def has_ttg_result(answers: Mapping[str, Any]) -> bool:
    return any(row.get("test") == "ttg_iga" for row in answers.get("prior_labs") or ())


def mood_question_shown(question: Question, facts: Facts) -> bool:
    # self_harm_thoughts is asked only when the PHQ-9 is not used (spec §2.4).
    return not phq9_answered(facts.answers)


def labs_question_shown(question: Question, facts: Facts) -> bool:
    # Only relevant when a tTG-IgA result is on file (spec §2.3).
    return has_ttg_result(facts.answers)


def may_show_on_page(step: Step, question: Question, facts: Facts) -> bool:
    """Whether the question belongs on its step's page for this patient at all. False when a
    fact the server holds rules it out whatever is chosen on the page (the child's own words
    for an adult), or when the answer it follows is itself not on the page (how many weeks
    pregnant, for a 9-year-old): such a question is never sent to the browser."""
    return question.key in _keys_on_page(step, facts)


def _keys_on_page(step: Step, facts: Facts) -> set[str]:
    # A condition reads answers asked before it, so one pass in page order settles each.
    on_page: set[str] = set()
    for question in step.questions:
        if question.show_if is None or holds_off_page(question.show_if, facts, on_page):
            on_page.add(question.key)
    return on_page


def field_shown(step: Step, question: Question, facts: Facts) -> bool:
    if step.kind == StepKind.MOOD:
        return mood_question_shown(question, facts)
    if step.kind == StepKind.LABS:
        return labs_question_shown(question, facts)
    return question.shown(facts)


# The value of a tick list's "None of these" box in the form; stored as an empty list.
NONE_OF_THESE = "none"

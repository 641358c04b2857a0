"""The patient's way through the questionnaire: its named parts (progress), how long it takes,
and page behaviour the browser needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake.questionnaire.schema import (
    GROUP_KEYS,
    IRLS_ITEM_COUNT,
    Condition,
    Facts,
    StepKind,
    gettext_noop,
    holds_off_page,
)
from intake.questionnaire.steps import QUESTIONS, STEPS


@dataclass(frozen=True)
class Section:
    """A named part of the questionnaire, one or more steps. Every part has a step that is
    always asked, so the number of parts never changes as answers open more steps: progress
    the patient can trust."""

    title: str
    slugs: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section(gettext_noop("About you"), ("about-you",)),
    Section(gettext_noop("Your legs"), ("legs", "course", "treatment", "severity-scale")),
    Section(gettext_noop("Tummy and bowels"), ("bowel", "stool-form", "gut-severity", "gut-risks")),
    Section(gettext_noop("Health and medicines"), ("history",)),
    Section(gettext_noop("Warning signs and mood"), ("warning-signs", "mood")),
    Section(gettext_noop("Test results"), ("labs",)),
    Section(gettext_noop("Check and send"), ("consent",)),
)
SECTION_BY_SLUG = {slug: section for section in SECTIONS for slug in section.slugs}


def section_progress(slug: str) -> dict[str, Any]:
    """Where a step (or "consent", the check-and-send page) sits among the parts."""
    current = SECTIONS.index(SECTION_BY_SLUG[slug])
    return {
        "number": current + 1,
        "total": len(SECTIONS),
        "title": SECTIONS[current].title,
        "parts": [
            {"title": section.title, "done": index < current, "current": index == current}
            for index, section in enumerate(SECTIONS)
        ],
    }


# About how long one question takes to read and answer, in seconds. Closed questions in
# patient questionnaires take about 8 to 12 s each; ours are longer (time frames, examples, tick
# lists), so 15 s. The welcome page's estimate is this times the number of questions.
SECONDS_PER_QUESTION = 15
# Items asked as one group on their step: the PHQ-9 (its fallback question is the alternative
# to it, not asked as well), the IRLS, and the earlier results (one optional page of rows).
GROUP_ITEM_COUNTS = {StepKind.MOOD: 9, StepKind.IRLS: IRLS_ITEM_COUNT, StepKind.LABS: 1}


def _question_count(facts: Facts, *, most: bool) -> int:
    """The questions asked of a patient with these facts. Fewest: what no answer opens (the
    follow-ups of an answer stay closed). Most: everything the facts the clinic holds (age, the
    IRLS licence) allow, whatever the answers."""
    every_key = frozenset(QUESTIONS) | GROUP_KEYS

    def holds(condition: Condition | None) -> bool:
        if condition is None:
            return True
        return holds_off_page(condition, facts, every_key) if most else condition(facts)

    count = 0
    for step in STEPS:
        if step.kind == StepKind.CONSENT or not holds(step.show_if):
            continue
        count += GROUP_ITEM_COUNTS.get(step.kind, 0)
        if step.kind == StepKind.MOOD:
            continue
        for question in step.questions:
            # On the labs step, the gluten question follows a coeliac result typed there.
            shown = most if step.kind == StepKind.LABS else holds(question.show_if)
            count += 1 if shown else 0
    return count


def time_estimate(facts: Facts) -> dict[str, int]:
    """How many questions this patient is asked, fewest and most, and the minutes they take
    at SECONDS_PER_QUESTION (rounded up to whole minutes), for the welcome page."""
    empty = Facts({}, facts.age_years, facts.irls_licensed)
    fewest = _question_count(empty, most=False)
    most = _question_count(empty, most=True)
    return {
        "fewest_questions": fewest,
        "most_questions": most,
        "fewest_minutes": -(-fewest * SECONDS_PER_QUESTION // 60),
        "most_minutes": -(-most * SECONDS_PER_QUESTION // 60),
        "seconds_per_question": SECONDS_PER_QUESTION,
    }


def mood_fallback_attrs() -> dict[str, str]:
    """For static/js/show-if.js: the fallback self-harm question is shown while any of the nine
    PHQ-9 items is still unanswered, and hidden once all nine are (they ask the same)."""
    return {"data-show-if-incomplete": ",".join(f"phq9_{n}" for n in range(1, 10))}

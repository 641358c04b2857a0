"""One case: the case page's record, decisions, the patient's other questionnaires."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from intake import questionnaire
from intake.clinical.explain import RLS_CRITERIA
from intake.enums import TRANSITIONS, AuditAction, CaseStatus, Decision, Role, TestKind
from intake.languages import language_name
from intake.models import (
    Assessment,
    AuditEvent,
    Intake,
    LabResultEntry,
    Note,
    Patient,
    TestRecommendation,
)
from intake.questionnaire import Facts
from intake.selectors.answers import AnswerLine, AnswerSection, answer_sections
from intake.selectors.common import CASES, PATIENTS, RowBeyond, visible
from intake.selectors.queue import CLINIC_PROTOCOL_TIER


def contact_request(*, user, intake_id: int) -> Intake:
    """A draft or case whose answers called for contact, for recording it (404 for any other,
    and for a role that may not see cases)."""
    return get_object_or_404(
        visible(Intake.objects, user=user, permission=CASES).select_related("patient"),
        pk=intake_id,
        contact_needed_at__isnull=False,
    )


@dataclass(frozen=True)
class CriterionRow:
    name: str
    label: str
    value: str  # T | F | U
    answers: list[AnswerLine]


@dataclass(frozen=True)
class DecisionRow:
    """The latest decision on one test, for the case's record: `current` when it belongs to a
    test the current assessment still suggests; otherwise it was made before a re-evaluation
    took the test off (e.g. iron ordered, then its results entered)."""

    test: str
    test_name: str
    decision: str
    decision_label: str
    reason: str
    decided_by: str
    decided_at: dt.datetime | None
    current: bool


def _decisions(intake: Intake) -> list[DecisionRow]:
    """Each test's latest decision across the case's assessments, in the tests' order."""
    latest: dict[str, TestRecommendation] = {}
    for rec in (
        TestRecommendation.objects.filter(intake=intake)
        .exclude(decision=Decision.PENDING)
        .select_related("decided_by")
        .order_by("-assessment_id", "-pk")
    ):
        latest.setdefault(rec.test, rec)
    order = list(TestKind.values)
    return [
        DecisionRow(
            test=rec.test,
            test_name=rec.get_test_display(),
            decision=rec.decision,
            decision_label=rec.get_decision_display(),
            reason=rec.decision_reason,
            decided_by=rec.decided_by.get_username() if rec.decided_by else "",
            decided_at=rec.decided_at,
            current=rec.assessment_id == intake.current_assessment_id,
        )
        for rec in sorted(latest.values(), key=lambda rec: order.index(rec.test))
    ]


@dataclass(frozen=True)
class TestRow:
    """One test in the case summary (print view and PDF): what the rules suggest, by which
    rules, the interpretation of a result on file, and the decision on record."""

    __test__ = False  # not a pytest test class, despite the name

    test: str
    name: str
    value: str
    suggested: bool
    rules: list[tuple[str, str]]  # (rule id, tier)
    protocol_only: bool
    interpretation: str
    decision: DecisionRow | None


def _test_rows(
    result: dict[str, Any], suggested: set[str], decisions: list[DecisionRow]
) -> list[TestRow]:
    """Every test of the stored result, in the tests' order; `suggested` are the tests raised
    for a decision (the current recommendations). Stored JSON is read defensively: results
    stored under earlier rules lack tiers and interpretations."""
    flags = result.get("flags") if isinstance(result, dict) else None
    by_test = {row.test: row for row in decisions}
    rows = []
    for test in TestKind:
        flag = flags.get(test.value) if isinstance(flags, dict) else None
        if not isinstance(flag, dict):
            continue
        fired = flag.get("rules_fired") if isinstance(flag.get("rules_fired"), list) else []
        rules = [
            (str(rule.get("rule", "")), str(rule.get("tier") or ""))
            for rule in fired
            if isinstance(rule, dict)
        ]
        interpretation = flag.get("interpretation")
        value = str(flag.get("value", ""))
        rows.append(
            TestRow(
                test=test.value,
                name=test.label,
                value=value,
                suggested=test.value in suggested,
                rules=rules,
                protocol_only=bool(rules)
                and all(tier == CLINIC_PROTOCOL_TIER for _rule, tier in rules),
                interpretation=str(interpretation.get("text", ""))
                if isinstance(interpretation, dict)
                else "",
                decision=by_test.get(test.value),
            )
        )
    return rows


@dataclass
class CaseDetail:
    intake: Intake
    assessment: Assessment | None
    assessments: list[Assessment]
    recommendations: list[TestRecommendation]
    criteria: list[CriterionRow]
    sections: list[AnswerSection]
    notes: list[Note]
    timeline: list[AuditEvent]
    lab_results: list[LabResultEntry]
    other_intakes: list[Intake]
    decisions: list[DecisionRow] = field(default_factory=list)
    flag_changes: list[tuple[str, str, str]] = field(default_factory=list)
    # (earlier, current) rules versions when the latest re-evaluation ran under newer rules.
    rules_change: tuple[str, str] | None = None
    # The oldest timeline event shown, when there are older ones (a link shows them).
    timeline_older: int | None = None

    @property
    def result(self) -> dict[str, Any]:
        return self.assessment.result if self.assessment else {}

    @property
    def language(self) -> str:
        """The code of the language the patient answered in: theirs, or LANGUAGE_CODE when
        they never chose one (the questionnaire was then shown in it)."""
        return self.intake.language or settings.LANGUAGE_CODE

    @property
    def language_name(self) -> str:
        """That language's own name ("Español"), for the staff's note beside the answers."""
        return language_name(self.language)

    @cached_property
    def test_rows(self) -> list[TestRow]:
        suggested = {rec.test for rec in self.recommendations}
        return _test_rows(self.result, suggested, self.decisions)

    @property
    def earlier_decisions(self) -> list[DecisionRow]:
        """Decisions on tests the current assessment no longer suggests."""
        return [row for row in self.decisions if not row.current]

    @property
    def earlier_assessments(self) -> list[Assessment]:
        """The assessments results superseded, newest first, shown read-only on the case."""
        return [a for a in self.assessments if a.pk != getattr(self.assessment, "pk", None)]


def staff_case(*, user, intake_id: int) -> Intake:
    """A submitted case, or 404 (drafts are the patient's until they submit)."""
    return get_object_or_404(
        visible(Intake.objects, user=user, permission=CASES)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("patient", "assigned_to", "current_assessment", "contacted_by"),
        pk=intake_id,
    )


def _criterion_rows(assessment: Assessment | None) -> list[CriterionRow]:
    if assessment is None:
        return []
    answers = assessment.engine_answers
    criteria = assessment.result["rls"]["criteria"]
    rows = []
    for name, (label, keys) in RLS_CRITERIA.items():
        lines = [
            AnswerLine(
                key,
                gettext(questionnaire.QUESTIONS[key].label),
                questionnaire.QUESTIONS[key].display(answers.get(key)),
            )
            for key in keys
        ]
        rows.append(CriterionRow(name, gettext(label), criteria[name], lines))
    return rows


def _flag_changes(assessments: list[Assessment]) -> list[tuple[str, str, str]]:
    """How each flag's value changed from the previous assessment to the current one."""
    if len(assessments) < 2:
        return []
    current, previous = assessments[0].result["flags"], assessments[1].result["flags"]
    names = dict(TestKind.choices)
    return [
        (names[test], previous[test]["value"], current[test]["value"])
        for test in TestKind.values
        if previous[test]["value"] != current[test]["value"]
    ]


def _rules_change(assessments: list[Assessment]) -> tuple[str, str] | None:
    """The rules versions of the previous and the current assessment, when they differ."""
    if len(assessments) < 2:
        return None
    current, previous = assessments[0].ruleset_version, assessments[1].ruleset_version
    return (previous, current) if previous != current else None


TIMELINE_PER_PAGE = 50


def case_timeline(
    *, intake: Intake, before: int | None = None, per_page: int | None = None
) -> tuple[list[AuditEvent], int | None]:
    """The case's story, a page at a time: the latest events (or those before the event
    `before`), oldest first, and the id of the oldest shown when older ones exist ("Show older
    events"). Views are left out, and so are the patient's own saves while filling in (they stay
    in the audit log): the index audit_case_timeline holds only the rest, so a case viewed or
    printed a thousand times costs what one viewed once does."""
    per_page = per_page or TIMELINE_PER_PAGE
    events = (
        AuditEvent.objects.filter(intake=intake)
        .exclude(action=AuditAction.VIEW)
        .exclude(action=AuditAction.UPDATE, actor__isnull=True)
    )
    if before is not None:
        boundary = AuditEvent.objects.filter(pk=before, intake=intake).values_list("at", "pk")
        events = events.filter(RowBeyond([F("at"), F("pk")], Subquery(boundary[:1]), "<"))
    newest_first = list(events.order_by("-at", "-pk")[: per_page + 1])
    older = newest_first[per_page - 1].pk if len(newest_first) > per_page else None
    return newest_first[:per_page][::-1], older


def case_detail(*, intake: Intake, facts: Facts, timeline_before: int | None = None) -> CaseDetail:
    assessments = list(
        intake.assessments.select_related("created_by").order_by("-created_at", "-pk")
    )
    current = intake.current_assessment
    recommendations = (
        list(TestRecommendation.objects.filter(assessment=current).select_related("decided_by"))
        if current
        else []
    )
    timeline, timeline_older = case_timeline(intake=intake, before=timeline_before)
    return CaseDetail(
        intake=intake,
        assessment=current,
        assessments=assessments,
        recommendations=recommendations,
        criteria=_criterion_rows(current),
        sections=answer_sections(answers=intake.answers, facts=facts),
        notes=list(intake.notes.select_related("author")),
        timeline=timeline,
        timeline_older=timeline_older,
        lab_results=list(intake.lab_results.select_related("entered_by")),
        other_intakes=list(intake.patient.intakes.exclude(pk=intake.pk).order_by("-created_at")),
        decisions=_decisions(intake),
        flag_changes=_flag_changes(assessments),
        rules_change=_rules_change(assessments),
    )


@dataclass(frozen=True)
class DecisionTarget:
    """Where a decision typed on an older page belongs now: its test, and that test's
    recommendation in the current assessment (None when the test is no longer suggested)."""

    test: str | None
    current_id: int | None

    @property
    def test_label(self) -> str:
        return TestKind(self.test).label if self.test in TestKind.values else ""


def decision_target(*, intake: Intake, recommendation_id: int | None) -> DecisionTarget:
    """Entering results re-evaluates the case and gives every recommendation a new id, so a
    decision typed meanwhile names an old one; it is matched to the current one by test. Only
    this case's recommendations count: another case's id finds nothing."""
    test = (
        TestRecommendation.objects.filter(pk=recommendation_id, intake=intake)
        .values_list("test", flat=True)
        .first()
        if recommendation_id is not None
        else None
    )
    if test is None:
        return DecisionTarget(test=None, current_id=None)
    current_id = (
        TestRecommendation.objects.filter(
            intake=intake, assessment_id=intake.current_assessment_id, test=test
        )
        .values_list("pk", flat=True)
        .first()
    )
    return DecisionTarget(test=test, current_id=current_id)


def patient_record(*, user, patient_id: int) -> tuple[Patient, list[Intake]]:
    patient = get_object_or_404(
        visible(Patient.objects, user=user, permission=PATIENTS), pk=patient_id
    )
    intakes = list(
        patient.intakes.select_related("assigned_to", "contacted_by").order_by("-created_at", "-pk")
    )
    return patient, intakes


def assignable_staff() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.PRACTITIONER)
        .order_by("username")
        .distinct()
    )


def status_choices(intake: Intake) -> list[tuple[str, str]]:
    """The statuses this case may move to now, for the status buttons."""
    labels = dict(CaseStatus.choices)
    order = list(labels)
    allowed = sorted(TRANSITIONS.get(intake.status, ()), key=order.index)
    return [(status, labels[status]) for status in allowed]

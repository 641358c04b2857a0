"""Every non-trivial read. Views get their data from here, scoped to what the asker may see."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, Greatest, Lower
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import questionnaire
from intake.clinical.explain import RLS_CRITERIA
from intake.dates import age_on
from intake.enums import TRANSITIONS, AuditAction, CaseStatus, Decision, Role, TestKind
from intake.errors import InvitationUnavailable
from intake.models import (
    Assessment,
    AuditEvent,
    Intake,
    Invitation,
    LabResultEntry,
    LicensedInstrument,
    Note,
    Patient,
    TestRecommendation,
)
from intake.questionnaire import Facts


def patient_intake(*, intake_id: int | None, invitation_id: int | None) -> Intake:
    """The intake a patient's session holds access to, or 404. Access lasts while the link
    that granted it is not revoked: revoking or re-issuing a link (e.g. one sent to the wrong
    address) shuts out every browser that opened it. A draft also needs the link to be
    unexpired, as a link opened for the first time does (InvitationUnavailable otherwise:
    the answers are kept for a new link); a sent questionnaire's thank-you page still shows."""
    if intake_id is None or invitation_id is None:
        raise Http404("No questionnaire is open in this browser.")
    invitation = (
        Invitation.objects.select_related("intake__patient")
        .filter(pk=invitation_id, intake_id=intake_id, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise Http404("No questionnaire is open in this browser.")
    intake = invitation.intake
    if intake.is_draft and invitation.expires_at <= timezone.now():
        expired_on = timezone.localdate(invitation.expires_at)
        raise InvitationUnavailable(
            f"This link expired on {expired_on.day} {expired_on:%B %Y}. Your answers so far "
            "are kept, but you need a new link from your clinic to change or send them."
        )
    return intake


def pending_invitation(*, invitation_id: int | None) -> Invitation:
    """The live invitation whose link this browser opened and still has to confirm, or 404
    (a link revoked or expired since it was opened no longer lets the date of birth in)."""
    invitation = (
        Invitation.objects.select_related("intake__patient")
        .filter(pk=invitation_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
        if invitation_id
        else None
    )
    if invitation is None:
        raise Http404("Open the link from your clinic first.")
    return invitation


@dataclass(frozen=True)
class AnswerLine:
    key: str
    label: str
    answer: str


@dataclass(frozen=True)
class AnswerSection:
    step: questionnaire.Step
    lines: list[AnswerLine]


def _lab_line(row: dict[str, Any]) -> str:
    value = questionnaire.lab_value(row["test"], row["value"], row.get("unit") or "")
    return f"{questionnaire.lab_name(row['test'])}: {value} (taken {row['taken_on']})"


def answer_sections(*, answers: dict[str, Any], facts: Facts) -> list[AnswerSection]:
    """The answers grouped by step, in the patient's words, for review and case pages."""
    sections = []
    for step in questionnaire.applicable_steps(facts):
        lines = []
        if step.kind == "mood":
            items = answers.get("phq9_items")
            choices = dict(questionnaire.PHQ9_CHOICES)
            for number, text in enumerate(questionnaire.PHQ9_ITEMS, start=1):
                answer = choices[items[number - 1]] if items else "Not answered"
                lines.append(AnswerLine(f"phq9_{number}", text, answer))
        if step.kind == "irls":
            items = answers.get("irls_items") or [None] * questionnaire.IRLS_ITEM_COUNT
            for number, score in enumerate(items, start=1):
                answer = "Not answered" if score is None else str(score)
                lines.append(AnswerLine(f"irls_{number}", f"Severity scale item {number}", answer))
        if step.kind == "labs":
            rows = answers.get("prior_labs") or []
            for index, row in enumerate(rows, start=1):
                lines.append(AnswerLine(f"lab_{index}", f"Result {index}", _lab_line(row)))
            if not rows:
                lines.append(AnswerLine("prior_labs", "Results", "None added"))
        for question in step.questions:
            if questionnaire.field_shown(step, question, facts):
                lines.append(
                    AnswerLine(
                        question.key, question.label, question.display(answers.get(question.key))
                    )
                )
        if step.kind != "consent":
            sections.append(AnswerSection(step, lines))
    return sections


def irls_instrument() -> LicensedInstrument | None:
    return (
        LicensedInstrument.objects.filter(name="IRLS", active=True).order_by("-uploaded_at").first()
    )


INVITATIONS_PER_PAGE = 25


# What each staff read needs: the role's permission (intake/roles.py). Views refuse a role
# without it first (403); the reads below return nothing to it as well, so a view that forgot
# its check would still show no record.
CASES = "intake.view_intake"
PATIENTS = "intake.view_patient"
INVITATIONS = "intake.view_invitation"
RECORDS = "intake.manage_records"


def visible(queryset: QuerySet, *, user, permission: str) -> QuerySet:
    """The rows of `queryset` that `user` may see: all with the permission, none without."""
    return queryset if user.has_perm(permission) else queryset.none()


def invitation_list(*, user, search: str = "") -> QuerySet[Invitation]:
    """Staff's list of invitations, newest first, with what they need to show a status."""
    newer_link = Invitation.objects.filter(intake=OuterRef("intake"), pk__gt=OuterRef("pk"))
    invitations = (
        visible(Invitation.objects, user=user, permission=INVITATIONS)
        .select_related("intake__patient", "created_by")
        .prefetch_related("outbox_messages")  # each emailed link's state, in one query
        .annotate(replaced=Exists(newer_link))
        .order_by("-created_at", "-pk")
    )
    search = search.strip()
    if search:
        invitations = invitations.filter(intake__patient__full_name__icontains=search)
    return invitations


def invitation_emails(invitation: Invitation) -> list[str]:
    """The addresses this link is being emailed to (through the outbox), for its link page."""
    return list(invitation.outbox_messages.values_list("recipient", flat=True))


# What staff may still do with a link in each state (the invitations page shows these buttons).
INVITATION_ACTIONS = {
    "Submitted": (),
    "Replaced by a newer link": (),
    "Revoked": ("reissue",),
    "Closed after wrong dates of birth": ("reissue",),
    "Expired": ("reissue",),
}
LIVE_LINK_ACTIONS = ("revoke", "reissue")


def invitation_status(invitation: Invitation, *, now=None) -> str:
    now = now or timezone.now()
    if not invitation.intake.is_draft:
        return "Submitted"
    if getattr(invitation, "replaced", False):
        return "Replaced by a newer link"
    if invitation.closed_at is not None:
        return "Closed after wrong dates of birth"
    if invitation.revoked_at is not None:
        return "Revoked"
    if invitation.expires_at <= now:
        return "Expired"
    if invitation.locked_until and invitation.locked_until > now:
        return "Locked (wrong date of birth)"
    if invitation.intake.answers:
        return "In progress"
    return "Opened" if invitation.last_opened_at else "Not opened yet"


def invitation_actions(status: str) -> tuple[str, ...]:
    return INVITATION_ACTIONS.get(status, LIVE_LINK_ACTIONS)


def contact_needed(*, user) -> list[Intake]:
    """Patients whose answers called for contact today (crisis, emergency, "Not sure"; R3-23)
    and whom nobody has recorded contacting yet, drafts and submitted cases alike: the top of
    the work queue, oldest first. A draft shows only its patient and case number; its answers
    stay the patient's until they send them."""
    return list(
        visible(Intake.objects, user=user, permission=CASES)
        .filter(contact_needed_at__isnull=False, contacted_at__isnull=True)
        .select_related("patient")
        .order_by("contact_needed_at", "pk")
    )


def contact_request(*, user, intake_id: int) -> Intake:
    """A draft or case whose answers called for contact, for recording it (404 for any other,
    and for a role that may not see cases)."""
    return get_object_or_404(
        visible(Intake.objects, user=user, permission=CASES).select_related("patient"),
        pk=intake_id,
        contact_needed_at__isnull=False,
    )


def staff_invitation(*, user, invitation_id: int) -> Invitation:
    return get_object_or_404(
        visible(Invitation.objects, user=user, permission=INVITATIONS).select_related(
            "intake__patient"
        ),
        pk=invitation_id,
    )


# --- the practitioners' work queue -----------------------------------------------------------

QUEUE_PER_PAGE = 25
QUEUE_SORTS = {
    # key: (label, ordering). A column's key sorts it ascending, "-" and the key descending;
    # the work queue's sortable column headers switch between the two.
    # Closed cases last, so that an old urgent case that is done does not sit above open ones.
    # Patients waiting for contact today come before everything, closed or not (R3-23).
    "priority": (
        "Needing contact first, then open: crisis, emergency, urgent, oldest",
        ["-needs_contact", "is_closed", "-crisis", "-emergency", "-urgent", "submitted_at", "pk"],
    ),
    "case": ("Case number, lowest first", ["pk"]),
    "-case": ("Case number, highest first", ["-pk"]),
    "patient": ("Patient name, A to Z", [Lower("patient__full_name"), "pk"]),
    "-patient": ("Patient name, Z to A", [Lower("patient__full_name").desc(), "-pk"]),
    # Age today: the youngest patient has the latest date of birth.
    "age": ("Age, youngest first", ["-patient__date_of_birth", "pk"]),
    "-age": ("Age, oldest first", ["patient__date_of_birth", "pk"]),
    "submitted": ("Submitted, oldest first", ["submitted_at", "pk"]),
    "-submitted": ("Submitted, newest first", ["-submitted_at", "-pk"]),
}
# The queue's sortable columns, in table order: (sort key, column heading).
QUEUE_SORT_COLUMNS = (
    ("case", "Case"),
    ("patient", "Patient"),
    ("age", "Age"),
    ("submitted", "Submitted"),
)


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    urgent: bool = False
    tests: tuple[str, ...] = ()
    rls_met: bool = False
    assigned: str = ""  # "" | "me" | "unassigned"
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    search: str = ""
    sort: str = "priority"


def _current_recommendation(test: str) -> Exists:
    return Exists(
        TestRecommendation.objects.filter(
            intake=OuterRef("pk"), assessment=OuterRef("current_assessment"), test=test
        )
    )


def _search(queryset: QuerySet[Intake], text: str) -> QuerySet[Intake]:
    """Name (any part), date of birth (YYYY-MM-DD or DD/MM/YYYY) or case number (C-000123)."""
    text = text.strip()
    if not text:
        return queryset
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            born = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return queryset.filter(patient__date_of_birth=born)
    number = text.upper().removeprefix("C-").lstrip("0")
    if number.isdigit():
        return queryset.filter(Q(pk=int(number)) | Q(patient__full_name__icontains=text))
    return queryset.filter(patient__full_name__icontains=text)


def work_queue(*, user, filters: QueueFilters) -> QuerySet[Intake]:
    """Submitted cases, filtered and sorted; each row's current recommendations prefetched."""
    cases = (
        visible(Intake.objects, user=user, permission=CASES)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("patient", "assigned_to")
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.urgent:
        cases = cases.filter(urgent=True)
    for test in filters.tests:
        cases = cases.filter(_current_recommendation(test))
    if filters.rls_met:
        cases = cases.filter(rls_status="met")
    if filters.assigned == "me":
        cases = cases.filter(assigned_to=user)
    elif filters.assigned == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    if filters.submitted_from:
        cases = cases.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        cases = cases.filter(submitted_at__date__lte=filters.submitted_to)
    cases = _search(cases, filters.search)
    ordering = QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["priority"])[1]
    if "is_closed" in ordering:
        closed = Case(
            When(status=CaseStatus.CLOSED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        waiting = Case(
            When(contact_needed_at__isnull=False, contacted_at__isnull=True, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        cases = cases.alias(is_closed=closed, needs_contact=waiting)
    # The red flags' rule ids come from the stored result, so that the row can say which fired.
    reasons = KeyTransform("reasons", KeyTransform("urgent", "current_assessment__result"))
    return (
        cases.order_by(*ordering)
        .annotate(red_flag_reasons=reasons)
        .prefetch_related(
            Prefetch(
                "recommendations",
                queryset=TestRecommendation.objects.only(
                    "intake_id", "assessment_id", "test", "value", "rules"
                ),
                to_attr="all_recommendations",
            )
        )
    )


# The queue's short names for the tests, to keep the column narrow (the full name is read out).
TEST_SHORT_NAMES = {
    TestKind.THYROID: "Thyroid",
    TestKind.IRON_PANEL: "Iron",
    TestKind.CELIAC: "Coeliac",
    TestKind.STOOL: "Stool",
    TestKind.SIBO_BREATH: "SIBO",
}
CLINIC_PROTOCOL_TIER = "S"  # clinical-spec tier S: clinic protocol only, not a guideline
OPTIONAL_FLAG_VALUES = frozenset({"consider"})  # SIBO: a breath test may be considered


@dataclass(frozen=True)
class QueueTest:
    """A test raised for a case, as the work queue shows it: whether only clinic-protocol
    rules (tier S) raised it, which the queue marks apart from guideline ones, and whether it is
    only to be considered (SIBO)."""

    test: str
    short_name: str
    name: str
    protocol_only: bool
    optional: bool


def _queue_test(recommendation: TestRecommendation) -> QueueTest:
    rules = recommendation.rules if isinstance(recommendation.rules, list) else []
    tiers = [rule.get("tier") for rule in rules if isinstance(rule, dict)]
    return QueueTest(
        test=recommendation.test,
        short_name=TEST_SHORT_NAMES.get(recommendation.test, recommendation.test),
        name=recommendation.get_test_display(),
        protocol_only=bool(tiers) and all(tier == CLINIC_PROTOCOL_TIER for tier in tiers),
        optional=recommendation.value in OPTIONAL_FLAG_VALUES,
    )


def raised_tests(intake: Intake) -> list[QueueTest]:
    """The current assessment's raised tests, from the queue's prefetch (no query)."""
    return [
        _queue_test(rec)
        for rec in getattr(intake, "all_recommendations", [])
        if rec.assessment_id == intake.current_assessment_id
    ]


def red_flag_rules(intake: Intake) -> list[str]:
    """The rule ids of the current assessment's red flags (RF-1, RF-U...), each once, from the
    queue's annotation (no query); none for a result that holds no list of reasons."""
    reasons = getattr(intake, "red_flag_reasons", None)
    rules: list[str] = []
    for reason in reasons if isinstance(reasons, list) else ():
        rule = reason.get("rule") if isinstance(reason, dict) else None
        if isinstance(rule, str) and rule not in rules:
            rules.append(rule)
    return rules


def queue_counts(*, user) -> dict[str, int]:
    """The strip above the queue, in one query."""
    week_start = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    submitted = visible(Intake.objects, user=user, permission=CASES).exclude(
        status=CaseStatus.DRAFT
    )
    return submitted.aggregate(
        new=Count("pk", filter=Q(status=CaseStatus.NEW)),
        urgent=Count("pk", filter=Q(urgent=True) & ~Q(status=CaseStatus.CLOSED)),
        awaiting_tests=Count("pk", filter=Q(status=CaseStatus.TESTS_ORDERED)),
        closed_this_week=Count(
            "pk", filter=Q(status=CaseStatus.CLOSED, closed_at__date__gte=week_start)
        ),
    )


# --- one case -----------------------------------------------------------------------------


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

    @property
    def result(self) -> dict[str, Any]:
        return self.assessment.result if self.assessment else {}

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
                questionnaire.QUESTIONS[key].label,
                questionnaire.QUESTIONS[key].display(answers.get(key)),
            )
            for key in keys
        ]
        rows.append(CriterionRow(name, label, criteria[name], lines))
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


def case_detail(*, intake: Intake, facts: Facts) -> CaseDetail:
    assessments = list(
        intake.assessments.select_related("created_by").order_by("-created_at", "-pk")
    )
    current = intake.current_assessment
    recommendations = (
        list(TestRecommendation.objects.filter(assessment=current).select_related("decided_by"))
        if current
        else []
    )
    timeline = list(
        AuditEvent.objects.filter(intake=intake)
        .exclude(action=AuditAction.VIEW)
        # The patient's own saves while filling in stay in the audit log, not in the case's story.
        .exclude(action=AuditAction.UPDATE, actor__isnull=True)
        .order_by("at", "pk")
    )
    return CaseDetail(
        intake=intake,
        assessment=current,
        assessments=assessments,
        recommendations=recommendations,
        criteria=_criterion_rows(current),
        sections=answer_sections(answers=intake.answers, facts=facts),
        notes=list(intake.notes.select_related("author")),
        timeline=timeline,
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


EXPORT_CHUNK = 2000  # cases read from the database at a time; memory stays flat beyond it
# The lab tests whose latest entered result the CSV reports (docs/csv-codebook.md).
EXPORT_LABS = tuple(code for code, _name, _units in questionnaire.LAB_TESTS)


def export_rows(*, user, filters: QueueFilters) -> Iterator[dict[str, Any]]:
    """The queue as flat rows for CSV, streamed from the database in chunks: per case, each
    test's suggestion (the flag), the decision on it and when, and each lab test's latest result
    entered on the case, with its unit and date. Two queries per chunk of cases fetch the
    decisions and results."""
    flag_fields = {
        f"flag_{test}": KeyTextTransform(
            "value", KeyTransform(test, KeyTransform("flags", "current_assessment__result"))
        )
        for test in TestKind.values
    }
    # Read from the stored result, so assessments made under earlier rules (no emergency
    # class, no unsure list) export as "no" and an empty cell.
    result = "current_assessment__result"
    red_flag_fields = {
        "result_emergency": KeyTransform("emergency", KeyTransform("urgent", result)),
        "result_unsure": KeyTransform("unsure_red_flags", KeyTransform("data_quality", result)),
    }
    cases = (
        work_queue(user=user, filters=filters)
        .prefetch_related(None)
        .annotate(**flag_fields, **red_flag_fields)
        .values(
            "pk",
            "submitted_at",
            "status",
            "urgent",
            "crisis",
            "patient_id",
            "patient__full_name",
            "patient__date_of_birth",
            "rls_status",
            "ibs_status",
            "assigned_to__username",
            "current_assessment_id",
            "current_assessment__ruleset_version",
            *flag_fields,
            *red_flag_fields,
        )
    )
    chunk: list[dict[str, Any]] = []
    for row in cases.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) == EXPORT_CHUNK:
            yield from _export_chunk(chunk)
            chunk = []
    if chunk:
        yield from _export_chunk(chunk)


def _export_decisions(rows: list[dict[str, Any]]) -> dict[tuple[int, str], tuple[str, Any]]:
    """(case, test) -> (decision, decided_at): the current recommendation's decision (pending
    included) when the test is still suggested, else the latest decision made on it before a
    re-evaluation took it off; no entry when the test was never raised or never decided."""
    current = {row["pk"]: row["current_assessment_id"] for row in rows}
    found: dict[tuple[int, str], tuple[str, Any]] = {}
    earlier: dict[tuple[int, str], tuple[str, Any]] = {}
    recommendations = (
        TestRecommendation.objects.filter(intake_id__in=list(current))
        .order_by("intake_id", "test", "-assessment_id", "-pk")
        .values_list("intake_id", "assessment_id", "test", "decision", "decided_at")
    )
    for intake_id, assessment_id, test, decision, decided_at in recommendations:
        key = (intake_id, test)
        if assessment_id == current[intake_id]:
            found[key] = (decision, decided_at)
        elif decision != Decision.PENDING:
            earlier.setdefault(key, (decision, decided_at))
    return {**earlier, **found}


def _export_results(rows: list[dict[str, Any]]) -> dict[tuple[int, str], tuple[Any, str, str]]:
    """(case, lab test) -> (value, unit, day taken) of the latest result entered on the case
    (latest taken, then the last entered on the same day)."""
    latest: dict[tuple[int, str], tuple[Any, str, str]] = {}
    entries = (
        LabResultEntry.objects.filter(intake_id__in=[row["pk"] for row in rows])
        .order_by("intake_id", "test", "-taken_on", "-pk")
        .values_list("intake_id", "test", "value", "unit", "taken_on")
    )
    for intake_id, test, value, unit, taken_on in entries:
        latest.setdefault((intake_id, test), (value, unit, taken_on.isoformat()))
    return latest


NO_RESULT = ("", "", "")


def _export_chunk(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    decisions = _export_decisions(rows)
    results = _export_results(rows)
    zone = timezone.get_current_timezone()  # once, not for each of the many dates below
    for row in rows:
        submitted = row["submitted_at"]
        born = row["patient__date_of_birth"]
        tests: dict[str, Any] = {}
        for test in TestKind.values:
            decision, decided_at = decisions.get((row["pk"], test), ("", None))
            tests[f"flag_{test}"] = row[f"flag_{test}"] or ""
            tests[f"decision_{test}"] = decision
            tests[f"decided_on_{test}"] = (
                decided_at.astimezone(zone).date().isoformat() if decided_at else ""
            )
        labs: dict[str, Any] = {}
        for lab in EXPORT_LABS:
            value, unit, taken_on = results.get((row["pk"], lab), NO_RESULT)
            labs[f"result_{lab}"] = value
            labs[f"result_{lab}_unit"] = unit
            labs[f"result_{lab}_taken_on"] = taken_on
        yield {
            "case_number": f"C-{row['pk']:06d}",
            "submitted_at": timezone.localtime(submitted).isoformat(timespec="minutes"),
            "status": row["status"],
            "urgent": "yes" if row["urgent"] else "no",
            "crisis": "yes" if row["crisis"] else "no",
            "emergency": "yes" if row["result_emergency"] is True else "no",
            "unsure_red_flags": " ".join(map(str, row["result_unsure"]))
            if isinstance(row["result_unsure"], list)
            else "",
            "patient_id": row["patient_id"],
            "patient_name": row["patient__full_name"],
            "date_of_birth": born.isoformat(),
            "age_at_submission": age_on(born, timezone.localtime(submitted).date()),
            "rls_status": row["rls_status"],
            "ibs_status": row["ibs_status"],
            **tests,
            **labs,
            "assigned_to": row["assigned_to__username"] or "",
            "ruleset_version": row["current_assessment__ruleset_version"] or "",
        }


# --- the clinic overview ---------------------------------------------------------------------

# The overview's periods: query value -> (days back, or None for all time; label).
OVERVIEW_PERIODS = {
    "30": (30, "the last 30 days"),
    "90": (90, "the last 90 days"),
    "365": (365, "the last 12 months"),
    "all": (None, "all time"),
}
OVERVIEW_DEFAULT_PERIOD = "90"
# Open cases by calendar days since they were submitted: (label, from, to before; None: on).
QUEUE_AGES = (
    ("Today", 0, 1),
    ("1 to 2 days", 1, 3),
    ("3 to 7 days", 3, 8),
    ("8 to 14 days", 8, 15),
    ("15 to 30 days", 15, 31),
    ("Over 30 days", 31, None),
)
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_REVIEW, CaseStatus.TESTS_ORDERED)
NOT_PAST_FIRST_STEP = "No step finished yet"


@dataclass(frozen=True)
class Overview:
    """The clinic's figures for the overview page. The funnel and the stopping points count the
    questionnaires whose link was made in the period; the queue's figures are as of now."""

    period: str
    period_label: str
    funnel: list[tuple[str, int]]  # sent, opened, started, submitted
    median_to_submit: dt.timedelta | None
    submitted_count: int
    stopped_after: list[tuple[str, int]]  # last step finished, of questionnaires not sent
    by_status: list[tuple[str, int]]
    by_age: list[tuple[str, int]]


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    """The middle one, or the mean of the middle two: `values` are those from the middle."""
    if not values:
        return None
    return values[0] if len(values) == 1 else (values[0] + values[1]) / 2


def _stopped_after(drafts: QuerySet[Intake]) -> list[tuple[str, int]]:
    """Drafts with answers, by the last step (in the questionnaire's order) they finished: one
    count per step, in one query. A step finished is marked in `step_revisions`."""
    steps = [step for step in questionnaire.STEPS if step.kind != "consent"]
    done = [Q(step_revisions__has_key=f"{step.slug}:done") for step in steps]
    counts = {}
    for index, step in enumerate(steps):
        later = Q()
        for other in done[index + 1 :]:
            later |= other
        last = done[index] & ~later if index + 1 < len(steps) else done[index]
        counts[step.slug] = Count("pk", filter=last)
    none = Q()
    for each in done:
        none |= each
    counts["none"] = Count("pk", filter=~none)
    found = drafts.aggregate(**counts)
    return [(NOT_PAST_FIRST_STEP, found["none"])] + [
        (step.title, found[step.slug]) for step in steps
    ]


def clinic_overview(*, user, period: str = OVERVIEW_DEFAULT_PERIOD, now=None) -> Overview:
    """The overview page's figures in four queries, however many patients: the funnel, the
    middle of the times to submit, the stopping points, and the queue by status and age.
    Nothing for a role that may not see cases."""
    now = now or timezone.now()
    days, period_label = OVERVIEW_PERIODS.get(period, OVERVIEW_PERIODS[OVERVIEW_DEFAULT_PERIOD])
    intakes = visible(Intake.objects, user=user, permission=CASES)
    made = intakes if days is None else intakes.filter(created_at__gte=now - dt.timedelta(days))
    opened = Exists(Invitation.objects.filter(intake=OuterRef("pk"), last_opened_at__isnull=False))
    # Each stage counts those that went further too: a questionnaire sent was started, and one
    # started was opened, even when the record of it is missing (answers erased on request).
    sent_in = Q(submitted_at__isnull=False)
    started = ~Q(answers={})
    funnel = made.aggregate(
        sent=Count("pk"),
        opened=Count("pk", filter=Q(opened) | started | sent_in),
        started=Count("pk", filter=started | sent_in),
        submitted=Count("pk", filter=sent_in),
    )
    submitted = funnel["submitted"]
    # The median from the sorted durations: only the middle one or two rows are read.
    middle = (
        list(
            made.filter(submitted_at__isnull=False)
            .annotate(took=ExpressionWrapper(F("submitted_at") - F("created_at"), DurationField()))
            .order_by("took", "pk")
            .values_list("took", flat=True)[(submitted - 1) // 2 : submitted // 2 + 1]
        )
        if submitted
        else []
    )
    today = timezone.localdate(now)

    def midnight(days_ago: int) -> dt.datetime:
        day = today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def submitted_between(start: int, end: int | None) -> Q:
        # Calendar days since submission: `start` or more, fewer than `end`.
        window = Q(submitted_at__lt=midnight(start - 1))
        return window if end is None else window & Q(submitted_at__gte=midnight(end - 1))

    queue = intakes.exclude(status=CaseStatus.DRAFT).aggregate(
        **{
            f"status_{status}": Count("pk", filter=Q(status=status)) for status in CaseStatus.values
        },
        **{
            f"age_{index}": Count(
                "pk", filter=Q(status__in=OPEN_STATUSES) & submitted_between(start, end)
            )
            for index, (_label, start, end) in enumerate(QUEUE_AGES)
        },
    )
    labels = dict(CaseStatus.choices)
    return Overview(
        period=period if period in OVERVIEW_PERIODS else OVERVIEW_DEFAULT_PERIOD,
        period_label=period_label,
        funnel=[
            ("Invitations sent", funnel["sent"]),
            ("Opened", funnel["opened"]),
            ("Started", funnel["started"]),
            ("Submitted", submitted),
        ],
        median_to_submit=_median(middle),
        submitted_count=submitted,
        stopped_after=_stopped_after(made.filter(started, submitted_at__isnull=True)),
        by_status=[
            (labels[status], queue[f"status_{status}"])
            for status in CaseStatus.values
            if status != CaseStatus.DRAFT
        ],
        by_age=[(label, queue[f"age_{index}"]) for index, (label, _s, _e) in enumerate(QUEUE_AGES)],
    )


# --- data protection -----------------------------------------------------------------------

RETENTION_PER_PAGE = 25


def staff_patient(*, user, patient_id: int) -> Patient:
    """A patient's record for the records pages (subject access, erasure), or 404."""
    return get_object_or_404(
        visible(Patient.objects, user=user, permission=RECORDS).select_related("erased_by"),
        pk=patient_id,
    )


def retention_due(*, user, today: dt.date | None = None) -> QuerySet[Patient]:
    """Patients not erased whose latest activity (the record's creation or a change to any of
    their questionnaires) is older than RECORD_RETENTION_DAYS, oldest first, for review.
    Each carries `last_activity` and `intake_count`."""
    today = today or timezone.localdate()
    cutoff_day = today - dt.timedelta(days=settings.RECORD_RETENTION_DAYS)
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    return (
        visible(Patient.objects, user=user, permission=RECORDS)
        .filter(erased_at__isnull=True)
        .annotate(
            # Coalesce: a patient without questionnaires has no latest change to compare.
            last_activity=Greatest(
                "created_at", Coalesce(Max("intakes__updated_at"), "created_at")
            ),
            intake_count=Count("intakes"),
        )
        .filter(last_activity__lt=cutoff)
        .order_by("last_activity", "pk")
    )


# --- staff sign-in ------------------------------------------------------------------------


def second_factor_wait_seconds(*, user) -> int:
    """How long django-otp's throttling still refuses every code after wrong ones (0: none).
    Each wrong code doubles the wait, so a right code typed at once is refused too."""
    now = timezone.now()
    wait = 0
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            allowed, details = device.verify_is_allowed()
            locked_until = (details or {}).get("locked_until")
            if not allowed and locked_until:
                wait = max(wait, math.ceil((locked_until - now).total_seconds()))
    return wait

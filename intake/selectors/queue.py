"""The practitioners' work queue: filters, sorting, its rows' badges and the count strip."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Lower
from django.utils import timezone

from intake.enums import CaseStatus, TestKind
from intake.models import Intake, TestRecommendation
from intake.selectors.common import CASES, visible


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

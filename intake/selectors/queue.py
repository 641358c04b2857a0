"""The practitioners' work queue: filters, sorting, its pages, its rows' badges and the count
strip. Every query here is served by an index (intake/models.py), so that a page costs the same
at 100,000 cases as at 100: pages are read by keyset (the rows after or before a given case in
the current order), never by counting and skipping rows, and the strip's counts read only the
cases they count."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import (
    Count,
    Exists,
    F,
    OrderBy,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.enums import CaseStatus, TestKind
from intake.models import Intake, TestRecommendation
from intake.selectors import queue_cache
from intake.selectors.common import CASES, RowBeyond, visible

# The box above the queue lists this many; any more are counted (each is also first in the
# queue itself), so that the page stays the same size however many are waiting.
CONTACT_LIST_LIMIT = 20
# What the box shows of each (intake/staff/queue.html): fewer columns to compile and read.
CONTACT_ROW_FIELDS = ("pk", "status", "contact_needed_at", "contact_reasons", "patient__full_name")


@dataclass(frozen=True)
class WaitingForContact:
    rows: list[Intake]  # the oldest CONTACT_LIST_LIMIT
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def contact_needed(*, user) -> WaitingForContact:
    """Patients whose answers called for contact today (crisis, emergency, "Not sure"; R3-23)
    and whom nobody has recorded contacting yet, drafts and submitted cases alike: the top of
    the work queue, oldest first. A draft shows only its patient and case number; its answers
    stay the patient's until they send them. One query, and a count only when more are waiting
    than the list shows."""
    waiting = visible(Intake.objects, user=user, permission=CASES).filter(
        contact_needed_at__isnull=False, contacted_at__isnull=True
    )
    rows = list(
        waiting.select_related("patient")
        .only(*CONTACT_ROW_FIELDS)
        .order_by("contact_needed_at", "pk")[: CONTACT_LIST_LIMIT + 1]
    )
    if len(rows) <= CONTACT_LIST_LIMIT:
        return WaitingForContact(rows=rows, total=len(rows))
    return WaitingForContact(rows=rows[:CONTACT_LIST_LIMIT], total=waiting.count())


QUEUE_PER_PAGE = 25
QUEUE_SORTS = {
    # key: (label, ordering). A column's key sorts it ascending, "-" and the key descending;
    # the work queue's sortable column headers switch between the two. Each ordering runs one
    # way throughout, so that its pages can be read by keyset.
    # Closed cases last, so that an old urgent case that is done does not sit above open ones.
    # Patients waiting for contact today come before everything, closed or not (R3-23); all
    # of that is the database's `queue_rank` (intake/models.py).
    "priority": (
        _("Needing contact first, then open: crisis, emergency, urgent, oldest"),
        ["queue_rank", "submitted_at", "pk"],
    ),
    "case": (_("Case number, lowest first"), ["pk"]),
    "-case": (_("Case number, highest first"), ["-pk"]),
    "patient": (_("Patient name, A to Z"), [Lower("patient__full_name"), "pk"]),
    "-patient": (_("Patient name, Z to A"), [Lower("patient__full_name").desc(), "-pk"]),
    # Age today: the youngest patient has the latest date of birth.
    "age": (_("Age, youngest first"), ["-patient__date_of_birth", "-pk"]),
    "-age": (_("Age, oldest first"), ["patient__date_of_birth", "pk"]),
    "submitted": (_("Submitted, oldest first"), ["submitted_at", "pk"]),
    "-submitted": (_("Submitted, newest first"), ["-submitted_at", "-pk"]),
}
# The queue's sortable columns, in table order: (sort key, column heading).
QUEUE_SORT_COLUMNS = (
    ("case", _("Case")),
    ("patient", _("Patient")),
    ("age", _("Age")),
    ("submitted", _("Submitted")),
)
# What a queue row shows; the wide answers and step_revisions are never read for the queue.
QUEUE_ROW_FIELDS = (
    "pk",
    "status",
    "submitted_at",
    "urgent",
    "crisis",
    "emergency",
    "rls_status",
    "ibs_status",
    "current_assessment_id",
    "contact_needed_at",
    "contacted_at",
    "patient__full_name",
    "patient__date_of_birth",
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
    # By the assessment alone (it is the case's own): matching the case too would make the
    # planner think almost no case has the test, and read them all to find out.
    return Exists(
        TestRecommendation.objects.filter(assessment=OuterRef("current_assessment"), test=test)
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
        if text.upper().startswith("C-"):
            return queryset.filter(pk=int(number))  # a case number, as the queue shows it
        # One index each (the id's, and the names' trigrams), joined by UNION: an OR across the
        # two tables could be answered only by reading every case.
        by_number = Intake.objects.filter(pk=int(number)).values("pk")
        by_name = Intake.objects.filter(patient__full_name__icontains=text).values("pk")
        return queryset.filter(pk__in=by_number.union(by_name))
    return queryset.filter(patient__full_name__icontains=text)


def _midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the clinic's time zone: dates filter as half-open ranges of
    times, which the index on submitted_at serves (a `__date` lookup would convert every row)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def work_queue(*, user, filters: QueueFilters) -> QuerySet[Intake]:
    """Submitted cases, filtered and sorted (the page and the CSV export both start here)."""
    cases = visible(Intake.objects, user=user, permission=CASES).exclude(status=CaseStatus.DRAFT)
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
        cases = cases.filter(submitted_at__gte=_midnight(filters.submitted_from))
    if filters.submitted_to:
        next_day = filters.submitted_to + dt.timedelta(days=1)
        cases = cases.filter(submitted_at__lt=_midnight(next_day))
    cases = _search(cases, filters.search)
    return cases.order_by(*_ordering(filters.sort))


def _ordering(sort: str) -> list[OrderBy]:
    """The sort's terms as expressions, each with its direction."""
    terms = []
    for term in QUEUE_SORTS.get(sort, QUEUE_SORTS["priority"])[1]:
        if isinstance(term, OrderBy):
            terms.append(term)
        elif isinstance(term, str):
            name = term.removeprefix("-")
            terms.append(OrderBy(F(name), descending=term.startswith("-")))
        else:
            terms.append(OrderBy(term))
    return terms


@dataclass(frozen=True)
class QueuePlace:
    """Which page of the queue: the first (nothing set), the cases after or before a given
    case in the current order, or the last. `start` is the first row's position, when known
    (it is carried from page to page, since counting the rows before would read them all)."""

    after: int | None = None
    before: int | None = None
    last: bool = False
    start: int | None = None


@dataclass(frozen=True)
class QueuePage:
    rows: list[Intake]
    start: int | None  # position of the first row (1 = the first case), when known
    has_previous: bool
    has_next: bool
    per_page: int = QUEUE_PER_PAGE

    @property
    def end(self) -> int | None:
        return None if self.start is None else self.start + len(self.rows) - 1


def _page_rows(cases: QuerySet[Intake], ordering: list[OrderBy], *, reverse: bool, limit: int):
    if reverse:
        ordering = [OrderBy(term.expression, descending=not term.descending) for term in ordering]
    rows = list(cases.order_by(*ordering)[:limit])
    return rows[::-1] if reverse else rows


def queue_page(*, user, filters: QueueFilters, place: QueuePlace) -> QueuePage:
    """One page of the work queue, in two queries whatever the number of cases: the page's
    rows (QUEUE_PER_PAGE, one more to know whether another page follows) and their current
    assessment's raised tests. Each row carries `red_flag_reasons`, `assignee_name` and
    `queue_tests`."""
    per_page = QUEUE_PER_PAGE
    base = work_queue(user=user, filters=filters)
    ordering = _ordering(filters.sort)
    # The red flags' rule ids come from the stored result, so that the row can say which fired.
    reasons = KeyTransform("reasons", KeyTransform("urgent", "current_assessment__result"))
    # The assignee's name is all a row shows of them: no user instance a row.
    assignee = F(f"assigned_to__{get_user_model().USERNAME_FIELD}")
    cases = (
        base.select_related("patient")
        .only(*QUEUE_ROW_FIELDS)
        .annotate(red_flag_reasons=reasons, assignee_name=assignee)
    )
    boundary_id = place.after if place.after is not None else place.before
    if boundary_id is not None:
        keys = [term.expression for term in ordering]
        beyond = ">" if (place.after is not None) != ordering[0].descending else "<"
        # The boundary case's own keys, looked up in the same statement (it may have moved on,
        # e.g. been closed, since the page that linked here: it still marks the place).
        boundary_row = Intake.objects.filter(pk=boundary_id).annotate(
            **{f"key_{n}": key for n, key in enumerate(keys)}
        )
        boundary = Subquery(boundary_row.values_list(*(f"key_{n}" for n in range(len(keys))))[:1])
        cases = cases.filter(RowBeyond(keys, boundary, beyond))
        if len(keys) > 1:
            # The same bound on the first key alone, implied by the one above: where that key
            # is the patient's (name, date of birth), only this one can use the patient's index.
            leading = Subquery(boundary_row.values_list("key_0")[:1])
            cases = cases.filter(RowBeyond(keys[:1], leading, f"{beyond}="))
    if place.after is not None:
        rows = _page_rows(cases, ordering, reverse=False, limit=per_page + 1)
        if not rows:
            # Nothing after that case (the cases that followed it were closed or left the
            # filter meanwhile, or no such case exists): the last page, with its way back.
            return queue_page(user=user, filters=filters, place=QueuePlace(last=True))
        start = place.start
        has_previous, has_next = True, len(rows) > per_page
        rows = rows[:per_page]
    elif place.before is not None or place.last:
        rows = _page_rows(cases, ordering, reverse=True, limit=per_page + 1)
        has_previous, has_next = len(rows) > per_page, place.before is not None
        rows = rows[-per_page:]
        start = place.start if has_previous else 1
        if not has_previous and len(rows) < per_page and place.before is not None:
            # Fewer cases before this one than a page (some were closed or filtered out
            # meanwhile): show the first page itself.
            return queue_page(user=user, filters=filters, place=QueuePlace())
    else:
        rows = _page_rows(cases, ordering, reverse=False, limit=per_page + 1)
        start, has_previous, has_next = 1, False, len(rows) > per_page
        rows = rows[:per_page]
    _attach_recommendations(rows)
    return QueuePage(
        rows=rows, start=start, has_previous=has_previous, has_next=has_next, per_page=per_page
    )


def _attach_recommendations(rows: list[Intake]) -> None:
    """Each row's raised tests (`queue_tests`), from its current assessment's recommendations,
    in one query (none without rows). Read as plain values, each distinct (test, value, rules)
    made into a QueueTest once: a page holds about a hundred recommendations but only a few
    distinct ones, and model instances and decoding every rules list cost more than the query."""
    current = [row.current_assessment_id for row in rows if row.current_assessment_id]
    found: dict[int, list[QueueTest]] = {}
    made: dict[tuple[str, str, str], QueueTest] = {}
    if current:
        for assessment_id, test, value, rules in (
            TestRecommendation.objects.filter(assessment_id__in=current)
            .annotate(rules_text=Cast("rules", TextField()))
            # In the order they were made: the model's own order would join the assessments
            # only to sort by them, and each row shows one assessment's.
            .order_by("pk")
            .values_list("assessment_id", "test", "value", "rules_text")
        ):
            key = (test, value, rules)
            if key not in made:
                made[key] = _queue_test(test, value, _json_or_none(rules))
            found.setdefault(assessment_id, []).append(made[key])
    for row in rows:
        row.queue_tests = found.get(row.current_assessment_id, [])


def _json_or_none(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


# The queue's short names for the tests, to keep the column narrow (the full name is read out).
# The tests' names by code: a dict lookup, where get_test_display() hashes the choices on
# every call (five times a row on every queue page).
TEST_NAMES = dict(TestKind.choices)
TEST_SHORT_NAMES = {
    TestKind.THYROID: _("Thyroid"),
    TestKind.IRON_PANEL: _("Iron"),
    TestKind.CELIAC: _("Coeliac"),
    TestKind.STOOL: _("Stool"),
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


def _queue_test(test: str, value: str, rules) -> QueueTest:
    rules = rules if isinstance(rules, list) else []
    tiers = [rule.get("tier") for rule in rules if isinstance(rule, dict)]
    return QueueTest(
        test=test,
        short_name=TEST_SHORT_NAMES.get(test, test),
        name=TEST_NAMES.get(test, test),
        protocol_only=bool(tiers) and all(tier == CLINIC_PROTOCOL_TIER for tier in tiers),
        optional=value in OPTIONAL_FLAG_VALUES,
    )


def raised_tests(intake: Intake) -> list[QueueTest]:
    """The current assessment's raised tests, as queue_page read them (no query)."""
    return getattr(intake, "queue_tests", [])


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


# The count strip's statement, as the ORM compiles it, kept per database and week (the only
# value in it): building and compiling four counts and their union cost a view more CPU than
# running the statement.
_COUNTS_SQL: dict[tuple[str, dt.datetime], tuple[str, tuple]] = {}


def queue_counts(*, user) -> dict[str, int]:
    """The strip above the queue, exact, in one statement of four counts. Each reads only the
    cases it counts, through its own index: new and awaiting tests (by status), urgent open
    ones and those closed this week (partial indexes), so the cost follows the open workload,
    not the years of closed cases behind it; with Redis, counted once a change and shared
    (queue_cache.counts)."""
    kinds = ("new", "urgent", "awaiting_tests", "closed_this_week")
    if not user.has_perm(CASES):
        return dict.fromkeys(kinds, 0)  # visible() would show them no case
    today = timezone.localdate()
    week_start = _midnight(today - dt.timedelta(days=today.weekday()))
    alias = router.db_for_read(Intake)

    def count() -> dict[str, int]:
        statement = _COUNTS_SQL.get((alias, week_start))
        if statement is None:
            statement = _counts_statement(week_start, alias)
            _COUNTS_SQL.clear()  # last week's is not needed again
            _COUNTS_SQL[alias, week_start] = statement
        sql, params = statement
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            found = dict(cursor.fetchall())
        return {kind: found.get(kind, 0) for kind in kinds}

    return queue_cache.counts(week_start=week_start, alias=alias, compute=count)


def _counts_statement(week_start: dt.datetime, alias: str) -> tuple[str, tuple]:
    submitted = Intake.objects.exclude(status=CaseStatus.DRAFT)
    parts = {
        "new": submitted.filter(status=CaseStatus.NEW),
        "urgent": submitted.filter(urgent=True).exclude(status=CaseStatus.CLOSED),
        "awaiting_tests": submitted.filter(status=CaseStatus.TESTS_ORDERED),
        "closed_this_week": submitted.filter(status=CaseStatus.CLOSED, closed_at__gte=week_start),
    }
    counts = [
        cases.order_by().annotate(kind=Value(kind)).values("kind").annotate(n=Count("*"))
        for kind, cases in parts.items()
    ]
    union = counts[0].union(*counts[1:], all=True).values_list("kind", "n")
    sql, params = union.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)

"""The work queue at 100,000 submitted cases on PostgreSQL: every statement of the queue page
(the usual order, each filter, the search, the last page, a later page, the count strip) is
served by an index, never by reading the whole intake table; so is a much-printed case's
timeline, past the views of every case. The rows are cloned in SQL from
one case made through the app's services, so they are shaped as the app writes them (the wide
answers JSON, an assessment, its recommendations), then spread over statuses, flags and dates.

One test, so the 100,000 rows are made once; the planner's choices are read with EXPLAIN
(FORMAT JSON) after ANALYZE. Speed itself is measured by the benchmark (bench/), not here."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import selectors
from intake.enums import AuditAction, CaseStatus
from intake.models import AuditEvent, Intake
from tests.factories import submitted_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="EXPLAIN's plans and the indexes they check are PostgreSQL's",
    ),
]

CASES = 100_000
NAME_SEARCH_INDEX = importlib.import_module("intake.migrations.0022_queue_indexes")
# Tables whose every row a queue statement must never read: the cases and their patients.
GUARDED = {"intake_intake", "intake_patient", "intake_testrecommendation", "intake_auditevent"}
PRINTS = 1_572  # a case printed this often (issue 10) keeps a case page as quick as any


def _columns(table: str, *, skip: set[str]) -> list[str]:
    """The table's writable columns (not the id, nor a column the database computes), so that
    the clone keeps up with columns added later."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        )
        return [name for (name,) in cursor.fetchall() if name not in skip | {"id"}]


def _clone(table: str, source_id: int, overrides: dict[str, str]) -> None:
    """INSERT ... SELECT over generate_series(1, CASES) AS n: each column copied from the row
    `source_id`, except `overrides` (SQL in terms of n and the source row s)."""
    columns = _columns(table, skip=set())
    values = [overrides.get(name, f"s.{name}") for name in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, {', '.join(columns)}) "  # noqa: S608 (our own names)
            f"SELECT {overrides['id']}, {', '.join(values)} "
            f"FROM generate_series(1, {CASES}) AS n, {table} AS s WHERE s.id = {int(source_id)}"
        )


def _seed(template: Intake) -> None:
    """CASES submitted cases like `template`, ids from 1,000,001 (a patient, an intake, an
    assessment and its recommendations each): 10% new, 10% in review, 10% awaiting tests,
    70% closed; 5% urgent (new ones), 1% crisis; submitted over five years; two in a thousand
    still waiting for contact."""
    base = 1_000_000
    assessment = template.current_assessment_id
    with connection.cursor() as cursor:
        # The names' trigram index is made again after the load, at once, which is several
        # times quicker than adding 100,000 names to it one by one (rolled back with the rest).
        cursor.execute("DROP INDEX patient_name_trgm")
    _clone(
        "intake_patient",
        template.patient_id,
        {
            "id": f"{base} + n",
            "full_name": "'Patient ' || md5(n::text)",
            "name_key": "md5('name' || n::text)",
            "date_of_birth": "DATE '1940-01-01' + (n % 25000)",
            "mrn": "''",
            "email": "''",
        },
    )
    with connection.cursor() as cursor:
        # The new patients' foreign keys checked now rather than at the end, which an index
        # cannot be made before; the cases below point at assessments made after them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(NAME_SEARCH_INDEX.TRIGRAM_INDEX)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    submitted = "TIMESTAMPTZ '2021-01-01 09:00+00' + (n * INTERVAL '26 minutes')"
    status = (
        "CASE n % 10 WHEN 0 THEN 'new' WHEN 1 THEN 'in_review' WHEN 2 THEN 'tests_ordered' "
        "ELSE 'closed' END"
    )
    _clone(
        "intake_intake",
        template.pk,
        {
            "id": f"{base} + n",
            "patient_id": f"{base} + n",
            "status": status,
            "submitted_at": submitted,
            "created_at": f"{submitted} - INTERVAL '1 day'",
            "updated_at": submitted,
            "closed_at": f"CASE WHEN n % 10 > 2 THEN {submitted} + INTERVAL '20 days' END",
            "urgent": "n % 20 = 0",
            "crisis": "n % 100 = 7",
            "emergency": "false",
            "contact_needed_at": f"CASE WHEN n % 500 = 3 THEN {submitted} END",
            "contacted_at": "NULL",
            # Its own assessment, cloned next (foreign keys are checked at commit).
            "current_assessment_id": f"{base} + n",
            "assigned_to_id": "NULL",
        },
    )
    # The queue reads an assessment's red flags only (for the page's rows): the result keeps
    # its flags and red flags, the rest of the engine's input and output is left out.
    _clone(
        "intake_assessment",
        assessment,
        {
            "id": f"{base} + n",
            "intake_id": f"{base} + n",
            "engine_answers": "'{}'::jsonb",
            "result": "jsonb_build_object('urgent', s.result->'urgent')",
        },
    )
    with connection.cursor() as cursor:
        # Each template recommendation once per case, on that case's assessment.
        columns = _columns("intake_testrecommendation", skip=set())
        values = [
            {"intake_id": "a.id", "assessment_id": "a.id"}.get(name, f"r.{name}")
            for name in columns
        ]
        cursor.execute(
            f"INSERT INTO intake_testrecommendation ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM intake_testrecommendation r, intake_assessment a "
            f"WHERE r.assessment_id = {int(assessment)} AND a.id > {base}"
        )
        for table in ("intake_patient", "intake_intake", "intake_assessment"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE intake_testrecommendation")


def _history(case: Intake) -> None:
    """Every case viewed once, and `case` printed PRINTS times and viewed twice as often."""
    columns = "at, actor_label, action, object_type, object_id, intake_id, patient_id, summary"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO intake_auditevent ({columns}) "  # noqa: S608 (our own names)
            "SELECT submitted_at + INTERVAL '1 day', 'pat.practitioner', 'view', 'intake', "
            "id::text, id, patient_id, '' FROM intake_intake WHERE id > 1000000"
        )
        cursor.execute(
            f"INSERT INTO intake_auditevent ({columns}) "  # noqa: S608
            "SELECT now() - n * INTERVAL '1 minute', 'pat.practitioner', "
            "CASE WHEN n % 3 = 0 THEN 'print' ELSE 'view' END, 'intake', id::text, id, "
            f"patient_id, '' FROM intake_intake, generate_series(1, {3 * PRINTS}) AS n "
            f"WHERE id = {int(case.pk)}"
        )
        cursor.execute("ANALYZE intake_auditevent")


def _seq_scans(plan: dict) -> set[str]:
    """The guarded tables a plan reads in full."""
    found = set()
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in GUARDED:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found |= _seq_scans(child)
    return found


def _filtered_timeline_reads(plan: dict) -> list[str]:
    """Scans of a case's audit rows that read rows only to drop them (views, the patient's
    saves): the timeline's index holds none of those, so its scan needs no filter."""
    found = []
    if (
        plan.get("Relation Name") == "intake_auditevent"
        and plan.get("Index Name") != "intake_auditevent_pkey"
        and "Filter" in plan
    ):
        found.append(f"{plan['Node Type']} {plan.get('Index Name', '')}: {plan['Filter']}")
    for child in plan.get("Plans", ()):
        found += _filtered_timeline_reads(child)
    return found


def _explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params or None)
        (plan,) = cursor.fetchone()
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _statements(reader, **place) -> list[tuple[str, tuple]]:
    """The SQL of the queue page's statements for `place`, as the view runs them."""
    filters = place.pop("filters", selectors.QueueFilters())
    with CaptureQueriesContext(connection) as captured:
        selectors.queue_page(user=reader, filters=filters, place=selectors.QueuePlace(**place))
    return [(query["sql"], ()) for query in captured.captured_queries]


def test_queue_at_100000_cases_reads_no_table_in_full(practitioner):
    template = submitted_case(name="Template Case")
    started = time.monotonic()
    _seed(template)
    seeded_in = time.monotonic() - started
    a_case = Intake.objects.filter(pk__gt=1_000_000, status=CaseStatus.IN_REVIEW).first()
    searches = ["Patient 3a", "1975-03-02", "C-1000500", "1000500"]
    variants = {
        "usual order": {},
        "later page": {"after": a_case.pk, "start": 26},
        "page before": {"before": a_case.pk},
        "last page": {"last": True},
        **{
            f"status {status}": {"filters": selectors.QueueFilters(status=status)}
            for status in ("new", "in_review", "tests_ordered", "closed")
        },
        "urgent": {"filters": selectors.QueueFilters(urgent=True)},
        "iron test": {"filters": selectors.QueueFilters(tests=("iron_panel",))},
        "RLS met": {"filters": selectors.QueueFilters(rls_met=True)},
        "unassigned": {"filters": selectors.QueueFilters(assigned="unassigned")},
        "assigned to me": {"filters": selectors.QueueFilters(assigned="me")},
        "submitted in a week": {
            "filters": selectors.QueueFilters(
                submitted_from=dt.date(2023, 5, 1), submitted_to=dt.date(2023, 5, 7)
            )
        },
        **{f"search {text}": {"filters": selectors.QueueFilters(search=text)} for text in searches},
        "case number order, last page": {
            "filters": selectors.QueueFilters(sort="-case"),
            "last": True,
        },
        **{
            f"{sort} order, {where}": {"filters": selectors.QueueFilters(sort=sort), **place}
            for sort in ("submitted", "-submitted", "patient", "-patient", "age", "-age")
            for where, place in (
                ("first page", {}),
                ("later page", {"after": a_case.pk}),
                ("last page", {"last": True}),
            )
        },
    }
    statements = {name: _statements(practitioner, **place) for name, place in variants.items()}
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.queue_counts(user=practitioner)
    statements["count strip"] = [(q["sql"], ()) for q in captured.captured_queries]
    _history(a_case)
    prints = AuditEvent.objects.filter(intake=a_case, action=AuditAction.PRINT).order_by("at")
    middle = prints[PRINTS // 2]
    for name, before in (("latest", None), ("older", middle.pk)):
        with CaptureQueriesContext(connection) as captured:
            selectors.case_timeline(intake=a_case, before=before)
        statements[f"timeline, {name}"] = [(q["sql"], ()) for q in captured.captured_queries]

    full_reads = {
        f"{name} #{number}": sorted(tables)
        for name, found in statements.items()
        for number, (sql, params) in enumerate(found, start=1)
        if (tables := _seq_scans(_explain(sql, params)))
    }

    assert Intake.objects.exclude(status=CaseStatus.DRAFT).count() == CASES + 1
    assert counts == {  # the template case is new too
        "new": CASES // 10 + 1,
        "urgent": CASES // 20,
        "awaiting_tests": CASES // 10,
        "closed_this_week": 0,
    }
    timeline_filters = [
        found
        for name in ("timeline, latest", "timeline, older")
        for sql, params in statements[name]
        for found in _filtered_timeline_reads(_explain(sql, params))
    ]

    assert prints.count() == PRINTS
    assert full_reads == {}
    assert timeline_filters == []
    # About 20 s on a two-core machine shared with other work; a minute means something slowed.
    assert seeded_in < 60, f"seeding {CASES} cases took {seeded_in:.1f} s"

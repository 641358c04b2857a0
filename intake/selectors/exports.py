"""The queue as flat rows for the CSV export, streamed in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils import timezone

from intake import questionnaire
from intake.dates import age_on
from intake.enums import Decision, TestKind
from intake.models import LabResultEntry, TestRecommendation
from intake.selectors.queue import QueueFilters, work_queue

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
            "language",
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
            # The language the patient answered in; blank on the intake is the default.
            "language": row["language"] or settings.LANGUAGE_CODE,
        }

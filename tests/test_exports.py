"""The CSV export and its codebook agree; cells cannot run as formulas."""

import copy
import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import questionnaire, selectors, services
from intake.enums import Decision
from intake.exports import QUEUE_COLUMNS, queue_csv_lines, safe_cell
from intake.models import TestRecommendation
from tests.answer_sets import REVISION_3
from tests.factories import (
    case_stored_under_2026_2,
    case_under_revision_3,
    case_with_stored_result,
    login_verified,
    submitted_case,
)

CODEBOOK = Path(__file__).resolve().parents[1] / "docs" / "csv-codebook.md"


def test_codebook_lists_exactly_the_export_columns_in_order():
    rows = [line for line in CODEBOOK.read_text().splitlines() if line.startswith("| `")]
    documented = [row.split("`")[1] for row in rows]

    assert documented == list(QUEUE_COLUMNS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ann", "Ann"),
        (42, 42),
        ("", ""),
    ],
)
def test_safe_cell_neutralises_formula_starts(value, expected):
    assert safe_cell(value) == expected


def test_queue_csv_lines_quotes_commas_and_newlines():
    lines = list(queue_csv_lines([{"case_number": "C-000001", "patient_name": 'Ann, "A"\nB'}]))

    assert lines[0].startswith("\ufeffcase_number,")
    assert lines[1].startswith('C-000001,,,,,,,,"Ann, ""A""\nB"')


def _export(practitioner) -> list[dict[str, str]]:
    client = Client()
    login_verified(client, practitioner)
    response = client.get("/staff/export.csv", {"sort": "case"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_export_emergency_and_unsure_red_flags_from_the_current_assessment(
    practitioner, monkeypatch
):
    calm = copy.deepcopy(REVISION_3)
    calm["urgent"] = {"value": False, "reasons": [], "crisis": False, "emergency": False}
    calm["data_quality"]["unsure_red_flags"] = []
    two_unsure = copy.deepcopy(REVISION_3)
    two_unsure["data_quality"]["unsure_red_flags"] = ["fever_with_gi", "=cmd|' /C calc'!A0"]
    case_under_revision_3(monkeypatch, name="Emergency Case")
    case_under_revision_3(monkeypatch, calm, name="Calm Case")
    case_under_revision_3(monkeypatch, two_unsure, name="Unsure Case")
    # Stored under rules 2026.2: no emergency class, no unsure list.
    case_stored_under_2026_2(monkeypatch, name="Old Case")

    rows = _export(practitioner)

    assert [
        (
            row["patient_name"],
            row["urgent"],
            row["crisis"],
            row["emergency"],
            row["unsure_red_flags"],
        )
        for row in rows
    ] == [
        ("Emergency Case", "yes", "no", "yes", "fever_with_gi"),
        ("Calm Case", "no", "no", "no", ""),
        ("Unsure Case", "yes", "no", "yes", "fever_with_gi =cmd|' /C calc'!A0"),
        ("Old Case", "yes", "yes", "no", ""),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("urgent", "unsure", "emergency", "listed"),
    [
        ({"emergency": "yes"}, "fever_with_gi", "no", ""),
        ({"emergency": 1}, ["fever_with_gi", 3], "no", "fever_with_gi 3"),
        ({}, None, "no", ""),
        ({"emergency": True}, ["=1+1"], "yes", "'=1+1"),
    ],
)
def test_export_odd_stored_values_are_read_safely(
    practitioner, monkeypatch, urgent, unsure, emergency, listed
):
    result = copy.deepcopy(REVISION_3)
    result["urgent"] = {"value": True, "reasons": [], "crisis": False, **urgent}
    result["data_quality"]["unsure_red_flags"] = unsure
    case_with_stored_result(monkeypatch, result, version="2026.3")

    [row] = _export(practitioner)

    assert (row["emergency"], row["unsure_red_flags"]) == (emergency, listed)


def _codebook_rows() -> dict[str, str]:
    rows = [line for line in CODEBOOK.read_text().splitlines() if line.startswith("| `")]
    return {row.split("`")[1]: row for row in rows}


def test_codebook_names_each_lab_result_as_the_case_page_does():
    rows = _codebook_rows()

    assert {
        code: rows[f"result_{code}"].split(" | ")[2].split(":")[0]
        for code, _name, _units in questionnaire.LAB_TESTS
    } == {code: questionnaire.lab_name(code) for code, _name, _units in questionnaire.LAB_TESTS}


def _decide(case, test: str, decision: str, by, reason: str = ""):
    rec = TestRecommendation.objects.get(assessment=case.current_assessment, test=test)
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=rec.pk,
        decision=decision,
        reason=reason,
        by=by,
    )
    case.refresh_from_db()
    return case


def _results(case, by, *rows):
    keys = ("test", "value", "unit", "taken_on")
    services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[dict(zip(keys, row, strict=True)) for row in rows],
        by=by,
    )
    case.refresh_from_db()
    return case


def _columns(row: dict[str, str], *names: str) -> dict[str, str]:
    return {name: row[name] for name in names}


TESTS_COLUMNS = [
    f"{kind}_{test}"
    for test in ("thyroid", "iron_panel", "celiac", "stool", "sibo_breath")
    for kind in ("flag", "decision", "decided_on")
]
LAB_COLUMNS = [
    name
    for code, _name, _units in questionnaire.LAB_TESTS
    for name in (f"result_{code}", f"result_{code}_unit", f"result_{code}_taken_on")
]


@pytest.mark.django_db
def test_export_reports_each_tests_suggestion_decision_and_the_latest_results(
    practitioner, other_practitioner
):
    case = submitted_case(name="Decided Case")
    case = _decide(case, "iron_panel", Decision.ORDERED, practitioner)
    case = _decide(case, "thyroid", Decision.DECLINED, other_practitioner, "Done at the GP")
    case = _results(
        case,
        practitioner,
        ("ferritin", 120, "ng/mL", "2026-10-01"),
        ("ferritin", 38, "ng/mL", "2026-11-20"),
        ("tsat", 25, "%", "2026-11-20"),
    )
    # The same day again: the one entered last counts.
    case = _results(case, practitioner, ("tsat", 19, "%", "2026-11-20"))
    untouched = submitted_case(name="Untouched Case", loose_stools_4wk="no")
    today = timezone.localdate().isoformat()

    rows = {row["patient_name"]: row for row in _export(practitioner)}

    assert _columns(rows["Decided Case"], *TESTS_COLUMNS) == {
        "flag_thyroid": "order",
        "decision_thyroid": "declined",  # carried over both re-evaluations
        "decided_on_thyroid": today,
        "flag_iron_panel": "on_file",  # the results took it off the suggestions ...
        "decision_iron_panel": "ordered",  # ... and the order stays on record
        "decided_on_iron_panel": today,
        "flag_celiac": "order",
        "decision_celiac": "pending",
        "decided_on_celiac": "",
        "flag_stool": "order",
        "decision_stool": "pending",
        "decided_on_stool": "",
        "flag_sibo_breath": "consider",
        "decision_sibo_breath": "pending",
        "decided_on_sibo_breath": "",
    }
    assert _columns(rows["Decided Case"], *LAB_COLUMNS) == {
        **dict.fromkeys(LAB_COLUMNS, ""),
        "result_ferritin": "38",
        "result_ferritin_unit": "ng/mL",
        "result_ferritin_taken_on": "2026-11-20",
        "result_tsat": "19",
        "result_tsat_unit": "%",
        "result_tsat_taken_on": "2026-11-20",
    }
    assert _columns(rows["Untouched Case"], "flag_stool", "decision_stool", "decision_thyroid") == {
        "flag_stool": "no",
        "decision_stool": "",  # never suggested
        "decision_thyroid": "pending",
    }
    assert untouched.status == "new" and case.status == "tests_ordered"


@pytest.mark.django_db
def test_export_qualitative_results_and_hostile_units_are_plain_cells(practitioner):
    case = submitted_case(name="Qualitative Case")
    _results(
        case, practitioner, ("ttg_iga", "pos", "", "2026-11-02"), ("tsh", 2.5, "=1+1", "2026-11-02")
    )

    [row] = _export(practitioner)

    assert _columns(
        row, "result_ttg_iga", "result_ttg_iga_unit", "result_tsh", "result_tsh_unit"
    ) == {
        "result_ttg_iga": "pos",
        "result_ttg_iga_unit": "",
        "result_tsh": "2.5",
        "result_tsh_unit": "'=1+1",
    }


@pytest.mark.django_db
def test_export_reads_decisions_and_results_in_two_queries_per_chunk(
    nothing_kept, practitioner, monkeypatch
):
    monkeypatch.setattr("intake.selectors.exports.EXPORT_CHUNK", 2)
    first = submitted_case(name="Case 0")
    _results(first, practitioner, ("tsh", 2.5, "mIU/L", "2026-11-02"))
    reader = get_user_model().objects.get(pk=practitioner.pk)  # permissions not cached yet
    filters = selectors.QueueFilters(sort="case")

    def count() -> tuple[int, int]:
        reader_now = get_user_model().objects.get(pk=reader.pk)
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.export_rows(user=reader_now, filters=filters))
        return len(rows), len(queries.captured_queries)

    one = count()
    for number in range(1, 5):
        submitted_case(name=f"Case {number}")
    five = count()

    # The cases' query, then two per chunk: 1 chunk for one case, 3 chunks of 2 for five.
    assert (one[0], five[0]) == (1, 5)
    assert five[1] - one[1] == 2 * (3 - 1)

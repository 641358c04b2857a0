"""The CSV export and its codebook agree; cells cannot run as formulas."""

import copy
import csv
import io
from pathlib import Path

import pytest
from django.test import Client

from intake.exports import QUEUE_COLUMNS, queue_csv_lines, safe_cell
from tests.conftest import login_verified
from tests.stored_results import (
    REVISION_3,
    case_stored_under_2026_2,
    case_under_revision_3,
    case_with_stored_result,
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

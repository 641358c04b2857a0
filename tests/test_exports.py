"""The CSV export and its codebook agree; cells cannot run as formulas."""

from pathlib import Path

import pytest

from intake.exports import QUEUE_COLUMNS, queue_csv_lines, safe_cell

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
    assert lines[1].startswith('C-000001,,,,,,"Ann, ""A""\nB"')

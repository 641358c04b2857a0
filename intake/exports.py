"""CSV and PDF output. The CSV streams row by row so memory stays flat however long the queue;
its columns are described in docs/csv-codebook.md."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from intake.enums import TestKind
from intake.questionnaire import LAB_TESTS

LAB_CODES = tuple(code for code, _name, _units in LAB_TESTS)

QUEUE_COLUMNS = (
    "case_number",
    "submitted_at",
    "status",
    "urgent",
    "crisis",
    "emergency",
    "unsure_red_flags",
    "patient_id",
    "patient_name",
    "date_of_birth",
    "age_at_submission",
    "rls_status",
    "ibs_status",
    # Per test: what the rules suggest, what the practitioner decided, and when.
    *(
        column
        for test in TestKind.values
        for column in (f"flag_{test}", f"decision_{test}", f"decided_on_{test}")
    ),
    # Per lab test: the latest result entered on the case, its unit and the day it was taken.
    *(
        column
        for lab in LAB_CODES
        for column in (f"result_{lab}", f"result_{lab}_unit", f"result_{lab}_taken_on")
    ),
    "assigned_to",
    "ruleset_version",
    # New columns go last, so that a reader counting columns keeps working.
    "language",
)
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote."""

    def write(self, text: str) -> str:
        return text


def queue_csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(QUEUE_COLUMNS)  # BOM: spreadsheets then read UTF-8
    for row in rows:
        yield writer.writerow([safe_cell(row.get(column, "")) for column in QUEUE_COLUMNS])


def html_to_pdf(html: str) -> bytes:
    """A PDF of a self-contained HTML page (no external resources are fetched)."""
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, link_callback=lambda uri, rel: "")
    if result.err:
        raise RuntimeError(f"PDF rendering failed with {result.err} error(s)")
    return out.getvalue()

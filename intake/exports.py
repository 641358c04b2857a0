"""CSV and PDF output. The CSV streams row by row so memory stays flat however long the queue;
its columns are described in docs/csv-codebook.md."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from intake.enums import TestKind

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
    *(f"flag_{test}" for test in TestKind.values),
    "assigned_to",
    "ruleset_version",
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

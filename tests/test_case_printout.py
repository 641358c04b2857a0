"""The print view and the PDF carry what a colleague or the patient's doctor needs: red flags
and test flags with the answers behind them, every test's suggestion and decision (who, when,
why), the results entered with units and dates, the notes, and an appendix with every answer.
The PDF is turned into text (pdftotext) to check what it says and into page images
(pdftoppm, test-artifacts/pdf/) for people to look at; poppler-utils comes with
scripts/ensure-chromium.sh."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from intake import selectors, services
from intake.enums import Decision
from intake.models import TestRecommendation
from tests.factories import login_verified, submitted_case

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "pdf"
TAKEN = dt.date(2026, 11, 20)


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: run scripts/ensure-chromium.sh (poppler-utils)")
    return path


def pdf_pages_text(pdf: bytes, folder: Path) -> list[str]:
    """Each page's text, and each page as a PNG in `folder` for people to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("page-*.png"):
        old.unlink()
    source = folder / "case.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [_poppler("pdftoppm"), "-r", "80", "-png", str(source), str(folder / "page")], check=True
    )
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(source), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def busy_case(practitioner, other_practitioner):
    """A case with red flags, decisions by two people, results entered and notes."""
    case = submitted_case(name="Rosa Printer", rectal_bleeding="yes")
    case = services.assign_case(
        intake_id=case.pk, version=case.version, assignee=practitioner, by=practitioner
    )
    recs = {
        rec.test: rec
        for rec in TestRecommendation.objects.filter(assessment=case.current_assessment)
    }
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=recs["iron_panel"].pk,
        decision=Decision.ORDERED,
        by=practitioner,
    )
    case.refresh_from_db()
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=recs["thyroid"].pk,
        decision=Decision.DECLINED,
        reason="TSH normal at the GP in October",
        by=other_practitioner,
    )
    case.refresh_from_db()
    services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[
            {"test": "ferritin", "value": 38, "unit": "ng/mL", "taken_on": TAKEN.isoformat()},
            {"test": "tsat", "value": 19, "unit": "%", "taken_on": TAKEN.isoformat()},
        ],
        by=practitioner,
    )
    services.add_note(
        intake_id=case.pk, text="Phoned the patient: bleeding stopped last week.", by=practitioner
    )
    services.add_note(
        intake_id=case.pk, text="GP letter sent <b>with</b> the results.", by=other_practitioner
    )
    case.refresh_from_db()
    return case


class _Tables(HTMLParser):
    """The rows of every <table>, each row as its cells' text (whitespace collapsed), under
    each of the table's classes (the first table with a class)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = []
            for name in (dict(attrs).get("class") or "").split():
                self.tables.setdefault(name, self._table)
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif self._cell is not None:
            self._cell.append(" ")  # a block inside a cell reads as a new word

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def text_lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def _cells(line: str) -> list[str]:
    """A table row of `pdftotext -layout` output: cells are two or more spaces apart."""
    return re.split(r"\s{2,}", line.strip())


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


def detail_sections(case):
    """The case's answers by step, as the case page and the appendix list them."""
    return selectors.case_detail(intake=case, facts=services.facts_for(case)).sections


def _today() -> str:
    return timezone.localdate().isoformat()


def test_print_view_summary_has_every_test_with_its_decision_and_the_results(
    staff, practitioner, other_practitioner
):
    case = busy_case(practitioner, other_practitioner)
    decided = {
        rec.test: timezone.localtime(rec.decided_at).strftime("%Y-%m-%d %H:%M")
        for rec in TestRecommendation.objects.filter(intake=case).exclude(decision="pending")
    }

    response = staff.get(f"/staff/cases/{case.pk}/print/")

    found = tables(response.content.decode())
    assert found["tests-summary"] == [
        ["Test", "Suggestion", "Rules", "Decision"],
        [
            "Thyroid (TSH, reflex free T4)",
            "Suggested",
            "THY-1, THY-3",
            f"Declined by other.practitioner, {decided['thyroid']}: TSH normal at the GP in "
            "October",
        ],
        [
            "Iron panel with ferritin",
            "Recent result on file Ferritin 75 or below, or TSAT below 20%: candidate for iron "
            "therapy, oral (ferrous sulfate, about 65 mg elemental iron) or IV (AASM 2024; IRLSSG "
            "2018). Ferric carboxymaltose 1000 mg is effective in moderate to severe RLS with "
            "ferritin below 300 (IRLSSG 2018).",
            "IRON-1, IRON-2",
            f"Ordered by pat.practitioner, {decided['iron_panel']} (before the latest results)",
        ],
        ["Coeliac serology", "Suggested", "CEL-1, CEL-3, CEL-4", "Not decided yet"],
        ["Stool testing", "Suggested", "STOOL-1, STOOL-5", "Not decided yet"],
        ["SIBO breath test", "Optional: consider", "SIBO-4 clinic protocol", "Not decided yet"],
    ]
    assert found["results-table"] == [
        ["Test", "Result", "Taken", "Entered"],
        ["Transferrin saturation (TSAT)", "19 %", "2026-11-20", f"pat.practitioner, {_today()}"],
        ["Ferritin", "38 ng/mL", "2026-11-20", f"pat.practitioner, {_today()}"],
    ]
    assert found["glance"] == [
        ["Restless legs (IRLSSG 2012)", "Criteria met"],
        ["Gut (Rome IV)", "Criteria not met; alarm features present"],
        ["Mood (PHQ-9)", "3 / 27 (none)"],
        ["Notes", "2 notes, after the details"],
    ]


def test_print_view_has_notes_and_an_appendix_with_every_answer(
    staff, practitioner, other_practitioner
):
    case = busy_case(practitioner, other_practitioner)
    detail = selectors.case_detail(intake=case, facts=services.facts_for(case))

    response = staff.get(f"/staff/cases/{case.pk}/print/")

    html = response.content.decode()
    appendix = html[html.index('id="h-answers"') :]
    steps = re.findall(r'<h3 class="h6 mt-3 answers-step">([^<]*)</h3>', appendix)
    answers = [
        row
        for table in re.findall(r'<table class="[^"]*answer-table">.*?</table>', appendix, re.S)
        for row in tables(table)["answer-table"]
    ]
    notes = re.findall(r'<p class="mb-0 note-text">(.*?)</p>', html)
    assert steps == [section.step.title for section in detail.sections]
    assert answers == [[line.label, line.answer] for s in detail.sections for line in s.lines]
    assert len(answers) > 60
    assert notes == [
        "Phoned the patient: bleeding stopped last week.",
        "GP letter sent &lt;b&gt;with&lt;/b&gt; the results.",
    ]
    # Summary, details, then the appendix from a page of its own.
    assert re.findall(r'class="print-part(?: [^"]*)?"', html) == [
        'class="print-part print-first"',
        'class="print-part print-break"',
        'class="print-part print-break print-appendix"',
    ]


def test_pdf_summary_page_then_details_then_the_answers_appendix(
    staff, practitioner, other_practitioner
):
    case = busy_case(practitioner, other_practitioner)
    header = f"{case.case_number} · Rosa Printer · born 1980-04-23"

    response = staff.get(f"/staff/cases/{case.pk}/summary.pdf")
    pages = [text_lines(page) for page in pdf_pages_text(response.content, ARTIFACTS / "busy-case")]

    total = len(pages)
    headings = {"Red flags", "At a glance", "Tests and decisions", "Results entered"}
    results_at = pages[0].index("Results entered")
    appendix = next(n for n, page in enumerate(pages) if page[0] == "Appendix: all answers")
    assert response["Content-Type"] == "application/pdf"
    assert [page[-1] for page in pages] == [
        f"{header} · page {n} of {total}" for n in range(1, total + 1)
    ]
    assert pages[0][0] == header
    assert [line for line in pages[0] if line in headings] == [
        "Red flags",
        "At a glance",
        "Tests and decisions",
        "Results entered",
    ]
    assert [_cells(line) for line in pages[0][results_at + 1 : results_at + 4]] == [
        ["Test", "Result", "Taken", "Entered"],
        ["Transferrin saturation (TSAT)", "19 %", "2026-11-20", f"pat.practitioner, {_today()}"],
        ["Ferritin", "38 ng/mL", "2026-11-20", f"pat.practitioner, {_today()}"],
    ]
    assert pages[1][0] == "Details"
    details = [line for page in pages[1:appendix] for line in page]
    assert details[details.index("Notes") + 1 : details.index("Notes") + 5] == [
        "Phoned the patient: bleeding stopped last week.",
        f"pat.practitioner, {timezone.localtime(case.notes.first().created_at):%Y-%m-%d %H:%M}",
        "GP letter sent <b>with</b> the results.",
        f"other.practitioner, {timezone.localtime(case.notes.last().created_at):%Y-%m-%d %H:%M}",
    ]
    assert 1 < appendix < total
    about_you = detail_sections(case)[0]
    assert [_cells(line) for line in pages[appendix][1:4]] == [
        [about_you.step.title],
        *([line.label, line.answer] for line in about_you.lines[:2]),
    ]
    assert sorted(path.name for path in (ARTIFACTS / "busy-case").glob("page-*.png")) == [
        f"page-{n}.png" for n in range(1, total + 1)
    ]


def test_pdf_of_a_case_without_results_decisions_or_notes_says_so(staff):
    case = submitted_case(name="Quiet Case")

    response = staff.get(f"/staff/cases/{case.pk}/summary.pdf")
    pages = [
        text_lines(page) for page in pdf_pages_text(response.content, ARTIFACTS / "quiet-case")
    ]

    first = pages[0]
    assert first[first.index("Results entered") + 1] == "No results entered on this case."
    assert [_cells(line) for line in first if line.startswith("Notes")] == [["Notes", "None"]]
    assert "Not decided yet" in " ".join(first)
    details = [line for page in pages[1:] for line in page]
    assert details[details.index("Notes") + 1] == "No notes yet."

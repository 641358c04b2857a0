"""The work queue on a phone (360 px): each case a block of its own with every cell's column
name before its value, nothing to swipe sideways, the sort links within a thumb's reach; and at
1280 px the same table with its sortable column headings as before."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_accessibility,
    horizontal_overflow,
    screenshot,
)
from tests.e2e.test_practitioner import queue_overflow, sign_in
from tests.factories import submitted_case

pytestmark = pytest.mark.django_db(transaction=True)

# Each shown cell's label, as drawn before its value (the computed `content` of ::before).
SHOWN_LABELS = """() => [...document.querySelectorAll('table.queue-table tbody tr')].map(
  row => [...row.cells].filter(cell => getComputedStyle(cell).display !== 'none')
    .map(cell => getComputedStyle(cell, '::before').content))"""
# The smallest height of the links in the table (headings' sort links and the rows' links).
SMALLEST_LINK = """() => Math.min(...[...document.querySelectorAll('table.queue-table a')]
  .filter(link => link.getClientRects().length)
  .map(link => link.getBoundingClientRect().height))"""


@pytest.fixture
def cases(practitioner):
    """The widest rows the queue has: a long name with a crisis, contact today and an
    assignee; an emergency with several red flags; a calm case; a name of one long word."""
    from intake import services

    busy = submitted_case(
        name="Maximiliana Featherstonehaugh-Oyelaran", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2]
    )
    services.assign_case(
        intake_id=busy.pk, version=busy.version, assignee=practitioner, by=practitioner
    )
    submitted_case(
        name="Urgent Patient", rectal_bleeding="yes", vomiting_blood="yes", fever_with_gi="yes"
    )
    submitted_case(name="Calm Patient", loose_stools_4wk="no")
    submitted_case(name="Wolfeschlegelsteinhausenbergerdorff")


def test_queue_on_a_phone_stacks_each_case_with_its_column_names(
    browser, live_server, practitioner, cases
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()

    sign_in(page, live_server.url, practitioner)
    screenshot(page, "queue-phone", "queue-360")
    page_overflow = horizontal_overflow(page)
    table_overflow = queue_overflow(page)
    labels = page.evaluate(SHOWN_LABELS)
    smallest_link = page.evaluate(SMALLEST_LINK)
    problems = check_accessibility(page)
    sort_by_patient = page.get_by_role("link", name="Patient (sort: patient name, A to Z)")
    sort_link_shown = sort_by_patient.is_visible()
    sort_by_patient.click()
    page.wait_for_load_state()
    screenshot(page, "queue-phone", "queue-360-by-patient")
    by_name = page.locator("table.queue-table tbody tr td:nth-child(3) a").all_inner_texts()
    context.close()

    assert page_overflow <= 0
    assert table_overflow <= 0
    row = ['"Case"', '"Patient"', '"Status · Assignee"', '"RLS and IBS"']
    row += ['"Tests flagged"', '"Submitted"']
    assert labels == [row] * 4
    assert smallest_link >= 44
    assert problems == []
    assert sort_link_shown is True
    assert by_name == [
        "Calm Patient",
        "Maximiliana Featherstonehaugh-Oyelaran",
        "Urgent Patient",
        "Wolfeschlegelsteinhausenbergerdorff",
    ]


def test_queue_on_a_desktop_keeps_its_table_and_headings(browser, live_server, practitioner, cases):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()

    sign_in(page, live_server.url, practitioner)
    screenshot(page, "queue-phone", "queue-1280")
    header_shown = page.locator("table.queue-table thead").is_visible()
    # Each heading's words, without its sort link's hint to screen readers (a line of its own).
    headings = [
        text.splitlines()[0]
        for text in page.locator("table.queue-table thead th:visible").all_inner_texts()
    ]
    header_display = page.evaluate(
        "() => getComputedStyle(document.querySelector('table.queue-table thead')).display"
    )
    labels = page.evaluate(SHOWN_LABELS)
    context.close()

    assert header_shown is True
    assert header_display == "table-header-group"
    assert headings == [
        "Case",
        "Urgent",
        "Patient",
        "Status",
        "Assignee",
        "RLS",
        "IBS",
        "Tests flagged",
        "Age",
        "Submitted",
    ]
    assert labels == [["none"] * 10] * 4

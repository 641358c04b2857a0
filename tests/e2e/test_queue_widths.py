"""The work queue between a tablet and a desktop (768, 992 and 1280 px): a patient's name of one
long word (or two long words joined by a hyphen) wraps inside its cell, so that the table never
scrolls sideways in its box and the Submitted column stays on screen; and on a tablet, where the
Age sort link shares the Patient heading, only the link the queue is sorted by looks active."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import horizontal_overflow, screenshot
from tests.e2e.test_practitioner import TABLET, sign_in
from tests.factories import submitted_case

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAMES = {
    "one-word": "Wolfeschlegelsteinhausenbergerdorff",
    "hyphenated": "Wolfeschlegelsteinhausenbergerdorff-Featherstonehaughington",
}
# How the table sits in its box: how far it is wider than the box (it would scroll sideways),
# and the right edge of the Submitted heading against the window's.
TABLE_FIT = """() => {
  const box = document.querySelector('.table-responsive');
  const table = box.querySelector('table.queue-table');
  const submitted = table.querySelector('thead th:last-child').getBoundingClientRect();
  return {
    box_overflow: box.scrollWidth - box.clientWidth,
    table_overflow: table.scrollWidth - table.clientWidth,
    table_right: table.getBoundingClientRect().right,
    box_right: box.getBoundingClientRect().right,
    submitted_left: submitted.left,
    submitted_right: submitted.right,
    window_width: window.innerWidth,
  };
}"""
# What makes a sort link look active, for each of the heading row's shown sort links.
SORT_LINK_LOOKS = """() => Object.fromEntries(
  [...document.querySelectorAll('table.queue-table thead .sort-link')]
    .filter(link => link.getClientRects().length)
    .map(link => {
      const style = getComputedStyle(link);
      return [link.firstChild.textContent.trim(), [
        style.color, style.borderTopColor, style.borderTopWidth, style.boxShadow,
        style.fontWeight]];
    }))"""


def busy_queue(practitioner, long_name: str) -> None:
    """The rows of the practitioner's browser test (tests/e2e/test_practitioner.py): a long
    name with a crisis, contact today and an assignee, an urgent case, a calm one; and a patient
    whose name is `long_name`."""
    from intake import services

    submitted_case(name="Calm Patient")
    busy = submitted_case(
        name="Maximiliana Featherstonehaugh-Oyelaran", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2]
    )
    services.assign_case(
        intake_id=busy.pk, version=busy.version, assignee=practitioner, by=practitioner
    )
    submitted_case(name="Urgent Patient", rectal_bleeding="yes")
    submitted_case(name=long_name)


@pytest.mark.parametrize("width", [768, 992, 1280])
@pytest.mark.parametrize("name", list(LONG_NAMES), ids=list(LONG_NAMES))
def test_a_long_name_wraps_and_the_table_fits(browser, live_server, practitioner, width, name):
    busy_queue(practitioner, LONG_NAMES[name])
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    sign_in(page, live_server.url, practitioner)
    screenshot(page, "queue-widths", f"queue-{width}-{name}")
    fit = page.evaluate(TABLE_FIT)
    page_overflow = horizontal_overflow(page)
    # The long name's link: its whole name still there, on more than one line.
    link = page.locator("table.queue-table tbody a", has_text=LONG_NAMES[name][:20])
    shown_name = link.inner_text()
    lines = page.evaluate(
        "link => Math.round(link.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(link).lineHeight))",
        link.element_handle(),
    )
    context.close()

    assert fit["box_overflow"] <= 0, fit
    assert fit["table_overflow"] <= 0, fit
    assert fit["table_right"] <= fit["box_right"] + 0.5, fit
    assert 0 <= fit["submitted_left"] < fit["submitted_right"] <= fit["window_width"], fit
    assert page_overflow <= 0
    assert shown_name.replace("\n", "") == LONG_NAMES[name]
    assert lines >= 2


@pytest.mark.parametrize(
    ("sort", "active", "other"),
    [("patient", "Patient", "Age"), ("age", "Age", "Patient")],
    ids=["by-patient", "by-age"],
)
def test_on_a_tablet_only_the_sort_in_use_looks_active(
    browser, live_server, practitioner, sort, active, other
):
    busy_queue(practitioner, LONG_NAMES["one-word"])
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()

    sign_in(page, live_server.url, practitioner)
    page.goto(f"{live_server.url}/staff/?sort={sort}")
    screenshot(page, "queue-widths", f"queue-800-by-{sort}")
    looks = page.evaluate(SORT_LINK_LOOKS)
    context.close()

    # At 800 px the Age link is the one under Patient (the Age column is a desktop's only).
    assert sorted(looks) == ["Age", "Case", "Patient", "Submitted"]
    assert looks[active][0] == "rgb(10, 79, 181)"  # the queue's link colour
    # The other links look alike, the one sharing the heading with the active one included.
    assert looks[other] == looks["Case"] == looks["Submitted"]
    assert looks[other] != looks[active]

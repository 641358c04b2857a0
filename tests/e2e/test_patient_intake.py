"""A patient's whole intake in a real browser, at phone and desktop sizes."""

from __future__ import annotations

import pytest

from intake.enums import CaseStatus
from intake.models import Intake
from tests.conftest import PATIENT_DOB, open_invitation
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_accessibility,
    horizontal_overflow,
    screenshot,
)
from tests.intake_answers import STEP_DATA, step_slug

pytestmark = pytest.mark.django_db(transaction=True)


def fill_step(page, data: dict) -> None:
    """Answer the visible questions the way a person would: click, choose, type."""
    for key, value in data.items():
        if key.startswith("labs-"):
            continue
        if isinstance(value, list):
            for item in value:
                page.check(f"input[name='{key}'][value='{item}']")
            continue
        field = page.locator(f"[name='{key}']").first
        if field.count() == 0 or not field.is_visible():
            continue
        kind = field.evaluate("el => el.type || el.tagName.toLowerCase()")
        if kind == "radio":
            page.check(f"input[name='{key}'][value='{value}']")
        elif kind in ("select-one", "select"):
            page.select_option(f"select[name='{key}']", str(value))
        elif kind == "checkbox":
            page.check(f"input[name='{key}']")
        else:
            page.fill(f"[name='{key}']", str(value))


def answer_until(page, base_url: str, folder: str, *, stop_at: str | None = None, overrides=None):
    overrides = overrides or {}
    problems = []
    while (slug := step_slug(page.url.removeprefix(base_url))) is not None and slug != stop_at:
        screenshot(page, folder, f"step-{slug}")
        problems += [f"{slug}: {line}" for line in check_accessibility(page)]
        if horizontal_overflow(page) > 0:
            problems.append(f"{slug}: scrolls sideways by {horizontal_overflow(page)} px")
        fill_step(page, {**STEP_DATA[slug], **overrides.get(slug, {})})
        page.get_by_role("button", name="Save and continue").or_(
            page.get_by_role("button", name="Sign and review my answers")
        ).click()
        page.wait_for_load_state()
    return problems


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_intake_leave_resume_on_new_device_and_submit(browser, live_server, size):
    _invitation, token = open_invitation()
    folder = f"patient-{size['width']}"
    first = browser.new_context(viewport=size)
    page = first.new_page()
    page.goto(f"{live_server.url}/i/{token}/")

    problems = answer_until(page, live_server.url, folder, stop_at="stool-form")
    first.close()

    second = browser.new_context(viewport=size)  # another device: no session
    page = second.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    screenshot(page, folder, "verify")
    problems += [f"verify: {line}" for line in check_accessibility(page)]
    page.get_by_label("Your date of birth").fill(PATIENT_DOB.isoformat())
    page.get_by_role("button", name="Continue").click()
    assert step_slug(page.url.removeprefix(live_server.url)) == "stool-form"

    problems += answer_until(page, live_server.url, folder)
    screenshot(page, folder, "review")
    problems += [f"review: {line}" for line in check_accessibility(page)]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/intake/done/")
    screenshot(page, folder, "done")
    problems += [f"done: {line}" for line in check_accessibility(page)]
    heading = page.get_by_role("heading", level=1).inner_text()
    second.close()

    assert heading == "Thank you: your answers have been sent"
    assert Intake.objects.get().status == CaseStatus.NEW
    assert problems == []


def test_intake_crisis_answer_shows_help_at_once(browser, live_server):
    _invitation, token = open_invitation()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, "crisis", stop_at="mood")

    fill_step(page, {**STEP_DATA["mood"], "phq9_9": "1"})
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/support/")
    screenshot(page, "crisis", "support")
    alert = page.get_by_role("alert").inner_text()
    context.close()

    assert "emergency" in alert


def test_intake_error_path_focuses_summary_and_keeps_answers(browser, live_server):
    _invitation, token = open_invitation()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")

    page.check("input[name='sex_at_birth'][value='female']")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    screenshot(page, "errors", "about-you-missing-answer")
    focused = page.evaluate("() => document.activeElement.id")
    summary = page.locator("#error-summary").inner_text()
    kept = page.is_checked("input[name='sex_at_birth'][value='female']")
    context.close()

    assert focused == "error-summary"
    assert "Are you pregnant? Choose an answer to this question." in summary
    assert kept is True


def test_intake_autosave_keeps_what_was_typed_when_the_page_is_left(browser, live_server):
    _invitation, token = open_invitation()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, "autosave", stop_at="course")

    page.check("input[name='rls_on_treatment'][value='no']")
    page.fill("input[name='rls_days_per_week']", "4")
    page.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for(timeout=10_000)
    page.goto(f"{live_server.url}/intake/")  # leave mid-step, come back
    days = page.input_value("input[name='rls_days_per_week']")
    context.close()

    assert days == "4"
    assert Intake.objects.get().answers["rls_days_per_week"] == 4


def test_labs_unit_menu_follows_the_chosen_test(browser, live_server):
    _invitation, token = open_invitation()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, "labs-units", stop_at="labs")

    def offered() -> list[str]:
        return page.eval_on_selector(
            "select[name='labs-0-unit']",
            "el => Array.from(el.options).filter(o => !o.disabled).map(o => o.value)",
        )

    everything = offered()
    page.select_option("select[name='labs-0-test']", "ferritin")
    ferritin = offered()
    page.select_option("select[name='labs-0-test']", "tsh")
    tsh, tsh_chosen = offered(), page.input_value("select[name='labs-0-unit']")
    page.select_option("select[name='labs-0-test']", "ttg_iga")
    ttg, ttg_chosen = offered(), page.input_value("select[name='labs-0-unit']")
    context.close()

    assert len(everything) > 3
    assert ferritin == ["ng/mL", "µg/L"]
    assert (tsh, tsh_chosen) == (["mIU/L"], "mIU/L")
    assert (ttg, ttg_chosen) == ([""], "")

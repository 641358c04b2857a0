"""A patient's whole intake in a real browser, at phone and desktop sizes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from intake.enums import CaseStatus
from intake.models import Intake, Invitation
from tests.answer_sets import STEP_DATA
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_accessibility,
    horizontal_overflow,
    screenshot,
)
from tests.factories import PATIENT_DOB, open_invitation, step_slug

pytestmark = pytest.mark.django_db(transaction=True)
CHOOSE_ONE = "Choose an answer to this question."


def tick(page, key: str, value: str) -> None:
    """Tick a box, opening its folded group first, as a person would."""
    box = page.locator(f"input[name='{key}'][value='{value}']")
    if not box.is_visible():
        box.locator("xpath=ancestor::details").locator("summary").click()
    box.check()


def slide(page, key: str, value) -> None:
    """Move a 0-100 slider with the keyboard: Home to 0, then the arrow key up to the value."""
    slider = page.locator(f"input[type=range][data-name='{key}']")
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(int(value)):
        page.keyboard.press("ArrowRight")


def fill_step(page, data: dict) -> None:
    """Answer the visible questions the way a person would: click, choose, type."""
    for key, value in data.items():
        if key.startswith("labs-"):
            continue
        if isinstance(value, list):
            for item in value:
                tick(page, key, item)
            continue
        if page.locator(f"input[type=range][data-name='{key}']").count():
            slide(page, key, value)
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


def press_start(page, base_url: str, folder: str | None = None) -> list[str]:
    """On the welcome page (a new questionnaire's first page), look and press Start."""
    problems = []
    if page.url.removeprefix(base_url) == "/intake/welcome/":
        if folder:
            screenshot(page, folder, "welcome")
            problems += page_problems(page, "welcome")
        page.get_by_role("link", name="Start the questionnaire").click()
        page.wait_for_load_state()
    return problems


def send(page, name: str = "Ann Example") -> None:
    """On the check page: sign the consent and send, saying yes to "are you sure"."""
    page.get_by_label("I have read and agree to the statement above.").check()
    page.get_by_label("Type your full name as your signature").fill(name)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign and send my answers").click()
    page.wait_for_url("**/intake/done/")


def answer_until(page, base_url: str, folder: str, *, stop_at: str | None = None, overrides=None):
    overrides = overrides or {}
    problems = press_start(page, base_url, folder)
    while (slug := step_slug(page.url.removeprefix(base_url))) is not None and slug != stop_at:
        screenshot(page, folder, f"step-{slug}")
        problems += [f"{slug}: {line}" for line in check_accessibility(page)]
        if horizontal_overflow(page) > 0:
            problems.append(f"{slug}: scrolls sideways by {horizontal_overflow(page)} px")
        fill_step(page, {**STEP_DATA[slug], **overrides.get(slug, {})})
        page.get_by_role("button", name="Save and continue").click()
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
    send(page)
    screenshot(page, folder, "done")
    problems += [f"done: {line}" for line in check_accessibility(page)]
    heading = page.get_by_role("heading", level=1).inner_text()
    second.close()

    assert heading == "Thank you: your answers have been sent"
    assert Intake.objects.get().status == CaseStatus.NEW
    assert problems == []


def page_problems(page, name: str) -> list[str]:
    """axe-core's serious and critical findings, and sideways scrolling, on the open page."""
    problems = [f"{name}: {line}" for line in check_accessibility(page)]
    if horizontal_overflow(page) > 0:
        problems.append(f"{name}: scrolls sideways by {horizontal_overflow(page)} px")
    return problems


SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])


@SIZES
def test_intake_crisis_answer_shows_help_at_once(browser, live_server, size):
    _invitation, token = open_invitation()
    folder = f"crisis-{size['width']}"
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, folder, stop_at="mood")

    fill_step(page, {**STEP_DATA["mood"], "phq9_9": "1"})
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/support/")
    screenshot(page, folder, "support")
    problems = page_problems(page, "support")
    alert = page.get_by_role("alert").inner_text()
    focused = page.evaluate("() => document.activeElement.textContent")
    context.close()

    assert "emergency" in alert
    assert focused == "Help is available now"
    assert problems == []


@SIZES
def test_intake_error_path_focuses_summary_and_keeps_answers(browser, live_server, size):
    _invitation, token = open_invitation()
    folder = f"errors-{size['width']}"
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    press_start(page, live_server.url)

    page.check("input[name='sex_at_birth'][value='female']")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    screenshot(page, folder, "about-you-missing-answer")
    problems = page_problems(page, "about-you with an error")
    focused = page.evaluate("() => document.activeElement.id")
    summary = page.locator("#error-summary").inner_text()
    kept = page.is_checked("input[name='sex_at_birth'][value='female']")
    page.get_by_role("link", name=f"Are you pregnant now? {CHOOSE_ONE}").click()
    question_focused = page.evaluate("() => document.activeElement.name")
    context.close()

    assert focused == "error-summary"
    assert "Are you pregnant now? Choose an answer to this question." in summary
    assert kept is True
    assert question_focused == "pregnant"
    assert problems == []


@SIZES
def test_intake_number_error_is_announced_with_its_question(browser, live_server, size):
    _invitation, token = open_invitation()
    folder = f"errors-{size['width']}"
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, folder, stop_at="course")

    fill_step(page, {**STEP_DATA["course"], "rls_days_per_week": "9"})
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    screenshot(page, folder, "course-number-out-of-range")
    problems = page_problems(page, "course with an error")
    box = page.get_by_role(
        "spinbutton", name="In the past week, as things are now, on how many days did you have it?"
    )
    value, description = (
        box.input_value(),
        box.evaluate(
            "el => el.getAttribute('aria-describedby').split(' ')"
            ".map(id => document.getElementById(id).textContent.trim())"
        ),
    )
    context.close()

    assert value == "9"
    assert description == [
        "Enter a whole number from 0 to 7.",
        "A number from 0 to 7. If you take anything for your legs, count the days as they are "
        "now, with it.",
    ]
    assert problems == []


@SIZES
def test_link_unavailable_pages_pass_the_accessibility_check(browser, live_server, size):
    invitation, token = open_invitation()
    folder = f"link-unavailable-{size['width']}"
    context = browser.new_context(viewport=size)
    page = context.new_page()

    page.goto(f"{live_server.url}/i/not-a-real-token/")
    screenshot(page, folder, "unknown-link")
    problems = page_problems(page, "unknown link")
    page.goto(f"{live_server.url}/i/{token}/")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    page.goto(f"{live_server.url}/intake/")
    screenshot(page, folder, "expired-while-open")
    problems += page_problems(page, "expired while open")
    heading = page.get_by_role("heading", level=1).inner_text()
    context.close()

    assert heading == "This link cannot be used"
    assert problems == []


def test_intake_keyboard_only_answers_a_step_and_lands_on_the_next_heading(browser, live_server):
    _invitation, token = open_invitation()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    press_start(page, live_server.url)

    def focused() -> str:
        return page.evaluate(
            "() => { const el = document.activeElement;"
            " return el.name ? el.name + '=' + el.value : el.tagName + ':' + el.textContent; }"
        )

    start = focused()  # focus.js puts focus on the step's heading
    page.keyboard.press("Tab")
    first_radio = focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # male
    page.keyboard.press("ArrowUp")  # back to female: the pregnancy question shows again
    page.keyboard.press("Tab")
    pregnant = focused()
    page.keyboard.press("ArrowDown")  # "No"
    page.keyboard.press("Tab")
    button = focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/intake/step/legs/")
    page.wait_for_function("() => document.activeElement.tagName === 'H1'")
    landed = focused()
    context.close()

    assert start == "H1:About you"
    assert first_radio == "sex_at_birth=female"
    assert pregnant == "pregnant=yes"
    assert button == "BUTTON:Save and continue"
    assert landed == "H1:Leg symptoms"
    assert Intake.objects.get().answers == {"sex_at_birth": "female", "pregnant": "no"}


@SIZES
def test_public_start_shows_the_resume_link_with_a_copy_button(
    browser, live_server, settings, size
):
    settings.PUBLIC_START_ENABLED = True
    folder = f"public-start-{size['width']}"
    context = browser.new_context(viewport=size)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}/start/")
    page.get_by_label("Full name").fill("Cara New")
    page.get_by_label("Date of birth").fill("1980-04-23")
    page.get_by_label("Email (optional)").fill("cara@example.com")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/intake/welcome/")
    press_start(page, live_server.url)
    page.wait_for_url("**/intake/step/about-you/")

    screenshot(page, folder, "first-step-with-link")
    problems = page_problems(page, "first step with the link")
    link = page.get_by_label("Your link").input_value()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("status").filter(has_text="Link copied.").wait_for(timeout=5_000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    context.close()

    assert link.startswith(f"{live_server.url}/i/")
    assert copied == link
    assert problems == []


def test_intake_autosave_keeps_what_was_typed_when_the_page_is_left(browser, live_server):
    _invitation, token = open_invitation()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, "autosave", stop_at="course")

    page.check("input[name='rls_freq'][value='ge_2_per_week']")
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

"""An emergency answer in a real browser, at phone and desktop sizes (R3-1, R3-23): the patient
is told at once, with a number to tap, and again after sending; the practitioner finds the
case at the top of the work queue and records the contact."""

from __future__ import annotations

import pytest
from django.utils import timezone

from intake.models import Intake
from tests.answer_sets import STEP_DATA
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_patient_intake import answer_until, fill_step, page_problems, send
from tests.e2e.test_practitioner import sign_in
from tests.factories import open_invitation

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
ADVICE = "Go to an emergency department or call 999 now."


def _save(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


@SIZES
def test_emergency_answer_is_shown_at_once_repeated_and_contacted(
    browser, live_server, practitioner, settings, size
):
    settings.EMERGENCY_ADVICE_TEXT = ADVICE
    _invitation, token = open_invitation(name="Ann Example")
    folder = f"emergency-{size['width']}"
    patient = browser.new_context(viewport=size)
    page = patient.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, folder, stop_at="warning-signs")

    # The full save's path; autosave's own (which can get there first) is tested below.
    page.route("**/autosave/", lambda route: route.abort())
    fill_step(page, {**STEP_DATA["warning-signs"], "saddle_numbness": "yes"})
    _save(page)
    page.wait_for_url("**/intake/support/")
    screenshot(page, folder, "emergency-page")
    problems = page_problems(page, "emergency page")
    heading = page.evaluate("() => document.activeElement.textContent")
    alert = page.get_by_role("alert").inner_text()
    call = page.get_by_role("link", name="999").get_attribute("href")

    page.get_by_role("link", name="Continue the questionnaire").click()
    page.wait_for_load_state()
    answer_until(page, live_server.url, folder)
    send(page)
    screenshot(page, folder, "thank-you")
    problems += page_problems(page, "thank-you page")
    repeated = page.get_by_role("region", name="Get emergency care now").inner_text()
    call_again = page.get_by_role("link", name="999").get_attribute("href")
    patient.close()

    case = Intake.objects.get()
    staff = browser.new_context(viewport=size)
    page = staff.new_page()
    sign_in(page, live_server.url, practitioner)
    notice = page.get_by_role("region", name="Contact these patients today")
    listed = notice.inner_text()
    first_row = page.locator("table.queue-table tbody tr").first.inner_text()
    screenshot(page, folder, "queue-contact-needed")
    problems += page_problems(page, "queue")
    page.once("dialog", lambda dialog: dialog.accept())
    notice.get_by_role("button", name="Record contact with Ann Example").click()
    page.wait_for_load_state()
    confirmation = page.get_by_role("status").first.inner_text()
    still_listed = page.get_by_role("region", name="Contact these patients today").count()
    page.get_by_role("link", name=case.case_number).click()
    page.wait_for_load_state()
    screenshot(page, folder, "case-contacted")
    problems += page_problems(page, "case page")
    marker = page.get_by_role("region", name="Patient contacted").inner_text()
    staff.close()

    assert heading == "Get emergency care now"
    assert alert == ADVICE
    assert (call, call_again) == ("tel:999", "tel:999")
    assert repeated == (
        f"Get emergency care now\n\n{ADVICE}\n\nOne of your answers can be a sign of a problem "
        "that needs a doctor straight away. Please do not wait for your clinic to read your "
        "questionnaire. Your clinic has been asked to contact you."
    )
    assert listed.startswith("Contact these patients today")
    assert f"Emergency Ann Example · {case.case_number} ·" in listed
    assert first_row.startswith(case.case_number)
    assert confirmation == f"Recorded that Ann Example ({case.case_number}) was contacted."
    assert still_listed == 0
    case.refresh_from_db()
    since, contacted = (
        timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
        for moment in (case.contact_needed_at, case.contacted_at)
    )
    assert marker == (
        f"Patient contacted\n\nEmergency reported {since} · contact recorded {contacted} by "
        f"{practitioner.username}"
    )
    assert problems == []


def test_emergency_answer_autosaved_while_typing_takes_the_patient_to_help(
    browser, live_server, settings
):
    # The patient ticks "Yes" and does not press the button: autosave saves it, and the page
    # goes to the emergency advice at once (R3-23), with the clinic told.
    settings.EMERGENCY_ADVICE_TEXT = ADVICE
    _invitation, token = open_invitation(name="Ann Example")
    folder = "emergency-autosave"
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    answer_until(page, live_server.url, folder, stop_at="warning-signs")

    page.get_by_role("group", name="Is there numbness or tingling").get_by_label("Yes").check()
    page.wait_for_url("**/intake/support/", timeout=15_000)
    heading = page.evaluate("() => document.activeElement.textContent")
    context.close()

    assert heading == "Get emergency care now"
    assert Intake.objects.get().contact_reasons == ["emergency"]

"""A whole intake in Spanish on a phone: the patient switches on the first page, types, switches
again mid-step without losing a word, goes through the crisis page, checks and sends, with
axe-core on every page and no English word met."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from intake.enums import CaseStatus
from intake.models import Intake
from tests.answer_sets import STEP_DATA
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_patient_intake import fill_step, page_problems
from tests.factories import open_invitation, step_slug

pytestmark = pytest.mark.django_db(transaction=True)

FOLDER = "patient-spanish-360"
PATIENT = "Ana Ejemplo"
# Words of English that no Spanish sentence holds: one of them on a Spanish page is English
# left untranslated. (tests/test_spanish_pages.py compares every page with its English
# render; this walk checks what the browser actually shows, scripts' text included.)
ENGLISH_ONLY = {
    "the", "and", "your", "you", "of", "to", "with", "this", "please", "answer", "answers",
    "question", "questions", "next", "save", "continue", "back", "step", "send", "yes",
    "what", "how", "when", "which", "any", "have", "has", "been", "not", "or", "if", "it",
    "is", "are", "at", "on", "in", "for", "from", "by", "about", "day", "days", "week",
    "month", "none", "other", "help", "call", "now", "thank", "link",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def english_words(page) -> list[str]:
    text = page.inner_text("body")
    for name in (settings.CLINIC_NAME, PATIENT, "English"):
        text = text.replace(name, " ")
    return sorted({word for word in WORD.findall(text) if word.lower() in ENGLISH_ONLY})


def look(page, name: str) -> list[str]:
    """Screenshot, accessibility, sideways scrolling, the page's language and English left."""
    screenshot(page, FOLDER, name)
    problems = page_problems(page, name)
    if page.locator("html").get_attribute("lang") != "es":
        problems.append(f"{name}: <html lang> is not es")
    if words := english_words(page):
        problems.append(f"{name}: English words {words}")
    return problems


def save_and_continue(page) -> None:
    page.locator("#step-form").get_by_role("button", name="Guardar y continuar").click()
    page.wait_for_load_state()


def test_a_whole_intake_in_spanish_on_a_phone(browser, live_server):
    invitation, token = open_invitation(name=PATIENT)
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/i/{token}/")
    assert page.locator("html").get_attribute("lang") == "en"  # the browser's first guess

    # The switch is reached early by keyboard and named in its own language.
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    problems = look(page, "welcome")
    page.locator("main a[href*='/intake/step/']").first.click()
    page.wait_for_load_state()

    crisis_seen = False
    while (slug := step_slug(page.url.removeprefix(live_server.url))) is not None:
        problems += look(page, f"step-{slug}")
        data = dict(STEP_DATA[slug])
        if slug == "mood":
            data["phq9_9"] = "2"  # thoughts of self-harm on more than half the days
        fill_step(page, data)
        if slug == "about-you":
            # Back to English and to Spanish again mid-step: what was typed stays.
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
            page.get_by_role("button", name="Español").click()
            page.wait_for_load_state()
            checked = page.locator("input[name='sex_at_birth']:checked").get_attribute("value")
            assert checked == STEP_DATA[slug]["sex_at_birth"]
        save_and_continue(page)
        if page.url.endswith("/intake/support/"):
            crisis_seen = True
            problems += look(page, "crisis")
            page.locator("main a[href='/intake/']").first.click()
            page.wait_for_load_state()

    assert page.url.endswith("/intake/review/")
    problems += look(page, "review")
    page.locator("#consent-form input[name='agree']").check()
    page.locator("#consent-form input[name='full_name']").fill(PATIENT)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#consent-form button[type='submit']").click()
    page.wait_for_url("**/intake/done/")
    problems += look(page, "done")
    context.close()

    intake = Intake.objects.get(pk=invitation.intake_id)
    assert crisis_seen
    assert intake.status == CaseStatus.NEW
    assert intake.language == "es"
    assert problems == []

"""The case page and its print view in a real browser, for a busy case under revision 3's rules:
every fired rule names the patient's answers behind it, and the print starts with a summary page,
then the details, then the answers from a page of their own."""

from __future__ import annotations

import pytest

from intake.questionnaire import QUESTIONS
from tests.e2e.conftest import (
    DESKTOP,
    check_accessibility,
    horizontal_overflow,
    screenshot,
)
from tests.e2e.test_practitioner import sign_in
from tests.factories import submitted_case
from tests.test_case_printout import ARTIFACTS, pdf_pages_text, text_lines

pytestmark = pytest.mark.django_db(transaction=True)

# Many rules at once: emergency, crisis, "Not sure" red flags, a treated patient on a dopamine
# agonist, a coexisting mimic, an antipsychotic, iron-loss context and IV iron.
BUSY = {
    "rectal_bleeding": "yes",
    "black_stools": "yes",
    "bleeding_now_or_faint": "no",
    "unintentional_weight_loss": "yes",
    "leg_weakness_progressive": "yes",
    "fever_with_gi": "unsure",
    "dysphagia": "unsure",
    "bloating_freq": "daily",
    "fhx_thyroid": "yes",
    "rls_on_treatment": "yes",
    "rls_treatment_meds": ["dopamine_agonist"],
    "conditions": ["t1dm", "varicose_veins"],
    "medications": ["iron_supplement", "antipsychotic"],
    "heavy_menstrual_bleeding": "yes",
    "iv_iron_last_12wk": "yes",
    "phq9_items": [2, 2, 2, 2, 2, 2, 2, 2, 1],
}


def test_case_page_and_print_view_show_why_each_rule_fired(browser, live_server, practitioner):
    busy = submitted_case(name="Busy Because", **BUSY)
    result = busy.current_assessment.result
    fired = len(result["urgent"]["reasons"]) + sum(
        len(flag["rules_fired"]) for flag in result["flags"].values()
    )
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = []
    sign_in(page, live_server.url, practitioner)

    page.goto(f"{live_server.url}/staff/cases/{busy.pk}/")
    screenshot(page, "case-because-1280", "case")
    problems += [f"case: {line}" for line in check_accessibility(page)]
    if horizontal_overflow(page) > 0:
        problems.append(f"case scrolls sideways by {horizontal_overflow(page)} px")
    thyroid_why = page.locator('li:has(> strong:text-is("THY-2b")) > ul.because').inner_text()
    unsure = page.locator("ul.unsure-red-flags li").all_inner_texts()

    page.goto(f"{live_server.url}/staff/cases/{busy.pk}/print/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    # As laid out on the sheet: A4's width less the 10 mm margins.
    page.set_viewport_size({"width": 718, "height": 1047})
    screenshot(page, "case-because-1280", "print")
    printed_why = page.locator("span.because").all_inner_texts()
    worked_out = page.locator("p.derived-facts").inner_text()
    context.close()

    pages = [text_lines(text) for text in pdf_pages_text(pdf, ARTIFACTS / "print-busy-because")]
    assert thyroid_why.splitlines() == [
        "An autoimmune condition",
        "Type 1 diabetes",
        f"{QUESTIONS['fhx_thyroid'].label} Yes",
    ]
    assert unsure == [
        f"{QUESTIONS['fever_with_gi'].label} — answered Not sure: ask the patient",
        f"{QUESTIONS['dysphagia'].label} — answered Not sure: ask the patient",
    ]
    assert printed_why[:2] == [
        "Because: In the last 3 months, have you seen blood from your bottom or in your stools? "
        "Yes",
        "Because: In the last 3 months, have you had black, sticky, tar-like, bad-smelling stools? "
        "Yes; Iron tablets",
    ]
    assert len(printed_why) == fired
    loose = f"{QUESTIONS['loose_stools_4wk'].label} Yes"
    bloated = f"{QUESTIONS['bloating_freq'].label} Every day"
    assert worked_out == (
        f"Worked out from the answers: Chronic diarrhoea: {loose}. An autoimmune condition: "
        f"Type 1 diabetes. Gut symptoms (weekly, or for 4 weeks or more): {bloated}; {loose}. "
        f"Symptoms that fit SIBO (abdominal pain, bloating, gas or diarrhoea): {bloated}; {loose}."
    )
    assert problems == []
    # The summary fills the first sheet, however many red flags; the parts start sheets of their
    # own (the red flags' answers may run onto a second sheet before the details start).
    starts = [page[0] for page in pages]
    assert starts[0] == f"C-{busy.pk:06d} · Busy Because · born 1980-04-23"
    assert "Tests and decisions" in pages[0] or "Tests and decisions" in pages[1]
    assert starts.count("Details") == 1 and starts.count("Appendix: all answers") == 1
    assert starts.index("Details") < starts.index("Appendix: all answers")

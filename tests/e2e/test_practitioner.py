"""A practitioner's round in a real browser: sign in, filter to urgent, act on a case, close it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from intake.enums import CaseStatus, Decision
from intake.models import Intake, Note, TestRecommendation
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    check_accessibility,
    horizontal_overflow,
    screenshot,
)
from tests.factories import submitted_case
from tests.test_case_printout import ARTIFACTS, pdf_pages_text, text_lines

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"width": 800, "height": 1100}


def sign_in(page, base_url: str, user) -> None:
    """Both steps, as a person would: password, then the code from the authenticator app."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("x-pass-12345")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/2fa/verify/**")
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base_url}/staff/**")


def queue_overflow(page) -> int:
    """How far the work queue's table is wider than its box (it would scroll sideways)."""
    return page.evaluate(
        "() => { const box = document.querySelector('.table-responsive');"
        " return box.scrollWidth - box.clientWidth; }"
    )


@pytest.mark.parametrize("size", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_practitioner_filters_urgent_decides_notes_and_closes(
    browser, live_server, practitioner, size
):
    from intake import services

    submitted_case(name="Calm Patient")
    # A long name, an assignee and a crisis: the widest cells the queue has.
    busy = submitted_case(
        name="Maximiliana Featherstonehaugh-Oyelaran", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2]
    )
    services.assign_case(
        intake_id=busy.pk, version=busy.version, assignee=practitioner, by=practitioner
    )
    urgent = submitted_case(name="Urgent Patient", rectal_bleeding="yes")
    folder = f"practitioner-{size['width']}"
    context = browser.new_context(viewport=size)
    page = context.new_page()
    problems = []

    sign_in(page, live_server.url, practitioner)
    screenshot(page, folder, "queue")
    problems += [f"queue: {line}" for line in check_accessibility(page)]
    if horizontal_overflow(page) > 0:
        problems.append(f"queue page scrolls sideways by {horizontal_overflow(page)} px")
    if queue_overflow(page) > 0:
        problems.append(f"queue table scrolls sideways by {queue_overflow(page)} px")
    page.get_by_role("link", name="Patient (sort: patient name, A to Z)").click()
    page.wait_for_load_state()
    by_name = page.locator("table.queue-table tbody tr td:nth-child(3) a").all_inner_texts()
    sorted_header = page.locator("th[aria-sort]").inner_text()
    screenshot(page, folder, "queue-by-patient")
    if queue_overflow(page) > 0:
        problems.append(f"sorted queue table scrolls sideways by {queue_overflow(page)} px")
    page.get_by_text("Search and filter").click()
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    listed = page.locator("table.queue-table tbody tr").count()
    page.get_by_role("link", name=urgent.case_number).click()
    page.wait_for_load_state()
    screenshot(page, folder, "case")
    problems += [f"case: {line}" for line in check_accessibility(page)]
    if horizontal_overflow(page) > 0:
        problems.append(f"case scrolls sideways by {horizontal_overflow(page)} px")

    page.get_by_role("button", name="Take this case").click()
    page.wait_for_load_state()
    first = page.locator("form.decision-form").first
    first.get_by_label("Ordered").check()
    first.get_by_role("button").click()
    page.wait_for_load_state()
    second = page.locator("form.decision-form").nth(1)
    second.get_by_label("Declined").check()
    second.get_by_label("Reason (needed when declining)").fill("Done last month at the GP")
    second.get_by_role("button").click()
    page.wait_for_load_state()
    page.get_by_label("Add a note").fill("Phoned the patient; GP letter requested.")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Closed").click()
    page.wait_for_load_state()
    screenshot(page, folder, "case-closed")
    context.close()

    urgent.refresh_from_db()
    decisions = list(
        TestRecommendation.objects.filter(intake=urgent)
        .order_by("pk")
        .values_list("decision", flat=True)
    )
    assert listed == 2  # the urgent case and the crisis
    assert by_name == ["Calm Patient", "Maximiliana Featherstonehaugh-Oyelaran", "Urgent Patient"]
    assert sorted_header.startswith("Patient▲")
    assert urgent.status == CaseStatus.CLOSED
    assert decisions[:2] == [Decision.ORDERED, Decision.DECLINED]
    assert Note.objects.get().text == "Phoned the patient; GP letter requested."
    assert Intake.objects.get(pk=urgent.pk).assigned_to == practitioner
    assert problems == []


def test_first_sign_in_enrols_an_authenticator(browser, live_server, clinic_admin):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(clinic_admin.username)
    page.get_by_label("Password").fill("x-pass-12345")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/2fa/setup/**")
    screenshot(page, "staff-2fa", "setup")
    problems = check_accessibility(page)
    qr_visible = page.locator(".otp-qr svg").is_visible()
    device = TOTPDevice.objects.get(user=clinic_admin)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code").fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    screenshot(page, "staff-2fa", "recovery-codes")
    codes = page.locator(".recovery-codes li").count()
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    context.close()

    assert qr_visible is True
    assert codes == 10
    assert problems == []


def test_print_view_prints_a_summary_page_then_details_then_all_answers(
    browser, live_server, practitioner
):
    from intake import services

    busy = submitted_case(
        name="Busy Patient",
        rectal_bleeding="yes",
        black_stools="yes",
        unintentional_weight_loss="yes",
        leg_weakness_progressive="yes",
        phq9_items=[2, 2, 2, 2, 2, 2, 2, 2, 1],
    )
    iron = busy.recommendations.get(test="iron_panel")
    busy = services.record_decision(
        intake_id=busy.pk,
        version=busy.version,
        recommendation_id=iron.pk,
        decision="ordered",
        by=practitioner,
    ).intake
    services.record_results(
        intake_id=busy.pk,
        version=busy.version,
        results=[{"test": "ferritin", "value": 38, "unit": "ng/mL", "taken_on": "2026-11-20"}],
        by=practitioner,
    )
    for n in range(3):
        services.add_note(intake_id=busy.pk, text=f"Note {n}: " + "words " * 40, by=practitioner)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, practitioner)

    page.goto(f"{live_server.url}/staff/cases/{busy.pk}/print/")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    screenshot(page, "practitioner-print", "busy-case")
    context.close()

    pages = [text_lines(text) for text in pdf_pages_text(pdf, ARTIFACTS / "print-busy-case")]
    starts = [page[0] for page in pages]
    first = pages[0]
    assert starts[0] == f"C-{busy.pk:06d} · Busy Patient · born 1980-04-23"
    assert [line for line in first if line in SUMMARY_HEADINGS] == list(SUMMARY_HEADINGS)
    words = [" ".join(line.split()) for line in first]
    assert [line for line in words if line.startswith("Ferritin 38")] == [
        f"Ferritin 38 ng/mL 2026-11-20 pat.practitioner, {timezone.localdate():%Y-%m-%d}"
    ]
    assert starts[1] == "Details"
    assert starts.count("Appendix: all answers") == 1
    assert 1 < starts.index("Appendix: all answers") < len(pages)
    assert any(line.startswith("Note 2: words") for page in pages for line in page)


SUMMARY_HEADINGS = ("Red flags", "At a glance", "Tests and decisions", "Results entered")


def test_practitioner_records_contact_with_a_patient_who_reported_a_crisis(
    browser, live_server, practitioner
):
    from intake import demo, services
    from tests.answer_sets import RLS_AND_DIARRHOEA
    from tests.factories import open_invitation

    invitation, _token = open_invitation(name="Dana Draft")
    answers = {**RLS_AND_DIARRHOEA, "phq9_items": [1, 1, 1, 1, 1, 1, 1, 1, 2]}
    draft = demo.answer_all(invitation.intake, answers, until_step="labs")
    services.report_contact_needed(intake_id=draft.pk, reasons=["crisis"])
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, live_server.url, practitioner)

    notice = page.get_by_role("region", name="Contact these patients today")
    listed = notice.inner_text()
    screenshot(page, "practitioner-800", "queue-contact-needed")
    problems = check_accessibility(page)
    page.once("dialog", lambda dialog: dialog.accept())
    notice.get_by_role("button", name="Record contact with Dana Draft").click()
    page.wait_for_load_state()
    confirmation = page.get_by_role("status").first.inner_text()
    still_listed = page.get_by_role("region", name="Contact these patients today").count()
    context.close()

    assert "Dana Draft" in listed and draft.case_number in listed
    assert "Dana Draft" in confirmation
    assert still_listed == 0
    assert problems == []


@pytest.mark.parametrize("size", [DESKTOP, TABLET, PHONE], ids=["desktop", "tablet", "phone"])
def test_overview_draws_its_charts_and_fits_the_screen(browser, live_server, practitioner, size):
    from intake import demo
    from tests.answer_sets import RLS_AND_DIARRHOEA
    from tests.factories import open_invitation

    submitted_case(name="Sent One")
    submitted_case(name="Sent Two", rectal_bleeding="yes")
    for number, step in enumerate(["legs", "course", "course", "mood"]):
        invitation, _token = open_invitation(name=f"Stopped {number}")
        demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA, until_step=step)
    open_invitation(name="Not Opened")
    context = browser.new_context(viewport=size)
    page = context.new_page()
    sign_in(page, live_server.url, practitioner)
    if size == DESKTOP:
        page.get_by_role("link", name="Overview").click()
    else:  # the navigation is folded behind its button on narrower screens
        page.goto(f"{live_server.url}/staff/overview/")
    page.wait_for_load_state()

    screenshot(page, f"overview-{size['width']}", "overview")
    problems = check_accessibility(page)
    overflow = horizontal_overflow(page)
    charts = page.locator("svg.bar-chart")
    drawn = [charts.nth(n).bounding_box()["width"] for n in range(charts.count())]
    funnel = page.get_by_role("table", name="Invitations by how far the patient got")
    read_out = funnel.locator("tbody tr").all_inner_texts()
    context.close()

    assert problems == []
    assert overflow == 0
    assert len(drawn) == 4 and all(width > 200 for width in drawn)
    assert [" ".join(row.split()) for row in read_out] == [
        "Invitations sent 7",
        "Opened 6",
        "Started 6",
        "Submitted 2",
    ]

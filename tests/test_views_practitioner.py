"""The practitioner's work queue and case page: filters, workflow, conflicts, bad input."""

from __future__ import annotations

import copy
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import questionnaire, selectors, services
from intake.enums import AuditAction, CaseStatus, Decision
from intake.models import Assessment, AuditEvent, Intake, Note, TestRecommendation
from tests.answer_sets import IV_IRON_CAVEAT, NEW_VERSION, REVISION_3, RULES_2026_2
from tests.factories import (
    case_stored_under_2026_2,
    case_under_revision_3,
    login_verified,
    submitted_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(practitioner) -> Client:
    client = Client()
    login_verified(client, practitioner)
    return client


def _rows(response):
    return [intake.case_number for intake, _tests, _age in response.context["rows"]]


def test_queue_open_cases_first_then_crisis_then_urgent_then_oldest(staff, practitioner):
    from intake import services

    closed_urgent = submitted_case(name="Closed Urgent", rectal_bleeding="yes")
    services.change_status(
        intake_id=closed_urgent.pk, version=closed_urgent.version, status="closed", by=practitioner
    )
    calm = submitted_case(name="Calm")
    urgent = submitted_case(name="Urgent", rectal_bleeding="yes")
    crisis = submitted_case(name="Crisis", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2])

    response = staff.get("/staff/")

    assert crisis.crisis and not urgent.crisis
    assert _rows(response) == [
        crisis.case_number,
        urgent.case_number,
        calm.case_number,
        closed_urgent.case_number,
    ]


def test_queue_urgent_first_then_oldest(staff):
    calm_old = submitted_case(name="Calm Old")
    urgent = submitted_case(name="Urgent New", rectal_bleeding="yes")
    calm_new = submitted_case(name="Calm New")

    response = staff.get("/staff/")

    assert _rows(response) == [urgent.case_number, calm_old.case_number, calm_new.case_number]
    assert response.context["counts"] == {
        "new": 3,
        "urgent": 1,
        "awaiting_tests": 0,
        "closed_this_week": 0,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"urgent": "on"}, ["Urgent"]),
        ({"tests": ["sibo_breath", "celiac"]}, ["Plain", "Urgent"]),
        ({"tests": "stool"}, ["Plain", "Urgent"]),
        ({"rls_met": "on"}, ["Plain", "Urgent"]),
        ({"q": "plain"}, ["Plain"]),
        ({"q": "1990-01-02"}, ["Urgent"]),
        ({"q": "02/01/1990"}, ["Urgent"]),
        ({"assigned": "unassigned"}, ["Urgent", "Plain"]),
        ({"assigned": "me"}, []),
        ({"status": "closed"}, []),
    ],
)
def test_queue_filters(staff, query, expected):
    submitted_case(name="Plain")
    submitted_case(name="Urgent", born=dt.date(1990, 1, 2), rectal_bleeding="yes")

    response = staff.get("/staff/", query)

    names = [intake.patient.full_name for intake, _t, _a in response.context["rows"]]
    assert sorted(names) == sorted(expected)


def test_queue_search_by_case_number(staff):
    first = submitted_case(name="Alpha")
    submitted_case(name="Beta")

    response = staff.get("/staff/", {"q": first.case_number})

    assert _rows(response) == [first.case_number]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"status": "deleted"}, {"status": ["Unknown status: choose one from the list."]}),
        ({"tests": "zonulin"}, {"tests": ["Unknown test: choose from the list."]}),
        ({"sort": "pk; DROP TABLE intake_intake"}, {"sort": ["Unknown sort order."]}),
        (
            {"submitted_from": "yesterday"},
            {"submitted_from": ["Enter the date as year-month-day."]},
        ),
        (
            {"submitted_from": "2026-02-01", "submitted_to": "2026-01-01"},
            {"submitted_to": ["The end date is before the start date."]},
        ),
    ],
)
def test_queue_bad_filters_get_clear_errors_and_are_left_out(staff, query, errors):
    case = submitted_case()

    response = staff.get("/staff/", query)

    assert response.status_code == 200
    assert response.context["filter_form"].errors == errors
    assert _rows(response) == [case.case_number]
    page = response.content.decode()
    for field in ("submitted_from", "submitted_to"):
        if field in query:  # what was typed stays in the field, marked invalid if refused
            assert f'value="{query[field]}"' in page
            assert (f'id="id_{field}" value="{query[field]}" aria-invalid="true"' in page) == (
                field in errors
            )


def test_queue_query_count_does_not_grow_with_rows(nothing_kept, staff, monkeypatch):
    submitted_case(name="Only One")
    staff.get("/staff/")  # restarts the idle clock: the session is not written again for a minute
    with CaptureQueriesContext(connection) as one:
        staff.get("/staff/")
    for number in range(59):
        submitted_case(name=f"Patient {number}", rectal_bleeding="yes" if number % 3 else "no")
    with CaptureQueriesContext(connection) as first_page:
        page_one = staff.get("/staff/")
    with CaptureQueriesContext(connection) as second_page:
        page_two = staff.get("/staff/" + page_one.context["pager"].next)
    with CaptureQueriesContext(connection) as last_page:
        page_last = staff.get("/staff/" + page_one.context["pager"].last)
    monkeypatch.setattr("intake.selectors.queue.QUEUE_PER_PAGE", 50)
    with CaptureQueriesContext(connection) as fifty:
        all_on_one = staff.get("/staff/")

    pages = (page_one, page_two, page_last, all_on_one)
    assert [len(r.context["rows"]) for r in pages] == [25, 25, 25, 50]
    assert [r.context["pager"].showing for r in pages] == [
        "Showing cases 1–25",
        "Showing cases 26–50",
        "Showing the last 25 cases",
        "Showing cases 1–50",
    ]
    assert len(first_page.captured_queries) == len(one.captured_queries)
    assert len(second_page.captured_queries) == len(one.captured_queries)
    assert len(last_page.captured_queries) == len(one.captured_queries)
    assert len(fifty.captured_queries) == len(one.captured_queries)


def test_case_page_shows_flags_with_tier_labels_and_records_the_view(staff, practitioner):
    case = submitted_case()

    response = staff.get(f"/staff/cases/{case.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "THY-3" in page and "Clinic protocol" in page
    assert [row.value for row in response.context["case"].criteria] == ["T"] * 5
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, actor=practitioner).count() == 1


def test_case_page_draft_or_unknown_is_404(staff):
    from tests.factories import open_invitation

    draft, _ = open_invitation()

    assert staff.get(f"/staff/cases/{draft.intake_id}/").status_code == 404
    assert staff.get("/staff/cases/999999/").status_code == 404


def test_case_take_moves_new_case_into_review(staff, practitioner):
    case = submitted_case()

    response = staff.post(f"/staff/cases/{case.pk}/assign/", {"version": case.version, "take": "1"})

    case.refresh_from_db()
    assert response.status_code == 302
    assert (case.assigned_to, case.status) == (practitioner, CaseStatus.IN_REVIEW)


def test_case_workflow_decide_note_close_and_reopen(staff):
    case = submitted_case()
    rec = TestRecommendation.objects.filter(intake=case).order_by("pk").first()

    staff.post(f"/staff/cases/{case.pk}/status/", {"version": case.version, "status": "in_review"})
    case.refresh_from_db()
    ordered = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": "ordered"},
        follow=True,
    )
    case.refresh_from_db()
    ordered_status = case.status
    staff.post(f"/staff/cases/{case.pk}/note/", {"text": "Called the patient."})
    case.refresh_from_db()
    staff.post(f"/staff/cases/{case.pk}/status/", {"version": case.version, "status": "closed"})
    case.refresh_from_db()
    closed_status = case.status
    staff.post(f"/staff/cases/{case.pk}/status/", {"version": case.version, "status": "in_review"})
    case.refresh_from_db()

    rec.refresh_from_db()
    assert rec.decision == Decision.ORDERED
    # Ordering a test moves the case on, and the page says so.
    assert ordered_status == CaseStatus.TESTS_ORDERED
    assert [str(m) for m in ordered.context["messages"]] == [
        "Status changed.",  # from the step before, never followed to a page
        f"{rec.get_test_display()}: ordered. The case is now “Tests ordered”.",
    ]
    assert Note.objects.get().text == "Called the patient."
    assert closed_status == CaseStatus.CLOSED
    assert case.status == CaseStatus.IN_REVIEW
    assert list(
        AuditEvent.objects.filter(intake=case)
        .exclude(action=AuditAction.VIEW)
        .order_by("pk")
        .values_list("action", "summary")
    )[-6:] == [
        ("status", "New → In review"),
        ("decision", f"{rec.get_test_display()}: Ordered"),
        ("status", "In review → Tests ordered (a test was ordered)"),
        ("note", ""),
        ("status", "Tests ordered → Closed"),
        ("status", "Closed → In review"),
    ]


def test_case_decline_without_reason_is_refused_and_keeps_choice(staff):
    case = submitted_case()
    rec = TestRecommendation.objects.filter(intake=case).first()

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": "declined", "reason": " "},
    )

    rec.refresh_from_db()
    assert response.status_code == 400
    assert response.context["decision_errors"][rec.pk].errors == {
        "reason": ["Give a reason for declining the test."]
    }
    assert f'value="declined" id="d-{rec.pk}-declined" checked' in response.content.decode()
    assert rec.decision == Decision.PENDING
    # The form may be far down the page: the summary at the top links to it.
    assert f'<a href="#test-{rec.pk}" class="alert-link">' in response.content.decode()


@pytest.mark.parametrize(
    ("action", "data", "anchor"),
    [
        ("note", {"text": "   "}, "h-notes"),
        ("status", {"status": "nonsense"}, "h-workflow"),
        ("assign", {"assignee": "999999"}, "h-workflow"),
        (
            "results",
            {"labs-TOTAL_FORMS": "1", "labs-INITIAL_FORMS": "0", "labs-0-test": "x"},
            "h-results",
        ),
    ],
)
def test_case_form_errors_are_summarised_at_the_top_with_a_link(staff, action, data, anchor):
    case = submitted_case()

    response = staff.post(f"/staff/cases/{case.pk}/{action}/", {"version": case.version, **data})

    page = response.content.decode()
    assert response.status_code == 400
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))
    ]
    assert f'href="#{anchor}"' in summary
    assert f'id="{anchor}"' in page


def test_case_concurrent_change_gets_conflict_and_keeps_typed_values(staff, other_practitioner):
    case = submitted_case()
    rec = TestRecommendation.objects.filter(intake=case).first()
    stale_version = case.version
    services.change_status(
        intake_id=case.pk, version=stale_version, status="in_review", by=other_practitioner
    )

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {
            "version": stale_version,
            "recommendation": rec.pk,
            "decision": "declined",
            "reason": "Done last month elsewhere",
        },
    )

    rec.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this case" in page
    assert 'value="Done last month elsewhere"' in page
    assert rec.decision == Decision.PENDING


def test_case_decision_on_closed_case_is_refused(staff, practitioner):
    case = submitted_case()
    rec = TestRecommendation.objects.filter(intake=case).first()
    case = services.change_status(
        intake_id=case.pk, version=case.version, status="closed", by=practitioner
    )

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": "ordered"},
    )

    rec.refresh_from_db()
    assert response.status_code == 400
    assert "This case is closed. Reopen it first to make changes." in response.content.decode()
    assert rec.decision == Decision.PENDING


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"status": "draft"}, 400),
        ({"status": "exploded"}, 400),
        ({"status": "tests_ordered"}, 400),  # new -> tests ordered skips review
        ({"status": "closed", "version": "abc"}, 400),
    ],
)
def test_case_status_bad_values_change_nothing(staff, data, status):
    case = submitted_case()

    response = staff.post(f"/staff/cases/{case.pk}/status/", {"version": case.version, **data})

    case.refresh_from_db()
    assert response.status_code == status
    assert case.status == CaseStatus.NEW


def test_case_decision_for_another_cases_recommendation_is_refused(staff):
    case = submitted_case(name="Mine")
    other = submitted_case(name="Other")
    foreign = TestRecommendation.objects.filter(intake=other).first()

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": foreign.pk, "decision": "ordered"},
    )

    foreign.refresh_from_db()
    assert response.status_code == 400
    assert response.context["error"] == (
        "That test is not among this case's current recommendations."
    )
    assert foreign.decision == Decision.PENDING


def test_case_results_reevaluate_and_keep_both_assessments(staff):
    case = submitted_case()
    data = {
        "version": case.version,
        "results-TOTAL_FORMS": "2",
        "results-INITIAL_FORMS": "0",
        "results-0-test": "ferritin",
        "results-0-value": "40",
        "results-0-unit": "ng/mL",
        "results-0-taken_on": dt.date.today().isoformat(),
        "results-1-test": "tsat",
        "results-1-value": "25",
        "results-1-unit": "%",
        "results-1-taken_on": dt.date.today().isoformat(),
    }

    response = staff.post(f"/staff/cases/{case.pk}/results/", data)
    page = staff.get(f"/staff/cases/{case.pk}/")

    case.refresh_from_db()
    current = case.current_assessment.result["flags"]["iron_panel"]
    assert response.status_code == 302
    assert Assessment.objects.filter(intake=case).count() == 2
    assert current["value"] == "on_file"
    assert current["interpretation"]["code"] == "iron_therapy_candidate"
    assert ("Iron panel with ferritin", "order", "on_file") in page.context["case"].flag_changes
    assert page.context["case"].rules_change is None  # same rules before and after


def test_case_results_reevaluated_under_newer_rules_say_so(staff, monkeypatch):
    # A case assessed under rules 2026.2 gets results: the new assessment uses today's rules,
    # and "What changed" says the rules changed too.
    case = case_stored_under_2026_2(monkeypatch)
    data = {
        "version": case.version,
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-0-test": "tsh",
        "results-0-value": "2.1",
        "results-0-unit": "mIU/L",
        "results-0-taken_on": dt.date.today().isoformat(),
    }

    staff.post(f"/staff/cases/{case.pk}/results/", data)
    page = staff.get(f"/staff/cases/{case.pk}/")

    html = page.content.decode()
    assert page.context["case"].rules_change == ("2026.2", "2026.3")
    assert (
        "Re-evaluated under the current rules (version 2026.3); the earlier assessment used "
        "version 2026.2, so a change below may come from the rules as well as from the results."
    ) in html


def test_case_results_bad_row_keeps_what_was_typed(staff):
    case = submitted_case()
    data = {
        "version": case.version,
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-0-test": "ferritin",
        "results-0-value": "lots",
        "results-0-unit": "ng/mL",
        "results-0-taken_on": "2026-01-01",
    }

    response = staff.post(f"/staff/cases/{case.pk}/results/", data)

    row = response.context["results_form"].rows.forms[0]
    assert response.status_code == 400
    assert row.errors == {"value": ["Enter the result as a number, e.g. 42 or 3.5."]}
    assert row["value"].value() == "lots"
    assert Assessment.objects.filter(intake=case).count() == 1


def test_case_note_markup_is_escaped(staff):
    case = submitted_case()

    staff.post(f"/staff/cases/{case.pk}/note/", {"text": "<script>alert(1)</script>"})
    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_case_posts_need_csrf(practitioner):
    case = submitted_case()
    client = Client(enforce_csrf_checks=True)
    login_verified(client, practitioner)

    response = client.post(f"/staff/cases/{case.pk}/note/", {"text": "x"})

    assert response.status_code == 403
    assert Note.objects.count() == 0


def test_patient_page_lists_all_intakes(staff):
    first = submitted_case(name="Returning Patient")
    second = submitted_case(name="Returning Patient")

    response = staff.get(f"/staff/patients/{first.patient_id}/")

    assert second.patient_id == first.patient_id
    assert [i.case_number for i in response.context["intakes"]] == [
        second.case_number,
        first.case_number,
    ]


def test_pdf_summary_is_a_pdf_and_is_audited(staff):
    case = submitted_case()

    response = staff.get(f"/staff/cases/{case.pk}/summary.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.PRINT).count() == 1


def test_csv_export_streams_filtered_rows_and_neutralises_formulas(staff):
    submitted_case(name='=HYPERLINK("x")')
    submitted_case(name="Plain Row", rectal_bleeding="yes")

    response = staff.get("/staff/export.csv", {"urgent": "on"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    everyone = b"".join(staff.get("/staff/export.csv").streaming_content).decode("utf-8-sig")

    lines = text.strip().splitlines()
    assert lines[0].startswith("case_number,submitted_at,status,urgent")
    assert len(lines) == 2 and "Plain Row" in lines[1]
    assert "'=HYPERLINK" in everyone
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_refused_page_sends_staff_back_to_their_work_queue(staff):
    response = staff.get("/staff/retention/")  # clinic admins only

    assert response.status_code == 403
    assert 'href="/staff/">Go to the work queue' in response.content.decode()


# --- sortable columns ----------------------------------------------------------------------


def _headers(response) -> dict[str, tuple[str, str, str]]:
    return {
        key: (header.href, header.aria_sort, header.arrow)
        for key, header in response.context["sort_headers"].items()
    }


def test_queue_headers_in_the_usual_order_sort_ascending_and_none_is_marked(staff):
    submitted_case()

    response = staff.get("/staff/")

    page = response.content.decode()
    assert _headers(response) == {
        "case": ("?sort=case", "", ""),
        "patient": ("?sort=patient", "", ""),
        "age": ("?sort=age", "", ""),
        "submitted": ("?sort=submitted", "", ""),
    }
    assert "aria-sort" not in page
    assert response.context["sort_label"] == (
        "needing contact first, then open: crisis, emergency, urgent, oldest"
    )
    assert (
        "Showing case 1. Sorted: needing contact first, then open: crisis, emergency, urgent, "
        "oldest. Select Case, Patient, Age or "
        "Submitted to sort by it; select it again to reverse.</p>"
    ) in page


@pytest.mark.parametrize(
    ("sort", "key", "toggle", "aria_sort", "arrow"),
    [
        ("case", "case", "-case", "ascending", "▲"),
        ("-case", "case", "case", "descending", "▼"),
        ("patient", "patient", "-patient", "ascending", "▲"),
        ("-patient", "patient", "patient", "descending", "▼"),
        ("age", "age", "-age", "ascending", "▲"),
        ("-age", "age", "age", "descending", "▼"),
        ("submitted", "submitted", "-submitted", "ascending", "▲"),
        ("-submitted", "submitted", "submitted", "descending", "▼"),
    ],
)
def test_queue_sorted_header_toggles_and_keeps_the_filters(
    staff, sort, key, toggle, aria_sort, arrow
):
    submitted_case()

    response = staff.get(
        "/staff/", {"status": "new", "q": "Casey", "sort": sort, "page": "1", "urgent": ""}
    )

    headers = _headers(response)
    assert headers.pop(key) == (f"?status=new&q=Casey&urgent=&sort={toggle}", aria_sort, arrow)
    # The other columns sort ascending first, with the same filters, from page 1.
    assert headers == {
        other: (f"?status=new&q=Casey&urgent=&sort={other}", "", "") for other in headers
    }
    assert response.content.decode().count(f'aria-sort="{aria_sort}"') == 1


def test_queue_header_link_html_names_the_order_it_gives(staff):
    submitted_case()

    page = staff.get("/staff/", {"sort": "case", "status": "new"}).content.decode()

    assert (
        '<th scope="col" aria-sort="ascending"><a class="sort-link" '
        'href="?status=new&amp;sort=-case">Case<span class="sort-arrow" aria-hidden="true">▲'
        '</span><span class="visually-hidden"> (sort: case number, highest first)</span></a></th>'
    ) in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("patient", ["Amy Able", "Zed Zulu"]),
        ("-patient", ["Zed Zulu", "Amy Able"]),
        ("age", ["Zed Zulu", "Amy Able"]),
        ("-age", ["Amy Able", "Zed Zulu"]),
    ],
)
def test_queue_sort_parameter_orders_the_rows(staff, sort, expected):
    submitted_case(name="Zed Zulu", born=dt.date(2000, 1, 1))
    submitted_case(name="Amy Able", born=dt.date(1950, 1, 1))

    response = staff.get("/staff/", {"sort": sort})

    assert [intake.patient.full_name for intake, _t, _a in response.context["rows"]] == expected


@pytest.mark.parametrize(
    "sort", ["<script>alert(1)</script>", "oldest", "-priority", "--case", "pk", "Case"]
)
def test_queue_unknown_sort_is_refused_and_the_usual_order_applies(staff, sort):
    urgent_new = submitted_case(name="Urgent New", rectal_bleeding="yes")
    calm = submitted_case(name="Calm")
    Intake.objects.filter(pk=urgent_new.pk).update(submitted_at=calm.submitted_at)

    response = staff.get("/staff/", {"sort": sort})

    page = response.content.decode()
    assert response.context["filter_form"].errors == {"sort": ["Unknown sort order."]}
    assert _rows(response) == [urgent_new.case_number, calm.case_number]
    assert _headers(response)["case"] == ("?sort=case", "", "")
    assert "<script>alert(1)</script>" not in page


def test_queue_filter_form_keeps_the_chosen_sort_and_has_no_sort_menu(staff):
    submitted_case()

    page = staff.get("/staff/", {"sort": "-age"}).content.decode()
    usual = staff.get("/staff/").content.decode()

    assert '<input type="hidden" name="sort" value="-age">' in page
    assert 'name="sort"' not in usual
    assert 'id="id_sort"' not in page
    assert '<a href="?">back to the usual order</a>' in page


def test_queue_date_filter_from_the_query_string_includes_both_edges(staff):
    from django.utils import timezone

    names = {"Ninth": 9, "Tenth": 10, "Fifteenth": 15, "Sixteenth": 16}
    for name, day in names.items():
        case = submitted_case(name=name)
        hour = 0 if day in (10, 16) else 23
        when = timezone.make_aware(dt.datetime(2026, 1, day, hour, 59 if hour else 0))
        Intake.objects.filter(pk=case.pk).update(submitted_at=when)

    response = staff.get(
        "/staff/", {"submitted_from": "2026-01-10", "submitted_to": "2026-01-15", "sort": "case"}
    )

    assert [i.patient.full_name for i, _t, _a in response.context["rows"]] == [
        "Tenth",
        "Fifteenth",
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("new", ["New One"]), ("in_review", ["In Review"]), ("tests_ordered", ["Ordered"])],
)
def test_queue_status_filter_from_the_query_string(staff, practitioner, status, expected):
    submitted_case(name="New One")
    review = submitted_case(name="In Review")
    services.change_status(
        intake_id=review.pk, version=review.version, status="in_review", by=practitioner
    )
    ordered = submitted_case(name="Ordered")
    ordered = services.change_status(
        intake_id=ordered.pk, version=ordered.version, status="in_review", by=practitioner
    )
    services.change_status(
        intake_id=ordered.pk, version=ordered.version, status="tests_ordered", by=practitioner
    )

    response = staff.get("/staff/", {"status": status})

    assert [i.patient.full_name for i, _t, _a in response.context["rows"]] == expected


def test_queue_patient_name_links_to_the_patient_page(staff):
    case = submitted_case(name="Linked Patient")

    page = staff.get("/staff/").content.decode()

    assert f'<a href="/staff/patients/{case.patient_id}/">Linked Patient</a>' in page
    assert '<div class="small text-body-secondary d-xl-none">age ' in page


# --- results for every test ------------------------------------------------------------------


def _results_post(version: int, *rows: tuple[str, str, str, str]) -> dict[str, str]:
    data = {
        "version": str(version),
        "results-TOTAL_FORMS": str(len(rows)),
        "results-INITIAL_FORMS": "0",
    }
    for index, (test, value, unit, taken_on) in enumerate(rows):
        data.update(
            {
                f"results-{index}-test": test,
                f"results-{index}-value": value,
                f"results-{index}-unit": unit,
                f"results-{index}-taken_on": taken_on,
            }
        )
    return data


TODAY = dt.date.today().isoformat()


@pytest.mark.parametrize(
    ("row", "stored"),
    [
        (("tsh", "2.5", "mIU/L", TODAY), ("tsh", 2.5, "mIU/L")),
        (("tsh", "4,1", "mIU/L", TODAY), ("tsh", 4.1, "mIU/L")),
        (("ttg_iga", "Negative", "", TODAY), ("ttg_iga", "neg", "")),
        (("ttg_iga", "pos", "", TODAY), ("ttg_iga", "pos", "")),
        (("total_iga", "normal", "", TODAY), ("total_iga", "normal", "")),
        (("total_iga", "LOW", "", TODAY), ("total_iga", "low", "")),
        (("calprotectin", "120", "µg/g", TODAY), ("calprotectin", 120, "µg/g")),
        (("calprotectin", "0", "µg/g", TODAY), ("calprotectin", 0, "µg/g")),
    ],
)
def test_case_results_each_test_is_stored_and_given_to_the_engine(staff, row, stored):
    from intake.models import LabResultEntry

    case = submitted_case()

    response = staff.post(f"/staff/cases/{case.pk}/results/", _results_post(case.version, row))

    case.refresh_from_db()
    entry = LabResultEntry.objects.get(intake=case)
    test, value, unit = stored
    assert response.status_code == 302
    assert (entry.test, entry.value, entry.unit, entry.taken_on.isoformat()) == (*stored, TODAY)
    assert case.current_assessment.kind == "results"
    assert case.current_assessment.engine_answers["prior_labs"] == [
        {"test": test, "value": value, "unit": unit or None, "days_ago": 0}
    ]


def test_case_results_recent_tsh_puts_thyroid_on_file(staff):
    case = submitted_case()

    staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(case.version, ("tsh", "2.5", "mIU/L", TODAY)),
    )

    case.refresh_from_db()
    flags = case.current_assessment.result["flags"]
    assert flags["thyroid"]["value"] == "on_file"
    assert sorted(
        TestRecommendation.objects.filter(assessment=case.current_assessment).values_list(
            "test", flat=True
        )
    ) == [
        "celiac",
        "iron_panel",
        "sibo_breath",
        "stool",
    ]


TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        (
            ("tsh", "high", "mIU/L", TODAY),
            {"value": ["Enter the result as a number, e.g. 42 or 3.5."]},
        ),
        (
            ("tsh", "-1", "mIU/L", TODAY),
            {"value": ["Enter the result as a number, e.g. 42 or 3.5."]},
        ),
        (
            ("tsh", "nan", "mIU/L", TODAY),
            {"value": ["Enter the result as a number, e.g. 42 or 3.5."]},
        ),
        (("tsh", "2.5", "ng/mL", TODAY), {"unit": ["Choose the unit from the report: mIU/L."]}),
        (("tsh", "2.5", "", TODAY), {"unit": ["Choose the unit from the report: mIU/L."]}),
        (
            ("tsh", "2.5", "mIU/L", TOMORROW),
            {"taken_on": ["The date of the test cannot be in the future."]},
        ),
        (("tsh", "", "mIU/L", TODAY), {"value": ["Enter the result as shown on the report."]}),
        (("ttg_iga", "maybe", "", TODAY), {"value": ["For this test enter negative or positive."]}),
        (
            ("ttg_iga", "<script>", "", TODAY),
            {"value": ["For this test enter negative or positive."]},
        ),
        (("ttg_iga", "neg", "%", TODAY), {"unit": ["This test has no unit: choose “No unit”."]}),
        (("total_iga", "high", "", TODAY), {"value": ["For this test enter low or normal."]}),
        (
            ("total_iga", "normal", "µg/g", TODAY),
            {"unit": ["This test has no unit: choose “No unit”."]},
        ),
        (
            ("calprotectin", "lots", "µg/g", TODAY),
            {"value": ["Enter the result as a number, e.g. 42 or 3.5."]},
        ),
        (
            ("calprotectin", "100001", "µg/g", TODAY),
            {"value": ["Enter the result as a number, e.g. 42 or 3.5."]},
        ),
        (
            ("calprotectin", "50", "mIU/L", TODAY),
            {"unit": ["Choose the unit from the report: µg/g."]},
        ),
        (("calprotectin", "50", "µg/g", "1899-12-31"), {"taken_on": ["Enter a date after 1900."]}),
        (
            ("calprotectin", "50", "µg/g", "31/12/2025"),
            {"taken_on": ["Enter the date as year-month-day, e.g. 2026-03-14."]},
        ),
        (
            ("zonulin", "50", "", TODAY),
            {
                "test": [
                    "Select a valid choice. zonulin is not one of the available choices.",
                    "Choose which test this result is for.",
                ]
            },
        ),
    ],
)
def test_case_results_bad_values_are_refused_with_the_row_kept(staff, row, errors):
    from intake.models import LabResultEntry

    case = submitted_case()

    response = staff.post(f"/staff/cases/{case.pk}/results/", _results_post(case.version, row))

    form = response.context["results_form"].rows.forms[0]
    assert response.status_code == 400
    assert form.errors == errors
    assert form["value"].value() == row[1]
    assert LabResultEntry.objects.count() == 0
    assert Assessment.objects.filter(intake=case).count() == 1
    assert "<details open>" in response.content.decode()


# --- conflicts: what was typed is never lost --------------------------------------------------

CONFLICT = (
    "Someone else changed this case while you were working on it. Their change is shown below; "
    "your entry was not saved, and is shown again so you can check it and send it again."
)


def _current(case, test: str) -> TestRecommendation:
    case.refresh_from_db()
    return TestRecommendation.objects.get(assessment=case.current_assessment, test=test)


def test_case_decision_while_a_colleague_enters_results_is_shown_on_the_tests_new_card(
    staff, other_practitioner
):
    case = submitted_case()
    typed_on = _current(case, "iron_panel")
    stale = case.version
    services.record_results(
        intake_id=case.pk,
        version=stale,
        results=[{"test": "tsh", "value": 2.5, "unit": "mIU/L", "taken_on": TODAY}],
        by=other_practitioner,
    )
    iron = _current(case, "iron_panel")

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {
            "version": stale,
            "recommendation": typed_on.pk,
            "decision": "declined",
            "reason": 'Done at the GP in May <b>"really"</b>',
        },
    )

    page = response.content.decode()
    iron.refresh_from_db()
    assert response.status_code == 409
    assert response.context["error"] == CONFLICT
    assert list(response.context["decision_errors"]) == [iron.pk]
    assert iron.pk != typed_on.pk
    assert f'value="declined" id="d-{iron.pk}-declined" checked' in page
    assert 'value="Done at the GP in May &lt;b&gt;&quot;really&quot;&lt;/b&gt;"' in page
    assert f'<a href="#test-{iron.pk}" class="alert-link">{CONFLICT}</a>' in page
    assert f'<div class="alert alert-warning py-1 px-2 small">{CONFLICT}</div>' in page
    assert 'class="alert alert-danger py-1 px-2 small"' not in page  # no empty red box
    assert iron.decision == Decision.PENDING


def test_case_decision_on_a_test_results_took_off_is_shown_as_unsaved(staff, other_practitioner):
    case = submitted_case()
    thyroid = _current(case, "thyroid")
    stale = case.version
    services.record_results(
        intake_id=case.pk,
        version=stale,
        results=[{"test": "tsh", "value": 2.5, "unit": "mIU/L", "taken_on": TODAY}],
        by=other_practitioner,
    )

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": stale, "recommendation": thyroid.pk, "decision": "ordered", "reason": "GP"},
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert response.context["unsaved_decision"] == {
        "test": "Thyroid (TSH, reflex free T4)",
        "decision": "Ordered",
        "reason": "GP",
        "errors": [],
    }
    assert response.context["decision_errors"] == {}
    assert '<a href="#unsaved-entry" class="alert-link">' in page
    assert "Thyroid (TSH, reflex free T4): Ordered, reason “GP”." in page


def test_case_decision_conflict_without_errors_shows_no_empty_alert(staff, other_practitioner):
    case = submitted_case()
    rec = _current(case, "stool")
    services.add_note(intake_id=case.pk, text="Called.", by=other_practitioner)

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": "ordered"},
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert 'role="alert"></div>' not in page
    assert page.count('class="alert alert-danger py-1 px-2 small"') == 0
    assert page.count('<div class="alert alert-warning py-1 px-2 small">') == 1


def test_case_results_while_a_colleague_closes_the_case_are_shown_back(staff, other_practitioner):
    case = submitted_case()
    stale = case.version
    services.change_status(intake_id=case.pk, version=stale, status="closed", by=other_practitioner)
    rows = [
        ("ferritin", "40", "ng/mL", TODAY),
        ("tsh", "2.5", "mIU/L", "2026-01-02"),
        ("ttg_iga", "negative", "", "2026-01-03"),
    ]

    response = staff.post(f"/staff/cases/{case.pk}/results/", _results_post(stale, *rows))

    page = response.content.decode()
    assert response.status_code == 409
    assert response.context["error"] == CONFLICT
    assert '<a href="#unsaved-entry" class="alert-link">' in page
    assert 'id="unsaved-entry"' in page
    assert "Not saved: this case is closed, so results cannot be entered." in page
    assert f'action="/staff/cases/{case.pk}/results/"' not in page
    assert [
        (r["test"], r["value"], r["unit"], r["taken_on"])
        for r in response.context["results_form"].typed_rows()
    ] == [
        ("Ferritin", "40", "ng/mL", TODAY),
        ("TSH (thyroid)", "2.5", "mIU/L", "2026-01-02"),
        ("Coeliac blood test (tTG-IgA)", "negative", "", "2026-01-03"),
    ]
    assert f"<tr><td>Ferritin</td><td>40</td><td>ng/mL</td><td>{TODAY}</td></tr>" in page
    assert "<tr><td>TSH (thyroid)</td><td>2.5</td><td>mIU/L</td><td>2026-01-02</td></tr>" in page
    assert (
        "<tr><td>Coeliac blood test (tTG-IgA)</td><td>negative</td><td>—</td>"
        "<td>2026-01-03</td></tr>"
    ) in page
    assert Assessment.objects.filter(intake=case).count() == 1


def test_case_results_on_a_closed_case_show_bad_and_hostile_rows_escaped(staff, practitioner):
    case = submitted_case()
    case = services.change_status(
        intake_id=case.pk, version=case.version, status="closed", by=practitioner
    )

    response = staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(case.version, ("ferritin", "<i>1</i>", "ng/mL", TODAY)),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "<i>1</i>" not in page
    assert (
        f"<tr><td>Ferritin</td><td>&lt;i&gt;1&lt;/i&gt;</td><td>ng/mL</td>"
        f'<td>{TODAY}</td></tr><tr><td colspan="4">Enter the result as a number, e.g. 42 or '
        "3.5.</td></tr>"
    ) in page


def test_case_results_conflict_opens_the_form_with_the_rows_and_the_message(
    staff, other_practitioner
):
    case = submitted_case()
    stale = case.version
    services.change_status(
        intake_id=case.pk, version=stale, status="in_review", by=other_practitioner
    )

    response = staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(stale, ("calprotectin", "130", "µg/g", "2026-01-05")),
    )

    page = response.content.decode()
    assert response.status_code == 409
    assert "<details open>" in page
    assert f'<div class="alert alert-warning py-1 small">{CONFLICT}</div>' in page
    assert 'name="results-0-value" value="130"' in page
    assert 'name="results-0-taken_on" value="2026-01-05"' in page
    assert '<a href="#h-results" class="alert-link">' in page


def test_case_results_form_is_closed_until_there_is_something_to_show(staff):
    case = submitted_case()

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    assert "<details>\n        <summary>Enter results and re-evaluate</summary>" in page


# --- the case page's assessments ---------------------------------------------------------


def test_case_page_rules_version_comes_after_all_answers(staff):
    case = submitted_case()

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    line = page.index('class="small text-body-secondary assessment-version"')
    assert page.count("assessment-version") == 1
    assert page.index('id="h-answers"') < line < page.index('aria-label="Workflow"')
    assert line > page.index("Consent ")


def test_case_page_earlier_assessment_is_shown_read_only_and_the_view_audited(staff, practitioner):
    case = submitted_case()
    first = case.current_assessment
    services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[{"test": "tsh", "value": 2.5, "unit": "mIU/L", "taken_on": TODAY}],
        by=practitioner,
    )

    response = staff.get(f"/staff/cases/{case.pk}/")

    page = response.content.decode()
    block = page[
        page.index('<details class="earlier-assessment') : page.index(
            "</details>", page.index('<details class="earlier-assessment')
        )
    ]
    assert response.context["case"].earlier_assessments == [first]
    assert f"<dt>Rules version</dt><dd>{first.ruleset_version}</dd>" in block
    assert "<li>Thyroid (TSH, reflex free T4): Suggested (THY-1, THY-3)</li>" in block
    assert "<form" not in block and "<input" not in block
    assert list(
        AuditEvent.objects.filter(action=AuditAction.VIEW, intake=case).values_list(
            "actor__username", "object_type"
        )
    ) == [("pat.practitioner", "Intake")]


def test_case_page_without_results_lists_no_earlier_assessment(staff):
    case = submitted_case()

    response = staff.get(f"/staff/cases/{case.pk}/")

    assert response.context["case"].earlier_assessments == []
    assert 'id="h-assessments"' not in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("patient", ["Amy Able", "Zed Zulu"]), ("-patient", ["Zed Zulu", "Amy Able"])],
)
def test_csv_export_rows_follow_the_queue_sort(staff, sort, expected):
    submitted_case(name="Zed Zulu")
    submitted_case(name="Amy Able")

    response = staff.get("/staff/export.csv", {"sort": sort})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()

    assert [line.split(",")[8] for line in lines[1:]] == expected


def test_csv_export_refuses_an_unknown_sort(staff):
    submitted_case()

    response = staff.get("/staff/export.csv", {"sort": "newest"})

    assert (response.status_code, response.content.decode()) == (400, "Unknown sort order.")


# --- why each rule fired (revision 3) and results stored under earlier rules ----------------


class _Blocks(HTMLParser):
    """What a reader sees of a page part: the text of each block (heading, paragraph, list
    item...) in reading order, whitespace collapsed, with how many lists it sits in. Forms are
    left out (the decision controls are tested elsewhere)."""

    BLOCKS = frozenset({"h2", "h3", "p", "li", "dt", "dd", "div", "th", "td"})

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[list] = []
        self.open: list[int] = []
        self.lists = 0
        self.in_form = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.in_form += 1
        if tag in ("ul", "ol"):
            self.lists += 1
        if tag in self.BLOCKS:
            self.lines.append([self.lists, ""])
            self.open.append(len(self.lines) - 1)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form -= 1
        if tag in ("ul", "ol"):
            self.lists -= 1
        if tag in self.BLOCKS and self.open:
            self.open.pop()
            if self.open:
                # Text after a block, inside its parent, reads as a line of its own.
                self.lines.append([self.lines[self.open[-1]][0], ""])
                self.open[-1] = len(self.lines) - 1

    def handle_data(self, data):
        if self.open and not self.in_form:
            self.lines[self.open[-1]][1] += data


def _section(page: str, heading_id: str) -> list[tuple[int, str]]:
    start = page.index(f'<section class="case-section" aria-labelledby="{heading_id}">')
    parser = _Blocks()
    parser.feed(page[start : page.index("</section>", start)])
    return [(depth, " ".join(text.split())) for depth, text in parser.lines if text.strip()]


LOOSE = f"{questionnaire.QUESTIONS['loose_stools_4wk'].label} Yes"
NEW_RED_FLAGS = [
    (0, "Red flags"),
    (
        0,
        "EMERGENCY: warning signs reported. Contact the patient today; they were told to seek "
        "emergency care now.",
    ),
    (1, "RF-2 Guideline Black, tarry stools: possible upper GI bleed."),
    (2, "In the last 3 months, have you had black, sticky, tar-like, bad-smelling stools? Yes"),
    (2, "Iron tablets"),
    (1, "RF-5 Practice-based New bowel symptoms at 50 or over."),
    (2, "Gut symptoms (weekly, or for 4 weeks or more)"),
    (3, LOOSE),
    (
        2,
        f"{questionnaire.QUESTIONS['gi_symptom_duration_months'].label} Not answered (counted "
        "as onset at 50 or over)",
    ),
    (1, "RF-10 Guideline Possible cord or cauda equina compression."),
    (
        2,
        "Is there numbness or tingling, new in the last 4 weeks, between your legs, around your "
        "bottom or genitals? Yes",
    ),
    (0, "Answered “Not sure”"),
    (
        1,
        f"{questionnaire.QUESTIONS['fever_with_gi'].label} — answered Not sure: ask the patient",
    ),
]


def test_case_page_red_flags_say_why_with_tier_emergency_and_not_sure(staff, monkeypatch):
    case = case_under_revision_3(monkeypatch)

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    assert _section(page, "h-redflags") == NEW_RED_FLAGS


def test_case_page_not_sure_to_an_emergency_question_says_contact_today(staff, monkeypatch):
    result = copy.deepcopy(REVISION_3)
    result["urgent"] = {
        "value": True,
        "reasons": [
            {
                "rule": "RF-U",
                "tier": "P",
                "reason": "Answered Not sure to an emergency-level question: contact the patient "
                "today",
                "because": [{"key": "saddle_numbness", "value": "unsure"}],
            }
        ],
        "crisis": False,
        "emergency": False,
    }
    result["data_quality"]["unsure_red_flags"] = ["saddle_numbness"]
    case = case_under_revision_3(monkeypatch, result)

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    saddle = (
        "Is there numbness or tingling, new in the last 4 weeks, between your legs, around your "
        "bottom or genitals?"
    )
    assert _section(page, "h-redflags") == [
        (0, "Red flags"),
        (0, "Urgent: contact the patient today."),
        (
            1,
            "RF-U Practice-based Answered Not sure to an emergency-level question: contact the "
            "patient today",
        ),
        (2, f"{saddle} Not sure"),
        (0, "Answered “Not sure”"),
        (1, f"{saddle} — answered Not sure: ask the patient"),
    ]


def test_case_page_tests_say_why_each_rule_fired_and_raise_positive_ttg_and_sibo(
    staff, monkeypatch
):
    from intake.questionnaire import QUESTIONS

    case = case_under_revision_3(monkeypatch)
    agonist = dict(QUESTIONS["rls_treatment_meds"].choices)["dopamine_agonist"]

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    recommendations = TestRecommendation.objects.filter(intake=case).order_by("pk")
    assert [(r.test, r.value) for r in recommendations] == [
        ("thyroid", "order"),
        ("iron_panel", "order"),
        ("celiac", "positive_on_file"),
        ("sibo_breath", "consider"),
    ]
    assert _section(page, "h-tests") == [
        (0, "Tests to consider"),
        (0, "Thyroid (TSH, reflex free T4)"),
        (0, "Not decided yet"),
        (0, "Suggested"),
        (
            1,
            "THY-1 Guideline Chronic diarrhoea: thyroid function is part of the initial work-up "
            "(BSG 2018).",
        ),
        (2, "Chronic diarrhoea"),
        (3, LOOSE),
        (1, "THY-2b Guideline Higher risk of thyroid disease: case-finding TSH (ATA/AACE 2012)."),
        (2, f"{questionnaire.QUESTIONS['fhx_thyroid'].label} Yes"),
        (0, "Iron panel with ferritin"),
        (0, "Not decided yet"),
        (0, "Suggested"),
        (
            1,
            "IRON-1 Guideline RLS criteria met: iron studies (ferritin and TSAT) are recommended "
            "in all RLS (AASM 2024; Silber 2021)",
        ),
        (2, "RLS criteria: met"),
        (
            1,
            "IRON-3 Guideline On RLS medication: iron studies (ferritin and TSAT) are recommended, "
            "and low iron raises the risk of augmentation (AASM 2024; IRLSSG 2016)",
        ),
        (2, "Do you take anything for your restless legs now? Yes"),
        (2, agonist),
        (0, f"Note: {IV_IRON_CAVEAT}"),
        (0, "Also weigh: heavy periods, IV iron in the last 12 weeks"),
        (0, "Coeliac serology"),
        (0, "Not decided yet"),
        (0, "Positive tTG-IgA on file: refer"),
        (1, "CEL-5 Guideline A positive tTG-IgA is on file."),
        (2, "Coeliac blood test (tTG-IgA): Positive"),
        (
            0,
            "Note: Positive tTG-IgA on file: refer to gastroenterology for duodenal biopsy while "
            "still eating gluten; do not repeat the serology",
        ),
        (0, "SIBO breath test"),
        (0, "Not decided yet"),
        (0, "Optional: consider"),
        (
            1,
            "SIBO-2 Guideline, conditional (very low certainty) Gut symptoms after bowel surgery: "
            "a breath test may be considered (ACG 2020).",
        ),
        (2, "Symptoms that fit SIBO (abdominal pain, bloating, gas or diarrhoea)"),
        (3, LOOSE),
        (2, "Surgery on the stomach or bowel"),
        (0, "Other tests"),
        (1, "Stool testing: Not flagged"),
    ]


def test_case_page_shows_rls_cautions_and_the_ibs_note(staff, monkeypatch):
    case = case_under_revision_3(monkeypatch)

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    rls = _section(page, "h-rls")
    cautions = rls.index((0, "Cautions before relying on the criteria"))
    assert rls[cautions : cautions + 3] == [
        (0, "Cautions before relying on the criteria"),
        (
            1,
            "Akathisia from this medicine can look like RLS: restlessness of the whole body, less "
            "tied to evening or rest — practitioner to confirm",
        ),
        (
            1,
            "Varicose veins can cause leg symptoms like RLS; the criteria require that it does "
            "not fully explain them — practitioner to confirm",
        ),
    ]
    assert _section(page, "h-gut") == [
        (0, "Gut (Rome IV adult): Incomplete answers"),
        (0, "IBS subtype"),
        (0, "—"),
        (0, "Note"),
        (
            0,
            "The constipation has not been treated yet: Rome IV asks whether the pain settles "
            "once it is",
        ),
        (0, "Alarm features"),
        (0, "Present: exclude organic disease first"),
        (0, "IBS-SSS"),
        (0, "Not completed"),
    ]


def test_case_page_other_tests_say_why_a_rule_fired_when_not_raised(staff, monkeypatch):
    result = copy.deepcopy(REVISION_3)
    result["flags"]["iron_panel"]["value"] = "on_file"
    result["flags"]["iron_panel"]["context"] = ["blood_donor_regular"]
    result["flags"]["iron_panel"]["caveat"] = None
    case = case_under_revision_3(monkeypatch, result)

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    others = _section(page, "h-tests")
    assert others[others.index((0, "Other tests")) :] == [
        (0, "Other tests"),
        (
            1,
            "Iron panel with ferritin: Recent result on file (IRON-1, IRON-3). Also weigh: "
            "regular blood donation",
        ),
        (1, "IRON-1: RLS criteria: met"),
        (
            1,
            "IRON-3: Do you take anything for your restless legs now? Yes; "
            + dict(questionnaire.QUESTIONS["rls_treatment_meds"].choices)["dopamine_agonist"],
        ),
        (1, "Stool testing: Not flagged"),
    ]


def test_case_print_view_and_pdf_say_why_on_one_line_each(staff, monkeypatch):
    from intake import exports

    case = case_under_revision_3(monkeypatch)
    printed = {}
    monkeypatch.setattr(exports, "html_to_pdf", lambda html: printed.setdefault("html", html))
    agonist = dict(questionnaire.QUESTIONS["rls_treatment_meds"].choices)["dopamine_agonist"]

    print_view = staff.get(f"/staff/cases/{case.pk}/print/").content.decode()
    staff.get(f"/staff/cases/{case.pk}/summary.pdf")

    for html in (print_view, printed["html"]):
        assert _section(html, "h-redflags") == [
            NEW_RED_FLAGS[0],
            NEW_RED_FLAGS[1],
            (
                1,
                "RF-2 Guideline Black, tarry stools: possible upper GI bleed. Because: In the last "
                "3 months, have you had black, sticky, tar-like, bad-smelling stools? Yes; Iron "
                "tablets",
            ),
            (
                1,
                "RF-5 Practice-based New bowel symptoms at 50 or over. Because: Gut symptoms "
                "(weekly, or for 4 weeks or more); "
                f"{questionnaire.QUESTIONS['gi_symptom_duration_months'].label} Not answered "
                "(counted as onset at 50 or over)",
            ),
            (
                1,
                "RF-10 Guideline Possible cord or cauda equina compression. Because: Is there "
                "numbness or tingling, new in the last 4 weeks, between your legs, around your "
                "bottom or genitals? Yes",
            ),
            *NEW_RED_FLAGS[-2:],
        ]
        tests = _section(html, "h-tests")
        assert [line for line in tests if "Because:" in line[1]] == [
            (
                1,
                "THY-1 Guideline Chronic diarrhoea: thyroid function is part of the initial "
                "work-up (BSG 2018). Because: Chronic diarrhoea",
            ),
            (
                1,
                "THY-2b Guideline Higher risk of thyroid disease: case-finding TSH (ATA/AACE "
                f"2012). Because: {questionnaire.QUESTIONS['fhx_thyroid'].label} Yes",
            ),
            (
                1,
                "IRON-1 Guideline RLS criteria met: iron studies (ferritin and TSAT) are "
                "recommended in all RLS (AASM 2024; Silber 2021) Because: RLS criteria: met",
            ),
            (
                1,
                "IRON-3 Guideline On RLS medication: iron studies (ferritin and TSAT) are "
                "recommended, and low iron raises the risk of augmentation (AASM 2024; IRLSSG "
                f"2016) Because: Do you take anything for your restless legs now? Yes; {agonist}",
            ),
            (
                1,
                "CEL-5 Guideline A positive tTG-IgA is on file. Because: Coeliac blood test "
                "(tTG-IgA): Positive",
            ),
            (
                1,
                "SIBO-2 Guideline, conditional (very low certainty) Gut symptoms after bowel "
                "surgery: a breath test may be considered (ACG 2020). Because: Symptoms that fit "
                "SIBO (abdominal pain, bloating, gas or diarrhoea); Surgery on the stomach or "
                "bowel",
            ),
        ]
        # What each derived fact rests on, once for the page.
        assert tests[-1] == (
            0,
            f"Worked out from the answers: Gut symptoms (weekly, or for 4 weeks or more): {LOOSE}. "
            f"Chronic diarrhoea: {LOOSE}. Symptoms that fit SIBO (abdominal pain, bloating, gas or "
            f"diarrhoea): {LOOSE}.",
        )
        assert f"rules version {NEW_VERSION} ·" in html


def test_case_page_result_stored_under_2026_2_shows_as_it_was_with_its_version(staff, monkeypatch):
    case = case_stored_under_2026_2(monkeypatch)
    # Built literally: what rules 2026.2 stored (no because, no tier on red flags, SIBO "order").
    assert case.current_assessment.result == RULES_2026_2

    response = staff.get(f"/staff/cases/{case.pk}/")
    print_view = staff.get(f"/staff/cases/{case.pk}/print/").content.decode()

    page = response.content.decode()
    red_flags = [
        (0, "Red flags"),
        (
            0,
            "CRISIS: suicidal ideation reported. Contact the patient today; crisis resources were "
            "shown to them.",
        ),
        # No "review within one working day" beside the crisis: the case is contacted today.
        (1, "RF-1 Rectal bleeding reported: GI bleeding needs prompt evaluation."),
        (
            1,
            "RF-12 Thoughts of self-harm or of being better off dead reported: crisis pathway.",
        ),
    ]
    tests = [
        (0, "Tests to consider"),
        (0, "Thyroid (TSH, reflex free T4)"),
        (0, "Not decided yet"),
        (0, "Suggested"),
        (
            1,
            "THY-1 Guideline Chronic diarrhoea: thyroid function is part of the initial work-up "
            "(BSG 2018).",
        ),
        (0, "SIBO breath test"),
        (0, "Not decided yet"),
        (0, "Suggested"),
        (
            1,
            "SIBO-4 Clinic protocol RLS criteria are met with gut symptoms: the clinic protocol "
            "offers a SIBO breath test (one small study, not a guideline).",
        ),
        (0, "Other tests"),
        (
            1,
            "Iron panel with ferritin: Recent result on file (IRON-1). Interpretation: Ferritin "
            "60: oral or IV iron candidate.",
        ),
        (1, "Coeliac serology: Not flagged"),
        (1, "Stool testing: Not flagged"),
    ]
    for html in (page, print_view):
        assert _section(html, "h-redflags") == red_flags
        assert _section(html, "h-tests") == tests
        assert "Cautions before relying" not in html and 'class="because' not in html
    assert _section(page, "h-gut")[:3] == [
        (0, "Gut (Rome IV adult): Incomplete answers"),
        (0, "IBS subtype"),
        (0, "—"),
    ]
    assert response.context["case"].assessment.ruleset_version == "2026.2"
    made = timezone.localtime(case.current_assessment.created_at)
    assert (
        f'assessment-version">Assessment complete · rules version 2026.2 · patient submission '
        f"on {made:%Y-%m-%d %H:%M}</p>"
    ) in page


HOSTILE = "<script>alert(1)</script>"


def test_case_page_print_and_pdf_escape_hostile_stored_words(staff, monkeypatch):
    from intake import exports

    result = copy.deepcopy(REVISION_3)
    result["urgent"]["reasons"][0]["because"] = [{"key": HOSTILE, "value": HOSTILE}]
    result["flags"]["thyroid"]["rules_fired"][0]["because"] = [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "prior_labs.<b>x</b>", "value": HOSTILE},
    ]
    result["rls"]["cautions"] = [{"id": "x", "text": HOSTILE}]
    result["ibs"]["notes"] = [HOSTILE]
    result["flags"]["iron_panel"]["context"] = [HOSTILE]
    result["data_quality"]["unsure_red_flags"] = [HOSTILE]
    case = case_under_revision_3(monkeypatch, result)
    printed = {}
    monkeypatch.setattr(exports, "html_to_pdf", lambda html: printed.setdefault("html", html))

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    print_view = staff.get(f"/staff/cases/{case.pk}/print/").content.decode()
    staff.get(f"/staff/cases/{case.pk}/summary.pdf")

    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert _section(page, "h-redflags")[3] == (2, f"{HOSTILE}: {HOSTILE}")
    assert f"<li>{escaped}: {escaped}</li>" in page
    assert f"<li>prior_labs.&lt;b&gt;x&lt;/b&gt;: {escaped}</li>" in page
    for html in (print_view, printed["html"]):
        assert f"Because: {escaped}: {escaped}</span>" in html
        assert (
            f"Because: Chronic diarrhoea; prior_labs.&lt;b&gt;x&lt;/b&gt;: {escaped}</span>" in html
        )
    for html in (page, print_view, printed["html"]):
        assert HOSTILE not in html and "<b>x</b>" not in html
        assert f"<li>{escaped} — answered Not sure: ask the patient</li>" in html
        assert f'<p class="mb-0">{escaped}</p>' in html
        assert f"Also weigh: {escaped}" in html


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"crisis": True, "emergency": False, "urgent": True}, ["Crisis"]),
        ({"crisis": False, "emergency": True, "urgent": True}, ["Emergency"]),
        ({"crisis": True, "emergency": True, "urgent": True}, ["Crisis", "Emergency"]),
        ({"crisis": False, "emergency": False, "urgent": True}, ["Urgent"]),
        ({"crisis": False, "emergency": False, "urgent": False}, []),
        # An intake without the emergency field (as before revision 3) shows as before.
        ({"crisis": False, "urgent": True}, ["Urgent"]),
    ],
)
def test_urgent_badge_marks_crisis_and_emergency_side_by_side(flags, expected):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    html = render_to_string("intake/staff/_urgent_badge.html", {"intake": SimpleNamespace(**flags)})

    assert re.findall(r'<span class="badge text-bg-danger">([^<]*)</span>', html) == expected


# --- decisions across re-evaluation, ordering, lab names ----------------------------------


def test_case_results_keep_decisions_on_tests_still_suggested_with_who_when_why(
    staff, practitioner, other_practitioner
):
    case = submitted_case()
    thyroid = _current(case, "thyroid")
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=thyroid.pk,
        decision=Decision.DECLINED,
        reason="TSH done at the GP",
        by=other_practitioner,
    )
    thyroid.refresh_from_db()
    case.refresh_from_db()

    staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(case.version, ("ferritin", "38", "ng/mL", TODAY)),
    )

    carried = _current(case, "thyroid")
    assert carried.pk != thyroid.pk
    assert (
        carried.decision,
        carried.decision_reason,
        carried.decided_by,
        carried.decided_at,
    ) == (Decision.DECLINED, "TSH done at the GP", other_practitioner, thyroid.decided_at)
    # Only the decided test carries a decision; the others start undecided.
    assert {
        rec.decision
        for rec in TestRecommendation.objects.filter(assessment=case.current_assessment)
        if rec.test != "thyroid"
    } == {Decision.PENDING}
    assert list(
        AuditEvent.objects.filter(intake=case, action__in=["results", "decision"])
        .order_by("pk")
        .values_list("action", "actor", "object_id", "summary")
    ) == [
        (
            "decision",
            other_practitioner.pk,
            str(thyroid.pk),
            f"{thyroid.get_test_display()}: Declined",
        ),
        (
            "results",
            practitioner.pk,
            str(case.current_assessment_id),
            "1 result(s) entered; re-evaluated",
        ),
        (
            "decision",
            practitioner.pk,
            str(carried.pk),
            f"{thyroid.get_test_display()}: Declined (kept from before the re-evaluation)",
        ),
    ]


def test_case_page_shows_an_ordered_test_that_results_took_off_as_decided_before(
    staff, practitioner
):
    case = submitted_case()
    iron = _current(case, "iron_panel")
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=iron.pk,
        decision=Decision.ORDERED,
        by=practitioner,
    )
    case.refresh_from_db()
    staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(case.version, ("ferritin", "38", "ng/mL", TODAY), ("tsat", "19", "%", TODAY)),
    )

    response = staff.get(f"/staff/cases/{case.pk}/")

    iron.refresh_from_db()
    detail = response.context["case"]
    when = timezone.localtime(iron.decided_at).strftime("%Y-%m-%d %H:%M")
    assert [r.test for r in detail.recommendations].count("iron_panel") == 0
    assert [(d.test, d.decision, d.current) for d in detail.decisions] == [
        ("iron_panel", Decision.ORDERED, False)
    ]
    assert [
        line
        for _depth, line in _section(response.content.decode(), "h-tests")
        if line.startswith("Iron panel with ferritin: Ordered")
    ] == [
        f"Iron panel with ferritin: Ordered by pat.practitioner, {when} (before the latest results)"
    ]
    assert detail.intake.status == CaseStatus.TESTS_ORDERED


@pytest.mark.parametrize("start", [CaseStatus.NEW, CaseStatus.IN_REVIEW])
def test_case_ordering_a_test_moves_the_case_to_tests_ordered(staff, practitioner, start):
    case = submitted_case()
    if start == CaseStatus.IN_REVIEW:
        case = services.change_status(
            intake_id=case.pk, version=case.version, status=start, by=practitioner
        )
    rec = _current(case, "stool")

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": "ordered"},
        follow=True,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.TESTS_ORDERED
    assert [str(m) for m in response.context["messages"]] == [
        "Stool testing: ordered. The case is now “Tests ordered”."
    ]
    assert AuditEvent.objects.filter(intake=case, action="status").latest("pk").summary == (
        f"{CaseStatus(start).label} → Tests ordered (a test was ordered)"
    )


@pytest.mark.parametrize("decision", [Decision.DECLINED, Decision.ALREADY_DONE])
def test_case_declining_or_already_done_leaves_the_status(staff, decision):
    case = submitted_case()
    rec = _current(case, "stool")

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": decision, "reason": "GP"},
        follow=True,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert [str(m) for m in response.context["messages"]] == [
        f"Stool testing: {Decision(decision).label.lower()}."
    ]
    assert not AuditEvent.objects.filter(intake=case, action="status").exists()


def test_case_ordering_a_second_test_keeps_tests_ordered_and_says_nothing_more(staff):
    case = submitted_case()
    first, second = _current(case, "stool"), _current(case, "thyroid")
    staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": first.pk, "decision": "ordered"},
    )
    case.refresh_from_db()

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": second.pk, "decision": "ordered"},
        follow=True,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.TESTS_ORDERED
    assert [str(m) for m in response.context["messages"]] == [
        "Stool testing: ordered. The case is now “Tests ordered”.",  # the first, not followed
        "Thyroid (TSH, reflex free T4): ordered.",
    ]
    assert AuditEvent.objects.filter(intake=case, action="status").count() == 1


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        (
            (("ferritin", "38", "ng/mL", TODAY), ("tsat", "19", "%", TODAY)),
            "iron_therapy_candidate",
        ),
        ((("ferritin", "90", "ng/mL", TODAY), ("tsat", "25", "%", TODAY)), "iv_iron_candidate"),
        (
            (("ferritin", "150", "µg/L", TODAY), ("tsat", "30", "%", TODAY)),
            "no_iron_by_rls_thresholds",
        ),
    ],
)
def test_case_results_interpretation_is_the_one_for_the_patients_values(staff, rows, code):
    case = submitted_case()

    staff.post(f"/staff/cases/{case.pk}/results/", _results_post(case.version, *rows))
    page = staff.get(f"/staff/cases/{case.pk}/")

    case.refresh_from_db()
    interpretation = case.current_assessment.result["flags"]["iron_panel"]["interpretation"]
    assert interpretation["code"] == code
    assert [
        row.interpretation for row in page.context["case"].test_rows if row.test == "iron_panel"
    ] == [interpretation["text"]]


def test_case_results_a_result_entered_for_the_day_the_patient_gave_is_the_one_interpreted(
    staff,
):
    # The patient typed ferritin 22 for a day; the clinic enters the lab's 150 for that day.
    day = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    case = submitted_case(
        prior_labs=[{"test": "ferritin", "value": 22, "unit": "ng/mL", "taken_on": day}]
    )

    staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(case.version, ("ferritin", "150", "ng/mL", day), ("tsat", "30", "%", day)),
    )

    case.refresh_from_db()
    iron = case.current_assessment.result["flags"]["iron_panel"]
    assert iron["value"] == "on_file"
    assert iron["interpretation"]["code"] == "no_iron_by_rls_thresholds"


def test_case_page_results_use_lab_names_values_and_units(staff):
    case = submitted_case()
    staff.post(
        f"/staff/cases/{case.pk}/results/",
        _results_post(
            case.version,
            ("ttg_iga", "pos", "", "2026-11-02"),
            ("tsat", "19.0", "%", "2026-11-01"),
            ("ferritin", "38", "µg/L", "2026-11-01"),
        ),
    )

    html = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    table = html[html.index('<table class="table table-sm small results-table">') :]
    cells = re.findall(r"<td>([^<]*)</td>", table[: table.index("</table>")])
    assert [cells[i : i + 3] for i in range(0, len(cells), 4)] == [
        ["Coeliac blood test (tTG-IgA)", "Positive", "2026-11-02"],
        ["Ferritin", "38 µg/L", "2026-11-01"],
        ["Transferrin saturation (TSAT)", "19 %", "2026-11-01"],
    ]


# --- what tells the queue's rows apart -----------------------------------------------------


def _queue_cells(html: str, case) -> list[str]:
    """The cells of a case's row in the work queue, as text (tags dropped)."""
    link = html.index(f'<a class="text-nowrap" href="/staff/cases/{case.pk}/"')
    row = html[html.rindex("<tr", 0, link) : html.index("</tr>", link)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_queue_tests_mark_clinic_protocol_only_and_optional_sibo(staff):
    gut = submitted_case(name="Gut And Legs")
    legs = submitted_case(name="Legs Only", loose_stools_4wk="no")

    response = staff.get("/staff/")

    html = response.content.decode()
    rows = {intake.pk: tests for intake, tests, _age in response.context["rows"]}
    assert [(t.short_name, t.protocol_only, t.optional) for t in rows[gut.pk]] == [
        ("Thyroid", False, False),
        ("Iron", False, False),
        ("Coeliac", False, False),
        ("Stool", False, False),
        ("SIBO", True, True),
    ]
    assert [(t.short_name, t.protocol_only, t.optional) for t in rows[legs.pk]] == [
        ("Thyroid", True, False),
        ("Iron", False, False),
        ("Coeliac", True, False),
    ]
    # What a screen reader hears, and the outlined badge for clinic protocol.
    assert _queue_cells(html, legs)[7] == (
        "Thyroid Thyroid (TSH, reflex free T4) (clinic protocol) Iron Iron panel with ferritin "
        "Coeliac Coeliac serology (clinic protocol)"
    )
    assert _queue_cells(html, gut)[7].endswith(
        "SIBO consider SIBO breath test, optional: consider (clinic protocol)"
    )
    assert html.count('class="badge queue-test queue-test-protocol"') == 3 + 1  # + the legend


def test_queue_urgent_rows_name_their_red_flags_and_crisis_says_no_working_day(staff):
    urgent = submitted_case(name="Two Flags", rectal_bleeding="yes", fever_with_gi="yes")
    crisis = submitted_case(
        name="Crisis Flag", rectal_bleeding="yes", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 1]
    )
    calm = submitted_case(name="No Flags")

    response = staff.get("/staff/")

    html = response.content.decode()
    desktop = {case.pk: _queue_cells(html, case)[1] for case in (urgent, crisis, calm)}
    assert desktop == {
        urgent.pk: "Urgent Red flags: RF-1, RF-8",
        crisis.pk: "Crisis Red flags: RF-1, RF-12",
        calm.pk: "No",
    }
    assert "working day" not in html


@pytest.mark.parametrize(
    ("reasons", "expected"),
    [
        ([{"rule": "RF-1"}, {"rule": "RF-U"}, {"rule": "RF-1"}], ["RF-1", "RF-U"]),
        (None, []),
        ("RF-1", []),
        ([None, 3, {"rule": 7}, {"tier": "G"}, {"rule": "<b>RF-2</b>"}], ["<b>RF-2</b>"]),
    ],
)
def test_red_flag_rules_reads_the_stored_reasons_defensively(reasons, expected):
    intake = Intake()
    intake.red_flag_reasons = reasons

    assert selectors.red_flag_rules(intake) == expected


def test_case_results_form_empty_rows_are_those_the_form_renders(staff):
    # The empty rows are rendered once per language and reused: they must be exactly what
    # rendering the form's rows would give, and typed rows (with their errors) never reuse them.
    from django.template.loader import render_to_string

    from intake.forms import ResultsForm

    case = submitted_case()
    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    expected = render_to_string("intake/staff/_case_result_rows.html", {"rows": ResultsForm().rows})
    refused = staff.post(
        f"/staff/cases/{case.pk}/results/",
        {
            "version": case.version,
            "results-TOTAL_FORMS": "3",
            "results-INITIAL_FORMS": "0",
            "results-0-test": "ferritin",
            "results-0-value": "not a number",
            "results-0-unit": "ng/mL",
            "results-0-taken_on": dt.date.today().isoformat(),
        },
    ).content.decode()

    assert expected in page
    assert 'name="results-0-test"' in expected and 'name="results-2-taken_on"' in expected
    assert expected not in refused
    assert 'value="not a number"' in refused

"""The practitioner's work queue and case page: filters, workflow, conflicts, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from intake import services
from intake.enums import AuditAction, CaseStatus, Decision
from intake.models import Assessment, AuditEvent, Note, TestRecommendation
from tests.cases import submitted_case
from tests.conftest import login_verified

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


def test_queue_query_count_does_not_grow_with_rows(staff):
    submitted_case(name="Only One")
    with CaptureQueriesContext(connection) as one:
        staff.get("/staff/")
    for number in range(49):
        submitted_case(name=f"Patient {number}", rectal_bleeding="yes" if number % 3 else "no")
    with CaptureQueriesContext(connection) as fifty:
        response = staff.get("/staff/", {"page": "2"})

    assert len(response.context["rows"]) == 25
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
    from tests.conftest import open_invitation

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
    staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": rec.pk, "decision": "ordered"},
    )
    staff.post(f"/staff/cases/{case.pk}/note/", {"text": "Called the patient."})
    case.refresh_from_db()
    staff.post(f"/staff/cases/{case.pk}/status/", {"version": case.version, "status": "closed"})
    case.refresh_from_db()
    closed_status = case.status
    staff.post(f"/staff/cases/{case.pk}/status/", {"version": case.version, "status": "in_review"})
    case.refresh_from_db()

    rec.refresh_from_db()
    assert rec.decision == Decision.ORDERED
    assert Note.objects.get().text == "Called the patient."
    assert closed_status == CaseStatus.CLOSED
    assert case.status == CaseStatus.IN_REVIEW
    assert list(
        AuditEvent.objects.filter(intake=case)
        .exclude(action=AuditAction.VIEW)
        .order_by("pk")
        .values_list("action", flat=True)
    )[-5:] == ["status", "decision", "note", "status", "status"]


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

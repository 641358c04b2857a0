"""The work queue and the case page run a fixed number of queries, whatever their rows: the
queue with one case or several (assigned, with raised tests, red flags, waiting for contact),
on its first, a later and the last page; the case page with a short history or a long one
(notes, results, decisions, prints and views). The case's timeline is paged, newest first."""

from __future__ import annotations

import pytest
from django.test import Client

from intake import middleware, selectors, services
from intake.enums import AuditAction, Role
from intake.models import AuditEvent, Intake, TestRecommendation
from tests.factories import login_verified, staff_user, submitted_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nothing_kept")]

# What every staff page reads first: the session, the user, the second factor, the user's and
# the groups' permissions.
PER_REQUEST = 5
# The queue page: the page's rows, their raised tests, the patients waiting for contact, the
# audit event of the view, and the count strip (one statement for its four counts).
QUEUE_QUERIES = PER_REQUEST + 5
# The case page: the case, the audit event of the view, assessments, recommendations, the
# timeline's page, notes, lab results, the patient's other questionnaires, decisions, and the
# staff it may be assigned to.
CASE_QUERIES = PER_REQUEST + 10


@pytest.fixture(autouse=True)
def _idle_clock_written_once(monkeypatch):
    # A staff request writes the session when the idle clock's last restart is a minute old;
    # a slow run could cross that minute while the cases are made and count one more query.
    monkeypatch.setattr(middleware, "IDLE_CLOCK_STEP_SECONDS", 24 * 60 * 60)


def _signed_in(user) -> Client:
    client = login_verified(Client(), user)
    client.get("/staff/")  # the idle clock restarted: not written again within the minute
    return client


def _busy_case(name: str, assignee) -> Intake:
    """A case assigned, with a crisis answer (contact needed), its tests raised."""
    case = submitted_case(name=name, phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2])
    Intake.objects.filter(pk=case.pk).update(assigned_to=assignee)
    return case


@pytest.mark.parametrize("rows", [1, 4])
def test_queue_queries_are_the_same_for_one_case_or_several(
    practitioner, django_assert_num_queries, rows
):
    client = _signed_in(practitioner)
    assignee = staff_user("queue.assignee", Role.PRACTITIONER)
    for number in range(rows):
        _busy_case(f"Queue Patient {number}", assignee)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get("/staff/")

    assert len(response.context["rows"]) == rows
    assert len(response.context["needing_contact"].rows) == rows
    assert all(tests for _intake, tests, _age in response.context["rows"])


def test_queue_queries_are_the_same_on_a_later_and_the_last_page(
    practitioner, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("intake.selectors.queue.QUEUE_PER_PAGE", 2)
    client = _signed_in(practitioner)
    for number in range(5):
        submitted_case(name=f"Paged Patient {number}")
    first = client.get("/staff/").context["pager"]

    with django_assert_num_queries(QUEUE_QUERIES):
        later = client.get("/staff/" + first.next)
    with django_assert_num_queries(QUEUE_QUERIES):
        last = client.get("/staff/" + first.last)

    assert [r.context["pager"].showing for r in (later, last)] == [
        "Showing cases 3–4",
        "Showing the last 2 cases",
    ]


def _long_history(case: Intake, practitioner, events: int) -> None:
    for number in range(events):
        services.add_note(intake_id=case.pk, text=f"Note {number}", by=practitioner)
        for action in (AuditAction.PRINT, AuditAction.VIEW):
            services.record_event(action=action, actor=practitioner, intake=case, obj=case)
    case.refresh_from_db()
    recommendation = TestRecommendation.objects.filter(
        assessment_id=case.current_assessment_id
    ).first()
    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=recommendation.pk,
        decision="ordered",
        reason="",
        by=practitioner,
    )


@pytest.mark.parametrize("events", [0, 60])
def test_case_page_queries_are_the_same_for_a_short_or_long_history(
    practitioner, django_assert_num_queries, events
):
    client = _signed_in(practitioner)
    case = submitted_case(name="History Patient")
    _long_history(case, practitioner, events)

    with django_assert_num_queries(CASE_QUERIES):
        response = client.get(f"/staff/cases/{case.pk}/")

    story = (
        AuditEvent.objects.filter(intake=case)
        .exclude(action=AuditAction.VIEW)
        .exclude(action=AuditAction.UPDATE, actor__isnull=True)
    )
    timeline = response.context["case"].timeline
    assert len(timeline) == min(selectors.TIMELINE_PER_PAGE, story.count())
    assert all(event.action != AuditAction.VIEW for event in timeline)


def test_case_timeline_shows_the_latest_events_and_pages_to_older_ones(practitioner):
    client = _signed_in(practitioner)
    case = submitted_case(name="Printed Patient")
    for number in range(60):
        services.record_event(
            action=AuditAction.PRINT,
            actor=practitioner,
            intake=case,
            obj=case,
            summary=f"#{number}",
        )
        services.record_event(action=AuditAction.VIEW, actor=practitioner, intake=case, obj=case)
    story = list(
        AuditEvent.objects.filter(intake=case)
        .exclude(action=AuditAction.VIEW)
        .exclude(action=AuditAction.UPDATE, actor__isnull=True)
        .order_by("at", "pk")
    )

    latest = client.get(f"/staff/cases/{case.pk}/")
    older_link = f"?timeline_before={latest.context['case'].timeline_older}"
    older = client.get(f"/staff/cases/{case.pk}/{older_link}")

    assert [e.pk for e in latest.context["case"].timeline] == [e.pk for e in story[-50:]]
    # Above the list and again below it, where a reader of the 50 events arrives.
    older_anchor = f'href="{older_link}#h-timeline">Show older events</a>'
    assert latest.content.decode().count(older_anchor) == 2
    assert [e.pk for e in older.context["case"].timeline] == [e.pk for e in story[:-50]]
    assert older.context["case"].timeline_older is None
    assert "Show the latest events</a>" in older.content.decode()
    assert older.content.decode().count("Show older events") == 0


@pytest.mark.parametrize("value", ["-1", "abc", "9" * 40, "0", ""])
def test_case_timeline_odd_older_than_shows_the_latest(practitioner, value):
    client = _signed_in(practitioner)
    case = submitted_case(name="Odd Link Patient")

    response = client.get(f"/staff/cases/{case.pk}/", {"timeline_before": value})

    assert response.status_code == 200
    assert response.context["timeline_paged"] is False
    assert [e.action for e in response.context["case"].timeline] == [
        e.action
        for e in AuditEvent.objects.filter(intake=case)
        .exclude(action=AuditAction.VIEW)
        .exclude(action=AuditAction.UPDATE, actor__isnull=True)
        .order_by("at", "pk")
    ]


def test_case_timeline_another_cases_event_shows_nothing_older(practitioner):
    client = _signed_in(practitioner)
    case = submitted_case(name="Own Story")
    other = submitted_case(name="Other Story")
    elsewhere = AuditEvent.objects.filter(intake=other).latest("pk")

    response = client.get(f"/staff/cases/{case.pk}/", {"timeline_before": elsewhere.pk})

    assert (response.status_code, response.context["case"].timeline) == (200, [])

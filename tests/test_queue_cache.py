"""The work queue's kept pages (intake/selectors/queue_cache.py): a second view is served from
the cache, and every kind of change to what the queue shows is on the next view; a kept page
reaches only the person it was made for, and each query has its own."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import demo, middleware, services
from intake.enums import AuditAction, CaseStatus, Decision, Role
from intake.models import AuditEvent, Intake, TestRecommendation
from intake.selectors import queue_cache
from tests.answer_sets import RLS_AND_DIARRHOEA
from tests.factories import login_verified, open_invitation, staff_user, submitted_case

pytestmark = pytest.mark.django_db

# What every staff page reads first (session, user, second factor, two permission reads), then
# the cache (one read of the version and the page together), the patients waiting for contact
# and the audit event of the view.
KEPT_VIEW_QUERIES = 5 + 2


@pytest.fixture(autouse=True)
def _kept(memory_cache, settings, monkeypatch):
    # Sessions in the database, as the settings have them with any cache but Redis: counted.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.QUEUE_CACHE = True
    # The idle clock is written once a minute; not in the middle of a counted view.
    monkeypatch.setattr(middleware, "IDLE_CLOCK_STEP_SECONDS", 24 * 60 * 60)


def _client(user) -> Client:
    return login_verified(Client(), user)


def _cases(response) -> list[str]:
    """The case numbers of the queue's rows, in order (not the box of patients to contact)."""
    return re.findall(
        r'<a class="text-nowrap" href="/staff/cases/\d+/">(C-\d{6})</a>', _html(response)
    )


def _html(response) -> str:
    return response.content.decode()


def _row(response, case: Intake) -> str:
    """The queue's row of `case`, as HTML."""
    html = _html(response)
    start = html.index(f'<a class="text-nowrap" href="/staff/cases/{case.pk}/">')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def _kept_view(client, url="/staff/"):
    """A view that must be served from the cache: fewer queries than computing the page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == KEPT_VIEW_QUERIES
    return response


def test_queue_cache_second_view_is_kept_and_still_audited(practitioner):
    case = submitted_case(name="Kept Patient")
    client = _client(practitioner)
    first = client.get("/staff/?status=new")
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=practitioner)
    before = views.count()

    second = _kept_view(client, "/staff/?status=new")

    assert _cases(second) == _cases(first) == [case.case_number]
    assert views.count() == before + 1
    assert views.order_by("-pk").first().summary == "work queue: 1 shown; status=new"


def test_queue_cache_kept_page_is_the_same_page(practitioner):
    submitted_case(name="Same Patient")
    client = _client(practitioner)
    first = client.get("/staff/")

    second = _kept_view(client)

    # Each view's form tokens (the sign-out form) differ; nothing else does.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", _html(second)) == token.sub("", _html(first))


def test_queue_cache_new_case_shows_at_once(practitioner):
    first_case = submitted_case(name="First Patient")
    client = _client(practitioner)
    client.get("/staff/")

    second_case = submitted_case(name="Second Patient")
    response = client.get("/staff/?sort=case")

    assert _cases(response) == [first_case.case_number, second_case.case_number]
    assert _cases(client.get("/staff/")) == sorted(
        [first_case.case_number, second_case.case_number],
        key=lambda number: number != first_case.case_number,
    )


def test_queue_cache_status_change_shows_at_once(practitioner):
    case = submitted_case(name="Status Patient")
    client = _client(practitioner)
    assert "New" in _row(client.get("/staff/"), case)

    services.change_status(
        intake_id=case.pk, version=case.version, status=CaseStatus.CLOSED, by=practitioner
    )
    response = client.get("/staff/")

    assert '<td data-label="Status · Assignee">Closed' in _row(response, case)
    assert re.search(r'strip-number">(\d+)</span> closed this week', _html(response))[1] == "1"


def test_queue_cache_assignment_shows_at_once(practitioner, other_practitioner):
    case = submitted_case(name="Assigned Patient")
    client = _client(practitioner)
    assert _cases(client.get("/staff/?assigned=unassigned")) == [case.case_number]

    services.assign_case(
        intake_id=case.pk, version=case.version, assignee=other_practitioner, by=practitioner
    )

    assert _cases(client.get("/staff/?assigned=unassigned")) == []
    assert other_practitioner.username in _row(client.get("/staff/"), case)


def test_queue_cache_renamed_assignee_shows_at_once(practitioner, other_practitioner):
    case = submitted_case(name="Renamed Assignee Patient")
    services.assign_case(
        intake_id=case.pk, version=case.version, assignee=other_practitioner, by=practitioner
    )
    client = _client(practitioner)
    client.get("/staff/")

    other_practitioner.username = "renamed.colleague"
    other_practitioner.save(update_fields=["username"])

    assert "renamed.colleague" in _row(client.get("/staff/"), case)


def test_queue_cache_decision_and_new_results_show_at_once(practitioner):
    case = submitted_case(name="Decided Patient")
    client = _client(practitioner)
    client.get("/staff/")
    recommendation = TestRecommendation.objects.filter(
        assessment_id=case.current_assessment_id, test="iron_panel"
    ).get()

    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=recommendation.pk,
        decision=Decision.ORDERED,
        by=practitioner,
    )
    response = client.get("/staff/")

    assert "Tests ordered" in _row(response, case) or "ordered" in _row(response, case).lower()
    assert re.search(r'strip-number">(\d+)</span> awaiting tests', _html(response))[1] == "1"


def test_queue_cache_patient_name_change_shows_at_once(practitioner, clinic_admin):
    case = submitted_case(name="Old Name")
    client = _client(practitioner)
    assert "Old Name" in _row(client.get("/staff/"), case)

    patient = case.patient
    patient.full_name = "New Name"
    services.save_patient_record(patient=patient, changed_fields=["full_name"], by=clinic_admin)

    assert "New Name" in _row(client.get("/staff/"), case)


def test_queue_cache_erased_patient_name_is_never_served_again(practitioner, clinic_admin):
    case = submitted_case(name="Erin Erasable")
    client = _client(practitioner)
    assert "Erin Erasable" in _html(client.get("/staff/"))

    services.erase_patient(patient=case.patient, by=clinic_admin, reason="asked in writing")

    assert "Erin Erasable" not in _html(client.get("/staff/"))


def test_queue_cache_recorded_contact_shows_at_once(practitioner):
    case = submitted_case(name="Crisis Patient", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2])
    client = _client(practitioner)
    assert "Contact today" in _row(client.get("/staff/"), case)

    services.record_contact(intake_id=case.pk, by=practitioner)

    assert "Contact today" not in _row(client.get("/staff/"), case)


def test_queue_cache_changes_on_commit_too(practitioner, django_capture_on_commit_callbacks):
    # A page rendered from rows read before a change commits (in another request) must not be
    # served after it: the version is replaced again once the change is committed.
    case = submitted_case(name="Committed Patient")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.change_status(
            intake_id=case.pk, version=case.version, status=CaseStatus.CLOSED, by=practitioner
        )
    during = cache.get(queue_cache.VERSION_KEY)

    for callback in callbacks:
        callback()

    assert cache.get(queue_cache.VERSION_KEY) not in (None, during)


def test_queue_cache_draft_saves_keep_the_page_but_contact_shows_at_once(practitioner):
    submitted_case(name="Submitted Patient")
    client = _client(practitioner)
    client.get("/staff/")
    invitation, _token = open_invitation(name="Draft Patient")
    version = cache.get(queue_cache.VERSION_KEY)  # the new patient record retired it

    demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA, until_step="consent")
    services.report_contact_needed(intake_id=invitation.intake_id, reasons=["crisis"])
    response = client.get("/staff/")

    assert cache.get(queue_cache.VERSION_KEY) == version
    assert "Draft Patient" in _html(response)  # in the box of patients to contact today


def test_queue_cache_evicted_version_is_never_an_old_one(practitioner):
    case = submitted_case(name="Evicted Patient")
    client = _client(practitioner)
    client.get("/staff/")
    cache.delete(queue_cache.VERSION_KEY)
    # Written without a signal: only the new version can make the next view read the rows.
    Intake.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())

    response = client.get("/staff/")

    assert '<td data-label="Status · Assignee">Closed' in _row(response, case)


def test_queue_cache_filters_and_pages_are_not_mixed_up(practitioner):
    new = submitted_case(name="New Patient")
    closed = submitted_case(name="Closed Patient")
    services.change_status(
        intake_id=closed.pk, version=closed.version, status=CaseStatus.CLOSED, by=practitioner
    )
    client = _client(practitioner)
    urls = ["/staff/?status=new", "/staff/?status=closed", "/staff/?sort=-case", "/staff/"]
    for url in urls:
        client.get(url)

    kept = [_cases(_kept_view(client, url)) for url in urls]

    assert kept == [
        [new.case_number],
        [closed.case_number],
        [closed.case_number, new.case_number],
        [new.case_number, closed.case_number],
    ]


def test_queue_cache_assigned_to_me_is_each_persons_own(practitioner, other_practitioner):
    mine = submitted_case(name="Mine Patient")
    theirs = submitted_case(name="Theirs Patient")
    for case, person in ((mine, practitioner), (theirs, other_practitioner)):
        services.assign_case(intake_id=case.pk, version=case.version, assignee=person, by=person)
    me, colleague = _client(practitioner), _client(other_practitioner)

    mine_first = _cases(me.get("/staff/?assigned=me"))
    theirs_then = _cases(colleague.get("/staff/?assigned=me"))

    assert (mine_first, theirs_then) == ([mine.case_number], [theirs.case_number])


def test_queue_cache_kept_page_never_reaches_someone_without_the_permission(
    practitioner, clinic_admin
):
    submitted_case(name="Private Patient")
    _client(practitioner).get("/staff/")
    refused = staff_user("no.cases", Role.PRACTITIONER)
    refused.groups.set([])
    refused.groups.add(Group.objects.get_or_create(name="no permissions")[0])

    response = _client(refused).get("/staff/")

    assert response.status_code == 403
    assert "Private Patient" not in _html(response)


def test_queue_cache_removed_permission_is_refused_at_once(practitioner):
    submitted_case(name="Guarded Patient")
    client = _client(practitioner)
    client.get("/staff/")

    practitioner.groups.clear()
    practitioner = type(practitioner).objects.get(pk=practitioner.pk)  # permissions read afresh
    response = client.get("/staff/")

    assert response.status_code == 403
    assert "Guarded Patient" not in _html(response)


def test_queue_cache_version_changes_with_each_kind_of_row(practitioner):
    case = submitted_case(name="Rows Patient")
    recommendation = TestRecommendation.objects.filter(intake=case).first()
    saves = {
        "case": lambda: case.save(update_fields=["updated_at"]),
        "patient": lambda: case.patient.save(update_fields=["full_name"]),
        "assessment": lambda: case.current_assessment.save(update_fields=["notes"]),
        "raised test": lambda: recommendation.save(update_fields=["decision_reason"]),
        "member of staff": lambda: practitioner.save(update_fields=["username"]),
    }
    changed = {}

    for kind, save in saves.items():
        before = cache.get(queue_cache.VERSION_KEY)
        save()
        changed[kind] = cache.get(queue_cache.VERSION_KEY) != before

    assert changed == dict.fromkeys(saves, True)


def test_queue_cache_signing_in_keeps_the_version(practitioner):
    submitted_case(name="Sign-in Patient")
    before = cache.get(queue_cache.VERSION_KEY)

    practitioner.save(update_fields=["last_login"])

    assert cache.get(queue_cache.VERSION_KEY) == before


def test_queue_cache_counts_are_shared_by_every_view_until_a_change(practitioner):
    case = submitted_case(name="Counted Patient")
    client = _client(practitioner)
    first = client.get("/staff/?status=new")
    with CaptureQueriesContext(connection) as computed:
        other_filter = client.get("/staff/?assigned=unassigned")  # a body computed afresh

    services.change_status(
        intake_id=case.pk, version=case.version, status=CaseStatus.CLOSED, by=practitioner
    )
    with CaptureQueriesContext(connection) as after_change:
        changed = client.get("/staff/?sort=-case")

    counted = [q["sql"] for q in computed.captured_queries if "COUNT(" in q["sql"].upper()]
    recounted = [q["sql"] for q in after_change.captured_queries if "COUNT(" in q["sql"].upper()]
    for response in (first, other_filter):
        assert re.search(r'strip-number">(\d+)</span> new', _html(response))[1] == "1"
    assert counted == []  # the strip came from the cache
    assert len(recounted) == 1
    assert re.search(r'strip-number">(\d+)</span> closed this week', _html(changed))[1] == "1"
    assert re.search(r'strip-number">(\d+)</span> new', _html(changed))[1] == "0"

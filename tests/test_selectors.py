"""Reads: the work queue's filters and orders, and where a decision typed on an old page goes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from intake import selectors, services
from intake.enums import CaseStatus
from intake.models import Intake, TestRecommendation
from tests.factories import submitted_case

pytestmark = pytest.mark.django_db


def _submitted_on(intake: Intake, when: dt.datetime) -> Intake:
    Intake.objects.filter(pk=intake.pk).update(submitted_at=when)
    intake.refresh_from_db()
    return intake


def _local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def _reader():
    """A practitioner, who may read the queue (the selectors return nothing to others)."""
    from django.contrib.auth import get_user_model

    from intake.enums import Role
    from tests.factories import staff_user

    existing = get_user_model().objects.filter(username="queue.reader").first()
    return existing or staff_user("queue.reader", Role.PRACTITIONER)


def _names(filters: selectors.QueueFilters, user=None) -> list[str]:
    user = user or _reader()
    return [i.patient.full_name for i in selectors.work_queue(user=user, filters=filters)]


# --- date range ------------------------------------------------------------------------------


@pytest.fixture
def january_cases():
    """Cases submitted on 9, 10 (just after midnight), 15 (just before midnight) and 16 January."""
    for name, when in [
        ("Ninth", _local(2026, 1, 9, 23, 59)),
        ("Tenth", _local(2026, 1, 10, 0, 0)),
        ("Fifteenth", _local(2026, 1, 15, 23, 59)),
        ("Sixteenth", _local(2026, 1, 16, 0, 0)),
    ]:
        _submitted_on(submitted_case(name=name), when)


@pytest.mark.parametrize(
    ("submitted_from", "submitted_to", "expected"),
    [
        (dt.date(2026, 1, 10), dt.date(2026, 1, 15), ["Tenth", "Fifteenth"]),
        (dt.date(2026, 1, 10), None, ["Tenth", "Fifteenth", "Sixteenth"]),
        (None, dt.date(2026, 1, 15), ["Ninth", "Tenth", "Fifteenth"]),
        (dt.date(2026, 1, 15), dt.date(2026, 1, 15), ["Fifteenth"]),
        (dt.date(2026, 1, 11), dt.date(2026, 1, 14), []),
        (None, None, ["Ninth", "Tenth", "Fifteenth", "Sixteenth"]),
    ],
)
def test_work_queue_date_range_includes_both_edge_days(
    january_cases, submitted_from, submitted_to, expected
):
    filters = selectors.QueueFilters(
        submitted_from=submitted_from, submitted_to=submitted_to, sort="submitted"
    )

    assert _names(filters) == expected


# --- status ----------------------------------------------------------------------------------


@pytest.fixture
def one_case_per_status(practitioner):
    """A case in each status (moved there through the services), and a draft."""
    from tests.factories import open_invitation

    open_invitation(name="Still Drafting")
    submitted_case(name="New One")
    path = {
        "In Review": ["in_review"],
        "Tests Ordered": ["in_review", "tests_ordered"],
        "Closed One": ["closed"],
        "Reopened One": ["closed", "in_review"],
    }
    for name, statuses in path.items():
        case = submitted_case(name=name)
        for status in statuses:
            case = services.change_status(
                intake_id=case.pk, version=case.version, status=status, by=practitioner
            )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CaseStatus.NEW, ["New One"]),
        (CaseStatus.IN_REVIEW, ["In Review", "Reopened One"]),
        (CaseStatus.TESTS_ORDERED, ["Tests Ordered"]),
        (CaseStatus.CLOSED, ["Closed One"]),
        ("", ["New One", "In Review", "Tests Ordered", "Closed One", "Reopened One"]),
    ],
)
def test_work_queue_status_filter_returns_exactly_that_status(
    one_case_per_status, status, expected
):
    filters = selectors.QueueFilters(status=status, sort="case")

    assert _names(filters) == expected


# --- orders ----------------------------------------------------------------------------------


@pytest.fixture
def sortable_cases():
    """Three cases whose number, name, age and submission time each sort differently."""
    cases = [
        ("bravo Young", dt.date(2001, 5, 5), _local(2026, 1, 3)),
        ("Alpha Old", dt.date(1950, 1, 1), _local(2026, 1, 1)),
        ("Charlie Middle", dt.date(1975, 7, 7), _local(2026, 1, 2)),
    ]
    for name, born, when in cases:
        _submitted_on(submitted_case(name=name, born=born), when)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("case", ["bravo Young", "Alpha Old", "Charlie Middle"]),
        ("-case", ["Charlie Middle", "Alpha Old", "bravo Young"]),
        # Names sort without regard to capitals.
        ("patient", ["Alpha Old", "bravo Young", "Charlie Middle"]),
        ("-patient", ["Charlie Middle", "bravo Young", "Alpha Old"]),
        ("age", ["bravo Young", "Charlie Middle", "Alpha Old"]),
        ("-age", ["Alpha Old", "Charlie Middle", "bravo Young"]),
        ("submitted", ["Alpha Old", "Charlie Middle", "bravo Young"]),
        ("-submitted", ["bravo Young", "Charlie Middle", "Alpha Old"]),
        ("priority", ["Alpha Old", "Charlie Middle", "bravo Young"]),
    ],
)
def test_work_queue_sorts(sortable_cases, sort, expected):
    assert _names(selectors.QueueFilters(sort=sort)) == expected


def test_work_queue_sort_ties_fall_back_to_case_number():
    first = submitted_case(name="Same Name", born=dt.date(1980, 1, 1))
    second = submitted_case(name="Same Name", born=dt.date(1980, 1, 1))
    when = _local(2026, 1, 1)
    _submitted_on(first, when), _submitted_on(second, when)

    orders = {
        sort: [
            i.pk
            for i in selectors.work_queue(user=_reader(), filters=selectors.QueueFilters(sort=sort))
        ]
        for sort in ("patient", "-patient", "age", "-age", "submitted", "-submitted")
    }

    # Each order runs one way throughout (its pages are read by keyset): a descending sort
    # such as the youngest first breaks ties by the highest case number.
    assert orders == {
        "patient": [first.pk, second.pk],
        "-patient": [second.pk, first.pk],
        "age": [second.pk, first.pk],
        "-age": [first.pk, second.pk],
        "submitted": [first.pk, second.pk],
        "-submitted": [second.pk, first.pk],
    }


# --- a decision typed on an older page ---------------------------------------------------------


def _rec(intake: Intake, test: str) -> TestRecommendation:
    return TestRecommendation.objects.get(
        intake=intake, assessment_id=intake.current_assessment_id, test=test
    )


def test_decision_target_after_results_is_the_same_tests_new_recommendation(practitioner):
    case = submitted_case()
    old_iron, old_thyroid = _rec(case, "iron_panel"), _rec(case, "thyroid")
    today = dt.date.today().isoformat()
    case = services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[{"test": "tsh", "value": 2.5, "unit": "mIU/L", "taken_on": today}],
        by=practitioner,
    )

    iron = selectors.decision_target(intake=case, recommendation_id=old_iron.pk)
    thyroid = selectors.decision_target(intake=case, recommendation_id=old_thyroid.pk)

    # A recent TSH puts thyroid testing on file: it is no longer suggested.
    assert iron == selectors.DecisionTarget(
        test="iron_panel", current_id=_rec(case, "iron_panel").pk
    )
    assert iron.current_id != old_iron.pk
    assert thyroid == selectors.DecisionTarget(test="thyroid", current_id=None)
    assert thyroid.test_label == "Thyroid (TSH, reflex free T4)"


@pytest.mark.parametrize("recommendation_id", ["other case", None, 2**63])
def test_decision_target_of_another_case_or_nothing_finds_nothing(recommendation_id):
    case = submitted_case(name="Mine")
    other = submitted_case(name="Other")
    if recommendation_id == "other case":
        recommendation_id = _rec(other, "iron_panel").pk

    target = selectors.decision_target(intake=case, recommendation_id=recommendation_id)

    assert target == selectors.DecisionTarget(test=None, current_id=None)
    assert target.test_label == ""


# --- the reads return nothing to a role without their permission ------------------------------


@pytest.fixture
def records():
    from tests.factories import open_invitation

    case = submitted_case(name="Scoped Case")
    invitation, _token = open_invitation(name="Scoped Invitee")
    return case, invitation


def _reads(user, case, invitation) -> dict[str, object]:
    """What each staff read gives `user`: the rows, or "404"."""
    from django.http import Http404

    def one(read):
        try:
            return read()
        except Http404:
            return "404"

    return {
        "work_queue": list(selectors.work_queue(user=user, filters=selectors.QueueFilters())),
        "queue_counts": selectors.queue_counts(user=user)["new"],
        "invitation_list": list(selectors.invitation_list(user=user)),
        "staff_case": one(lambda: selectors.staff_case(user=user, intake_id=case.pk)),
        "patient_record": one(
            lambda: selectors.patient_record(user=user, patient_id=case.patient_id)[0]
        ),
        "staff_invitation": one(
            lambda: selectors.staff_invitation(user=user, invitation_id=invitation.pk)
        ),
        "staff_patient": one(
            lambda: selectors.staff_patient(user=user, patient_id=case.patient_id)
        ),
        "retention_due": list(selectors.retention_due(user=user, today=dt.date(2999, 1, 1))),
    }


NOTHING = {
    "work_queue": [],
    "queue_counts": 0,
    "invitation_list": [],
    "staff_case": "404",
    "patient_record": "404",
    "staff_invitation": "404",
    "staff_patient": "404",
    "retention_due": [],
}


def test_selectors_give_a_user_without_a_role_nothing(records):
    from tests.access import make_user

    case, invitation = records

    reads = _reads(make_user("nobody.here"), case, invitation)

    assert reads == NOTHING


def test_selectors_give_an_auditor_no_patient_records(records):
    from django.contrib.auth.models import Group, Permission

    from intake.enums import Role
    from intake.roles import apply_role_permissions
    from tests.access import make_user

    apply_role_permissions(Group, Permission)
    case, invitation = records

    reads = _reads(make_user("audit.reader", Role.AUDITOR), case, invitation)

    assert reads == NOTHING


def test_selectors_give_each_role_what_it_holds(records, practitioner, clinic_admin):
    case, invitation = records

    as_practitioner = _reads(practitioner, case, invitation)
    as_admin = _reads(clinic_admin, case, invitation)

    assert (as_practitioner["staff_case"], as_practitioner["patient_record"]) == (
        case,
        case.patient,
    )
    assert as_practitioner["staff_invitation"] == invitation
    # Subject access, erasure and retention are the clinic admin's (intake.manage_records).
    assert (as_practitioner["staff_patient"], as_practitioner["retention_due"]) == ("404", [])
    assert (as_admin["staff_patient"], len(as_admin["retention_due"])) == (case.patient, 2)


def test_case_timeline_tells_the_cases_story_without_views_or_the_patients_saves(practitioner):
    case = submitted_case(name="Told Story")
    case = services.assign_case(
        intake_id=case.pk, version=case.version, assignee=practitioner, by=practitioner
    )
    services.add_note(intake_id=case.pk, text="Called the patient.", by=practitioner)
    services.record_event(action="view", actor=practitioner, intake=case, obj=case)

    detail = selectors.case_detail(intake=case, facts=services.facts_for(case))

    assert [(event.actor_label, event.action) for event in detail.timeline] == [
        ("patient link", "invitation_created"),
        ("patient link", "submit"),
        ("pat.practitioner", "assign"),
        ("pat.practitioner", "note"),
    ]

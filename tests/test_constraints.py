"""What the data model guarantees, held by the database itself: a row that breaks a rule is
refused with an IntegrityError whichever code writes it (bulk updates, the shell, a bench
loader), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from intake import services
from intake.enums import CaseStatus
from intake.models import Assessment, Intake, Invitation, TestRecommendation
from tests.factories import open_invitation, submitted_case

pytestmark = pytest.mark.django_db


def _refused(queryset, **values) -> str:
    """The database's refusal of `values` written to `queryset`: its message."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        queryset.update(**values)
    return str(refusal.value)


def _one_live_link_refused(message: str) -> bool:
    # SQLite names a partial unique index by its columns, PostgreSQL by its name.
    if connection.vendor == "sqlite":
        return message == "UNIQUE constraint failed: intake_invitation.intake_id"
    return 'violates unique constraint "one_live_invitation_per_intake"' in message


def _case() -> Intake:
    invitation, _ = open_invitation(name="Cass Constraint")
    now = timezone.now()
    Intake.objects.filter(pk=invitation.intake_id).update(status=CaseStatus.NEW, submitted_at=now)
    return Intake.objects.get(pk=invitation.intake_id)


# --- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["archived", "", "Closed", "new "])
def test_intake_status_outside_the_workflow_is_refused(status):
    case = _case()

    message = _refused(Intake.objects.filter(pk=case.pk), status=status)

    assert "intake_status_known" in message
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


@pytest.mark.parametrize("status", CaseStatus.values)
def test_intake_every_status_of_the_workflow_is_accepted(status):
    case = _case()
    closed_at = timezone.now() if status == CaseStatus.CLOSED else None

    Intake.objects.filter(pk=case.pk).update(status=status, closed_at=closed_at)

    case.refresh_from_db()
    assert (case.status, case.closed_at) == (status, closed_at)


# --- closed and closed_at --------------------------------------------------------------------


def test_intake_closed_without_the_time_it_was_closed_is_refused():
    case = _case()

    message = _refused(Intake.objects.filter(pk=case.pk), status=CaseStatus.CLOSED)

    assert "intake_closed_iff_closed_at" in message


@pytest.mark.parametrize("status", [CaseStatus.NEW, CaseStatus.IN_REVIEW, CaseStatus.DRAFT])
def test_intake_not_closed_holding_a_closing_time_is_refused(status):
    case = _case()

    message = _refused(Intake.objects.filter(pk=case.pk), status=status, closed_at=timezone.now())

    assert "intake_closed_iff_closed_at" in message


def test_intake_closed_then_reopened_through_the_services_keeps_the_rule(practitioner):
    case = submitted_case(name="Rita Reopened")

    closed = services.change_status(
        intake_id=case.pk, version=case.version, status=CaseStatus.CLOSED, by=practitioner
    )
    reopened = services.change_status(
        intake_id=case.pk, version=closed.version, status=CaseStatus.IN_REVIEW, by=practitioner
    )

    assert closed.closed_at is not None
    assert (reopened.status, reopened.closed_at) == (CaseStatus.IN_REVIEW, None)


# --- contact ---------------------------------------------------------------------------------


def test_intake_contacted_without_a_need_for_contact_is_refused():
    case = _case()

    message = _refused(Intake.objects.filter(pk=case.pk), contacted_at=timezone.now())

    assert "intake_contacted_after_need" in message


def test_intake_contacted_by_someone_without_a_time_is_refused(practitioner):
    case = _case()
    Intake.objects.filter(pk=case.pk).update(contact_needed_at=timezone.now())

    message = _refused(Intake.objects.filter(pk=case.pk), contacted_by=practitioner)

    assert "intake_contacted_by_has_time" in message


def test_intake_contact_recorded_by_a_user_later_deleted_keeps_its_time():
    case = _case()
    Intake.objects.filter(pk=case.pk).update(contact_needed_at=timezone.now())
    leaver = get_user_model().objects.create_user(username="left.clinic", password=None)
    services.record_contact(intake_id=case.pk, by=leaver)

    leaver.delete()

    case.refresh_from_db()
    assert case.contacted_at is not None
    assert case.contacted_by is None


def test_intake_new_need_after_contact_clears_who_and_when(practitioner):
    case = _case()
    services.report_contact_needed(intake_id=case.pk, reasons=["crisis"])
    services.record_contact(intake_id=case.pk, by=practitioner)

    services.report_contact_needed(intake_id=case.pk, reasons=["emergency"])

    case.refresh_from_db()
    assert (case.contacted_at, case.contacted_by) == (None, None)
    assert case.contact_needed_at is not None


# --- one live link per intake ----------------------------------------------------------------


def test_invitation_second_live_link_to_an_intake_is_refused():
    invitation, _ = open_invitation(name="Lou Link")

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Invitation.objects.create(
            intake_id=invitation.intake_id,
            token_hash="f" * 64,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )

    assert _one_live_link_refused(str(refusal.value))
    assert Invitation.objects.filter(intake_id=invitation.intake_id).count() == 1


def test_invitation_unrevoking_an_old_link_beside_a_live_one_is_refused(practitioner):
    first, _ = open_invitation(name="Rae Reissued")
    services.reissue_invitation(invitation=first, by=practitioner)

    message = _refused(Invitation.objects.filter(pk=first.pk), revoked_at=None)

    assert _one_live_link_refused(message)


def test_invitation_reissued_twice_leaves_one_live_link_and_the_old_ones_revoked(practitioner):
    first, _ = open_invitation(name="Ray Reissued")
    second, _ = services.reissue_invitation(invitation=first, by=practitioner)

    third, _ = services.reissue_invitation(invitation=second, by=practitioner)

    live = Invitation.objects.filter(intake_id=first.intake_id, revoked_at__isnull=True)
    assert list(live.values_list("pk", flat=True)) == [third.pk]
    assert Invitation.objects.filter(intake_id=first.intake_id).count() == 3


def test_invitation_expired_but_not_revoked_still_counts_as_the_live_link():
    invitation, _ = open_invitation(name="Eve Expired")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )

    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Invitation.objects.create(
            intake_id=invitation.intake_id,
            token_hash="e" * 64,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )

    assert _one_live_link_refused(str(refusal.value))

    assert Invitation.objects.filter(intake_id=invitation.intake_id).count() == 1


# --- the other choices -----------------------------------------------------------------------


def test_assessment_unknown_kind_is_refused():
    case = submitted_case(name="Ash Assessed")

    message = _refused(Assessment.objects.filter(intake=case), kind="guess")

    assert "assessment_kind_known" in message


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("test", "vitamin_d", "recommendation_test_known"),
        ("decision", "maybe", "recommendation_decision_known"),
    ],
)
def test_recommendation_value_outside_its_choices_is_refused(field, value, name):
    case = submitted_case(name="Reza Recommended")
    assert TestRecommendation.objects.filter(intake=case).exists()

    message = _refused(TestRecommendation.objects.filter(intake=case), **{field: value})

    assert name in message

"""Writes: invitations, the date-of-birth check, step saves and submission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from intake import clinical, questionnaire, services
from intake.enums import AuditAction, CaseStatus
from intake.models import Assessment, AuditEvent, Invitation, Patient, TestRecommendation
from tests.factories import PATIENT_DOB, open_invitation

# Staff alerts go through the outbox: delivered at once here, to be read from mail.outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]
LEGS = questionnaire.STEPS_BY_SLUG["legs"]


def test_create_invitation_stores_only_a_hash_of_the_token():
    invitation, token = open_invitation()

    assert len(token) >= 40
    assert invitation.token_hash == services.hash_token(token)
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_create_invitation_expires_after_configured_days(settings):
    settings.INVITATION_TTL_DAYS = 3

    invitation, _token = open_invitation()

    assert invitation.expires_at - invitation.created_at == pytest.approx(
        dt.timedelta(days=3), abs=dt.timedelta(seconds=5)
    )


def test_create_invitation_same_name_and_birth_date_reuses_patient():
    first, _ = open_invitation(name="Ann  Example")
    second, _ = open_invitation(name="ann example")

    assert second.intake.patient_id == first.intake.patient_id
    assert (first.intake.matched_existing_patient, second.intake.matched_existing_patient) == (
        False,
        True,
    )
    assert Patient.objects.count() == 1


def test_create_invitation_different_email_is_a_different_patient():
    open_invitation(email="ann@example.com")
    second, _ = open_invitation(email="other@example.com")

    assert second.intake.matched_existing_patient is False
    assert Patient.objects.count() == 2


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked"])
def test_invitation_for_token_refuses_with_one_message(state):
    invitation, token = open_invitation()
    if state == "unknown":
        token = token[:-2] + "xx"
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    else:
        services.revoke_invitation(invitation=invitation, by=None)

    with pytest.raises(services.InvitationUnavailable) as refusal:
        services.invitation_for_token(token)

    assert str(refusal.value) == (
        "This link has expired or is no longer valid. Please ask your clinic for a new one."
    )


def test_reissue_invitation_revokes_old_link_and_keeps_the_intake():
    invitation, old_token = open_invitation()

    new, new_token = services.reissue_invitation(invitation=invitation, by=None)

    assert new.intake_id == invitation.intake_id
    assert services.invitation_for_token(new_token).pk == new.pk
    with pytest.raises(services.InvitationUnavailable):
        services.invitation_for_token(old_token)


def test_check_date_of_birth_five_wrong_answers_lock_the_link():
    invitation, _ = open_invitation()
    wrong = dt.date(1999, 1, 1)

    checks = [
        services.check_date_of_birth(invitation=invitation, date_of_birth=wrong) for _ in range(5)
    ]

    assert [c.attempts_left for c in checks] == [4, 3, 2, 1, 0]
    assert checks[-1].locked is True
    with pytest.raises(services.LinkLocked):
        services.check_date_of_birth(invitation=invitation, date_of_birth=PATIENT_DOB)
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED).count() == 1


def test_check_date_of_birth_lock_lifts_after_fifteen_minutes():
    invitation, _ = open_invitation()
    Invitation.objects.filter(pk=invitation.pk).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )

    check = services.check_date_of_birth(invitation=invitation, date_of_birth=PATIENT_DOB)

    assert check.matched is True


def test_save_step_stale_revision_is_refused_and_keeps_newer_answers():
    invitation, _ = open_invitation()
    intake_id = invitation.intake_id
    services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=0
    )

    with pytest.raises(services.StaleSave):
        services.save_step(
            intake_id=intake_id, step=LEGS, values={"rls_screen": "no"}, base_revision=0
        )

    invitation.intake.refresh_from_db()
    assert invitation.intake.answers == {"rls_screen": "yes"}
    assert invitation.intake.step_revisions == {"legs": 1}
    assert invitation.intake.completed_steps == {"legs": True}


def test_save_step_screen_changed_to_no_removes_detail_answers():
    invitation, _ = open_invitation()
    intake_id = invitation.intake_id
    services.save_step(
        intake_id=intake_id,
        step=LEGS,
        values={"rls_screen": "yes", "rls_c1_urge": "yes"},
        base_revision=None,
    )

    intake, _ = services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "no"}, base_revision=None
    )

    assert intake.answers == {"rls_screen": "no"}


def test_save_step_screen_no_then_yes_reopens_the_course_step():
    invitation, _ = open_invitation()
    intake_id = invitation.intake_id
    course = questionnaire.STEPS_BY_SLUG["course"]
    services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=None
    )
    services.save_step(
        intake_id=intake_id, step=course, values={"rls_freq": "ge_2_per_week"}, base_revision=None
    )
    services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "no"}, base_revision=None
    )

    intake, _ = services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=None
    )

    assert "rls_freq" not in intake.answers
    assert services.step_done(intake, course) is False
    assert services.step_done(intake, LEGS) is True


def test_save_step_answer_on_a_later_step_leaves_earlier_steps_finished():
    invitation, _ = open_invitation()
    intake_id = invitation.intake_id
    course = questionnaire.STEPS_BY_SLUG["course"]
    services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=None
    )

    intake, _ = services.save_step(
        intake_id=intake_id, step=course, values={"rls_freq": "ge_2_per_week"}, base_revision=None
    )

    assert (services.step_done(intake, LEGS), services.step_done(intake, course)) == (True, True)


def test_engine_answers_turn_dates_into_age_and_days_ago():
    invitation, _ = open_invitation(born=dt.date(2000, 6, 15))
    intake = invitation.intake
    intake.answers = {
        "sex_at_birth": "male",
        "prior_labs": [{"test": "tsh", "value": 2.1, "unit": "mIU/L", "taken_on": "2026-01-01"}],
    }

    answers = services.engine_answers(intake, on=dt.date(2026, 6, 14))

    assert answers == {
        "sex_at_birth": "male",
        "age_years": 25,
        "prior_labs": [{"test": "tsh", "value": 2.1, "unit": "mIU/L", "days_ago": 164}],
    }


def test_submit_intake_with_unfinished_steps_is_refused():
    invitation, _ = open_invitation()

    with pytest.raises(services.IntakeError) as refusal:
        services.submit_intake(intake_id=invitation.intake_id)

    assert str(refusal.value) == "Please complete the step “About you” before submitting."
    assert Assessment.objects.count() == 0


def _complete(intake_id: int, answers: dict) -> None:
    from intake.models import Intake

    intake = Intake.objects.get(pk=intake_id)
    intake.answers = answers
    intake.completed_steps = {
        step.slug: True for step in questionnaire.applicable_steps(services.facts_for(intake))
    }
    intake.consent_name, intake.consent_version = "Ann Example", questionnaire.CONSENT_VERSION
    intake.save()


def test_submit_intake_urgent_case_is_marked_and_alert_holds_no_health_information(
    settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    settings.SITE_URL = "https://intake.example.org/"
    invitation, _ = open_invitation(name="Zed Marker")
    _complete(
        invitation.intake_id,
        {"sex_at_birth": "male", "rls_screen": "no", "rectal_bleeding": "yes"},
    )

    with django_capture_on_commit_callbacks(execute=True):
        intake = services.submit_intake(intake_id=invitation.intake_id)

    message = mail.outbox[0]
    assert (intake.status, intake.urgent, intake.crisis) == (CaseStatus.NEW, True, False)
    # Urgency comes from the health answers, so an urgent case reads like any other.
    assert message.subject == f"New intake submitted: {intake.case_number}"
    assert message.body == (
        f"Intake {intake.case_number} was submitted.\n\n"
        f"Sign in to review it: https://intake.example.org/staff/cases/{intake.pk}/\n\n"
        "This message holds no patient information by design."
    )
    assert message.to == ["alerts@clinic.example"]


def test_submit_intake_alert_reads_the_same_for_urgent_and_routine_cases(
    settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    urgent, _ = open_invitation(name="Una Urgent")
    routine, _ = open_invitation(name="Rob Routine", born=dt.date(1975, 1, 1))
    _complete(urgent.intake_id, {"sex_at_birth": "male", "rls_screen": "no", "black_stools": "yes"})
    _complete(routine.intake_id, {"sex_at_birth": "male", "rls_screen": "no"})

    with django_capture_on_commit_callbacks(execute=True):
        first = services.submit_intake(intake_id=urgent.intake_id)
        second = services.submit_intake(intake_id=routine.intake_id)

    def shape(message, intake) -> list[str]:
        return [
            text.replace(intake.case_number, "N").replace(f"/cases/{intake.pk}/", "/cases/ID/")
            for text in (message.subject, message.body)
        ]

    assert (first.urgent, second.urgent) == (True, False)
    assert shape(mail.outbox[0], first) == shape(mail.outbox[1], second)


def test_submit_intake_twice_evaluates_once():
    invitation, _ = open_invitation()
    _complete(invitation.intake_id, {"sex_at_birth": "female", "rls_screen": "no"})

    first = services.submit_intake(intake_id=invitation.intake_id)
    second = services.submit_intake(intake_id=invitation.intake_id)

    assert first.submitted_at == second.submitted_at
    assert Assessment.objects.count() == 1


def test_submit_intake_stores_rules_version_and_one_recommendation_per_raised_flag():
    invitation, _ = open_invitation()
    _complete(
        invitation.intake_id,
        {"sex_at_birth": "female", "rls_screen": "no", "loose_stools_4wk": "yes"},
    )

    services.submit_intake(intake_id=invitation.intake_id)

    assessment = Assessment.objects.get()
    tests = dict(TestRecommendation.objects.values_list("test", "value"))
    assert assessment.ruleset_version == clinical.RULESET_VERSION
    assert assessment.engine_answers["age_years"] == services.age_on(
        PATIENT_DOB, timezone.localdate()
    )
    assert tests == {
        "thyroid": "order",
        "iron_panel": "order",
        "celiac": "order",
        "stool": "order",
    }
    stool = TestRecommendation.objects.get(test="stool")
    assert [rule["rule"] for rule in stool.rules] == ["STOOL-1"]
    assert stool.detail == {"components": ["calprotectin", "giardia"]}


def test_engine_answers_no_antibiotics_in_three_months_answers_the_four_week_question():
    invitation, _ = open_invitation()
    intake = invitation.intake
    intake.answers = {"sex_at_birth": "male", "antibiotics_last_3mo": "no"}

    answers = services.engine_answers(intake, on=dt.date(2026, 6, 14))

    assert answers["antibiotics_last_4wk"] == "no"

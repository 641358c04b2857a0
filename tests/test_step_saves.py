"""What a step save writes and evaluates: only the columns that changed (the step's count and
the time always, the answers when they differ, the finished steps when one is finished or
reopened), and the clinical engine's red flags once for a save with no help to show."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import questionnaire, services
from intake.models import Intake
from intake.services import evaluation as evaluation_service
from tests.factories import answer_steps, open_invitation

pytestmark = pytest.mark.django_db

LEGS = questionnaire.STEPS_BY_SLUG["legs"]
COURSE = questionnaire.STEPS_BY_SLUG["course"]


def _save(intake_id: int, step, values: dict, *, partial: bool = False) -> list[str]:
    """The columns the save's UPDATE of the intake sets, in the table's order."""
    with CaptureQueriesContext(connection) as captured:
        services.save_step(
            intake_id=intake_id, step=step, values=values, base_revision=None, partial=partial
        )
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1, updates
    assert updates[0].startswith('UPDATE "intake_intake" SET ')
    assignments = updates[0].split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    return re.findall(r'"(\w+)" = ', assignments)


def test_save_step_same_answers_again_writes_only_the_count_and_time():
    invitation, _ = open_invitation()
    services.save_step(
        intake_id=invitation.intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=None
    )

    columns = _save(invitation.intake_id, LEGS, {"rls_screen": "yes"}, partial=True)

    assert columns == ["step_revisions", "updated_at"]


def test_save_step_typing_on_an_open_step_writes_the_answers_not_the_finished_steps():
    invitation, _ = open_invitation()

    columns = _save(invitation.intake_id, LEGS, {"rls_screen": "yes"}, partial=True)

    assert columns == ["answers", "step_revisions", "updated_at"]


def test_save_step_finishing_a_step_writes_the_finished_steps():
    invitation, _ = open_invitation()

    columns = _save(invitation.intake_id, LEGS, {"rls_screen": "yes"})

    assert columns == ["answers", "step_revisions", "completed_steps", "updated_at"]


def test_save_step_finishing_a_step_again_unchanged_writes_only_the_count_and_time():
    invitation, _ = open_invitation()
    services.save_step(
        intake_id=invitation.intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=None
    )

    columns = _save(invitation.intake_id, LEGS, {"rls_screen": "yes"})

    assert columns == ["step_revisions", "updated_at"]


def test_save_step_answer_that_reopens_another_step_writes_the_finished_steps():
    invitation, _ = open_invitation()
    intake_id = invitation.intake_id
    for step, values in [(LEGS, {"rls_screen": "yes"}), (COURSE, {"rls_freq": "ge_2_per_week"})]:
        services.save_step(intake_id=intake_id, step=step, values=values, base_revision=None)
    services.save_step(
        intake_id=intake_id, step=LEGS, values={"rls_screen": "no"}, base_revision=None
    )

    columns = _save(intake_id, LEGS, {"rls_screen": "yes"}, partial=True)

    intake = Intake.objects.get(pk=intake_id)
    assert columns == ["answers", "step_revisions", "completed_steps", "updated_at"]
    assert (intake.completed_steps, intake.step_revisions) == (
        {"legs": True},
        {"legs": 3, "course": 1},
    )


def test_save_step_stale_autosave_writes_nothing():
    invitation, _ = open_invitation()
    services.save_step(
        intake_id=invitation.intake_id, step=LEGS, values={"rls_screen": "yes"}, base_revision=0
    )

    with CaptureQueriesContext(connection) as captured, pytest.raises(services.StaleSave):
        services.save_step(
            intake_id=invitation.intake_id,
            step=LEGS,
            values={"rls_screen": "no"},
            base_revision=0,
            partial=True,
        )

    assert [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")] == []


# --- the engine, once a save -----------------------------------------------------------------


@pytest.fixture
def evaluations(monkeypatch) -> list[dict]:
    """The answers the engine is given, one entry per evaluation. A save asks for the red flags
    alone (clinical.urgent); the whole evaluation (clinical.evaluate) is for sending."""
    seen: list[dict] = []
    urgent = evaluation_service.clinical.urgent

    def counting(answers, **settings):
        seen.append(answers)
        return urgent(answers, **settings)

    def refused(answers, **settings):
        raise AssertionError("a save asked for the whole evaluation")

    monkeypatch.setattr(evaluation_service.clinical, "urgent", counting)
    monkeypatch.setattr(evaluation_service.clinical, "evaluate", refused)
    return seen


def _autosave_warning_signs(client, revision: int, **answers: str):
    return client.post(
        "/intake/step/warning-signs/autosave/", {**answers, "base_revision": str(revision)}
    )


def test_autosave_with_no_help_to_show_evaluates_once_and_reads_no_clinic_results(
    patient_link, evaluations
):
    answer_steps(patient_link.client, stop_at="warning-signs")
    evaluations.clear()

    with CaptureQueriesContext(connection) as captured:
        saved = _autosave_warning_signs(patient_link.client, 0, saddle_numbness="no")

    assert (saved.status_code, "help_url" in saved.json()) == (200, False)
    assert [answers["saddle_numbness"] for answers in evaluations] == ["no"]
    assert [q for q in captured.captured_queries if "intake_labresultentry" in q["sql"]] == []


def test_autosave_new_help_is_shown_after_one_evaluation(patient_link, evaluations):
    answer_steps(patient_link.client, stop_at="warning-signs")
    evaluations.clear()

    saved = _autosave_warning_signs(patient_link.client, 0, saddle_numbness="yes")

    assert saved.json()["help_url"] == "/intake/support/"
    assert [answers["saddle_numbness"] for answers in evaluations] == ["yes"]


def test_autosave_same_help_already_reported_compares_with_the_answers_before(
    patient_link, evaluations
):
    answer_steps(patient_link.client, stop_at="warning-signs")
    first = _autosave_warning_signs(patient_link.client, 0, saddle_numbness="yes")
    evaluations.clear()

    again = _autosave_warning_signs(
        patient_link.client, first.json()["revision"], saddle_numbness="yes", dysphagia="no"
    )

    assert "help_url" not in again.json()
    # After the save, then before it (the help is the same, so it is not shown again).
    assert [answers.get("dysphagia") for answers in evaluations] == ["no", None]

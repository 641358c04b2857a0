"""The patient's answers: saving steps, the order they are answered in, and consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import questionnaire
from intake.enums import AuditAction
from intake.models import Intake
from intake.questionnaire import StepKind
from intake.services.common import NotEditable, StaleSave, facts_for, record_event
from intake.services.invitations import _normalise_name

__all__ = [
    "save_step",
    "save_locked_step",
    "AUTOSAVE_AUDIT_SECONDS",
    "step_done",
    "first_unfinished_step",
    "first_unanswered_step",
    "may_open_step",
    "record_consent",
]


def _prune(intake: Intake, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers to questions that no longer apply (e.g. RLS details after the screen was
    changed to no), so the server holds only what the patient was actually asked."""
    applicable = questionnaire.applicable_keys(facts_for(intake, answers))
    return {key: value for key, value in answers.items() if key in applicable}


def _applicable(intake: Intake, answers: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The slugs of the steps and the answer keys that apply with these answers."""
    facts = facts_for(intake, answers)
    steps = {step.slug for step in questionnaire.applicable_steps(facts)}
    return steps, questionnaire.applicable_keys(facts)


def _reopened_steps(
    intake: Intake,
    *,
    answers: dict[str, Any],
    saved: questionnaire.Step,
    before: tuple[set[str], set[str]],
    removed: set[str],
) -> set[str]:
    """An answer on one step can remove answers on another (the leg screen set to no drops the
    course answers), or make another step or question apply again. Such a step is no longer
    finished: the patient is taken back to it before they can submit."""
    steps_before, keys_before = before
    steps_after, keys_after = _applicable(intake, answers)
    changed_keys = removed | (keys_after - keys_before)
    return {
        other.slug
        for other in questionnaire.STEPS
        if other.slug != saved.slug
        and other.slug in steps_after
        and (other.slug not in steps_before or questionnaire.step_keys(other) & changed_keys)
    }


# A patient's autosaves of one step are recorded on the audit trail at most once per this long
# from one browser and address (the view keeps the time in the session); a full save, always.
AUTOSAVE_AUDIT_SECONDS = 5 * 60


@transaction.atomic
def save_step(
    *,
    intake_id: int,
    step: questionnaire.Step,
    values: Mapping[str, Any],
    base_revision: int | None,
    partial: bool = False,
    ip_address: str | None = None,
) -> tuple[Intake, int]:
    """Store one step's answers. `base_revision` is the step's revision the page was built
    from: an older one means another tab saved since, and the save is refused (StaleSave).
    `partial` (autosave) merges only the given keys and keeps the step open."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    return save_locked_step(
        intake,
        step=step,
        values=values,
        base_revision=base_revision,
        partial=partial,
        ip_address=ip_address,
    )


def save_locked_step(
    intake: Intake,
    *,
    step: questionnaire.Step,
    values: Mapping[str, Any],
    base_revision: int | None,
    partial: bool = False,
    ip_address: str | None = None,
    record: bool = True,
) -> tuple[Intake, int]:
    """save_step for an intake the caller's transaction has already read with a lock on its
    row (selectors.patient_intake(lock=True)): one read of the row for the whole save. The
    instance is updated in place. `record=False` leaves a partial save off the audit trail: only
    for a browser whose autosave of this step was recorded less than AUTOSAVE_AUDIT_SECONDS ago.

    Only the columns that changed are written: the step's count always, the answers when they
    differ, the finished steps when one is finished or reopened."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_locked_step needs the transaction that locked the intake.")
    if not (record or partial):
        raise ValueError("A full save is always recorded.")
    if not intake.is_draft:
        raise NotEditable(
            _("This questionnaire has been submitted, so it can no longer be changed.")
        )
    current = int(intake.step_revisions.get(step.slug, 0))
    if base_revision is not None and base_revision != current:
        raise StaleSave(
            _(
                "These answers were changed in another window or device. Reload the page to "
                "see the latest answers before you continue."
            )
        )
    answers = dict(intake.answers)
    for key, value in values.items():
        if value is None or value == "":
            answers.pop(key, None)
        else:
            answers[key] = value
    pruned = _prune(intake, answers)
    removed = {key for key in answers if key not in pruned}
    revision = current + 1
    intake.step_revisions = {**intake.step_revisions, step.slug: revision}
    fields = ["step_revisions", "updated_at"]
    reopened: set[str] = set()  # the same answers as before reopen nothing
    if pruned != intake.answers or removed:
        applied_before = _applicable(intake, intake.answers)
        reopened = _reopened_steps(
            intake, answers=pruned, saved=step, before=applied_before, removed=removed
        )
    if pruned != intake.answers:
        intake.answers = pruned
        fields.append("answers")
    completed = {
        slug: True
        for slug in [*intake.completed_steps, *([] if partial else [step.slug])]
        if slug not in reopened
    }
    if completed != intake.completed_steps:
        intake.completed_steps = completed
        fields.append("completed_steps")
    intake.save(update_fields=fields)
    if record:
        summary = f"{'autosaved' if partial else 'answers saved'}: {step.slug}"
        _record_patient_change(intake, ip_address, summary)
    return intake, revision


def _record_patient_change(intake: Intake, ip_address: str | None, summary: str) -> None:
    # The patient's own changes are on record too: which step, never the answers.
    record_event(
        action=AuditAction.UPDATE, intake=intake, obj=intake, ip_address=ip_address, summary=summary
    )


def step_done(intake: Intake, step: questionnaire.Step) -> bool:
    if step.kind == StepKind.CONSENT:
        return intake.consent_version == questionnaire.CONSENT_VERSION and bool(intake.consent_name)
    return step.slug in intake.completed_steps


def first_unfinished_step(intake: Intake) -> questionnaire.Step | None:
    for step in questionnaire.applicable_steps(facts_for(intake)):
        if not step_done(intake, step):
            return step
    return None


def first_unanswered_step(intake: Intake) -> questionnaire.Step | None:
    """The first step of questions still to finish. Consent is not one: it is signed on the
    check page, after the patient has seen their answers."""
    for step in questionnaire.applicable_steps(facts_for(intake)):
        if step.kind != StepKind.CONSENT and not step_done(intake, step):
            return step
    return None


def may_open_step(intake: Intake, step: questionnaire.Step) -> bool:
    """Steps are answered in order: a step opens once every applicable step before it is done."""
    for candidate in questionnaire.applicable_steps(facts_for(intake)):
        if candidate.slug == step.slug:
            return True
        if not step_done(intake, candidate):
            return False
    return False  # the step does not apply to this patient


@transaction.atomic
def record_consent(*, intake_id: int, full_name: str, ip_address: str | None = None) -> Intake:
    intake = Intake.objects.select_for_update().get(pk=intake_id)
    if not intake.is_draft:
        raise NotEditable(
            _("This questionnaire has been submitted, so it can no longer be changed.")
        )
    intake.consent_name = _normalise_name(full_name)
    intake.consent_version = questionnaire.CONSENT_VERSION
    intake.consented_at = timezone.now()
    intake.save(update_fields=["consent_name", "consent_version", "consented_at", "updated_at"])
    _record_patient_change(intake, ip_address, f"consent signed (version {intake.consent_version})")
    return intake

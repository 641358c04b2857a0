"""The patient's answers: saving steps, consent, evaluation and the one-time submit.

This module is the only caller of `clinical.evaluate`: it turns an Intake into the engine's
answers and the engine's Assessment into rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake import clinical, emails, questionnaire
from intake.enums import AssessmentKind, AuditAction, CaseStatus, TestKind
from intake.models import (
    Assessment,
    Intake,
    TestRecommendation,
)
from intake.services.common import (
    IntakeError,
    NotEditable,
    StaleSave,
    age_on,
    facts_for,
    record_event,
)
from intake.services.invitations import _normalise_name

__all__ = [
    "RAISED_FLAG_VALUES",
    "save_step",
    "step_done",
    "first_unfinished_step",
    "may_open_step",
    "record_consent",
    "engine_settings",
    "engine_answers",
    "crisis_indicated",
    "report_crisis_in_draft",
    "store_assessment",
    "submit_intake",
]


RAISED_FLAG_VALUES = frozenset({"order", "order_igg_based", "positive_on_file", "consider"})  # §8


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


def _reopen_changed_steps(
    intake: Intake,
    *,
    saved: questionnaire.Step,
    before: tuple[set[str], set[str]],
    removed: set[str],
) -> None:
    """An answer on one step can remove answers on another (the leg screen set to no drops the
    course answers), or make another step or question apply again. Such a step is no longer
    finished: the patient is taken back to it before they can submit."""
    steps_before, keys_before = before
    steps_after, keys_after = _applicable(intake, intake.answers)
    changed_keys = removed | (keys_after - keys_before)
    for other in questionnaire.STEPS:
        if other.slug == saved.slug or other.slug not in steps_after:
            continue
        if other.slug not in steps_before or questionnaire.step_keys(other) & changed_keys:
            intake.step_revisions.pop(f"{other.slug}:done", None)


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
    if not intake.is_draft:
        raise NotEditable("This questionnaire has been submitted, so it can no longer be changed.")
    current = int(intake.step_revisions.get(step.slug, 0))
    if base_revision is not None and base_revision != current:
        raise StaleSave(
            "These answers were changed in another window or device. Reload the page to see "
            "the latest answers before you continue."
        )
    applied_before = _applicable(intake, intake.answers)
    answers = dict(intake.answers)
    for key, value in values.items():
        if value is None or value == "":
            answers.pop(key, None)
        else:
            answers[key] = value
    intake.answers = _prune(intake, answers)
    revision = current + 1
    intake.step_revisions = {**intake.step_revisions, step.slug: revision}
    if not partial:
        intake.step_revisions[f"{step.slug}:done"] = True
    _reopen_changed_steps(
        intake,
        saved=step,
        before=applied_before,
        removed={key for key in answers if key not in intake.answers},
    )
    intake.save(update_fields=["answers", "step_revisions", "updated_at"])
    _record_patient_change(
        intake, ip_address, f"{'autosaved' if partial else 'answers saved'}: {step.slug}"
    )
    return intake, revision


def _record_patient_change(intake: Intake, ip_address: str | None, summary: str) -> None:
    # The patient's own changes are on record too: which step, never the answers.
    record_event(
        action=AuditAction.UPDATE, intake=intake, obj=intake, ip_address=ip_address, summary=summary
    )


def step_done(intake: Intake, step: questionnaire.Step) -> bool:
    if step.kind == "consent":
        return intake.consent_version == questionnaire.CONSENT_VERSION and bool(intake.consent_name)
    return bool(intake.step_revisions.get(f"{step.slug}:done"))


def first_unfinished_step(intake: Intake) -> questionnaire.Step | None:
    for step in questionnaire.applicable_steps(facts_for(intake)):
        if not step_done(intake, step):
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
        raise NotEditable("This questionnaire has been submitted, so it can no longer be changed.")
    intake.consent_name = _normalise_name(full_name)
    intake.consent_version = questionnaire.CONSENT_VERSION
    intake.consented_at = timezone.now()
    intake.save(update_fields=["consent_name", "consent_version", "consented_at", "updated_at"])
    _record_patient_change(intake, ip_address, f"consent signed (version {intake.consent_version})")
    return intake


# --- evaluation ----------------------------------------------------------------------------


def engine_settings() -> dict[str, Any]:
    return {
        "protocol_rules": settings.ENABLE_CLINIC_PROTOCOL_RULES,
        "irls_licensed": settings.IRLS_LICENSED,
        "iron_lookback_days": settings.IRON_LOOKBACK_DAYS,
        "tsh_lookback_days": settings.TSH_LOOKBACK_DAYS,
        "celiac_lookback_days": settings.CELIAC_LOOKBACK_DAYS,
        "min_age": settings.MIN_AGE,
    }


def engine_answers(intake: Intake, *, on: dt.date) -> dict[str, Any]:
    """The stored answers in the engine's terms: age on the day, lab dates as days ago."""
    answers = {key: value for key, value in intake.answers.items() if key != "prior_labs"}
    answers["age_years"] = age_on(intake.patient.date_of_birth, on)
    if answers.get("antibiotics_last_3mo") == "no":
        # The questionnaire asks about the last 4 weeks only after antibiotics in the last 3
        # months; "none in 3 months" answers it.
        answers["antibiotics_last_4wk"] = "no"
    labs = []
    # The patient's earlier results, then those the practitioner entered on the case.
    clinic_rows = (
        [
            {
                "test": r.test,
                "value": r.value,
                "unit": r.unit or None,
                "taken_on": r.taken_on.isoformat(),
            }
            for r in intake.lab_results.all()
        ]
        if intake.pk
        else []
    )
    for row in [*(intake.answers.get("prior_labs") or ()), *clinic_rows]:
        taken_on = dt.date.fromisoformat(row["taken_on"])
        labs.append(
            {
                "test": row["test"],
                "value": row["value"],
                "unit": row["unit"],
                "days_ago": max((on - taken_on).days, 0),
            }
        )
    if labs:
        answers["prior_labs"] = labs
    return answers


def crisis_indicated(intake: Intake) -> bool:
    """Whether the answers so far meet the crisis rule (RF-12), to show help at once."""
    if "sex_at_birth" not in intake.answers:
        return False
    result = clinical.evaluate(engine_answers(intake, on=timezone.localdate()), **engine_settings())
    return result.crisis


@transaction.atomic
def report_crisis_in_draft(*, intake_id: int, ip_address: str | None = None) -> bool:
    """The patient's mood answers met the crisis rule before they sent anything: tell the
    clinic now (the work queue lists the draft, the alert address gets a case number), once.
    Only the fact that contact is needed is shared; the answers stay the patient's until they
    send them. True when this call made the report."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if not intake.is_draft or intake.crisis_reported_at is not None:
        return False
    intake.crisis_reported_at = timezone.now()
    intake.save(update_fields=["crisis_reported_at", "updated_at"])
    record_event(
        action=AuditAction.CRISIS_REPORTED, intake=intake, obj=intake, ip_address=ip_address
    )
    transaction.on_commit(lambda: emails.send_crisis_contact_alert(intake))
    return True


def store_assessment(intake: Intake, *, kind: str, created_by=None, on: dt.date) -> Assessment:
    answers = engine_answers(intake, on=on)
    result = clinical.evaluate(answers, **engine_settings())
    data = result.as_dict()
    assessment = Assessment.objects.create(
        intake=intake,
        kind=kind,
        ruleset_version=result.ruleset_version,
        engine_answers=answers,
        result=data,
        notes=result.notes,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    recommendations = []
    for test in TestKind.values:
        flag = data["flags"][test]
        if flag["value"] not in RAISED_FLAG_VALUES:
            continue
        detail = {key: value for key, value in flag.items() if key not in ("value", "rules_fired")}
        recommendations.append(
            TestRecommendation(
                intake=intake,
                assessment=assessment,
                test=test,
                value=flag["value"],
                rules=flag["rules_fired"],
                detail=detail,
            )
        )
    TestRecommendation.objects.bulk_create(recommendations)
    intake.current_assessment = assessment
    intake.urgent = data["urgent"]["value"]
    intake.crisis = data["urgent"]["crisis"]
    intake.rls_status = data["rls"]["status"]
    intake.ibs_status = data["ibs"]["status"]
    return assessment


@transaction.atomic
def submit_intake(*, intake_id: int, ip_address: str | None = None) -> Intake:
    """Evaluate and submit, exactly once: a second submit (double click, back button, another
    tab) finds the intake already submitted and changes nothing."""
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    if not intake.is_draft:
        return intake
    missing = first_unfinished_step(intake)
    if missing is not None:
        raise IntakeError(f"Please complete the step “{missing.title}” before submitting.")
    now = timezone.now()
    store_assessment(intake, kind=AssessmentKind.SUBMISSION, on=timezone.localdate())
    intake.status = CaseStatus.NEW
    intake.submitted_at = now
    intake.version += 1
    intake.save(
        update_fields=[
            "status",
            "submitted_at",
            "current_assessment",
            "urgent",
            "crisis",
            "rls_status",
            "ibs_status",
            "version",
            "updated_at",
        ]
    )
    record_event(action=AuditAction.SUBMIT, intake=intake, obj=intake, ip_address=ip_address)
    transaction.on_commit(lambda: emails.send_new_case_alert(intake))
    return intake

"""The patient's answers: saving steps, consent, evaluation and the one-time submit.

This module is the only caller of `clinical.evaluate`: it turns an Intake into the engine's
answers and the engine's Assessment into rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake import clinical, questionnaire
from intake.enums import AssessmentKind, AuditAction, CaseStatus, ContactReason, TestKind
from intake.models import (
    Assessment,
    Intake,
    TestRecommendation,
)
from intake.questionnaire import StepKind
from intake.services import notifications, webhooks
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
    "first_unanswered_step",
    "may_open_step",
    "record_consent",
    "engine_settings",
    "engine_answers",
    "HelpText",
    "ContactAlert",
    "contact_alert",
    "contact_alert_for",
    "report_contact_needed",
    "store_assessment",
    "submit_intake",
    "sign_and_submit",
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
    `partial` (autosave) merges only the given keys and keeps the step open.

    Only the columns that changed are written: the step's count always, the answers when they
    differ, the finished steps when one is finished or reopened."""
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
    pruned = _prune(intake, answers)
    revision = current + 1
    intake.step_revisions = {**intake.step_revisions, step.slug: revision}
    fields = ["step_revisions", "updated_at"]
    if pruned != intake.answers:
        intake.answers = pruned
        fields.append("answers")
    reopened = _reopened_steps(
        intake,
        answers=pruned,
        saved=step,
        before=applied_before,
        removed={key for key in answers if key not in pruned},
    )
    completed = {
        slug: True
        for slug in [*intake.completed_steps, *([] if partial else [step.slug])]
        if slug not in reopened
    }
    if completed != intake.completed_steps:
        intake.completed_steps = completed
        fields.append("completed_steps")
    intake.save(update_fields=fields)
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
    # The results the practitioner entered on the case (the newest entry first), then the
    # patient's own: the engine takes the first of a day's results (§2.4), so a result the
    # clinic entered for the same day as one the patient typed is the one interpreted. A draft
    # has none (services.record_results takes submitted cases only): not asked for on every
    # save the patient makes.
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
        if intake.pk and not intake.is_draft
        else []
    )
    for row in [*clinic_rows, *(intake.answers.get("prior_labs") or ())]:
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


# What the patient reads before the clinic's text when they answered "Not sure" (R3-16).
UNSURE_LEAD = "If you are not sure, or if this is happening now:"


@dataclass(frozen=True)
class HelpText:
    """One block of help on the patient's page: the clinic's text (a setting), and the words
    before it for a "Not sure" answer."""

    lead: str
    text: str


@dataclass(frozen=True)
class ContactAlert:
    """What answers calling for contact today mean for the patient and the clinic (R3-23):
    the kinds to report, and the help the patient sees at once and again after sending."""

    reasons: tuple[str, ...]  # ContactReason values, in its order
    heading: str
    why: str  # one sentence under the heading, never naming a condition
    texts: tuple[HelpText, ...]
    emergency_advice: bool  # the emergency text is among them (the emergency page, not crisis)


def contact_alert_for(result: clinical.Assessment) -> ContactAlert | None:
    """Crisis resources for `crisis` and for RF-U from self_harm_thoughts; the emergency text
    for `emergency` and any other RF-U, after UNSURE_LEAD for RF-U (clinical-spec §9)."""
    emergency_text = settings.EMERGENCY_ADVICE_TEXT
    crisis_text = settings.CRISIS_RESOURCES_TEXT
    texts: list[HelpText] = []
    if result.emergency:
        texts.append(HelpText("", emergency_text))
    if result.crisis:
        texts.append(HelpText("", crisis_text))
    # "Not sure" adds its own block only when a firm answer has not already shown that text.
    if result.unsure_emergency and not result.emergency:
        texts.append(HelpText(UNSURE_LEAD, emergency_text))
    if result.unsure_crisis and not result.crisis:
        texts.append(HelpText(UNSURE_LEAD, crisis_text))
    if not texts:
        return None
    reasons = {
        ContactReason.CRISIS: result.crisis,
        ContactReason.EMERGENCY: result.emergency,
        ContactReason.UNSURE: result.unsure_emergency or result.unsure_crisis,
    }
    fired = {reason["rule"] for reason in result.as_dict()["urgent"]["reasons"]}
    if "RF-15" in fired:
        # Possible pulmonary embolism: an ambulance, not a journey to the hospital (R3-15).
        heading = "Call your emergency number now"
    elif result.emergency:
        heading = "Get emergency care now"
    elif result.crisis:
        heading = "Help is available now"
    else:
        heading = "Get help now if you need it"
    if result.emergency:
        why = (
            "One of your answers can be a sign of a problem that needs a doctor straight away. "
            "Please do not wait for your clinic to read your questionnaire."
        )
    elif result.crisis:
        why = "Thank you for telling us. You do not have to go through this alone."
    else:
        why = (
            "You answered “Not sure” to a question about something that can need help "
            "straight away."
        )
    return ContactAlert(
        reasons=tuple(value for value in ContactReason.values if reasons[value]),
        heading=heading,
        why=why,
        texts=tuple(texts),
        emergency_advice=result.emergency or result.unsure_emergency,
    )


def contact_alert(intake: Intake) -> ContactAlert | None:
    """Whether the answers so far call for contact today, and the help to show the patient:
    the one place the step save, the help page and the thank-you page ask. Evaluated once the
    sex at birth is known (every rule needs it)."""
    if "sex_at_birth" not in intake.answers:
        return None
    result = clinical.evaluate(engine_answers(intake, on=timezone.localdate()), **engine_settings())
    return contact_alert_for(result)


@transaction.atomic
def report_contact_needed(
    *, intake_id: int, reasons: Iterable[str], ip_address: str | None = None
) -> list[str]:
    """Tell the clinic now that the patient needs contact today: the work queue lists them
    (a draft too, before they send anything) until someone records the contact, and the alert
    address gets a case number and a link. Once per kind per intake; a kind new since contact
    was recorded lists the patient again. Only the need for contact is shared: a draft's
    answers stay the patient's until they send them. Returns the kinds this call reported."""
    asked = set(reasons)
    if asked - set(ContactReason.values):
        raise ValueError(f"Unknown contact reasons: {sorted(asked - set(ContactReason.values))}")
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    new = [
        reason
        for reason in ContactReason.values
        if reason in asked and reason not in intake.contact_reasons
    ]
    if not new:
        return []
    intake.contact_reasons = [*intake.contact_reasons, *new]
    fields = ["contact_reasons", "updated_at"]
    if not intake.needs_contact:
        intake.contact_needed_at = timezone.now()
        intake.contacted_at = None
        intake.contacted_by = None
        fields += ["contact_needed_at", "contacted_at", "contacted_by"]
    intake.save(update_fields=fields)
    for reason in new:
        # The kind stays off the audit row as it does off the email: it is health information.
        record_event(
            action=AuditAction.CONTACT_NEEDED, intake=intake, obj=intake, ip_address=ip_address
        )
        # Keyed by the kind's place in the list, never by the kind itself.
        notifications.queue_staff_alert(
            intake=intake,
            template="alert_contact_draft" if intake.is_draft else "alert_contact_case",
            key=f"{intake.pk}:{intake.contact_reasons.index(reason) + 1}",
        )
    return new


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
    intake.emergency = data["urgent"]["emergency"]
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
            "emergency",
            "rls_status",
            "ibs_status",
            "version",
            "updated_at",
        ]
    )
    record_event(action=AuditAction.SUBMIT, intake=intake, obj=intake, ip_address=ip_address)
    notifications.queue_staff_alert(intake=intake, template="alert_new_case", key=str(intake.pk))
    notifications.queue_submission_confirmation(intake=intake, ip_address=ip_address)
    webhooks.queue_submission_notices(intake=intake)
    # Normally reported as the patient saved the step; this catches a draft from before the
    # check ran on every step, so a submitted case needing contact is listed all the same.
    alert = contact_alert(intake)
    if alert is not None:
        report_contact_needed(intake_id=intake.pk, reasons=alert.reasons, ip_address=ip_address)
        intake.refresh_from_db()
    return intake


@transaction.atomic
def sign_and_submit(*, intake_id: int, full_name: str, ip_address: str | None = None) -> Intake:
    """Consent, signed on the check page after the answers, and the submit, together: the
    signature is stored only with the answers it was given for. Exactly once, like
    `submit_intake`: a second request finds the intake submitted and changes nothing, not even
    the signature."""
    intake = Intake.objects.select_for_update().get(pk=intake_id)
    if not intake.is_draft:
        return intake
    missing = first_unanswered_step(intake)
    if missing is not None:
        raise IntakeError(f"Please complete the step “{missing.title}” before submitting.")
    record_consent(intake_id=intake_id, full_name=full_name, ip_address=ip_address)
    return submit_intake(intake_id=intake_id, ip_address=ip_address)

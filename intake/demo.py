"""Demo patients for `make run`: invitations in different states and submitted cases, made
through the same services a real patient's browser uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from intake import services
from intake.models import Intake, Invitation, Patient

NO_RED_FLAGS = {
    key: "no"
    for key in (
        "rectal_bleeding",
        "black_stools",
        "unintentional_weight_loss",
        "nocturnal_diarrhea",
        "fever_with_gi",
        "persistent_vomiting",
        "dysphagia",
        "leg_weakness_progressive",
        "saddle_numbness",
        "new_bladder_bowel_control_loss",
        "new_spreading_numbness",
        "unilateral_calf_swelling_pain",
    )
}
RLS_YES = {
    "rls_screen": "yes",
    "rls_c1_urge": "yes",
    "rls_c2_rest": "yes",
    "rls_c3_movement_relief": "yes",
    "rls_c4_evening": "yes",
    "leg_main_problem": "urge_to_move",
    "position_shift_relief": "no",
    "rls_on_treatment": "no",
    "rls_freq": "ge_2_per_week",
    "rls_impact_level": "moderate",
    "rls_days_per_week": 5,
    "rls_onset_time": "evening",
}
QUIET_GUT = {
    "abd_pain_freq": "never",
    "bloating_freq": "lt_1_per_month",
    "gas_freq": "1_3_per_month",
    "loose_stools_4wk": "no",
    "constipation_4wk": "no",
    "gi_symptom_duration_months": 0,
    "greasy_floating_stools": "no",
    "bowel_meds_current": "no",
    "pct_bm_hard": 0,
    "pct_bm_loose": 0,
    "travel_high_risk_12mo": "no",
    "antibiotics_last_3mo": "no",
    "gluten_intake": "daily_gt1_meal",
    "fhx_crc": "no",
    "fhx_ibd": "no",
    "fhx_celiac": "no",
    "fhx_thyroid": "no",
}
IBS_D = {
    "abd_pain_freq": "2_3_per_week",
    "pain_related_to_bm": "yes",
    "pain_with_stool_freq_change": "yes",
    "pain_with_stool_form_change": "yes",
    "bloating_freq": "daily",
    "gas_freq": "4_6_per_week",
    "loose_stools_4wk": "yes",
    "gi_symptom_duration_months": 30,
    "pct_bm_hard": 5,
    "pct_bm_loose": 60,
    "ibssss_pain_severity": 60,
    "ibssss_pain_days_of_10": 6,
    "ibssss_distension": 55,
    "ibssss_bowel_dissatisfaction": 70,
    "ibssss_life_interference": 50,
}
HISTORY = {
    "conditions": [],
    "medications": [],
    "thyroid_symptoms": [],
    "caffeine_cups_per_day": 2,
    "alcohol_units_per_week": 2,
    "nicotine": "no",
}
CALM_MOOD = {"phq9_items": [1, 0, 1, 1, 0, 0, 0, 0, 0]}

# name, date of birth, answers, days since submission
SUBMITTED_CASES: list[tuple[str, dt.date, dict[str, Any], int]] = [
    (
        "Helen Carter",
        dt.date(1968, 3, 2),
        {
            "sex_at_birth": "female",
            "pregnant": "no",
            **RLS_YES,
            **QUIET_GUT,
            **IBS_D,
            **HISTORY,
            **NO_RED_FLAGS,
            **CALM_MOOD,
        },
        6,
    ),
    (
        "Tom Reilly",
        dt.date(1959, 11, 20),
        {
            "sex_at_birth": "male",
            **RLS_YES,
            **QUIET_GUT,
            "abd_pain_freq": "1_per_week",
            "gi_symptom_duration_months": 4,
            **HISTORY,
            "conditions": ["anemia_known"],
            **NO_RED_FLAGS,
            "rectal_bleeding": "yes",
            **CALM_MOOD,
        },
        2,
    ),
    (
        "Priya Natarajan",
        dt.date(1990, 7, 14),
        {
            "sex_at_birth": "female",
            "pregnant": "no",
            "rls_screen": "no",
            **QUIET_GUT,
            **HISTORY,
            **NO_RED_FLAGS,
            "phq9_items": [2, 2, 2, 1, 1, 1, 0, 0, 1],
        },
        1,
    ),
    (
        "Oliver Brandt",
        dt.date(1982, 1, 5),
        {
            "sex_at_birth": "male",
            **RLS_YES,
            "rls_on_treatment": "yes",
            "aug_earlier_onset_hours": 3,
            "aug_spread_to_arms": "yes",
            "aug_dose_escalation_or_shorter_relief": "yes",
            **QUIET_GUT,
            **HISTORY,
            "medications": ["dopamine_agonist", "mirtazapine"],
            **NO_RED_FLAGS,
            **CALM_MOOD,
        },
        4,
    ),
    (
        "Sofia Marin",
        dt.date(2013, 9, 30),
        {
            "sex_at_birth": "female",
            "pregnant": "no",
            "guardian_completed": True,
            **RLS_YES,
            "rls_child_own_words": "My legs feel fizzy like soda at bedtime.",
            **QUIET_GUT,
            **HISTORY,
            **NO_RED_FLAGS,
            **CALM_MOOD,
        },
        3,
    ),
    (
        "Grace Liu",
        dt.date(1975, 5, 18),
        {
            "sex_at_birth": "female",
            "pregnant": "no",
            "rls_screen": "no",
            **QUIET_GUT,
            **IBS_D,
            **HISTORY,
            "conditions": ["iron_deficiency_known", "hypothyroid"],
            "medications": ["levothyroxine", "ppi"],
            **NO_RED_FLAGS,
            **CALM_MOOD,
            "prior_labs": [
                {"test": "ferritin", "value": 22, "unit": "ng/mL", "taken_on": "2026-10-01"}
            ],
        },
        9,
    ),
]
# name, date of birth, state
INVITATIONS = [
    ("Maria Lopez", dt.date(1985, 2, 11), "fresh"),
    ("James Okafor", dt.date(1971, 8, 3), "in_progress"),
    ("Ben Howard", dt.date(1964, 12, 24), "expired"),
    ("Lena Fischer", dt.date(1993, 6, 6), "revoked"),
    ("Priya Nair", dt.date(1990, 9, 14), "crisis_in_progress"),
]


def answer_all(intake: Intake, answers: dict[str, Any], *, until_step: str | None = None) -> Intake:
    """Save each applicable step in order, as the patient's browser would."""
    while (step := services.first_unfinished_step(intake)) is not None:
        if step.slug == until_step:
            break
        if step.kind == "consent":
            intake = services.record_consent(
                intake_id=intake.pk, full_name=intake.patient.full_name
            )
            continue
        keys = [q.key for q in step.questions]
        keys += {"mood": ["phq9_items"], "labs": ["prior_labs"]}.get(step.kind, [])
        values = {key: answers.get(key) for key in keys}
        intake, _ = services.save_step(
            intake_id=intake.pk, step=step, values=values, base_revision=None
        )
    return intake


DEMO_CODE_COUNT = 5


def sign_in_codes(*, user) -> list[str]:
    """Fresh one-time recovery codes for a demo account, so the demo can be clicked through
    without an authenticator app. (Real accounts enrol an app on first sign-in.)"""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Demo codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(DEMO_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def seed(created_by) -> str:
    """Create the demo records once; on every run, return a fresh working invitation link path."""
    if not Patient.objects.exists():
        for name, born, answers, days_ago in SUBMITTED_CASES:
            invitation, _ = services.create_invitation(
                full_name=name, date_of_birth=born, created_by=created_by
            )
            intake = answer_all(invitation.intake, answers)
            intake = services.submit_intake(intake_id=intake.pk)
            Intake.objects.filter(pk=intake.pk).update(
                submitted_at=timezone.now() - dt.timedelta(days=days_ago, hours=days_ago)
            )
        for name, born, state in INVITATIONS:
            invitation, _ = services.create_invitation(
                full_name=name, date_of_birth=born, created_by=created_by
            )
            if state == "in_progress":
                answer_all(
                    invitation.intake,
                    {"sex_at_birth": "male", **RLS_YES},
                    until_step="bowel",
                )
            elif state == "crisis_in_progress":
                # Stopped after the mood step with a crisis answer: the queue asks for contact.
                answers = {**SUBMITTED_CASES[0][2], "phq9_items": [1, 1, 2, 1, 0, 1, 0, 1, 2]}
                intake = answer_all(invitation.intake, answers, until_step="labs")
                services.report_crisis_in_draft(intake_id=intake.pk)
            elif state == "expired":
                Invitation.objects.filter(pk=invitation.pk).update(
                    expires_at=timezone.now() - dt.timedelta(days=1)
                )
            elif state == "revoked":
                services.revoke_invitation(invitation=invitation, by=created_by)
    fresh = Invitation.objects.filter(intake__patient__full_name="Maria Lopez").first()
    _new, token = services.reissue_invitation(invitation=fresh, by=created_by)
    return f"/i/{token}/"

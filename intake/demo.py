"""Demo patients for `make run`: invitations in different states and submitted cases, made
through the same services a real patient's browser uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from intake import questionnaire, services
from intake.enums import CaseStatus, Decision
from intake.models import Intake, Invitation, Patient
from intake.questionnaire import StepKind

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
        "vomiting_blood",
        "anemia_recent_unexplained",
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
# Asked first (R3-2); a "no" screen without treatment ends the leg questions.
RLS_NO = {"rls_on_treatment": "no", "rls_screen": "no"}
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
            "pain_related_to_bm": "yes",
            "pain_with_stool_freq_change": "no",
            "pain_with_stool_form_change": "no",
            "gi_symptom_duration_months": 4,
            "ibssss_pain_severity": 30,
            "ibssss_pain_days_of_10": 2,
            "ibssss_distension": 10,
            "ibssss_bowel_dissatisfaction": 40,
            "ibssss_life_interference": 20,
            **HISTORY,
            "conditions": ["anemia_known"],
            **NO_RED_FLAGS,
            "anemia_recent_unexplained": "yes",
            "rectal_bleeding": "yes",
            "bleeding_now_or_faint": "no",
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
            **RLS_NO,
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
            "rls_treatment_meds": ["dopamine_agonist"],
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
            **RLS_NO,
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
    # An emergency (new numbness between the legs): top of the queue until contact is recorded.
    (
        "Rhys Morgan",
        dt.date(1971, 6, 3),
        {
            "sex_at_birth": "male",
            **RLS_YES,
            **QUIET_GUT,
            **HISTORY,
            **NO_RED_FLAGS,
            "saddle_numbness": "yes",
            **CALM_MOOD,
        },
        0,
    ),
]


def _profile(kind: str, sex: str) -> dict[str, Any]:
    """The answers of one kind of patient: RLS alone, RLS with IBS-D, gut symptoms alone, or
    either with a red flag (rectal bleeding, or weight loss with black stools)."""
    about = {"sex_at_birth": sex, **({"pregnant": "no"} if sex == "female" else {})}
    rls = RLS_YES if kind.startswith("rls") else RLS_NO
    gut = {**QUIET_GUT, **IBS_D} if kind in ("rls_ibs", "gut", "gut_red_flag") else QUIET_GUT
    flags = dict(NO_RED_FLAGS)
    if kind == "rls_red_flag":
        flags.update(rectal_bleeding="yes", bleeding_now_or_faint="no")
    if kind == "gut_red_flag":
        flags.update(
            unintentional_weight_loss="yes", black_stools="yes", bleeding_now_or_faint="no"
        )
    return {**about, **rls, **gut, **HISTORY, **flags, **CALM_MOOD}


# The busier part of the queue, made through the practitioner's workflow so that every status,
# assignee and counter shows: name, date of birth, sex, kind (see _profile), days since
# submission, and what happened next:
#   new · review (taken by the demo practitioner) · review_colleague (assigned to the second
#   practitioner) · review_unassigned · ordered / ordered_colleague (decisions, tests ordered)
#   · results (results entered and re-evaluated) · closed_week · closed_earlier
WORKFLOW_CASES: list[tuple[str, dt.date, str, str, int, str]] = [
    ("Aisha Rahman", dt.date(1987, 4, 9), "female", "rls", 0, "new"),
    ("Daniel Kowalski", dt.date(1979, 10, 30), "male", "rls_ibs", 1, "new"),
    ("Mei Tanaka", dt.date(1996, 2, 17), "female", "gut", 2, "new"),
    ("Samuel Adeyemi", dt.date(1954, 6, 1), "male", "rls_red_flag", 3, "new"),
    ("Fatima Haddad", dt.date(1969, 12, 12), "female", "rls", 5, "new"),
    ("Lucas Moreau", dt.date(2001, 8, 23), "male", "rls", 7, "new"),
    ("Ingrid Larsen", dt.date(1948, 3, 28), "female", "rls", 8, "review"),
    ("Carlos Mendes", dt.date(1972, 7, 4), "male", "gut_red_flag", 4, "review"),
    ("Hannah Schmidt", dt.date(1985, 11, 19), "female", "rls", 10, "review"),
    ("Kwame Mensah", dt.date(1963, 5, 15), "male", "rls", 6, "review_colleague"),
    ("Olivia Bennett", dt.date(1990, 1, 26), "female", "rls_ibs", 9, "review_colleague"),
    ("Yusuf Demir", dt.date(1977, 9, 8), "male", "gut", 11, "review_unassigned"),
    ("Chloe Dubois", dt.date(1983, 4, 2), "female", "rls", 12, "ordered"),
    ("Arjun Patel", dt.date(1958, 2, 14), "male", "rls_ibs", 14, "ordered"),
    ("Elena Petrova", dt.date(1966, 10, 5), "female", "rls", 13, "ordered_colleague"),
    ("Noah Fischer", dt.date(1994, 6, 21), "male", "gut", 16, "ordered_colleague"),
    ("Rosa Delgado", dt.date(1961, 8, 17), "female", "rls", 18, "results"),
    ("Jonas Berg", dt.date(1975, 3, 3), "male", "rls", 5, "closed_week"),
    ("Amara Okoye", dt.date(1988, 12, 30), "female", "rls_ibs", 6, "closed_week"),
    ("Peter Novak", dt.date(1950, 11, 11), "male", "rls_red_flag", 4, "closed_week"),
    ("Sara Lindqvist", dt.date(1992, 5, 27), "female", "gut", 25, "closed_earlier"),
    ("Mohammed Farouk", dt.date(1970, 1, 9), "male", "rls", 30, "closed_earlier"),
    ("Julia Romano", dt.date(1981, 7, 16), "female", "rls", 34, "closed_earlier"),
    ("William Grant", dt.date(1945, 9, 29), "male", "rls", 40, "closed_earlier"),
    ("Nadia Kaur", dt.date(1999, 3, 12), "female", "rls", 45, "closed_earlier"),
    ("Tomasz Zielinski", dt.date(1968, 4, 20), "male", "gut", 2, "review"),
    ("Leila Nasser", dt.date(1976, 6, 6), "female", "rls", 1, "review_colleague"),
    ("George Whitfield", dt.date(1957, 10, 10), "male", "rls", 3, "ordered"),
    # A returning patient: an earlier questionnaire, closed, and a new one.
    ("Margaret O'Neill", dt.date(1952, 2, 8), "female", "rls", 60, "closed_earlier"),
    ("Margaret O'Neill", dt.date(1952, 2, 8), "female", "rls", 1, "new"),
]
# Recent iron results for the "results" case: iron testing goes from "suggested" to "on file"
# (the case page shows what changed and keeps the first assessment on record).
DEMO_RESULTS = [
    {"test": "ferritin", "value": 38, "unit": "ng/mL"},
    {"test": "tsat", "value": 19, "unit": "%"},
]


# Demo patients who answered in Spanish (the case page notes the language; docs/languages.md).
SPANISH_SPEAKERS = frozenset({"Carlos Mendes", "Rosa Delgado"})


def _submit(name: str, born: dt.date, answers: dict[str, Any], days_ago: int, created_by):
    invitation, _ = services.create_invitation(
        full_name=name,
        date_of_birth=born,
        created_by=created_by,
        language="es" if name in SPANISH_SPEAKERS else "en",
    )
    intake = answer_all(invitation.intake, answers)
    intake = services.submit_intake(intake_id=intake.pk)
    Intake.objects.filter(pk=intake.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=days_ago, hours=days_ago)
    )
    return intake


def _decide_all(intake: Intake, *, by) -> Intake:
    """Order every suggested test but the last, and decline that one with a reason."""
    recommendations = list(intake.recommendations.filter(assessment=intake.current_assessment))
    for number, recommendation in enumerate(recommendations, start=1):
        last = number == len(recommendations)
        services.record_decision(
            intake_id=intake.pk,
            version=intake.version,
            recommendation_id=recommendation.pk,
            decision=Decision.DECLINED if last and number > 1 else Decision.ORDERED,
            reason="Done at the GP last month; copy requested." if last and number > 1 else "",
            by=by,
        )
        intake.refresh_from_db(fields=["version"])
    return intake


def _work_on(intake: Intake, step: str, *, practitioner, colleague, days_ago: int) -> None:
    """Take the case through the practitioner's workflow as far as `step`."""
    me = colleague if step.endswith("_colleague") else practitioner
    if step == "new":
        return
    if step == "review_unassigned":
        services.change_status(
            intake_id=intake.pk, version=intake.version, status=CaseStatus.IN_REVIEW, by=me
        )
        return
    intake = services.assign_case(intake_id=intake.pk, version=intake.version, assignee=me, by=me)
    if step.startswith("review"):
        return
    intake = _decide_all(intake, by=me)
    if step == "results":
        taken_on = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
        intake = services.record_results(
            intake_id=intake.pk,
            version=intake.version,
            results=[{**row, "taken_on": taken_on} for row in DEMO_RESULTS],
            by=me,
        )
    intake.refresh_from_db(fields=["status", "version"])
    if intake.status != CaseStatus.TESTS_ORDERED:  # ordering a test moved it there already
        intake = services.change_status(
            intake_id=intake.pk, version=intake.version, status=CaseStatus.TESTS_ORDERED, by=me
        )
    if step.startswith("closed"):
        services.add_note(
            intake_id=intake.pk, text="Results reviewed with the patient by phone.", by=me
        )
        intake.refresh_from_db(fields=["version"])
        services.change_status(
            intake_id=intake.pk, version=intake.version, status=CaseStatus.CLOSED, by=me
        )
        if step == "closed_earlier":
            # Closed well before this week, some days after it came in.
            closed = timezone.now() - dt.timedelta(days=max(days_ago - 5, 8))
            Intake.objects.filter(pk=intake.pk).update(closed_at=closed)


# The patient whose fresh link `seed` returns on every run.
DEMO_PATIENT = ("Maria Lopez", dt.date(1985, 2, 11))
# name, date of birth, state
INVITATIONS = [
    (*DEMO_PATIENT, "fresh"),
    ("James Okafor", dt.date(1971, 8, 3), "in_progress"),
    ("Ben Howard", dt.date(1964, 12, 24), "expired"),
    ("Lena Fischer", dt.date(1993, 6, 6), "revoked"),
    ("Priya Nair", dt.date(1990, 9, 14), "crisis_in_progress"),
    # Answered "Not sure" about new numbness between the legs and stopped there (RF-U).
    ("Owen Price", dt.date(1961, 4, 27), "unsure_in_progress"),
]


def _report_contact(intake: Intake) -> None:
    """What the patient's step save does when answers call for contact today."""
    alert = services.contact_alert(intake)
    if alert is not None:
        services.report_contact_needed(intake_id=intake.pk, reasons=alert.reasons)


def answer_all(intake: Intake, answers: dict[str, Any], *, until_step: str | None = None) -> Intake:
    """Save each applicable step in order, as the patient's browser would."""
    while (step := services.first_unfinished_step(intake)) is not None:
        if step.slug == until_step:
            break
        if step.kind == StepKind.CONSENT:
            intake = services.record_consent(
                intake_id=intake.pk, full_name=intake.patient.full_name
            )
            continue
        values = {key: answers.get(key) for key in questionnaire.step_keys(step)}
        intake, _ = services.save_step(
            intake_id=intake.pk, step=step, values=values, base_revision=None
        )
    return intake


DEMO_CODE_COUNT = 5
DEMO_ACCOUNTS = ("practitioner", "practitioner2", "admin", "auditor")  # made by seed_demo
DEMO_CODES_DEVICE = "Demo codes"


def has_sign_in_codes(*, user) -> bool:
    """Whether the demo account has its one-time codes device (made on the first run)."""
    return StaticDevice.objects.filter(user=user, name=DEMO_CODES_DEVICE).exists()


def sign_in_codes(*, user) -> list[str]:
    """New one-time codes for a demo account's second sign-in step, so the demo can be clicked
    through without an authenticator app. (Real accounts enrol an app on first sign-in.) The
    codes not used yet stop working; the device itself stays, so whoever signed in with one of
    its codes stays signed in (django-otp keeps the device's id in the session)."""
    device = StaticDevice.objects.filter(user=user, name=DEMO_CODES_DEVICE).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=DEMO_CODES_DEVICE, confirmed=True)
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _ in range(DEMO_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def seed(created_by, colleague=None) -> tuple[str, dt.date]:
    """Create the demo records once; on every run, return a fresh working invitation link path
    and the date of birth it asks for when opened in another browser. `colleague` is a second
    practitioner, so that the queue has cases assigned to someone else too."""
    if not Patient.objects.exists():
        for name, born, answers, days_ago in SUBMITTED_CASES:
            _submit(name, born, answers, days_ago, created_by)
        for name, born, sex, kind, days_ago, step in WORKFLOW_CASES:
            intake = _submit(name, born, _profile(kind, sex), days_ago, created_by)
            _work_on(
                intake,
                step,
                practitioner=created_by,
                colleague=colleague or created_by,
                days_ago=days_ago,
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
                _report_contact(intake)
            elif state == "unsure_in_progress":
                answers = {**SUBMITTED_CASES[0][2], "saddle_numbness": "unsure"}
                intake = answer_all(invitation.intake, answers, until_step="mood")
                _report_contact(intake)
            elif state == "expired":
                Invitation.objects.filter(pk=invitation.pk).update(
                    expires_at=timezone.now() - dt.timedelta(days=1)
                )
            elif state == "revoked":
                services.revoke_invitation(invitation=invitation, by=created_by)
    return fresh_invitation(created_by=created_by)


def fresh_invitation(*, created_by) -> tuple[str, dt.date]:
    """A link nobody has opened yet for the demo patient, and the date of birth it asks for.
    Her latest questionnaire's link is issued again only while nobody has opened it or
    answered anything (its token is not stored, so it cannot be printed again as it was); once
    it was opened, started or sent, she gets a new questionnaire, so that the printed link
    never opens a sent one and a browser in the middle of hers keeps its link."""
    name, born = DEMO_PATIENT
    latest = (
        Intake.objects.filter(patient__full_name=name, patient__date_of_birth=born)
        .order_by("-created_at", "-pk")
        .first()
    )
    untouched = (
        latest is not None
        and latest.is_draft
        and not latest.answers
        and not latest.invitations.filter(last_opened_at__isnull=False).exists()
    )
    if untouched:
        _new, token = services.reissue_invitation(
            invitation=latest.invitations.order_by("-created_at", "-pk").first(), by=created_by
        )
    else:
        _new, token = services.create_invitation(
            full_name=name, date_of_birth=born, created_by=created_by
        )
    return f"/i/{token}/", born

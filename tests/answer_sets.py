"""The sample answer sets of the tests, in one place: plain data and the small functions that
build it, with no database and no Django, so that tests/clinical/ can use it too.

Three shapes of the same patient, each as one layer sees it:
- engine answers: the keys and types of clinical-spec §2 that `intake.clinical.evaluate` takes
  (`adult`, `rls_positive`, `full_adult`, ...);
- step form data: what a browser posts to each questionnaire step (`STEP_DATA`, `CONSENT`);
- stored answers: what the services keep on an intake (`RLS_AND_DIARRHOEA`), for cases made
  with `tests.factories.submitted_case`;
and the engine's results written out by hand, as the database stores them (`REVISION_3`,
`RULES_2026_2`), for the pages that show a stored result.

Builders return fresh dicts. An override whose value is None is *dropped* so the key is truly
absent (spec §0: absent and None both mean missing; test_contract checks that equivalence
separately, so the other tests do not depend on it).
"""

from __future__ import annotations

from typing import Any

from intake.questionnaire import STEPS_BY_SLUG

# ---- engine answers (clinical-spec §2) ----------------------------------------------------

MICRO = "\u00b5"  # the micro sign used by spec §2.4 ("µg/L", "µg/g")

WEEKLY_PLUS = ["1_per_week", "2_3_per_week", "4_6_per_week", "daily"]
LESS_THAN_WEEKLY = ["never", "lt_1_per_month", "1_3_per_month"]


def _merge(base, overrides):
    merged = {**base, **overrides}
    return {key: value for key, value in merged.items() if value is not None}


def adult(**overrides):
    """A minimal valid adult: only the two required keys."""
    return _merge({"age_years": 35, "sex_at_birth": "female"}, overrides)


def child(**overrides):
    """A minimal valid pediatric patient (6 <= age < 18), guardian present."""
    return _merge(
        {"age_years": 10, "sex_at_birth": "female", "guardian_completed": True}, overrides
    )


# All five IRLSSG criteria T (spec §4.2).
RLS_ALL_TRUE = {
    "rls_screen": "yes",
    "rls_c1_urge": "yes",
    "rls_c2_rest": "yes",
    "rls_c3_movement_relief": "yes",
    "rls_c4_evening": "yes",
    "leg_main_problem": "urge_to_move",
    "position_shift_relief": "no",
}


def rls_positive(**overrides):
    return adult(**_merge(RLS_ALL_TRUE, overrides))


# Rome IV adult P, A, D all T; subtype IBS-U (0/0), so no chronic diarrhoea/constipation (§3.2).
IBS_ADULT_MET = {
    "abd_pain_freq": "1_per_week",
    "pain_related_to_bm": "yes",
    "pain_with_stool_freq_change": "yes",
    "pain_with_stool_form_change": "no",
    "gi_symptom_duration_months": 12,
    "pct_bm_hard": 0,
    "pct_bm_loose": 0,
    "gluten_intake": "daily_gt1_meal",
}


def ibs_adult_met(**overrides):
    return adult(**_merge(IBS_ADULT_MET, overrides))


# Rome IV pediatric P, A, D, X all T (spec §5.2); subtype IBS-U.
IBS_PEDS_MET = {
    "abd_pain_freq": "1_per_week",
    "pain_related_to_bm": "yes",
    "pain_with_stool_freq_change": "no",
    "pain_with_stool_form_change": "no",
    "gi_symptom_duration_months": 3,
    "constipation_4wk": "no",
    "pct_bm_hard": 0,
    "pct_bm_loose": 0,
    "gluten_intake": "daily_gt1_meal",
}


def ibs_peds_met(**overrides):
    return child(**_merge(IBS_PEDS_MET, overrides))


def lab(test, value, unit, days_ago):
    return {"test": test, "value": value, "unit": unit, "days_ago": days_ago}


def ferritin(value, days_ago=10, unit="ng/mL"):
    return lab("ferritin", value, unit, days_ago)


def tsat(value, days_ago=10):
    return lab("tsat", value, "%", days_ago)


def tsh(value, days_ago=10, unit="mIU/L"):
    return lab("tsh", value, unit, days_ago)


def ttg_iga(value, days_ago=10):
    return lab("ttg_iga", value, None, days_ago)


def total_iga(value, days_ago=10):
    return lab("total_iga", value, None, days_ago)


def full_adult(**overrides):
    """An adult who answered every question that could be needed: RLS met, IBS-D met.

    Left out on purpose (not needed for this patient): weeks_pregnant, rls_child_own_words,
    guardian_completed, pain_resolves_with_constipation_treatment, irls_items,
    self_harm_thoughts (PHQ-9 is used), prior_celiac_test_on_gluten (no tTG on file).
    """
    answers = {
        "age_years": 40,
        "sex_at_birth": "female",
        "pregnant": "no",
        **RLS_ALL_TRUE,
        "rls_on_treatment": "no",
        "rls_freq": "ge_2_per_week",
        "rls_lifetime_episodes_ge5": "yes",
        "rls_impact_level": "moderate",
        "rls_days_per_week": 4,
        "rls_onset_time": "evening",
        "aug_earlier_onset_hours": 0,
        "aug_spread_to_arms": "no",
        "aug_dose_escalation_or_shorter_relief": "no",
        "abd_pain_freq": "2_3_per_week",
        "pain_related_to_bm": "yes",
        "pain_with_stool_freq_change": "yes",
        "pain_with_stool_form_change": "no",
        "gi_symptom_duration_months": 12,
        "pct_bm_hard": 0,
        "pct_bm_loose": 30,
        "bowel_meds_current": "no",
        "bloating_freq": "1_per_week",
        "gas_freq": "never",
        "loose_stools_4wk": "no",
        "constipation_4wk": "no",
        "greasy_floating_stools": "no",
        "rectal_bleeding": "no",
        "black_stools": "no",
        "unintentional_weight_loss": "no",
        "nocturnal_diarrhea": "no",
        "fever_with_gi": "no",
        "persistent_vomiting": "no",
        "dysphagia": "no",
        "fhx_crc": "no",
        "fhx_ibd": "no",
        "fhx_celiac": "no",
        "fhx_thyroid": "no",
        "travel_high_risk_12mo": "no",
        "antibiotics_last_3mo": "no",
        "antibiotics_last_4wk": "no",
        "gluten_intake": "daily_gt1_meal",
        "ibssss_pain_severity": 40,
        "ibssss_pain_days_of_10": 4,
        "ibssss_distension": 30,
        "ibssss_bowel_dissatisfaction": 50,
        "ibssss_life_interference": 40,
        "conditions": [],
        "medications": [],
        "thyroid_symptoms": [],
        "caffeine_cups_per_day": 0,
        "alcohol_units_per_week": 0,
        "nicotine": "no",
        "vomiting_blood": "no",
        "anemia_recent_unexplained": "no",
        "leg_weakness_progressive": "no",
        "saddle_numbness": "no",
        "new_bladder_bowel_control_loss": "no",
        "new_spreading_numbness": "no",
        "unilateral_calf_swelling_pain": "no",
        "phq9_items": [0, 0, 0, 0, 0, 0, 0, 0, 0],
        "prior_labs": [],
    }
    return _merge(answers, overrides)


def without(answers, *keys):
    return {key: value for key, value in answers.items() if key not in keys}


# ---- step form data (what a browser posts) ------------------------------------------------

# Every question of the warning-signs step answered "no", taken from the step itself so that a
# question added there is answered here too. The follow-ups ("is the bleeding happening now?")
# are sent as well: the server drops them while they do not apply, and a test that answers
# "yes" to a red flag gets its follow-up answered "no".
NO_RED_FLAGS = {question.key: "no" for question in STEPS_BY_SLUG["warning-signs"].questions}

# POST data per step for an adult woman with RLS and IBS-D symptoms; tests override keys.
STEP_DATA: dict[str, dict[str, Any]] = {
    "about-you": {"sex_at_birth": "female", "pregnant": "no"},
    "legs": {
        "rls_on_treatment": "no",
        "rls_screen": "yes",
        "rls_c1_urge": "yes",
        "rls_c2_rest": "yes",
        "rls_c3_movement_relief": "yes",
        "rls_c4_evening": "yes",
        "leg_main_problem": "urge_to_move",
        "position_shift_relief": "no",
    },
    "course": {
        "rls_freq": "ge_2_per_week",
        "rls_impact_level": "moderate",
        "rls_days_per_week": "5",
        "rls_onset_time": "evening",
    },
    "treatment": {
        "aug_earlier_onset_hours": "0",
        "aug_spread_to_arms": "no",
        "aug_dose_escalation_or_shorter_relief": "no",
    },
    "severity-scale": {f"irls_{n}": "1" for n in range(1, 11)},
    "bowel": {
        "abd_pain_freq": "2_3_per_week",
        "pain_related_to_bm": "yes",
        "pain_with_stool_freq_change": "yes",
        "pain_with_stool_form_change": "no",
        "bloating_freq": "daily",
        "gas_freq": "1_per_week",
        "loose_stools_4wk": "no",
        "constipation_4wk": "no",
        "gi_symptom_duration_months": "24",
        "greasy_floating_stools": "no",
        "bowel_meds_current": "no",
    },
    "stool-form": {"pct_bm_hard": "10", "pct_bm_loose": "40"},
    "gut-severity": {
        "ibssss_pain_severity": "50",
        "ibssss_pain_days_of_10": "5",
        "ibssss_distension": "40",
        "ibssss_bowel_dissatisfaction": "60",
        "ibssss_life_interference": "30",
    },
    "gut-risks": {
        "travel_high_risk_12mo": "no",
        "antibiotics_last_3mo": "no",
        "gluten_intake": "daily_gt1_meal",
        "fhx_crc": "no",
        "fhx_ibd": "no",
        "fhx_celiac": "no",
        "fhx_thyroid": "no",
        "fhx_rls": "no",
    },
    "history": {
        "conditions": ["none"],
        "medications": ["ppi"],
        "thyroid_symptoms": ["none"],
        "iv_iron_last_12wk": "no",
        "blood_donor_regular": "no",
        "heavy_menstrual_bleeding": "no",
        "breastfeeding": "no",
        "caffeine_cups_per_day": "2",
        "alcohol_units_per_week": "3",
        "nicotine": "no",
    },
    "warning-signs": dict(NO_RED_FLAGS),
    "mood": {f"phq9_{n}": "0" for n in range(1, 10)},
    "labs": {"labs-TOTAL_FORMS": "0", "labs-INITIAL_FORMS": "0"},
}
# Consent, signed on the check page as the answers are sent.
CONSENT = {"agree": "on", "full_name": "Ann Example"}

# ---- stored answers (what the services keep on an intake) ---------------------------------

# An adult woman who meets the RLS criteria, with loose stools and no other gut complaint, no
# warning signs and a calm mood: the staff-side tests' usual case (as intake.demo's sets).
RLS_AND_DIARRHOEA: dict[str, Any] = {
    "sex_at_birth": "female",
    "pregnant": "no",
    **RLS_ALL_TRUE,
    "rls_on_treatment": "no",
    "rls_freq": "ge_2_per_week",
    "rls_impact_level": "moderate",
    "rls_days_per_week": 5,
    "rls_onset_time": "evening",
    "abd_pain_freq": "never",
    "bloating_freq": "lt_1_per_month",
    "gas_freq": "1_3_per_month",
    "loose_stools_4wk": "yes",
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
    "conditions": [],
    "medications": [],
    "thyroid_symptoms": [],
    "caffeine_cups_per_day": 2,
    "alcohol_units_per_week": 2,
    "nicotine": "no",
    **{
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
    },
    "phq9_items": [1, 0, 1, 1, 0, 0, 0, 0, 0],
}

# ---- the engine's results, written out by hand (clinical-spec §11) ------------------------
# One as revision 3's rules give it (with `because`, emergency, cautions, the "Not sure" list),
# one as rules 2026.2 stored it: the pages must show each as it is.

NEW_VERSION = "2026.3"

# Revision 3's shape: every fired rule and red-flag reason says why for this patient.
IV_IRON_CAVEAT = (
    "IV iron in the last 12 weeks: results drawn within about 8 weeks of an infusion are falsely "
    "high, and results drawn before it are out of date. Draw at least 8 weeks after the last dose."
)
POSITIVE_TTG_CAVEAT = (
    "positive tTG-IgA on file: refer to gastroenterology for duodenal biopsy while still eating "
    "gluten; do not repeat the serology"
)
REVISION_3: dict[str, Any] = {
    "assessment_status": "complete",
    "rls": {
        "status": "met",
        "criteria": {"C1": "T", "C2": "T", "C3": "T", "C4": "T", "C5": "T"},
        "failed": [],
        "unknown": [],
        "course": "chronic_persistent",
        "clinically_significant": True,
        "riss": {"days_per_week": 5, "onset_grade": 2, "impact": "moderate"},
        "irls": {"total": None, "band": None},
        "augmentation_suspected": False,
        "cautions": [
            {
                "id": "possible_akathisia",
                "text": "Akathisia from this medicine can look like RLS: restlessness of the "
                "whole body, less tied to evening or rest — practitioner to confirm",
            },
            {
                "id": "coexisting_mimic",
                "condition": "varicose_veins",
                "text": "Varicose veins can cause leg symptoms like RLS; the criteria require "
                "that it does not fully explain them — practitioner to confirm",
            },
        ],
    },
    "ibs": {
        "status": "incomplete",
        "variant": "adult",
        "subtype": None,
        "alarm_features_present": True,
        "notes": ["treat_constipation_first"],
        "ibs_sss": {"total": None, "band": None},
    },
    "phq9": {"total": 3, "band": "none", "item9": 0},
    "flags": {
        "thyroid": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "THY-1",
                    "tier": "G",
                    "reason": "Chronic diarrhoea: thyroid function is part of the initial "
                    "work-up (BSG 2018).",
                    "because": [
                        {"key": "chronic_diarrhea", "value": True},
                        {"key": "loose_stools_4wk", "value": "yes"},
                    ],
                },
                {
                    "rule": "THY-2b",
                    "tier": "G",
                    "reason": "Higher risk of thyroid disease: case-finding TSH (ATA/AACE 2012).",
                    "because": [{"key": "fhx_thyroid", "value": "yes"}],
                },
            ],
        },
        "iron_panel": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "IRON-1",
                    "tier": "G",
                    "reason": "RLS criteria met: iron studies (ferritin and TSAT) are recommended "
                    "in all RLS (AASM 2024; Silber 2021)",
                    "because": [{"key": "rls.status", "value": "met"}],
                },
                {
                    "rule": "IRON-3",
                    "tier": "G",
                    "reason": "On RLS medication: iron studies (ferritin and TSAT) are "
                    "recommended, and low iron raises the risk of augmentation (AASM 2024; "
                    "IRLSSG 2016)",
                    "because": [
                        {"key": "rls_on_treatment", "value": "yes"},
                        {"key": "rls_treatment_meds", "value": "dopamine_agonist"},
                    ],
                },
            ],
            "interpretation": None,
            "context": ["heavy_menstrual_bleeding", "iv_iron_last_12wk"],
            "caveat": IV_IRON_CAVEAT,
        },
        "celiac": {
            "value": "positive_on_file",
            "rules_fired": [
                {
                    "rule": "CEL-5",
                    "tier": "G",
                    "reason": "A positive tTG-IgA is on file.",
                    "because": [{"key": "prior_labs.ttg_iga", "value": "pos"}],
                }
            ],
            "caveat": POSITIVE_TTG_CAVEAT,
        },
        "stool": {"value": "no", "components": [], "rules_fired": []},
        "sibo_breath": {
            "value": "consider",
            "rules_fired": [
                {
                    "rule": "SIBO-2",
                    "tier": "GW",
                    "reason": "Gut symptoms after bowel surgery: a breath test may be considered "
                    "(ACG 2020).",
                    "because": [
                        {"key": "sibo_symptoms", "value": True},
                        {"key": "loose_stools_4wk", "value": "yes"},
                        {"key": "conditions", "value": "prior_luminal_gi_surgery"},
                    ],
                }
            ],
            "timing_note": None,
        },
    },
    "urgent": {
        "value": True,
        "reasons": [
            {
                "rule": "RF-2",
                "tier": "G",
                "reason": "Black, tarry stools: possible upper GI bleed.",
                "because": [
                    {"key": "black_stools", "value": "yes"},
                    {"key": "medications", "value": "iron_supplement"},
                ],
            },
            {
                "rule": "RF-5",
                "tier": "P",
                "reason": "New bowel symptoms at 50 or over.",
                "because": [
                    {"key": "gi_symptomatic", "value": True},
                    {"key": "loose_stools_4wk", "value": "yes"},
                    {"key": "gi_symptom_duration_months", "value": None},
                ],
            },
            {
                "rule": "RF-10",
                "tier": "G",
                "reason": "Possible cord or cauda equina compression.",
                "because": [{"key": "saddle_numbness", "value": "yes"}],
            },
        ],
        "crisis": False,
        "emergency": True,
    },
    "associations": [],
    "aggravators": [],
    "data_quality": {
        "missing": [],
        "conflicts": [],
        "unsure_red_flags": ["fever_with_gi"],
    },
}

# As rules 2026.2 stored it: no `because`, no tier on red flags, SIBO "order", no emergency,
# cautions, notes, iron context or unsure list.
RULES_2026_2: dict[str, Any] = {
    "assessment_status": "complete",
    "rls": {
        "status": "met",
        "criteria": {"C1": "T", "C2": "T", "C3": "T", "C4": "T", "C5": "T"},
        "failed": [],
        "unknown": [],
        "course": "unclassified",
        "clinically_significant": None,
        "riss": {"days_per_week": None, "onset_grade": None, "impact": None},
        "irls": {"total": None, "band": None},
        "augmentation_suspected": False,
    },
    "ibs": {
        "status": "incomplete",
        "variant": "adult",
        "subtype": None,
        "alarm_features_present": True,
        "ibs_sss": {"total": None, "band": None},
    },
    "phq9": {"total": 1, "band": "none", "item9": 1},
    "flags": {
        "thyroid": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "THY-1",
                    "tier": "G",
                    "reason": "Chronic diarrhoea: thyroid function is part of the initial "
                    "work-up (BSG 2018).",
                }
            ],
        },
        "iron_panel": {
            "value": "on_file",
            "rules_fired": [
                {
                    "rule": "IRON-1",
                    "tier": "G",
                    "reason": "RLS criteria are met: ferritin and transferrin saturation should "
                    "be checked in clinically significant RLS (AASM 2024).",
                }
            ],
            "interpretation": {"text": "Ferritin 60: oral or IV iron candidate."},
        },
        "celiac": {"value": "no", "rules_fired": [], "caveat": None},
        "stool": {"value": "no", "components": [], "rules_fired": []},
        "sibo_breath": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "SIBO-4",
                    "tier": "S",
                    "reason": "RLS criteria are met with gut symptoms: the clinic protocol offers "
                    "a SIBO breath test (one small study, not a guideline).",
                }
            ],
            "timing_note": None,
        },
    },
    "urgent": {
        "value": True,
        "reasons": [
            {
                "rule": "RF-1",
                "reason": "Rectal bleeding reported: GI bleeding needs prompt evaluation.",
            },
            {
                "rule": "RF-12",
                "reason": "Thoughts of self-harm or of being better off dead reported: crisis "
                "pathway.",
            },
        ],
        "crisis": True,
    },
    "associations": [],
    "aggravators": [],
    "data_quality": {"missing": [], "conflicts": []},
}
# What rules 2026.2 raised (services.RAISED_FLAG_VALUES then).
RAISED_2026_2 = frozenset({"order", "order_igg_based"})

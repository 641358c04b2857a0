"""Small, obvious builders for the clinical engine's answers and output.

Builders return fresh dicts. An override whose value is None is *dropped* so the key is truly
absent (spec §0: absent and None both mean missing; test_contract checks that equivalence
separately, so the other tests do not depend on it).
"""

from intake.clinical import evaluate

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


# ---- running the engine and reading its output -------------------------------------------


def assess(answers, **settings):
    """evaluate(...).as_dict() with the spec's default settings unless overridden."""
    return evaluate(answers, **settings).as_dict()


def fired(d, flag):
    """The (rule, tier) pairs of one flag, sorted by rule id (the spec fixes no order)."""
    return sorted((entry["rule"], entry["tier"]) for entry in d["flags"][flag]["rules_fired"])


def red_flag_ids(d):
    """The RF ids in urgent.reasons, sorted (the spec fixes no order)."""
    return sorted(entry["rule"] for entry in d["urgent"]["reasons"])

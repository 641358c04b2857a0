"""Data quality (spec §10): which missing answers are needed, and contradictory answers.

"Needed" (R3-12 and its rulings) = asked by the questionnaire given the other answers
("Asked when") **and** not optional **and** (a red-flag item, or `guardian_completed` under 18,
or an answer that could still change an outcome). The outcomes' own logic collects the keys
that could change them (logic.Tri's missing keys); this module applies "asked" and "optional".
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress

from .answers import KEY_ORDER, Answers
from .red_flags import RED_FLAG_ITEMS, is_asked_follow_up

# DQ-1..DQ-5, then the lab unit conflict, in the order of §10.
CONFLICT_ORDER = (
    "screen_detail_conflict",
    "pregnancy_sex_conflict",
    "stool_pct_conflict",
    "pain_feature_conflict",
    "redflag_gi_conflict",
    "lab_unit_conflict",
)
# Never needed (R3-12 rulings); irls_items only counts as an answer with the licence.
OPTIONAL_KEYS = frozenset(
    {
        "fhx_rls",
        "breastfeeding",
        "iv_iron_last_12wk",
        "heavy_menstrual_bleeding",
        "blood_donor_regular",
        "weeks_pregnant",
        "irls_items",
        "prior_labs",
        "rls_child_own_words",
    }
)
RLS_DETAIL_ITEMS = frozenset(
    {
        "rls_c1_urge",
        "rls_c2_rest",
        "rls_c3_movement_relief",
        "rls_c4_evening",
        "leg_main_problem",
        "position_shift_relief",
        "rls_freq",
        "rls_lifetime_episodes_ge5",
        "rls_impact_level",
        "rls_days_per_week",
        "rls_onset_time",
    }
)
PAIN_ASSOCIATION_ITEMS = frozenset(
    {"pain_related_to_bm", "pain_with_stool_freq_change", "pain_with_stool_form_change"}
)
AUGMENTATION_ITEMS = frozenset(
    {"aug_earlier_onset_hours", "aug_spread_to_arms", "aug_dose_escalation_or_shorter_relief"}
)
IBS_SSS_ITEMS = frozenset(
    {
        "ibssss_pain_severity",
        "ibssss_distension",
        "ibssss_bowel_dissatisfaction",
        "ibssss_life_interference",
        "ibssss_pain_days_of_10",
    }
)
WEEKLY_OR_MORE = frozenset({"1_per_week", "2_3_per_week", "4_6_per_week", "daily"})


def asked(key: str, answers: Answers, *, gi_symptomatic: bool) -> bool:
    """Whether the questionnaire asks `key` given the other answers (the spec's "Asked when")."""
    get = answers.get
    age, sex = get("age_years"), get("sex_at_birth")
    if key in ("pregnant", "breastfeeding", "heavy_menstrual_bleeding"):
        return sex != "male" and age >= 10
    if key in ("alcohol_units_per_week", "nicotine"):
        return age >= 12
    if key in RLS_DETAIL_ITEMS:
        return get("rls_screen") != "no" or get("rls_on_treatment") == "yes"
    if key == "rls_treatment_meds":
        return get("rls_on_treatment") == "yes"
    if key in AUGMENTATION_ITEMS:
        return not {"dopamine_agonist", "levodopa"}.isdisjoint(get("rls_treatment_meds") or ())
    if key in PAIN_ASSOCIATION_ITEMS:
        return get("abd_pain_freq") != "never"
    if key in ("pct_bm_hard", "pct_bm_loose", "bowel_meds_current"):
        # Not asked while gi_symptomatic cannot be shown true from the answers present.
        return gi_symptomatic
    if key in IBS_SSS_ITEMS:
        return get("abd_pain_freq") in WEEKLY_OR_MORE or get("bloating_freq") in WEEKLY_OR_MORE
    if key == "pain_resolves_with_constipation_treatment":
        return 6 <= age < 18 and get("constipation_4wk") != "no"
    if key == "prior_celiac_test_on_gluten":
        return answers.has_lab("ttg_iga")
    if key == "self_harm_thoughts":
        return get("phq9_items") is None
    if key in ("rls_child_own_words", "guardian_completed"):
        return age < 18
    return is_asked_follow_up(key, answers)


def needed_keys(candidates: Iterable[str], answers: Answers, *, gi_symptomatic: bool) -> list[str]:
    """The missing answers to list in data_quality.missing, in the order of §2."""
    needed = set()
    for key in candidates:
        if key not in OPTIONAL_KEYS and not answers.has(key):
            if asked(key, answers, gi_symptomatic=gi_symptomatic):
                needed.add(key)
    for key in RED_FLAG_ITEMS:  # always needed when asked and missing
        if not answers.has(key) and asked(key, answers, gi_symptomatic=gi_symptomatic):
            needed.add(key)
    if answers.get("age_years") < 18 and not answers.has("guardian_completed"):
        needed.add("guardian_completed")  # listed; changes no rule (§10)
    return sorted(needed, key=KEY_ORDER.__getitem__)


def conflicts(flags: tuple[bool, ...]) -> list[str]:
    """The conflicts that apply: `flags` holds, for each token of CONFLICT_ORDER, whether it
    applies."""
    return list(compress(CONFLICT_ORDER, flags))

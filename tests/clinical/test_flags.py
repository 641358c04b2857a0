"""The five test flags: triggers, suppressions, modifiers (spec §8, §3.1, §10)."""

import pytest

from tests.answer_sets import (
    MICRO,
    adult,
    child,
    ferritin,
    ibs_adult_met,
    lab,
    rls_positive,
    total_iga,
    tsat,
    tsh,
    ttg_iga,
)
from tests.clinical.engine import assess, fired

FLAGS = ["thyroid", "iron_panel", "celiac", "stool", "sibo_breath"]
NOT_TRIGGERS = {"IRON-S", "THY-S", "M1", "M2", "M3", "M4", "M5", "SIBO-X"}


def _check(answers, flag, value, rules, **settings):
    d = assess(answers, **settings)
    assert (d["flags"][flag]["value"], fired(d, flag)) == (value, rules)
    return d


# ---- iron panel (§8.1) ----------------------------------------------------------------------

IRON_CASES = {
    "nothing": (adult(), "no", []),
    "rls_met": (rls_positive(), "order", [("IRON-1", "G")]),
    "rls_incomplete": (rls_positive(rls_c1_urge="unsure"), "no", []),
    "loose_stools": (adult(loose_stools_4wk="yes"), "order", [("IRON-2", "G")]),
    "ibs_d": (ibs_adult_met(pct_bm_loose=30), "order", [("IRON-2", "G")]),
    "ibs_m": (ibs_adult_met(pct_bm_hard=30, pct_bm_loose=30), "order", [("IRON-2", "G")]),
    "ibs_c": (ibs_adult_met(pct_bm_hard=30), "no", []),
    "both": (rls_positive(loose_stools_4wk="yes"), "order", [("IRON-1", "G"), ("IRON-2", "G")]),
    # IRON-S, adult threshold ferritin <= 75 or ferritin and TSAT both on file
    "adult_ferritin_75": (rls_positive(prior_labs=[ferritin(75)]), "on_file", [("IRON-1", "G")]),
    "adult_ferritin_76_no_tsat": (
        rls_positive(prior_labs=[ferritin(76)]),
        "order",
        [("IRON-1", "G")],
    ),
    "adult_ferritin_76_and_tsat": (
        rls_positive(prior_labs=[ferritin(76), tsat(25)]),
        "on_file",
        [("IRON-1", "G")],
    ),
    "adult_ferritin_300_and_tsat": (
        rls_positive(prior_labs=[tsat(30), ferritin(300)]),
        "on_file",
        [("IRON-1", "G")],
    ),
    "adult_tsat_only": (rls_positive(prior_labs=[tsat(10)]), "order", [("IRON-1", "G")]),
    "micrograms_per_litre": (
        rls_positive(prior_labs=[ferritin(60, unit=f"{MICRO}g/L")]),
        "on_file",
        [("IRON-1", "G")],
    ),
    # Choice: "within N days" includes day N (days_ago <= N).
    "lookback_90": (
        rls_positive(prior_labs=[ferritin(40, days_ago=90)]),
        "on_file",
        [("IRON-1", "G")],
    ),
    "lookback_91": (
        rls_positive(prior_labs=[ferritin(40, days_ago=91)]),
        "order",
        [("IRON-1", "G")],
    ),
    "tsat_outside_window": (
        rls_positive(prior_labs=[ferritin(120), tsat(25, days_ago=91)]),
        "order",
        [("IRON-1", "G")],
    ),
    "most_recent_high": (
        rls_positive(prior_labs=[ferritin(40, days_ago=30), ferritin(200, days_ago=5)]),
        "order",
        [("IRON-1", "G")],
    ),
    "most_recent_low": (
        rls_positive(prior_labs=[ferritin(200, days_ago=30), ferritin(40, days_ago=5)]),
        "on_file",
        [("IRON-1", "G")],
    ),
    "unit_conflict": (
        rls_positive(prior_labs=[ferritin(20, unit="%")]),
        "order",
        [("IRON-1", "G")],
    ),
    "tsat_unit_conflict": (
        rls_positive(prior_labs=[ferritin(120), lab("tsat", 25, "ng/mL", 10)]),
        "order",
        [("IRON-1", "G")],
    ),
    "ferritin_float_75": (rls_positive(prior_labs=[ferritin(75.0)]), "on_file", [("IRON-1", "G")]),
    "ferritin_float_75_5": (rls_positive(prior_labs=[ferritin(75.5)]), "order", [("IRON-1", "G")]),
    # §8 / config table: a result on file suppresses an order; with no trigger there is none.
    "no_trigger_with_result": (adult(prior_labs=[ferritin(40)]), "no", []),
    # pediatric threshold ferritin < 50 (§3.1, §8.1)
    "peds_ferritin_49": (
        child(loose_stools_4wk="yes", prior_labs=[ferritin(49)]),
        "on_file",
        [("IRON-2", "G")],
    ),
    "peds_ferritin_50": (
        child(loose_stools_4wk="yes", prior_labs=[ferritin(50)]),
        "order",
        [("IRON-2", "G")],
    ),
    "peds_ferritin_74": (
        child(loose_stools_4wk="yes", prior_labs=[ferritin(74)]),
        "order",
        [("IRON-2", "G")],
    ),
    "peds_ferritin_50_and_tsat": (
        child(loose_stools_4wk="yes", prior_labs=[ferritin(50), tsat(22)]),
        "on_file",
        [("IRON-2", "G")],
    ),
}


@pytest.mark.parametrize(("answers", "value", "rules"), IRON_CASES.values(), ids=IRON_CASES.keys())
def test_flag_iron_panel(answers, value, rules):
    _check(answers, "iron_panel", value, rules)


@pytest.mark.parametrize(("days_ago", "value"), [(30, "on_file"), (31, "order")])
def test_flag_iron_panel_honours_iron_lookback_setting(days_ago, value):
    answers = rls_positive(prior_labs=[ferritin(40, days_ago=days_ago)])

    _check(answers, "iron_panel", value, [("IRON-1", "G")], iron_lookback_days=30)


def test_flag_iron_panel_interpretation_shown_for_rls_met_with_result_on_file():
    answers = rls_positive(prior_labs=[ferritin(50), tsat(15)])

    d = assess(answers)

    assert d["flags"]["iron_panel"]["value"] == "on_file"
    assert d["flags"]["iron_panel"]["interpretation"] is not None


def test_flag_iron_panel_interpretation_null_without_results():
    answers = rls_positive()

    d = assess(answers)

    assert d["flags"]["iron_panel"]["interpretation"] is None


def test_flag_iron_panel_unit_conflict_recorded():
    answers = rls_positive(prior_labs=[ferritin(20, unit="%")])

    d = assess(answers)

    assert d["data_quality"]["conflicts"] == ["lab_unit_conflict"]


# ---- thyroid (§8.2) -------------------------------------------------------------------------

THYROID_CASES = {
    "nothing": (adult(), "no", []),
    "chronic_diarrhea": (adult(loose_stools_4wk="yes"), "order", [("THY-1", "G")]),
    "ibs_d": (ibs_adult_met(pct_bm_loose=30), "order", [("THY-1", "G")]),
    "neck_swelling_alone": (adult(thyroid_symptoms=["neck_swelling"]), "order", [("THY-2a", "G")]),
    "one_other_symptom": (adult(thyroid_symptoms=["cold_intolerance"]), "no", []),
    "two_other_symptoms": (
        adult(thyroid_symptoms=["cold_intolerance", "dry_skin_or_hair_loss"]),
        "order",
        [("THY-2a", "G")],
    ),
    "three_other_symptoms": (
        adult(thyroid_symptoms=["heat_intolerance", "palpitations", "tremor"]),
        "order",
        [("THY-2a", "G")],
    ),
    "t1dm": (adult(conditions=["t1dm"]), "order", [("THY-2b", "G")]),
    "fhx_thyroid": (adult(fhx_thyroid="yes"), "order", [("THY-2b", "G")]),
    "fhx_thyroid_unknown": (adult(fhx_thyroid="unknown"), "no", []),
    "lithium": (adult(medications=["lithium"]), "order", [("THY-2b", "G")]),
    "amiodarone": (adult(medications=["amiodarone"]), "order", [("THY-2b", "G")]),
    "neck_irradiation": (adult(conditions=["neck_irradiation"]), "order", [("THY-2b", "G")]),
    "rheumatoid_arthritis": (
        adult(conditions=["rheumatoid_arthritis"]),
        "order",
        [("THY-2b", "P")],
    ),
    "sjogren": (adult(conditions=["sjogren"]), "order", [("THY-2b", "P")]),
    "scleroderma": (adult(conditions=["scleroderma"]), "order", [("THY-2b", "P")]),
    "other_autoimmune": (adult(conditions=["other_autoimmune"]), "order", [("THY-2b", "P")]),
    "celiac_known": (adult(conditions=["celiac_known"]), "order", [("THY-2b", "P")]),
    "ra_plus_lithium_one_entry_g": (
        adult(conditions=["rheumatoid_arthritis"], medications=["lithium"]),
        "order",
        [("THY-2b", "G")],
    ),
    "t2dm_not_autoimmune": (adult(conditions=["t2dm"]), "no", []),
    "rls_met": (rls_positive(), "order", [("THY-3", "S")]),
    "hypothyroid": (adult(conditions=["hypothyroid"]), "order", [("THY-4", "P")]),
    "hyperthyroid": (adult(conditions=["hyperthyroid"]), "order", [("THY-4", "P")]),
    "autoimmune_thyroid": (adult(conditions=["autoimmune_thyroid"]), "order", [("THY-4", "P")]),
    "levothyroxine": (adult(medications=["levothyroxine"]), "order", [("THY-4", "P")]),
    # THY-S
    "tsh_365_days": (
        adult(conditions=["hypothyroid"], prior_labs=[tsh(2.1, days_ago=365)]),
        "on_file",
        [("THY-4", "P")],
    ),
    "tsh_366_days": (
        adult(conditions=["hypothyroid"], prior_labs=[tsh(2.1, days_ago=366)]),
        "order",
        [("THY-4", "P")],
    ),
    "tsh_but_new_symptoms": (
        adult(
            conditions=["hypothyroid"], thyroid_symptoms=["neck_swelling"], prior_labs=[tsh(2.1)]
        ),
        "order",
        [("THY-2a", "G"), ("THY-4", "P")],
    ),
    "tsh_suppresses_diarrhea": (
        adult(loose_stools_4wk="yes", prior_labs=[tsh(1.0)]),
        "on_file",
        [("THY-1", "G")],
    ),
    "tsh_wrong_unit": (
        adult(conditions=["hypothyroid"], prior_labs=[tsh(2.1, unit="%")]),
        "order",
        [("THY-4", "P")],
    ),
    "no_trigger_with_tsh": (adult(prior_labs=[tsh(2.1)]), "no", []),
}


@pytest.mark.parametrize(
    ("answers", "value", "rules"), THYROID_CASES.values(), ids=THYROID_CASES.keys()
)
def test_flag_thyroid(answers, value, rules):
    _check(answers, "thyroid", value, rules)


@pytest.mark.parametrize(("days_ago", "value"), [(30, "on_file"), (31, "order")])
def test_flag_thyroid_honours_tsh_lookback_setting(days_ago, value):
    answers = adult(medications=["levothyroxine"], prior_labs=[tsh(3.0, days_ago=days_ago)])

    _check(answers, "thyroid", value, [("THY-4", "P")], tsh_lookback_days=30)


# ---- celiac (§8.3) --------------------------------------------------------------------------

DAILY = {"gluten_intake": "daily_gt1_meal"}
IDK = ["iron_deficiency_known"]
M2_LABS = [ttg_iga("neg"), total_iga("normal")]

CELIAC_CASES = {
    "nothing": (adult(**DAILY), "no", []),
    "ibs_met": (ibs_adult_met(), "order", [("CEL-1", "G"), ("CEL-3", "G")]),
    "chronic_diarrhea": (
        adult(loose_stools_4wk="yes", **DAILY),
        "order",
        [("CEL-1", "G"), ("CEL-3", "G")],
    ),
    "peds_ibs_no_cel1": (
        child(
            abd_pain_freq="1_per_week",
            pain_related_to_bm="yes",
            constipation_4wk="no",
            gi_symptom_duration_months=3,
            pct_bm_hard=0,
            pct_bm_loose=0,
            **DAILY,
        ),
        "order",
        [("CEL-3", "G")],
    ),
    "iron_deficiency_known": (adult(conditions=IDK, **DAILY), "order", [("CEL-2", "G")]),
    "ferritin_29": (adult(prior_labs=[ferritin(29)], **DAILY), "order", [("CEL-2", "G")]),
    "ferritin_30": (adult(prior_labs=[ferritin(30)], **DAILY), "no", []),
    "ferritin_29_at_365_days": (
        adult(prior_labs=[ferritin(29, days_ago=365)], **DAILY),
        "order",
        [("CEL-2", "G")],
    ),
    "ferritin_29_at_366_days": (adult(prior_labs=[ferritin(29, days_ago=366)], **DAILY), "no", []),
    "ferritin_most_recent_normal": (
        adult(prior_labs=[ferritin(20, days_ago=100), ferritin(50, days_ago=5)], **DAILY),
        "no",
        [],
    ),
    "ferritin_wrong_unit": (adult(prior_labs=[ferritin(10, unit="%")], **DAILY), "no", []),
    "weight_loss": (adult(unintentional_weight_loss="yes", **DAILY), "order", [("CEL-3", "G")]),
    "fhx_celiac": (adult(fhx_celiac="yes", **DAILY), "order", [("CEL-3", "G")]),
    "t1dm": (adult(conditions=["t1dm"], **DAILY), "order", [("CEL-3", "G")]),
    "autoimmune_thyroid": (
        adult(conditions=["autoimmune_thyroid"], **DAILY),
        "order",
        [("CEL-3", "G")],
    ),
    "bloating_weekly": (adult(bloating_freq="1_per_week", **DAILY), "order", [("CEL-3", "G")]),
    "bloating_monthly": (adult(bloating_freq="1_3_per_month", **DAILY), "no", []),
    "constipation": (adult(constipation_4wk="yes", **DAILY), "order", [("CEL-3", "G")]),
    "rls_met": (rls_positive(**DAILY), "order", [("CEL-4", "S")]),
    # modifiers M1..M5 in priority order
    "m1_known_celiac": (
        adult(conditions=["celiac_known", *IDK], **DAILY),
        "not_indicated_known_celiac",
        [("CEL-2", "G")],
    ),
    "m1_beats_everything": (
        adult(
            conditions=["celiac_known", "iga_deficiency", *IDK],
            gluten_intake="gluten_free",
            prior_celiac_test_on_gluten="yes",
            prior_labs=M2_LABS,
        ),
        "not_indicated_known_celiac",
        [("CEL-2", "G")],
    ),
    "m1_without_trigger": (adult(conditions=["celiac_known"], **DAILY), "no", []),
    "m2_on_file": (
        adult(conditions=IDK, prior_celiac_test_on_gluten="yes", prior_labs=M2_LABS, **DAILY),
        "on_file",
        [("CEL-2", "G")],
    ),
    "m2_beats_m3": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=M2_LABS,
            gluten_intake="gluten_free",
        ),
        "on_file",
        [("CEL-2", "G")],
    ),
    "m2_beats_m4": (
        adult(
            conditions=[*IDK, "iga_deficiency"],
            prior_celiac_test_on_gluten="yes",
            prior_labs=M2_LABS,
            **DAILY,
        ),
        "on_file",
        [("CEL-2", "G")],
    ),
    "m2_not_on_gluten": (
        adult(conditions=IDK, prior_celiac_test_on_gluten="no", prior_labs=M2_LABS, **DAILY),
        "order",
        [("CEL-2", "G")],
    ),
    "m2_on_gluten_unanswered": (
        adult(conditions=IDK, prior_labs=M2_LABS, **DAILY),
        "order",
        [("CEL-2", "G")],
    ),
    "m2_ttg_positive": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[ttg_iga("pos"), total_iga("normal")],
            **DAILY,
        ),
        "positive_on_file",  # R3-8: CEL-5 fires, M1b wins over M2
        [("CEL-2", "G"), ("CEL-5", "G")],
    ),
    "m2_total_iga_low": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[ttg_iga("neg"), total_iga("low")],
            **DAILY,
        ),
        "order",
        [("CEL-2", "G")],
    ),
    "m2_total_iga_missing": (
        adult(
            conditions=IDK, prior_celiac_test_on_gluten="yes", prior_labs=[ttg_iga("neg")], **DAILY
        ),
        "order",
        [("CEL-2", "G")],
    ),
    "m2_ttg_366_days": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[ttg_iga("neg", days_ago=366), total_iga("normal")],
            **DAILY,
        ),
        "order",
        [("CEL-2", "G")],
    ),
    "m2_ttg_365_days": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[ttg_iga("neg", days_ago=365), total_iga("normal", days_ago=365)],
            **DAILY,
        ),
        "on_file",
        [("CEL-2", "G")],
    ),
    "m2_total_iga_366_days": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[ttg_iga("neg"), total_iga("normal", days_ago=366)],
            **DAILY,
        ),
        "order",
        [("CEL-2", "G")],
    ),
    # §10: a unit outside §2.4's list (tTG-IgA's unit is null) means the result is not used.
    "m2_ttg_with_unit": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[lab("ttg_iga", "neg", "U/mL", 10), total_iga("normal")],
            **DAILY,
        ),
        "order",
        [("CEL-2", "G")],
    ),
    "m2_most_recent_ttg_positive": (
        adult(
            conditions=IDK,
            prior_celiac_test_on_gluten="yes",
            prior_labs=[
                ttg_iga("neg", days_ago=200),
                ttg_iga("pos", days_ago=20),
                total_iga("normal"),
            ],
            **DAILY,
        ),
        "positive_on_file",
        [("CEL-2", "G"), ("CEL-5", "G")],
    ),
    "m3_less_than_daily": (
        adult(conditions=IDK, gluten_intake="less_than_daily"),
        "deferred_low_gluten",
        [("CEL-2", "G")],
    ),
    "m3_gluten_free": (
        adult(conditions=IDK, gluten_intake="gluten_free"),
        "deferred_low_gluten",
        [("CEL-2", "G")],
    ),
    "m3_beats_m4": (
        adult(conditions=[*IDK, "iga_deficiency"], gluten_intake="gluten_free"),
        "deferred_low_gluten",
        [("CEL-2", "G")],
    ),
    "m4_iga_deficiency": (
        adult(conditions=[*IDK, "iga_deficiency"], **DAILY),
        "order_igg_based",
        [("CEL-2", "G")],
    ),
    "m4_beats_m5_unknown_gluten": (
        adult(conditions=[*IDK, "iga_deficiency"], gluten_intake="unknown"),
        "order_igg_based",
        [("CEL-2", "G")],
    ),
    "m5_unknown_gluten": (
        adult(conditions=IDK, gluten_intake="unknown"),
        "order",
        [("CEL-2", "G")],
    ),
}


@pytest.mark.parametrize(
    ("answers", "value", "rules"), CELIAC_CASES.values(), ids=CELIAC_CASES.keys()
)
def test_flag_celiac(answers, value, rules):
    _check(answers, "celiac", value, rules)


@pytest.mark.parametrize(("days_ago", "value"), [(30, "order"), (31, "no")])
def test_flag_celiac_honours_celiac_lookback_for_ferritin(days_ago, value):
    answers = adult(prior_labs=[ferritin(20, days_ago=days_ago)], **DAILY)

    d = assess(answers, celiac_lookback_days=30)

    assert d["flags"]["celiac"]["value"] == value


def test_flag_celiac_unknown_gluten_adds_the_spec_caveat():
    answers = adult(conditions=IDK, gluten_intake="unknown")

    d = assess(answers)

    assert d["flags"]["celiac"]["caveat"] == "confirm gluten intake before the blood draw"


def test_flag_celiac_iga_deficiency_with_unknown_gluten_has_no_m5_caveat():
    # Modifiers in priority order: M4 applies first, so M5 (and its caveat) does not.
    answers = adult(conditions=[*IDK, "iga_deficiency"], gluten_intake="unknown")

    d = assess(answers)

    assert (d["flags"]["celiac"]["value"], d["flags"]["celiac"]["caveat"]) == (
        "order_igg_based",
        None,
    )


@pytest.mark.parametrize("conditions", [IDK, [*IDK, "iga_deficiency"]])
def test_flag_celiac_unanswered_gluten_orders_without_caveat_and_is_missing(conditions):
    answers = adult(conditions=conditions)

    d = assess(answers)

    assert d["flags"]["celiac"]["caveat"] is None
    assert d["flags"]["celiac"]["value"] in ("order", "order_igg_based")
    assert "gluten_intake" in d["data_quality"]["missing"]


def test_flag_celiac_deferred_low_gluten_needs_nothing_more():
    answers = adult(conditions=IDK, gluten_intake="gluten_free")

    d = assess(answers)

    assert "gluten_intake" not in d["data_quality"]["missing"]


def test_flag_celiac_plain_order_has_no_caveat():
    answers = adult(conditions=IDK, **DAILY)

    d = assess(answers)

    assert (d["flags"]["celiac"]["value"], d["flags"]["celiac"]["caveat"]) == ("order", None)


# ---- stool (§8.4) ---------------------------------------------------------------------------


def test_flag_stool_undecided_components_are_not_needed_once_the_value_is_order():
    # R3-12: "needed" is about a flag's value. STOOL-1 fired, so the unanswered O&P,
    # C. difficile and elastase questions cannot change "order".
    answers = adult(loose_stools_4wk="yes")

    d = assess(answers)

    assert (d["flags"]["stool"]["value"], d["flags"]["stool"]["components"]) == (
        "order",
        ["calprotectin", "giardia"],
    )
    missing = d["data_quality"]["missing"]
    assert [
        key
        for key in ("travel_high_risk_12mo", "antibiotics_last_3mo", "greasy_floating_stools")
        if key in missing
    ] == []


def test_flag_stool_answered_components_leave_nothing_missing_for_stool():
    answers = adult(
        loose_stools_4wk="yes",
        travel_high_risk_12mo="no",
        antibiotics_last_3mo="no",
        greasy_floating_stools="no",
        conditions=[],
    )

    d = assess(answers)

    missing = d["data_quality"]["missing"]
    keys = ("travel_high_risk_12mo", "antibiotics_last_3mo", "greasy_floating_stools")
    assert [key for key in keys if key in missing] == []


STOOL_CASES = {
    "nothing": (adult(), "no", []),
    "loose_stools": (adult(loose_stools_4wk="yes"), "order", [("STOOL-1", "G")]),
    "ibs_d": (ibs_adult_met(pct_bm_loose=30), "order", [("STOOL-1", "G")]),
    "ibs_c": (ibs_adult_met(pct_bm_hard=30), "no", []),
    "travel": (
        adult(loose_stools_4wk="yes", travel_high_risk_12mo="yes"),
        "order",
        [("STOOL-1", "G"), ("STOOL-2", "G")],
    ),
    "travel_without_diarrhea": (adult(travel_high_risk_12mo="yes"), "no", []),
    "antibiotics": (
        adult(loose_stools_4wk="yes", antibiotics_last_3mo="yes"),
        "order",
        [("STOOL-1", "G"), ("STOOL-3", "P")],
    ),
    "antibiotics_ibs_d_without_loose_stools": (
        ibs_adult_met(pct_bm_loose=30, antibiotics_last_3mo="yes"),
        "order",
        [("STOOL-1", "G")],
    ),
    "greasy": (adult(greasy_floating_stools="yes"), "order", [("STOOL-4", "G")]),
    "chronic_pancreatitis": (
        adult(conditions=["chronic_pancreatitis"]),
        "order",
        [("STOOL-4", "G")],
    ),
    "rls_met_gi_symptomatic": (rls_positive(bloating_freq="daily"), "order", [("STOOL-5", "S")]),
    "rls_met_constipation": (rls_positive(constipation_4wk="yes"), "order", [("STOOL-5", "S")]),
    "rls_met_no_gut_symptoms": (rls_positive(), "no", []),
    "rectal_bleeding_is_not_a_stool_test": (adult(rectal_bleeding="yes"), "no", []),
}


@pytest.mark.parametrize(
    ("answers", "value", "rules"), STOOL_CASES.values(), ids=STOOL_CASES.keys()
)
def test_flag_stool(answers, value, rules):
    d = _check(answers, "stool", value, rules)

    assert (d["flags"]["stool"]["components"] != []) is (value == "order")


# ---- SIBO breath test (§8.5) ----------------------------------------------------------------

SIBO_RISK = [
    "prior_luminal_gi_surgery",
    "bariatric_surgery",
    "gastroparesis",
    "scleroderma",
    "intestinal_pseudo_obstruction",
    "other_motility_disorder",
]

SIBO_CASES = {
    "nothing": (adult(), "no", []),
    "ibs_met_adult": (ibs_adult_met(), "consider", [("SIBO-1", "GW")]),
    "ibs_c_adult": (
        ibs_adult_met(pct_bm_hard=30),
        "consider",
        [("SIBO-1", "GW"), ("SIBO-3", "GW")],
    ),
    **{
        f"risk_{c}": (
            adult(bloating_freq="1_per_week", conditions=[c]),
            "consider",
            [("SIBO-2", "GW")],
        )
        for c in SIBO_RISK
    },
    "risk_without_symptoms": (adult(conditions=["gastroparesis"]), "no", []),
    "risk_with_constipation_only": (
        adult(constipation_4wk="yes", conditions=["gastroparesis"]),
        "no",
        [],
    ),
    "constipation_with_bloating": (
        adult(constipation_4wk="yes", bloating_freq="2_3_per_week"),
        "consider",
        [("SIBO-3", "GW")],
    ),
    "constipation_with_pain": (
        adult(constipation_4wk="yes", abd_pain_freq="daily"),
        "consider",
        [("SIBO-3", "GW")],
    ),
    "constipation_alone": (adult(constipation_4wk="yes"), "no", []),
    "rls_met_gas": (rls_positive(gas_freq="daily"), "consider", [("SIBO-4", "S")]),
    "rls_met_loose_stools": (rls_positive(loose_stools_4wk="yes"), "consider", [("SIBO-4", "S")]),
    "rls_met_constipation_is_not_sibo_symptom": (rls_positive(constipation_4wk="yes"), "no", []),
    # SIBO-X: PPI use without symptoms never triggers
    "ppi_alone": (adult(medications=["ppi"]), "no", []),
    "ppi_opioid_alone": (adult(medications=["ppi", "opioid"]), "no", []),
    # §8.5 table: no trigger names PPI use, so symptoms plus a PPI alone fire nothing either.
    "ppi_with_bloating": (adult(medications=["ppi"], bloating_freq="daily"), "no", []),
    # modifiers
    "pediatric_trigger": (
        child(bloating_freq="daily", conditions=["gastroparesis"]),
        "not_applicable_pediatric",
        [("SIBO-2", "GW")],
    ),
    "pediatric_nothing": (child(), "not_applicable_pediatric", []),
    "pregnant": (
        adult(pregnant="yes", bloating_freq="daily", conditions=["gastroparesis"]),
        "deferred_pregnancy",
        [("SIBO-2", "GW")],
    ),
    "pregnant_unsure": (
        adult(pregnant="unsure", bloating_freq="daily", conditions=["gastroparesis"]),
        "consider",
        [("SIBO-2", "GW")],
    ),
    # §8: nothing fired -> no (only the age modifier applies "even when none fired", §3.1).
    "pregnant_no_trigger": (adult(pregnant="yes"), "no", []),
    "male_pregnant_yes": (
        adult(
            sex_at_birth="male", pregnant="yes", bloating_freq="daily", conditions=["gastroparesis"]
        ),
        "consider",
        [("SIBO-2", "GW")],
    ),
    "pediatric_beats_pregnancy": (
        child(age_years=16, pregnant="yes", bloating_freq="daily", conditions=["gastroparesis"]),
        "not_applicable_pediatric",
        [("SIBO-2", "GW")],
    ),
}


@pytest.mark.parametrize(("answers", "value", "rules"), SIBO_CASES.values(), ids=SIBO_CASES.keys())
def test_flag_sibo_breath(answers, value, rules):
    _check(answers, "sibo_breath", value, rules)


def test_flag_sibo_breath_timing_note_is_the_spec_wording():
    answers = ibs_adult_met(antibiotics_last_4wk="yes")

    d = assess(answers)

    assert d["flags"]["sibo_breath"]["timing_note"] == (
        "schedule \u2265 4 weeks after the last antibiotic dose"
    )


def test_flag_thyroid_recent_tsh_with_unanswered_symptoms_lists_them_missing():
    # THY-S holds only if THY-2a did not fire: unanswered, the symptoms could re-flag it.
    answers = adult(loose_stools_4wk="yes", prior_labs=[tsh(2.0)])

    d = assess(answers)

    assert d["flags"]["thyroid"]["value"] == "on_file"
    assert "thyroid_symptoms" in d["data_quality"]["missing"]
    assert d["assessment_status"] == "partial"


def test_flag_thyroid_recent_tsh_with_symptoms_answered_needs_nothing():
    answers = adult(loose_stools_4wk="yes", thyroid_symptoms=["tremor"], prior_labs=[tsh(2.0)])

    d = assess(answers)

    assert d["flags"]["thyroid"]["value"] == "on_file"
    assert "thyroid_symptoms" not in d["data_quality"]["missing"]


@pytest.mark.parametrize(("antibiotics", "has_note"), [("yes", True), ("no", False), (None, False)])
def test_flag_sibo_breath_timing_note_after_recent_antibiotics(antibiotics, has_note):
    answers = ibs_adult_met(antibiotics_last_4wk=antibiotics)

    d = assess(answers)

    note = d["flags"]["sibo_breath"]["timing_note"]
    assert d["flags"]["sibo_breath"]["value"] == "consider"  # R3-10: never "order"
    assert (type(note) is str and note.strip() != "") is has_note
    assert (note is None) is (not has_note)


# ---- protocol rules off (§8) ----------------------------------------------------------------

PROTOCOL_OFF_CASES = {
    "thyroid_only_s": (rls_positive(), "thyroid", "no", []),
    "celiac_only_s": (rls_positive(**DAILY), "celiac", "no", []),
    "stool_only_s": (rls_positive(bloating_freq="daily"), "stool", "no", []),
    "sibo_only_s": (rls_positive(gas_freq="daily"), "sibo_breath", "no", []),
    "iron_g_kept": (rls_positive(), "iron_panel", "order", [("IRON-1", "G")]),
    "thyroid_p_kept": (
        rls_positive(conditions=["hypothyroid"]),
        "thyroid",
        "order",
        [("THY-4", "P")],
    ),
    "celiac_g_kept": (
        rls_positive(bloating_freq="daily", **DAILY),
        "celiac",
        "order",
        [("CEL-3", "G")],
    ),
}


@pytest.mark.parametrize(
    ("answers", "flag", "value", "rules"),
    PROTOCOL_OFF_CASES.values(),
    ids=PROTOCOL_OFF_CASES.keys(),
)
def test_flag_protocol_rules_off_drops_tier_s(answers, flag, value, rules):
    _check(answers, flag, value, rules, protocol_rules=False)


# ---- age < 6 (§3.1) -------------------------------------------------------------------------


@pytest.mark.parametrize("flag", FLAGS)
def test_flag_not_assessed_under_6(flag):
    answers = rls_positive(
        age_years=5,
        loose_stools_4wk="yes",
        conditions=["hypothyroid", "gastroparesis"],
        greasy_floating_stools="yes",
        thyroid_symptoms=["neck_swelling"],
    )

    d = assess(answers)

    assert d["flags"][flag]["value"] == "not_assessed"


# ---- rules_fired entries (§0, §8) -----------------------------------------------------------

EVERYTHING = rls_positive(
    loose_stools_4wk="yes",
    travel_high_risk_12mo="yes",
    antibiotics_last_3mo="yes",
    antibiotics_last_4wk="yes",
    greasy_floating_stools="yes",
    bloating_freq="daily",
    constipation_4wk="yes",
    thyroid_symptoms=["neck_swelling"],
    fhx_thyroid="yes",
    conditions=["hypothyroid", "gastroparesis", "iron_deficiency_known", "iga_deficiency"],
    gluten_intake="unknown",
    prior_labs=[ferritin(20), tsh(2.0)],
    abd_pain_freq="daily",
    pain_related_to_bm="yes",
    pain_with_stool_freq_change="yes",
    gi_symptom_duration_months=12,
    pct_bm_hard=30,
    pct_bm_loose=30,
)


@pytest.mark.parametrize("flag", FLAGS)
def test_flag_rules_fired_entries_are_rule_tier_reason(flag):
    d = assess(EVERYTHING)

    entries = d["flags"][flag]["rules_fired"]
    assert entries != []
    for entry in entries:
        assert set(entry) == {"rule", "tier", "reason", "because"}
        assert entry["because"] != []  # R3-13: what made it fire for this patient
        assert entry["tier"] in {"G", "GW", "P", "S"}
        assert type(entry["reason"]) is str
        assert entry["reason"].strip() != ""
        assert "\n" not in entry["reason"]


def test_flag_rules_fired_never_lists_suppressions_or_modifiers():
    d = assess(EVERYTHING)

    rule_ids = {entry["rule"] for flag in FLAGS for entry in d["flags"][flag]["rules_fired"]}
    assert rule_ids & NOT_TRIGGERS == set()


def test_flag_everything_fires_every_trigger():
    d = assess(EVERYTHING)

    assert {flag: fired(d, flag) for flag in FLAGS} == {
        "thyroid": [
            ("THY-1", "G"),
            ("THY-2a", "G"),
            ("THY-2b", "G"),
            ("THY-3", "S"),
            ("THY-4", "P"),
        ],
        "iron_panel": [("IRON-1", "G"), ("IRON-2", "G")],
        "celiac": [("CEL-1", "G"), ("CEL-2", "G"), ("CEL-3", "G"), ("CEL-4", "S")],
        "stool": [
            ("STOOL-1", "G"),
            ("STOOL-2", "G"),
            ("STOOL-3", "P"),
            ("STOOL-4", "G"),
            ("STOOL-5", "S"),
        ],
        "sibo_breath": [("SIBO-1", "GW"), ("SIBO-2", "GW"), ("SIBO-3", "GW"), ("SIBO-4", "S")],
    }
    assert {flag: d["flags"][flag]["value"] for flag in FLAGS} == {
        "thyroid": "order",
        "iron_panel": "on_file",
        "celiac": "order_igg_based",
        "stool": "order",
        "sibo_breath": "consider",
    }

"""Clinical-spec revision 3 (R3-1 … R3-25), each at its boundaries. Every case here gives a
different result under revision 2's rules."""

import pytest

from intake.clinical import RULESET_VERSION, evaluate
from tests.answer_sets import (
    adult,
    child,
    ferritin,
    full_adult,
    ibs_adult_met,
    ibs_peds_met,
    rls_positive,
    tsat,
    ttg_iga,
    without,
)
from tests.clinical.engine import assess, fired, red_flag_ids

DETAILS_ALL_TRUE = {
    "rls_c1_urge": "yes",
    "rls_c2_rest": "yes",
    "rls_c3_movement_relief": "yes",
    "rls_c4_evening": "yes",
    "leg_main_problem": "urge_to_move",
    "position_shift_relief": "no",
}


def test_ruleset_version_is_revision_3():
    assert RULESET_VERSION == "2026.3"


# ---- R3-1, R3-14, R3-15: emergencies --------------------------------------------------------

EMERGENCY_CASES = {
    "saddle_numbness": (adult(saddle_numbness="yes"), "RF-10"),
    "leg_weakness": (adult(leg_weakness_progressive="yes"), "RF-10"),
    "calf": (adult(unilateral_calf_swelling_pain="yes"), "RF-11"),
    "vomiting_blood": (adult(vomiting_blood="yes"), "RF-13"),
    "bleeding_now": (adult(rectal_bleeding="no", bleeding_now_or_faint="yes"), "RF-14"),
    "clot_chest": (adult(clot_chest_symptoms="yes"), "RF-15"),
    "vomiting_green": (adult(vomiting_green_or_no_fluids="yes"), "RF-16"),
}


@pytest.mark.parametrize(("answers", "rule"), EMERGENCY_CASES.values(), ids=EMERGENCY_CASES)
def test_r3_emergency_items_set_emergency_not_crisis(answers, rule):
    d = assess(answers)

    assert (red_flag_ids(d), d["urgent"]["emergency"], d["urgent"]["crisis"]) == (
        [rule],
        True,
        False,
    )


def test_r3_crisis_is_not_an_emergency():
    d = assess(adult(self_harm_thoughts="yes"))

    assert (d["urgent"]["crisis"], d["urgent"]["emergency"]) == (True, False)


def test_r3_assessment_properties_tell_the_app_what_to_show():
    result = evaluate(adult(saddle_numbness="unsure", self_harm_thoughts="unsure"))

    assert (
        result.urgent,
        result.emergency,
        result.crisis,
        result.unsure_emergency,
        result.unsure_crisis,
        result.contact_today,
    ) == (True, False, False, True, True, True)


@pytest.mark.parametrize(
    ("parent", "follow_up"),
    [
        ({"rectal_bleeding": "yes"}, "bleeding_now_or_faint"),
        ({"black_stools": "unsure"}, "bleeding_now_or_faint"),
        ({"unilateral_calf_swelling_pain": "unsure"}, "clot_chest_symptoms"),
        ({"persistent_vomiting": "yes"}, "vomiting_green_or_no_fluids"),
    ],
)
def test_r3_follow_up_is_needed_once_its_parent_is_yes_or_unsure(parent, follow_up):
    answers = without(full_adult(**parent), follow_up)

    d = assess(answers)

    assert follow_up in d["data_quality"]["missing"]


@pytest.mark.parametrize(
    "follow_up", ["bleeding_now_or_faint", "clot_chest_symptoms", "vomiting_green_or_no_fluids"]
)
def test_r3_follow_up_not_asked_is_never_missing(follow_up):
    # full_adult answers every parent "no".
    d = assess(without(full_adult(), follow_up))

    assert (d["data_quality"]["missing"], d["assessment_status"]) == ([], "complete")


def test_r3_follow_up_not_asked_when_its_parent_is_missing():
    d = assess(without(full_adult(), "persistent_vomiting"))

    assert d["data_quality"]["missing"] == ["persistent_vomiting"]


# ---- R3-16: RF-U ---------------------------------------------------------------------------


def test_r3_rf_u_lists_every_unsure_emergency_item_in_one_reason():
    d = assess(adult(new_spreading_numbness="unsure", clot_chest_symptoms="unsure"))

    assert d["urgent"]["reasons"] == [
        {
            "rule": "RF-U",
            "tier": "P",
            "reason": "Answered Not sure to an emergency-level question: contact the patient today",
            "because": [
                {"key": "new_spreading_numbness", "value": "unsure"},
                {"key": "clot_chest_symptoms", "value": "unsure"},
            ],
        }
    ]


def test_r3_rf_u_follows_the_fired_red_flags():
    d = assess(adult(rectal_bleeding="yes", saddle_numbness="unsure"))

    assert red_flag_ids(d) == ["RF-1", "RF-U"]


def test_r3_anaemia_unsure_is_listed_but_fires_no_rf_u():
    result = evaluate(adult(anemia_recent_unexplained="unsure", sex_at_birth="male"))

    d = result.as_dict()
    assert (d["urgent"]["value"], d["data_quality"]["unsure_red_flags"]) == (
        False,
        ["anemia_recent_unexplained"],
    )
    assert result.contact_today is False


# ---- R3-9: unsure red flags ----------------------------------------------------------------


def test_r3_unsure_red_flags_are_listed_in_spec_order_and_do_not_make_partial():
    answers = full_adult(dysphagia="unsure", rectal_bleeding="unsure", bleeding_now_or_faint="no")

    d = assess(answers)

    assert d["data_quality"] == {
        "missing": [],
        "conflicts": [],
        "unsure_red_flags": ["rectal_bleeding", "dysphagia"],
    }
    assert d["assessment_status"] == "complete"


# ---- R3-2, R3-19: treated patients --------------------------------------------------------


def test_r3_treated_negative_screen_is_not_gated():
    answers = adult(rls_on_treatment="yes", rls_treatment_meds=["iron"], rls_screen="no")

    d = assess(answers)

    assert (d["rls"]["status"], d["rls"]["failed"], d["rls"]["unknown"]) == (
        "incomplete",
        [],
        ["C1", "C2", "C3", "C4", "C5"],
    )
    assert d["data_quality"]["conflicts"] == []
    assert "rls_c1_urge" in d["data_quality"]["missing"]


def test_r3_treated_patient_answering_for_untreated_legs_can_meet_rls():
    answers = adult(
        rls_on_treatment="yes",
        rls_treatment_meds=["dopamine_agonist"],
        rls_screen="no",
        **DETAILS_ALL_TRUE,
    )

    d = assess(answers)

    assert (d["rls"]["status"], d["data_quality"]["conflicts"]) == ("met", [])


@pytest.mark.parametrize("treated", ["no", "unsure", None])
def test_r3_untreated_negative_screen_still_gates(treated):
    d = assess(adult(rls_on_treatment=treated, rls_screen="no"))

    assert (d["rls"]["status"], d["rls"]["failed"]) == ("not_met", ["screen_negative"])


def test_r3_untreated_negative_screen_with_details_records_dq1():
    answers = adult(rls_on_treatment="no", rls_screen="no", **DETAILS_ALL_TRUE)

    d = assess(answers)

    assert (d["rls"]["status"], d["data_quality"]["conflicts"]) == (
        "met",
        ["screen_detail_conflict"],
    )


def test_r3_unanswered_treatment_question_is_needed_behind_a_negative_screen():
    d = assess(adult(rls_screen="no"))

    assert "rls_on_treatment" in d["data_quality"]["missing"]


PRAMIPEXOLE_CONTROLLED = adult(
    rls_on_treatment="yes", rls_treatment_meds=["dopamine_agonist"], rls_screen="no"
)


def test_r3_well_controlled_on_pramipexole_gets_iron_3():
    d = assess(PRAMIPEXOLE_CONTROLLED)

    assert (fired(d, "iron_panel"), d["flags"]["iron_panel"]["value"]) == (
        [("IRON-3", "G")],
        "order",
    )
    assert d["flags"]["iron_panel"]["rules_fired"][0] == {
        "rule": "IRON-3",
        "tier": "G",
        "reason": "On RLS medication: iron studies (ferritin and TSAT) are recommended, and low "
        "iron raises the risk of augmentation (AASM 2024; IRLSSG 2016)",
        "because": [
            {"key": "rls_on_treatment", "value": "yes"},
            {"key": "rls_treatment_meds", "value": "dopamine_agonist"},
        ],
    }


@pytest.mark.parametrize(
    ("treated", "meds", "fires"),
    [
        ("yes", ["levodopa"], True),
        ("yes", ["gabapentinoid"], True),
        ("yes", ["opioid"], True),
        ("yes", ["iron"], False),
        ("yes", ["other"], False),
        ("yes", [], False),
        ("no", ["dopamine_agonist"], False),  # IRON-3 needs rls_on_treatment == yes
        ("unsure", ["dopamine_agonist"], False),
    ],
)
def test_r3_iron_3_trigger(treated, meds, fires):
    d = assess(adult(rls_on_treatment=treated, rls_treatment_meds=meds))

    assert (("IRON-3", "G") in fired(d, "iron_panel")) is fires


def test_r3_iron_3_gives_the_interpretation_with_results_on_file():
    answers = {**PRAMIPEXOLE_CONTROLLED, "prior_labs": [ferritin(60), tsat(25)]}

    d = assess(answers)

    assert d["flags"]["iron_panel"]["value"] == "on_file"
    assert d["flags"]["iron_panel"]["interpretation"]["code"] == "iron_therapy_candidate"


def test_r3_iron_2_alone_shows_no_interpretation():
    d = assess(adult(loose_stools_4wk="yes", prior_labs=[ferritin(60), tsat(25)]))

    assert (d["flags"]["iron_panel"]["value"], d["flags"]["iron_panel"]["interpretation"]) == (
        "on_file",
        None,
    )


@pytest.mark.parametrize(
    ("meds", "suspected"),
    [(["dopamine_agonist"], True), (["levodopa"], True), (["gabapentinoid", "opioid"], False)],
)
def test_r3_aug_1_reads_rls_treatment_meds_alone(meds, suspected):
    # Further rulings: AUG-1 reads rls_treatment_meds alone (not rls_on_treatment).
    d = assess(adult(rls_treatment_meds=meds, aug_spread_to_arms="yes"))

    assert d["rls"]["augmentation_suspected"] is suspected


# ---- R3-3, R3-22: the child's constipation answer -------------------------------------------

PEDS_X_CASES = {
    "yes_fails": ("yes", "no", "not_met", []),
    "no_meets": ("no", "yes", "met", []),
    "no_constipation_meets": ("no_constipation", "yes", "met", []),
    "not_treated_yet_open": ("not_treated_yet", "yes", "incomplete", ["treat_constipation_first"]),
}


@pytest.mark.parametrize(
    ("x", "constipation", "status", "notes"), PEDS_X_CASES.values(), ids=PEDS_X_CASES
)
def test_r3_pediatric_x(x, constipation, status, notes):
    answers = ibs_peds_met(
        constipation_4wk=constipation, pain_resolves_with_constipation_treatment=x
    )

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["notes"]) == (status, notes)


def test_r3_not_treated_yet_is_an_answer_never_missing():
    answers = ibs_peds_met(
        constipation_4wk="yes", pain_resolves_with_constipation_treatment="not_treated_yet"
    )

    d = assess(answers)

    assert "pain_resolves_with_constipation_treatment" not in d["data_quality"]["missing"]


def test_r3_not_treated_yet_note_whatever_the_other_criteria():
    answers = child(
        abd_pain_freq="never", pain_resolves_with_constipation_treatment="not_treated_yet"
    )

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["notes"]) == ("not_met", ["treat_constipation_first"])


def test_r3_na_is_refused():
    with pytest.raises(ValueError, match="pain_resolves_with_constipation_treatment"):
        evaluate(child(pain_resolves_with_constipation_treatment="na"))


@pytest.mark.parametrize(
    ("constipation", "status", "missing"),
    [
        ("no", "met", []),
        ("yes", "incomplete", ["pain_resolves_with_constipation_treatment"]),
        (None, "incomplete", ["constipation_4wk", "pain_resolves_with_constipation_treatment"]),
    ],
)
def test_r3_pediatric_x_missing(constipation, status, missing):
    answers = ibs_peds_met(constipation_4wk=constipation)

    d = assess(answers)

    assert d["ibs"]["status"] == status
    listed = [
        key
        for key in d["data_quality"]["missing"]
        if key in ("constipation_4wk", "pain_resolves_with_constipation_treatment")
    ]
    assert listed == missing


# ---- R3-4, R3-18: dialysis and IV iron ------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "labs", "value"),
    [
        ({}, [ferritin(60)], "on_file"),  # adult: ferritin <= 75 settles it
        ({"conditions": ["ckd_dialysis"]}, [ferritin(60)], "order"),  # R3-4: needs both
        ({"conditions": ["ckd_dialysis"]}, [ferritin(60), tsat(15)], "on_file"),
        ({"age_years": 12, "guardian_completed": True}, [ferritin(40)], "on_file"),
        (
            {"age_years": 12, "guardian_completed": True, "conditions": ["ckd_dialysis"]},
            [ferritin(40)],
            "order",
        ),
        ({"iv_iron_last_12wk": "yes"}, [ferritin(60), tsat(15)], "order"),  # R3-18
        ({"iv_iron_last_12wk": "unsure"}, [ferritin(60), tsat(15)], "on_file"),
    ],
)
def test_r3_iron_suppression(overrides, labs, value):
    answers = rls_positive(**overrides, prior_labs=labs)

    d = assess(answers)

    assert d["flags"]["iron_panel"]["value"] == value


IV_IRON_CAVEAT = (
    "IV iron in the last 12 weeks: results drawn within about 8 weeks of an infusion are falsely "
    "high, and results drawn before it are out of date. Draw at least 8 weeks after the last dose."
)


@pytest.mark.parametrize(
    ("answers", "caveat"),
    [
        (adult(iv_iron_last_12wk="yes"), IV_IRON_CAVEAT),  # whatever the value ("no" here)
        (rls_positive(iv_iron_last_12wk="yes"), IV_IRON_CAVEAT),
        (child(age_years=6, iv_iron_last_12wk="yes"), IV_IRON_CAVEAT),
        (adult(iv_iron_last_12wk="no"), None),
        (adult(iv_iron_last_12wk="unsure"), None),
    ],
)
def test_r3_iv_iron_caveat(answers, caveat):
    d = assess(answers)

    assert d["flags"]["iron_panel"]["caveat"] == caveat


def test_r3_iron_context_lists_each_yes_in_order():
    answers = adult(
        iv_iron_last_12wk="yes",
        breastfeeding="yes",
        blood_donor_regular="yes",
        heavy_menstrual_bleeding="yes",
    )

    d = assess(answers)

    assert d["flags"]["iron_panel"]["context"] == [
        "heavy_menstrual_bleeding",
        "blood_donor_regular",
        "breastfeeding",
        "iv_iron_last_12wk",
    ]


def test_r3_iron_context_and_caveat_empty_below_6():
    d = assess(adult(age_years=5, iv_iron_last_12wk="yes", blood_donor_regular="yes"))

    flag = d["flags"]["iron_panel"]
    assert (flag["value"], flag["context"], flag["caveat"]) == ("not_assessed", [], None)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"conditions": ["ckd_dialysis"], "pregnant": "yes"}, "iv_iron_sucrose_candidate"),
        ({"pregnant": "yes"}, "oral_iron_candidate_pregnancy"),
        ({"breastfeeding": "yes"}, "oral_iron_candidate_pregnancy"),
        ({}, "iron_therapy_candidate"),
        (
            {"age_years": 12, "guardian_completed": True, "conditions": ["ckd_dialysis"]},
            "nephrology_manages_iron_pediatric",
        ),
        (
            {"age_years": 16, "guardian_completed": True, "breastfeeding": "yes"},
            "oral_iron_candidate",
        ),
    ],
)
def test_r3_iron_interpretation_precedence(overrides, code):
    answers = rls_positive(**overrides, prior_labs=[ferritin(40), tsat(15)])

    d = assess(answers)

    assert d["flags"]["iron_panel"]["interpretation"]["code"] == code


# ---- R3-5, R3-25: cautions ------------------------------------------------------------------


def test_r3_cautions_akathisia_then_mimics_in_order():
    answers = rls_positive(
        medications=["antiemetic_dopamine_antagonist"],
        conditions=["peripheral_neuropathy", "arthritis"],
    )

    d = assess(answers)

    assert [(c["id"], c.get("condition")) for c in d["rls"]["cautions"]] == [
        ("possible_akathisia", None),
        ("coexisting_mimic", "arthritis"),
        ("coexisting_mimic", "peripheral_neuropathy"),
    ]
    assert d["rls"]["cautions"][1]["text"] == (
        "Arthritis can cause leg symptoms like RLS; the criteria require that it does not fully "
        "explain them — practitioner to confirm"
    )


@pytest.mark.parametrize(
    ("answers", "count"),
    [
        (rls_positive(medications=["antipsychotic"]), 1),  # met
        (adult(rls_screen="yes", medications=["antipsychotic"]), 1),  # incomplete
        (rls_positive(rls_c1_urge="no", medications=["antipsychotic"]), 0),  # not_met
        (adult(age_years=5, medications=["antipsychotic"], rls_screen="yes"), 0),  # not assessed
        (rls_positive(conditions=["rheumatoid_arthritis", "varicose_veins"]), 2),
        (rls_positive(medications=["ssri"], conditions=["t2dm"]), 0),
    ],
)
def test_r3_cautions_only_when_met_or_incomplete(answers, count):
    d = assess(answers)

    assert len(d["rls"]["cautions"]) == count


# ---- R3-6: clinic protocol for adults only ---------------------------------------------------


@pytest.mark.parametrize(("age", "fires"), [(17, False), (18, True)])
def test_r3_tier_s_rules_fire_from_18(age, fires):
    answers = rls_positive(
        age_years=age,
        guardian_completed=True,
        bloating_freq="daily",
        gluten_intake="daily_gt1_meal",
    )

    d = assess(answers)

    tier_s = [rule for flag in d["flags"] for rule, tier in fired(d, flag) if tier == "S"]
    assert tier_s == (["THY-3", "CEL-4", "STOOL-5", "SIBO-4"] if fires else [])


# ---- R3-8, R3-21: a positive tTG-IgA on file -------------------------------------------------

ADULT_POSITIVE = (
    "positive tTG-IgA on file: refer to gastroenterology for duodenal biopsy while still eating "
    "gluten; do not repeat the serology"
)
CHILD_POSITIVE = (
    "positive tTG-IgA on file: refer to paediatric gastroenterology, which decides between biopsy "
    "and the no-biopsy route (EMA on a second sample); do not re-order tTG-IgA here"
)
LOW_GLUTEN = (
    "The patient reports little or no gluten now: a biopsy needs a supervised gluten challenge "
    "first."
)


@pytest.mark.parametrize(
    ("answers", "caveat"),
    [
        (adult(gluten_intake="daily_gt1_meal"), ADULT_POSITIVE),
        (adult(gluten_intake="gluten_free"), f"{ADULT_POSITIVE}. {LOW_GLUTEN}"),
        (adult(gluten_intake="less_than_daily"), f"{ADULT_POSITIVE}. {LOW_GLUTEN}"),
        (adult(gluten_intake="unknown"), ADULT_POSITIVE),
        (adult(conditions=["iga_deficiency"]), ADULT_POSITIVE),  # M1b before M4
        (child(age_years=17, gluten_intake="daily_gt1_meal"), CHILD_POSITIVE),
        (child(gluten_intake="gluten_free"), f"{CHILD_POSITIVE}. {LOW_GLUTEN}"),
    ],
)
def test_r3_positive_ttg_on_file(answers, caveat):
    d = assess({**answers, "prior_labs": [ttg_iga("pos")]})

    assert d["flags"]["celiac"] == {
        "value": "positive_on_file",
        "rules_fired": d["flags"]["celiac"]["rules_fired"],
        "caveat": caveat,
    }
    assert ("CEL-5", "G") in fired(d, "celiac")


def test_r3_known_celiac_wins_over_a_positive_ttg():
    d = assess(adult(conditions=["celiac_known"], prior_labs=[ttg_iga("pos")]))

    assert d["flags"]["celiac"]["value"] == "not_indicated_known_celiac"


@pytest.mark.parametrize(("days_ago", "value"), [(365, "positive_on_file"), (366, "no")])
def test_r3_positive_ttg_window_includes_its_last_day(days_ago, value):
    d = assess(adult(prior_labs=[ttg_iga("pos", days_ago=days_ago)]))

    assert d["flags"]["celiac"]["value"] == value


# ---- R3-10: SIBO consider --------------------------------------------------------------------


def test_r3_sibo_raised_value_is_consider():
    d = assess(ibs_adult_met())

    assert d["flags"]["sibo_breath"]["value"] == "consider"


# ---- R3-11: asked from age 10 and 12 --------------------------------------------------------


@pytest.mark.parametrize(("age", "listed"), [(9, False), (10, True)])
def test_r3_pregnancy_asked_from_10(age, listed):
    # RF-7 is the only red flag; a pregnancy answer could undo it, so it is needed when asked.
    answers = child(
        age_years=age, anemia_recent_unexplained="yes", sex_at_birth="other", pregnant=None
    )

    d = assess(answers)

    assert red_flag_ids(d) == ["RF-7"]
    assert ("pregnant" in d["data_quality"]["missing"]) is listed


def test_r3_pregnancy_yes_below_10_still_counts():
    d = assess(
        child(age_years=9, sex_at_birth="other", pregnant="yes", anemia_recent_unexplained="yes")
    )

    assert red_flag_ids(d) == []


# ---- R3-12: settled ambiguities --------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "value"), [(90, "on_file"), (91, "order")])
def test_r3_iron_window_includes_its_last_day(days_ago, value):
    d = assess(rls_positive(prior_labs=[ferritin(60, days_ago=days_ago)]))

    assert d["flags"]["iron_panel"]["value"] == value


def test_r3_iron_1_reason_names_its_trigger():
    d = assess(rls_positive())

    assert d["flags"]["iron_panel"]["rules_fired"] == [
        {
            "rule": "IRON-1",
            "tier": "G",
            "reason": "RLS criteria met: iron studies (ferritin and TSAT) are recommended in all "
            "RLS (AASM 2024; Silber 2021)",
            "because": [{"key": "rls.status", "value": "met"}],
        }
    ]


def test_r3_ibs_sss_not_computed_below_6():
    answers = adult(
        age_years=5,
        ibssss_pain_severity=50,
        ibssss_pain_days_of_10=5,
        ibssss_distension=50,
        ibssss_bowel_dissatisfaction=50,
        ibssss_life_interference=50,
    )

    d = assess(answers)

    assert d["ibs"]["ibs_sss"] == {"total": None, "band": None}


@pytest.mark.parametrize(
    "key", ["rls_impact_level", "rls_freq", "aug_spread_to_arms", "ibssss_distension", "fhx_rls"]
)
def test_r3_items_that_change_no_outcome_are_never_needed(key):
    answers = without(
        full_adult(rls_on_treatment="yes", rls_treatment_meds=["dopamine_agonist"]), key
    )

    d = assess(answers)

    assert d["data_quality"]["missing"] == []


def test_r3_stool_answers_implied_by_stool_1_are_not_needed():
    # STOOL-2 and STOOL-3 imply STOOL-1: travel and antibiotics alone never change the value.
    d = assess(adult(loose_stools_4wk=None, travel_high_risk_12mo=None))

    missing = d["data_quality"]["missing"]
    assert [k for k in ("travel_high_risk_12mo", "antibiotics_last_3mo") if k in missing] == []
    assert "loose_stools_4wk" in missing


def test_r3_phq9_needed_while_nothing_made_it_a_crisis():
    answers = without(full_adult(self_harm_thoughts="no"), "phq9_items")

    d = assess(answers)

    assert d["data_quality"]["missing"] == ["phq9_items"]


def test_r3_phq9_not_needed_after_a_crisis_answer():
    answers = without(full_adult(self_harm_thoughts="yes"), "phq9_items")

    d = assess(answers)

    assert d["data_quality"]["missing"] == []


# ---- R3-13, R3-24: because -------------------------------------------------------------------


def _because(d, flag, rule):
    for record in d["flags"][flag]["rules_fired"]:
        if record["rule"] == rule:
            return record["because"]
    raise AssertionError(f"{rule} did not fire")


def test_r3_because_lists_only_the_patients_own_trigger():
    d = assess(adult(fhx_thyroid="yes"))

    assert _because(d, "thyroid", "THY-2b") == [{"key": "fhx_thyroid", "value": "yes"}]


def test_r3_because_derived_predicate_followed_by_its_inputs():
    d = assess(adult(loose_stools_4wk="yes"))

    assert _because(d, "thyroid", "THY-1") == [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
    ]


def test_r3_because_chronic_diarrhea_through_ibs_d():
    d = assess(ibs_adult_met(pct_bm_loose=30))

    assert _because(d, "iron_panel", "IRON-2") == [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "ibs.status", "value": "met"},
        {"key": "ibs.subtype", "value": "IBS-D"},
    ]


def test_r3_because_multi_select_one_entry_per_value_in_trigger_order():
    d = assess(adult(conditions=["sjogren", "t1dm"], medications=["amiodarone", "lithium"]))

    assert _because(d, "thyroid", "THY-2b") == [
        {"key": "autoimmune_risk", "value": True},
        {"key": "conditions", "value": "t1dm"},
        {"key": "conditions", "value": "sjogren"},
        {"key": "medications", "value": "lithium"},
        {"key": "medications", "value": "amiodarone"},
    ]


def test_r3_because_lab_and_its_predicate():
    d = assess(adult(prior_labs=[ferritin(22)]))

    assert _because(d, "celiac", "CEL-2") == [
        {"key": "iron_deficient_lab", "value": True},
        {"key": "prior_labs.ferritin", "value": 22},
    ]


def test_r3_because_rf2_lists_iron_tablets_for_context():
    d = assess(adult(black_stools="yes", medications=["iron_supplement"]))

    assert d["urgent"]["reasons"][0]["because"] == [
        {"key": "black_stools", "value": "yes"},
        {"key": "medications", "value": "iron_supplement"},
    ]


def test_r3_because_rf5_default_lists_the_missing_duration_and_tier_p():
    d = assess(adult(age_years=60, gas_freq="daily"))

    assert d["urgent"]["reasons"] == [
        {
            "rule": "RF-5",
            "tier": "P",
            "reason": "Bowel symptoms that began at age 50 or later: an alarm feature.",
            "because": [
                {"key": "gi_symptomatic", "value": True},
                {"key": "gas_freq", "value": "daily"},
                {"key": "gi_symptom_duration_months", "value": None},
            ],
        }
    ]


def test_r3_because_rf5_onset_age_and_tier_g():
    d = assess(adult(age_years=60, gas_freq="daily", gi_symptom_duration_months=24))

    assert (d["urgent"]["reasons"][0]["tier"], d["urgent"]["reasons"][0]["because"]) == (
        "G",
        [
            {"key": "gi_symptomatic", "value": True},
            {"key": "gas_freq", "value": "daily"},
            {"key": "gi_onset_age", "value": 58},
        ],
    )


def test_r3_because_rf7_never_lists_exclusions():
    d = assess(
        adult(sex_at_birth="male", age_years=55, anemia_recent_unexplained="yes", pregnant="no")
    )

    assert d["urgent"]["reasons"][0]["because"] == [
        {"key": "anemia_recent_unexplained", "value": "yes"},
        {"key": "sex_at_birth", "value": "male"},
        {"key": "age_years", "value": 55},
    ]


def test_r3_because_rf12_phq9_item_9():
    d = assess(adult(phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2]))

    assert d["urgent"]["reasons"][0]["because"] == [{"key": "phq9_items[9]", "value": 2}]


def test_r3_because_stool_2_lists_both_conditions():
    d = assess(adult(loose_stools_4wk="yes", travel_high_risk_12mo="yes"))

    assert _because(d, "stool", "STOOL-2") == [
        {"key": "chronic_diarrhea", "value": True},
        {"key": "loose_stools_4wk", "value": "yes"},
        {"key": "travel_high_risk_12mo", "value": "yes"},
    ]

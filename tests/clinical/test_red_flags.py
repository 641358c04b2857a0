"""Red flags RF-1..RF-16 and RF-U, urgent, emergency and crisis (spec §9, R3-1, R3-14..R3-17,
DQ-5)."""

import pytest

from tests.answer_sets import adult
from tests.clinical.engine import assess, red_flag_ids

# A 35-year-old woman with nothing else answered: no red flag can fire.
SINGLE_RF_CASES = {
    "RF-1": adult(rectal_bleeding="yes"),
    "RF-2": adult(black_stools="yes"),
    "RF-3": adult(unintentional_weight_loss="yes"),
    "RF-4": adult(nocturnal_diarrhea="yes"),
    "RF-5": adult(age_years=55, bloating_freq="1_per_week", gi_symptom_duration_months=12),
    "RF-6": adult(bloating_freq="1_per_week", gi_symptom_duration_months=12, fhx_crc="yes"),
    "RF-7": adult(sex_at_birth="male", anemia_recent_unexplained="yes"),
    "RF-8": adult(fever_with_gi="yes"),
    "RF-9": adult(persistent_vomiting="yes"),
    "RF-10": adult(leg_weakness_progressive="yes"),
    "RF-11": adult(unilateral_calf_swelling_pain="yes"),
    "RF-12": adult(phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 1]),
    "RF-13": adult(vomiting_blood="yes"),
    "RF-14": adult(rectal_bleeding="no", black_stools="no", bleeding_now_or_faint="yes"),
    "RF-15": adult(unilateral_calf_swelling_pain="no", clot_chest_symptoms="yes"),
    "RF-16": adult(persistent_vomiting="no", vomiting_green_or_no_fluids="yes"),
}
EMERGENCY_RULES = {"RF-10", "RF-11", "RF-13", "RF-14", "RF-15", "RF-16"}


@pytest.mark.parametrize(("rule", "answers"), SINGLE_RF_CASES.items(), ids=SINGLE_RF_CASES.keys())
def test_red_flag_fires_alone(rule, answers):
    d = assess(answers)

    assert (
        d["urgent"]["value"],
        red_flag_ids(d),
        d["urgent"]["crisis"],
        d["urgent"]["emergency"],
    ) == (True, [rule], rule == "RF-12", rule in EMERGENCY_RULES)


OTHER_ARM_CASES = {
    "RF-6 fhx_ibd": ("RF-6", adult(gas_freq="daily", gi_symptom_duration_months=12, fhx_ibd="yes")),
    "RF-9 dysphagia": ("RF-9", adult(dysphagia="yes")),
    "RF-10 saddle": ("RF-10", adult(saddle_numbness="yes")),
    "RF-10 bladder_bowel": ("RF-10", adult(new_bladder_bowel_control_loss="yes")),
    "RF-10 spreading_numbness": ("RF-10", adult(new_spreading_numbness="yes")),
    "RF-12 self_harm": ("RF-12", adult(self_harm_thoughts="yes")),
    "RF-12 item9_3": ("RF-12", adult(phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 3])),
}


@pytest.mark.parametrize(("rule", "answers"), OTHER_ARM_CASES.values(), ids=OTHER_ARM_CASES.keys())
def test_red_flag_fires_through_each_arm(rule, answers):
    d = assess(answers)

    assert (d["urgent"]["value"], red_flag_ids(d)) == (True, [rule])


def test_red_flag_reasons_have_rule_and_reason():
    answers = adult(rectal_bleeding="yes", self_harm_thoughts="yes")

    d = assess(answers)

    # R3-24: red-flag reasons carry a tier and because[], like rules_fired.
    for entry in d["urgent"]["reasons"]:
        assert set(entry) == {"rule", "tier", "reason", "because"}
        assert type(entry["reason"]) is str
        assert entry["reason"].strip() != ""
    assert [(r["rule"], r["tier"], r["because"]) for r in d["urgent"]["reasons"]] == [
        ("RF-1", "G", [{"key": "rectal_bleeding", "value": "yes"}]),
        ("RF-12", "G", [{"key": "self_harm_thoughts", "value": "yes"}]),
    ]


def test_red_flag_none_when_nothing_answered():
    d = assess(adult())

    assert (
        d["urgent"]["value"],
        d["urgent"]["reasons"],
        d["urgent"]["crisis"],
        d["urgent"]["emergency"],
    ) == (False, [], False, False)


# ---- RF-5: onset age >= 50, missing duration defaults to "yes" -----------------------------

RF5_CASES = [
    (49, None, False),  # age < 50: onset cannot be >= 50
    (50, None, True),  # safety default (§9, §10)
    (50, 0, True),  # onset 50.0
    (50, 1, False),  # onset 49.92
    (55, 60, True),  # onset 50.0
    (55, 61, False),  # onset 49.92
    (49, 0, False),
    (70, 12, True),
]


@pytest.mark.parametrize(("age", "months", "fires"), RF5_CASES)
def test_red_flag_rf5_onset_age(age, months, fires):
    answers = adult(age_years=age, bloating_freq="daily", gi_symptom_duration_months=months)

    d = assess(answers)

    assert red_flag_ids(d) == (["RF-5"] if fires else [])


@pytest.mark.parametrize(("age", "listed"), [(60, True), (49, False)])
def test_red_flag_rf5_safety_default_still_lists_the_duration_missing(age, listed):
    # Abdominal pain never, so IBS is not met and does not need the duration itself.
    answers = adult(age_years=age, gas_freq="daily", abd_pain_freq="never")

    d = assess(answers)

    assert red_flag_ids(d) == (["RF-5"] if listed else [])
    assert ("gi_symptom_duration_months" in d["data_quality"]["missing"]) is listed


def test_red_flag_rf5_needs_gi_symptoms():
    answers = adult(age_years=70, gi_symptom_duration_months=6)

    d = assess(answers)

    assert red_flag_ids(d) == []


@pytest.mark.parametrize(
    ("fhx_crc", "fhx_ibd", "gi", "fires"),
    [
        ("yes", None, "1_per_week", True),
        ("unknown", "unknown", "1_per_week", False),
        ("no", "no", "daily", False),
        ("yes", "yes", None, False),  # not gi_symptomatic
    ],
)
def test_red_flag_rf6_family_history(fhx_crc, fhx_ibd, gi, fires):
    answers = adult(
        fhx_crc=fhx_crc, fhx_ibd=fhx_ibd, abd_pain_freq=gi, gi_symptom_duration_months=12
    )

    d = assess(answers)

    assert red_flag_ids(d) == (["RF-6"] if fires else [])


# ---- RF-7 combinations ----------------------------------------------------------------------

RF7_CASES = {
    "male": (adult(sex_at_birth="male", anemia_recent_unexplained="yes"), True),
    "female_30_asymptomatic": (adult(anemia_recent_unexplained="yes"), False),
    "female_49": (adult(age_years=49, anemia_recent_unexplained="yes"), False),
    "female_50": (adult(age_years=50, anemia_recent_unexplained="yes"), True),
    # R3-17: sex "other" counts like male.
    "other_sex_30": (adult(sex_at_birth="other", anemia_recent_unexplained="yes"), True),
    "female_gi_symptomatic": (
        adult(anemia_recent_unexplained="yes", bloating_freq="daily"),
        True,
    ),
    "female_gi_symptomatic_pregnant": (
        adult(anemia_recent_unexplained="yes", bloating_freq="daily", pregnant="yes"),
        False,
    ),
    "female_gi_symptomatic_pregnant_unsure": (
        adult(anemia_recent_unexplained="yes", bloating_freq="daily", pregnant="unsure"),
        True,
    ),
    "male_pregnant_yes_treated_as_no": (
        adult(sex_at_birth="male", pregnant="yes", anemia_recent_unexplained="yes"),
        True,
    ),
    "unsure_never_fires": (adult(sex_at_birth="male", anemia_recent_unexplained="unsure"), False),
    # R3-7: "ever told anaemia" (history) no longer fires anything.
    "anemia_known_history_only": (adult(sex_at_birth="male", conditions=["anemia_known"]), False),
    "iron_deficiency_only": (
        adult(sex_at_birth="male", conditions=["iron_deficiency_known"]),
        False,
    ),
    # R3-7, R3-17: dialysis explains anaemia, unless there are gut symptoms.
    "dialysis_male_no_gut_symptoms": (
        adult(
            sex_at_birth="male",
            age_years=60,
            anemia_recent_unexplained="yes",
            conditions=["ckd_dialysis"],
            bloating_freq="never",
            abd_pain_freq="never",
            gas_freq="never",
            loose_stools_4wk="no",
            constipation_4wk="no",
        ),
        False,
    ),
    "dialysis_with_gut_symptoms": (
        adult(anemia_recent_unexplained="yes", conditions=["ckd_dialysis"], gas_freq="daily"),
        True,
    ),
    # An exclusion holds only when the answers show it (safety first).
    "dialysis_gut_symptoms_unknown": (
        adult(sex_at_birth="male", anemia_recent_unexplained="yes", conditions=["ckd_dialysis"]),
        True,
    ),
    "conditions_unanswered": (adult(sex_at_birth="male", anemia_recent_unexplained="yes"), True),
}


@pytest.mark.parametrize(("answers", "fires"), RF7_CASES.values(), ids=RF7_CASES.keys())
def test_red_flag_rf7_anaemia(answers, fires):
    d = assess(answers)

    assert red_flag_ids(d) == (["RF-7"] if fires else [])


# ---- RF-12 and crisis -----------------------------------------------------------------------

RF12_CASES = [
    ({"phq9_items": [3, 3, 3, 3, 3, 3, 3, 3, 0]}, False),  # severe depression, item 9 = 0
    ({"phq9_items": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, True),
    ({"self_harm_thoughts": "yes"}, True),
    ({"self_harm_thoughts": "no"}, False),
    ({"self_harm_thoughts": "unsure"}, False),  # RF-U: urgent, not a crisis (below)
    ({"phq9_items": [0] * 9, "self_harm_thoughts": "yes"}, True),
]


@pytest.mark.parametrize(("overrides", "crisis"), RF12_CASES)
def test_red_flag_rf12_sets_crisis(overrides, crisis):
    answers = adult(**overrides)

    d = assess(answers)

    assert d["urgent"]["crisis"] == crisis
    assert ("RF-12" in red_flag_ids(d)) == crisis


# ---- unsure never counts; age < 6 still evaluated ------------------------------------------

# Red-flag items whose "Not sure" is listed for the practitioner to ask, and nothing more.
LISTED_ONLY_KEYS = [
    "rectal_bleeding",
    "black_stools",
    "unintentional_weight_loss",
    "nocturnal_diarrhea",
    "fever_with_gi",
    "persistent_vomiting",
    "dysphagia",
    "anemia_recent_unexplained",
]
# R3-16: "Not sure" to an emergency-level question (or self-harm) fires RF-U.
CONTACT_TODAY_KEYS = [
    "leg_weakness_progressive",
    "saddle_numbness",
    "new_bladder_bowel_control_loss",
    "new_spreading_numbness",
    "unilateral_calf_swelling_pain",
    "vomiting_blood",
    "bleeding_now_or_faint",
    "clot_chest_symptoms",
    "vomiting_green_or_no_fluids",
    "self_harm_thoughts",
]


@pytest.mark.parametrize("key", LISTED_ONLY_KEYS)
def test_red_flag_unsure_never_counts_and_is_listed(key):
    answers = adult(**{key: "unsure"})

    d = assess(answers)

    assert (d["urgent"]["value"], d["urgent"]["reasons"]) == (False, [])
    assert d["data_quality"]["unsure_red_flags"] == [key]


@pytest.mark.parametrize("key", CONTACT_TODAY_KEYS)
def test_red_flag_unsure_emergency_item_fires_rf_u(key):
    answers = adult(**{key: "unsure"})

    d = assess(answers)

    assert d["urgent"] == {
        "value": True,
        "reasons": [
            {
                "rule": "RF-U",
                "tier": "P",
                "reason": "Answered Not sure to an emergency-level question: contact the "
                "patient today",
                "because": [{"key": key, "value": "unsure"}],
            }
        ],
        "crisis": False,
        "emergency": False,
    }
    assert d["data_quality"]["unsure_red_flags"] == [key]


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        (adult(age_years=4, rectal_bleeding="yes"), "RF-1"),
        (adult(age_years=5, persistent_vomiting="yes"), "RF-9"),
        (adult(age_years=5, self_harm_thoughts="yes"), "RF-12"),
    ],
)
def test_red_flag_still_evaluated_under_6(answers, rule):
    d = assess(answers)

    assert (d["assessment_status"], d["urgent"]["value"], red_flag_ids(d)) == (
        "out_of_scope_age",
        True,
        [rule],
    )


# ---- DQ-5 -----------------------------------------------------------------------------------

DENIES_GI = {
    "abd_pain_freq": "never",
    "bloating_freq": "never",
    "gas_freq": "never",
    "loose_stools_4wk": "no",
    "constipation_4wk": "no",
}


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("rectal_bleeding", "RF-1"),
        ("black_stools", "RF-2"),
        ("nocturnal_diarrhea", "RF-4"),
        ("fever_with_gi", "RF-8"),
    ],
)
def test_red_flag_gi_item_with_gi_denial_still_fires_and_records_conflict(key, rule):
    answers = adult(**DENIES_GI, **{key: "yes"})

    d = assess(answers)

    assert (d["urgent"]["value"], red_flag_ids(d)) == (True, [rule])
    assert d["data_quality"]["conflicts"] == ["redflag_gi_conflict"]


def test_red_flag_gi_item_with_gi_symptoms_is_no_conflict():
    answers = adult(**{**DENIES_GI, "loose_stools_4wk": "yes"}, rectal_bleeding="yes")

    d = assess(answers)

    assert (red_flag_ids(d), d["data_quality"]["conflicts"]) == (["RF-1"], [])

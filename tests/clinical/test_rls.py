"""RLS-DX, specifiers, RISS, AUG-1 and IRLS (spec §4)."""

import pytest

from tests.answer_sets import adult, rls_positive
from tests.clinical.engine import assess

ALL_U = {"C1": "U", "C2": "U", "C3": "U", "C4": "U", "C5": "U"}
ALL_T = {"C1": "T", "C2": "T", "C3": "T", "C4": "T", "C5": "T"}
MIMICS = [
    "cramp",
    "position_discomfort",
    "constant_numbness_burning",
    "joint_pain",
    "swelling_heaviness",
    "habit_tapping",
]

# ---- C1..C4 tri-state (§4.2) ----------------------------------------------------------------

CRITERION_CASES = [
    ("C1", "rls_c1_urge", "yes", "T"),
    ("C1", "rls_c1_urge", "no", "F"),
    ("C1", "rls_c1_urge", "unsure", "U"),
    ("C1", "rls_c1_urge", None, "U"),
    ("C2", "rls_c2_rest", "yes", "T"),
    ("C2", "rls_c2_rest", "no", "F"),
    ("C2", "rls_c2_rest", "unsure", "U"),
    ("C2", "rls_c2_rest", None, "U"),
    ("C3", "rls_c3_movement_relief", "yes", "T"),
    ("C3", "rls_c3_movement_relief", "previously_yes_now_constant", "T"),
    ("C3", "rls_c3_movement_relief", "no", "F"),
    ("C3", "rls_c3_movement_relief", "unsure", "U"),
    ("C3", "rls_c3_movement_relief", None, "U"),
    ("C4", "rls_c4_evening", "yes", "T"),
    ("C4", "rls_c4_evening", "previously_yes_now_constant", "T"),
    ("C4", "rls_c4_evening", "no", "F"),
    ("C4", "rls_c4_evening", "unsure", "U"),
    ("C4", "rls_c4_evening", None, "U"),
]


@pytest.mark.parametrize(("criterion", "key", "answer", "expected"), CRITERION_CASES)
def test_rls_criterion_follows_its_answer(criterion, key, answer, expected):
    answers = rls_positive(**{key: answer})

    d = assess(answers)

    assert d["rls"]["criteria"] == {**ALL_T, criterion: expected}


# ---- C5: every leg_main_problem x position_shift_relief (§4.2) ------------------------------

C5_CASES = (
    [
        ("urge_to_move", "no", "T"),
        ("urge_to_move", "yes", "F"),
        ("urge_to_move", "unsure", "U"),
        ("urge_to_move", None, "U"),
    ]
    + [(mimic, shift, "F") for mimic in MIMICS for shift in ["yes", "no", "unsure", None]]
    + [
        ("other_unsure", "yes", "F"),
        ("other_unsure", "no", "U"),
        ("other_unsure", "unsure", "U"),
        ("other_unsure", None, "U"),
    ]
    + [(None, "yes", "F"), (None, "no", "U"), (None, "unsure", "U"), (None, None, "U")]
)


@pytest.mark.parametrize(("leg_main_problem", "position_shift_relief", "expected"), C5_CASES)
def test_rls_c5_from_main_problem_and_position_shift(
    leg_main_problem, position_shift_relief, expected
):
    answers = rls_positive(
        leg_main_problem=leg_main_problem, position_shift_relief=position_shift_relief
    )

    d = assess(answers)

    assert d["rls"]["criteria"]["C5"] == expected


@pytest.mark.parametrize("condition", ["arthritis", "varicose_veins", "peripheral_neuropathy"])
def test_rls_c5_coexisting_mimic_condition_does_not_fail_c5(condition):
    # §4.2: a coexisting mimic does not make C5 fail by itself ("solely").
    answers = rls_positive(conditions=[condition])

    d = assess(answers)

    assert (d["rls"]["criteria"]["C5"], d["rls"]["status"]) == ("T", "met")


# ---- status, failed, unknown ----------------------------------------------------------------

STATUS_CASES = {
    "all_true": (rls_positive(), "met", [], []),
    "c2_no": (rls_positive(rls_c2_rest="no"), "not_met", ["C2"], []),
    "c1_unsure": (rls_positive(rls_c1_urge="unsure"), "incomplete", [], ["C1"]),
    "c4_missing": (rls_positive(rls_c4_evening=None), "incomplete", [], ["C4"]),
    "f_beats_u": (
        rls_positive(rls_c1_urge="no", rls_c3_movement_relief="unsure"),
        "not_met",
        ["C1"],
        ["C3"],
    ),
    "c5_mimic": (rls_positive(leg_main_problem="cramp"), "not_met", ["C5"], []),
    "two_failed": (
        rls_positive(rls_c2_rest="no", position_shift_relief="yes"),
        "not_met",
        ["C2", "C5"],
        [],
    ),
    "nothing_answered": (adult(), "incomplete", [], ["C1", "C2", "C3", "C4", "C5"]),
}


@pytest.mark.parametrize(
    ("answers", "status", "failed", "unknown"), STATUS_CASES.values(), ids=STATUS_CASES.keys()
)
def test_rls_status_failed_and_unknown(answers, status, failed, unknown):
    d = assess(answers)

    assert (d["rls"]["status"], d["rls"]["failed"], d["rls"]["unknown"]) == (
        status,
        failed,
        unknown,
    )


# ---- screen gate (§4.2, DQ-1) ---------------------------------------------------------------


def test_rls_screen_no_without_details_is_not_met_screen_negative():
    answers = adult(rls_screen="no")

    d = assess(answers)

    assert d["rls"]["criteria"] == ALL_U
    assert (d["rls"]["status"], d["rls"]["failed"], d["rls"]["unknown"]) == (
        "not_met",
        ["screen_negative"],
        [],
    )
    assert d["data_quality"]["conflicts"] == []


SCREEN_NO_WITH_DETAILS = {
    "all_details_true": (rls_positive(rls_screen="no"), "met", ALL_T),
    "only_c2_yes": (adult(rls_screen="no", rls_c2_rest="yes"), "incomplete", {**ALL_U, "C2": "T"}),
    "only_cramp": (
        adult(rls_screen="no", leg_main_problem="cramp"),
        "not_met",
        {**ALL_U, "C5": "F"},
    ),
    "only_shift_relief_yes": (
        adult(rls_screen="no", position_shift_relief="yes"),
        "not_met",
        {**ALL_U, "C5": "F"},
    ),
}


@pytest.mark.parametrize(
    ("answers", "status", "criteria"),
    SCREEN_NO_WITH_DETAILS.values(),
    ids=SCREEN_NO_WITH_DETAILS.keys(),
)
def test_rls_screen_no_with_details_lets_details_decide(answers, status, criteria):
    d = assess(answers)

    assert (d["rls"]["status"], d["rls"]["criteria"]) == (status, criteria)
    assert d["data_quality"]["conflicts"] == ["screen_detail_conflict"]


@pytest.mark.parametrize("screen", [None, "yes", "unsure"])
def test_rls_screen_not_no_is_no_gate(screen):
    answers = rls_positive(rls_screen=screen)

    d = assess(answers)

    assert (d["rls"]["status"], d["data_quality"]["conflicts"]) == ("met", [])


def test_rls_screen_missing_with_nothing_else_is_incomplete():
    answers = adult()

    d = assess(answers)

    assert (d["rls"]["status"], d["rls"]["failed"]) == ("incomplete", [])


def test_rls_age_under_6_is_not_assessed():
    answers = rls_positive(age_years=5)

    d = assess(answers)

    assert d["rls"]["status"] == "not_assessed"


@pytest.mark.parametrize("age", [6, 17])
def test_rls_pediatric_uses_the_same_five_criteria(age):
    answers = rls_positive(
        age_years=age,
        guardian_completed=True,
        rls_child_own_words="my legs feel fizzy and I have to kick",
    )

    d = assess(answers)

    assert d["rls"]["status"] == "met"


# ---- course (§4.3) --------------------------------------------------------------------------

COURSE_CASES = [
    ("ge_2_per_week", "yes", "chronic_persistent"),
    ("ge_2_per_week", None, "chronic_persistent"),
    ("lt_2_per_week", "yes", "intermittent"),
    ("lt_2_per_week", "no", "unclassified"),
    ("lt_2_per_week", "unsure", "unclassified"),
    ("lt_2_per_week", None, "unclassified"),
    (None, "yes", "unclassified"),
    (None, None, "unclassified"),
]


@pytest.mark.parametrize(("freq", "lifetime_ge5", "expected"), COURSE_CASES)
def test_rls_course_when_met(freq, lifetime_ge5, expected):
    answers = rls_positive(rls_freq=freq, rls_lifetime_episodes_ge5=lifetime_ge5)

    d = assess(answers)

    assert d["rls"]["course"] == expected


@pytest.mark.parametrize(
    "override", [{"rls_c2_rest": "no"}, {"rls_c1_urge": "unsure"}], ids=["not_met", "incomplete"]
)
def test_rls_course_and_significance_null_when_not_met(override):
    # §4.3: the specifiers exist "only when met".
    answers = rls_positive(rls_freq="ge_2_per_week", rls_impact_level="severe", **override)

    d = assess(answers)

    assert (d["rls"]["course"], d["rls"]["clinically_significant"]) == (None, None)


@pytest.mark.parametrize(
    ("impact", "expected"),
    [
        ("moderate", True),
        ("severe", True),
        ("none", False),
        ("mild", False),
        (None, None),
    ],
)
def test_rls_clinical_significance_from_impact_level(impact, expected):
    answers = rls_positive(rls_impact_level=impact)

    d = assess(answers)

    assert d["rls"]["clinically_significant"] is expected


# ---- RISS (§4.5) ----------------------------------------------------------------------------

RISS_CASES = [
    (
        {"rls_days_per_week": 0, "rls_onset_time": "bedtime_only", "rls_impact_level": "none"},
        {"days_per_week": 0, "onset_grade": 1, "impact": "none"},
    ),
    (
        {"rls_days_per_week": 5, "rls_onset_time": "evening", "rls_impact_level": "moderate"},
        {"days_per_week": 5, "onset_grade": 2, "impact": "moderate"},
    ),
    (
        {"rls_days_per_week": 7, "rls_onset_time": "afternoon", "rls_impact_level": "mild"},
        {"days_per_week": 7, "onset_grade": 3, "impact": "mild"},
    ),
    (
        {
            "rls_days_per_week": 3,
            "rls_onset_time": "morning_or_all_day",
            "rls_impact_level": "severe",
        },
        {"days_per_week": 3, "onset_grade": 4, "impact": "severe"},
    ),
    # Choice: an unanswered descriptor is reported as null (§11 gives no other token).
    ({}, {"days_per_week": None, "onset_grade": None, "impact": None}),
]


@pytest.mark.parametrize(("overrides", "expected"), RISS_CASES)
def test_rls_riss_reports_three_descriptors(overrides, expected):
    answers = rls_positive(**overrides)

    d = assess(answers)

    assert d["rls"]["riss"] == expected


# ---- AUG-1 (§4.4) ---------------------------------------------------------------------------

AUG_ARMS = {
    "onset_2h": {"aug_earlier_onset_hours": 2},
    "onset_5h": {"aug_earlier_onset_hours": 5},
    "spread": {"aug_spread_to_arms": "yes"},
    "escalation": {"aug_dose_escalation_or_shorter_relief": "yes"},
}
AUG_CASES = [
    (f"{drug}-{arm}", [drug], answers, True)
    for drug in ["dopamine_agonist", "levodopa"]
    for arm, answers in AUG_ARMS.items()
] + [
    ("onset_1h", ["dopamine_agonist"], {"aug_earlier_onset_hours": 1}, False),
    ("onset_0h", ["levodopa"], {"aug_earlier_onset_hours": 0}, False),
    (
        "all_arms_no",
        ["dopamine_agonist"],
        {
            "aug_earlier_onset_hours": 0,
            "aug_spread_to_arms": "no",
            "aug_dose_escalation_or_shorter_relief": "no",
        },
        False,
    ),
    (
        "arms_unsure",
        ["levodopa"],
        {"aug_spread_to_arms": "unsure", "aug_dose_escalation_or_shorter_relief": "unsure"},
        False,
    ),
    (
        "no_drug",
        [],
        {
            "aug_earlier_onset_hours": 5,
            "aug_spread_to_arms": "yes",
            "aug_dose_escalation_or_shorter_relief": "yes",
        },
        False,
    ),
    ("gabapentinoid", ["gabapentinoid", "opioid"], {"aug_spread_to_arms": "yes"}, False),
    ("both_drugs", ["dopamine_agonist", "levodopa"], {"aug_spread_to_arms": "yes"}, True),
]


@pytest.mark.parametrize(
    ("medications", "aug_answers", "expected"),
    [case[1:] for case in AUG_CASES],
    ids=[case[0] for case in AUG_CASES],
)
def test_rls_augmentation_suspected(medications, aug_answers, expected):
    # R3-19: what is taken FOR RLS decides, not the general medicines list.
    answers = rls_positive(rls_treatment_meds=medications, rls_on_treatment="yes", **aug_answers)

    d = assess(answers)

    assert d["rls"]["augmentation_suspected"] is expected


# ---- IRLS (§4.6) ----------------------------------------------------------------------------


def _items_summing_to(total):
    items = []
    for _ in range(10):
        item = min(4, total)
        items.append(item)
        total -= item
    return items


@pytest.mark.parametrize("items", [None, _items_summing_to(25)], ids=["no_items", "items_given"])
def test_rls_irls_null_when_not_licensed(items):
    answers = rls_positive(irls_items=items)

    d = assess(answers, irls_licensed=False)

    assert d["rls"]["irls"] == {"total": None, "band": None}


# Choice: the spec writes the top band as "very severe"; token spelled "very_severe"
# (as PHQ-9's "moderately_severe").
IRLS_BANDS = [
    (0, "none"),
    (1, "mild"),
    (10, "mild"),
    (11, "moderate"),
    (20, "moderate"),
    (21, "severe"),
    (30, "severe"),
    (31, "very_severe"),
    (40, "very_severe"),
]


@pytest.mark.parametrize(("total", "band"), IRLS_BANDS)
def test_rls_irls_total_and_band_when_licensed(total, band):
    answers = rls_positive(irls_items=_items_summing_to(total))

    d = assess(answers, irls_licensed=True)

    assert d["rls"]["irls"] == {"total": total, "band": band}


def test_rls_irls_without_items_has_no_total_when_licensed():
    answers = rls_positive()

    d = assess(answers, irls_licensed=True)

    # §4.6 says "incomplete" but §11 has no field for it: band may be null or "incomplete".
    assert d["rls"]["irls"]["total"] is None
    assert d["rls"]["irls"]["band"] in (None, "incomplete")


def test_rls_augmentation_ignores_levodopa_taken_for_parkinsons():
    # R3-19: levodopa in the general medicines list (for Parkinson's) is not an RLS treatment.
    answers = rls_positive(
        medications=["levodopa"],
        conditions=["parkinsons"],
        rls_on_treatment="no",
        aug_spread_to_arms="yes",
    )

    d = assess(answers)

    assert d["rls"]["augmentation_suspected"] is False

"""Rome IV adult and pediatric IBS, subtype, IBS-SSS and PHQ-9 (spec §5, §9, §11)."""

import pytest

from tests.answer_sets import (
    LESS_THAN_WEEKLY,
    WEEKLY_PLUS,
    adult,
    child,
    ibs_adult_met,
    ibs_peds_met,
)
from tests.clinical.engine import assess

# ---- IBS-ADULT (§5.1): P, A, D are visible only through status ------------------------------

ADULT_P_CASES = (
    [(freq, "met") for freq in WEEKLY_PLUS]
    + [(freq, "not_met") for freq in LESS_THAN_WEEKLY]
    + [(None, "incomplete")]
)


@pytest.mark.parametrize(("abd_pain_freq", "status"), ADULT_P_CASES)
def test_ibs_adult_pain_frequency_criterion(abd_pain_freq, status):
    answers = ibs_adult_met(abd_pain_freq=abd_pain_freq)

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["variant"]) == (status, "adult")


# (related_to_bm, stool_freq_change, stool_form_change) -> status with P and D true
ADULT_A_CASES = [
    (("yes", "yes", "yes"), "met"),
    (("yes", "yes", "no"), "met"),
    (("no", "yes", "yes"), "met"),
    (("yes", "no", "unsure"), "incomplete"),  # 1 yes + 1 unsure = 2 -> U
    (("yes", None, "no"), "incomplete"),  # 1 yes + 1 missing = 2 -> U
    (("unsure", "unsure", "no"), "incomplete"),
    ((None, None, None), "incomplete"),
    (("yes", "no", "no"), "not_met"),  # 1 + 0 < 2 -> F
    (("no", "no", "unsure"), "not_met"),  # 0 + 1 < 2 -> F
    (("no", "no", "no"), "not_met"),
]


@pytest.mark.parametrize(("association", "status"), ADULT_A_CASES)
def test_ibs_adult_association_criterion(association, status):
    related, freq_change, form_change = association
    answers = ibs_adult_met(
        pain_related_to_bm=related,
        pain_with_stool_freq_change=freq_change,
        pain_with_stool_form_change=form_change,
    )

    d = assess(answers)

    assert d["ibs"]["status"] == status


@pytest.mark.parametrize(
    ("months", "status"),
    [(6, "met"), (60, "met"), (5, "not_met"), (0, "not_met"), (None, "incomplete")],
)
def test_ibs_adult_duration_criterion(months, status):
    answers = ibs_adult_met(gi_symptom_duration_months=months)

    d = assess(answers)

    assert d["ibs"]["status"] == status


def test_ibs_adult_false_criterion_beats_unknown():
    answers = ibs_adult_met(abd_pain_freq=None, gi_symptom_duration_months=3)

    d = assess(answers)

    assert d["ibs"]["status"] == "not_met"


def test_ibs_adult_bloating_without_pain_does_not_qualify():
    # §5.1: bloating or "discomfort" alone does not count.
    answers = ibs_adult_met(
        abd_pain_freq="never",
        bloating_freq="daily",
        pain_related_to_bm="no",
        pain_with_stool_freq_change="no",
    )

    d = assess(answers)

    assert d["ibs"]["status"] == "not_met"


# ---- IBS-PEDS (§5.2) ------------------------------------------------------------------------

PEDS_CASES = {
    "all_true": ({}, "met"),
    "p_1_3_per_month": ({"abd_pain_freq": "1_3_per_month"}, "not_met"),
    "p_never": ({"abd_pain_freq": "never"}, "not_met"),
    "p_daily": ({"abd_pain_freq": "daily"}, "met"),
    "p_missing": ({"abd_pain_freq": None}, "incomplete"),
    "a_one_yes_freq": ({"pain_related_to_bm": "no", "pain_with_stool_freq_change": "yes"}, "met"),
    "a_all_no": ({"pain_related_to_bm": "no"}, "not_met"),
    "a_unsure": ({"pain_related_to_bm": "unsure"}, "incomplete"),
    "a_all_missing": (
        {
            "pain_related_to_bm": None,
            "pain_with_stool_freq_change": None,
            "pain_with_stool_form_change": None,
        },
        "incomplete",
    ),
    "d_2_months": ({"gi_symptom_duration_months": 2}, "met"),
    "d_1_month": ({"gi_symptom_duration_months": 1}, "not_met"),
    "d_missing": ({"gi_symptom_duration_months": None}, "incomplete"),
    "x_resolves_yes": (
        {"constipation_4wk": "yes", "pain_resolves_with_constipation_treatment": "yes"},
        "not_met",
    ),
    "x_resolves_no": (
        {"constipation_4wk": "yes", "pain_resolves_with_constipation_treatment": "no"},
        "met",
    ),
    "x_no_constipation": ({"pain_resolves_with_constipation_treatment": "no_constipation"}, "met"),
    # R3-3: not treated yet is an answer that leaves X open, never "met".
    "x_not_treated_yet": (
        {"pain_resolves_with_constipation_treatment": "not_treated_yet"},
        "incomplete",
    ),
    "x_missing_with_constipation": ({"constipation_4wk": "yes"}, "incomplete"),
    "x_missing_without_constipation": ({"constipation_4wk": "no"}, "met"),
    # R3-22: X missing is T only when constipation_4wk is no; unknown constipation leaves U.
    "x_missing_constipation_missing": ({"constipation_4wk": None}, "incomplete"),
    "x_missing_constipation_unsure": ({"constipation_4wk": "unsure"}, "incomplete"),
    "x_false_beats_unknown": (
        {
            "constipation_4wk": "yes",
            "abd_pain_freq": None,
            "pain_resolves_with_constipation_treatment": "yes",
        },
        "not_met",
    ),
}


@pytest.mark.parametrize(("overrides", "status"), PEDS_CASES.values(), ids=PEDS_CASES.keys())
def test_ibs_peds_criteria_and_status(overrides, status):
    answers = ibs_peds_met(**overrides)

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["variant"]) == (status, "pediatric")


# One association yes, 3 months: meets the pediatric criteria but not the adult ones.
BORDERLINE_GUT = {
    "abd_pain_freq": "1_per_week",
    "pain_related_to_bm": "yes",
    "pain_with_stool_freq_change": "no",
    "pain_with_stool_form_change": "no",
    "gi_symptom_duration_months": 3,
    "constipation_4wk": "no",
}


@pytest.mark.parametrize(
    ("age", "status", "variant"),
    [
        (6, "met", "pediatric"),
        (17, "met", "pediatric"),
        (18, "not_met", "adult"),
    ],
)
def test_ibs_variant_by_age(age, status, variant):
    answers = child(age_years=age, **BORDERLINE_GUT)

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["variant"]) == (status, variant)


def test_ibs_age_5_is_not_assessed():
    answers = child(age_years=5, **BORDERLINE_GUT)

    d = assess(answers)

    assert d["ibs"]["status"] == "not_assessed"


# ---- subtype (§5.3) -------------------------------------------------------------------------

SUBTYPE_CASES = [
    (26, 0, "IBS-C"),
    (26, 24, "IBS-C"),
    (26, 25, "IBS-U"),
    (26, 26, "IBS-M"),
    (0, 26, "IBS-D"),
    (24, 26, "IBS-D"),
    (25, 26, "IBS-U"),
    (24, 24, "IBS-U"),
    (25, 25, "IBS-U"),
    (24, 25, "IBS-U"),
    (25, 24, "IBS-U"),
    (0, 0, "IBS-U"),
    (50, 50, "IBS-M"),
    (100, 0, "IBS-C"),
    (0, 100, "IBS-D"),
    (None, 30, "undetermined"),
    (30, None, "undetermined"),
    (None, None, "undetermined"),
]


@pytest.mark.parametrize(("hard", "loose", "subtype"), SUBTYPE_CASES)
def test_ibs_subtype_adult(hard, loose, subtype):
    answers = ibs_adult_met(pct_bm_hard=hard, pct_bm_loose=loose)

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["subtype"]) == ("met", subtype)


@pytest.mark.parametrize(
    ("hard", "loose", "subtype"),
    [(30, 0, "IBS-C"), (0, 30, "IBS-D"), (30, 30, "IBS-M"), (25, 25, "IBS-U")],
)
def test_ibs_subtype_pediatric(hard, loose, subtype):
    answers = ibs_peds_met(pct_bm_hard=hard, pct_bm_loose=loose)

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["subtype"]) == ("met", subtype)


@pytest.mark.parametrize(("hard", "loose"), [(60, 50), (51, 50), (100, 1)])
def test_ibs_subtype_undetermined_when_percentages_exceed_100(hard, loose):
    answers = ibs_adult_met(pct_bm_hard=hard, pct_bm_loose=loose)

    d = assess(answers)

    assert d["ibs"]["subtype"] == "undetermined"
    assert d["data_quality"]["conflicts"] == ["stool_pct_conflict"]


@pytest.mark.parametrize(
    "override",
    [{"pain_related_to_bm": "no"}, {"abd_pain_freq": None}],
    ids=["not_met", "incomplete"],
)
def test_ibs_subtype_null_when_not_met(override):
    answers = ibs_adult_met(pct_bm_hard=30, pct_bm_loose=0, **override)

    d = assess(answers)

    assert d["ibs"]["subtype"] is None


def test_ibs_bowel_meds_current_keeps_subtype_and_shape():
    # §5.3 adds a caveat "subtype may be distorted by medication"; §11 has no field for it,
    # so only the unchanged subtype and the unchanged ibs keys are asserted.
    answers = ibs_adult_met(pct_bm_hard=0, pct_bm_loose=30, bowel_meds_current="yes")

    d = assess(answers)

    assert d["ibs"]["subtype"] == "IBS-D"
    assert set(d["ibs"]) == {
        "status",
        "variant",
        "subtype",
        "alarm_features_present",
        "notes",
        "ibs_sss",
    }


@pytest.mark.parametrize(
    ("alarm", "expected"),
    [
        ({}, False),
        ({"rectal_bleeding": "yes"}, True),
        ({"unintentional_weight_loss": "yes"}, True),
        ({"nocturnal_diarrhea": "yes"}, True),
        ({"rectal_bleeding": "unsure"}, False),
    ],
)
def test_ibs_alarm_features_keep_status_met(alarm, expected):
    answers = ibs_adult_met(**alarm)

    d = assess(answers)

    assert (d["ibs"]["status"], d["ibs"]["alarm_features_present"]) == ("met", expected)


def test_ibs_pain_never_with_association_yes_is_pain_feature_conflict():
    # DQ-4: pain frequency decides (P = F).
    answers = ibs_adult_met(abd_pain_freq="never")

    d = assess(answers)

    assert d["ibs"]["status"] == "not_met"
    assert d["data_quality"]["conflicts"] == ["pain_feature_conflict"]


# ---- IBS-SSS (§5.4) -------------------------------------------------------------------------


def _ibssss(pain, days, distension, dissatisfaction, interference):
    return {
        "ibssss_pain_severity": pain,
        "ibssss_pain_days_of_10": days,
        "ibssss_distension": distension,
        "ibssss_bowel_dissatisfaction": dissatisfaction,
        "ibssss_life_interference": interference,
    }


IBSSSS_CASES = [
    ((0, 0, 0, 0, 0), 0, "remission"),
    ((24, 5, 0, 0, 0), 74, "remission"),
    ((25, 5, 0, 0, 0), 75, "mild"),
    ((74, 10, 0, 0, 0), 174, "mild"),
    ((0, 1, 65, 100, 0), 175, "moderate"),  # days_of_10 x 10
    ((100, 10, 100, 0, 0), 300, "moderate"),
    ((100, 10, 100, 1, 0), 301, "severe"),
    ((100, 10, 100, 100, 100), 500, "severe"),
]


@pytest.mark.parametrize(("items", "total", "band"), IBSSSS_CASES)
def test_ibs_sss_total_and_band(items, total, band):
    answers = adult(**_ibssss(*items))

    d = assess(answers)

    assert d["ibs"]["ibs_sss"] == {"total": total, "band": band}


@pytest.mark.parametrize(
    "missing_key",
    [
        "ibssss_pain_severity",
        "ibssss_pain_days_of_10",
        "ibssss_distension",
        "ibssss_bowel_dissatisfaction",
        "ibssss_life_interference",
    ],
)
def test_ibs_sss_null_when_any_item_missing(missing_key):
    answers = adult(**{**_ibssss(50, 5, 50, 50, 50), missing_key: None})

    d = assess(answers)

    assert d["ibs"]["ibs_sss"] == {"total": None, "band": None}


# ---- PHQ-9 (§9, §11) ------------------------------------------------------------------------


def _phq9(total, item9=0):
    items = []
    rest = total - item9
    for _ in range(8):
        item = min(3, rest)
        items.append(item)
        rest -= item
    return items + [item9]


PHQ9_CASES = [
    (0, "none"),
    (4, "none"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (24, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_CASES)
def test_phq9_total_and_band(total, band):
    answers = adult(phq9_items=_phq9(total))

    d = assess(answers)

    assert d["phq9"] == {"total": total, "band": band, "item9": 0}


def test_phq9_item9_is_the_ninth_item():
    answers = adult(phq9_items=[3, 3, 3, 3, 3, 3, 3, 3, 3])

    d = assess(answers)

    assert d["phq9"] == {"total": 27, "band": "severe", "item9": 3}


def test_phq9_nulls_when_not_given():
    answers = adult(self_harm_thoughts="no")

    d = assess(answers)

    assert d["phq9"] == {"total": None, "band": None, "item9": None}

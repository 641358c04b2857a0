"""RLS associations (§6) and aggravators (§7).

§11 fixes only that both are lists; the element format (and whether one item gives one
element) is open, so these tests assert emptiness or non-emptiness only.
"""

import pytest

from tests.answer_sets import rls_positive
from tests.clinical.engine import assess

# ---- associations (§6) ----------------------------------------------------------------------


def test_associations_empty_without_associated_conditions():
    d = assess(rls_positive(conditions=[]))

    assert d["associations"] == []


ASSOCIATED = [
    "iron_deficiency_known",
    "anemia_known",
    "ckd_dialysis",
    "ms",
    "parkinsons",
    "peripheral_neuropathy",
    "crohns",
    "celiac_known",
    "ibs_diagnosed",
    "hypothyroid",
    "hyperthyroid",
    "rheumatoid_arthritis",
    "sjogren",
    "fibromyalgia",
    "osa",
]


@pytest.mark.parametrize("condition", ASSOCIATED)
def test_associations_list_an_associated_condition(condition):
    d = assess(rls_positive(conditions=[condition]))

    assert d["associations"] != []


def test_associations_list_pregnancy():
    d = assess(rls_positive(pregnant="yes"))

    assert d["associations"] != []


def test_associations_trigger_no_test_flag():
    # §6: none of them is a test trigger on its own (ms has no rule in §8).
    d = assess(rls_positive(conditions=["ms"]), protocol_rules=False)

    assert [
        d["flags"][flag]["value"] for flag in ["thyroid", "celiac", "stool", "sibo_breath"]
    ] == ["no", "no", "no", "no"]


# ---- aggravators (§7) -----------------------------------------------------------------------


def test_aggravators_empty_without_medicines_or_substances():
    d = assess(
        rls_positive(
            medications=[], caffeine_cups_per_day=0, alcohol_units_per_week=0, nicotine="no"
        )
    )

    assert d["aggravators"] == []


AGGRAVATING_MEDICINES = [
    "sedating_antihistamine",
    "antiemetic_dopamine_antagonist",
    "antipsychotic",
    "ssri",
    "snri",
    "tca",
    "mirtazapine",
    "lithium",
]


@pytest.mark.parametrize("medicine", AGGRAVATING_MEDICINES)
def test_aggravators_list_an_aggravating_medicine(medicine):
    d = assess(rls_positive(medications=[medicine]))

    assert d["aggravators"] != []


NOT_AGGRAVATING = [
    "bupropion",
    "dopamine_agonist",
    "levodopa",
    "gabapentinoid",
    "opioid",
    "ppi",
    "iron_supplement",
    "levothyroxine",
    "amiodarone",
]


@pytest.mark.parametrize("medicine", NOT_AGGRAVATING)
def test_aggravators_ignore_a_non_aggravating_medicine(medicine):
    # §7: bupropion is not an aggravator; dopamine_agonist/levodopa carry AUG-1 risk instead.
    d = assess(rls_positive(medications=[medicine]))

    assert d["aggravators"] == []


SUBSTANCE_CASES = [
    ({"caffeine_cups_per_day": 1}, True),
    ({"caffeine_cups_per_day": 0}, False),
    ({"alcohol_units_per_week": 1}, True),
    ({"alcohol_units_per_week": 0}, False),
    ({"nicotine": "yes"}, True),
    ({"nicotine": "no"}, False),
    ({"nicotine": "unsure"}, False),
]


@pytest.mark.parametrize(("substances", "listed"), SUBSTANCE_CASES)
def test_aggravators_list_substances(substances, listed):
    d = assess(rls_positive(**substances))

    assert (d["aggravators"] != []) is listed


def test_aggravators_bupropion_adds_nothing_to_mirtazapine():
    with_bupropion = assess(rls_positive(medications=["bupropion", "mirtazapine"]))
    without_bupropion = assess(rls_positive(medications=["mirtazapine"]))

    assert with_bupropion["aggravators"] == without_bupropion["aggravators"]

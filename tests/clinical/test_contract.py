"""The engine's public contract (spec §0, §2 types, §11 shape)."""

import copy
import json
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest

from intake.clinical import RULESET_VERSION, evaluate
from tests.answer_sets import MICRO, adult, ferritin, full_adult, lab, rls_positive, without
from tests.clinical.engine import assess

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The §11 shape: dict nodes and their exact key sets.
SHAPE = {
    (): {
        "assessment_status",
        "rls",
        "ibs",
        "phq9",
        "flags",
        "urgent",
        "associations",
        "aggravators",
        "data_quality",
    },
    ("rls",): {
        "status",
        "criteria",
        "failed",
        "unknown",
        "course",
        "clinically_significant",
        "riss",
        "irls",
        "augmentation_suspected",
        "cautions",
    },
    ("rls", "criteria"): {"C1", "C2", "C3", "C4", "C5"},
    ("rls", "riss"): {"days_per_week", "onset_grade", "impact"},
    ("rls", "irls"): {"total", "band"},
    ("ibs",): {"status", "variant", "subtype", "alarm_features_present", "notes", "ibs_sss"},
    ("ibs", "ibs_sss"): {"total", "band"},
    ("phq9",): {"total", "band", "item9"},
    ("flags",): {"thyroid", "iron_panel", "celiac", "stool", "sibo_breath"},
    ("flags", "thyroid"): {"value", "rules_fired"},
    ("flags", "iron_panel"): {"value", "rules_fired", "interpretation", "context", "caveat"},
    ("flags", "celiac"): {"value", "rules_fired", "caveat"},
    ("flags", "stool"): {"value", "components", "rules_fired"},
    ("flags", "sibo_breath"): {"value", "rules_fired", "timing_note"},
    ("urgent",): {"value", "reasons", "crisis", "emergency"},
    ("data_quality",): {"missing", "conflicts", "unsure_red_flags"},
}

LIST_FIELDS = [
    ("rls", "failed"),
    ("rls", "unknown"),
    ("associations",),
    ("aggravators",),
    ("urgent", "reasons"),
    ("data_quality", "missing"),
    ("data_quality", "conflicts"),
    ("data_quality", "unsure_red_flags"),
    ("rls", "cautions"),
    ("ibs", "notes"),
    ("flags", "iron_panel", "context"),
    ("flags", "stool", "components"),
] + [("flags", flag, "rules_fired") for flag in SHAPE[("flags",)]]


def _at(d, path):
    for key in path:
        d = d[key]
    return d


SHAPE_CASES = {
    "minimal_adult": adult(),
    "full_adult": full_adult(),
    "rls_positive_male": rls_positive(sex_at_birth="male", medications=["mirtazapine"]),
    "out_of_scope_child": {"age_years": 4, "sex_at_birth": "male"},
}


@pytest.mark.parametrize("answers", SHAPE_CASES.values(), ids=SHAPE_CASES.keys())
def test_as_dict_has_exactly_the_spec_shape(answers):
    d = assess(answers)

    for path, keys in SHAPE.items():
        assert set(_at(d, path)) == keys, path
    for path in LIST_FIELDS:
        assert type(_at(d, path)) is list, path


@pytest.mark.parametrize("answers", SHAPE_CASES.values(), ids=SHAPE_CASES.keys())
def test_as_dict_round_trips_through_json(answers):
    d = assess(answers)

    assert json.loads(json.dumps(d)) == d


def test_ruleset_version_is_a_nonempty_string():
    assert type(RULESET_VERSION) is str
    assert RULESET_VERSION.strip() != ""


def test_evaluate_accepts_every_setting_by_keyword():
    d = evaluate(
        adult(),
        protocol_rules=False,
        irls_licensed=True,
        iron_lookback_days=30,
        tsh_lookback_days=30,
        celiac_lookback_days=30,
    ).as_dict()

    assert d["assessment_status"] == "partial"


def test_evaluate_same_input_twice_gives_equal_dicts():
    answers = full_adult(prior_labs=[ferritin(40)], medications=["ssri", "dopamine_agonist"])

    assert assess(answers) == assess(copy.deepcopy(answers))


def test_evaluate_does_not_mutate_answers():
    answers = full_adult(
        prior_labs=[ferritin(40), lab("tsat", 15, "%", 20)],
        conditions=["ms", "t1dm"],
        phq9_items=[1, 1, 1, 1, 1, 1, 1, 1, 1],
    )
    before = copy.deepcopy(answers)

    assess(answers)

    assert answers == before


def test_evaluate_accepts_any_mapping():
    answers = full_adult(prior_labs=[ferritin(40)])

    assert assess(MappingProxyType(answers)) == assess(answers)


def test_evaluate_none_value_is_treated_as_missing():
    explicit_none = full_adult(rls_c1_urge=None)  # builders drop None keys ...
    explicit_none["rls_c1_urge"] = None  # ... so put it back explicitly
    explicit_none["prior_labs"] = None

    assert assess(explicit_none) == assess(without(full_adult(), "rls_c1_urge", "prior_labs"))


@pytest.mark.parametrize("key", ["age_years", "sex_at_birth"])
def test_evaluate_missing_required_key_raises_naming_it(key):
    answers = without(adult(), key)

    with pytest.raises(ValueError) as excinfo:
        evaluate(answers)

    assert key in str(excinfo.value)


@pytest.mark.parametrize("key", ["age_years", "sex_at_birth"])
def test_evaluate_none_required_key_raises_naming_it(key):
    answers = {**adult(), key: None}

    with pytest.raises(ValueError) as excinfo:
        evaluate(answers)

    assert key in str(excinfo.value)


NINE_ZEROS = [0] * 9
TEN_ZEROS = [0] * 10

# (key named in the message, answers)
INVALID = {
    "unknown_key": ("favourite_colour", adult(favourite_colour="blue")),
    "age_str": ("age_years", adult(age_years="35")),
    "age_float": ("age_years", adult(age_years=35.5)),
    # Choice: a bool is not an int for an int field (bool subclasses int in Python; refuse it).
    "age_bool": ("age_years", adult(age_years=True)),
    "days_bool": ("rls_days_per_week", adult(rls_days_per_week=True)),
    "sex_int": ("sex_at_birth", adult(sex_at_birth=1)),
    "sex_unknown_choice": ("sex_at_birth", adult(sex_at_birth="unknown")),
    "yn_maybe": ("rls_c1_urge", adult(rls_c1_urge="maybe")),
    "yn_bool": ("rectal_bleeding", adult(rectal_bleeding=True)),
    "yn_int": ("nicotine", adult(nicotine=1)),
    "c1_previously_yes": ("rls_c1_urge", adult(rls_c1_urge="previously_yes_now_constant")),
    "leg_problem_unknown": ("leg_main_problem", adult(leg_main_problem="itch")),
    "freq_unknown": ("abd_pain_freq", adult(abd_pain_freq="sometimes")),
    "rls_freq_unknown": ("rls_freq", adult(rls_freq="daily")),
    "gluten_unknown": ("gluten_intake", adult(gluten_intake="some")),
    "fhx_unknown": ("fhx_crc", adult(fhx_crc="maybe")),
    "days_per_week_8": ("rls_days_per_week", adult(rls_days_per_week=8)),
    "days_per_week_minus_1": ("rls_days_per_week", adult(rls_days_per_week=-1)),
    "days_per_week_str": ("rls_days_per_week", adult(rls_days_per_week="3")),
    "days_per_week_float": ("rls_days_per_week", adult(rls_days_per_week=3.0)),
    "pct_hard_101": ("pct_bm_hard", adult(pct_bm_hard=101)),
    "pct_loose_minus_1": ("pct_bm_loose", adult(pct_bm_loose=-1)),
    "ibssss_101": ("ibssss_pain_severity", adult(ibssss_pain_severity=101)),
    "ibssss_life_minus_1": ("ibssss_life_interference", adult(ibssss_life_interference=-1)),
    "ibssss_days_11": ("ibssss_pain_days_of_10", adult(ibssss_pain_days_of_10=11)),
    "duration_str": ("gi_symptom_duration_months", adult(gi_symptom_duration_months="12")),
    "caffeine_str": ("caffeine_cups_per_day", adult(caffeine_cups_per_day="two")),
    "guardian_int": ("guardian_completed", adult(age_years=10, guardian_completed=1)),
    "empty_choice": ("rls_screen", adult(rls_screen="")),
    "guardian_str": ("guardian_completed", adult(age_years=10, guardian_completed="yes")),
    "own_words_int": ("rls_child_own_words", adult(age_years=10, rls_child_own_words=5)),
    "phq9_item_4": ("phq9_items", adult(phq9_items=[4, 0, 0, 0, 0, 0, 0, 0, 0])),
    "phq9_item_minus_1": ("phq9_items", adult(phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, -1])),
    "phq9_len_8": ("phq9_items", adult(phq9_items=NINE_ZEROS[:8])),
    "phq9_len_10": ("phq9_items", adult(phq9_items=NINE_ZEROS + [0])),
    "phq9_str_item": ("phq9_items", adult(phq9_items=["0"] * 9)),
    "phq9_not_list": ("phq9_items", adult(phq9_items=0)),
    "irls_item_5": ("irls_items", adult(irls_items=[5] + TEN_ZEROS[1:])),
    "irls_len_9": ("irls_items", adult(irls_items=TEN_ZEROS[:9])),
    "irls_len_11": ("irls_items", adult(irls_items=TEN_ZEROS + [0])),
    "conditions_unknown_member": ("conditions", adult(conditions=["gout"])),
    "conditions_not_list": ("conditions", adult(conditions="ms")),
    "medications_unknown_member": ("medications", adult(medications=["aspirin"])),
    "thyroid_symptoms_unknown_member": ("thyroid_symptoms", adult(thyroid_symptoms=["sweating"])),
    "labs_unknown_test": ("prior_labs", adult(prior_labs=[lab("vitamin_d", 20, "ng/mL", 10)])),
    "labs_missing_days_ago": (
        "prior_labs",
        adult(prior_labs=[{"test": "ferritin", "value": 40, "unit": "ng/mL"}]),
    ),
    "labs_missing_value": (
        "prior_labs",
        adult(prior_labs=[{"test": "ferritin", "unit": "ng/mL", "days_ago": 3}]),
    ),
    "labs_missing_test": (
        "prior_labs",
        adult(prior_labs=[{"value": 40, "unit": "ng/mL", "days_ago": 3}]),
    ),
    "labs_negative_days_ago": ("prior_labs", adult(prior_labs=[ferritin(40, days_ago=-1)])),
    "labs_ferritin_bool_value": ("prior_labs", adult(prior_labs=[ferritin(True)])),
    "labs_ferritin_str_value": ("prior_labs", adult(prior_labs=[ferritin("high")])),
    "labs_ttg_bad_value": ("prior_labs", adult(prior_labs=[lab("ttg_iga", "maybe", None, 10)])),
    "labs_total_iga_bad_value": (
        "prior_labs",
        adult(prior_labs=[lab("total_iga", "high", None, 10)]),
    ),
    "labs_entry_not_dict": ("prior_labs", adult(prior_labs=["ferritin 40"])),
    "labs_ttg_list_value": ("prior_labs", adult(prior_labs=[lab("ttg_iga", ["neg"], None, 10)])),
    "labs_total_iga_dict_value": (
        "prior_labs",
        adult(prior_labs=[lab("total_iga", {"normal": 1}, None, 10)]),
    ),
    "labs_not_list": ("prior_labs", adult(prior_labs=ferritin(40))),
}


@pytest.mark.parametrize(("key", "answers"), INVALID.values(), ids=INVALID.keys())
def test_evaluate_invalid_input_raises_value_error_naming_the_key(key, answers):
    with pytest.raises(ValueError) as excinfo:
        evaluate(answers)

    assert key in str(excinfo.value)


@pytest.mark.parametrize("answer", ["yes", "no", "unsure"])
def test_evaluate_every_yes_no_key_accepts_unsure(answer):
    # §2: every y/n key accepts yes | no | unsure, red-flag items included.
    answers = adult(rls_on_treatment=answer, rectal_bleeding=answer, nicotine=answer)

    d = assess(answers)

    assert d["assessment_status"] == "partial"


@pytest.mark.parametrize("unit", ["%", "mg/dL"])
def test_evaluate_ferritin_in_unaccepted_unit_is_not_a_value_error(unit):
    # §10: a unit outside §2.4's list is ignored with lab_unit_conflict, not refused.
    answers = rls_positive(prior_labs=[ferritin(20, unit=unit)])

    d = assess(answers)

    assert d["data_quality"]["conflicts"] == ["lab_unit_conflict"]


@pytest.mark.parametrize("unit", ["ng/mL", f"{MICRO}g/L"])
def test_evaluate_ferritin_in_accepted_unit_records_no_conflict(unit):
    answers = rls_positive(prior_labs=[ferritin(20, unit=unit)])

    d = assess(answers)

    assert d["data_quality"]["conflicts"] == []


def test_evaluate_days_ago_zero_is_accepted():
    answers = rls_positive(prior_labs=[ferritin(20, days_ago=0)])

    d = assess(answers)

    assert d["flags"]["iron_panel"]["value"] == "on_file"


def test_clinical_package_imports_no_django():
    code = (
        "import sys, intake.clinical; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr

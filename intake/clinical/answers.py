"""Reads and validates the raw answers (clinical-spec §2): keys, types, choices, ranges.

`parse_answers` refuses anything the spec does not allow with a ValueError naming the key and
the value; what it returns is a read-only view whose helpers answer in three-valued logic, so
that a rule can tell "no" from "not answered" (spec §10).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .logic import FALSE, UNSURE, Tri, true_because, unknown

YES_NO = ("yes", "no", "unsure")
FREQ = (
    "never",
    "lt_1_per_month",
    "1_3_per_month",
    "1_per_week",
    "2_3_per_week",
    "4_6_per_week",
    "daily",
)
WEEKLY_OR_MORE = frozenset(FREQ[FREQ.index("1_per_week") :])
FAMILY_HISTORY = ("yes", "no", "unknown")

CONDITIONS = (
    "iron_deficiency_known",
    "anemia_known",
    "celiac_known",
    "crohns",
    "ulcerative_colitis",
    "ibs_diagnosed",
    "t1dm",
    "t2dm",
    "peripheral_neuropathy",
    "ckd_dialysis",
    "ckd_non_dialysis",
    "ms",
    "parkinsons",
    "rheumatoid_arthritis",
    "sjogren",
    "scleroderma",
    "other_autoimmune",
    "hypothyroid",
    "hyperthyroid",
    "autoimmune_thyroid",
    "gastroparesis",
    "intestinal_pseudo_obstruction",
    "other_motility_disorder",
    "prior_luminal_gi_surgery",
    "bariatric_surgery",
    "chronic_pancreatitis",
    "iga_deficiency",
    "neck_irradiation",
    "fibromyalgia",
    "osa",
    "depression",
    "varicose_veins",
    "arthritis",
)
MEDICATIONS = (
    "sedating_antihistamine",
    "antiemetic_dopamine_antagonist",
    "antipsychotic",
    "ssri",
    "snri",
    "mirtazapine",
    "tca",
    "lithium",
    "bupropion",
    "dopamine_agonist",
    "levodopa",
    "gabapentinoid",
    "opioid",
    "ppi",
    "iron_supplement",
    "levothyroxine",
    "amiodarone",
)
RLS_TREATMENT_MEDS = (  # R3-19: what the patient takes for restless legs
    "dopamine_agonist",
    "levodopa",
    "gabapentinoid",
    "opioid",
    "iron",
    "other",
)
THYROID_SYMPTOMS = (
    "cold_intolerance",
    "heat_intolerance",
    "palpitations",
    "tremor",
    "unexplained_weight_gain",
    "dry_skin_or_hair_loss",
    "neck_swelling",
)

# Lab tests of §2.4: the accepted units, and for qualitative tests the accepted values.
# Both spellings of the micro sign (U+00B5 and U+03BC) are the same unit to a reader.
NUMERIC_LAB_UNITS = {
    "ferritin": frozenset({"ng/mL", "\u00b5g/L", "\u03bcg/L"}),
    "tsat": frozenset({"%"}),
    "tsh": frozenset({"mIU/L"}),
    "calprotectin": frozenset({"\u00b5g/g", "\u03bcg/g"}),
}
QUALITATIVE_LAB_VALUES = {
    "ttg_iga": frozenset({"pos", "neg"}),
    "total_iga": frozenset({"normal", "low"}),
}
LAB_TESTS = (*NUMERIC_LAB_UNITS, *QUALITATIVE_LAB_VALUES)
_LAB_TEST_SET = frozenset(LAB_TESTS)
LAB_FIELDS = frozenset({"test", "value", "unit", "days_ago"})


@dataclass(frozen=True, slots=True)
class Field:
    kind: str  # choice | int | bool | text | multi | int_list | labs
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    length: int = 0  # for int_list
    allow_blank_items: bool = False  # for int_list: None marks an unanswered item


def _choice(*choices: str) -> Field:
    return Field("choice", choices)


def _int(low: int, high: int) -> Field:
    return Field("int", low=low, high=high)


_YN = _choice(*YES_NO)

# Every key of §2, in the order of the spec; `missing[]` is reported in this order.
# Ranges the spec leaves open are set to what a human answer can be, to refuse typos.
SCHEMA: dict[str, Field] = {
    # §2.1 demographics
    "age_years": _int(0, 130),
    "sex_at_birth": _choice("female", "male", "other"),
    "pregnant": _YN,
    "breastfeeding": _YN,  # R3-11, optional
    "weeks_pregnant": _int(0, 45),
    "guardian_completed": Field("bool"),
    # §2.2 RLS: whether treated is asked first (R3-2), then which medicines (R3-19)
    "rls_on_treatment": _YN,
    "rls_treatment_meds": Field("multi", RLS_TREATMENT_MEDS),
    "rls_screen": _YN,
    "rls_c1_urge": _YN,
    "rls_c2_rest": _YN,
    "rls_c3_movement_relief": _choice("yes", "previously_yes_now_constant", "no", "unsure"),
    "rls_c4_evening": _choice("yes", "previously_yes_now_constant", "no", "unsure"),
    "leg_main_problem": _choice(
        "urge_to_move",
        "cramp",
        "position_discomfort",
        "constant_numbness_burning",
        "joint_pain",
        "swelling_heaviness",
        "habit_tapping",
        "other_unsure",
    ),
    "position_shift_relief": _YN,
    "rls_child_own_words": Field("text"),
    "fhx_rls": _choice(*FAMILY_HISTORY),  # R3-11, optional; supportive, fires no rule
    "rls_freq": _choice("lt_2_per_week", "ge_2_per_week"),
    "rls_lifetime_episodes_ge5": _YN,
    "rls_impact_level": _choice("none", "mild", "moderate", "severe"),
    "rls_days_per_week": _int(0, 7),
    "rls_onset_time": _choice("bedtime_only", "evening", "afternoon", "morning_or_all_day"),
    "aug_earlier_onset_hours": _int(0, 24),
    "aug_spread_to_arms": _YN,
    "aug_dose_escalation_or_shorter_relief": _YN,
    "irls_items": Field("int_list", low=0, high=4, length=10, allow_blank_items=True),
    # §2.3 gut
    "abd_pain_freq": _choice(*FREQ),
    "pain_related_to_bm": _YN,
    "pain_with_stool_freq_change": _YN,
    "pain_with_stool_form_change": _YN,
    "gi_symptom_duration_months": _int(0, 1560),
    "pct_bm_hard": _int(0, 100),
    "pct_bm_loose": _int(0, 100),
    "bowel_meds_current": _YN,
    "bloating_freq": _choice(*FREQ),
    "gas_freq": _choice(*FREQ),
    "loose_stools_4wk": _YN,
    "constipation_4wk": _YN,
    "greasy_floating_stools": _YN,
    "pain_resolves_with_constipation_treatment": _choice(
        "yes",
        "no",
        "not_treated_yet",
        "no_constipation",  # R3-3: "na" is refused
    ),
    "rectal_bleeding": _YN,
    "black_stools": _YN,
    "unintentional_weight_loss": _YN,
    "nocturnal_diarrhea": _YN,
    "fever_with_gi": _YN,
    "persistent_vomiting": _YN,
    "dysphagia": _YN,
    "fhx_crc": _choice(*FAMILY_HISTORY),
    "fhx_ibd": _choice(*FAMILY_HISTORY),
    "fhx_celiac": _choice(*FAMILY_HISTORY),
    "fhx_thyroid": _choice(*FAMILY_HISTORY),
    "travel_high_risk_12mo": _YN,
    "antibiotics_last_3mo": _YN,
    "antibiotics_last_4wk": _YN,
    "gluten_intake": _choice("daily_gt1_meal", "less_than_daily", "gluten_free", "unknown"),
    "prior_celiac_test_on_gluten": _YN,
    "ibssss_pain_severity": _int(0, 100),
    "ibssss_distension": _int(0, 100),
    "ibssss_bowel_dissatisfaction": _int(0, 100),
    "ibssss_life_interference": _int(0, 100),
    "ibssss_pain_days_of_10": _int(0, 10),
    # §2.4 history, medicines, labs, mood
    "conditions": Field("multi", CONDITIONS),
    "medications": Field("multi", MEDICATIONS),
    # Emergency red-flag items RF-13..RF-16 (R3-15)
    "vomiting_blood": _YN,
    "bleeding_now_or_faint": _YN,
    "clot_chest_symptoms": _YN,
    "vomiting_green_or_no_fluids": _YN,
    "anemia_recent_unexplained": _YN,  # RF-7 (R3-7, R3-17)
    "iv_iron_last_12wk": _YN,  # R3-11, R3-18, optional
    "heavy_menstrual_bleeding": _YN,  # R3-11, optional
    "blood_donor_regular": _YN,  # R3-11, optional
    "thyroid_symptoms": Field("multi", THYROID_SYMPTOMS),
    "caffeine_cups_per_day": _int(0, 100),
    "alcohol_units_per_week": _int(0, 500),
    "nicotine": _YN,
    "leg_weakness_progressive": _YN,
    "saddle_numbness": _YN,
    "new_bladder_bowel_control_loss": _YN,
    "new_spreading_numbness": _YN,
    "unilateral_calf_swelling_pain": _YN,
    "phq9_items": Field("int_list", low=0, high=3, length=9),
    "self_harm_thoughts": _YN,
    "prior_labs": Field("labs"),
}
KEY_ORDER = {key: position for position, key in enumerate(SCHEMA)}
REQUIRED = ("age_years", "sex_at_birth")
# The fast path of parse_answers: for each choice and number question, every plain value it
# accepts as it stands (the choices; each whole number in range); none for the other keys.
# Anything else, or anything wrong, goes to the check of its kind (_CHECKS), which also words
# the error.
_PLAIN_VALUES: dict[str, frozenset[object]] = {
    key: frozenset(f.choices)
    if f.kind == "choice"
    else frozenset(range(f.low, f.high + 1))
    if f.kind == "int"
    else frozenset()
    for key, f in SCHEMA.items()
}
_INT_ONLY = frozenset({int})
_STR_ONLY = frozenset({str})
_ITEM_VALUES = {
    key: frozenset(range(f.low, f.high + 1)) for key, f in SCHEMA.items() if f.kind == "int_list"
}
_MULTI_CHOICES = {key: frozenset(f.choices) for key, f in SCHEMA.items() if f.kind == "multi"}


def _refuse(key: str, value: object, expected: str) -> ValueError:
    return ValueError(f"{key}: invalid value {value!r}; expected {expected}")


def _is_int(value: object) -> bool:
    # bool is a subclass of int, but True is not an age or a count.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(key: str, value: object, low: int | None, high: int | None) -> None:
    if (
        not _is_int(value)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        expected = (
            f"a whole number from {low} to {high}"
            if high is not None
            else (f"a whole number of at least {low}")
        )
        raise _refuse(key, value, expected)


# One check per kind of field: each returns the value in its stored form, or raises ValueError
# naming the key. parse_answers picks the check by the field's kind (see _CHECKS).


def _check_choice(key: str, field: Field, value: object) -> str:
    if value not in field.choices or not isinstance(value, str):
        raise _refuse(key, value, "one of " + ", ".join(field.choices))
    return value


def _check_number(key: str, field: Field, value: object) -> int:
    _check_int(key, value, field.low, field.high)
    return value


def _check_bool(key: str, field: Field, value: object) -> bool:
    if not isinstance(value, bool):
        raise _refuse(key, value, "true or false")
    return value


def _check_text(key: str, field: Field, value: object) -> str:
    if not isinstance(value, str):
        raise _refuse(key, value, "text")
    return value


def _check_multi(key: str, field: Field, value: object) -> frozenset[str]:
    choices = _MULTI_CHOICES[key]
    # Fast path: a list of exact strs (hashing an arbitrary item could raise), all choices;
    # a plain loop, as the lists are short.
    if value.__class__ is list:
        for item in value:
            if item.__class__ is not str or item not in choices:
                break
        else:
            return frozenset(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise _refuse(key, value, "a list of: " + ", ".join(field.choices))
    for item in value:
        if item.__class__ is str and item in choices:
            continue  # the usual case, checked by hash
        if item not in field.choices or not isinstance(item, str):
            raise _refuse(key, item, "one of " + ", ".join(field.choices))
    return frozenset(value)


def _check_int_list(key: str, field: Field, value: object) -> tuple[int | None, ...]:
    if not (
        (value.__class__ is list or isinstance(value, (list, tuple))) and len(value) == field.length
    ):
        raise _refuse(key, value, f"a list of {field.length} whole numbers")
    # Fast path: every item an exact int (True and 1.0 equal 1) and in range.
    if _INT_ONLY.issuperset(map(type, value)) and _ITEM_VALUES[key].issuperset(value):
        return tuple(value)
    for item in value:
        if item is None and field.allow_blank_items:
            continue
        _check_int(key, item, field.low, field.high)
    return tuple(value)


_INFINITIES = (math.inf, -math.inf)


def _check_labs(
    key: str, _field: Field, value: object
) -> tuple[dict[str, tuple[int, float | str]], bool]:
    """The most recent usable result of each lab test, as test -> (days_ago, value), and whether
    any result was set aside for a unit outside §2.4's list.

    "Most recent" is the smallest days_ago, the first one given on a tie (§2.4). Only these
    are ever read, so the other results are validated and then dropped.
    """
    if not isinstance(value, (list, tuple)):
        raise _refuse(key, value, "a list of lab results")
    latest: dict[str, tuple[int, float | str]] = {}
    unit_conflict = False
    for entry in value:
        if entry.__class__ is dict:
            well_formed = entry.keys() == LAB_FIELDS  # the same test as below, without a set
        else:
            well_formed = isinstance(entry, Mapping) and set(entry) == LAB_FIELDS
        if not well_formed:
            raise _refuse(key, entry, "a lab result with exactly: test, value, unit, days_ago")
        test, result, unit, days_ago = (
            entry["test"],
            entry["value"],
            entry["unit"],
            entry["days_ago"],
        )
        # Each check tests the usual exact classes first (str, int, float), then in full.
        if not (test.__class__ is str and test in _LAB_TEST_SET) and (
            test not in LAB_TESTS or not isinstance(test, str)
        ):
            raise _refuse(key, test, "a lab test, one of " + ", ".join(LAB_TESTS))
        if days_ago.__class__ is not int or days_ago < 0:
            _check_int(f"{key}.days_ago", days_ago, 0, None)
        if unit is not None and unit.__class__ is not str and not isinstance(unit, str):
            raise _refuse(f"{key}.unit", unit, "a unit or null")
        units = NUMERIC_LAB_UNITS.get(test)
        if units is not None:
            result_class = result.__class__
            if not (
                (result_class is int and result >= 0)
                or (result_class is float and 0 <= result < math.inf)  # NaN compares False
            ):
                if not isinstance(result, (int, float)) or isinstance(result, bool) or result < 0:
                    raise _refuse(f"{key}.value", result, f"a non-negative number for {test}")
                if result != result or result in _INFINITIES:
                    raise _refuse(f"{key}.value", result, f"a finite number for {test}")
            accepted = unit in units
        else:
            if not isinstance(result, str) or result not in QUALITATIVE_LAB_VALUES[test]:
                raise _refuse(
                    f"{key}.value",
                    result,
                    "one of " + ", ".join(sorted(QUALITATIVE_LAB_VALUES[test])),
                )
            accepted = unit is None
        if not accepted:
            # §10: a value in a unit the app does not accept is not used at all.
            unit_conflict = True
            continue
        previous = latest.get(test)
        if previous is None or days_ago < previous[0]:
            latest[test] = (days_ago, result)
    return latest, unit_conflict


_CHECKS = {
    "choice": _check_choice,
    "int": _check_number,
    "bool": _check_bool,
    "text": _check_text,
    "multi": _check_multi,
    "int_list": _check_int_list,
    "labs": _check_labs,
}
# The slow path of parse_answers: each key's check with its field, found in one lookup.
_CHECK_BY_KEY = {key: (_CHECKS[field.kind], field) for key, field in SCHEMA.items()}
_NO_LABS: tuple[dict[str, tuple[int, float | str]], bool] = ({}, False)


class Answers:
    """Validated answers with three-valued accessors: each returns a Tri that is T with the
    answer that makes it so, F, or U carrying the key when it is unanswered."""

    __slots__ = ("_values", "answered", "lab_unit_conflict", "_latest_labs", "get", "has")

    def __init__(self, values: dict[str, Any]):
        # test -> (days_ago, value) of its most recent usable result; see _check_labs.
        self._latest_labs, self.lab_unit_conflict = values.pop("prior_labs", _NO_LABS)
        self._values = values
        self.answered = values  # key -> answer, read-only: the answered keys
        self.get = values.get  # the answer to a key, None when unanswered
        self.has = values.__contains__

    def yes(self, key: str) -> Tri:
        """`key == yes`: yes is T, no is F, unsure (or "unknown") is U, unanswered is U(key)."""
        value = self._values.get(key)
        if value == "yes":
            return true_because(key, "yes")
        if value == "no":
            return FALSE
        return UNSURE if value is not None else unknown(key)

    def weekly(self, key: str) -> Tri:
        """A FREQ answer at least once a week ("weekly+")."""
        value = self._values.get(key)
        if value is None:
            return unknown(key)
        return true_because(key, value) if value in WEEKLY_OR_MORE else FALSE

    def includes(self, key: str, *members: str) -> Tri:
        """A multi-select answer holds any of `members`: one reason per member it holds, in
        the order given (R3-24)."""
        selected = self._values.get(key)
        if selected is None:
            return unknown(key)
        held = tuple((key, member) for member in members if member in selected)
        return Tri(True, because=held) if held else FALSE

    def holds(self, key: str, member: str) -> bool:
        """A multi-select answer holds `member` (unanswered holds nothing)."""
        return member in (self._values.get(key) or ())

    def latest_lab(self, test: str, within_days: int) -> float | str | None:
        """The value of the most recent result of `test`, if it is within the last
        `within_days` days (R3-12: day `within_days` itself included); otherwise None."""
        latest = self._latest_labs.get(test)
        if latest is None or latest[0] > within_days:
            return None
        return latest[1]

    def has_lab(self, test: str) -> bool:
        """A usable result of `test` was entered, however old."""
        return test in self._latest_labs


def parse_answers(raw: Mapping[str, object]) -> Answers:
    if not (raw.__class__ is dict or isinstance(raw, Mapping)):  # the ABC check is slow
        raise ValueError(f"answers: expected a mapping of question keys, got {type(raw).__name__}")
    # Copied whole, then corrected in place: most answers are plain values kept as they are.
    values: dict[str, Any] = dict(raw)
    plain_values = _PLAIN_VALUES
    for key, value in raw.items():
        try:
            accepted = plain_values[key]
        except KeyError:
            raise ValueError(f"{key}: unknown answer key (value {value!r})") from None
        # Exact classes only: True == 1 and 1.0 == 1 would pass the set lookup. (The class is
        # read once: `__class__` is a slow attribute.)
        value_class = value.__class__
        if (value_class is str or value_class is int) and value in accepted:
            continue
        if key.__class__ is not str and not isinstance(key, str):
            # Found, so equal to a question key, but not a str: not a key of §2 either.
            raise ValueError(f"{key}: unknown answer key (value {value!r})")
        if value is None:
            del values[key]  # None is the same as absent: missing
            continue
        check, field = _CHECK_BY_KEY[key]
        values[key] = check(key, field, value)
    for key in REQUIRED:
        if key not in values:
            raise ValueError(f"{key}: required answer is missing")
    return Answers(values)

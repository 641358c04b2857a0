"""Red flags RF-1..RF-12 (spec §9): practitioner review within one working day; RF-12 is also
a crisis. Red-flag answers always count, even when they contradict other answers."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

from .answers import MISSING, Answers
from .catalogue import URGENT_RECORDS
from .gut import GutPredicates
from .logic import FALSE, TRUE, Tri, any_of, both, of

LATE_ONSET_AGE = 50  # RF-5: new bowel symptoms at >= 50 (Rome IV; ACG 2021 uses 45)
OLDER_ANAEMIA_AGE = 50  # RF-7
GI_RED_FLAG_KEYS = (
    "rectal_bleeding",
    "black_stools",
    "unintentional_weight_loss",
    "nocturnal_diarrhea",
    "fever_with_gi",
    "persistent_vomiting",
    "dysphagia",
)
RF_9_KEYS = ("persistent_vomiting", "dysphagia")
RF_10_KEYS = (
    "leg_weakness_progressive",
    "saddle_numbness",
    "new_bladder_bowel_control_loss",
    "new_spreading_numbness",
)
# The answers of RF-1..RF-4 and RF-8..RF-11, each of which leaves its rule U when unanswered.
ANSWER_RULE_KEYS = frozenset((*GI_RED_FLAG_KEYS, *RF_10_KEYS, "unilateral_calf_swelling_pain"))
RF_5_DURATION = frozenset({"gi_symptom_duration_months"})
RED_FLAG_RECORDS = tuple(URGENT_RECORDS[f"RF-{n}"] for n in range(1, 13))  # in RF order


@dataclass(slots=True)
class RedFlagResult:
    reasons: list[dict[str, str]]  # shared, read-only records: Assessment.as_dict() copies
    crisis: bool
    needed: frozenset[str]
    redflag_gi_conflict: bool
    gi_alarm: bool  # any of RF-1..RF-9: the alarm features of Rome IV


def _self_harm(answers: Answers) -> Tri:
    """RF-12. self_harm_thoughts is asked when the PHQ-9 is not used, so it is needed only then."""
    items = answers.get("phq9_items")
    if items is None:
        return answers.yes("self_harm_thoughts")
    if items[8] >= 1:
        return TRUE
    # any_of(F, asked if answered else F): T only when the question is answered yes.
    return TRUE if answers.get("self_harm_thoughts") == "yes" else FALSE


def _anaemia(answers: Answers, gi_symptomatic: Tri, pregnant: bool) -> Tri:
    """RF-7: anemia_known and not pregnant_eff and (male or age >= 50 or gi_symptomatic)."""
    conditions = answers.get("conditions")  # answers.has_condition("anemia_known"), spelled out
    if pregnant or (conditions is not None and "anemia_known" not in conditions):
        return FALSE  # the commonest case, without evaluating the rest
    return both(
        TRUE if conditions is not None else MISSING["conditions"],
        any_of(
            of(answers.get("sex_at_birth") == "male"),
            of(answers.get("age_years") >= OLDER_ANAEMIA_AGE),
            gi_symptomatic,
        ),
    )


def evaluate_red_flags(answers: Answers, *, gut: GutPredicates, pregnant: bool) -> RedFlagResult:
    get = answers.get
    gi_symptomatic = gut.gi_symptomatic
    age, months = get("age_years"), get("gi_symptom_duration_months")
    # gi_onset_age = age - duration / 12 >= 50, in whole months to avoid rounding. RF-5's safety
    # default: with the duration unanswered, a patient aged >= 50 counts as a late onset.
    late_onset = (
        age >= LATE_ONSET_AGE if months is None else age * 12 - months >= LATE_ONSET_AGE * 12
    )
    rf5 = gi_symptomatic if late_onset else FALSE  # all_of(gi_symptomatic, late_onset)
    family_history = answers.any_yes("fhx_crc", "fhx_ibd")
    # both(gi_symptomatic, family_history), without the call in the usual case
    rf6 = family_history if gi_symptomatic.value is True else both(gi_symptomatic, family_history)
    rf7 = _anaemia(answers, gi_symptomatic, pregnant)
    rf9 = get("persistent_vomiting") == "yes" or get("dysphagia") == "yes"
    rf10 = (
        get("leg_weakness_progressive") == "yes"
        or get("saddle_numbness") == "yes"
        or get("new_bladder_bowel_control_loss") == "yes"
        or get("new_spreading_numbness") == "yes"
    )
    rf12 = _self_harm(answers)
    fired = (  # RF-1..RF-12, in order: whether each is T
        get("rectal_bleeding") == "yes",  # RF-1
        get("black_stools") == "yes",  # RF-2
        get("unintentional_weight_loss") == "yes",  # RF-3
        get("nocturnal_diarrhea") == "yes",  # RF-4
        rf5.value is True,  # RF-5: gi_symptomatic and gi_onset_age >= 50
        rf6.value is True,  # RF-6: gi_symptomatic and (fhx_crc or fhx_ibd)
        rf7.value is True,  # RF-7: anaemia, not pregnant, and male, age >= 50 or gi_symptomatic
        get("fever_with_gi") == "yes",  # RF-8
        rf9,  # RF-9: persistent_vomiting or dysphagia
        rf10,  # RF-10: weakness, saddle numbness, bladder/bowel control loss, spreading numbness
        get("unilateral_calf_swelling_pain") == "yes",  # RF-11
        rf12.value is True,  # RF-12: PHQ-9 item 9 >= 1 or self_harm_thoughts
    )
    # Each red flag stands alone: an unanswered red-flag question is always needed, unless
    # another answer of the same rule is yes (RF-9, RF-10).
    needed = ANSWER_RULE_KEYS.difference(answers.answered)
    if rf9:
        needed = needed.difference(RF_9_KEYS)
    if rf10:
        needed = needed.difference(RF_10_KEYS)
    for tri in (rf5, rf6, rf7, rf12):
        if tri.value is None and tri.missing:
            needed = needed | tri.missing
    if late_onset and months is None and gi_symptomatic.value is not False:
        needed = needed | RF_5_DURATION  # §10: defaulted for RF-5, still missing
    return RedFlagResult(
        list(compress(RED_FLAG_RECORDS, fired)),
        fired[-1],  # crisis: RF-12
        needed,
        # DQ-5: a GI red-flag answer is yes while every GI symptom question says no.
        gi_symptomatic.value is False and any(get(key) == "yes" for key in GI_RED_FLAG_KEYS),
        True in fired[:9],  # RF-1..RF-9: the alarm features of Rome IV
    )

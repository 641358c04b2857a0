"""Red flags RF-1..RF-12 (spec §9): practitioner review within one working day; RF-12 is also
a crisis. Red-flag answers always count, even when they contradict other answers."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answers
from .catalogue import URGENT_RECORDS
from .gut import GutPredicates, gi_onset_at_or_after
from .logic import FALSE, Tri, all_of, any_of, of

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
GI_ALARM_RULES = frozenset(f"RF-{n}" for n in range(1, 10))  # RF-1..RF-9: Rome IV alarm features


@dataclass(slots=True)
class RedFlagResult:
    reasons: list[dict[str, str]]  # shared, read-only records: Assessment.as_dict() copies
    crisis: bool
    needed: set[str]
    redflag_gi_conflict: bool
    gi_alarm: bool  # any of RF-1..RF-9: the alarm features of Rome IV


def _self_harm(answers: Answers) -> Tri:
    """RF-12. self_harm_thoughts is asked when the PHQ-9 is not used, so it is needed only then."""
    items = answers.get("phq9_items")
    if items is None:
        return answers.yes("self_harm_thoughts")
    asked = answers.yes("self_harm_thoughts")
    return any_of(of(items[8] >= 1), asked if asked.value is not None else FALSE)


def _anaemia(answers: Answers, gi_symptomatic: Tri, pregnant: bool) -> Tri:
    """RF-7: anemia_known and not pregnant_eff and (male or age >= 50 or gi_symptomatic)."""
    anaemia = answers.has_condition("anemia_known")
    if anaemia.value is False or pregnant:
        return FALSE  # the commonest case, without evaluating the rest
    return all_of(
        anaemia,
        any_of(
            of(answers.get("sex_at_birth") == "male"),
            of(answers.get("age_years") >= OLDER_ANAEMIA_AGE),
            gi_symptomatic,
        ),
    )


# RF-1..RF-12 in order. Most fire when any of a few answers is yes: their keys are listed.
# None marks the four that combine answers in other ways; evaluate_red_flags computes them.
RED_FLAGS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("RF-1", ("rectal_bleeding",)),
    ("RF-2", ("black_stools",)),
    ("RF-3", ("unintentional_weight_loss",)),
    ("RF-4", ("nocturnal_diarrhea",)),
    ("RF-5", None),
    ("RF-6", None),
    ("RF-7", None),
    ("RF-8", ("fever_with_gi",)),
    ("RF-9", ("persistent_vomiting", "dysphagia")),
    (
        "RF-10",
        (
            "leg_weakness_progressive",
            "saddle_numbness",
            "new_bladder_bowel_control_loss",
            "new_spreading_numbness",
        ),
    ),
    ("RF-11", ("unilateral_calf_swelling_pain",)),
    ("RF-12", None),
)


def evaluate_red_flags(answers: Answers, *, gut: GutPredicates, pregnant: bool) -> RedFlagResult:
    get = answers.get
    gi_symptomatic = gut.gi_symptomatic
    late_onset = gi_onset_at_or_after(answers, LATE_ONSET_AGE)  # T or F, never U
    combined = {
        "RF-5": gi_symptomatic if late_onset.value else FALSE,
        "RF-6": all_of(gi_symptomatic, answers.any_yes("fhx_crc", "fhx_ibd")),
        "RF-7": _anaemia(answers, gi_symptomatic, pregnant),
        "RF-12": _self_harm(answers),
    }
    # Each red flag stands alone: an unanswered question of a red flag that has not fired is
    # always needed.
    needed: set[str] = set()
    reasons = []
    gi_alarm = False
    for rule, keys in RED_FLAGS:
        if keys is None:
            tri = combined[rule]
            if tri.value is None:
                needed |= tri.missing
                continue
            fires = tri.value
        else:
            # any_of(yes(key) for key in keys), spelled out: "unsure" is neither yes nor
            # missing.
            fires = False
            unanswered = []
            for key in keys:
                value = get(key)
                if value == "yes":
                    fires = True
                    break
                if value is None:
                    unanswered.append(key)
            if not fires:
                needed.update(unanswered)
                continue
        if fires:
            reasons.append(URGENT_RECORDS[rule])
            if rule in GI_ALARM_RULES:
                gi_alarm = True
    return RedFlagResult(
        reasons=reasons,
        crisis=combined["RF-12"].value is True,
        needed=needed,
        # DQ-5: a GI red-flag answer is yes while every GI symptom question says no.
        redflag_gi_conflict=gi_symptomatic.value is False
        and any(get(key) == "yes" for key in GI_RED_FLAG_KEYS),
        gi_alarm=gi_alarm,
    )

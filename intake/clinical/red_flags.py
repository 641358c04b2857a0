"""Red flags RF-1..RF-12 (spec §9): practitioner review within one working day; RF-12 is also
a crisis. Red-flag answers always count, even when they contradict other answers."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answers
from .catalogue import URGENT_RECORDS
from .gut import GutPredicates, gi_onset_at_or_after
from .logic import FALSE, TRUE, Tri, all_of, any_of, of

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
    if items[8] >= 1:
        return TRUE
    # any_of(F, asked if answered else F): T only when the question is answered yes.
    return TRUE if answers.get("self_harm_thoughts") == "yes" else FALSE


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


def evaluate_red_flags(answers: Answers, *, gut: GutPredicates, pregnant: bool) -> RedFlagResult:
    yes, any_yes = answers.yes, answers.any_yes
    gi_symptomatic = gut.gi_symptomatic
    late_onset = gi_onset_at_or_after(answers, LATE_ONSET_AGE)  # T or F, never U
    rules = (  # RF-1..RF-12, in order
        ("RF-1", yes("rectal_bleeding")),
        ("RF-2", yes("black_stools")),
        ("RF-3", yes("unintentional_weight_loss")),
        ("RF-4", yes("nocturnal_diarrhea")),
        ("RF-5", gi_symptomatic if late_onset.value else FALSE),  # all_of(gi, late_onset)
        ("RF-6", all_of(gi_symptomatic, any_yes("fhx_crc", "fhx_ibd"))),
        ("RF-7", _anaemia(answers, gi_symptomatic, pregnant)),
        ("RF-8", yes("fever_with_gi")),
        ("RF-9", any_yes("persistent_vomiting", "dysphagia")),
        (
            "RF-10",
            any_yes(
                "leg_weakness_progressive",
                "saddle_numbness",
                "new_bladder_bowel_control_loss",
                "new_spreading_numbness",
            ),
        ),
        ("RF-11", yes("unilateral_calf_swelling_pain")),
        ("RF-12", _self_harm(answers)),
    )
    needed: set[str] = set()
    if (
        late_onset.value is True
        and answers.get("gi_symptom_duration_months") is None
        and gi_symptomatic.value is not False
    ):
        needed.add("gi_symptom_duration_months")  # §10: defaulted for RF-5, still missing
    reasons = []
    gi_alarm = False
    for rule, tri in rules:
        if tri.value is True:
            reasons.append(URGENT_RECORDS[rule])
            if rule in GI_ALARM_RULES:
                gi_alarm = True
        elif tri.value is None:
            # Each red flag stands alone: an unanswered red-flag question is always needed.
            needed |= tri.missing
    return RedFlagResult(
        reasons=reasons,
        crisis=rules[-1][1].value is True,  # RF-12
        needed=needed,
        # DQ-5: a GI red-flag answer is yes while every GI symptom question says no.
        redflag_gi_conflict=gi_symptomatic.value is False
        and any(answers.get(key) == "yes" for key in GI_RED_FLAG_KEYS),
        gi_alarm=gi_alarm,
    )

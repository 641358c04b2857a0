"""Red flags (spec §9): `urgent` (practitioner review within one working day; RF-U: contact
today), `emergency` (RF-10, RF-11, RF-13..RF-16: seek emergency care now) and `crisis` (RF-12).
Red-flag answers always count, even when they contradict other answers (safety first)."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answers
from .catalogue import fired
from .gut import GutPredicates
from .logic import FALSE, Tri, all_of, any_of, negate, of, true_because, unknown

LATE_ONSET_AGE = 50  # RF-5: new bowel symptoms at >= 50 (Rome IV; ACG 2021 uses 45)
OLDER_ANAEMIA_AGE = 50  # RF-7

# RF-10 and RF-11 (R3-14), RF-13..RF-16 (R3-15): emergencies.
RF_10_KEYS = (
    "leg_weakness_progressive",
    "saddle_numbness",
    "new_bladder_bowel_control_loss",
    "new_spreading_numbness",
)
EMERGENCY_RULE_KEYS = {
    "RF-10": RF_10_KEYS,
    "RF-11": ("unilateral_calf_swelling_pain",),
    "RF-13": ("vomiting_blood",),
    "RF-14": ("bleeding_now_or_faint",),
    "RF-15": ("clot_chest_symptoms",),
    "RF-16": ("vomiting_green_or_no_fluids",),
}
EMERGENCY_KEYS = tuple(key for keys in EMERGENCY_RULE_KEYS.values() for key in keys)
# R3-16: "Not sure" to one of these acts at once (RF-U).
CONTACT_TODAY_KEYS = (*EMERGENCY_KEYS, "self_harm_thoughts")
# The y/n/unsure trigger keys of RF-1..RF-4, RF-7..RF-16 and self_harm_thoughts ("red-flag
# items" of the Further rulings): always needed when asked and missing, listed when unsure.
RED_FLAG_ITEMS = (
    "rectal_bleeding",
    "black_stools",
    "unintentional_weight_loss",
    "nocturnal_diarrhea",
    "anemia_recent_unexplained",
    "fever_with_gi",
    "persistent_vomiting",
    "dysphagia",
    *EMERGENCY_KEYS,
    "self_harm_thoughts",
)
# DQ-5: the GI red-flag items (weight loss is not a GI symptom here).
GI_RED_FLAG_KEYS = (
    "rectal_bleeding",
    "black_stools",
    "nocturnal_diarrhea",
    "fever_with_gi",
    "persistent_vomiting",
    "dysphagia",
    "vomiting_blood",
    "bleeding_now_or_faint",
    "vomiting_green_or_no_fluids",
)
# §5.1 alarm features: the GI red flags.
ALARM_RULES = frozenset(
    {"RF-1", "RF-2", "RF-3", "RF-4", "RF-5", "RF-6", "RF-7", "RF-8", "RF-9"}
    | {"RF-13", "RF-14", "RF-16"}
)
EMERGENCY_RULES = frozenset(EMERGENCY_RULE_KEYS)
RULE_ORDER = tuple(f"RF-{n}" for n in range(1, 17))


@dataclass(slots=True)
class RedFlagResult:
    reasons: list[dict[str, object]]  # urgent.reasons: RF-1..RF-16 in order, then RF-U
    crisis: bool
    emergency: bool
    unsure_emergency: bool  # RF-U from an emergency item: EMERGENCY_ADVICE_TEXT now
    unsure_crisis: bool  # RF-U from self_harm_thoughts: crisis resources now
    gi_alarm: bool
    redflag_gi_conflict: bool  # DQ-5
    unsure_items: list[str]  # red-flag items answered "unsure" (R3-9)
    # Keys whose answer could still change urgent, emergency or crisis (needed, §10), before
    # the questionnaire's "asked when" is applied.
    needed: frozenset[str]


def is_asked_follow_up(key: str, answers: Answers) -> bool:
    """R3-15: RF-14/15/16 are asked only after a yes or not-sure to the item they follow."""
    follows = {
        "bleeding_now_or_faint": ("rectal_bleeding", "black_stools"),
        "clot_chest_symptoms": ("unilateral_calf_swelling_pain",),
        "vomiting_green_or_no_fluids": ("persistent_vomiting",),
    }.get(key)
    if follows is None:
        return True
    return any(answers.get(parent) in ("yes", "unsure") for parent in follows)


def _late_onset(answers: Answers, gi_symptomatic: Tri) -> tuple[Tri, bool]:
    """RF-5: gi_symptomatic and gi_onset_age = age - duration / 12 >= 50. With the duration
    unanswered, a patient aged >= 50 counts as a late onset (the safety default): returns the
    rule and whether that default made it fire."""
    age, months = answers.get("age_years"), answers.get("gi_symptom_duration_months")
    if months is None:
        if age < LATE_ONSET_AGE:
            return FALSE, False
        rule = all_of(gi_symptomatic, true_because("gi_symptom_duration_months", None))
        return rule, rule.is_true
    onset_age = age - months / 12
    if onset_age == int(onset_age):
        onset_age = int(onset_age)
    # Compared in whole months, to avoid rounding.
    late = of(age * 12 - months >= LATE_ONSET_AGE * 12, "gi_onset_age", onset_age)
    return all_of(gi_symptomatic, late), False


def _anaemia(answers: Answers, gi_symptomatic: Tri, pregnant: bool) -> Tri:
    """RF-7 (R3-17): recent unexplained anaemia, not pregnant, not explained by dialysis alone,
    in a man (or sex other), a patient aged >= 50, or one with gut symptoms.

    Its exclusions, like pregnant_eff (§3.1), hold only when the answers show them: a red flag
    is not withheld on a guess (safety first). An unanswered input behind an exclusion is
    needed instead (see evaluate_red_flags)."""
    sex, age = answers.get("sex_at_birth"), answers.get("age_years")
    explained_by_dialysis = answers.holds("conditions", "ckd_dialysis") and gi_symptomatic.is_false
    return all_of(
        answers.yes("anemia_recent_unexplained"),
        negate(of(pregnant or explained_by_dialysis)),
        any_of(
            of(sex in ("male", "other"), "sex_at_birth", sex),
            of(age >= OLDER_ANAEMIA_AGE, "age_years", age),
            gi_symptomatic,
        ),
    )


def _self_harm(answers: Answers) -> Tri:
    """RF-12: PHQ-9 item 9 >= 1, or thoughts of self-harm reported."""
    items = answers.get("phq9_items")
    item_9 = (
        unknown("phq9_items") if items is None else of(items[8] >= 1, "phq9_items[9]", items[8])
    )
    return any_of(item_9, answers.yes("self_harm_thoughts"))


def evaluate_red_flags(answers: Answers, *, gut: GutPredicates, pregnant: bool) -> RedFlagResult:
    yes = answers.yes
    gi_symptomatic = gut.gi_symptomatic
    rf5, rf5_defaulted = _late_onset(answers, gi_symptomatic)
    rf2 = yes("black_stools")
    if rf2.is_true and answers.holds("medications", "iron_supplement"):
        # R3-20: iron darkens stools; listed as context, it never suppresses RF-2.
        rf2 = Tri(True, because=(*rf2.because, ("medications", "iron_supplement")))
    rules: dict[str, Tri] = {
        "RF-1": yes("rectal_bleeding"),
        "RF-2": rf2,
        "RF-3": yes("unintentional_weight_loss"),
        "RF-4": yes("nocturnal_diarrhea"),
        "RF-5": rf5,
        "RF-6": all_of(gi_symptomatic, any_of(yes("fhx_crc"), yes("fhx_ibd"))),
        "RF-7": _anaemia(answers, gi_symptomatic, pregnant),
        "RF-8": yes("fever_with_gi"),
        "RF-9": any_of(yes("persistent_vomiting"), yes("dysphagia")),
        "RF-12": _self_harm(answers),
    }
    for rule_id, keys in EMERGENCY_RULE_KEYS.items():
        rules[rule_id] = any_of(*(yes(key) for key in keys))
    reasons = []
    for rule_id in RULE_ORDER:
        rule = rules[rule_id]
        if rule.is_true:
            tier = "P" if rule_id == "RF-5" and rf5_defaulted else None
            reasons.append(fired(rule_id, rule.because, tier=tier))
    fired_ids = {reason["rule"] for reason in reasons}
    unsure_contact = [key for key in CONTACT_TODAY_KEYS if answers.get(key) == "unsure"]
    if unsure_contact:
        reasons.append(fired("RF-U", tuple((key, "unsure") for key in unsure_contact)))
    crisis = "RF-12" in fired_ids
    emergency = not EMERGENCY_RULES.isdisjoint(fired_ids)

    # Needed (§10): an unanswered input of RF-5/6/7 matters only while nothing has made the
    # case urgent; the PHQ-9 (RF-12) while nothing has made it a crisis. (Red-flag items are
    # always needed: see quality.) RF-5's defaulted duration, or a missing pregnancy answer
    # behind RF-7, could undo the only red flag.
    needed: frozenset[str] = frozenset()
    urgent_by = [reason["rule"] for reason in reasons]
    if not urgent_by:
        for rule_id in ("RF-5", "RF-6", "RF-7"):
            needed = needed | rules[rule_id].missing
    elif urgent_by == ["RF-5"] and rf5_defaulted:
        needed = needed | {"gi_symptom_duration_months"}
    elif urgent_by == ["RF-7"]:
        if not answers.has("pregnant"):
            needed = needed | {"pregnant"}
        if not answers.has("conditions"):
            needed = needed | {"conditions"}
        elif answers.holds("conditions", "ckd_dialysis"):
            needed = needed | gi_symptomatic.missing
    if not crisis:
        needed = needed | rules["RF-12"].missing
    return RedFlagResult(
        reasons=reasons,
        crisis=crisis,
        emergency=emergency,
        unsure_emergency=any(key != "self_harm_thoughts" for key in unsure_contact),
        unsure_crisis="self_harm_thoughts" in unsure_contact,
        gi_alarm=not ALARM_RULES.isdisjoint(fired_ids),
        redflag_gi_conflict=gi_symptomatic.is_false
        and any(answers.get(key) == "yes" for key in GI_RED_FLAG_KEYS),
        unsure_items=[key for key in RED_FLAG_ITEMS if answers.get(key) == "unsure"],
        needed=needed,
    )

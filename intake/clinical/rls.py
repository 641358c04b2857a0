"""RLS / Willis-Ekbom disease (spec §4): IRLSSG 2012 criteria, course, significance, the
severity summary (RISS), the licensed IRLS score and the augmentation screen (AUG-1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .answers import MISSING, Answers
from .logic import FALSE, TRUE, UNSURE, Tri, any_of, of

DETAIL_KEYS = (
    "rls_c1_urge",
    "rls_c2_rest",
    "rls_c3_movement_relief",
    "rls_c4_evening",
    "leg_main_problem",
    "position_shift_relief",
)
# §4.2 C5: a main problem that describes a mimic fails criterion 5.
MIMIC_PROBLEMS = frozenset(
    {
        "cramp",
        "position_discomfort",
        "constant_numbness_burning",
        "joint_pain",
        "swelling_heaviness",
        "habit_tapping",
    }
)
# §4.2: coexisting mimics do not fail C5 ("solely"); the practitioner confirms.
COEXISTING_MIMIC_CONDITIONS = ("arthritis", "varicose_veins", "peripheral_neuropathy")
ONSET_GRADES = {"bedtime_only": 1, "evening": 2, "afternoon": 3, "morning_or_all_day": 4}
DOPAMINERGIC = ("dopamine_agonist", "levodopa")
AUG_EARLIER_ONSET_HOURS = 2  # AUG-1: symptoms start >= 2 h earlier (MPI criteria)


@dataclass(slots=True)
class RlsResult:
    status: str  # met | not_met | incomplete | not_assessed
    criteria: dict[str, str]
    failed: list[str]
    unknown: list[str]
    course: str | None = None
    clinically_significant: bool | None = None
    riss: dict[str, object] = field(default_factory=dict)
    irls: dict[str, object] = field(default_factory=dict)
    augmentation_suspected: bool = False
    screen_detail_conflict: bool = False
    met: Tri = UNSURE  # rls_status == met, as a Tri, for the flags that depend on it
    needed: frozenset[str] = frozenset()


# Shared, read-only outputs: Assessment.as_dict() copies the dicts and lists of a result.
ALL_CRITERIA_UNKNOWN = {name: "U" for name in ("C1", "C2", "C3", "C4", "C5")}
NO_RISS = {"days_per_week": None, "onset_grade": None, "impact": None}
NO_IRLS = {"total": None, "band": None}
DETAIL_KEY_SET = frozenset(DETAIL_KEYS)
# §4.2 C1-C4: the letter of each answer; unanswered is U. For C3 and C4, relief or the evening
# pattern may have faded in very severe RLS, but it counts when it was present earlier (IRLSSG
# 2012): "previously_yes_now_constant" is T. (C1 and C2 have no such answer.)
CRITERION_LETTERS = {"yes": "T", "previously_yes_now_constant": "T", "no": "F", "unsure": "U"}


def irls_band(total: int) -> str:
    # IRLS bands (IRLSSG 2003): 0 none; 1-10 mild; 11-20 moderate; 21-30 severe; 31-40 very severe.
    if total == 0:
        return "none"
    if total <= 10:
        return "mild"
    if total <= 20:
        return "moderate"
    if total <= 30:
        return "severe"
    return "very_severe"


IRLS_BANDS = tuple(irls_band(total) for total in range(41))  # irls_band(total), looked up


def _irls(answers: Answers, licensed: bool) -> dict[str, object]:
    items = answers.get("irls_items")
    if not licensed or items is None:
        return NO_IRLS
    if None in items:
        return {"total": None, "band": "incomplete"}  # bands only when all 10 are answered
    total = sum(items)
    return {"total": total, "band": IRLS_BANDS[total]}


def augmentation(answers: Answers) -> Tri:
    """AUG-1: on a dopaminergic drug and any sign of augmentation (not urgent)."""
    medications = answers.get("medications")  # answers.takes(*DOPAMINERGIC), spelled out
    if medications is None:
        return MISSING["medications"]
    if medications.isdisjoint(DOPAMINERGIC):
        # The augmentation questions are asked only of patients on these drugs.
        return FALSE
    hours = answers.get("aug_earlier_onset_hours")
    earlier_onset = (
        MISSING["aug_earlier_onset_hours"]
        if hours is None
        else of(hours >= AUG_EARLIER_ONSET_HOURS)
    )
    return any_of(
        earlier_onset,
        answers.yes("aug_spread_to_arms"),
        answers.yes("aug_dose_escalation_or_shorter_relief"),
    )


def _course(answers: Answers) -> tuple[str, frozenset[str]]:
    freq = answers.get("rls_freq")
    if freq == "ge_2_per_week":
        return "chronic_persistent", frozenset()
    if freq == "lt_2_per_week":
        lifetime = answers.yes("rls_lifetime_episodes_ge5")
        return ("intermittent" if lifetime.is_true else "unclassified"), lifetime.missing
    return "unclassified", frozenset({"rls_freq"})


def _significance(answers: Answers) -> tuple[bool | None, frozenset[str]]:
    impact = answers.get("rls_impact_level")
    if impact is None:
        return None, frozenset({"rls_impact_level"})
    return impact in ("moderate", "severe"), frozenset()


def assess(answers: Answers, *, assessed: bool, irls_licensed: bool) -> RlsResult:
    aug_screen = augmentation(answers)
    aug = aug_screen.value is True
    if not assessed:
        return RlsResult(  # positional, in the order of the fields: cheaper than keywords
            "not_assessed",
            ALL_CRITERIA_UNKNOWN,
            [],  # failed
            [],  # unknown
            None,  # course
            None,  # clinically_significant
            NO_RISS,
            NO_IRLS,
            aug,
            False,  # screen_detail_conflict
            FALSE,  # met
            frozenset(),  # needed
        )

    get = answers.get
    riss = {  # RISS (§4.5): three descriptors, never summed
        "days_per_week": get("rls_days_per_week"),
        "onset_grade": ONSET_GRADES.get(get("rls_onset_time")),  # None when unanswered
        "impact": get("rls_impact_level"),
    }
    irls = _irls(answers, irls_licensed)
    screen_negative = get("rls_screen") == "no"
    if screen_negative and DETAIL_KEY_SET.isdisjoint(answers.answered):
        # §4.2 screen gate: a negative screen with no details is not_met, nothing unknown.
        return RlsResult(
            "not_met",
            ALL_CRITERIA_UNKNOWN,
            ["screen_negative"],  # failed
            [],  # unknown
            None,  # course
            None,  # clinically_significant
            riss,
            irls,
            aug,
            False,  # screen_detail_conflict
            FALSE,  # met
            aug_screen.missing,  # needed
        )

    problem, shift = get("leg_main_problem"), get("position_shift_relief")
    letters = {  # §4.2 RLS-DX, T / F / U per criterion
        "C1": CRITERION_LETTERS.get(get("rls_c1_urge"), "U"),  # urge to move
        "C2": CRITERION_LETTERS.get(get("rls_c2_rest"), "U"),  # begins or worsens at rest
        "C3": CRITERION_LETTERS.get(get("rls_c3_movement_relief"), "U"),  # relieved by movement
        "C4": CRITERION_LETTERS.get(get("rls_c4_evening"), "U"),  # worse in the evening or night
        # C5, not solely a mimic: F for a mimic's main problem, or relief by one change of
        # position; T for an urge to move that one change of position does not relieve.
        "C5": "F"
        if problem in MIMIC_PROBLEMS or shift == "yes"
        else "T"
        if problem == "urge_to_move" and shift == "no"
        else "U",
    }
    failed, unknown = [], []
    for name, letter in letters.items():
        if letter == "F":
            failed.append(name)
        elif letter == "U":
            unknown.append(name)
    if failed:
        status, met = "not_met", FALSE
    elif unknown:
        # With no criterion F, each unanswered detail question leaves one undecided: the U of
        # all_of(C1..C5) carries exactly those keys.
        status = "incomplete"
        open_keys = DETAIL_KEY_SET.difference(answers.answered)
        met = Tri(None, open_keys) if open_keys else UNSURE
    else:
        status, met = "met", TRUE
    result = RlsResult(
        status,
        letters,
        failed,
        unknown,
        None,  # course, below
        None,  # clinically_significant, below
        riss,
        irls,
        aug,
        screen_negative,  # screen_detail_conflict, DQ-1: the details decide
        met,
        met.missing | aug_screen.missing,  # needed
    )
    if status == "met":
        # §4.3 specifiers, only when met.
        result.course, course_needed = _course(answers)
        result.clinically_significant, significance_needed = _significance(answers)
        result.needed = result.needed | course_needed | significance_needed
    return result


def coexisting_mimics(answers: Answers) -> list[str]:
    conditions = answers.get("conditions") or frozenset()
    return [key for key in COEXISTING_MIMIC_CONDITIONS if key in conditions]

"""RLS / Willis-Ekbom disease (spec §4): IRLSSG 2012 criteria, course, significance, the
severity summary (RISS), the licensed IRLS score and the augmentation screen (AUG-1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .answers import MISSING, Answers
from .logic import FALSE, TRUE, UNSURE, Tri, all_of, any_of, of

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
LEG_MAIN_PROBLEM = frozenset({"leg_main_problem"})


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

    def as_dict(self) -> dict[str, object]:
        """The §11 rls dict, with new dicts and lists on every call (this result's may be
        shared, see below)."""
        return {
            "status": self.status,
            "criteria": self.criteria.copy(),
            "failed": self.failed.copy(),
            "unknown": self.unknown.copy(),
            "course": self.course,
            "clinically_significant": self.clinically_significant,
            "riss": self.riss.copy(),
            "irls": self.irls.copy(),
            "augmentation_suspected": self.augmentation_suspected,
        }


# Shared, read-only outputs (see RlsResult.as_dict).
ALL_CRITERIA_UNKNOWN = {name: "U" for name in ("C1", "C2", "C3", "C4", "C5")}
NO_RISS = {"days_per_week": None, "onset_grade": None, "impact": None}
NO_IRLS = {"total": None, "band": None}
SYMBOLS = {True: "T", False: "F", None: "U"}  # Tri.value -> the letter of the output schema
STATUSES = {True: "met", False: "not_met", None: "incomplete"}  # all_of(criteria).value -> status


def _c34(answers: Answers, key: str) -> Tri:
    # C3/C4: relief or the evening pattern may have faded in very severe RLS, but it counts
    # when it was present earlier (IRLSSG 2012).
    value = answers.get(key)
    if value in ("yes", "previously_yes_now_constant"):
        return TRUE
    if value == "no":
        return FALSE
    return MISSING[key] if value is None else UNSURE


def _c5(answers: Answers) -> Tri:
    problem = answers.get("leg_main_problem")
    shift = answers.yes("position_shift_relief")
    if problem in MIMIC_PROBLEMS or shift.value is True:
        return FALSE
    if problem == "urge_to_move" and shift.value is False:
        return TRUE
    if problem is not None:
        return shift if shift.value is None else UNSURE  # U, open only on the shift answer
    open_keys = shift.missing | LEG_MAIN_PROBLEM
    return Tri(None, open_keys)


def criteria(answers: Answers) -> dict[str, Tri]:
    return {
        "C1": answers.yes("rls_c1_urge"),
        "C2": answers.yes("rls_c2_rest"),
        "C3": _c34(answers, "rls_c3_movement_relief"),
        "C4": _c34(answers, "rls_c4_evening"),
        "C5": _c5(answers),
    }


def _riss(answers: Answers) -> dict[str, object]:
    get = answers.get
    return {
        "days_per_week": get("rls_days_per_week"),
        "onset_grade": ONSET_GRADES.get(get("rls_onset_time")),  # None when unanswered
        "impact": get("rls_impact_level"),
    }


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


def _irls(answers: Answers, licensed: bool) -> dict[str, object]:
    items = answers.get("irls_items")
    if not licensed or items is None:
        return NO_IRLS
    if None in items:
        return {"total": None, "band": "incomplete"}  # bands only when all 10 are answered
    total = sum(items)
    return {"total": total, "band": irls_band(total)}


def augmentation(answers: Answers) -> Tri:
    """AUG-1: on a dopaminergic drug and any sign of augmentation (not urgent)."""
    on_dopaminergic = answers.takes(*DOPAMINERGIC)
    if on_dopaminergic.value is not True:
        # The augmentation questions are asked only of patients on these drugs.
        return on_dopaminergic
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
        return RlsResult(
            status="not_assessed",
            criteria=ALL_CRITERIA_UNKNOWN,
            failed=[],
            unknown=[],
            riss=NO_RISS,
            irls=NO_IRLS,
            augmentation_suspected=aug,
            met=FALSE,
        )

    riss = _riss(answers)
    irls = _irls(answers, irls_licensed)
    screen_negative = answers.get("rls_screen") == "no"
    if screen_negative and not any(answers.has(key) for key in DETAIL_KEYS):
        # §4.2 screen gate: a negative screen with no details is not_met, nothing unknown.
        return RlsResult(
            status="not_met",
            criteria=ALL_CRITERIA_UNKNOWN,
            failed=["screen_negative"],
            unknown=[],
            riss=riss,
            irls=irls,
            augmentation_suspected=aug,
            met=FALSE,
            needed=aug_screen.missing,
        )

    results = criteria(answers)
    met = all_of(*results.values())
    status = STATUSES[met.value]
    letters, failed, unknown = {}, [], []
    for name, tri in results.items():
        value = tri.value
        letters[name] = SYMBOLS[value]
        if value is False:
            failed.append(name)
        elif value is None:
            unknown.append(name)
    result = RlsResult(
        status=status,
        criteria=letters,
        failed=failed,
        unknown=unknown,
        riss=riss,
        irls=irls,
        augmentation_suspected=aug,
        screen_detail_conflict=screen_negative,  # DQ-1: the details decide
        met=met,
        needed=met.missing | aug_screen.missing,
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

"""RLS / Willis-Ekbom disease (spec §4): IRLSSG 2012 criteria, course, significance, the
severity summary (RISS), the licensed IRLS score, the augmentation screen (AUG-1) and the
cautions a practitioner must weigh (R3-5, R3-25)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .answers import Answers
from .logic import FALSE, Tri, true_because, unknown

DETAIL_KEYS = (
    "rls_c1_urge",
    "rls_c2_rest",
    "rls_c3_movement_relief",
    "rls_c4_evening",
    "leg_main_problem",
    "position_shift_relief",
)
CRITERIA = ("C1", "C2", "C3", "C4", "C5")
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
# §4.2 C1-C4: the letter of each answer; unanswered is U. For C3 and C4, relief or the evening
# pattern may have faded in very severe RLS, but it counts when it was present earlier (IRLSSG
# 2012): "previously_yes_now_constant" is T.
CRITERION_LETTERS = {"yes": "T", "previously_yes_now_constant": "T", "no": "F", "unsure": "U"}
ONSET_GRADES = {"bedtime_only": 1, "evening": 2, "afternoon": 3, "morning_or_all_day": 4}
# R3-19: AUG-1 and the augmentation questions follow what is taken FOR RLS, so a Parkinson's
# patient on levodopa for Parkinson's is not screened for RLS augmentation.
DOPAMINERGIC = frozenset({"dopamine_agonist", "levodopa"})
AUG_EARLIER_ONSET_HOURS = 2  # AUG-1: symptoms start >= 2 h earlier (MPI criteria)
# R3-5: akathisia from a dopamine blocker is the mimic the questions cannot separate.
AKATHISIA_MEDICATIONS = frozenset({"antipsychotic", "antiemetic_dopamine_antagonist"})
AKATHISIA_TEXT = (
    "Akathisia from this medicine can look like RLS: restlessness of the whole body, less tied "
    "to evening or rest — practitioner to confirm"
)
# R3-5, R3-25: coexisting mimics do not fail C5 ("solely"); each is a caution of its own.
COEXISTING_MIMIC_CONDITIONS = {
    "arthritis": "Arthritis",
    "rheumatoid_arthritis": "Rheumatoid arthritis",
    "varicose_veins": "Varicose veins",
    "peripheral_neuropathy": "Peripheral neuropathy",
}
MIMIC_TEXT = (
    "{condition} can cause leg symptoms like RLS; the criteria require that it does not fully "
    "explain them — practitioner to confirm"
)
ALL_CRITERIA_UNKNOWN = dict.fromkeys(CRITERIA, "U")
NO_RISS = {"days_per_week": None, "onset_grade": None, "impact": None}
NO_IRLS = {"total": None, "band": None}


@dataclass(slots=True)
class RlsResult:
    status: str  # met | not_met | incomplete | not_assessed
    criteria: dict[str, str] = field(default_factory=lambda: dict(ALL_CRITERIA_UNKNOWN))
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    course: str | None = None
    clinically_significant: bool | None = None
    riss: dict[str, object] = field(default_factory=lambda: dict(NO_RISS))
    irls: dict[str, object] = field(default_factory=lambda: dict(NO_IRLS))
    augmentation_suspected: bool = False
    cautions: list[dict[str, str]] = field(default_factory=list)
    screen_detail_conflict: bool = False  # DQ-1
    # rls.status == met as a Tri, for the rules that depend on it: T listing the status, F, or
    # U carrying the detail answers still needed.
    met: Tri = FALSE
    needed: frozenset[str] = frozenset()


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
        return dict(NO_IRLS)
    if None in items:
        return {"total": None, "band": "incomplete"}  # bands only when all 10 are answered
    total = sum(items)
    return {"total": total, "band": irls_band(total)}


def augmentation_suspected(answers: Answers) -> bool:
    """AUG-1: a dopamine agonist or levodopa taken for RLS, and any sign of augmentation."""
    if DOPAMINERGIC.isdisjoint(answers.get("rls_treatment_meds") or ()):
        return False
    hours = answers.get("aug_earlier_onset_hours")
    return (
        (hours is not None and hours >= AUG_EARLIER_ONSET_HOURS)
        or answers.get("aug_spread_to_arms") == "yes"
        or answers.get("aug_dose_escalation_or_shorter_relief") == "yes"
    )


def _c5(answers: Answers) -> str:
    """C5, not solely a mimic: F for a mimic's main problem, or relief by one change of
    position; T for an urge to move that one change of position does not relieve."""
    problem, shift = answers.get("leg_main_problem"), answers.get("position_shift_relief")
    if problem in MIMIC_PROBLEMS or shift == "yes":
        return "F"
    if problem == "urge_to_move" and shift == "no":
        return "T"
    return "U"


def cautions(answers: Answers) -> list[dict[str, str]]:
    """R3-5, R3-25: shown when RLS is met or incomplete; they change no status and no flag."""
    found = []
    if not AKATHISIA_MEDICATIONS.isdisjoint(answers.get("medications") or ()):
        found.append({"id": "possible_akathisia", "text": AKATHISIA_TEXT})
    conditions = answers.get("conditions") or ()
    for key, label in COEXISTING_MIMIC_CONDITIONS.items():
        if key in conditions:
            text = MIMIC_TEXT.format(condition=label)
            found.append({"id": "coexisting_mimic", "condition": key, "text": text})
    return found


def _course(answers: Answers) -> str:
    freq = answers.get("rls_freq")
    if freq == "ge_2_per_week":
        return "chronic_persistent"
    if freq == "lt_2_per_week" and answers.get("rls_lifetime_episodes_ge5") == "yes":
        return "intermittent"
    return "unclassified"


def _significance(answers: Answers) -> bool | None:
    impact = answers.get("rls_impact_level")
    return None if impact is None else impact in ("moderate", "severe")


def assess(answers: Answers, *, assessed: bool, irls_licensed: bool) -> RlsResult:
    aug = augmentation_suspected(answers)
    if not assessed:
        return RlsResult("not_assessed", augmentation_suspected=aug)

    get = answers.get
    riss = {  # RISS (§4.5): three descriptors, never summed
        "days_per_week": get("rls_days_per_week"),
        "onset_grade": ONSET_GRADES.get(get("rls_onset_time")),
        "impact": get("rls_impact_level"),
    }
    irls = _irls(answers, irls_licensed)
    screen = get("rls_screen")
    treated = get("rls_on_treatment") == "yes"
    any_detail = any(answers.has(key) for key in DETAIL_KEYS)
    # §4.2 screen gate (R3-19): a treated patient answers the screen for the legs without
    # treatment, so a "no" never gates them.
    gated = screen == "no" and not treated
    # Without any detail answer, the screen and the treatment question decide between the
    # gate (not_met) and incomplete: each is needed while unanswered and the other leaves the
    # gate possible.
    gate_keys = frozenset()
    if not any_detail:
        if screen is None and not treated:
            gate_keys = gate_keys | {"rls_screen"}
        if screen in (None, "no") and not answers.has("rls_on_treatment"):
            gate_keys = gate_keys | {"rls_on_treatment"}
    if gated and not any_detail:
        return RlsResult(
            "not_met",
            failed=["screen_negative"],
            riss=riss,
            irls=irls,
            augmentation_suspected=aug,
            met=FALSE,
            needed=gate_keys,
        )

    letters = {
        "C1": CRITERION_LETTERS.get(get("rls_c1_urge"), "U"),  # urge to move
        "C2": CRITERION_LETTERS.get(get("rls_c2_rest"), "U"),  # begins or worsens at rest
        "C3": CRITERION_LETTERS.get(get("rls_c3_movement_relief"), "U"),  # relieved by movement
        "C4": CRITERION_LETTERS.get(get("rls_c4_evening"), "U"),  # worse in the evening/night
        "C5": _c5(answers),  # not solely a mimic
    }
    failed = [name for name in CRITERIA if letters[name] == "F"]
    open_criteria = [name for name in CRITERIA if letters[name] == "U"]
    needed: frozenset[str] = frozenset()
    if failed:
        status, met = "not_met", FALSE
    elif open_criteria:
        status = "incomplete"
        # Each unanswered detail can still fail or meet its criterion. They are asked (and so
        # needed) unless the gate holds, where the answers given decide (DQ-1).
        if not gated:
            needed = frozenset(key for key in DETAIL_KEYS if not answers.has(key))
        met = unknown(*needed)
        needed = needed | gate_keys
    else:
        status, met = "met", true_because("rls.status", "met")
    return RlsResult(
        status,
        criteria=letters,
        failed=failed,
        unknown=open_criteria,
        course=_course(answers) if status == "met" else None,
        clinically_significant=_significance(answers) if status == "met" else None,
        riss=riss,
        irls=irls,
        augmentation_suspected=aug,
        cautions=cautions(answers) if status in ("met", "incomplete") else [],
        screen_detail_conflict=gated,  # DQ-1: the details decide despite the "no" screen
        met=met,
        needed=needed,
    )

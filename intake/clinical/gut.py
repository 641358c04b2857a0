"""Gut (spec §3.2, §5): Rome IV IBS for adults and children, subtype, IBS-SSS, and the gut
predicates the test flags and red flags use."""

from __future__ import annotations

from dataclasses import dataclass, field

from .answers import Answers
from .logic import FALSE, TRUE, UNSURE, Tri, all_of, any_of, derived, of, true_because, unknown

ASSOCIATION_KEYS = (
    "pain_related_to_bm",
    "pain_with_stool_freq_change",
    "pain_with_stool_form_change",
)
IBS_SSS_KEYS = (
    "ibssss_pain_severity",
    "ibssss_distension",
    "ibssss_bowel_dissatisfaction",
    "ibssss_life_interference",
)
ADULT_MIN_DURATION_MONTHS = 6  # Rome IV: onset >= 6 months before diagnosis
PEDIATRIC_MIN_DURATION_MONTHS = 2  # Rome IV child/adolescent: >= 2 months
STOOL_SPLIT_PCT = 25  # Rome IV subtype: > 25% of abnormal bowel movements
SUBTYPE_MEDICATION_CAVEAT = "Subtype may be distorted by medication (laxatives or antidiarrhoeals)."
ALARM_MESSAGE = (
    "Rome IV symptom criteria met; alarm features present: organic disease must be excluded first."
)
TREAT_CONSTIPATION_FIRST = "treat_constipation_first"  # R3-3, an ibs.notes token
STATUSES = {True: "met", False: "not_met", None: "incomplete"}


@dataclass(slots=True)
class IbsResult:
    status: str  # met | not_met | incomplete | not_assessed
    variant: str  # adult | pediatric
    subtype: str | None = None
    met: Tri = FALSE  # ibs.status == met: T listing the status, F, or U with missing keys
    needed: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)
    pain_feature_conflict: bool = False  # DQ-4
    stool_pct_conflict: bool = False  # DQ-3
    subtype_caveat: str | None = None


def _pain_feature_conflict(answers: Answers) -> bool:
    """DQ-4: pain 'never' but an association is yes (pain frequency decides: P = F)."""
    return answers.get("abd_pain_freq") == "never" and any(
        answers.get(key) == "yes" for key in ASSOCIATION_KEYS
    )


def _associations_adult(answers: Answers) -> Tri:
    # A: >= 2 of the three associations are yes; F when even every open one could not reach 2.
    yes_terms = [answers.yes(key) for key in ASSOCIATION_KEYS]
    yes_count = sum(term.is_true for term in yes_terms)
    open_terms = [term for term in yes_terms if term.is_open]
    if yes_count >= 2:
        return TRUE
    if yes_count + len(open_terms) < 2:
        return FALSE
    return any_of(*open_terms)  # U with the unanswered ones


def _duration(answers: Answers, minimum_months: int) -> Tri:
    months = answers.get("gi_symptom_duration_months")
    if months is None:
        return unknown("gi_symptom_duration_months")
    return of(months >= minimum_months)


def _pediatric_x(answers: Answers) -> Tri:
    """X (§5.2, R3-3, R3-22): in a child with constipation the pain must not go away when the
    constipation is treated; if it does, this is functional constipation, not IBS."""
    value = answers.get("pain_resolves_with_constipation_treatment")
    if value == "yes":
        return FALSE
    if value in ("no", "no_constipation"):
        return TRUE
    if value == "not_treated_yet":
        return UNSURE  # an answer, never missing: Rome IV asks once it has been treated
    constipation = answers.get("constipation_4wk")
    if constipation == "no":
        return TRUE
    keys = ["pain_resolves_with_constipation_treatment"]
    if constipation is None:
        keys.append("constipation_4wk")
    return unknown(*keys)


def classify_subtype(answers: Answers) -> tuple[str, frozenset[str]]:
    """Rome IV subtype from % hard (Bristol 1-2) and % loose (6-7) stools, whatever the IBS
    status, and the missing keys that left it undetermined."""
    hard, loose = answers.get("pct_bm_hard"), answers.get("pct_bm_loose")
    if hard is None or loose is None:
        missing = [key for key in ("pct_bm_hard", "pct_bm_loose") if not answers.has(key)]
        return "undetermined", frozenset(missing)
    if hard + loose > 100:
        return "undetermined", frozenset()  # DQ-3
    split = STOOL_SPLIT_PCT
    if hard > split and loose < split:
        return "IBS-C", frozenset()
    if loose > split and hard < split:
        return "IBS-D", frozenset()
    if hard > split and loose > split:
        return "IBS-M", frozenset()
    return "IBS-U", frozenset()


def assess_ibs(answers: Answers, *, assessed: bool, pediatric: bool) -> IbsResult:
    variant = "pediatric" if pediatric else "adult"
    hard, loose = answers.get("pct_bm_hard"), answers.get("pct_bm_loose")
    conflicts = {
        "pain_feature_conflict": _pain_feature_conflict(answers),
        "stool_pct_conflict": hard is not None and loose is not None and hard + loose > 100,
    }
    if not assessed:
        return IbsResult("not_assessed", variant, **conflicts)

    pain = answers.weekly("abd_pain_freq")  # P: pain weekly+
    notes = []
    if pediatric:
        x = _pediatric_x(answers)
        if answers.get("pain_resolves_with_constipation_treatment") == "not_treated_yet":
            notes.append(TREAT_CONSTIPATION_FIRST)
        criteria = (
            pain,
            _any_association(answers),  # A: at least one association is yes
            _duration(answers, PEDIATRIC_MIN_DURATION_MONTHS),
            x,
        )
    else:
        criteria = (
            pain,
            _associations_adult(answers),
            _duration(answers, ADULT_MIN_DURATION_MONTHS),
        )
    overall = all_of(*criteria)
    status = STATUSES[overall.value]
    result = IbsResult(status, variant, notes=notes, **conflicts)
    if status == "met":
        result.subtype, subtype_missing = classify_subtype(answers)
        result.met = true_because("ibs.status", "met")
        result.needed = subtype_missing
        if answers.get("bowel_meds_current") == "yes":
            result.subtype_caveat = SUBTYPE_MEDICATION_CAVEAT
    elif status == "incomplete":
        result.met = overall
        result.needed = overall.missing
    return result


def _any_association(answers: Answers) -> Tri:
    """Pediatric A: at least one association yes; F only when all three are no."""
    terms = [answers.yes(key) for key in ASSOCIATION_KEYS]
    if any(term.is_true for term in terms):
        return TRUE
    return any_of(*terms)


def ibs_sss(answers: Answers, *, assessed: bool) -> dict[str, object]:
    """IBS-SSS (Francis 1997): five items of up to 100 points; only when all five are present,
    and never below MIN_AGE (R3-12)."""
    values = [answers.get(key) for key in IBS_SSS_KEYS]
    days = answers.get("ibssss_pain_days_of_10")
    if not assessed or days is None or None in values:
        return {"total": None, "band": None}
    total = sum(values) + days * 10
    # Band edges are the app's convention for the paper's overlapping ranges (spec §5.4).
    if total < 75:
        band = "remission"
    elif total < 175:
        band = "mild"
    elif total <= 300:
        band = "moderate"
    else:
        band = "severe"
    return {"total": total, "band": band}


@dataclass(slots=True)
class GutPredicates:
    gi_symptomatic: Tri
    sibo_symptoms: Tri
    chronic_diarrhea: Tri
    chronic_constipation: Tri
    # The answers they are made of that the test flags use too.
    pain_weekly: Tri
    bloating_weekly: Tri
    loose_stools: Tri


def _ibs_subtype_in(answers: Answers, ibs: IbsResult, subtypes: tuple[str, ...]) -> Tri:
    """ibs.status == met and subtype in `subtypes`. The subtype is read from the stool answers
    even while IBS is undecided, so that a subtype outside `subtypes` settles it at once."""
    subtype, missing = classify_subtype(answers)
    if subtype == "undetermined":
        in_subtypes = Tri(None, missing)
    else:
        in_subtypes = of(subtype in subtypes, "ibs.subtype", subtype)
    return all_of(ibs.met, in_subtypes)


def predicates(answers: Answers, ibs: IbsResult) -> GutPredicates:
    """§3.2, each named predicate listing its own reasons when true (R3-24)."""
    pain = answers.weekly("abd_pain_freq")
    bloating = answers.weekly("bloating_freq")
    gas = answers.weekly("gas_freq")
    loose = answers.yes("loose_stools_4wk")
    constipation = answers.yes("constipation_4wk")
    return GutPredicates(
        gi_symptomatic=derived("gi_symptomatic", any_of(pain, bloating, gas, loose, constipation)),
        # ACG 2020's SIBO symptom list: pain, gas, bloating, diarrhoea.
        sibo_symptoms=derived("sibo_symptoms", any_of(pain, bloating, gas, loose)),
        chronic_diarrhea=derived(
            "chronic_diarrhea", any_of(loose, _ibs_subtype_in(answers, ibs, ("IBS-D", "IBS-M")))
        ),
        chronic_constipation=derived(
            "chronic_constipation",
            any_of(constipation, _ibs_subtype_in(answers, ibs, ("IBS-C", "IBS-M"))),
        ),
        pain_weekly=pain,
        bloating_weekly=bloating,
        loose_stools=loose,
    )

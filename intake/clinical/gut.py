"""Gut (spec §3.2, §5): Rome IV IBS for adults and children, subtype, IBS-SSS, and the gut
predicates the test flags and red flags use."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import MISSING, WEEKLY_TRI, Answers
from .logic import FALSE, TRUE, UNSURE, Tri, all_of, any_of, either, of

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
STATUSES = {True: "met", False: "not_met", None: "incomplete"}  # all_of(criteria).value
ALARM_MESSAGE = (
    "Rome IV symptom criteria met; alarm features present: organic disease must be excluded first."
)


@dataclass(slots=True)
class IbsResult:
    status: str  # met | not_met | incomplete | not_assessed
    variant: str  # adult | pediatric
    subtype: str | None
    met: Tri
    needed: frozenset[str]
    pain_feature_conflict: bool
    stool_pct_conflict: bool
    subtype_caveat: str | None
    pain_weekly: Tri  # P, which the gut predicates use too


def _pain_feature_conflict(answers: Answers) -> bool:
    """DQ-4: pain 'never' but an association is yes."""
    if answers.get("abd_pain_freq") != "never":
        return False
    for key in ASSOCIATION_KEYS:
        if answers.get(key) == "yes":
            return True
    return False


def _associations_adult(answers: Answers) -> Tri:
    # A: >= 2 of the three associations are yes; F when even every open one could not reach 2.
    yes_count = open_count = 0
    missing: frozenset[str] = frozenset()
    for key in ASSOCIATION_KEYS:
        value = answers.get(key)  # answers.yes(key), spelled out
        if value == "yes":
            yes_count += 1
        elif value != "no":
            open_count += 1  # "unsure", or unanswered and so missing
            if value is None:
                missing = missing | MISSING[key].missing
    if yes_count >= 2:
        return TRUE
    if yes_count + open_count < 2:
        return FALSE
    return Tri(None, missing) if missing else UNSURE


def _duration(answers: Answers, minimum_months: int) -> Tri:
    months = answers.get("gi_symptom_duration_months")
    if months is None:
        return MISSING["gi_symptom_duration_months"]
    return of(months >= minimum_months)


def _pediatric_x(answers: Answers) -> Tri:
    # X: in a child with constipation the pain must not go away when constipation is treated;
    # if it does, this is functional constipation, not IBS.
    value = answers.get("pain_resolves_with_constipation_treatment")
    if value == "yes":
        return FALSE
    if value in ("no", "no_constipation"):
        return TRUE
    if value == "not_treated_yet":
        return UNSURE
    if answers.get("constipation_4wk") == "yes":
        return MISSING["pain_resolves_with_constipation_treatment"]
    return TRUE


def subtype(answers: Answers) -> tuple[str, bool, frozenset[str]]:
    """Rome IV subtype from % hard (Bristol 1-2) and % loose (6-7) stools.

    Returns the subtype, the DQ-3 conflict, and the missing keys that left it undetermined.
    """
    hard, loose = answers.get("pct_bm_hard"), answers.get("pct_bm_loose")
    if hard is None or loose is None:
        missing = frozenset(
            k for k, v in (("pct_bm_hard", hard), ("pct_bm_loose", loose)) if v is None
        )
        return "undetermined", False, missing
    if hard + loose > 100:
        return "undetermined", True, frozenset()
    split = STOOL_SPLIT_PCT
    if hard > split and loose < split:
        return "IBS-C", False, frozenset()
    if loose > split and hard < split:
        return "IBS-D", False, frozenset()
    if hard > split and loose > split:
        return "IBS-M", False, frozenset()
    return "IBS-U", False, frozenset()


def assess_ibs(answers: Answers, *, assessed: bool, pediatric: bool) -> IbsResult:
    get = answers.get
    variant = "pediatric" if pediatric else "adult"
    pain_freq = get("abd_pain_freq")
    pain = MISSING["abd_pain_freq"] if pain_freq is None else WEEKLY_TRI[pain_freq]  # P: weekly+
    pain_conflict = pain_freq == "never" and _pain_feature_conflict(answers)
    hard, loose = get("pct_bm_hard"), get("pct_bm_loose")
    stool_conflict = hard is not None and loose is not None and hard + loose > 100
    if not assessed:
        return IbsResult(
            "not_assessed",
            variant,
            None,
            FALSE,
            frozenset(),
            pain_conflict,
            stool_conflict,
            None,
            pain,
        )

    # all_of(P, A, D[, X]): the criteria as in the Rome IV order.
    if pain.value is False:
        met = FALSE  # all_of() is F whatever the other criteria are
    elif pediatric:
        met = all_of(
            pain,
            answers.any_yes(*ASSOCIATION_KEYS),
            _duration(answers, PEDIATRIC_MIN_DURATION_MONTHS),
            _pediatric_x(answers),
        )
    else:
        met = all_of(
            pain,
            _associations_adult(answers),
            _duration(answers, ADULT_MIN_DURATION_MONTHS),
        )
    status = STATUSES[met.value]
    needed = met.missing
    kind = None
    caveat = None
    if status == "met":
        kind, _conflict, subtype_missing = subtype(answers)
        needed = needed | subtype_missing
        if answers.get("bowel_meds_current") == "yes":
            caveat = SUBTYPE_MEDICATION_CAVEAT
    return IbsResult(
        status,
        variant,
        kind,
        met,
        needed,
        pain_conflict,
        stool_conflict,
        caveat,
        pain,
    )


def ibs_sss(answers: Answers) -> dict[str, object]:
    """IBS-SSS (Francis 1997): five items of up to 100 points; only when all five are present."""
    get = answers.get
    values = tuple(map(get, IBS_SSS_KEYS))
    days = get("ibssss_pain_days_of_10")
    if days is None or None in values:
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
    # The answers they are made of that the test flags use too, read once.
    pain_weekly: Tri
    bloating_weekly: Tri
    loose_stools: Tri


def _ibs_subtype_in(ibs: IbsResult, answers: Answers, subtypes: tuple[str, ...]) -> Tri:
    if ibs.met.value is not True:
        return ibs.met  # F, or U carrying the IBS questions still open
    if ibs.subtype == "undetermined":
        _kind, _conflict, missing = subtype(answers)
        return Tri(None, missing) if missing else UNSURE
    return of(ibs.subtype in subtypes)


def predicates(answers: Answers, ibs: IbsResult) -> GutPredicates:
    """§3.2. The answers are read here, not through Answers.weekly() and .yes(), and a Kleene
    OR whose result is plain from one term is not called: this runs once per evaluation."""
    get = answers.get
    pain = ibs.pain_weekly
    value = get("bloating_freq")
    bloating = MISSING["bloating_freq"] if value is None else WEEKLY_TRI[value]
    value = get("gas_freq")
    gas = MISSING["gas_freq"] if value is None else WEEKLY_TRI[value]
    # answers.yes(), with the two common answers spelled out:
    value = get("loose_stools_4wk")
    loose = TRUE if value == "yes" else FALSE if value == "no" else answers.yes("loose_stools_4wk")
    value = get("constipation_4wk")
    constipation = (
        TRUE if value == "yes" else FALSE if value == "no" else answers.yes("constipation_4wk")
    )
    # ACG 2020's SIBO symptom list: pain, gas, bloating, diarrhoea.
    if pain.value is True or bloating.value is True or gas.value is True or loose.value is True:
        sibo_symptoms = TRUE
    else:
        sibo_symptoms = any_of(pain, bloating, gas, loose)
    # any_of(pain, bloating, gas, loose, constipation), reusing the first four; either(x, F) is x.
    if sibo_symptoms.value is True or constipation.value is False:
        gi_symptomatic = sibo_symptoms
    else:
        gi_symptomatic = either(sibo_symptoms, constipation)
    # The IBS subtype terms: without IBS met (the usual case) they are ibs.met itself.
    if ibs.met.value is True:
        diarrhea_subtype = _ibs_subtype_in(ibs, answers, ("IBS-D", "IBS-M"))
        constipation_subtype = _ibs_subtype_in(ibs, answers, ("IBS-C", "IBS-M"))
    else:
        diarrhea_subtype = constipation_subtype = ibs.met
    # loose or (ibs met and subtype D or M); constipation or (ibs met and subtype C or M)
    if diarrhea_subtype.value is False:
        chronic_diarrhea = loose
    else:
        chronic_diarrhea = either(loose, diarrhea_subtype)
    if constipation_subtype.value is False:
        chronic_constipation = constipation
    else:
        chronic_constipation = either(constipation, constipation_subtype)
    return GutPredicates(  # positional, in the order of the fields: cheaper than keywords
        gi_symptomatic,
        sibo_symptoms,
        chronic_diarrhea,
        chronic_constipation,
        pain,
        bloating,
        loose,
    )

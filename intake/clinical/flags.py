"""The five test flags (spec §8): triggers first, then suppressions and modifiers, then the
final value. `rules_fired` lists only the triggers that fired (never suppressions/modifiers)."""

from __future__ import annotations

from .answers import CONDITION_TRI, MEDICATION_TRI, MISSING, Answers
from .catalogue import FIRED_RECORDS, RULES, THY_2B_EXTRAPOLATED_REASON, fired
from .gut import GutPredicates
from .logic import FALSE, TRUE, Tri, any_of, both, either

ADULT_IRON_SUPPRESS_FERRITIN = 75  # IRON-S adult: ferritin <= 75 settles the decision
PEDIATRIC_FERRITIN = 50  # IRON-S / interpretation, paediatric: ferritin < 50 (IRLSSG 2018)
IRON_DEFICIENT_FERRITIN = 30  # iron_deficient_lab: ferritin < 30 (general cut-off; §3.2)
IV_ONLY_FERRITIN = 100  # adult: 75 < ferritin <= 100 with TSAT >= 20 -> IV iron only
TSAT_LOW = 20  # TSAT < 20% (AASM 2024; IRLSSG 2018)
DIALYSIS_FERRITIN = 200  # ESKD: IV iron sucrose if ferritin < 200 and TSAT < 20 (AASM 2024)
PREGNANCY_FERRITIN = 75  # pregnancy: oral iron if ferritin < 75 (Picchietti 2015)
FCM_FERRITIN = 300  # IRLSSG 2018: ferric carboxymaltose effective with ferritin < 300
HIGH_TSAT = 45  # unverified IV-iron caution (spec §8.1)
THYROID_SYMPTOMS_NEEDED = 2  # THY-2a: >= 2 of the listed symptoms other than neck swelling

# The groups of conditions and medicines the flags ask about (CONDITION_TRI, MEDICATION_TRI).
THYROID_RISK_CONDITIONS = frozenset({"t1dm", "neck_irradiation"})  # THY-2b, guideline level
THYROID_RISK_MEDICATIONS = frozenset({"lithium", "amiodarone"})  # THY-2b, guideline level
AUTOIMMUNE_OTHER = frozenset(  # THY-2b, tier P
    {"celiac_known", "rheumatoid_arthritis", "sjogren", "scleroderma", "other_autoimmune"}
)
KNOWN_THYROID_DISEASE = frozenset({"hypothyroid", "hyperthyroid", "autoimmune_thyroid"})  # THY-4
LEVOTHYROXINE = frozenset({"levothyroxine"})  # THY-4
IRON_DEFICIENCY_KNOWN = frozenset({"iron_deficiency_known"})  # CEL-2
CELIAC_RISK_CONDITIONS = frozenset({"t1dm", "autoimmune_thyroid"})  # CEL-3
CELIAC_KNOWN = frozenset({"celiac_known"})  # celiac M1
IGA_DEFICIENCY = frozenset({"iga_deficiency"})  # celiac M4
CHRONIC_PANCREATITIS = frozenset({"chronic_pancreatitis"})  # STOOL-4
SIBO_RISK_CONDITIONS = frozenset(  # SIBO-2
    {
        "prior_luminal_gi_surgery",
        "bariatric_surgery",
        "gastroparesis",
        "scleroderma",
        "intestinal_pseudo_obstruction",
        "other_motility_disorder",
    }
)
CKD_DIALYSIS = frozenset({"ckd_dialysis"})  # iron interpretation
STOOL_COMPONENTS = {
    "STOOL-1": ("calprotectin", "giardia"),
    "STOOL-2": ("ova_and_parasites",),
    "STOOL-3": ("c_difficile",),
    "STOOL-4": ("elastase",),
    "STOOL-5": ("comprehensive_panel",),
}
CELIAC_CAVEATS = {
    "deferred_low_gluten": (
        "Serology can be falsely negative on a low-gluten diet: reintroduce gluten (more than "
        "one meal a day for at least 6 weeks) and then test, or consider HLA-DQ2/DQ8 typing."
    ),
    "confirm_gluten": "confirm gluten intake before the blood draw",  # §8.3 M5, verbatim
}
SIBO_ANTIBIOTIC_NOTE = "schedule ≥ 4 weeks after the last antibiotic dose"  # §8.5, verbatim


class Context:
    """What the five flags read: the answers, the parts of the assessment they depend on and
    the settings. A plain class with positional arguments: a dataclass's keyword arguments
    cost several times more, once per evaluation."""

    __slots__ = (
        "answers",
        "pediatric",
        "pregnant",
        "rls_met",
        "ibs_met",
        "gut",
        "protocol_rules",
        "iron_lookback_days",
        "tsh_lookback_days",
        "celiac_lookback_days",
        "iron_deficient_lab",
        "adult_ibs_met",
    )

    def __init__(
        self,
        answers: Answers,
        pediatric: bool,
        pregnant: bool,  # pregnant_eff (§3.1)
        rls_met: Tri,
        ibs_met: Tri,
        gut: GutPredicates,
        protocol_rules: bool,
        iron_lookback_days: int,
        tsh_lookback_days: int,
        celiac_lookback_days: int,
    ):
        self.answers = answers
        self.pediatric = pediatric
        self.pregnant = pregnant
        self.rls_met = rls_met
        self.ibs_met = ibs_met
        self.gut = gut
        self.protocol_rules = protocol_rules
        self.iron_lookback_days = iron_lookback_days
        self.tsh_lookback_days = tsh_lookback_days
        self.celiac_lookback_days = celiac_lookback_days
        # §3.2 iron_deficient_lab: the latest ferritin within CELIAC_LOOKBACK_DAYS is below 30.
        ferritin = answers.latest_lab("ferritin", celiac_lookback_days)
        self.iron_deficient_lab = ferritin is not None and ferritin < IRON_DEFICIENT_FERRITIN
        # "adult and ibs.status = met" (CEL-1, SIBO-1): all_of(adult, ibs_met), so F for a
        # child and otherwise ibs_met itself.
        self.adult_ibs_met = FALSE if pediatric else ibs_met


# THY-2b's record when only "other autoimmune" conditions fired it; shared and read-only, like
# FIRED_RECORDS (Assessment.as_dict() copies).
THY_2B_EXTRAPOLATED = fired("THY-2b", tier="P", reason=THY_2B_EXTRAPOLATED_REASON)
CLINIC_PROTOCOL_RULES = frozenset(rule.id for rule in RULES if rule.tier == "S")
_NOTHING_NEEDED: frozenset[str] = frozenset()


def _triggers(
    context: Context, candidates: tuple[tuple[str, Tri], ...]
) -> tuple[list[dict[str, str]], frozenset[str]]:
    """The records of the triggers that fired, of (rule, Tri) candidates; when none did, the
    missing answers that leave one undecided (the `missing` of their Kleene OR, logic.any_of),
    which are needed.

    One plain loop: this runs five times per evaluation."""
    records = []
    needed = _NOTHING_NEEDED
    skip_protocol = not context.protocol_rules
    for rule, tri in candidates:
        if skip_protocol and rule in CLINIC_PROTOCOL_RULES:
            continue
        if tri.value is True:
            records.append(FIRED_RECORDS[rule])
        elif tri.value is None and tri.missing:
            needed = needed | tri.missing if needed else tri.missing
    return records, _NOTHING_NEEDED if records else needed


# --- iron panel (§8.1) -------------------------------------------------------------------


IRON_INTERPRETATIONS = {
    "iron_therapy_candidate": (
        "Ferritin 75 ng/mL or less, or TSAT below 20%: iron-therapy candidate, oral (about 65 mg "
        "elemental iron) or IV (AASM 2024; IRLSSG 2018)."
    ),
    "iv_iron_candidate": (
        "Ferritin 76-100 ng/mL with TSAT 20% or more: candidate for IV iron only; oral iron is "
        "poorly absorbed at this level (AASM 2024)."
    ),
    "no_iron_by_rls_thresholds": (
        "No iron treatment by RLS thresholds (adults: ferritin above 100 with TSAT 20% or more; "
        "children: ferritin 50 or more; pregnancy: ferritin 75 or more)."
    ),
    "oral_iron_candidate": (
        "Oral iron candidate: ferritin below 50 ng/mL in a child (IRLSSG 2018), or below "
        "75 µg/L in pregnancy (Picchietti 2015)."
    ),
    "ferritin_needed": "Pregnancy: check ferritin; oral iron if it is below 75 µg/L.",
    "iv_iron_sucrose_candidate": (
        "On dialysis with ferritin below 200 and TSAT below 20%: IV iron sucrose candidate "
        "(AASM 2024)."
    ),
    "tsat_and_ferritin_needed": (
        "On dialysis: both ferritin and TSAT are needed to judge IV iron sucrose."
    ),
    "nephrology_manages_iron": (
        "On dialysis: no RLS-specific iron indication; nephrology manages iron (AASM 2024)."
    ),
}
IRON_NOTES = {
    "deficient": (
        "Ferritin below 30 means iron deficiency: look for its source (coeliac serology; GI "
        "evaluation when anaemic)."
    ),
    "carboxymaltose": (
        "Ferric carboxymaltose 1000 mg is effective in moderate to severe RLS with ferritin "
        "below 300 (IRLSSG 2018)."
    ),
    "high_tsat": (
        "TSAT 45% or more: many protocols avoid IV iron (unverified; check the IRLSSG text)."
    ),
}


def _iron_code(context: Context, f: float | None, t: float | None) -> str:
    if context.pediatric:
        return (
            "oral_iron_candidate"
            if f is not None and f < PEDIATRIC_FERRITIN
            else ("no_iron_by_rls_thresholds")
        )
    if context.pregnant:
        if f is None:
            return "ferritin_needed"
        return "oral_iron_candidate" if f < PREGNANCY_FERRITIN else "no_iron_by_rls_thresholds"
    if CONDITION_TRI[context.answers.conditions.isdisjoint(CKD_DIALYSIS)].value is True:
        if f is None or t is None:
            return "tsat_and_ferritin_needed"
        if f < DIALYSIS_FERRITIN and t < TSAT_LOW:
            return "iv_iron_sucrose_candidate"
        return "nephrology_manages_iron"
    if (f is not None and f <= ADULT_IRON_SUPPRESS_FERRITIN) or (t is not None and t < TSAT_LOW):
        return "iron_therapy_candidate"
    if f is not None and t is not None and f <= IV_ONLY_FERRITIN:
        return "iv_iron_candidate"
    return "no_iron_by_rls_thresholds"


def iron_interpretation(context: Context, f: float | None, t: float | None) -> dict[str, str]:
    """§8.1 interpretation of the iron results on file (ferritin f, TSAT t; None when there is
    none): a code and the sentences to show.

    Precedence: paediatric, pregnancy, dialysis, then the adult thresholds.
    """
    code = _iron_code(context, f, t)
    sentences = [IRON_INTERPRETATIONS[code]]
    if f is not None and f < IRON_DEFICIENT_FERRITIN:
        sentences.append(IRON_NOTES["deficient"])
    if (
        code in ("iron_therapy_candidate", "iv_iron_candidate")
        and f is not None
        and f < FCM_FERRITIN
    ):
        sentences.append(IRON_NOTES["carboxymaltose"])
    if t is not None and t >= HIGH_TSAT:
        sentences.append(IRON_NOTES["high_tsat"])
    return {"code": code, "text": " ".join(sentences)}


def iron_panel(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    iron_1 = context.rls_met  # IRON-1: rls_status == met
    iron_2 = context.gut.chronic_diarrhea  # IRON-2: chronic_diarrhea
    if iron_1.value is False and iron_2.value is False:  # the usual case, without the loop
        return {"value": "no", "rules_fired": [], "interpretation": None}, _NOTHING_NEEDED
    records, needed = _triggers(context, (("IRON-1", iron_1), ("IRON-2", iron_2)))
    result: dict[str, object] = {"value": "no", "rules_fired": records, "interpretation": None}
    if not records:
        return result, needed
    ferritin = context.answers.latest_lab("ferritin", context.iron_lookback_days)
    tsat = context.answers.latest_lab("tsat", context.iron_lookback_days)
    threshold_met = ferritin is not None and (
        ferritin < PEDIATRIC_FERRITIN
        if context.pediatric
        else ferritin <= ADULT_IRON_SUPPRESS_FERRITIN
    )
    # IRON-S: a recent result that settles the decision; a high ferritin alone still needs TSAT.
    if threshold_met or (ferritin is not None and tsat is not None):
        result["value"] = "on_file"
        result["interpretation"] = iron_interpretation(context, ferritin, tsat)
    else:
        result["value"] = "order"
    return result, _NOTHING_NEEDED


# --- thyroid (§8.2) ----------------------------------------------------------------------


def thyroid(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers = context.answers
    get, conditions, medications = answers.get, answers.conditions, answers.medications
    thy_1 = context.gut.chronic_diarrhea  # THY-1: chronic_diarrhea
    # THY-2a: neck swelling, or at least two of the other listed symptoms
    symptoms = get("thyroid_symptoms")
    if symptoms is None:
        thy_2a = MISSING["thyroid_symptoms"]
    elif "neck_swelling" in symptoms or len(symptoms) >= THYROID_SYMPTOMS_NEEDED:
        thy_2a = TRUE
    else:
        thy_2a = FALSE
    # THY-2b at guideline level (ATA/AACE 2012): t1dm or neck irradiation, fhx_thyroid, lithium
    # or amiodarone; with only another autoimmune condition, THY-2b at tier P (below).
    risk_conditions = CONDITION_TRI[conditions.isdisjoint(THYROID_RISK_CONDITIONS)]
    value = get("fhx_thyroid")  # answers.yes("fhx_thyroid"), the two common answers spelled out
    family_history = (
        TRUE if value == "yes" else FALSE if value == "no" else answers.yes("fhx_thyroid")
    )
    risk_drugs = MEDICATION_TRI[medications.isdisjoint(THYROID_RISK_MEDICATIONS)]
    if risk_conditions.value is True or family_history.value is True or risk_drugs.value is True:
        guideline_risk = thy_2b = TRUE  # any_of(...) is T: no call
    else:
        guideline_risk = any_of(risk_conditions, family_history, risk_drugs)
        thy_2b = either(guideline_risk, CONDITION_TRI[conditions.isdisjoint(AUTOIMMUNE_OTHER)])
    thy_3 = context.rls_met  # THY-3: rls_status == met
    # THY-4: known hypothyroid, hyperthyroid or autoimmune thyroid disease, or levothyroxine
    known_disease = CONDITION_TRI[conditions.isdisjoint(KNOWN_THYROID_DISEASE)]
    if known_disease.value is True:
        thy_4 = TRUE
    else:
        thy_4 = either(known_disease, MEDICATION_TRI[medications.isdisjoint(LEVOTHYROXINE)])
    records, needed = _triggers(
        context,
        (
            ("THY-1", thy_1),
            ("THY-2a", thy_2a),
            ("THY-2b", thy_2b),
            ("THY-3", thy_3),
            ("THY-4", thy_4),
        ),
    )
    if not records:
        return {"value": "no", "rules_fired": records}, needed
    if thy_2b.value is True and guideline_risk.value is not True:
        # Only "other autoimmune" conditions fired THY-2b: the app's extrapolation, tier P.
        # (THY-2b is tier G, so it is among the records whatever protocol_rules says.)
        records[records.index(FIRED_RECORDS["THY-2b"])] = THY_2B_EXTRAPOLATED
    tsh = answers.latest_lab("tsh", context.tsh_lookback_days)
    # THY-S: a recent TSH suppresses, unless symptoms (THY-2a) are new.
    value = "on_file" if tsh is not None and thy_2a.value is not True else "order"
    # With a recent TSH, an unanswered symptoms question leaves on_file or order undecided.
    return {"value": value, "rules_fired": records}, (
        thy_2a.missing if value == "on_file" else _NOTHING_NEEDED
    )


# --- celiac serology (§8.3) --------------------------------------------------------------


def celiac(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers, gut = context.answers, context.gut
    conditions = answers.conditions
    # CEL-1: (adult and ibs.status = met) or chronic_diarrhea; either(F, x) is x
    adult_ibs_met = context.adult_ibs_met
    if adult_ibs_met.value is False:
        cel_1 = gut.chronic_diarrhea
    else:
        cel_1 = either(adult_ibs_met, gut.chronic_diarrhea)
    # CEL-2: iron_deficiency_known or iron_deficient_lab (which is T or F)
    if context.iron_deficient_lab:
        cel_2 = TRUE
    else:
        cel_2 = CONDITION_TRI[conditions.isdisjoint(IRON_DEFICIENCY_KNOWN)]
    # CEL-3: gi_symptomatic, unintentional weight loss, fhx_celiac, t1dm or autoimmune thyroid
    # disease; gi_symptomatic, the commonest reason, is tested first.
    if gut.gi_symptomatic.value is True:
        cel_3 = TRUE
    else:
        cel_3 = any_of(
            gut.gi_symptomatic,
            answers.yes("unintentional_weight_loss"),
            answers.yes("fhx_celiac"),
            CONDITION_TRI[conditions.isdisjoint(CELIAC_RISK_CONDITIONS)],
        )
    cel_4 = context.rls_met  # CEL-4: rls_status == met
    records, needed = _triggers(
        context, (("CEL-1", cel_1), ("CEL-2", cel_2), ("CEL-3", cel_3), ("CEL-4", cel_4))
    )
    result: dict[str, object] = {"value": "no", "rules_fired": records, "caveat": None}
    if not records:
        return result, needed
    gluten = answers.get("gluten_intake")
    window = context.celiac_lookback_days
    ttg, total_iga = answers.latest_lab("ttg_iga", window), answers.latest_lab("total_iga", window)
    negative_on_file = ttg == "neg" and total_iga == "normal"
    # Whether that test was taken on gluten matters, and is needed, only with such a result.
    on_gluten = answers.yes("prior_celiac_test_on_gluten") if negative_on_file else FALSE
    needed = needed | on_gluten.missing
    # Modifiers in priority order (M1-M5).
    if CONDITION_TRI[conditions.isdisjoint(CELIAC_KNOWN)].value is True:
        result["value"] = "not_indicated_known_celiac"
    elif on_gluten.value is True:  # and negative_on_file
        result["value"] = "on_file"
    elif gluten in ("less_than_daily", "gluten_free"):
        result["value"] = "deferred_low_gluten"
        result["caveat"] = CELIAC_CAVEATS["deferred_low_gluten"]
    elif CONDITION_TRI[conditions.isdisjoint(IGA_DEFICIENCY)].value is True:  # M4
        result["value"] = "order_igg_based"
    else:
        result["value"] = "order"
        if gluten == "unknown":  # M5
            result["caveat"] = CELIAC_CAVEATS["confirm_gluten"]
    if gluten is None and result["value"] in ("order", "order_igg_based"):
        # Unanswered, the gluten question could still defer the test (M3): it is needed.
        needed = needed | {"gluten_intake"}
    return result, needed


# --- stool (§8.4) ------------------------------------------------------------------------


def stool(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers, gut = context.answers, context.gut
    diarrhea, loose, rls_met = gut.chronic_diarrhea, gut.loose_stools, context.rls_met
    # In the Kleene ANDs below, a first term F decides: the second answer is not read then.
    stool_1 = diarrhea  # STOOL-1: chronic_diarrhea
    # STOOL-2: chronic_diarrhea and travel_high_risk_12mo
    if diarrhea.value is False:
        stool_2 = FALSE
    else:
        stool_2 = both(diarrhea, answers.yes("travel_high_risk_12mo"))
    # STOOL-3: loose_stools_4wk and antibiotics_last_3mo
    stool_3 = FALSE if loose.value is False else both(loose, answers.yes("antibiotics_last_3mo"))
    # STOOL-4: greasy_floating_stools or chronic_pancreatitis
    stool_4 = either(
        answers.yes("greasy_floating_stools"),
        CONDITION_TRI[answers.conditions.isdisjoint(CHRONIC_PANCREATITIS)],
    )
    # STOOL-5: rls_status == met and gi_symptomatic
    stool_5 = FALSE if rls_met.value is False else both(rls_met, gut.gi_symptomatic)
    candidates = (
        ("STOOL-1", stool_1),
        ("STOOL-2", stool_2),
        ("STOOL-3", stool_3),
        ("STOOL-4", stool_4),
        ("STOOL-5", stool_5),
    )
    records, needed = _triggers(context, candidates)
    if not records:
        return {"value": "no", "components": [], "rules_fired": records}, needed
    # Each component has its own trigger (§8.4): one that fired does not decide the others, so
    # the answers that leave another undecided are still needed.
    for rule, tri in candidates:
        if tri.value is None and (context.protocol_rules or rule not in CLINIC_PROTOCOL_RULES):
            needed = needed | tri.missing
    components = []
    for record in records:
        components.extend(STOOL_COMPONENTS[record["rule"]])
    return {"value": "order", "components": components, "rules_fired": records}, needed


# --- SIBO breath test (§8.5) -------------------------------------------------------------


def sibo_breath(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers, gut = context.answers, context.gut
    symptoms, constipation, rls_met = gut.sibo_symptoms, gut.chronic_constipation, context.rls_met
    # SIBO-X: PPI use never appears here, so a PPI without symptoms never triggers.
    sibo_1 = context.adult_ibs_met  # SIBO-1: adult and ibs.status = met
    # SIBO-2: sibo_symptoms and a motility disorder or prior surgery (F at once without symptoms)
    if symptoms.value is False:
        sibo_2 = FALSE
    else:
        sibo_2 = both(symptoms, CONDITION_TRI[answers.conditions.isdisjoint(SIBO_RISK_CONDITIONS)])
    # SIBO-3: chronic_constipation and (bloating weekly+ or pain weekly+)
    if constipation.value is False:
        sibo_3 = FALSE
    else:
        sibo_3 = both(constipation, either(gut.bloating_weekly, gut.pain_weekly))
    # SIBO-4: rls_status == met and sibo_symptoms
    sibo_4 = FALSE if rls_met.value is False else both(rls_met, symptoms)
    records, triggers_needed = _triggers(
        context, (("SIBO-1", sibo_1), ("SIBO-2", sibo_2), ("SIBO-3", sibo_3), ("SIBO-4", sibo_4))
    )
    result: dict[str, object] = {"value": "no", "rules_fired": records, "timing_note": None}
    needed: frozenset[str] = frozenset()
    if context.pediatric:
        result["value"] = "not_applicable_pediatric"  # whatever fired
    elif not records:
        needed = triggers_needed
    elif context.pregnant:
        result["value"] = "deferred_pregnancy"
    else:
        result["value"] = "order"
        antibiotics = answers.yes("antibiotics_last_4wk")
        if antibiotics.value is True:
            result["timing_note"] = SIBO_ANTIBIOTIC_NOTE
        needed = antibiotics.missing
    return result, needed


NOT_ASSESSED = {
    "thyroid": {"value": "not_assessed", "rules_fired": []},
    "iron_panel": {"value": "not_assessed", "rules_fired": [], "interpretation": None},
    "celiac": {"value": "not_assessed", "rules_fired": [], "caveat": None},
    "stool": {"value": "not_assessed", "components": [], "rules_fired": []},
    "sibo_breath": {"value": "not_assessed", "rules_fired": [], "timing_note": None},
}


def not_assessed() -> dict[str, dict[str, object]]:
    """The flags below MIN_AGE. Shared and read-only: Assessment.as_dict() copies."""
    return NOT_ASSESSED


def evaluate_flags(context: Context) -> tuple[dict[str, dict[str, object]], frozenset[str]]:
    """The five flags in the order of §11, and the missing answers they need."""
    thyroid_flag, thyroid_needed = thyroid(context)
    iron_flag, iron_needed = iron_panel(context)
    celiac_flag, celiac_needed = celiac(context)
    stool_flag, stool_needed = stool(context)
    sibo_flag, sibo_needed = sibo_breath(context)
    flags = {
        "thyroid": thyroid_flag,
        "iron_panel": iron_flag,
        "celiac": celiac_flag,
        "stool": stool_flag,
        "sibo_breath": sibo_flag,
    }
    return flags, thyroid_needed | iron_needed | celiac_needed | stool_needed | sibo_needed

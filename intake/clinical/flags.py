"""The five test flags (spec §8): triggers first, then suppressions and modifiers, then the
final value. `rules_fired` lists only the triggers that fired (never suppressions/modifiers),
each with the answers that made it fire (`because`, R3-13)."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answers
from .catalogue import RULES_BY_ID, THY_2B_EXTRAPOLATED_REASON, fired
from .gut import GutPredicates
from .logic import FALSE, Tri, all_of, any_of, derived, of, unknown

ADULT_IRON_SUPPRESS_FERRITIN = 75  # IRON-S adult: ferritin <= 75 settles the decision
PEDIATRIC_FERRITIN = 50  # IRON-S / interpretation, paediatric: ferritin < 50 (IRLSSG 2018)
IRON_DEFICIENT_FERRITIN = 30  # iron_deficient_lab: ferritin < 30 (general cut-off; §3.2)
IV_ONLY_FERRITIN = 100  # adult: 75 < ferritin <= 100 with TSAT >= 20 -> IV iron only
TSAT_LOW = 20  # TSAT < 20% (AASM 2024; IRLSSG 2018)
DIALYSIS_FERRITIN = 200  # ESKD: IV iron sucrose if ferritin < 200 and TSAT < 20 (AASM 2024)
PREGNANCY_FERRITIN = 75  # pregnancy/lactation: oral iron if ferritin < 75 (Picchietti 2015)
FCM_FERRITIN = 300  # IRLSSG 2018: ferric carboxymaltose effective with ferritin < 300
HIGH_TSAT = 45  # unverified IV-iron caution (spec §8.1)
THYROID_SYMPTOMS_NEEDED = 2  # THY-2a: >= 2 of the listed symptoms other than neck swelling

AUTOIMMUNE_RISK = (  # §3.2 autoimmune_risk, in the spec's order
    "t1dm",
    "celiac_known",
    "rheumatoid_arthritis",
    "sjogren",
    "scleroderma",
    "other_autoimmune",
)
OTHER_THYROID_SYMPTOMS = (
    "cold_intolerance",
    "heat_intolerance",
    "palpitations",
    "tremor",
    "unexplained_weight_gain",
    "dry_skin_or_hair_loss",
)
SIBO_RISK_CONDITIONS = (  # SIBO-2
    "prior_luminal_gi_surgery",
    "bariatric_surgery",
    "gastroparesis",
    "scleroderma",
    "intestinal_pseudo_obstruction",
    "other_motility_disorder",
)
IRON_3_MEDS = ("dopamine_agonist", "levodopa", "gabapentinoid", "opioid")  # R3-19
IRON_CONTEXT_KEYS = (  # R3-11: possible sources of iron loss, or of a misleading result
    "heavy_menstrual_bleeding",
    "blood_donor_regular",
    "breastfeeding",
    "iv_iron_last_12wk",
)
IV_IRON_CAVEAT = (  # R3-18, verbatim
    "IV iron in the last 12 weeks: results drawn within about 8 weeks of an infusion are falsely "
    "high, and results drawn before it are out of date. Draw at least 8 weeks after the last "
    "dose."
)
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
    # §8.3 M1b (R3-8, R3-21), verbatim
    "positive_adult": (
        "positive tTG-IgA on file: refer to gastroenterology for duodenal biopsy while still "
        "eating gluten; do not repeat the serology"
    ),
    "positive_child": (
        "positive tTG-IgA on file: refer to paediatric gastroenterology, which decides between "
        "biopsy and the no-biopsy route (EMA on a second sample); do not re-order tTG-IgA here"
    ),
    "positive_low_gluten": (
        "The patient reports little or no gluten now: a biopsy needs a supervised gluten "
        "challenge first."
    ),
}
LOW_GLUTEN = ("less_than_daily", "gluten_free")
SIBO_ANTIBIOTIC_NOTE = "schedule ≥ 4 weeks after the last antibiotic dose"  # §8.5, verbatim


@dataclass(slots=True)
class Context:
    """What the five flags read: the answers, the parts of the assessment they depend on and
    the settings."""

    answers: Answers
    pediatric: bool
    pregnant: bool  # pregnant_eff (§3.1)
    rls_met: Tri
    ibs_met: Tri
    gut: GutPredicates
    protocol_rules: bool
    iron_lookback_days: int
    tsh_lookback_days: int
    celiac_lookback_days: int

    @property
    def iron_deficient_lab(self) -> Tri:
        """§3.2: the latest ferritin within CELIAC_LOOKBACK_DAYS is below 30."""
        ferritin = self.answers.latest_lab("ferritin", self.celiac_lookback_days)
        deficient = ferritin is not None and ferritin < IRON_DEFICIENT_FERRITIN
        return derived("iron_deficient_lab", of(deficient, "prior_labs.ferritin", ferritin))

    @property
    def adult_ibs_met(self) -> Tri:
        """ "adult and ibs.status = met" (CEL-1, SIBO-1)."""
        return FALSE if self.pediatric else self.ibs_met

    def rule_applies(self, rule_id: str) -> bool:
        """Tier-S (clinic protocol) rules fire only when enabled, and for adults only (R3-6)."""
        if RULES_BY_ID[rule_id].tier != "S":
            return True
        return self.protocol_rules and not self.pediatric


@dataclass(slots=True)
class Triggers:
    records: list[dict[str, object]]  # the fired triggers' output records, in table order
    fired: frozenset[str]
    open_keys: frozenset[str]  # missing keys of the triggers still undecided


def _triggers(context: Context, candidates: tuple[tuple[str, Tri], ...]) -> Triggers:
    records, open_keys = [], frozenset()
    for rule_id, tri in candidates:
        if not context.rule_applies(rule_id):
            continue
        if tri.is_true:
            records.append(fired(rule_id, tri.because))
        elif tri.is_open:
            open_keys = open_keys | tri.missing
    return Triggers(records, frozenset(r["rule"] for r in records), open_keys)


def _modifiers(steps: tuple[tuple[Tri, str], ...], default: str) -> tuple[str, frozenset[str]]:
    """Modifiers in priority order, the first that holds wins. An undecided one whose value
    differs from the result could still change it: its missing keys are needed."""
    value, open_steps = default, []
    for condition, step_value in steps:
        if condition.is_true:
            value = step_value
            break
        if condition.is_open:
            open_steps.append((condition, step_value))
    needed = frozenset()
    for condition, step_value in open_steps:
        if step_value != value:
            needed = needed | condition.missing
    return value, needed


# --- iron (§8.1) -------------------------------------------------------------------------


def iron_interpretation(context: Context, f: float | None, t: float | None) -> dict[str, str]:
    """§8.1 interpretation of the iron results on file (ferritin f, TSAT t; None when there is
    none): a code and the sentences to show. The first that applies (R3-18): dialysis, then
    pregnancy or a breastfeeding adult, then paediatric, then adult."""
    answers = context.answers
    if answers.holds("conditions", "ckd_dialysis"):
        if context.pediatric:
            code = "nephrology_manages_iron_pediatric"
        elif f is None or t is None:
            code = "tsat_and_ferritin_needed"
        elif f < DIALYSIS_FERRITIN and t < TSAT_LOW:
            code = "iv_iron_sucrose_candidate"
        else:
            code = "nephrology_manages_iron"
    elif context.pregnant or (not context.pediatric and answers.get("breastfeeding") == "yes"):
        if f is None:
            code = "ferritin_needed"
        elif f < PREGNANCY_FERRITIN:
            code = "oral_iron_candidate_pregnancy"
        else:
            code = "no_iron_by_rls_thresholds"
    elif context.pediatric:
        code = (
            "oral_iron_candidate"
            if f is not None and f < PEDIATRIC_FERRITIN
            else "no_iron_by_rls_thresholds"
        )
    elif (f is not None and f <= ADULT_IRON_SUPPRESS_FERRITIN) or (t is not None and t < TSAT_LOW):
        code = "iron_therapy_candidate"
    elif f is not None and t is not None and f <= IV_ONLY_FERRITIN:
        code = "iv_iron_candidate"
    else:
        code = "no_iron_by_rls_thresholds"
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


IRON_INTERPRETATIONS = {
    "iron_therapy_candidate": (
        "Ferritin 75 or below, or TSAT below 20%: candidate for iron therapy, oral (ferrous "
        "sulfate, about 65 mg elemental iron) or IV (AASM 2024; IRLSSG 2018)."
    ),
    "iv_iron_candidate": (
        "Ferritin above 75 and up to 100 with TSAT 20% or more: candidate for IV iron only; oral "
        "iron is poorly absorbed at this level (AASM 2024)."
    ),
    "no_iron_by_rls_thresholds": "No iron treatment indicated by the RLS thresholds.",
    "oral_iron_candidate": "Ferritin below 50 in a child: oral iron candidate (IRLSSG 2018).",
    "oral_iron_candidate_pregnancy": (
        "Pregnancy or breastfeeding: ferritin below 75, oral iron candidate (IRLSSG "
        "pregnancy/lactation consensus, Picchietti 2015)."
    ),
    "ferritin_needed": "Pregnancy or breastfeeding: check ferritin (Picchietti 2015).",
    "tsat_and_ferritin_needed": (
        "On dialysis: both ferritin and TSAT are needed to judge IV iron sucrose."
    ),
    "iv_iron_sucrose_candidate": (
        "On dialysis with ferritin below 200 and TSAT below 20%: IV iron sucrose candidate "
        "(AASM 2024)."
    ),
    "nephrology_manages_iron": (
        "On dialysis: no RLS-specific iron indication; nephrology manages iron (AASM 2024)."
    ),
    "nephrology_manages_iron_pediatric": (
        "A child on dialysis: nephrology manages iron; no RLS threshold."
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


def _iron_settled(context: Context, dialysis: bool, f: float | None, t: float | None) -> bool:
    """IRON-S (R3-4): a recent result that already settles the decision."""
    both_on_file = f is not None and t is not None
    if dialysis:
        return both_on_file  # the dialysis threshold needs both, at every age
    threshold = (
        f is not None and f < PEDIATRIC_FERRITIN
        if context.pediatric
        else f is not None and f <= ADULT_IRON_SUPPRESS_FERRITIN
    )
    return threshold or both_on_file


def iron_panel(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers = context.answers
    iron_3 = all_of(
        answers.yes("rls_on_treatment"), answers.includes("rls_treatment_meds", *IRON_3_MEDS)
    )
    triggers = _triggers(
        context,
        (
            ("IRON-1", context.rls_met),  # rls_status == met
            ("IRON-2", context.gut.chronic_diarrhea),
            ("IRON-3", iron_3),  # on RLS medication (R3-2, R3-19)
        ),
    )
    iv_iron = answers.get("iv_iron_last_12wk") == "yes"
    result: dict[str, object] = {
        "value": "no",
        "rules_fired": triggers.records,
        "interpretation": None,
        "context": [key for key in IRON_CONTEXT_KEYS if answers.get(key) == "yes"],
        "caveat": IV_IRON_CAVEAT if iv_iron else None,
    }
    if not triggers.records:
        return result, triggers.open_keys
    ferritin = answers.latest_lab("ferritin", context.iron_lookback_days)
    tsat = answers.latest_lab("tsat", context.iron_lookback_days)
    needed: frozenset[str] = frozenset()
    if iv_iron:
        result["value"] = "order"  # R3-18: results near an infusion settle nothing
        return result, needed
    dialysis = answers.holds("conditions", "ckd_dialysis")
    settled = _iron_settled(context, dialysis, ferritin, tsat)
    if not answers.has("conditions") and settled != _iron_settled(context, True, ferritin, tsat):
        needed = frozenset({"conditions"})  # dialysis would need both results
    if settled:
        result["value"] = "on_file"
        if not triggers.fired.isdisjoint({"IRON-1", "IRON-3"}):
            result["interpretation"] = iron_interpretation(context, ferritin, tsat)
    else:
        result["value"] = "order"
    return result, needed


# --- thyroid (§8.2) ----------------------------------------------------------------------


def _thyroid_symptoms(answers: Answers) -> Tri:
    """THY-2a: neck swelling, or at least two of the other listed symptoms."""
    symptoms = answers.get("thyroid_symptoms")
    if symptoms is None:
        return unknown("thyroid_symptoms")
    neck = of("neck_swelling" in symptoms, "thyroid_symptoms", "neck_swelling")
    others = tuple(("thyroid_symptoms", s) for s in OTHER_THYROID_SYMPTOMS if s in symptoms)
    several = Tri(True, because=others) if len(others) >= THYROID_SYMPTOMS_NEEDED else FALSE
    return any_of(neck, several)


def thyroid(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers = context.answers
    thy_2a = _thyroid_symptoms(answers)
    autoimmune_risk = derived("autoimmune_risk", answers.includes("conditions", *AUTOIMMUNE_RISK))
    thy_2b = any_of(
        autoimmune_risk,
        answers.yes("fhx_thyroid"),
        answers.includes("medications", "lithium", "amiodarone"),
        answers.includes("conditions", "neck_irradiation"),
    )
    thy_4 = any_of(
        answers.includes("conditions", "hypothyroid", "hyperthyroid", "autoimmune_thyroid"),
        answers.includes("medications", "levothyroxine"),
    )
    triggers = _triggers(
        context,
        (
            ("THY-1", context.gut.chronic_diarrhea),
            ("THY-2a", thy_2a),
            ("THY-2b", thy_2b),
            ("THY-3", context.rls_met),
            ("THY-4", thy_4),
        ),
    )
    tsh = answers.latest_lab("tsh", context.tsh_lookback_days)
    if not triggers.records:
        return {"value": "no", "rules_fired": []}, triggers.open_keys
    if "THY-2b" in triggers.fired:
        guideline_level = (
            answers.holds("conditions", "t1dm")
            or answers.get("fhx_thyroid") == "yes"
            or answers.holds("medications", "lithium")
            or answers.holds("medications", "amiodarone")
            or answers.holds("conditions", "neck_irradiation")
        )
        if not guideline_level:
            # Only "other autoimmune" conditions fired THY-2b: the app's extrapolation, tier P.
            for record in triggers.records:
                if record["rule"] == "THY-2b":
                    record["tier"], record["reason"] = "P", THY_2B_EXTRAPOLATED_REASON
    # THY-S: a recent TSH suppresses, unless symptoms (THY-2a) are new.
    value = "on_file" if tsh is not None and not thy_2a.is_true else "order"
    # With a recent TSH, an unanswered symptoms question leaves on_file or order undecided.
    needed = thy_2a.missing if value == "on_file" else frozenset()
    return {"value": value, "rules_fired": triggers.records}, needed


# --- celiac serology (§8.3) --------------------------------------------------------------


def celiac(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers, gut = context.answers, context.gut
    window = context.celiac_lookback_days
    ttg = answers.latest_lab("ttg_iga", window)
    positive = of(ttg == "pos", "prior_labs.ttg_iga", "pos")
    triggers = _triggers(
        context,
        (
            ("CEL-1", any_of(context.adult_ibs_met, gut.chronic_diarrhea)),
            (
                "CEL-2",
                any_of(
                    answers.includes("conditions", "iron_deficiency_known"),
                    context.iron_deficient_lab,
                ),
            ),
            (
                "CEL-3",
                any_of(
                    gut.gi_symptomatic,
                    answers.yes("unintentional_weight_loss"),
                    answers.yes("fhx_celiac"),
                    answers.includes("conditions", "t1dm", "autoimmune_thyroid"),
                ),
            ),
            ("CEL-5", positive),  # R3-8: a positive result on file
            ("CEL-4", context.rls_met),
        ),
    )
    result: dict[str, object] = {"value": "no", "rules_fired": triggers.records, "caveat": None}
    if not triggers.records:
        return result, triggers.open_keys
    gluten = answers.get("gluten_intake")
    negative_on_file = ttg == "neg" and answers.latest_lab("total_iga", window) == "normal"
    low_gluten = unknown("gluten_intake") if gluten is None else of(gluten in LOW_GLUTEN)
    value, needed = _modifiers(
        (
            (answers.includes("conditions", "celiac_known"), "not_indicated_known_celiac"),  # M1
            (positive, "positive_on_file"),  # M1b
            (
                all_of(of(negative_on_file), answers.yes("prior_celiac_test_on_gluten")),
                "on_file",
            ),  # M2: a negative result taken while eating gluten
            (low_gluten, "deferred_low_gluten"),  # M3
            (answers.includes("conditions", "iga_deficiency"), "order_igg_based"),  # M4
        ),
        default="order",
    )
    result["value"] = value
    if value == "positive_on_file":
        caveat = CELIAC_CAVEATS["positive_child" if context.pediatric else "positive_adult"]
        if gluten in LOW_GLUTEN:
            caveat = f"{caveat}. {CELIAC_CAVEATS['positive_low_gluten']}"
        result["caveat"] = caveat
    elif value == "deferred_low_gluten":
        result["caveat"] = CELIAC_CAVEATS["deferred_low_gluten"]
    elif value == "order" and gluten == "unknown":  # M5
        result["caveat"] = CELIAC_CAVEATS["confirm_gluten"]
    return result, needed


# --- stool (§8.4) ------------------------------------------------------------------------


def stool(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers, gut = context.answers, context.gut
    candidates = (
        ("STOOL-1", gut.chronic_diarrhea),
        ("STOOL-2", all_of(gut.chronic_diarrhea, answers.yes("travel_high_risk_12mo"))),
        ("STOOL-3", all_of(gut.loose_stools, answers.yes("antibiotics_last_3mo"))),
        (
            "STOOL-4",
            any_of(
                answers.yes("greasy_floating_stools"),
                answers.includes("conditions", "chronic_pancreatitis"),
            ),
        ),
        ("STOOL-5", all_of(context.rls_met, gut.gi_symptomatic)),
    )
    triggers = _triggers(context, candidates)
    if not triggers.records:
        # STOOL-2 and STOOL-3 imply STOOL-1 (chronic diarrhoea; loose stools are chronic
        # diarrhoea), so their own answers (travel, antibiotics) can never change the value.
        open_keys = _triggers(
            context,
            tuple(
                (rule_id, tri)
                for rule_id, tri in candidates
                if rule_id not in ("STOOL-2", "STOOL-3")
            ),
        ).open_keys
        return {"value": "no", "components": [], "rules_fired": []}, open_keys
    components = []
    for record in triggers.records:
        components.extend(STOOL_COMPONENTS[record["rule"]])
    # Once one component is ordered the value is settled (§10 "needed" is about the value).
    return {"value": "order", "components": components, "rules_fired": triggers.records}, (
        frozenset()
    )


# --- SIBO breath test (§8.5) -------------------------------------------------------------


def sibo_breath(context: Context) -> tuple[dict[str, object], frozenset[str]]:
    answers, gut = context.answers, context.gut
    # SIBO-X: PPI use appears in no trigger, so a PPI without symptoms never triggers.
    triggers = _triggers(
        context,
        (
            ("SIBO-1", context.adult_ibs_met),
            (
                "SIBO-2",
                all_of(gut.sibo_symptoms, answers.includes("conditions", *SIBO_RISK_CONDITIONS)),
            ),
            (
                "SIBO-3",
                all_of(gut.chronic_constipation, any_of(gut.bloating_weekly, gut.pain_weekly)),
            ),
            ("SIBO-4", all_of(context.rls_met, gut.sibo_symptoms)),
        ),
    )
    result: dict[str, object] = {
        "value": "no",
        "rules_fired": triggers.records,
        "timing_note": None,
    }
    if context.pediatric:
        result["value"] = "not_applicable_pediatric"  # whatever fired, even nothing
        return result, frozenset()
    if not triggers.records:
        return result, triggers.open_keys
    if context.pregnant:
        result["value"] = "deferred_pregnancy"
        return result, frozenset()
    result["value"] = "consider"  # R3-10: optional, never "order"
    if answers.get("antibiotics_last_4wk") == "yes":
        result["timing_note"] = SIBO_ANTIBIOTIC_NOTE
    # An unanswered pregnancy question could defer it (asked only where it applies: quality).
    return result, frozenset() if answers.has("pregnant") else frozenset({"pregnant"})


def not_assessed() -> dict[str, dict[str, object]]:
    """The flags below MIN_AGE."""
    return {
        "thyroid": {"value": "not_assessed", "rules_fired": []},
        "iron_panel": {
            "value": "not_assessed",
            "rules_fired": [],
            "interpretation": None,
            "context": [],
            "caveat": None,
        },
        "celiac": {"value": "not_assessed", "rules_fired": [], "caveat": None},
        "stool": {"value": "not_assessed", "components": [], "rules_fired": []},
        "sibo_breath": {"value": "not_assessed", "rules_fired": [], "timing_note": None},
    }


def evaluate_flags(context: Context) -> tuple[dict[str, dict[str, object]], frozenset[str]]:
    """The five flags in the order of §11, and the missing answers that could change a value."""
    flags, needed = {}, frozenset()
    for name, flag in (
        ("thyroid", thyroid),
        ("iron_panel", iron_panel),
        ("celiac", celiac),
        ("stool", stool),
        ("sibo_breath", sibo_breath),
    ):
        flags[name], flag_needed = flag(context)
        needed = needed | flag_needed
    return flags, needed

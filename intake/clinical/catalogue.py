"""Every rule of the clinical spec in one table: id, tier, trigger, effect, source, reason.

The engine takes each fired rule's tier and reason from here, and docs/clinical-rules.md is
generated from it (`make docs`; a test keeps the two in step), so a clinician signs off the
very table the code runs on.
"""

from __future__ import annotations

from dataclasses import dataclass

RULESET_VERSION = "2026.3"  # clinical-spec revision 3

TIER_LABELS = {
    "G": "Guideline",
    "GW": "Guideline, conditional (very low certainty)",
    "P": "Practice-based",
    "S": "Clinic protocol",
    "-": "Not a rule of evidence (data handling)",
}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    tier: str
    area: str
    trigger: str
    effect: str
    source: str
    reason: str = ""  # the sentence shown to the practitioner when the rule fires


RULES: tuple[Rule, ...] = (
    # §4 RLS
    Rule(
        "RLS-DX",
        "G",
        "RLS",
        "C1 urge, C2 rest, C3 movement relief, C4 evening/night, C5 not solely a mimic; "
        "each T/F/U. Screen = no with no detail answers gives not_met (screen_negative).",
        "rls.status: met if all T, not_met if any F, otherwise incomplete.",
        "IRLSSG 2012 (Allen 2014); paediatric: Picchietti 2013",
    ),
    Rule(
        "RLS-COURSE",
        "G",
        "RLS",
        "Only when met. rls_freq = ge_2_per_week; or lt_2_per_week with >= 5 lifetime episodes.",
        "rls.course: chronic_persistent, intermittent, otherwise unclassified.",
        "IRLSSG 2012",
    ),
    Rule(
        "RLS-SIG",
        "G",
        "RLS",
        "Only when met. rls_impact_level moderate or severe.",
        "rls.clinically_significant true; none/mild false; missing null.",
        "IRLSSG 2012",
    ),
    Rule(
        "RISS",
        "P",
        "RLS",
        "rls_days_per_week; onset grade 1 bedtime, 2 evening, 3 afternoon, 4 morning/all day; "
        "rls_impact_level.",
        "rls.riss: three descriptors, never summed: descriptive, not a validated score.",
        "Time-of-onset idea of the Johns Hopkins RLS Severity Scale (Allen & Earley 2001)",
    ),
    Rule(
        "IRLS",
        "G",
        "RLS",
        "Only when IRLS_LICENSED. Sum of 10 items 0-4, banded only when all 10 are answered.",
        "rls.irls: none 0, mild 1-10, moderate 11-20, severe 21-30, very_severe 31-40; "
        "incomplete when an item is unanswered.",
        "IRLSSG 2003 (licensed, MAPI Research Trust)",
    ),
    Rule(
        "AUG-1",
        "G",
        "RLS",
        "rls_treatment_meds holds dopamine_agonist or levodopa (R3-19), and any of: symptoms "
        "start >= 2 h earlier, spread to arms or trunk, dose escalation or shorter relief.",
        "rls.augmentation_suspected: possible augmentation, practitioner review (not urgent).",
        "MPI/IRLSSG (Garcia-Borreguero 2007); IRLSSG/EURLSSG/RLS-F task force 2016",
    ),
    # §5 IBS
    Rule(
        "IBS-ADULT",
        "G",
        "IBS",
        "Age >= 18. P pain weekly+; A >= 2 of 3 pain associations; D symptoms >= 6 months.",
        "ibs.status met / not_met / incomplete (tri-state).",
        "Rome IV (Lacy 2016)",
    ),
    Rule(
        "IBS-PEDS",
        "G",
        "IBS",
        "Age 6-17. P pain weekly+; A >= 1 association; D >= 2 months; X pain does not resolve "
        "when constipation is treated.",
        "ibs.status met / not_met / incomplete (tri-state).",
        "Rome IV child/adolescent (Hyams 2016)",
    ),
    Rule(
        "IBS-SUBTYPE",
        "G",
        "IBS",
        "Only when met. h = % Bristol 1-2, l = % Bristol 6-7: C h>25 & l<25; D l>25 & h<25; "
        "M both >25; U otherwise; undetermined if missing or h+l>100.",
        "ibs.subtype; caveat when on laxatives or antidiarrhoeals.",
        "Rome IV; Bristol scale (Lewis & Heaton 1997)",
    ),
    Rule(
        "IBS-SSS",
        "G",
        "IBS",
        "All five items present: pain, pain days of 10 x 10, distension, dissatisfaction, "
        "interference.",
        "ibs.ibs_sss total 0-500; remission < 75, mild 75-174, moderate 175-300, severe > 300. "
        "Display only.",
        "Francis 1997",
    ),
    Rule(
        "PHQ-9",
        "G",
        "Mood",
        "All nine items present.",
        "phq9 total 0-27; none 0-4, mild 5-9, moderate 10-14, moderately_severe 15-19, "
        "severe 20-27. Only item 9 drives urgency (RF-12).",
        "Kroenke 2001",
    ),
    # §8.1 iron
    Rule(
        "IRON-1",
        "G",
        "Iron panel",
        "rls.status = met.",
        "iron_panel: order (ferritin, iron, TIBC, TSAT, CBC).",
        "AASM 2024 (Winkelman 2025); Silber 2021",
        "RLS criteria met: iron studies (ferritin and TSAT) are recommended in all RLS "
        "(AASM 2024; Silber 2021)",
    ),
    Rule(
        "IRON-2",
        "G",
        "Iron panel",
        "chronic_diarrhea.",
        "iron_panel: order.",
        "BSG 2018 (Arasaradnam)",
        "Chronic diarrhoea: full blood count and ferritin are part of the initial work-up "
        "(BSG 2018).",
    ),
    Rule(
        "IRON-3",
        "G",
        "Iron panel",
        "rls_on_treatment = yes and rls_treatment_meds holds dopamine_agonist, levodopa, "
        "gabapentinoid or opioid.",
        "iron_panel: order.",
        "AASM 2024 good-practice statement; IRLSSG/EURLSSG/RLS-F task force 2016; Silber 2021",
        "On RLS medication: iron studies (ferritin and TSAT) are recommended, and low iron "
        "raises the risk of augmentation (AASM 2024; IRLSSG 2016)",
    ),
    Rule(
        "IRON-S",
        "-",
        "Iron panel",
        "Result within IRON_LOOKBACK_DAYS (the last day included): ckd_dialysis, ferritin and "
        "TSAT both on file; otherwise adult ferritin <= 75, paediatric ferritin < 50, or both "
        "on file. Never with iv_iron_last_12wk = yes.",
        "Suppression: iron_panel becomes on_file; the §8.1 interpretation is shown when IRON-1 "
        "or IRON-3 fired. IV iron in the last 12 weeks: stays order, with the caveat to draw "
        "at least 8 weeks after the last dose (the 8-week wait is to be verified against the "
        "IRLSSG full text).",
        "AASM 2024; IRLSSG 2018",
    ),
    # §8.2 thyroid
    Rule(
        "THY-1",
        "G",
        "Thyroid",
        "chronic_diarrhea.",
        "thyroid: order (TSH, reflex free T4).",
        "BSG 2018",
        "Chronic diarrhoea: thyroid function is part of the initial work-up (BSG 2018).",
    ),
    Rule(
        "THY-2a",
        "G",
        "Thyroid",
        "neck_swelling, or >= 2 of the other listed thyroid symptoms.",
        "thyroid: order.",
        "ATA/AACE 2012 (Garber)",
        "Symptoms or signs of thyroid dysfunction: test TSH (ATA/AACE 2012).",
    ),
    Rule(
        "THY-2b",
        "G",
        "Thyroid",
        "t1dm, fhx_thyroid = yes, lithium, amiodarone or neck_irradiation (tier G); only "
        "another autoimmune condition (celiac_known, rheumatoid_arthritis, sjogren, "
        "scleroderma, other_autoimmune) gives tier P.",
        "thyroid: order. One rule id, one tier per evaluation.",
        "ATA/AACE 2012 case-finding in at-risk groups; P tier is the app's extrapolation",
        "A recognised risk factor for thyroid disease: case-finding TSH (ATA/AACE 2012).",
    ),
    Rule(
        "THY-3",
        "S",
        "Thyroid",
        "rls.status = met.",
        "thyroid: order.",
        "Clinic protocol; association data only",
        "RLS criteria are met: the clinic protocol checks thyroid function in RLS "
        "(association data only, not a guideline).",
    ),
    Rule(
        "THY-4",
        "P",
        "Thyroid",
        "hypothyroid, hyperthyroid or autoimmune_thyroid, or levothyroxine.",
        "thyroid: order.",
        "Routine monitoring of treated thyroid disease",
        "Known thyroid disease or levothyroxine: routine monitoring of thyroid function.",
    ),
    Rule(
        "THY-S",
        "-",
        "Thyroid",
        "TSH within TSH_LOOKBACK_DAYS and THY-2a did not fire.",
        "Suppression: thyroid becomes on_file. New symptoms always re-flag.",
        "Practice",
    ),
    # §8.3 celiac
    Rule(
        "CEL-1",
        "G",
        "Celiac serology",
        "(adult and ibs.status = met) or chronic_diarrhea.",
        "celiac: order (tTG-IgA + total IgA), then modifiers M1-M5.",
        "ACG 2021 IBS; AGA 2019; NICE NG20",
        "IBS symptom criteria met or chronic diarrhoea: coeliac serology is recommended "
        "(ACG 2021; AGA 2019; NICE NG20).",
    ),
    Rule(
        "CEL-2",
        "G",
        "Celiac serology",
        "iron_deficiency_known, or the latest ferritin within CELIAC_LOOKBACK_DAYS < 30.",
        "celiac: order, then modifiers.",
        "NICE NG20; AGA 2020 IDA; ACG 2023",
        "Iron deficiency: non-invasive coeliac testing is recommended (NICE NG20; AGA 2020).",
    ),
    Rule(
        "CEL-3",
        "G",
        "Celiac serology",
        "gi_symptomatic, unintentional_weight_loss, fhx_celiac = yes, t1dm or autoimmune_thyroid.",
        "celiac: order, then modifiers.",
        "NICE NG20; ACG 2023",
        "Persistent gut symptoms or a recognised coeliac risk factor: offer coeliac serology "
        "(NICE NG20).",
    ),
    Rule(
        "CEL-5",
        "G",
        "Celiac serology",
        "A positive tTG-IgA within CELIAC_LOOKBACK_DAYS.",
        "celiac: positive_on_file (modifier M1b).",
        "ACG 2023",
        "Positive tTG-IgA on file: refer for upper endoscopy with duodenal biopsies while on "
        "gluten (ACG 2023).",
    ),
    Rule(
        "CEL-4",
        "S",
        "Celiac serology",
        "rls.status = met.",
        "celiac: order (celiac serology, never IgG food panels).",
        "Clinic protocol; Weinstock 2010, Moccia 2010 (observational)",
        "RLS criteria are met: the clinic protocol screens for coeliac disease in RLS "
        "(observational support only, not a guideline).",
    ),
    Rule(
        "CEL-M1",
        "-",
        "Celiac serology",
        "celiac_known.",
        "Modifier 1: not_indicated_known_celiac.",
        "ACG 2023",
    ),
    Rule(
        "CEL-M1b",
        "-",
        "Celiac serology",
        "A positive tTG-IgA within CELIAC_LOOKBACK_DAYS.",
        "Modifier 1b: positive_on_file (raised), caveat: refer for biopsy (adult) or to "
        "paediatric gastroenterology (under 18), do not repeat the serology; with little or no "
        "gluten now, a supervised gluten challenge first.",
        "ACG 2023",
    ),
    Rule(
        "CEL-M2",
        "-",
        "Celiac serology",
        "tTG-IgA neg and total IgA normal, each within CELIAC_LOOKBACK_DAYS, taken on gluten.",
        "Modifier 2: on_file.",
        "ACG 2023; NICE NG20",
    ),
    Rule(
        "CEL-M3",
        "-",
        "Celiac serology",
        "gluten_intake less_than_daily or gluten_free.",
        "Modifier 3: deferred_low_gluten, with the gluten challenge / HLA-DQ2/DQ8 options.",
        "NICE NG20; ACG 2023",
    ),
    Rule(
        "CEL-M4",
        "-",
        "Celiac serology",
        "iga_deficiency.",
        "Modifier 4: order_igg_based (DGP-IgG and/or tTG-IgG).",
        "ACG 2023",
    ),
    Rule(
        "CEL-M5",
        "-",
        "Celiac serology",
        "gluten_intake unknown.",
        "Modifier 5: order, caveat 'confirm gluten intake before the blood draw'.",
        "NICE NG20",
    ),
    # §8.4 stool
    Rule(
        "STOOL-1",
        "G",
        "Stool",
        "chronic_diarrhea.",
        "components: calprotectin, giardia.",
        "AGA 2019; ACG 2021; BSG 2018; NICE DG11",
        "Chronic diarrhoea: faecal calprotectin to separate inflammatory bowel disease from "
        "IBS, and Giardia testing (AGA 2019).",
    ),
    Rule(
        "STOOL-2",
        "G",
        "Stool",
        "chronic_diarrhea and travel_high_risk_12mo.",
        "components: ova_and_parasites.",
        "AGA 2019",
        "Chronic diarrhoea after travel to or from a high-risk region: ova and parasites "
        "(AGA 2019).",
    ),
    Rule(
        "STOOL-3",
        "P",
        "Stool",
        "loose_stools_4wk and antibiotics_last_3mo.",
        "components: c_difficile.",
        "IDSA/SHEA 2017 testing principles",
        "Loose stools after recent antibiotics: test for C. difficile (IDSA/SHEA).",
    ),
    Rule(
        "STOOL-4",
        "G",
        "Stool",
        "greasy_floating_stools or chronic_pancreatitis.",
        "components: elastase.",
        "AGA EPI update 2023 (Whitcomb)",
        "Pale, greasy stools or chronic pancreatitis: faecal elastase for exocrine pancreatic "
        "insufficiency (AGA 2023).",
    ),
    Rule(
        "STOOL-5",
        "S",
        "Stool",
        "rls.status = met and gi_symptomatic.",
        "components: comprehensive_panel.",
        "Clinic protocol ('RLS and IBS' article)",
        "RLS criteria are met with gut symptoms: the clinic protocol's comprehensive stool "
        "panel (its microbiome and permeability markers are unvalidated).",
    ),
    # §8.5 SIBO
    Rule(
        "SIBO-1",
        "GW",
        "SIBO breath test",
        "adult and ibs.status = met.",
        "sibo_breath: consider (glucose or lactulose, H2 and CH4; optional).",
        "ACG 2020 (Pimentel), conditional, very low certainty",
        "IBS symptom criteria are met: a breath test may be considered (ACG 2020, conditional, "
        "very low certainty).",
    ),
    Rule(
        "SIBO-2",
        "GW",
        "SIBO breath test",
        "sibo_symptoms and prior_luminal_gi_surgery, bariatric_surgery, gastroparesis, "
        "scleroderma, intestinal_pseudo_obstruction or other_motility_disorder.",
        "sibo_breath: consider.",
        "ACG 2020",
        "Gut symptoms with a motility disorder or previous luminal surgery: breath testing "
        "is suggested (ACG 2020).",
    ),
    Rule(
        "SIBO-3",
        "GW",
        "SIBO breath test",
        "chronic_constipation and (bloating weekly+ or abdominal pain weekly+).",
        "sibo_breath: consider (methane).",
        "ACG 2020",
        "Constipation with bloating or abdominal pain: methane breath testing is suggested "
        "(ACG 2020).",
    ),
    Rule(
        "SIBO-4",
        "S",
        "SIBO breath test",
        "rls.status = met and sibo_symptoms.",
        "sibo_breath: consider.",
        "Clinic protocol; Weinstock & Walters 2011 (n = 32)",
        "RLS criteria are met with gut symptoms: the clinic protocol offers a SIBO breath test "
        "(one small study, not a guideline).",
    ),
    Rule(
        "SIBO-X",
        "G",
        "SIBO breath test",
        "PPI use without sibo_symptoms.",
        "Constraint: never triggers a breath test.",
        "ACG 2020",
    ),
    Rule(
        "SIBO-M",
        "P",
        "SIBO breath test",
        "1. age < 18; 2. pregnant_eff; 3. antibiotics in the last 4 weeks.",
        "1. not_applicable_pediatric whatever fired; 2. deferred_pregnancy; 3. consider (never "
        "order: R3-10), with the timing note 'schedule >= 4 weeks after the last antibiotic "
        "dose' after recent antibiotics.",
        "North American Consensus 2017",
    ),
    # §9 red flags (urgent: review within one working day; emergency and crisis: now)
    Rule(
        "RF-1",
        "G",
        "Red flag",
        "rectal_bleeding = yes.",
        "urgent.",
        "Rome IV / ACG 2021 alarm feature",
        "Rectal bleeding reported: GI bleeding needs prompt evaluation.",
    ),
    Rule(
        "RF-2",
        "G",
        "Red flag",
        "black_stools = yes.",
        "urgent.",
        "Alarm feature",
        "Black stools reported: possible upper GI bleeding (melaena).",
    ),
    Rule(
        "RF-3",
        "G",
        "Red flag",
        "unintentional_weight_loss = yes.",
        "urgent.",
        "Rome IV; ACG 2021; NICE",
        "Unintentional weight loss of 5% or more in six months: an alarm feature.",
    ),
    Rule(
        "RF-4",
        "G",
        "Red flag",
        "nocturnal_diarrhea = yes.",
        "urgent.",
        "Alarm feature",
        "Diarrhoea that wakes the patient at night suggests organic disease.",
    ),
    Rule(
        "RF-5",
        "G",
        "Red flag",
        "gi_symptomatic and onset age (age - duration/12) >= 50; missing duration at age >= 50 "
        "counts as onset >= 50.",
        "urgent.",
        "Rome IV (ACG 2021 uses 45)",
        "Bowel symptoms that began at age 50 or later: an alarm feature.",
    ),
    Rule(
        "RF-6",
        "G",
        "Red flag",
        "gi_symptomatic and (fhx_crc = yes or fhx_ibd = yes).",
        "urgent.",
        "Rome IV / ACG alarm list",
        "Gut symptoms with a family history of colorectal cancer or IBD: an alarm feature.",
    ),
    Rule(
        "RF-7",
        "G",
        "Red flag",
        "anemia_recent_unexplained = yes, and not pregnant_eff, and not (ckd_dialysis without "
        "gi_symptomatic), and (sex male or other, age >= 50, or gi_symptomatic).",
        "urgent.",
        "AGA 2020; BSG 2021 IDA guideline",
        "Recent unexplained anaemia in a patient at risk of a GI cause: GI evaluation is "
        "needed (AGA 2020; BSG 2021).",
    ),
    Rule(
        "RF-8",
        "G",
        "Red flag",
        "fever_with_gi = yes.",
        "urgent.",
        "Alarm feature",
        "Fever with gut symptoms: possible infection or inflammatory disease.",
    ),
    Rule(
        "RF-9",
        "G",
        "Red flag",
        "persistent_vomiting = yes or dysphagia = yes.",
        "urgent.",
        "Upper-GI alarm features",
        "Persistent vomiting or difficulty swallowing: an upper-GI alarm feature.",
    ),
    Rule(
        "RF-10",
        "G",
        "Red flag",
        "leg_weakness_progressive, saddle_numbness, new_bladder_bowel_control_loss or "
        "new_spreading_numbness = yes (each new in the last 4 weeks).",
        "urgent and emergency: the patient is told at once to seek emergency care.",
        "Neurological alarm features; never an RLS feature",
        "Emergency: a new neurological symptom of the legs or pelvis: possible cord or cauda "
        "equina compression, or an acute neuropathy.",
    ),
    Rule(
        "RF-11",
        "G",
        "Red flag",
        "unilateral_calf_swelling_pain = yes (in the last 2 weeks).",
        "urgent and emergency.",
        "DVT mimic",
        "Emergency: one calf or leg newly swollen, painful or tender: possible deep vein "
        "thrombosis.",
    ),
    Rule(
        "RF-12",
        "G",
        "Red flag",
        "PHQ-9 item 9 >= 1, or self_harm_thoughts = yes.",
        "urgent and crisis: crisis "
        "resources shown to the patient at once; on-call clinician paged.",
        "PHQ-9 (Kroenke 2001)",
        "Thoughts of self-harm or of being better off dead reported: crisis pathway.",
    ),
    Rule(
        "RF-13",
        "G",
        "Red flag",
        "vomiting_blood = yes (in the last 7 days).",
        "urgent and emergency.",
        "Upper GI bleed",
        "Emergency: vomited blood or coffee-ground material in the last 7 days: possible upper "
        "GI bleeding.",
    ),
    Rule(
        "RF-14",
        "G",
        "Red flag",
        "bleeding_now_or_faint = yes (asked after rectal bleeding or black stools).",
        "urgent and emergency.",
        "Active GI bleeding",
        "Emergency: bleeding or black stools in the last 48 hours, or faint on standing: "
        "possible active bleeding.",
    ),
    Rule(
        "RF-15",
        "G",
        "Red flag",
        "clot_chest_symptoms = yes (asked after a swollen calf).",
        "urgent and emergency (call the emergency number now).",
        "Possible pulmonary embolism",
        "Emergency: new breathlessness, chest pain or coughing up blood with a swollen calf: "
        "possible pulmonary embolism.",
    ),
    Rule(
        "RF-16",
        "G",
        "Red flag",
        "vomiting_green_or_no_fluids = yes (asked after persistent vomiting).",
        "urgent and emergency.",
        "Possible obstruction or dehydration",
        "Emergency: green vomit, or no fluids kept down for 24 hours (12 in a child): possible "
        "obstruction or dehydration.",
    ),
    Rule(
        "RF-U",
        "P",
        "Red flag",
        "An RF-10, RF-11 or RF-13..RF-16 item, or self_harm_thoughts, answered unsure.",
        "urgent (neither emergency nor crisis); the patient sees the emergency advice (crisis "
        "resources for self_harm_thoughts) and the case is listed for contact today.",
        "Practice (safety first)",
        "Answered Not sure to an emergency-level question: contact the patient today",
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}

# THY-2b carries tier P, with its own wording, when only "other autoimmune" conditions fired it.
THY_2B_EXTRAPOLATED_REASON = (
    "Autoimmune condition: TSH case-finding, extrapolated from the ATA/AACE 2012 at-risk groups "
    "(practice-based)."
)


def fired(
    rule_id: str,
    because: tuple[tuple[str, object], ...],
    tier: str | None = None,
    reason: str | None = None,
) -> dict[str, object]:
    """The output record of a fired rule (spec §0): {"rule", "tier", "reason", "because"}, a new
    dict on every call. `because` lists the answers that made it fire (R3-13, R3-24)."""
    rule = RULES_BY_ID[rule_id]
    return {
        "rule": rule_id,
        "tier": tier or rule.tier,
        "reason": reason or rule.reason,
        "because": [{"key": key, "value": value} for key, value in because],
    }


def render_markdown() -> str:
    """The rules tables of docs/clinical-rules.md: the guideline and practice rules first, then
    the clinic-protocol (tier S) rules in a block of their own, so a clinician signing them off
    sees them apart."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    header = [
        "| Rule | Tier | Area | Trigger | Effect | Source | Reason shown to the practitioner |",
        "|---|---|---|---|---|---|---|",
    ]

    def rows(rules) -> list[str]:
        return [
            f"| {rule.id} | {rule.tier} | {rule.area} | {cell(rule.trigger)} | "
            f"{cell(rule.effect)} | {cell(rule.source)} | {cell(rule.reason) or '-'} |"
            for rule in rules
        ]

    lines = [
        f"Ruleset version: **{RULESET_VERSION}**",
        "",
        "### Guideline and practice rules",
        "",
        *header,
        *rows(rule for rule in RULES if rule.tier != "S"),
        "",
        "### Clinic-protocol rules (tier S)",
        "",
        "Not guidelines: they come from the clinic's source articles and are backed at most by "
        "small observational studies. They fire for adults only (age 18 or over) and only while "
        '`ENABLE_CLINIC_PROTOCOL_RULES` is on; the case page labels them "clinic protocol".',
        "",
        *header,
        *rows(rule for rule in RULES if rule.tier == "S"),
    ]
    return "\n".join(lines) + "\n"

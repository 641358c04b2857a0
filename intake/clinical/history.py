"""Conditions associated with RLS (spec §6) and aggravating medicines and substances (§7).

Both are shown to the practitioner as context; neither triggers a test flag.
"""

from __future__ import annotations

from .answers import Answers

# (association id, label, condition keys that show it, evidence) in the order of §6.
ASSOCIATIONS = (
    (
        "iron_deficiency",
        "Iron deficiency or anaemia",
        ("iron_deficiency_known", "anemia_known"),
        "23.9% clinically significant RLS in iron-deficiency anaemia, 9x the general population "
        "(Allen, Am J Hematol 2013).",
    ),
    (
        "pregnancy",
        "Pregnancy",
        (),
        "21% pooled; 8%, 16%, 22% by trimester (Chen, Sleep Med Rev 2018).",
    ),
    (
        "ckd_dialysis",
        "Kidney failure on dialysis",
        ("ckd_dialysis",),
        "About 25-30% (meta-analyses).",
    ),
    ("ms", "Multiple sclerosis", ("ms",), "26% pooled; OR about 4 (Sleep Med 2018)."),
    ("parkinsons", "Parkinson's disease", ("parkinsons",), "14% pooled; OR 2.9 (Yang 2018)."),
    (
        "neuropathy_diabetes",
        "Peripheral neuropathy or diabetes",
        ("peripheral_neuropathy", "t1dm", "t2dm"),
        "Raised about 2-3x in case-control studies. Neuropathy is also a mimic: check C5.",
    ),
    (
        "crohns",
        "Crohn's disease",
        ("crohns",),
        "30.2% vs 9% (Weinstock, Inflamm Bowel Dis 2010); 25.7% vs 12.5% (Hoek 2015).",
    ),
    (
        "celiac",
        "Coeliac disease",
        ("celiac_known",),
        "25% vs 10% (Weinstock, Dig Dis Sci 2010); 31% vs 4% (Moccia 2010).",
    ),
    (
        "ibs",
        "IBS",
        ("ibs_diagnosed",),
        "IBS in 28% of RLS vs 4% of controls; SIBO 69% vs 28%, n = 32 (Weinstock & Walters 2011).",
    ),
    (
        "thyroid",
        "Thyroid disease",
        ("hypothyroid", "hyperthyroid", "autoimmune_thyroid"),
        "RLS in 14.3% of hypothyroid people vs 8.1% (J Sleep Res 2020 registry; Tan 2004).",
    ),
    (
        "rheumatoid_arthritis",
        "Rheumatoid arthritis",
        ("rheumatoid_arthritis",),
        "Roughly 25-30% in clinic series.",
    ),
    ("sjogren", "Sjögren's syndrome", ("sjogren",), "Raised in small clinic series."),
    ("fibromyalgia", "Fibromyalgia", ("fibromyalgia",), "Raised in small clinic series."),
    (
        "osa",
        "Obstructive sleep apnoea",
        ("osa",),
        "Raised in small clinic series; untreated OSA worsens RLS.",
    ),
)

PRESCRIBER_ADVICE = "review with prescriber — do not stop medicines yourself"  # §7, verbatim
AGGRAVATING_MEDICATIONS = (
    ("sedating_antihistamine", "Sedating antihistamine"),
    (
        "antiemetic_dopamine_antagonist",
        "Dopamine-blocking antiemetic (also causes akathisia, a mimic)",
    ),
    ("antipsychotic", "Antipsychotic (also causes akathisia, a mimic)"),
    ("ssri", "SSRI antidepressant"),
    ("snri", "SNRI antidepressant"),
    ("tca", "Tricyclic antidepressant"),
    ("mirtazapine", "Mirtazapine (strongest signal among antidepressants)"),
    ("lithium", "Lithium"),
)
# bupropion is deliberately absent: not an aggravator, often preferred in RLS (§7).


# The output records, made once and shared: Assessment.as_dict() copies them.
_ASSOCIATION_RECORDS = tuple(
    {"condition": key, "label": label, "evidence": evidence}
    for key, label, _keys, evidence in ASSOCIATIONS
)
# Position in ASSOCIATIONS of each association, and of the one each condition shows: a patient
# has few conditions, so looking them up beats testing every association.
_ASSOCIATION_POSITION = {key: position for position, (key, *_rest) in enumerate(ASSOCIATIONS)}
_POSITION_BY_CONDITION = {
    condition: position
    for position, (_key, _label, keys, _evidence) in enumerate(ASSOCIATIONS)
    for condition in keys
}
if len(_POSITION_BY_CONDITION) != sum(len(keys) for _k, _l, keys, _e in ASSOCIATIONS):
    raise AssertionError("a condition may show one association at most")  # a table typo
_MEDICATION_RECORDS = tuple(
    (key, {"item": key, "label": label, "kind": "medication", "advice": PRESCRIBER_ADVICE})
    for key, label in AGGRAVATING_MEDICATIONS
)
_AGGRAVATING_MEDICATION_KEYS = frozenset(key for key, _label in AGGRAVATING_MEDICATIONS)
_SUBSTANCE_RECORDS = {
    key: {"item": key, "label": label, "kind": "substance", "advice": "Modifiable factor."}
    for key, label in (("caffeine", "Caffeine"), ("alcohol", "Alcohol"), ("nicotine", "Nicotine"))
}


def associations(
    answers: Answers, *, pregnant: bool, iron_deficient_lab: bool, ibs_met: bool
) -> list[dict[str, str]]:
    shown = set()  # positions in ASSOCIATIONS
    for condition in answers.get("conditions") or ():
        position = _POSITION_BY_CONDITION.get(condition)
        if position is not None:
            shown.add(position)
    if iron_deficient_lab:
        shown.add(_ASSOCIATION_POSITION["iron_deficiency"])
    if pregnant:
        shown.add(_ASSOCIATION_POSITION["pregnancy"])
    if ibs_met:
        shown.add(_ASSOCIATION_POSITION["ibs"])
    if not shown:
        return []
    found = []  # a plain loop: a comprehension is one more call (CPython 3.11)
    for position in sorted(shown):  # in §6 order
        found.append(_ASSOCIATION_RECORDS[position])
    return found


def aggravators(answers: Answers) -> list[dict[str, str]]:
    medications = answers.get("medications")
    found = []
    if medications and not medications.isdisjoint(_AGGRAVATING_MEDICATION_KEYS):
        for key, record in _MEDICATION_RECORDS:
            if key in medications:
                found.append(record)
    if (answers.get("caffeine_cups_per_day") or 0) >= 1:
        found.append(_SUBSTANCE_RECORDS["caffeine"])
    if (answers.get("alcohol_units_per_week") or 0) >= 1:
        found.append(_SUBSTANCE_RECORDS["alcohol"])
    if answers.get("nicotine") == "yes":
        found.append(_SUBSTANCE_RECORDS["nicotine"])
    return found

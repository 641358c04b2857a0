"""Cases whose assessment is a result written out by hand (clinical-spec §11), for the pages
that show it: one as revision 3's rules give it (with `because`, emergency, cautions, the
"Not sure" list), one as rules 2026.2 stored it. The pages must show each as it is."""

from __future__ import annotations

import copy
from typing import Any

from intake import clinical, demo, services
from intake.models import Assessment, Intake, TestRecommendation
from tests.cases import RLS_AND_DIARRHOEA
from tests.conftest import open_invitation

NEW_VERSION = "2026.3"

# Revision 3's shape: every fired rule and red-flag reason says why for this patient.
IV_IRON_CAVEAT = (
    "IV iron in the last 12 weeks: results drawn within about 8 weeks of an infusion are falsely "
    "high, and results drawn before it are out of date. Draw at least 8 weeks after the last dose."
)
POSITIVE_TTG_CAVEAT = (
    "positive tTG-IgA on file: refer to gastroenterology for duodenal biopsy while still eating "
    "gluten; do not repeat the serology"
)
REVISION_3: dict[str, Any] = {
    "assessment_status": "complete",
    "rls": {
        "status": "met",
        "criteria": {"C1": "T", "C2": "T", "C3": "T", "C4": "T", "C5": "T"},
        "failed": [],
        "unknown": [],
        "course": "chronic_persistent",
        "clinically_significant": True,
        "riss": {"days_per_week": 5, "onset_grade": 2, "impact": "moderate"},
        "irls": {"total": None, "band": None},
        "augmentation_suspected": False,
        "cautions": [
            {
                "id": "possible_akathisia",
                "text": "Akathisia from this medicine can look like RLS: restlessness of the "
                "whole body, less tied to evening or rest — practitioner to confirm",
            },
            {
                "id": "coexisting_mimic",
                "condition": "varicose_veins",
                "text": "Varicose veins can cause leg symptoms like RLS; the criteria require "
                "that it does not fully explain them — practitioner to confirm",
            },
        ],
    },
    "ibs": {
        "status": "incomplete",
        "variant": "adult",
        "subtype": None,
        "alarm_features_present": True,
        "notes": ["treat_constipation_first"],
        "ibs_sss": {"total": None, "band": None},
    },
    "phq9": {"total": 3, "band": "none", "item9": 0},
    "flags": {
        "thyroid": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "THY-1",
                    "tier": "G",
                    "reason": "Chronic diarrhoea: thyroid function is part of the initial "
                    "work-up (BSG 2018).",
                    "because": [
                        {"key": "chronic_diarrhea", "value": True},
                        {"key": "loose_stools_4wk", "value": "yes"},
                    ],
                },
                {
                    "rule": "THY-2b",
                    "tier": "G",
                    "reason": "Higher risk of thyroid disease: case-finding TSH (ATA/AACE 2012).",
                    "because": [{"key": "fhx_thyroid", "value": "yes"}],
                },
            ],
        },
        "iron_panel": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "IRON-1",
                    "tier": "G",
                    "reason": "RLS criteria met: iron studies (ferritin and TSAT) are recommended "
                    "in all RLS (AASM 2024; Silber 2021)",
                    "because": [{"key": "rls.status", "value": "met"}],
                },
                {
                    "rule": "IRON-3",
                    "tier": "G",
                    "reason": "On RLS medication: iron studies (ferritin and TSAT) are "
                    "recommended, and low iron raises the risk of augmentation (AASM 2024; "
                    "IRLSSG 2016)",
                    "because": [
                        {"key": "rls_on_treatment", "value": "yes"},
                        {"key": "rls_treatment_meds", "value": "dopamine_agonist"},
                    ],
                },
            ],
            "interpretation": None,
            "context": ["heavy_menstrual_bleeding", "iv_iron_last_12wk"],
            "caveat": IV_IRON_CAVEAT,
        },
        "celiac": {
            "value": "positive_on_file",
            "rules_fired": [
                {
                    "rule": "CEL-5",
                    "tier": "G",
                    "reason": "A positive tTG-IgA is on file.",
                    "because": [{"key": "prior_labs.ttg_iga", "value": "pos"}],
                }
            ],
            "caveat": POSITIVE_TTG_CAVEAT,
        },
        "stool": {"value": "no", "components": [], "rules_fired": []},
        "sibo_breath": {
            "value": "consider",
            "rules_fired": [
                {
                    "rule": "SIBO-2",
                    "tier": "GW",
                    "reason": "Gut symptoms after bowel surgery: a breath test may be considered "
                    "(ACG 2020).",
                    "because": [
                        {"key": "sibo_symptoms", "value": True},
                        {"key": "loose_stools_4wk", "value": "yes"},
                        {"key": "conditions", "value": "prior_luminal_gi_surgery"},
                    ],
                }
            ],
            "timing_note": None,
        },
    },
    "urgent": {
        "value": True,
        "reasons": [
            {
                "rule": "RF-2",
                "tier": "G",
                "reason": "Black, tarry stools: possible upper GI bleed.",
                "because": [
                    {"key": "black_stools", "value": "yes"},
                    {"key": "medications", "value": "iron_supplement"},
                ],
            },
            {
                "rule": "RF-5",
                "tier": "P",
                "reason": "New bowel symptoms at 50 or over.",
                "because": [
                    {"key": "gi_symptomatic", "value": True},
                    {"key": "loose_stools_4wk", "value": "yes"},
                    {"key": "gi_symptom_duration_months", "value": None},
                ],
            },
            {
                "rule": "RF-10",
                "tier": "G",
                "reason": "Possible cord or cauda equina compression.",
                "because": [{"key": "saddle_numbness", "value": "yes"}],
            },
        ],
        "crisis": False,
        "emergency": True,
    },
    "associations": [],
    "aggravators": [],
    "data_quality": {
        "missing": [],
        "conflicts": [],
        "unsure_red_flags": ["fever_with_gi"],
    },
}

# As rules 2026.2 stored it: no `because`, no tier on red flags, SIBO "order", no emergency,
# cautions, notes, iron context or unsure list.
RULES_2026_2: dict[str, Any] = {
    "assessment_status": "complete",
    "rls": {
        "status": "met",
        "criteria": {"C1": "T", "C2": "T", "C3": "T", "C4": "T", "C5": "T"},
        "failed": [],
        "unknown": [],
        "course": "unclassified",
        "clinically_significant": None,
        "riss": {"days_per_week": None, "onset_grade": None, "impact": None},
        "irls": {"total": None, "band": None},
        "augmentation_suspected": False,
    },
    "ibs": {
        "status": "incomplete",
        "variant": "adult",
        "subtype": None,
        "alarm_features_present": True,
        "ibs_sss": {"total": None, "band": None},
    },
    "phq9": {"total": 1, "band": "none", "item9": 1},
    "flags": {
        "thyroid": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "THY-1",
                    "tier": "G",
                    "reason": "Chronic diarrhoea: thyroid function is part of the initial "
                    "work-up (BSG 2018).",
                }
            ],
        },
        "iron_panel": {
            "value": "on_file",
            "rules_fired": [
                {
                    "rule": "IRON-1",
                    "tier": "G",
                    "reason": "RLS criteria are met: ferritin and transferrin saturation should "
                    "be checked in clinically significant RLS (AASM 2024).",
                }
            ],
            "interpretation": {"text": "Ferritin 60: oral or IV iron candidate."},
        },
        "celiac": {"value": "no", "rules_fired": [], "caveat": None},
        "stool": {"value": "no", "components": [], "rules_fired": []},
        "sibo_breath": {
            "value": "order",
            "rules_fired": [
                {
                    "rule": "SIBO-4",
                    "tier": "S",
                    "reason": "RLS criteria are met with gut symptoms: the clinic protocol offers "
                    "a SIBO breath test (one small study, not a guideline).",
                }
            ],
            "timing_note": None,
        },
    },
    "urgent": {
        "value": True,
        "reasons": [
            {
                "rule": "RF-1",
                "reason": "Rectal bleeding reported: GI bleeding needs prompt evaluation.",
            },
            {
                "rule": "RF-12",
                "reason": "Thoughts of self-harm or of being better off dead reported: crisis "
                "pathway.",
            },
        ],
        "crisis": True,
    },
    "associations": [],
    "aggravators": [],
    "data_quality": {"missing": [], "conflicts": []},
}
# What rules 2026.2 raised (services.RAISED_FLAG_VALUES then).
RAISED_2026_2 = frozenset({"order", "order_igg_based"})


class EngineResult:
    """Stands in for the engine's Assessment (its contract, common to every revision-3 caller)
    with a result written out by hand."""

    def __init__(self, data: dict[str, Any], version: str) -> None:
        self._data = data
        self.ruleset_version = version
        self.notes: list[dict[str, str]] = []
        urgent = data["urgent"]
        unsure = [
            entry["key"]
            for reason in urgent["reasons"]
            if reason["rule"] == "RF-U"
            for entry in reason.get("because", [])
        ]
        self.urgent = urgent["value"]
        self.crisis = urgent["crisis"]
        self.emergency = urgent.get("emergency", False)
        self.unsure_crisis = "self_harm_thoughts" in unsure
        self.unsure_emergency = any(key != "self_harm_thoughts" for key in unsure)

    def as_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)


def case_under_revision_3(
    monkeypatch, result: dict[str, Any] | None = None, *, name: str = "Casey Case", **answers
) -> Intake:
    """A case submitted through the real services, the engine giving `result` (default
    REVISION_3) at submission; the steps are saved with the real engine."""
    data = REVISION_3 if result is None else result
    invitation, _token = open_invitation(name=name)
    draft = demo.answer_all(invitation.intake, {**RLS_AND_DIARRHOEA, **answers})
    with monkeypatch.context() as patch:
        patch.setattr(
            clinical, "evaluate", lambda answers, **_settings: EngineResult(data, NEW_VERSION)
        )
        return services.submit_intake(intake_id=draft.pk)


def case_stored_under_2026_2(monkeypatch, result: dict[str, Any] | None = None, **kwargs) -> Intake:
    """A case whose assessment and recommendations are as rules 2026.2 left them in the
    database."""
    return case_with_stored_result(
        monkeypatch, RULES_2026_2 if result is None else result, version="2026.2", **kwargs
    )


def case_with_stored_result(
    monkeypatch, result: dict[str, Any], *, version: str, **kwargs
) -> Intake:
    """A case whose current assessment holds `result` as stored, whatever it holds (written to
    the row directly: today's services would not make it), with the recommendations that
    rules before revision 3 made from it."""
    data = copy.deepcopy(result)
    intake = case_under_revision_3(monkeypatch, **kwargs)
    assessment = intake.current_assessment
    Assessment.objects.filter(pk=assessment.pk).update(ruleset_version=version, result=data)
    TestRecommendation.objects.filter(assessment=assessment).delete()
    TestRecommendation.objects.bulk_create(
        TestRecommendation(
            intake=intake,
            assessment=assessment,
            test=test,
            value=flag["value"],
            rules=flag["rules_fired"],
            detail={k: v for k, v in flag.items() if k not in ("value", "rules_fired")},
        )
        for test, flag in data["flags"].items()
        if flag["value"] in RAISED_2026_2
    )
    Intake.objects.filter(pk=intake.pk).update(
        urgent=data["urgent"]["value"], crisis=data["urgent"]["crisis"]
    )
    intake.refresh_from_db()
    return intake

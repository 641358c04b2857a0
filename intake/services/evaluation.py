"""The intake in the engine's terms, and the engine's result as rows.

This module is the only caller of the engine (`clinical.evaluate`, `clinical.urgent`): it
turns an Intake into the engine's answers and the engine's Assessment into an Assessment row
and its recommendations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from intake import clinical
from intake.enums import TestKind
from intake.models import Assessment, Intake, TestRecommendation
from intake.services.common import age_on

__all__ = [
    "RAISED_FLAG_VALUES",
    "engine_settings",
    "engine_answers",
    "urgent_for_intake",
    "store_assessment",
]


RAISED_FLAG_VALUES = frozenset({"order", "order_igg_based", "positive_on_file", "consider"})  # §8


def engine_settings() -> dict[str, Any]:
    return {
        "protocol_rules": settings.ENABLE_CLINIC_PROTOCOL_RULES,
        "irls_licensed": settings.IRLS_LICENSED,
        "iron_lookback_days": settings.IRON_LOOKBACK_DAYS,
        "tsh_lookback_days": settings.TSH_LOOKBACK_DAYS,
        "celiac_lookback_days": settings.CELIAC_LOOKBACK_DAYS,
        "min_age": settings.MIN_AGE,
    }


def engine_answers(intake: Intake, *, on: dt.date) -> dict[str, Any]:
    """The stored answers in the engine's terms: age on the day, lab dates as days ago."""
    answers = {key: value for key, value in intake.answers.items() if key != "prior_labs"}
    answers["age_years"] = age_on(intake.patient.date_of_birth, on)
    if answers.get("antibiotics_last_3mo") == "no":
        # The questionnaire asks about the last 4 weeks only after antibiotics in the last 3
        # months; "none in 3 months" answers it.
        answers["antibiotics_last_4wk"] = "no"
    labs = []
    # The results the practitioner entered on the case (the newest entry first), then the
    # patient's own: the engine takes the first of a day's results (§2.4), so a result the
    # clinic entered for the same day as one the patient typed is the one interpreted. A draft
    # has none (services.record_results takes submitted cases only): not asked for on every
    # save the patient makes.
    clinic_rows = (
        [
            {
                "test": r.test,
                "value": r.value,
                "unit": r.unit or None,
                "taken_on": r.taken_on.isoformat(),
            }
            for r in intake.lab_results.all()
        ]
        if intake.pk and not intake.is_draft
        else []
    )
    for row in [*clinic_rows, *(intake.answers.get("prior_labs") or ())]:
        taken_on = dt.date.fromisoformat(row["taken_on"])
        labs.append(
            {
                "test": row["test"],
                "value": row["value"],
                "unit": row["unit"],
                "days_ago": max((on - taken_on).days, 0),
            }
        )
    if labs:
        answers["prior_labs"] = labs
    return answers


def urgent_for_intake(intake: Intake, *, on: dt.date) -> clinical.RedFlagResult:
    """The red flags alone, as store_assessment's evaluation would find them on the day `on`
    (clinical.urgent, with the same answers and settings), stored nowhere: for asking on every
    save, while the patient types, whether the answers call for help now."""
    return clinical.urgent(engine_answers(intake, on=on), min_age=engine_settings()["min_age"])


def store_assessment(intake: Intake, *, kind: str, created_by=None, on: dt.date) -> Assessment:
    answers = engine_answers(intake, on=on)
    result = clinical.evaluate(answers, **engine_settings())
    data = result.as_dict()
    assessment = Assessment.objects.create(
        intake=intake,
        kind=kind,
        ruleset_version=result.ruleset_version,
        engine_answers=answers,
        result=data,
        notes=result.notes,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    recommendations = []
    for test in TestKind.values:
        flag = data["flags"][test]
        if flag["value"] not in RAISED_FLAG_VALUES:
            continue
        detail = {key: value for key, value in flag.items() if key not in ("value", "rules_fired")}
        recommendations.append(
            TestRecommendation(
                intake=intake,
                assessment=assessment,
                test=test,
                value=flag["value"],
                rules=flag["rules_fired"],
                detail=detail,
            )
        )
    TestRecommendation.objects.bulk_create(recommendations)
    intake.current_assessment = assessment
    intake.urgent = data["urgent"]["value"]
    intake.crisis = data["urgent"]["crisis"]
    intake.emergency = data["urgent"]["emergency"]
    intake.rls_status = data["rls"]["status"]
    intake.ibs_status = data["ibs"]["status"]
    return assessment

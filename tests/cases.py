"""Submitted cases for staff-side tests, made through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from intake import demo
from intake.models import Intake
from tests.conftest import open_invitation

RLS_AND_DIARRHOEA: dict[str, Any] = {
    "sex_at_birth": "female",
    "pregnant": "no",
    **demo.RLS_YES,
    **demo.QUIET_GUT,
    "loose_stools_4wk": "yes",
    **demo.HISTORY,
    **demo.NO_RED_FLAGS,
    **demo.CALM_MOOD,
}


def submitted_case(
    *, name: str = "Casey Case", born: dt.date = dt.date(1980, 4, 23), **answers: Any
) -> Intake:
    from intake import services

    invitation, _ = open_invitation(name=name, born=born)
    intake = demo.answer_all(invitation.intake, {**RLS_AND_DIARRHOEA, **answers})
    return services.submit_intake(intake_id=intake.pk)

"""Shared by the services: refusals, small date and token helpers, the audit trail."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from intake import questionnaire
from intake.dates import age_on
from intake.errors import IntakeError, InvitationUnavailable, LinkLocked, NotEditable, StaleSave
from intake.models import (
    AuditEvent,
    Intake,
    LicensedInstrument,
    Patient,
)

__all__ = [
    "IntakeError",
    "InvitationUnavailable",
    "LinkLocked",
    "StaleSave",
    "NotEditable",
    "hash_token",
    "age_on",
    "irls_available",
    "facts_for",
    "record_event",
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def irls_available() -> bool:
    """The licensed IRLS is asked only with the setting on and the licensed text uploaded."""
    return (
        settings.IRLS_LICENSED
        and LicensedInstrument.objects.filter(name="IRLS", active=True).exists()
    )


def facts_for(intake: Intake, answers: Mapping[str, Any] | None = None) -> questionnaire.Facts:
    return questionnaire.Facts(
        answers=intake.answers if answers is None else answers,
        age_years=age_on(intake.patient.date_of_birth, timezone.localdate()),
        irls_licensed=irls_available(),
    )


def record_event(
    *,
    action: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    intake: Intake | None = None,
    patient: Patient | None = None,
    obj: object | None = None,
    ip_address: str | None = None,
    summary: str = "",
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit event. Summaries name records and actions, never health information.
    `actor_label` names an actor that is not a user (an API client)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if patient is None and intake is not None:
        patient = intake.patient
    if actor_label:
        user = None
    elif user is not None:
        actor_label = user.get_username()
    else:  # a patient acts through their link; anyone else here has not signed in
        actor_label = "patient link" if patient is not None else "not signed in"
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        patient=patient,
        intake=intake,
        ip_address=ip_address,
        summary=summary[:300],
    )

"""Invitation links: create, revoke, re-issue, open, and the date-of-birth check."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake.enums import AuditAction
from intake.models import (
    Intake,
    Invitation,
    Patient,
)
from intake.services.common import (
    InvitationUnavailable,
    LinkLocked,
    hash_token,
    record_event,
)

__all__ = [
    "DOB_MAX_ATTEMPTS",
    "DOB_LOCK_MINUTES",
    "DobCheck",
    "create_invitation",
    "revoke_invitation",
    "reissue_invitation",
    "invitation_for_token",
    "needs_date_of_birth",
    "check_date_of_birth",
    "mark_opened",
]


DOB_MAX_ATTEMPTS = 5  # wrong dates of birth before a link locks
DOB_LOCK_MINUTES = 15


def _normalise_name(name: str) -> str:
    return " ".join(name.split())


def _find_or_create_patient(
    *, full_name: str, date_of_birth: dt.date, email: str
) -> tuple[Patient, bool]:
    """The duplicate guard: same name and date of birth (and email, when given) is the same
    patient, so a returning patient's intakes stay on one record."""
    name = _normalise_name(full_name)
    candidates = Patient.objects.filter(full_name__iexact=name, date_of_birth=date_of_birth)
    if email:
        candidates = candidates.filter(email__iexact=email)
    existing = candidates.order_by("pk").first()
    if existing is not None:
        return existing, True
    return Patient.objects.create(full_name=name, date_of_birth=date_of_birth, email=email), False


def _issue(intake: Intake, *, created_by, via_public_start: bool) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        intake=intake,
        token_hash=hash_token(token),
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        via_public_start=via_public_start,
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    return invitation, token


@transaction.atomic
def create_invitation(
    *,
    full_name: str,
    date_of_birth: dt.date,
    email: str = "",
    created_by=None,
    via_public_start: bool = False,
    ip_address: str | None = None,
) -> tuple[Invitation, str]:
    """A new intake for a (new or matched) patient and a link to it. Returns the raw token,
    which is shown once and never stored."""
    patient, matched = _find_or_create_patient(
        full_name=full_name, date_of_birth=date_of_birth, email=email.strip()
    )
    intake = Intake.objects.create(patient=patient, matched_existing_patient=matched)
    invitation, token = _issue(intake, created_by=created_by, via_public_start=via_public_start)
    record_event(
        action=AuditAction.INVITATION_CREATED,
        actor=created_by,
        intake=intake,
        obj=invitation,
        ip_address=ip_address,
        summary="public start page" if via_public_start else "created by staff",
    )
    return invitation, token


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by, ip_address: str | None = None) -> None:
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_event(
            action=AuditAction.INVITATION_REVOKED,
            actor=by,
            intake=invitation.intake,
            obj=invitation,
            ip_address=ip_address,
        )


@transaction.atomic
def reissue_invitation(
    *, invitation: Invitation, by, ip_address: str | None = None
) -> tuple[Invitation, str]:
    """Revoke every live link to the intake and issue a fresh one (same intake, same answers)."""
    now = timezone.now()
    Invitation.objects.filter(intake=invitation.intake, revoked_at__isnull=True).update(
        revoked_at=now
    )
    new, token = _issue(invitation.intake, created_by=by, via_public_start=False)
    record_event(
        action=AuditAction.INVITATION_REISSUED,
        actor=by,
        intake=invitation.intake,
        obj=new,
        ip_address=ip_address,
    )
    return new, token


def invitation_for_token(token: str) -> Invitation:
    """The live invitation behind a token, or InvitationUnavailable (same message for unknown,
    expired and revoked, so a guessed token learns nothing)."""
    invitation = (
        Invitation.objects.select_related("intake__patient")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if (
        invitation is None
        or invitation.revoked_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        raise InvitationUnavailable(
            "This link has expired or is no longer valid. Please ask your clinic for a new one."
        )
    return invitation


def needs_date_of_birth(invitation: Invitation) -> bool:
    """A link asks for the date of birth once answers exist (they are then worth protecting)."""
    return bool(invitation.intake.answers) or not invitation.intake.is_draft


@dataclass(frozen=True)
class DobCheck:
    matched: bool
    attempts_left: int
    locked: bool


@transaction.atomic
def check_date_of_birth(
    *, invitation: Invitation, date_of_birth: dt.date, ip_address: str | None = None
) -> DobCheck:
    """Five wrong answers lock the link for 15 minutes (LinkLocked while it is locked)."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("intake__patient")
        .get(pk=invitation.pk)
    )
    now = timezone.now()
    if invitation.locked_until and invitation.locked_until > now:
        raise LinkLocked(
            "Too many attempts. For your security this link is locked for 15 minutes; "
            "please try again later."
        )
    if invitation.intake.patient.date_of_birth == date_of_birth:
        invitation.failed_attempts = 0
        invitation.locked_until = None
        invitation.last_opened_at = now
        invitation.save(update_fields=["failed_attempts", "locked_until", "last_opened_at"])
        record_event(
            action=AuditAction.INVITATION_OPENED,
            intake=invitation.intake,
            obj=invitation,
            ip_address=ip_address,
        )
        return DobCheck(matched=True, attempts_left=DOB_MAX_ATTEMPTS, locked=False)
    invitation.failed_attempts += 1
    locked = invitation.failed_attempts >= DOB_MAX_ATTEMPTS
    left = DOB_MAX_ATTEMPTS - invitation.failed_attempts
    if locked:
        invitation.failed_attempts = 0
        invitation.locked_until = now + dt.timedelta(minutes=DOB_LOCK_MINUTES)
    invitation.save(update_fields=["failed_attempts", "locked_until"])
    record_event(
        action=AuditAction.LOCKED if locked else AuditAction.DOB_FAILED,
        intake=invitation.intake,
        obj=invitation,
        ip_address=ip_address,
    )
    return DobCheck(matched=False, attempts_left=0 if locked else left, locked=locked)


@transaction.atomic
def mark_opened(*, invitation: Invitation, ip_address: str | None = None) -> None:
    invitation.last_opened_at = timezone.now()
    invitation.save(update_fields=["last_opened_at"])
    record_event(
        action=AuditAction.INVITATION_OPENED,
        intake=invitation.intake,
        obj=invitation,
        ip_address=ip_address,
    )

"""Invitation links: create, revoke, re-issue, open, and the date-of-birth check."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.enums import AuditAction
from intake.models import (
    Intake,
    Invitation,
    Patient,
    patient_name_key,
)
from intake.services import notifications
from intake.services.common import (
    IntakeError,
    InvitationUnavailable,
    LinkLocked,
    hash_token,
    record_event,
)

__all__ = [
    "DOB_MAX_ATTEMPTS",
    "DOB_LOCK_MINUTES",
    "DobCheck",
    "DifferentPersonUnconfirmed",
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
# Reading the patients with a name and date of birth, then inserting one, races a request doing
# the same at that moment; the database's constraint refuses the second insert, and the next
# read finds the patient the other request made. Two tries settle it; three is a margin.
PATIENT_INSERT_TRIES = 3


class DifferentPersonUnconfirmed(IntakeError):
    """Staff said "a different person" while someone with this name and date of birth is on
    record: they confirm it by sending the form again with `new_record_number`."""

    def __init__(self, *, on_record: list[Patient], new_record_number: int):
        self.on_record = on_record
        self.new_record_number = new_record_number
        super().__init__(
            _(
                "A patient with this name and date of birth is already on record. Send the "
                "form again to confirm that this invitation is for a different person."
            )
        )


def _normalise_name(name: str) -> str:
    return " ".join(name.split())


def _same_name_and_birth(name: str, date_of_birth: dt.date) -> list[Patient]:
    return list(
        Patient.objects.filter(
            name_key=patient_name_key(name), date_of_birth=date_of_birth, erased_at__isnull=True
        ).order_by("namesake_number", "pk")
    )


def _insert_patient(**fields) -> Patient | None:
    """The new patient, or None when the database refused it as a duplicate: another request
    inserted the same person a moment ago (the savepoint keeps this transaction usable)."""
    try:
        with transaction.atomic():
            return Patient.objects.create(**fields)
    except IntegrityError:
        return None


def _record_namesake(
    patient: Patient,
    *,
    on_record: list[Patient],
    why: str,
    by,
    ip_address: str | None,
    actor_label: str = "",
) -> None:
    records = ", ".join(str(other.pk) for other in on_record)
    record_event(
        action=AuditAction.CREATE,
        actor=by,
        patient=patient,
        obj=patient,
        ip_address=ip_address,
        summary=f"patient record for a different person with the same name and date of birth "
        f"as record {records}: {why}",
        actor_label=actor_label,
    )


def _find_or_create_patient(
    *,
    full_name: str,
    date_of_birth: dt.date,
    email: str,
    different_person: bool,
    new_record_number: int | None,
    by,
    ip_address: str | None,
    actor_label: str = "",
) -> tuple[Patient, bool]:
    """The duplicate guard: same name and date of birth (and email, when given) is the same
    patient, so a returning patient's intakes stay on one record. A different email, or staff
    confirming a different person, starts a new record with the next namesake number."""
    name = _normalise_name(full_name)
    fields = {"full_name": name, "date_of_birth": date_of_birth, "email": email}
    for _try in range(PATIENT_INSERT_TRIES):
        on_record = _same_name_and_birth(name, date_of_birth)
        if different_person and on_record:
            numbers = [patient.namesake_number for patient in on_record]
            if new_record_number is None:
                raise DifferentPersonUnconfirmed(
                    on_record=on_record, new_record_number=max(numbers) + 1
                )
            if new_record_number in numbers:
                # The confirmation sent twice (a double click): the record the first one made.
                return on_record[numbers.index(new_record_number)], True
            created = _insert_patient(**fields, namesake_number=new_record_number)
            if created is not None:
                _record_namesake(
                    created,
                    on_record=on_record,
                    why="confirmed by staff",
                    by=by,
                    ip_address=ip_address,
                )
                return created, False
            continue
        matches = [
            patient
            for patient in on_record
            if not email or patient.email.casefold() == email.casefold()
        ]
        if matches:
            return matches[0], True
        number = max((patient.namesake_number for patient in on_record), default=-1) + 1
        created = _insert_patient(**fields, namesake_number=number)
        if created is not None:
            if on_record:
                _record_namesake(
                    created,
                    on_record=on_record,
                    why="a different email was given",
                    by=by,
                    ip_address=ip_address,
                    actor_label=actor_label,
                )
            return created, False
    raise IntakeError(_("The invitation could not be created just now. Please try again."))


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
    different_person: bool = False,
    new_record_number: int | None = None,
    actor_label: str = "",
    email_link: bool = False,
    send_link: bool = False,
    language: str = "",
) -> tuple[Invitation, str]:
    """A new intake for a (new or matched) patient and a link to it. Returns the raw token,
    which is shown once and never stored.

    `language`: a code of settings.LANGUAGES (checked by the form or the API), or blank for the
    patient's browser to choose. The intake keeps it: its pages and messages speak it.

    `different_person` (staff only): someone who shares the name and date of birth of a patient
    on record. Without `new_record_number` it raises DifferentPersonUnconfirmed, which carries
    the number to send back; sending the same number twice gives the same new record.

    `email_link`: the link is also emailed to the address on the patient's record, through the
    outbox in this same transaction (NoEmailAddress, and nothing is created, without one).
    `send_link`: the link goes by the patient's preferred channel instead, email or text
    message (notifications.queue_invitation_message; refused in the same way)."""
    patient, matched = _find_or_create_patient(
        full_name=full_name,
        date_of_birth=date_of_birth,
        email=email.strip(),
        different_person=different_person,
        new_record_number=new_record_number,
        by=created_by,
        ip_address=ip_address,
        actor_label=actor_label,
    )
    intake = Intake.objects.create(
        patient=patient, matched_existing_patient=matched, language=language
    )
    invitation, token = _issue(intake, created_by=created_by, via_public_start=via_public_start)
    record_event(
        action=AuditAction.INVITATION_CREATED,
        actor=created_by,
        intake=intake,
        obj=invitation,
        ip_address=ip_address,
        summary="public start page"
        if via_public_start
        else "created through the API"
        if actor_label
        else "created by staff",
        actor_label=actor_label,
    )
    if email_link:
        notifications.queue_invitation_email(
            invitation=invitation, token=token, by=created_by, ip_address=ip_address
        )
    elif send_link:
        notifications.queue_invitation_message(
            invitation=invitation, token=token, by=created_by, ip_address=ip_address
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
    *,
    invitation: Invitation,
    by,
    ip_address: str | None = None,
    email_link: bool = False,
    send_link: bool = False,
) -> tuple[Invitation, str]:
    """Revoke every live link to the intake and issue a fresh one (same intake, same answers).
    Two re-issues at once take turns on the intake's row: the database allows one live link
    per intake (one_live_invitation_per_intake), and the second must see the first's link."""
    now = timezone.now()
    Intake.objects.select_for_update().values_list("pk", flat=True).get(pk=invitation.intake_id)
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
    if email_link:
        notifications.queue_invitation_email(
            invitation=new, token=token, by=by, ip_address=ip_address
        )
    elif send_link:
        notifications.queue_invitation_message(
            invitation=new, token=token, by=by, ip_address=ip_address
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
            _("This link has expired or is no longer valid. Please ask your clinic for a new one.")
        )
    return invitation


def needs_date_of_birth(invitation: Invitation) -> bool:
    """A link asks for the date of birth once answers exist (they are then worth protecting),
    and before the first answer too with REQUIRE_DOB_ON_FIRST_OPEN: a link that travelled by
    email may be opened by someone other than the patient."""
    if settings.REQUIRE_DOB_ON_FIRST_OPEN:
        return True
    return bool(invitation.intake.answers) or not invitation.intake.is_draft


@dataclass(frozen=True)
class DobCheck:
    matched: bool
    attempts_left: int
    locked: bool
    closed: bool = False  # locked once too often: the link no longer works at all


@transaction.atomic
def check_date_of_birth(
    *, invitation: Invitation, date_of_birth: dt.date, ip_address: str | None = None
) -> DobCheck:
    """Five wrong answers lock the link for 15 minutes (LinkLocked while it is locked). The
    lock that makes DOB_LOCKOUTS_BEFORE_CLOSING in a row closes the link instead, until staff
    issue a new one, and the clinic's alert address is told: without it, guessing could go on
    at five tries a quarter of an hour for as long as the link lives."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("intake__patient")
        .get(pk=invitation.pk)
    )
    now = timezone.now()
    if invitation.locked_until and invitation.locked_until > now:
        raise LinkLocked(
            _(
                "Too many attempts. For your security this link is locked for 15 minutes; "
                "please try again later."
            )
        )
    if invitation.intake.patient.date_of_birth == date_of_birth:
        invitation.failed_attempts = 0
        invitation.lockouts = 0
        invitation.locked_until = None
        invitation.last_opened_at = now
        invitation.save(
            update_fields=["failed_attempts", "lockouts", "locked_until", "last_opened_at"]
        )
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
    closed = False
    summary = ""
    if locked:
        invitation.failed_attempts = 0
        invitation.lockouts += 1
        invitation.locked_until = now + dt.timedelta(minutes=DOB_LOCK_MINUTES)
        closed = invitation.lockouts >= settings.DOB_LOCKOUTS_BEFORE_CLOSING
        summary = f"lock {invitation.lockouts} of {settings.DOB_LOCKOUTS_BEFORE_CLOSING}"
        if closed:
            # Revoked, so every check of a revoked link applies; closed_at says why.
            invitation.closed_at = now
            invitation.revoked_at = invitation.revoked_at or now
            summary += ": link closed until staff issue a new one"
            notifications.queue_staff_alert(
                intake=invitation.intake, template="alert_link_closed", key=str(invitation.pk)
            )
    invitation.save(
        update_fields=["failed_attempts", "lockouts", "locked_until", "closed_at", "revoked_at"]
    )
    record_event(
        action=AuditAction.LOCKED if locked else AuditAction.DOB_FAILED,
        intake=invitation.intake,
        obj=invitation,
        ip_address=ip_address,
        summary=summary,
    )
    return DobCheck(
        matched=False, attempts_left=0 if locked else left, locked=locked, closed=closed
    )


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

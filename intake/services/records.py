"""Data protection: a patient's subject-access export (the data is read by
intake/selectors/subject_access.py) and erasure on request.

What the export holds, what erasure changes and keeps, and why, is in docs/data-protection.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import exports, questionnaire
from intake.enums import AuditAction, ContactChannel
from intake.models import (
    Assessment,
    Intake,
    Invitation,
    Note,
    OutboxMessage,
    Patient,
    TestRecommendation,
)
from intake.notifications.models import OutboxState
from intake.selectors import answer_words, subject_access
from intake.services.common import IntakeError, record_event

__all__ = [
    "ERASED_TEXT",
    "FREE_TEXT_ANSWER_KEYS",
    "export_subject_access",
    "erase_patient",
    "save_patient_record",
    "channel_refusal",
    "save_contact_details",
]

# What free text is replaced with; the row itself stays so the record's shape is kept.
ERASED_TEXT = "[erased]"
# Answers in the patient's (or child's) own words: identifying by nature, never clinical input
# to a rule, so erasure removes them from the answers and from every assessment's input.
FREE_TEXT_ANSWER_KEYS = frozenset({"rls_child_own_words"})
CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def _answer_lines(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """Every stored answer, with the question's wording where there is one, in the page's
    language (the PDF's headings are)."""
    lines = []
    for key, value in answers.items():
        question = questionnaire.QUESTIONS.get(key)
        if question is not None:
            lines.append((_(question.label), answer_words(question, value)))
        else:
            lines.append((key, json.dumps(value, ensure_ascii=False)))
    return lines


def _pdf(data: dict[str, Any]) -> bytes:
    data["patient"]["preferred_channel_label"] = ContactChannel(
        data["patient"]["preferred_channel"]
    ).label
    for intake in data["intakes"]:
        intake["answer_lines"] = _answer_lines(intake["answers"])
    for assessment in data["assessments"]:
        assessment["result_text"] = json.dumps(assessment["result"], ensure_ascii=False)
    html = render_to_string("intake/staff/subject_access_pdf.html", {"data": data})
    return exports.html_to_pdf(html)


def export_subject_access(
    *,
    patient: Patient,
    by,
    fmt: Literal["json", "pdf"],
    ip_address: str | None = None,
) -> tuple[bytes, str, str]:
    """The subject-access export as (content, content type, file name), and its audit event.
    The file name carries the record number, not the name, so it says nothing in a download
    folder or a proxy log."""
    if fmt not in CONTENT_TYPES:
        raise IntakeError(_("Choose JSON or PDF."))
    data = subject_access.subject_access_data(patient=patient)
    if fmt == "json":
        content = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    else:
        content = _pdf(data)
    record_event(
        action=AuditAction.EXPORT,
        actor=by,
        patient=patient,
        obj=patient,
        ip_address=ip_address,
        summary=f"subject access export ({fmt})",
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    return content, CONTENT_TYPES[fmt], f"patient-{patient.pk}-subject-access-{stamp}.{fmt}"


def _without_free_text(answers: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if key not in FREE_TEXT_ANSWER_KEYS}


@transaction.atomic
def erase_patient(*, patient: Patient, by, reason: str, ip_address: str | None = None) -> Patient:
    """Erasure on request. Identifying fields and free text are anonymised; the de-identified
    clinical data (answers, assessments, recommendations, results) and the append-only audit
    trail are kept; who erased, when and why is recorded on the patient."""
    reason = reason.strip()
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.erased_at is not None:
        raise IntakeError(_("This patient's record has already been erased."))
    if not reason:
        raise IntakeError(_("Give the reason for the erasure request."))
    now = timezone.now()

    patient.full_name = f"Erased patient #{patient.pk}"
    # Only the year is kept: ages (and so the engine's age bands) stay right to within a year,
    # while the full date no longer identifies anyone.
    patient.date_of_birth = dt.date(patient.date_of_birth.year, 1, 1)
    patient.email = ""
    # The contact details and the clinic's own number identify the person too; with no way to
    # reach them left, no message of any kind is preferred.
    patient.mobile_phone = ""
    patient.mrn = ""
    patient.preferred_channel = ContactChannel.NONE
    patient.erased_at = now
    patient.erased_by = by
    patient.erasure_reason = reason
    patient.save(
        update_fields=[
            "full_name",
            "date_of_birth",
            "email",
            "mobile_phone",
            "mrn",
            "preferred_channel",
            "erased_at",
            "erased_by",
            "erasure_reason",
        ]
    )

    intakes = list(Intake.objects.select_for_update().filter(patient=patient))
    for intake in intakes:
        intake.answers = _without_free_text(intake.answers)
        if intake.consent_name:
            intake.consent_name = ERASED_TEXT
        intake.version += 1  # a page opened before the erasure is now out of date
        intake.save(update_fields=["answers", "consent_name", "version", "updated_at"])
    for assessment in Assessment.objects.filter(intake__patient=patient):
        if FREE_TEXT_ANSWER_KEYS & assessment.engine_answers.keys():
            assessment.engine_answers = _without_free_text(assessment.engine_answers)
            assessment.save(update_fields=["engine_answers"])
    Note.objects.filter(intake__patient=patient).update(text=ERASED_TEXT)
    # Nothing more is sent to someone erased; every message keeps its kind, state and times,
    # but no address and no link.
    OutboxMessage.objects.filter(intake__patient=patient, state=OutboxState.QUEUED).update(
        state=OutboxState.FAILED, last_error="Not sent: the patient's record was erased."
    )
    OutboxMessage.objects.filter(intake__patient=patient).update(recipient="", context={})
    TestRecommendation.objects.filter(intake__patient=patient).exclude(decision_reason="").update(
        decision_reason=ERASED_TEXT
    )
    revoked = Invitation.objects.filter(intake__patient=patient, revoked_at__isnull=True).update(
        revoked_at=now
    )
    # The admin's change history names records by their str(), which held the name and date
    # of birth; it is brought in line with the erased record. The app's own audit trail
    # (AuditEvent) never held them and is not touched.
    _rename_admin_history(Patient, patient.pk, str(patient))
    for intake in intakes:
        intake.patient = patient
        _rename_admin_history(Intake, intake.pk, str(intake))

    record_event(
        action=AuditAction.ERASE,
        actor=by,
        patient=patient,
        obj=patient,
        ip_address=ip_address,
        summary=f"erasure on request; {len(intakes)} case(s), {revoked} link(s) revoked",
    )
    return patient


def _rename_admin_history(model, pk: int, text: str) -> None:
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    ).update(object_repr=text[:200])


@transaction.atomic
def save_patient_record(
    *, patient: Patient, changed_fields: list[str], by, ip_address: str | None = None
) -> Patient:
    """A clinic admin adds a patient record or corrects one (name, date of birth, email), and
    the audit log says who, which fields (never their values) and from where."""
    created = patient.pk is None
    if not created and patient.erased_at is not None:
        if changed_fields:
            raise IntakeError(_("This record was erased on request and cannot be edited."))
        return patient  # the admin's read-only form of an erased record: nothing to save
    patient.save()
    record_event(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=by,
        patient=patient,
        obj=patient,
        ip_address=ip_address,
        summary="added in the admin"
        if created
        else "changed in the admin: " + (", ".join(changed_fields) or "nothing"),
    )
    return patient


# How the audit trail names each contact detail (the values themselves are never written there).
CONTACT_FIELDS = {
    "email": "email",
    "mobile_phone": "mobile phone",
    "preferred_channel": "preferred channel",
    "mrn": "clinic patient number",
}


NEEDS_EMAIL = gettext_lazy("Add an email address to send messages by email, or choose another way.")
NEEDS_MOBILE = gettext_lazy(
    "Add a mobile phone number to send text messages, or choose another way."
)


def channel_refusal(
    *, patient: Patient, preferred_channel: str, email: str, mobile_phone: str
) -> str | None:
    """Why these contact details would leave the patient unreachable the way they prefer, or
    None. Only a change can be refused: choosing a channel without its address, or removing
    the address of the channel chosen. A record that never had the address (one made before
    contact details were kept) can still be corrected in its other details."""
    if preferred_channel not in ContactChannel.values:
        return _("Choose email, text message or no messages.")
    needs = {
        ContactChannel.EMAIL: ("email", NEEDS_EMAIL),
        ContactChannel.SMS: ("mobile_phone", NEEDS_MOBILE),
    }
    if preferred_channel not in needs:
        return None
    field, message = needs[preferred_channel]
    address = {"email": email, "mobile_phone": mobile_phone}[field]
    if address:
        return None
    if preferred_channel != patient.preferred_channel or getattr(patient, field):
        return str(message)
    return None


@transaction.atomic
def save_contact_details(
    *,
    patient: Patient,
    email: str,
    mobile_phone: str,
    preferred_channel: str,
    mrn: str,
    by,
    ip_address: str | None = None,
) -> Patient:
    """Staff keep a patient's email, mobile phone (E.164, intake.phones), preferred channel and
    the clinic's own patient number (MRN) up to date. The audit trail says who changed which
    of them and from where, never the values. Refused for an erased record, for a channel
    without its address, and for an MRN another record holds."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.erased_at is not None:
        raise IntakeError(_("This record was erased on request and cannot be edited."))
    new = {
        "email": email.strip(),
        "mobile_phone": mobile_phone,
        "preferred_channel": preferred_channel,
        "mrn": mrn,
    }
    refusal = channel_refusal(
        patient=patient,
        preferred_channel=preferred_channel,
        email=new["email"],
        mobile_phone=mobile_phone,
    )
    if refusal:
        raise IntakeError(refusal)
    other = Patient.objects.filter(mrn=mrn).exclude(pk=patient.pk).first() if mrn else None
    if other is not None:
        raise IntakeError(
            _("Record %(record)s already has the clinic patient number %(mrn)s.")
            % {"record": other.pk, "mrn": mrn}
        )
    changed = [field for field, value in new.items() if getattr(patient, field) != value]
    if not changed:
        return patient
    for field in changed:
        setattr(patient, field, new[field])
    try:
        with transaction.atomic():
            patient.save(update_fields=changed)
    except IntegrityError:
        # Another request gave the same MRN to another record a moment ago.
        raise IntakeError(
            _("Another record already has the clinic patient number %(mrn)s.") % {"mrn": mrn}
        ) from None
    record_event(
        action=AuditAction.UPDATE,
        actor=by,
        patient=patient,
        obj=patient,
        ip_address=ip_address,
        summary="contact details changed: " + ", ".join(CONTACT_FIELDS[f] for f in changed),
    )
    return patient

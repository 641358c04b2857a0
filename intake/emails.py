"""Outgoing mail. Alerts carry no health information: only a case number and a link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from intake.models import Intake, Invitation


def case_url(intake: Intake) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("intake:case", args=[intake.pk])


def send_new_case_alert(intake: Intake) -> int:
    """Tell the clinic's alert address that a case arrived. Every case gets the same words:
    urgency is worked out from the health answers, so saying it would reveal something about
    them to anyone who sees the mailbox. The work queue, after signing in, puts urgent cases
    first."""
    if not settings.CLINIC_ALERT_EMAIL:
        return 0
    subject = f"New intake submitted: {intake.case_number}"
    body = (
        f"Intake {intake.case_number} was submitted.\n\n"
        f"Sign in to review it: {case_url(intake)}\n\n"
        "This message holds no patient information by design."
    )
    return send_mail(subject, body, None, [settings.CLINIC_ALERT_EMAIL])


def send_contact_alert(intake: Intake) -> int:
    """A patient needs contact today (crisis, emergency or "Not sure": the same words for
    each, since the kind is health information). Which patient, and why, is only on the work
    queue after signing in. Sent once per kind per intake (services.report_contact_needed)."""
    if not settings.CLINIC_ALERT_EMAIL:
        return 0
    subject = f"Prompt contact needed: {intake.case_number}"
    if intake.is_draft:
        where = settings.SITE_URL.rstrip("/") + reverse("intake:queue")
        body = (
            f"A patient filling in questionnaire {intake.case_number} needs prompt contact by "
            "the clinic. The questionnaire has not been sent yet.\n\n"
            f"Sign in to see who: {where}\n\n"
            "This message holds no patient information by design."
        )
    else:
        body = (
            f"The patient of case {intake.case_number} needs prompt contact by the clinic.\n\n"
            f"Sign in to see who: {case_url(intake)}\n\n"
            "This message holds no patient information by design."
        )
    return send_mail(subject, body, None, [settings.CLINIC_ALERT_EMAIL])


def send_link_closed_alert(invitation: Invitation) -> int:
    """A patient's link was closed after repeated wrong dates of birth (someone may be guessing,
    or the patient mistyped it): the patient needs a new link, which staff issue. The same
    words whatever the case; who the patient is shows only after signing in."""
    if not settings.CLINIC_ALERT_EMAIL:
        return 0
    case_number = invitation.intake.case_number
    where = settings.SITE_URL.rstrip("/") + reverse("intake:invitations")
    subject = f"Invitation link closed: {case_number}"
    body = (
        f"The invitation link for questionnaire {case_number} was closed after the date of "
        "birth was entered wrongly too many times. It stays closed until a new link is issued."
        f"\n\nSign in to issue a new link if the patient asks for one: {where}\n\n"
        "This message holds no patient information by design."
    )
    return send_mail(subject, body, None, [settings.CLINIC_ALERT_EMAIL])

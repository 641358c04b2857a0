"""Answers that call for contact today (R3-23): the help the patient sees at once, and the
clinic told straight away, before the questionnaire is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake import clinical
from intake.enums import AuditAction, ContactReason
from intake.models import Intake
from intake.notifications.models import ClinicTextKey
from intake.notifications.texts import clinic_texts
from intake.services import notifications
from intake.services.common import record_event
from intake.services.evaluation import urgent_for_intake

__all__ = [
    "UNSURE_LEAD",
    "HelpText",
    "ContactAlert",
    "contact_alert",
    "contact_alert_for",
    "report_contact_needed",
]


# What the patient reads before the clinic's text when they answered "Not sure" (R3-16).
UNSURE_LEAD = gettext_lazy("If you are not sure, or if this is happening now:")


@dataclass(frozen=True)
class HelpText:
    """One block of help on the patient's page: the clinic's text (intake/notifications/
    texts.py), and the words before it for a "Not sure" answer."""

    lead: str
    text: str


@dataclass(frozen=True)
class ContactAlert:
    """What answers calling for contact today mean for the patient and the clinic (R3-23):
    the kinds to report, and the help the patient sees at once and again after sending."""

    reasons: tuple[str, ...]  # ContactReason values, in its order
    heading: str
    why: str  # one sentence under the heading, never naming a condition
    texts: tuple[HelpText, ...]
    emergency_advice: bool  # the emergency text is among them (the emergency page, not crisis)


def contact_alert_for(result: clinical.RedFlagResult) -> ContactAlert | None:
    """Crisis resources for `crisis` and for RF-U from self_harm_thoughts; the emergency text
    for `emergency` and any other RF-U, after UNSURE_LEAD for RF-U (clinical-spec §9). In the
    active language (the patient's page), with the clinic's own texts for it."""
    if not (result.emergency or result.crisis or result.unsure_emergency or result.unsure_crisis):
        return None
    # Never blank: clinic_texts falls back to the app's wording (texts.py).
    clinic = clinic_texts((ClinicTextKey.EMERGENCY_ADVICE, ClinicTextKey.CRISIS_RESOURCES))
    emergency_text = clinic[ClinicTextKey.EMERGENCY_ADVICE]
    crisis_text = clinic[ClinicTextKey.CRISIS_RESOURCES]
    unsure_lead = str(UNSURE_LEAD)
    texts: list[HelpText] = []
    if result.emergency:
        texts.append(HelpText("", emergency_text))
    if result.crisis:
        texts.append(HelpText("", crisis_text))
    # "Not sure" adds its own block only when a firm answer has not already shown that text.
    if result.unsure_emergency and not result.emergency:
        texts.append(HelpText(unsure_lead, emergency_text))
    if result.unsure_crisis and not result.crisis:
        texts.append(HelpText(unsure_lead, crisis_text))
    if not texts:
        return None
    reasons = {
        ContactReason.CRISIS: result.crisis,
        ContactReason.EMERGENCY: result.emergency,
        ContactReason.UNSURE: result.unsure_emergency or result.unsure_crisis,
    }
    fired = {reason["rule"] for reason in result.reasons}
    if "RF-15" in fired:
        # Possible pulmonary embolism: an ambulance, not a journey to the hospital (R3-15).
        heading = _("Call your emergency number now")
    elif result.emergency:
        heading = _("Get emergency care now")
    elif result.crisis:
        heading = _("Help is available now")
    else:
        heading = _("Get help now if you need it")
    if result.emergency:
        why = _(
            "One of your answers can be a sign of a problem that needs a doctor straight away. "
            "Please do not wait for your clinic to read your questionnaire."
        )
    elif result.crisis:
        why = _("Thank you for telling us. You do not have to go through this alone.")
    else:
        why = _(
            "You answered “Not sure” to a question about something that can need help "
            "straight away."
        )
    return ContactAlert(
        reasons=tuple(value for value in ContactReason.values if reasons[value]),
        heading=heading,
        why=why,
        texts=tuple(texts),
        emergency_advice=result.emergency or result.unsure_emergency,
    )


def contact_alert(intake: Intake) -> ContactAlert | None:
    """Whether the answers so far call for contact today, and the help to show the patient:
    the one place the step save, the help page and the thank-you page ask. Evaluated once the
    sex at birth is known (every rule needs it)."""
    if "sex_at_birth" not in intake.answers:
        return None
    # The red flags alone (evaluate's, without the rest of its work): this is asked on every
    # save while the patient types.
    return contact_alert_for(urgent_for_intake(intake, on=timezone.localdate()))


@transaction.atomic
def report_contact_needed(
    *, intake_id: int, reasons: Iterable[str], ip_address: str | None = None
) -> list[str]:
    """Tell the clinic now that the patient needs contact today: the work queue lists them
    (a draft too, before they send anything) until someone records the contact, and the alert
    address gets a case number and a link. Once per kind per intake; a kind new since contact
    was recorded lists the patient again. Only the need for contact is shared: a draft's
    answers stay the patient's until they send them. Returns the kinds this call reported."""
    asked = set(reasons)
    if asked - set(ContactReason.values):
        raise ValueError(f"Unknown contact reasons: {sorted(asked - set(ContactReason.values))}")
    intake = Intake.objects.select_for_update().select_related("patient").get(pk=intake_id)
    new = [
        reason
        for reason in ContactReason.values
        if reason in asked and reason not in intake.contact_reasons
    ]
    if not new:
        return []
    intake.contact_reasons = [*intake.contact_reasons, *new]
    fields = ["contact_reasons", "updated_at"]
    if not intake.needs_contact:
        intake.contact_needed_at = timezone.now()
        intake.contacted_at = None
        intake.contacted_by = None
        fields += ["contact_needed_at", "contacted_at", "contacted_by"]
    intake.save(update_fields=fields)
    for reason in new:
        # The kind stays off the audit row as it does off the email: it is health information.
        record_event(
            action=AuditAction.CONTACT_NEEDED, intake=intake, obj=intake, ip_address=ip_address
        )
        # Keyed by the kind's place in the list, never by the kind itself.
        notifications.queue_staff_alert(
            intake=intake,
            template="alert_contact_draft" if intake.is_draft else "alert_contact_case",
            key=f"{intake.pk}:{intake.contact_reasons.index(reason) + 1}",
        )
    return new

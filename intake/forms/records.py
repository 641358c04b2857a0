"""The records pages' forms: the erasure confirmation (why, and the patient's name typed to show
it is the right record) and the patient's contact details."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake import phones, services
from intake.enums import ContactChannel

REASON_REQUIRED = _("Give the reason for the erasure request.")
NAME_MISMATCH = _("Type the patient's full name exactly as shown to confirm.")
REASON_MAX_LENGTH = 2000


def _reason_too_long() -> str:
    return gettext("Keep the reason under %(max)s characters.") % {"max": REASON_MAX_LENGTH}


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        help_text=_(
            "Who asked, when and how, e.g. “Patient's written request of 3 March 2026”. "
            "Do not include health information."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": REASON_REQUIRED,
            "max_length": lazy(_reason_too_long, str)(),
        },
    )
    confirm_name = forms.CharField(
        label=_("Patient's full name"),
        help_text=_("Type it exactly as shown above, to confirm this is the right record."),
        max_length=200,
        error_messages={"required": NAME_MISMATCH, "max_length": NAME_MISMATCH},
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_confirm_name(self) -> str:
        # Exact match (surrounding spaces aside): erasure cannot be undone.
        name = self.cleaned_data["confirm_name"]
        if name != self.patient.full_name:
            raise forms.ValidationError(NAME_MISMATCH)
        return name


class ContactDetailsForm(forms.Form):
    """A patient's email, mobile phone, preferred channel and the clinic's own patient number,
    kept by staff. The number and the MRN are put in their stored form here (intake.phones);
    services.save_contact_details checks the rest again and audits the change."""

    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address such as name@example.org.")},
    )
    mobile_phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=40,
        help_text=_("For text messages. A number abroad starts with + and its country code."),
        error_messages={"max_length": phones.MOBILE_ERROR},
    )
    preferred_channel = forms.ChoiceField(
        label=_("Send the clinic's messages by"),
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the patient prefers messages."),
            "invalid_choice": _("Choose email, text message or no messages."),
        },
    )
    mrn = forms.CharField(
        label=_("Clinic patient number (MRN)"),
        required=False,
        max_length=64,
        help_text=_("As the clinic's own record system shows it. Leave empty if there is none."),
        error_messages={"max_length": phones.MRN_ERROR},
    )

    def __init__(self, *args, patient, region: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.region = region

    def clean_mobile_phone(self) -> str:
        try:
            return phones.normalise_mobile(self.cleaned_data["mobile_phone"], region=self.region)
        except phones.InvalidValue as error:
            raise forms.ValidationError(str(error)) from None

    def clean_mrn(self) -> str:
        try:
            return phones.normalise_mrn(self.cleaned_data["mrn"])
        except phones.InvalidValue as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict:
        data = super().clean()
        if {"email", "mobile_phone", "preferred_channel"} & self.errors.keys():
            return data
        refusal = services.channel_refusal(
            patient=self.patient,
            preferred_channel=data["preferred_channel"],
            email=data["email"],
            mobile_phone=data["mobile_phone"],
        )
        if refusal:
            self.add_error("preferred_channel", refusal)
        return data

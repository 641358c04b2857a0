"""Who an intake is for: the patient's name, date of birth and email, as the public start page,
a staff invitation and the API take them, with labels and messages in the page's language (the
public start page is the patient's)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 200


class PatientDetailsForm(forms.Form):
    """Who the intake is for: used by staff invitations and the public start page."""

    full_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Full name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter the patient's full name.")},
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": _("Enter the date of birth."),
            "invalid": _("Enter the date as year-month-day, e.g. 1980-04-23."),
        },
    )
    email = forms.EmailField(
        required=False,
        label=_("Email (optional)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Enter an email address like name@example.com, or leave it empty.")
        },
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise forms.ValidationError(gettext("Enter the full name using letters."))
        if any(ch in name for ch in "<>{}"):
            raise forms.ValidationError(gettext("A name cannot contain < > { or }."))
        return name

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(gettext("The date of birth cannot be in the future."))
        if born < today.replace(year=today.year - 120):
            raise forms.ValidationError(gettext("Check the year: that is more than 120 years ago."))
        return born

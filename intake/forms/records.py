"""The erasure confirmation: why, and the patient's name typed to show it is the right record."""

from __future__ import annotations

from django import forms

REASON_REQUIRED = "Give the reason for the erasure request."
NAME_MISMATCH = "Type the patient's full name exactly as shown to confirm."
REASON_MAX_LENGTH = 2000


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the erasure",
        help_text=(
            "Who asked, when and how, e.g. “Patient's written request of 3 March 2026”. "
            "Do not include health information."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": REASON_REQUIRED,
            "max_length": f"Keep the reason under {REASON_MAX_LENGTH} characters.",
        },
    )
    confirm_name = forms.CharField(
        label="Patient's full name",
        help_text="Type it exactly as shown above, to confirm this is the right record.",
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

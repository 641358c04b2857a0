"""Staff sign-in's second step: the code from an authenticator app, or a recovery code."""

from __future__ import annotations

from django import forms


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=12,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            # Recovery codes have letters too, so not a numeric keypad.
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code."},
    )

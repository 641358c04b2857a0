"""Lab results as rows (test, value, unit, date): the patient's earlier results on the labs step
and the results a practitioner enters on a case are read and checked the same way."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone

from intake import questionnaire

LAB_TEST_CHOICES = [("", "Choose a test…")] + [
    (key, label) for key, label, _ in questionnaire.LAB_TESTS
]
LAB_UNITS = {key: units for key, _label, units in questionnaire.LAB_TESTS}
QUALITATIVE_WORDS = {
    "ttg_iga": {"negative": "neg", "neg": "neg", "positive": "pos", "pos": "pos"},
    "total_iga": {"normal": "normal", "low": "low"},
}
# The words a refusal offers (abbreviations like "neg" are accepted but not suggested).
QUALITATIVE_OPTIONS = {"ttg_iga": "negative or positive", "total_iga": "low or normal"}
UNIT_CHOICES = [("", "No unit")] + sorted(
    {(unit, unit) for units in LAB_UNITS.values() for unit in units}
)


class LabRowForm(forms.Form):
    # static/js/lab-units.js offers only the units of the chosen test; the server checks anyway.
    test = forms.ChoiceField(
        choices=LAB_TEST_CHOICES,
        required=False,
        label="Test",
        widget=forms.Select(attrs={"data-lab-units": json.dumps(LAB_UNITS)}),
    )
    value = forms.CharField(max_length=20, required=False, label="Result")
    unit = forms.ChoiceField(choices=UNIT_CHOICES, required=False, label="Unit")
    taken_on = forms.DateField(
        required=False,
        label="Date of the test",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as year-month-day, e.g. 2026-03-14."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        test, value, unit = (
            cleaned.get("test"),
            (cleaned.get("value") or "").strip(),
            cleaned.get("unit"),
        )
        taken_on = cleaned.get("taken_on")
        if not test and not value and not taken_on:
            return cleaned  # an empty row
        if not test:
            self.add_error("test", "Choose which test this result is for.")
            return cleaned
        if not value:
            self.add_error("value", "Enter the result as shown on the report.")
        elif test in QUALITATIVE_WORDS:
            word = QUALITATIVE_WORDS[test].get(value.lower())
            if word is None:
                self.add_error("value", f"For this test enter {QUALITATIVE_OPTIONS[test]}.")
            else:
                cleaned["value"] = word
        else:
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                number = None
            if number is None or number != number or number < 0 or number > 100_000:
                self.add_error("value", "Enter the result as a number, e.g. 42 or 3.5.")
            else:
                cleaned["value"] = int(number) if number.is_integer() else number
        accepted = LAB_UNITS[test]
        if accepted and unit not in accepted:
            self.add_error("unit", f"Choose the unit from the report: {' or '.join(accepted)}.")
        if not accepted and unit:
            self.add_error("unit", "This test has no unit: choose “No unit”.")
        if taken_on is None:
            if "taken_on" not in self.errors:
                self.add_error("taken_on", "Enter the date of the test.")
        elif taken_on > timezone.localdate():
            self.add_error("taken_on", "The date of the test cannot be in the future.")
        elif taken_on < dt.date(1900, 1, 1):
            self.add_error("taken_on", "Enter a date after 1900.")
        return cleaned

    def row(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("test"):
            return None
        return {
            "test": data["test"],
            "value": data["value"],
            "unit": data.get("unit") or None,
            "taken_on": data["taken_on"].isoformat(),
        }


class BaseLabRowFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": "Enter at most %(num)d results on this page.",
    }


LabRowFormSet = forms.formset_factory(
    LabRowForm,
    formset=BaseLabRowFormSet,
    extra=0,
    max_num=questionnaire.MAX_LAB_ROWS,
    validate_max=True,
    absolute_max=questionnaire.MAX_LAB_ROWS,
)

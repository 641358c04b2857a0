"""Lab results as rows (test, value, unit, date): the patient's earlier results on the labs step
and the results a practitioner enters on a case are read and checked the same way, with their
labels and messages in the page's language."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, ngettext_lazy, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from intake import questionnaire
from intake.forms import fields as choice_fields

LAB_TEST_CHOICES = [("", _("Choose a test…"))] + [
    (key, _(label)) for key, label, _units in questionnaire.LAB_TESTS
]
LAB_UNITS = {key: units for key, _label, units in questionnaire.LAB_TESTS}
# The words accepted for a qualitative result, in every language the patient pages speak
# (a result is typed as the report says it; the Spanish for IgA is feminine: "IgA baja").
QUALITATIVE_WORDS = {
    "ttg_iga": {
        "negative": "neg",
        "neg": "neg",
        "positive": "pos",
        "pos": "pos",
        "negativo": "neg",
        "negativa": "neg",
        "positivo": "pos",
        "positiva": "pos",
    },
    "total_iga": {"normal": "normal", "low": "low", "baja": "low", "bajo": "low"},
}
# The words a refusal offers (abbreviations like "neg" are accepted but not suggested).
QUALITATIVE_OPTIONS = {
    "ttg_iga": _("negative or positive"),
    "total_iga": _("low or normal"),
}
# A stored qualitative result as it is typed back into the box, in the page's language (each
# of these is one of QUALITATIVE_WORDS, which tests/test_forms_spanish.py checks).
TYPED_WORDS = {
    "neg": pgettext_lazy("a lab result typed in a box", "negative"),
    "pos": pgettext_lazy("a lab result typed in a box", "positive"),
    "normal": pgettext_lazy("a lab result typed in a box", "normal"),
    "low": pgettext_lazy("a lab result typed in a box", "low"),
}
UNIT_CHOICES = [("", _("No unit"))] + sorted(
    {(unit, unit) for units in LAB_UNITS.values() for unit in units}
)


def typed_value(value: Any) -> Any:
    """A stored result's value as the patient would type it ("neg" -> "negative")."""
    if isinstance(value, str) and value in TYPED_WORDS:
        return str(TYPED_WORDS[value])
    return value


class LabRowForm(forms.Form):
    # static/js/lab-units.js offers only the units of the chosen test; the server checks anyway.
    test = choice_fields.ChoiceField(
        choices=LAB_TEST_CHOICES,
        required=False,
        label=_("Test"),
        widget=forms.Select(attrs={"data-lab-units": json.dumps(LAB_UNITS)}),
    )
    value = forms.CharField(max_length=20, required=False, label=_("Result"))
    unit = choice_fields.ChoiceField(choices=UNIT_CHOICES, required=False, label=_("Unit"))
    taken_on = forms.DateField(
        required=False,
        label=_("Date of the test"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as year-month-day, e.g. 2026-03-14.")},
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
            self.add_error("test", gettext("Choose which test this result is for."))
            return cleaned
        if not value:
            self.add_error("value", gettext("Enter the result as shown on the report."))
        elif test in QUALITATIVE_WORDS:
            word = QUALITATIVE_WORDS[test].get(value.lower())
            if word is None:
                self.add_error(
                    "value",
                    gettext("For this test enter %(options)s.")
                    % {"options": QUALITATIVE_OPTIONS[test]},
                )
            else:
                cleaned["value"] = word
        else:
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                number = None
            if number is None or number != number or number < 0 or number > 100_000:
                self.add_error("value", gettext("Enter the result as a number, e.g. 42 or 3.5."))
            else:
                cleaned["value"] = int(number) if number.is_integer() else number
        accepted = LAB_UNITS[test]
        if accepted and unit not in accepted:
            self.add_error(
                "unit",
                gettext("Choose the unit from the report: %(units)s.")
                % {"units": _either(accepted)},
            )
        if not accepted and unit:
            self.add_error("unit", gettext("This test has no unit: choose “No unit”."))
        if taken_on is None:
            if "taken_on" not in self.errors:
                self.add_error("taken_on", gettext("Enter the date of the test."))
        elif taken_on > timezone.localdate():
            self.add_error("taken_on", gettext("The date of the test cannot be in the future."))
        elif taken_on < dt.date(1900, 1, 1):
            self.add_error("taken_on", gettext("Enter a date after 1900."))
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


def _either(units: tuple[str, ...]) -> str:
    """ "ng/mL or µg/L" in the page's language (units themselves are not translated)."""
    if len(units) == 1:
        return units[0]
    return gettext("%(some)s or %(last)s") % {"some": ", ".join(units[:-1]), "last": units[-1]}


class BaseLabRowFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": ngettext_lazy(
            "Enter at most %(num)d result on this page.",
            "Enter at most %(num)d results on this page.",
            "num",
        ),
    }


LabRowFormSet = forms.formset_factory(
    LabRowForm,
    formset=BaseLabRowFormSet,
    extra=0,
    max_num=questionnaire.MAX_LAB_ROWS,
    validate_max=True,
    absolute_max=questionnaire.MAX_LAB_ROWS,
)

"""Staff's forms: the invitation, the work queue's filters and the changes to a case (status,
assignment, decisions, notes, results). Every change to a case carries the version its page
showed, so that a change made meanwhile by a colleague is not silently overwritten."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.enums import CaseStatus, Decision, TestKind
from intake.forms.details import PatientDetailsForm
from intake.forms.labs import LAB_TEST_CHOICES, LabRowFormSet
from intake.languages import supported_language
from intake.selectors import QUEUE_SORTS, QueueFilters


def language_choices() -> list[tuple[str, str]]:
    """Blank (the patient's browser chooses), then each of settings.LANGUAGES by its own name:
    a member of staff who reads only English still recognises "Español"."""
    return [("", _("Let the patient's browser choose")), *settings.LANGUAGES]


class LanguageSelect(forms.Select):
    """Each language's name marked as that language, so a screen reader says it as it is."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class LanguageField(forms.ChoiceField):
    """A code of settings.LANGUAGES, or blank. A regional variant ("es-MX", "ES") is read as
    its language, as the API reads it (intake.languages.supported_language); anything else is
    refused without being repeated back."""

    widget = LanguageSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", language_choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _(
                    "Unknown language: choose one from the list, or let the patient's browser "
                    "choose."
                )
            },
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        value = super().to_python(value)
        return (supported_language(value) or value) if value else ""


class InvitationForm(PatientDetailsForm):
    """Staff's invitation: the patient's details, the language of the patient's pages and
    messages, and the explicit way to say that someone who shares the name and date of birth
    of a patient on record is a different person."""

    field_order = ["full_name", "date_of_birth", "email", "language"]

    language = LanguageField(
        label=_("Patient's language"),
        help_text=_(
            "The questionnaire and the clinic's messages to the patient are in this language; "
            "the patient can change it on any page."
        ),
    )
    different_person = forms.BooleanField(
        required=False,
        label=_("A different person from the patient on record with this name and date of birth"),
        help_text=_(
            "Leave this unticked for a returning patient: the new questionnaire joins "
            "their record. Tick it only for someone else who shares both; you are asked to "
            "confirm."
        ),
    )
    # The record number the confirmation is for: sending the same confirmation twice (a double
    # click) gives the one new record, not two.
    new_record_number = forms.CharField(required=False, widget=forms.HiddenInput)
    email_link = forms.BooleanField(
        required=False,
        label=_("Email the link to the patient"),
        help_text=_(
            "Sent from the app to the email address above, with the clinic's name and "
            "phone number and no health information. You still see the link once to copy."
        ),
    )

    def clean_new_record_number(self) -> int | None:
        value = self.cleaned_data["new_record_number"].strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 32767:
            raise forms.ValidationError(
                gettext("The confirmation could not be read: tick the box and send the form again.")
            )
        return int(value)

    def clean(self):
        cleaned = super().clean()
        if "new_record_number" in self.errors:
            # A hidden field's error is not shown beside it: say it above the form.
            self.add_error(None, self.errors.pop("new_record_number"))
        if cleaned.get("email_link") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "email", gettext("Enter the patient's email address to email them the link.")
            )
        return cleaned


class QueueFilterForm(forms.Form):
    """The work queue's filters, read from the query string. Unknown values get a clear error
    and that filter is left out."""

    q = forms.CharField(
        required=False, max_length=100, label=_("Search name, date of birth or case")
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("Any status"))]
        + [c for c in CaseStatus.choices if c[0] != CaseStatus.DRAFT],
        error_messages={"invalid_choice": _("Unknown status: choose one from the list.")},
    )
    urgent = forms.BooleanField(required=False, label=_("Urgent only"))
    rls_met = forms.BooleanField(required=False, label=_("RLS criteria met"))
    tests = forms.MultipleChoiceField(
        required=False,
        choices=TestKind.choices,
        label=_("Test flagged"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown test: choose from the list.")},
    )
    assigned = forms.ChoiceField(
        required=False,
        choices=[("", _("Anyone")), ("me", _("Assigned to me")), ("unassigned", _("Unassigned"))],
        error_messages={"invalid_choice": _("Unknown assignment filter.")},
    )
    submitted_from = forms.DateField(
        required=False,
        label=_("Submitted from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as year-month-day.")},
    )
    submitted_to = forms.DateField(
        required=False,
        label=_("Submitted to"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as year-month-day.")},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _order) in QUEUE_SORTS.items()],
        error_messages={"invalid_choice": _("Unknown sort order.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", gettext("The end date is before the start date."))
        return cleaned

    def filters(self) -> QueueFilters:
        """The valid filters; a field with an error is left out."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return QueueFilters(
            status=data.get("status") or "",
            urgent=bool(data.get("urgent")),
            tests=tuple(data.get("tests") or ()),
            rls_met=bool(data.get("rls_met")),
            assigned=data.get("assigned") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            search=data.get("q") or "",
            sort=data.get("sort") or "priority",
        )


class CaseChangeForm(forms.Form):
    """Every change to a case carries the case version its page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StatusForm(CaseChangeForm):
    status = forms.ChoiceField(
        choices=[c for c in CaseStatus.choices if c[0] != CaseStatus.DRAFT],
        error_messages={"invalid_choice": _("Unknown status.")},
    )


class AssignForm(CaseChangeForm):
    assignee = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("Nobody"),
        label=_("Assign to"),
        error_messages={"invalid_choice": _("Choose a practitioner from the list.")},
    )

    def __init__(self, *args: Any, staff, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class DecisionForm(CaseChangeForm):
    recommendation = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose ordered, declined or already done.")},
    )
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label=_("Reason (needed when declining)"),
        widget=forms.TextInput,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("decision") == Decision.DECLINED
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", gettext("Give a reason for declining the test."))
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=5000,
        label=_("Add a note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write the note before saving it."),
            "max_length": _("Keep a note under 5000 characters (it has %(show_value)d)."),
        },
    )


class ResultsForm(CaseChangeForm):
    """Results the practitioner enters on the case, as rows like the patient's labs step."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = LabRowFormSet(
            data=self.data if self.is_bound else None, initial=[{}, {}, {}], prefix="results"
        )

    def is_valid(self) -> bool:
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        rows = (
            [row for form in self.rows.forms if (row := form.row())] if self.rows.is_valid() else []
        )
        if self.rows.is_valid() and not rows:
            self.add_error(None, gettext("Enter at least one result."))
        cleaned["results"] = rows
        return cleaned

    def typed_rows(self) -> list[dict[str, Any]]:
        """Each row that has anything in it, as typed (the test by its name), to show back
        when the results could not be saved and the form is not on the page (a colleague
        closed the case meanwhile)."""
        if not self.is_bound:
            return []
        labels = dict(LAB_TEST_CHOICES)
        rows = []
        for row in self.rows.forms:
            typed = {
                name: str(row[name].value() or "").strip()
                for name in ("test", "value", "unit", "taken_on")
            }
            if any(typed.values()):
                test = typed["test"]
                rows.append(
                    {
                        **typed,
                        "test": labels.get(test, test) if test else gettext("No test chosen"),
                        "errors": [error for errors in row.errors.values() for error in errors],
                    }
                )
        return rows

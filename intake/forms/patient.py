"""Input parsing and validation for the patient's steps, with plain, specific messages.

Step forms are built from intake/questionnaire.py. Every question field is declared optional
to Django; `clean()` then applies "required when it applies" with the answers as they will be
after this save, so a question that depends on another on the same page is judged correctly
with or without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone

from intake import questionnaire
from intake.enums import CaseStatus, Decision, TestKind
from intake.questionnaire import Facts, Question, Step
from intake.selectors import QUEUE_SORTS, QueueFilters

TEXT_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 200
CHOOSE_ONE = "Choose an answer to this question."
TICK_ONE = "Tick at least one answer."
NONE_WITH_OTHERS = "Tick “None of these” on its own, or untick it and tick the answers that apply."
PHQ9_PARTIAL = (
    "Answer all nine questions, or leave all nine blank and answer the question below instead."
)
REVISION_MISSING = (
    "Your answers were not saved: this page was sent without the check that stops an older "
    "page overwriting newer answers. Your answers are still below: check them, then save again."
)


def number_message(question: Question) -> str:
    return f"Enter a whole number from {question.min_value} to {question.max_value}."


def _field_for(question: Question) -> forms.Field:
    common = {"label": question.label, "help_text": question.help_text, "required": False}
    if question.kind == "choice" and question.widget == "select":
        return forms.ChoiceField(
            choices=[("", "Choose…"), *question.choices],
            widget=forms.Select,
            error_messages={"invalid_choice": CHOOSE_ONE},
            **common,
        )
    if question.kind == "choice":
        return forms.ChoiceField(
            choices=question.choices,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": CHOOSE_ONE},
            **common,
        )
    if question.kind == "bool":
        return forms.TypedChoiceField(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": CHOOSE_ONE},
            **common,
        )
    if question.kind == "multi":
        none = (
            ((questionnaire.NONE_OF_THESE, question.none_choice),) if question.none_choice else ()
        )
        return forms.MultipleChoiceField(
            choices=[*question.choices, *none],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Choose only from the listed options."},
            **common,
        )
    if question.kind == "int":
        message = number_message(question)
        if question.widget == "slider":
            # templates/intake/patient/_slider.html draws it, with its anchors and value.
            widget = SliderInput(attrs={"min": question.min_value, "max": question.max_value})
        else:
            widget = forms.NumberInput(attrs={"inputmode": "numeric"})
        return forms.IntegerField(
            min_value=question.min_value,
            max_value=question.max_value,
            widget=widget,
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            **common,
        )
    if question.kind == "text":
        return forms.CharField(
            max_length=TEXT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={
                "max_length": f"Keep this under {TEXT_MAX_LENGTH} characters "
                "(it has %(show_value)d).",
            },
            **common,
        )
    raise ValueError(f"no form field for question kind {question.kind!r}")


class SliderInput(forms.NumberInput):
    """A 0-100 answer as a slider (input type=range). Until it is moved the question is not
    answered: the range carries no name then, so nothing is sent (static/js/slider.js names
    it on the first move), and 0 or the middle is never assumed."""

    input_type = "range"


def _initial(question: Question, value: Any) -> Any:
    if question.kind == "bool" and value is not None:
        return "yes" if value else "no"
    if question.none_choice and value == []:
        return [questionnaire.NONE_OF_THESE]
    return value


class StepForm(forms.Form):
    """One step of the questionnaire. Build with `step_form_class(step)`."""

    step: Step
    # The step's revision the page was built from: required, so that no save skips the check
    # against newer answers from another window (services.save_step).
    base_revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=10**9,
        error_messages={
            key: REVISION_MISSING for key in ("required", "invalid", "min_value", "max_value")
        },
    )

    def __init__(self, *args: Any, facts: Facts, **kwargs: Any):
        self.facts = facts
        kwargs.setdefault(
            "initial",
            {q.key: _initial(q, facts.answers.get(q.key)) for q in self.step.questions},
        )
        super().__init__(*args, **kwargs)

    def merged_answers(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        merged = dict(self.facts.answers)
        for question in self.step.questions:
            value = cleaned.get(question.key)
            if value in (None, "", []) and (question.kind != "multi" or value is None):
                merged.pop(question.key, None)
            else:
                merged[question.key] = value
        return merged

    def _read_none_of_these(self, cleaned: dict[str, Any]) -> None:
        """A tick list's "None of these" is an answer, an empty list; nothing ticked is no
        answer at all (None). Ticked with other answers, it is a mistake to point out."""
        for question in self.step.questions:
            ticked = cleaned.get(question.key)
            if not question.none_choice or ticked is None or question.key in self.errors:
                continue
            if questionnaire.NONE_OF_THESE not in ticked:
                cleaned[question.key] = ticked or None
            elif len(ticked) == 1:
                cleaned[question.key] = []
            else:
                self.add_error(question.key, NONE_WITH_OTHERS)

    def page_facts(self) -> Facts:
        """The facts as this page shows them: with the answers just sent when the page comes
        back with errors, so questions are shown or hidden as the patient left them."""
        cleaned = getattr(self, "cleaned_data", None)
        if not self.is_bound or cleaned is None:
            return self.facts
        answers = self.merged_answers(cleaned)
        return Facts(answers, self.facts.age_years, self.facts.irls_licensed)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._read_none_of_these(cleaned)
        facts = Facts(self.merged_answers(cleaned), self.facts.age_years, self.facts.irls_licensed)
        for question in self.step.questions:
            if not questionnaire.field_shown(self.step, question, facts):
                cleaned[question.key] = None  # does not apply: not stored
                if not questionnaire.may_show_on_page(self.step, question, self.facts):
                    # Never on this patient's page, so nothing they could put right.
                    self.errors.pop(question.key, None)
            elif question.required and cleaned.get(question.key) in (None, "", []):
                # A required list (what is taken for restless legs) needs one box ticked.
                if question.key not in self.errors:
                    self.add_error(question.key, self.required_message(question))
        if self.step.slug == "stool-form":
            self._check_stool_shares(cleaned)
        return cleaned

    def _check_stool_shares(self, cleaned: dict[str, Any]) -> None:
        # The engine records a sum over 100 as a data-quality conflict (spec DQ-3); asking the
        # patient while they can still correct it gives the practitioner a usable subtype.
        hard, loose = cleaned.get("pct_bm_hard"), cleaned.get("pct_bm_loose")
        if isinstance(hard, int) and isinstance(loose, int) and hard + loose > 100:
            self.add_error(
                "pct_bm_loose",
                f"Hard and loose together cannot be more than 100%: you entered {hard}% and "
                f"{loose}%. Change one of them.",
            )

    @staticmethod
    def required_message(question: Question) -> str:
        if question.kind == "int":
            return number_message(question)
        if question.kind == "text":
            return "Enter an answer."
        if question.kind == "multi":
            return TICK_ONE
        return CHOOSE_ONE

    def answers(self) -> dict[str, Any]:
        """The values to store: every question of the step (None removes an answer)."""
        return {q.key: self.cleaned_data.get(q.key) for q in self.step.questions}

    def autosave_answers(self) -> dict[str, Any]:
        """What autosave stores while the patient types: each answer that is valid so far.
        "Required" errors do not matter yet; a key left out keeps its saved answer."""
        return {
            q.key: self.cleaned_data[q.key]
            for q in self.step.questions
            if q.key in self.cleaned_data and q.key not in self.errors
        }


def step_form_class(step: Step) -> type[StepForm]:
    fields = {question.key: _field_for(question) for question in step.questions}
    if step.kind == "mood":
        for number, text in enumerate(questionnaire.PHQ9_ITEMS, start=1):
            fields[f"phq9_{number}"] = forms.TypedChoiceField(
                label=f"{number}. {text}",
                choices=questionnaire.PHQ9_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHOOSE_ONE},
            )
        base = MoodForm
    elif step.kind == "labs":
        base = LabsForm
    elif step.kind == "irls":
        for number in range(1, questionnaire.IRLS_ITEM_COUNT + 1):
            fields[f"irls_{number}"] = forms.TypedChoiceField(
                label=f"Item {number}",
                choices=[(score, str(score)) for score in range(5)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHOOSE_ONE},
            )
        base = IrlsForm
    else:
        base = StepForm
    return type(f"{step.slug.title().replace('-', '')}Form", (base,), {"step": step, **fields})


class MoodForm(StepForm):
    """PHQ-9 (all nine or none); self_harm_thoughts is asked only when the PHQ-9 is left blank."""

    def __init__(self, *args: Any, facts: Facts, **kwargs: Any):
        items = facts.answers.get("phq9_items") or [None] * 9
        initial = {f"phq9_{n}": value for n, value in enumerate(items, start=1)}
        initial["self_harm_thoughts"] = facts.answers.get("self_harm_thoughts")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, facts=facts, **kwargs)

    def phq9_fields(self) -> list[forms.BoundField]:
        return [self[f"phq9_{n}"] for n in range(1, 10)]

    def page_facts(self) -> Facts:
        # The nine items are not questions of the step: the page's facts carry them as sent.
        if not self.is_bound or getattr(self, "cleaned_data", None) is None:
            return self.facts
        answers = {**self.facts.answers, "phq9_items": self.cleaned_data.get("phq9_items")}
        if answers["phq9_items"] is None:
            del answers["phq9_items"]
        return Facts(answers, self.facts.age_years, self.facts.irls_licensed)

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        items = [cleaned.get(f"phq9_{n}") for n in range(1, 10)]
        answered = [item for item in items if item is not None]
        if answered and len(answered) < 9:
            for n, item in enumerate(items, start=1):
                if item is None and f"phq9_{n}" not in self.errors:
                    self.add_error(f"phq9_{n}", PHQ9_PARTIAL)
        elif not answered and cleaned.get("self_harm_thoughts") in (None, ""):
            self.add_error(
                "self_harm_thoughts",
                "Answer this question, or answer the nine questions above instead.",
            )
        cleaned["phq9_items"] = items if len(answered) == 9 else None
        if cleaned["phq9_items"] is not None:
            cleaned["self_harm_thoughts"] = None  # the PHQ-9's item 9 asks the same
        return cleaned

    def answers(self) -> dict[str, Any]:
        return {
            "phq9_items": self.cleaned_data.get("phq9_items"),
            "self_harm_thoughts": self.cleaned_data.get("self_harm_thoughts"),
        }


class IrlsForm(StepForm):
    """The licensed IRLS: ten items scored 0-4, labelled with the clinic's licensed text."""

    def __init__(self, *args: Any, facts: Facts, instrument=None, **kwargs: Any):
        items = facts.answers.get("irls_items") or [None] * questionnaire.IRLS_ITEM_COUNT
        kwargs.setdefault("initial", {f"irls_{n}": value for n, value in enumerate(items, start=1)})
        super().__init__(*args, facts=facts, **kwargs)
        if instrument is not None:
            labels = list(instrument.choice_labels)
            for number, text in enumerate(instrument.items, start=1):
                field = self.fields[f"irls_{number}"]
                field.label = f"{number}. {text}"
                field.choices = [(score, f"{score} · {labels[score]}") for score in range(5)]

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"irls_{n}"] for n in range(1, questionnaire.IRLS_ITEM_COUNT + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        items = [cleaned.get(f"irls_{n}") for n in range(1, questionnaire.IRLS_ITEM_COUNT + 1)]
        for number, item in enumerate(items, start=1):
            if item is None and f"irls_{number}" not in self.errors:
                self.add_error(f"irls_{number}", CHOOSE_ONE)
        cleaned["irls_items"] = items
        return cleaned

    def answers(self) -> dict[str, Any]:
        return {"irls_items": self.cleaned_data.get("irls_items")}

    def autosave_answers(self) -> dict[str, Any]:
        # The engine reads a blank item as not answered yet (its schema allows blank items).
        items = self.cleaned_data.get("irls_items") or []
        return {"irls_items": items if any(item is not None for item in items) else None}


# --- labs ----------------------------------------------------------------------------------

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


class LabsForm(StepForm):
    """Earlier results as rows (test, value, unit, date), plus the on-gluten question when a
    coeliac result is given."""

    def __init__(self, *args: Any, facts: Facts, **kwargs: Any):
        super().__init__(*args, facts=facts, **kwargs)
        rows = facts.answers.get("prior_labs") or []
        initial = [
            {
                **row,
                "value": {"neg": "negative", "pos": "positive"}.get(row["value"], row["value"]),
                "unit": row["unit"] or "",
            }
            for row in rows
        ]
        blank_rows = max(questionnaire.MAX_LAB_ROWS - len(initial), 0)
        self.rows = LabRowFormSet(
            data=self.data if self.is_bound else None,
            initial=initial + [{}] * min(blank_rows, 3),
            prefix="labs",
        )

    def is_valid(self) -> bool:
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        rows = []
        if self.rows.is_valid():
            rows = [row for form in self.rows.forms if (row := form.row())]
        cleaned["prior_labs"] = rows or None
        question = questionnaire.QUESTIONS["prior_celiac_test_on_gluten"]
        if any(row["test"] == "ttg_iga" for row in rows):
            if cleaned.get(question.key) in (None, ""):
                self.add_error(question.key, CHOOSE_ONE)
        else:
            cleaned[question.key] = None
        return cleaned

    def answers(self) -> dict[str, Any]:
        return {
            "prior_labs": self.cleaned_data.get("prior_labs"),
            "prior_celiac_test_on_gluten": self.cleaned_data.get("prior_celiac_test_on_gluten"),
        }

    def autosave_answers(self) -> dict[str, Any]:
        """The rows that are complete so far. A saved row that is being corrected keeps its
        saved version until it is valid again: the page's rows are the saved rows in order
        (the revision check makes sure of that), so row n of the page is saved row n."""
        if not self.rows.management_form.is_valid() or self.rows.non_form_errors():
            return {}  # a tampered or oversized set of rows: leave the saved rows alone
        saved = self.facts.answers.get("prior_labs") or []
        rows = []
        for index, form in enumerate(self.rows.forms):
            if form.is_valid():
                row = form.row()
            else:
                row = saved[index] if index < len(saved) else None
            if row:
                rows.append(row)
        values: dict[str, Any] = {"prior_labs": rows or None}
        question = questionnaire.QUESTIONS["prior_celiac_test_on_gluten"]
        # Read as posted: clean() drops it unless every row is complete.
        posted = self[question.key].data
        if not any(row["test"] == "ttg_iga" for row in rows):
            values[question.key] = None  # asked only with a coeliac result
        elif posted in dict(question.choices):
            values[question.key] = posted
        return values


# --- access and consent --------------------------------------------------------------------


class DateOfBirthForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your date of birth",
        help_text="For the child's questionnaire, enter the child's date of birth.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": "Enter your date of birth.",
            "invalid": "Enter the date as year-month-day, e.g. 1980-04-23.",
        },
    )


class PatientDetailsForm(forms.Form):
    """Who the intake is for: used by staff invitations and the public start page."""

    full_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter the patient's full name."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": "Enter the date of birth.",
            "invalid": "Enter the date as year-month-day, e.g. 1980-04-23.",
        },
    )
    email = forms.EmailField(
        required=False,
        label="Email (optional)",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Enter an email address like name@example.com, or leave it empty."
        },
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise forms.ValidationError("Enter the full name using letters.")
        if any(ch in name for ch in "<>{}"):
            raise forms.ValidationError("A name cannot contain < > { or }.")
        return name

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born < today.replace(year=today.year - 120):
            raise forms.ValidationError("Check the year: that is more than 120 years ago.")
        return born


class InvitationForm(PatientDetailsForm):
    """Staff's invitation: the patient's details, and the explicit way to say that someone who
    shares the name and date of birth of a patient on record is a different person."""

    different_person = forms.BooleanField(
        required=False,
        label="A different person from the patient on record with this name and date of birth",
        help_text="Leave this unticked for a returning patient: the new questionnaire joins "
        "their record. Tick it only for someone else who shares both; you are asked to "
        "confirm.",
    )
    # The record number the confirmation is for: sending the same confirmation twice (a double
    # click) gives the one new record, not two.
    new_record_number = forms.CharField(required=False, widget=forms.HiddenInput)
    email_link = forms.BooleanField(
        required=False,
        label="Email the link to the patient",
        help_text="Sent from the app to the email address above, with the clinic's name and "
        "phone number and no health information. You still see the link once to copy.",
    )

    def clean_new_record_number(self) -> int | None:
        value = self.cleaned_data["new_record_number"].strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 32767:
            raise forms.ValidationError(
                "The confirmation could not be read: tick the box and send the form again."
            )
        return int(value)

    def clean(self):
        cleaned = super().clean()
        if "new_record_number" in self.errors:
            # A hidden field's error is not shown beside it: say it above the form.
            self.add_error(None, self.errors.pop("new_record_number"))
        if cleaned.get("email_link") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter the patient's email address to email them the link.")
        return cleaned


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read and agree to the statement above.",
        error_messages={
            "required": "Tick the box to agree, or contact your clinic with questions."
        },
    )
    full_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label="Type your full name as your signature",
        help_text="For a child, the parent or guardian types their own name.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise forms.ValidationError("Type your full name using letters.")
        return name


# --- practitioners -------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The work queue's filters, read from the query string. Unknown values get a clear error
    and that filter is left out."""

    q = forms.CharField(required=False, max_length=100, label="Search name, date of birth or case")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status")] + [c for c in CaseStatus.choices if c[0] != CaseStatus.DRAFT],
        error_messages={"invalid_choice": "Unknown status: choose one from the list."},
    )
    urgent = forms.BooleanField(required=False, label="Urgent only")
    rls_met = forms.BooleanField(required=False, label="RLS criteria met")
    tests = forms.MultipleChoiceField(
        required=False,
        choices=TestKind.choices,
        label="Test flagged",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Unknown test: choose from the list."},
    )
    assigned = forms.ChoiceField(
        required=False,
        choices=[("", "Anyone"), ("me", "Assigned to me"), ("unassigned", "Unassigned")],
        error_messages={"invalid_choice": "Unknown assignment filter."},
    )
    submitted_from = forms.DateField(
        required=False,
        label="Submitted from",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as year-month-day."},
    )
    submitted_to = forms.DateField(
        required=False,
        label="Submitted to",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as year-month-day."},
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, label) for key, (label, _order) in QUEUE_SORTS.items()],
        error_messages={"invalid_choice": "Unknown sort order."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "The end date is before the start date.")
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
        error_messages={"invalid_choice": "Unknown status."},
    )


class AssignForm(CaseChangeForm):
    assignee = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Nobody",
        label="Assign to",
        error_messages={"invalid_choice": "Choose a practitioner from the list."},
    )

    def __init__(self, *args: Any, staff, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class DecisionForm(CaseChangeForm):
    recommendation = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose ordered, declined or already done."},
    )
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason (needed when declining)",
        widget=forms.TextInput,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("decision") == Decision.DECLINED
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", "Give a reason for declining the test.")
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=5000,
        label="Add a note",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write the note before saving it.",
            "max_length": "Keep a note under 5000 characters (it has %(show_value)d).",
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
            self.add_error(None, "Enter at least one result.")
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
                        "test": labels.get(test, test) if test else "No test chosen",
                        "errors": [error for errors in row.errors.values() for error in errors],
                    }
                )
        return rows

"""The patient's pages: the date-of-birth check, each step of the questionnaire and consent,
with plain, specific messages.

Step forms are built from intake/questionnaire/. Every question field is declared optional
to Django; `clean()` then applies "required when it applies" with the answers as they will be
after this save, so a question that depends on another on the same page is judged correctly
with or without JavaScript.

The questionnaire's texts arrive in English (marked with gettext_noop where they are written)
and are translated here, lazily: a step's form class is built once for every patient, so its
labels, choices and messages are looked up in the language of the page that shows them.
"""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake import questionnaire
from intake.forms import fields as choice_fields
from intake.forms.details import NAME_MAX_LENGTH
from intake.forms.labs import LabRowFormSet, typed_value
from intake.questionnaire import PHQ9_CHOICES, Facts, Question, Step, StepKind
from intake.selectors.answers import PHQ9_CHOICE_LABELS

TEXT_MAX_LENGTH = 2000
CHOOSE_ONE = _("Choose an answer to this question.")
TICK_ONE = _("Tick at least one answer.")
NONE_WITH_OTHERS = _(
    "Tick “None of these” on its own, or untick it and tick the answers that apply."
)
PHQ9_PARTIAL = _(
    "Answer all nine questions, or leave all nine blank and answer the question below instead."
)
REVISION_MISSING = _(
    "Your answers were not saved: this page was sent without the check that stops an older "
    "page overwriting newer answers. Your answers are still below: check them, then save again."
)


def _percent(message: str, values: dict[str, Any]) -> str:
    return str(message) % values


# A translated message with its values filled in, looked up when it is shown (for the classes
# built once: gettext_lazy("…") % {…} would fill it in, and fix its language, at once).
_lazy_percent = lazy(_percent, str)


def _translated(text: str) -> str:
    """A questionnaire text in the language of the page that shows it. Blank stays blank
    (gettext("") would return the catalogue's header)."""
    return _(text) if text else text


def _choices(choices) -> list[tuple[Any, str]]:
    return [(value, _translated(label)) for value, label in choices]


def number_message(question: Question) -> str:
    return _lazy_percent(
        _("Enter a whole number from %(min_value)s to %(max_value)s."),
        {"min_value": question.min_value, "max_value": question.max_value},
    )


def _field_for(question: Question) -> forms.Field:
    common = {
        "label": _translated(question.label),
        "help_text": _translated(question.help_text),
        "required": False,
    }
    if question.kind == "choice" and question.widget == "select":
        return choice_fields.ChoiceField(
            choices=[("", _("Choose…")), *_choices(question.choices)],
            widget=forms.Select,
            error_messages={"invalid_choice": CHOOSE_ONE},
            **common,
        )
    if question.kind == "choice":
        return choice_fields.ChoiceField(
            choices=_choices(question.choices),
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": CHOOSE_ONE},
            **common,
        )
    if question.kind == "bool":
        return choice_fields.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
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
        return choice_fields.MultipleChoiceField(
            choices=_choices([*question.choices, *none]),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("Choose only from the listed options.")},
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
                # Django fills in the limit and the length typed.
                "max_length": _(
                    "Keep this under %(limit_value)d characters (it has %(show_value)d)."
                ),
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
                gettext(
                    "Hard and loose together cannot be more than 100%%: you entered "
                    "%(hard)s%% and %(loose)s%%. Change one of them."
                )
                % {"hard": hard, "loose": loose},
            )

    @staticmethod
    def required_message(question: Question) -> str:
        if question.widget == "slider":
            # What the patient sees is a slider (a number box only without scripts).
            return gettext("Move the slider to give your answer.")
        if question.kind == "int":
            return number_message(question)
        if question.kind == "text":
            return gettext("Enter an answer.")
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


# A step's form class is the same for every patient (a form copies its fields when made), so
# it is built once per step rather than on every page and save.
@functools.cache
def step_form_class(step: Step) -> type[StepForm]:
    fields = {question.key: _field_for(question) for question in step.questions}
    if step.kind == StepKind.MOOD:
        for number, text in enumerate(questionnaire.PHQ9_ITEMS, start=1):
            fields[f"phq9_{number}"] = choice_fields.TypedChoiceField(
                label=format_lazy("{}. {}", number, _translated(text)),
                choices=[(value, PHQ9_CHOICE_LABELS[value]) for value, _ in PHQ9_CHOICES],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHOOSE_ONE},
            )
        base = MoodForm
    elif step.kind == StepKind.LABS:
        base = LabsForm
    elif step.kind == StepKind.IRLS:
        for number in range(1, questionnaire.IRLS_ITEM_COUNT + 1):
            fields[f"irls_{number}"] = choice_fields.TypedChoiceField(
                label=_lazy_percent(_("Item %(number)s"), {"number": number}),
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
                gettext("Answer this question, or answer the nine questions above instead."),
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
        # The licensed version shown: its language may not be the page's (docs/languages.md).
        self.instrument = instrument
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


class LabsForm(StepForm):
    """Earlier results as rows (test, value, unit, date), plus the on-gluten question when a
    coeliac result is given."""

    def __init__(self, *args: Any, facts: Facts, **kwargs: Any):
        super().__init__(*args, facts=facts, **kwargs)
        rows = facts.answers.get("prior_labs") or []
        initial = [
            {
                **row,
                "value": typed_value(row["value"]),
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
        label=_("Your date of birth"),
        help_text=_("If you are filling this in for a child, enter the child's date of birth."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter the date as year-month-day, e.g. 1980-04-23."),
        },
    )


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read and agree to the statement above."),
        error_messages={
            "required": _("Tick the box to agree, or contact your clinic with questions.")
        },
    )
    full_name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Type your full name as your signature"),
        help_text=_("For a child, the parent or guardian types their own name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign.")},
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise forms.ValidationError(gettext("Type your full name using letters."))
        return name

"""Choice fields whose forms share their choices.

Django deep-copies every field of a form class for each form it builds, and a choice field's
deep copy copies its choices pair by pair, lazy labels included: for a step of the
questionnaire that was a fifth of an autosave's time, on every patient request. The choices
here are lists of immutable pairs that nothing changes in place (a form that needs other
choices assigns a new list), so each form's field gets its own list holding the same pairs."""

from __future__ import annotations

import copy

from django import forms


class SharedChoicesMixin:
    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        choices = self._choices
        # A callable's iterator, or anything but a list, is copied as Django copies it.
        result._choices = list(choices) if isinstance(choices, list) else copy.deepcopy(choices)
        return result


class ChoiceField(SharedChoicesMixin, forms.ChoiceField):
    pass


class TypedChoiceField(SharedChoicesMixin, forms.TypedChoiceField):
    pass


class MultipleChoiceField(SharedChoicesMixin, forms.MultipleChoiceField):
    pass

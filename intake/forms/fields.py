"""Choice fields whose forms share their choices.

Django deep-copies every field of a form class for each form it builds, and a choice field's
deep copy copies its choices pair by pair, lazy labels included: for a step of the
questionnaire that was a fifth of an autosave's time, on every patient request. The choices
here are lists of immutable pairs that nothing changes in place (a form that needs other
choices assigns a new list), so each form's field gets its own list holding the same pairs."""

from __future__ import annotations

import copy

from django import forms
from django.forms.widgets import ChoiceWidget


def _shared_pairs(choices, memo):
    # A callable's iterator, or anything but a list, is copied as Django copies it.
    return list(choices) if isinstance(choices, list) else copy.deepcopy(choices, memo)


class SharedChoicesMixin:
    def __deepcopy__(self, memo):
        # forms.Field.__deepcopy__, except that the widget's choices are shared as the
        # field's are: Django's ChoiceWidget.__deepcopy__ normalises them again, pair by pair.
        result = copy.copy(self)
        memo[id(self)] = result
        if isinstance(self.widget, ChoiceWidget):
            # ChoiceWidget.__deepcopy__, with the pairs shared.
            widget = copy.copy(self.widget)
            widget.attrs = self.widget.attrs.copy()
            widget._choices = _shared_pairs(self.widget._choices, memo)
            memo[id(self.widget)] = widget
        else:  # any other widget copies itself, as in Django
            widget = copy.deepcopy(self.widget, memo)
        result.widget = widget
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        result._choices = _shared_pairs(self._choices, memo)
        return result


class ChoiceField(SharedChoicesMixin, forms.ChoiceField):
    pass


class TypedChoiceField(SharedChoicesMixin, forms.TypedChoiceField):
    pass


class MultipleChoiceField(SharedChoicesMixin, forms.MultipleChoiceField):
    pass

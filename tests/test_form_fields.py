"""intake/forms/fields.py: forms built from one class share their choice fields' pairs, never
their lists; a form that changes its field's choices changes no other form."""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from intake.forms import fields as choice_fields


class _Form(forms.Form):
    colour = choice_fields.ChoiceField(choices=[("red", gettext_lazy("Red")), ("blue", "Blue")])
    size = choice_fields.TypedChoiceField(choices=[("1", "One"), ("2", "Two")], coerce=int)
    extras = choice_fields.MultipleChoiceField(
        choices=[("Group", [("a", "A"), ("b", "B")]), ("c", "C")]
    )


@pytest.mark.parametrize("name", ["colour", "size", "extras"])
def test_form_fields_each_form_has_its_own_list_of_the_same_choices(name):
    first, second = _Form(), _Form()

    assert first.fields[name].choices == second.fields[name].choices
    assert first.fields[name].choices == _Form.base_fields[name].choices
    assert first.fields[name].choices is not second.fields[name].choices
    assert first.fields[name].widget.choices == first.fields[name].choices
    assert first.fields[name].widget.choices is not second.fields[name].widget.choices
    assert first.fields[name].widget is not second.fields[name].widget
    assert first.fields[name].widget.attrs is not second.fields[name].widget.attrs


def test_form_fields_new_choices_on_one_form_change_no_other():
    changed, other = _Form(), _Form()

    changed.fields["colour"].choices = [("green", "Green")]
    changed.fields["size"].choices.append(("3", "Three"))
    changed.fields["extras"].widget.choices.append(("d", "D"))
    changed.fields["colour"].widget.attrs["class"] = "changed"

    assert [value for value, _label in other.fields["colour"].choices] == ["red", "blue"]
    assert [value for value, _label in _Form().fields["size"].choices] == ["1", "2"]
    assert [value for value, _label in _Form.base_fields["size"].choices] == ["1", "2"]
    assert [value for value, _label in other.fields["extras"].widget.choices] == ["Group", "c"]
    assert "class" not in other.fields["colour"].widget.attrs


def test_form_fields_clean_as_djangos_own():
    form = _Form({"colour": "red", "size": "2", "extras": ["a", "c"]})
    refused = _Form({"colour": "purple", "size": "9", "extras": ["z"]})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"colour": "red", "size": 2, "extras": ["a", "c"]}
    assert not refused.is_valid()
    assert set(refused.errors) == {"colour", "size", "extras"}


def test_form_fields_callable_choices_are_copied_as_django_copies_them():
    field = choice_fields.ChoiceField(choices=lambda: [("x", "X")])

    copied = copy.deepcopy(field)

    assert list(copied.choices) == [("x", "X")]
    assert copied.widget is not field.widget


def test_form_fields_a_widget_not_for_choices_copies_itself_as_in_django():
    class _Tracking(forms.TextInput):
        copies = 0

        def __deepcopy__(self, memo):
            type(self).copies += 1
            return super().__deepcopy__(memo)

    field = choice_fields.ChoiceField(choices=[("x", "X")], widget=_Tracking)

    copied = copy.deepcopy(field)

    assert _Tracking.copies == 1
    assert copied.widget is not field.widget
    assert copied.widget.attrs is not field.widget.attrs

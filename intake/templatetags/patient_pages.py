"""What the patient's pages need beyond the form: the clinic's name and tap-to-call number,
and the parts of the questions drawn by our own templates (grouped tick lists, sliders).

The questionnaire's words arrive here in English (marked with gettext_noop where they are
written) and are translated into the page's language here, where they are shown."""

from __future__ import annotations

import html
import re
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from intake import questionnaire
from intake.languages import is_staff_path
from intake.templatetags.patient_language import language_switch_action

register = template.Library()


@register.simple_tag
def site_name() -> str:
    """The site's own name, in the page's language; escaped where shown, like any text (a
    literal in a template would pass its "&" through as markup)."""
    return gettext("RLS & Gut Health Intake")


@register.simple_tag
def clinic_name() -> str:
    return settings.CLINIC_NAME


@register.simple_tag(takes_context=True)
def patient_page(context) -> bool:
    """Whether this page is the patient's (not a staff page, the sign-in or the admin): only
    theirs offer the language switch; staff pages always speak STAFF_LANGUAGE_CODE."""
    request = context.get("request")
    return request is None or not is_staff_path(request.path_info)


@register.simple_tag
def clinic_phone() -> SafeString:
    """The clinic's phone number as a tap-to-call link (settings.CLINIC_PHONE)."""
    number = settings.CLINIC_PHONE
    dial = ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)
    return format_html('<a class="tel-link" href="tel:{}">{}</a>', dial, number)


@register.simple_tag
def lab_glossary() -> list[dict[str, str]]:
    """Each test the patient may enter, with what it is in plain words."""
    return [
        {"name": gettext(name), "explanation": gettext(questionnaire.LAB_EXPLANATIONS[code])}
        for code, name, _units in questionnaire.LAB_TESTS
    ]


def _text(value: Any) -> str:
    """Text for the page as conditional_escape gives it (escaped, unless it is already markup),
    without that function's cost per call, which a page of boxes paid hundreds of times."""
    if type(value) is not str:  # a plain str, the most common, skips both checks
        if hasattr(value, "__html__"):
            return value.__html__()
        value = str(value)
    return html.escape(value)


def _listed(widget: forms.ChoiceWidget, values: list[str]) -> list[tuple[str, Any, bool]] | None:
    """A choice widget's choices as (value, label, chosen), chosen as ChoiceWidget.optgroups
    chooses (one only unless the widget takes several), without its dictionary of merged
    attributes per choice. None when the choices are in groups."""
    multiple = widget.allow_multiple_selected
    listed = []
    chosen = False
    for value, label in widget.choices:
        if isinstance(label, (list, tuple)):
            return None
        value = "" if value is None else str(value)
        this = (multiple or not chosen) and value in values
        chosen = chosen or this
        listed.append((value, label, this))
    return listed


def _boxes(field: BoundField) -> list[tuple[str, str, str, bool]] | None:
    """Each radio or tick box of a field as (value, label, id, ticked), escaped for the page,
    as Django's subwidgets give them. None for a field whose boxes carry more than an id,
    aria-invalid and checked (attributes on the widget, required, disabled), or whose choices
    are in groups: Django's subwidgets draw those."""
    widget = field.field.widget
    auto_id = field.auto_id
    if widget.attrs or not auto_id or field.field.required or field.field.disabled:
        return None
    listed = _listed(widget, widget.format_value(field.value()))
    if listed is None:
        return None
    return [
        (_text(value), _text(label), _text(f"{auto_id}_{index}"), ticked)
        for index, (value, label, ticked) in enumerate(listed)
    ]


def _subwidget_boxes(field: BoundField) -> list[tuple[str, str, str, bool]]:
    """_boxes for any field, through Django's subwidgets."""
    return [
        (
            _text(box.data["value"]),
            _text(box.data["label"]),
            _text(box.data["attrs"].get("id", "")),
            box.data["selected"],
        )
        for box in field.subwidgets
    ]


def tick_list(field: BoundField) -> dict[str, Any] | None:
    """A tick list with groups or a "None of these" box, for _tick_list: its boxes in
    their groups (each with how many are ticked, so a folded group says so), and the "None of
    these" box apart. None for any other field."""
    question = questionnaire.QUESTIONS.get(field.name)
    if question is None or question.kind != "multi":
        return None
    if not question.groups and not question.none_choice:
        return None
    listed = _boxes(field)
    if listed is None:
        listed = _subwidget_boxes(field)
    boxes = {box[0]: box for box in listed}  # keys are plain words: escaping leaves them be
    none = boxes.pop(questionnaire.NONE_OF_THESE, None)
    if none is not None:
        value, label, box_id, ticked = none
        none = {  # for the template, which would escape them again
            "value": SafeString(value),  # nosec B703 (built from escaped parts)
            "label": SafeString(label),  # nosec B703 (built from escaped parts)
            "attrs": {"id": SafeString(box_id)},  # nosec B703 (built from escaped parts)
            "selected": ticked,
        }
    layout = question.groups or ((None, tuple(boxes)),)
    invalid = " is-invalid" if field.errors else ""
    name = _text(field.html_name)
    groups = []
    for title, keys in layout:
        group_boxes = [boxes[key] for key in keys]
        html_boxes = "\n".join(
            f'<div class="form-check"><input type="checkbox" class="form-check-input{invalid}" '
            f'name="{name}" value="{value}" id="{box_id}"{" checked" if ticked else ""}>'
            f'<label for="{box_id}" class="form-check-label">{label}</label></div>'
            for value, label, box_id, ticked in group_boxes
        )
        groups.append(
            {
                "title": gettext(title) if title else title,
                "boxes_html": SafeString(html_boxes),  # each part escaped above  # nosec B703
                "ticked": sum(1 for box in group_boxes if box[3]),
            }
        )
    return {"groups": groups, "none": none}


@register.filter
def slider(field: BoundField) -> dict[str, Any] | None:
    """A 0-100 slider's parts for _slider.html: its anchors in words and its value, or None
    for any other field. The value is what was sent or saved; None means not answered yet."""
    question = questionnaire.QUESTIONS.get(field.name)
    if question is None or question.widget != "slider":
        return None
    value = field.value()
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is not None and not question.min_value <= number <= question.max_value:
        number = None
    low, middle, high = question.anchors
    return {
        "value": number,
        "min": question.min_value,
        "max": question.max_value,
        "anchors": [
            (question.min_value, gettext(low)),
            ((question.min_value + question.max_value) // 2, gettext(middle)),
            (question.max_value, gettext(high)),
        ],
    }


def choice_boxes(field: BoundField) -> SafeString:
    """A field's radios or tick boxes, each with its label. Written here rather than in a
    template: a step has up to a hundred of them, and the template engine's cost per box was
    most of the page's time. Each input carries the attributes Django's widget gives it (id,
    checked, and aria-invalid when the question has an error), in flatatt's order."""
    invalid = " is-invalid" if field.errors else ""
    boxes = _boxes(field)
    if boxes is None:
        return format_html_join(
            "\n",
            '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" '
            'value="{}"{}><label for="{}" class="form-check-label">{}</label></div>',
            (
                (
                    box.data["type"],
                    invalid,
                    box.data["name"],
                    box.data["value"],
                    flatatt(box.data["attrs"]),
                    box.data["attrs"].get("id", ""),
                    box.data["label"],
                )
                for box in field.subwidgets
            ),
        )
    aria_invalid = ' aria-invalid="true"' if field.errors else ""
    start = (
        f'<div class="form-check"><input type="{_text(field.field.widget.input_type)}" '
        f'class="form-check-input{invalid}" name="{_text(field.html_name)}" value="'
    )
    return SafeString(  # each part escaped by _boxes or here  # nosec B703
        "\n".join(
            f'{start}{value}"{aria_invalid} id="{box_id}"{" checked" if ticked else ""}>'
            f'<label for="{box_id}" class="form-check-label">{label}</label></div>'
            for value, label, box_id, ticked in boxes
        )
    )


@register.simple_tag(takes_context=True)
def question(context: template.Context, field: BoundField) -> SafeString:
    """One question in a fieldset whose legend is the question, drawn as its kind asks: a long
    tick list, a 0-100 slider (_slider.html), radios or tick boxes, or a single box (a number,
    a menu, a text). All but the slider are written here rather than through templates: they
    are most of a step, and the template engine and the form widgets' own templates were most
    of a step page's time. As with the radios, an error comes right after
    the question, and the hint after the box."""
    ticks = tick_list(field)
    if ticks:
        return _tick_list(field, ticks)
    scale = slider(field)
    if scale:
        return _include(context, "intake/patient/_slider.html", field=field, scale=scale)
    if isinstance(field.field.widget, forms.RadioSelect):  # tick boxes are radios to Django
        return _choices(field)
    return _single_box(field)


def _tick_list(field: BoundField, ticks: dict[str, Any]) -> SafeString:
    """A long tick list: its boxes in groups the patient opens one at a time (details and
    summary), each group saying how many of its boxes are ticked, and a "None of these" box at
    the end, which is an answer of its own (static/js/tick-list.js unticks the others; the
    server refuses both). A group with a ticked box starts open. The words are translated and
    escaped as {% translate %} and {% blocktranslate %} would."""
    auto_id = _text(field.auto_id)
    error_id, help_id = f"{auto_id}_error", f"{auto_id}_helptext"
    described_by = f"{error_id} {help_id}" if field.errors else help_id
    hint = f"{_text(field.help_text)} " if field.help_text else ""
    tick_all = _text(gettext("Tick all that apply."))
    groups = []
    for group in ticks["groups"]:
        boxes = group["boxes_html"]
        if not group["title"]:
            groups.append(
                f'\n    <div class="tick-group__boxes tick-group__boxes--open">{boxes}</div>'
            )
            continue
        ticked = group["ticked"]
        count = ""
        if ticked:
            words = ngettext("%(ticked)s ticked", "%(ticked)s ticked", ticked)
            count = f" · {words % {'ticked': _text(ticked)}}"
        groups.append(  # laid out as the template was, which the page's tests read
            f'\n      <details class="tick-group"{" open" if ticked else ""}>'
            f'\n        <summary class="tick-group__title">{_text(group["title"])}'
            f'<span class="tick-group__count">{count}</span></summary>'
            f'\n        <div class="tick-group__boxes">\n          {boxes}\n        </div>'
            "\n      </details>"
        )
    none = ""
    if ticks["none"]:
        box = ticks["none"]
        invalid = " is-invalid" if field.errors else ""
        checked = " checked" if box["selected"] else ""
        or_word = _text(gettext("or"))
        none = (
            f'\n    <p class="tick-list__or mb-1" aria-hidden="true">{or_word}</p>'
            f'\n    <div class="form-check tick-list__none"><input type="checkbox" '
            f'class="form-check-input{invalid}" name="{_text(field.html_name)}" '
            f'value="{box["value"]}" id="{box["attrs"]["id"]}" data-none-of-these{checked}>'
            f'<label for="{box["attrs"]["id"]}" class="form-check-label">{box["label"]}</label>'
            "</div>"
        )
    return SafeString(  # each part escaped here or by tick_list  # nosec B703
        f'<div id="div_{auto_id}" class="mb-3">\n  <fieldset class="tick-list" data-tick-list '
        f'aria-describedby="{described_by}">\n'
        f'    <legend id="{auto_id}_legend" class="form-label fs-6">{_text(field.label)}</legend>'
        f"{_errors(field, f'{field.auto_id}_error', numbered=False)}\n"
        f'    <div id="{help_id}" class="form-text">{hint}{tick_all}</div>'
        f"{''.join(groups)}{none}\n  </fieldset>\n</div>"
    )


def _include(context: template.Context, name: str, **values: Any) -> SafeString:
    """A template of its own, rendered as {% include %} with these values would."""
    with context.push(**values):
        return context.template.engine.get_template(name).render(context)


def _errors(field: BoundField, error_id: str, *, numbered: bool) -> str:
    """The question's errors right after it; the radios' numbered, as crispy-forms did."""
    if not field.errors:
        return ""
    if numbered:
        auto_id = _text(field.auto_id)
        items = "".join(
            f'<p class="mb-0" id="error_{number}_{auto_id}"><strong>{_text(error)}</strong></p>'
            for number, error in enumerate(field.errors, 1)
        )
    else:
        items = "".join(
            f'<p class="mb-0"><strong>{_text(error)}</strong></p>' for error in field.errors
        )
    return (
        f'\n    <div id="{_text(error_id)}" class="invalid-feedback d-block mt-0 mb-2">'
        f"\n      {items}\n    </div>"
    )


def _help(field: BoundField, help_id: str) -> str:
    if not field.help_text:
        return ""
    return f'\n    <div id="{_text(help_id)}" class="form-text">{_text(field.help_text)}</div>'


def _choices(field: BoundField) -> SafeString:
    """Radios or tick boxes: the markup crispy-bootstrap5 gave them (with
    templates/bootstrap5/layout/radio_checkbox_select.html's change: the error comes right
    after the question). The fieldset is described by the hint and the error
    (BoundField.aria_describedby)."""
    auto_id = field.auto_id
    described_by = field.aria_describedby
    described = f' aria-describedby="{_text(described_by)}"' if described_by else ""
    return SafeString(  # each part escaped here or by the functions called  # nosec B703
        f'<div id="div_{_text(auto_id)}" class="mb-3">\n  <fieldset{described}>\n'
        f'    <legend class="form-label fs-6">{_text(field.label)}</legend>'
        f"{_errors(field, f'{auto_id}_error', numbered=True)}\n"
        f"    <div>\n      {choice_boxes(field)}\n    </div>"
        f"{_help(field, f'{auto_id}_helptext')}\n  </fieldset>\n</div>"
    )


def _single_box(field: BoundField) -> SafeString:
    """A number, a menu or a text with no <label> of its own: aria-labelledby names it by the
    legend, so the question is neither shown nor read out twice."""
    auto_id = field.auto_id
    legend_id, error_id, help_id = f"{auto_id}_legend", f"{auto_id}_error", f"{auto_id}_helptext"
    return SafeString(  # each part escaped here or by the functions called  # nosec B703
        f'<div id="div_{_text(auto_id)}" class="mb-3">\n  <fieldset>\n'
        f'    <legend id="{_text(legend_id)}" class="form-label fs-6">{_text(field.label)}</legend>'
        f"{_errors(field, error_id, numbered=False)}\n"
        f"    {box_html(field, legend_id=legend_id, error_id=error_id, help_id=help_id)}"
        f"{_help(field, help_id)}\n  </fieldset>\n</div>"
    )


def box_html(field: BoundField, *, legend_id: str, error_id: str, help_id: str) -> SafeString:
    """The box itself, as Django's widget templates wrote it with the attributes
    {% crispy_field %} added (in the same order): the widget's class name and Bootstrap's,
    is-invalid and aria-invalid with an error, described by the error and the hint."""
    attrs = _crispy_attrs(field)
    attrs["aria-labelledby"] = legend_id
    if field.errors:
        attrs["aria-describedby"] = f"{error_id} {help_id}" if field.help_text else error_id
        attrs["aria-invalid"] = "true"
    elif field.help_text:
        attrs["aria-describedby"] = help_id
    return _widget_html(field, attrs)


def _crispy_attrs(field: BoundField) -> dict[str, Any]:
    """The widget's attributes with the classes {% crispy_field %} gives it: its own, the
    widget's class name, Bootstrap's and is-invalid with an error."""
    widget = field.field.widget
    attrs = dict(widget.attrs)
    classes = (
        widget.attrs.get("class"),
        type(widget).__name__.lower(),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
        "is-invalid" if field.errors else "",
    )
    attrs["class"] = " ".join(filter(None, classes))
    return attrs


def _widget_html(field: BoundField, attrs: dict[str, Any]) -> SafeString:
    """A menu, a text or an input as Django's widget templates write it with these
    attributes (and the id, unless the widget has its own)."""
    widget = field.field.widget
    if "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    value = widget.format_value(field.value())
    start = f'name="{_text(field.html_name)}"'
    if isinstance(widget, forms.Select):
        options = _options(widget, value)
        return SafeString(f"<select {start}{_attributes(attrs)}>{options}\n</select>")  # nosec B703 (built from escaped parts)
    if isinstance(widget, forms.Textarea):
        text = _text(value) if value else ""
        return SafeString(f"<textarea {start}{_attributes(attrs)}>\n{text}</textarea>")  # nosec B703 (built from escaped parts)
    if isinstance(widget, Input) and not isinstance(widget, forms.CheckboxInput):
        value_attr = f' value="{_text(value)}"' if value is not None else ""
        return SafeString(  # nosec B703 (built from escaped parts)
            f'<input type="{_text(widget.input_type)}" {start}{value_attr}{_attributes(attrs)}>'
        )
    raise TypeError(f"{field.name}: no single box for {type(widget).__name__}")


@register.filter
def lab_row(row: forms.Form) -> SafeString:
    """One row of earlier results (test, value, unit, date) as crispy-forms' {{ row|crispy }}
    draws it (bootstrap5/field.html): each box under its own label, its errors after it.
    Written here because crispy's templates cost most of the labs page's time; a row with
    anything those templates would draw differently (a required, hidden or disabled field, a
    tick box, a hint or CSS classes on the form) is still drawn by crispy."""
    if any(not _plain_lab_box(field) for field in row) or hasattr(row, "error_css_class"):
        return as_crispy_form(row)
    html_parts = []
    if row.non_field_errors():
        items = "".join(f"<li>{_text(error)}</li>" for error in row.non_field_errors())
        html_parts.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    for field in row:
        auto_id = _text(field.auto_id)
        attrs = _crispy_attrs(field)
        if field.errors:
            attrs["aria-invalid"] = "true"
        if described_by := field.aria_describedby:
            attrs["aria-describedby"] = described_by
        label = ""
        if field.label:
            label_for = field.id_for_label
            label_for = f' for="{_text(label_for)}"' if label_for else ""
            label = f'\n  <label{label_for} class="form-label">{_text(field.label)}</label>'
        errors = ""
        if field.errors:
            items = "".join(
                f'<p id="error_{number}_{auto_id}"><strong>{_text(error)}</strong></p>'
                for number, error in enumerate(field.errors, 1)
            )
            error_id = _text(field.errors.field_id)
            errors = f'\n  <div id="{error_id}_error" class="invalid-feedback">{items}</div>'
        html_parts.append(
            f'<div id="div_{auto_id}" class="mb-3">{label}\n  {_widget_html(field, attrs)}'
            f"{errors}\n</div>"
        )
    return SafeString("\n".join(html_parts))  # each part escaped above  # nosec B703


def _plain_lab_box(field: BoundField) -> bool:
    widget = field.field.widget
    return (
        isinstance(widget, (forms.Select, Input))
        and not isinstance(widget, (forms.CheckboxInput, forms.FileInput, forms.SelectMultiple))
        and not widget.is_hidden
        and not field.field.required
        and not field.field.disabled
        and not field.help_text
        and bool(field.auto_id)
    )


def _attributes(attrs: dict[str, Any]) -> str:
    """Attributes in their order, as django/forms/widgets/attrs.html writes them (True as the
    bare name, False left out); flatatt would sort them."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(widget: forms.Select, value: list[str]) -> str:
    """A menu's options (and groups), chosen as Django chooses them (Select.optgroups)."""
    listed = None if widget.option_inherits_attrs else _listed(widget, value)
    if listed is not None:
        return "".join(
            f'\n  <option value="{_text(value)}"{" selected" if selected else ""}>'
            f"{_text(label)}</option>"
            for value, label, selected in listed
        )
    html_options = []
    for group_name, options, _index in widget.optgroups("", value):
        if group_name:
            html_options.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            html_options.append(
                f'\n  <option value="{_text(option["value"])}"{_attributes(option["attrs"])}>'
                f"{_text(option['label'])}</option>"
            )
        if group_name:
            html_options.append("\n  </optgroup>")
    return "".join(html_options)


@register.filter
def hidden_input(field: BoundField) -> SafeString:
    """A hidden field as Django's widget template writes it (no aria attributes: it is never
    shown), for a page that shows it on every request."""
    widget = field.field.widget
    if not isinstance(widget, forms.HiddenInput) or widget.attrs:
        return SafeString(str(field))  # nosec B703 (Django's own rendering)
    value = widget.format_value(field.value())
    value_attr = f' value="{_text(value)}"' if value is not None else ""
    id_attr = f' id="{_text(field.auto_id)}"' if field.auto_id else ""
    return SafeString(f'<input type="hidden" name="{_text(field.html_name)}"{value_attr}{id_attr}>')  # nosec B703 (built from escaped parts)


@register.filter
def hidden_form(form: forms.Form) -> SafeString:
    """A form of hidden fields only (a formset's management form) as Django's div template
    writes it: the fields one after another. With an error, Django's own template."""
    fields = list(form)
    if form.non_field_errors() or any(field.errors or not field.is_hidden for field in fields):
        return SafeString(str(form))  # nosec B703 (Django's own rendering)
    return SafeString("".join(hidden_input(field) for field in fields))  # nosec B703 (built from escaped parts)


@register.simple_tag
def step_progress(progress: dict[str, Any]) -> SafeString:
    """Progress by named part: the parts are fixed, so the count never grows as answers open
    more steps. `progress` comes from questionnaire.section_progress. The words are translated
    and escaped as {% translate %} and {% blocktranslate %} would."""
    numbers = {"number": _text(progress["number"]), "total": _text(progress["total"])}
    part_of = gettext("Part %(number)s of %(total)s") % numbers
    done = _text(gettext("(done)"))
    parts = []
    for part in progress["parts"]:
        state = "is-done" if part["done"] else "is-current" if part["current"] else ""
        current = ' aria-current="step"' if part["current"] else ""
        hidden = f'<span class="visually-hidden"> {done}</span>' if part["done"] else ""
        parts.append(f'<li class="{state}"{current}>{_text(gettext(part["title"]))}{hidden}</li>')
    # Each gettext() outside the f-strings: makemessages does not look inside them.
    label = _text(gettext("Progress"))
    return SafeString(  # nosec B703 (built from escaped parts)
        f'<nav class="step-progress" aria-label="{label}">\n'
        f'  <p class="step-progress__label mb-1" id="step-progress-label">{part_of}: '
        f"<strong>{_text(gettext(progress['title']))}</strong></p>\n"
        f'  <progress class="w-100" value="{numbers["number"]}" max="{numbers["total"]}" '
        f'aria-labelledby="step-progress-label">{part_of}</progress>\n'
        f'  <ol class="step-progress__parts">\n    {"".join(parts)}\n  </ol>\n</nav>'
    )


@register.simple_tag(takes_context=True)
def language_switch(context: template.Context) -> SafeString:
    """The patient's language, on every patient page. Each other language is a button named
    in that language (and marked with its lang, so a screen reader reads it right). On a page
    with a form (carry_form: the form's id), the buttons belong to that form and send what is
    typed with them, so switching keeps it (intake.views.languages)."""
    action = _text(language_switch_action(context))
    csrf = CsrfTokenNode().render(context)
    current = get_language()
    carry_form = context.get("carry_form")
    carry = f' form="{_text(carry_form)}" formaction="{action}"' if carry_form else ""
    items = []
    for code, name in context.get("LANGUAGES") or ():
        code, name = _text(code), _text(name)
        if code == current:
            item = (
                f'<span class="language-switch__current" lang="{code}" aria-current="true">'
                f"{name}</span>"
            )
        else:
            item = (
                f'<button type="submit" class="btn btn-link language-switch__choice" '
                f'name="language" value="{code}" lang="{code}"{carry}>{name}</button>'
            )
        items.append(f"\n      <li>{item}</li>")
    label = _text(gettext("Language"))  # outside the f-string, where makemessages finds it
    return SafeString(  # nosec B703 (built from escaped parts)
        f'<nav class="language-switch" aria-label="{label}">\n'
        f'  <form method="post" action="{action}" class="language-switch__form">\n'
        f'    {csrf}\n    <ul class="language-switch__list">{"".join(items)}\n    </ul>\n'
        "  </form>\n</nav>"
    )

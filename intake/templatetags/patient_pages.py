"""What the patient's pages need beyond the form: the clinic's name and tap-to-call number,
and the parts of the questions drawn by our own templates (grouped tick lists, sliders).

The questionnaire's words arrive here in English (marked with gettext_noop where they are
written) and are translated into the page's language here, where they are shown."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from intake import questionnaire
from intake.languages import is_staff_path

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


@register.filter
def tick_list(field: BoundField) -> dict[str, Any] | None:
    """A tick list with groups or a "None of these" box, for _tick_list.html: its boxes in
    their groups (each with how many are ticked, so a folded group says so), and the "None of
    these" box apart. None for any other field."""
    question = questionnaire.QUESTIONS.get(field.name)
    if question is None or question.kind != "multi":
        return None
    if not question.groups and not question.none_choice:
        return None
    boxes = {str(box.data["value"]): box.data for box in field.subwidgets}
    none = boxes.pop(questionnaire.NONE_OF_THESE, None)
    layout = question.groups or ((None, tuple(boxes)),)
    invalid = " is-invalid" if field.errors else ""
    groups = []
    for title, keys in layout:
        group_boxes = [boxes[key] for key in keys]
        ticked = sum(1 for box in group_boxes if box["selected"])
        html = format_html_join(
            "\n",
            '<div class="form-check"><input type="checkbox" class="form-check-input{}" name="{}" '
            'value="{}" id="{}"{}><label for="{}" class="form-check-label">{}</label></div>',
            (
                (
                    invalid,
                    field.html_name,
                    box["value"],
                    box["attrs"]["id"],
                    " checked" if box["selected"] else "",  # nothing in it to escape
                    box["attrs"]["id"],
                    box["label"],
                )
                for box in group_boxes
            ),
        )
        title = gettext(title) if title else title
        groups.append({"title": title, "boxes_html": html, "ticked": ticked})
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


@register.filter
def choice_boxes(field: BoundField) -> SafeString:
    """A field's radios or tick boxes for _choices.html, each with its label. Written here
    rather than in a template: a step has up to a hundred of them, and the template engine's
    cost per box was most of the page's time. Each input carries its widget's attributes (id,
    checked, and aria-invalid when the question has an error)."""
    invalid = " is-invalid" if field.errors else ""
    return format_html_join(
        "\n",
        '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"'
        '{}><label for="{}" class="form-check-label">{}</label></div>',
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

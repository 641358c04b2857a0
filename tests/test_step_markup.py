"""Each step page's questions in every state a patient meets them (not answered yet, answered,
sent back with errors, hostile input among them), checked box by box: the boxes written in
Python (intake/templatetags/patient_pages.py) against the markup Django's widgets and
crispy-forms gave them, and what assistive technology reads (each box named by its question,
described by its hint and error, the error marked on the box)."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.forms.utils import flatatt
from django.template import Context, RequestContext, Template
from django.utils import translation
from django.utils.html import format_html_join

from intake import questionnaire
from intake.models import LicensedInstrument
from intake.templatetags.patient_pages import (
    _boxes,
    _subwidget_boxes,
    choice_boxes,
    lab_row,
    slider,
    tick_list,
)
from tests.answer_sets import STEP_DATA
from tests.factories import answer_steps, first_step_url, step_slug

pytestmark = pytest.mark.django_db

CHILD_BORN = dt.date(2014, 1, 1)
# Everything that can apply, for an adult woman and for a child: the hidden-until-answered
# questions (weeks pregnant, the medicines taken, the child's own words) are then on the page.
# A saved result too, so that the labs step shows a row filled in.
ONE_RESULT = {
    "labs-TOTAL_FORMS": "1",
    "labs-INITIAL_FORMS": "0",
    "labs-0-test": "ferritin",
    "labs-0-value": "40",
    "labs-0-unit": "ng/mL",
    "labs-0-taken_on": "2026-01-05",
}
ADULT = {
    "about-you": {"pregnant": "yes", "weeks_pregnant": "20"},
    "legs": {"rls_on_treatment": "yes", "rls_treatment_meds": ["levodopa"]},
    "labs": ONE_RESULT,
}
CHILD = {
    "about-you": {"guardian_completed": "yes"},
    "legs": {
        "rls_on_treatment": "yes",
        "rls_treatment_meds": ["levodopa"],
        "rls_child_own_words": 'Like "ants" <crawling> & fizzing',
    },
    "bowel": {
        "constipation_4wk": "yes",
        "pain_resolves_with_constipation_treatment": "not_treated_yet",
    },
    "labs": ONE_RESULT,
}
# Typed into every box of a step: markup, quotes and ampersands that must come back as text, a
# number out of range, a choice that is not offered, a text over the limit.
HOSTILE_TEXT = '</textarea><script>alert("x")</script> & fizz\n' * 50
HOSTILE_NUMBER = '7"><b onmouseover="x">'


def _hostile(form: forms.Form) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        widget = field.widget
        if name == "base_revision":
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple):
            data[name] = ["<not offered>", str(field.choices[0][0])]
        elif isinstance(widget, forms.Select):  # radios and menus
            data[name] = '<not offered> & "quoted"'
        elif isinstance(widget, forms.Textarea):
            data[name] = HOSTILE_TEXT
        else:
            data[name] = HOSTILE_NUMBER
    if hasattr(form, "rows"):
        data.update(
            {
                "labs-TOTAL_FORMS": "2",
                "labs-INITIAL_FORMS": "0",
                "labs-0-test": "ferritin",
                "labs-0-value": '<b>"12"</b>',
                "labs-0-unit": "furlongs",
                "labs-0-taken_on": "not a date",
                "labs-1-test": "ttg_iga",
                "labs-1-value": "positive",
                "labs-1-unit": "",
                "labs-1-taken_on": "2026-01-05",
            }
        )
    return data


def _walk(client, overrides: dict[str, dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """Every step page, in order, as (slug, state, response): each step not answered yet, sent
    empty, sent with hostile input, and, once all are answered, opened again."""
    pages = []
    visited = []
    url = first_step_url(client)
    while (slug := step_slug(url)) is not None and slug != "consent":
        page = client.get(url)
        pages.append((slug, "blank", page))
        visited.append(slug)
        for state, data in (("empty", {}), ("hostile", _hostile(page.context["form"]))):
            sent = client.post(url, {**data, "base_revision": page.context["revision"]})
            if sent.status_code == 200:
                pages.append((slug, state, sent))
            else:  # nothing needed on this step: saved, so read the new revision
                page = client.get(url)
        data = {**STEP_DATA[slug], **overrides.get(slug, {})}
        sent = client.post(url, {**data, "base_revision": client.get(url).context["revision"]})
        assert sent.status_code == 302, (slug, sent.context and sent.context["form"].errors)
        url = sent["Location"]
        if url.endswith("/support/"):
            url = first_step_url(client)
    pages += [(slug, "answered", client.get(f"/intake/step/{slug}/")) for slug in visited]
    assert [slug for slug, state, _page in pages if state == "blank"] == visited
    assert len(visited) >= 10, visited
    return pages


@pytest.fixture
def step_pages(patient_link, request, settings) -> list[tuple[str, str, Any]]:
    """The pages of an adult woman, or of a child; the licensed IRLS in English for the
    adult, in another language for the child (the page then says so)."""
    settings.IRLS_LICENSED = True
    LicensedInstrument.objects.create(
        name="IRLS",
        version="1",
        licence_ref="L-1",
        items=[f"Item <{n}> & more" for n in range(1, 11)],
        choice_labels=["none", "mild", "moderate", "severe", "very severe"],
        language="en" if request.param == "adult" else "es",
    )
    if request.param == "adult":
        return _walk(patient_link.client, ADULT)
    patient = patient_link.intake.patient
    patient.date_of_birth = CHILD_BORN
    patient.save(update_fields=["date_of_birth"])
    return _walk(patient_link.client, CHILD)


# --- the markup, token by token ------------------------------------------------------------

VOID = {"input", "br", "img", "meta", "link", "hr", "source"}


class _Tokens(HTMLParser):
    """A page as a list of tokens (start tag with its attributes in order, text, end tag),
    whitespace left out, so two pages compare as the same elements in the same order."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.tokens.append(("text", " ".join(data.split())))


def _element(tokens: list[tuple], element_id: str) -> list[tuple]:
    """The tokens of the element with this id, from its start tag to its end tag."""
    start = next(
        index
        for index, token in enumerate(tokens)
        if token[0] == "start" and ("id", element_id) in token[2]
    )
    return _closed(tokens, start)


def _closed(tokens: list[tuple], start: int) -> list[tuple]:
    """The tokens of the element starting at `start`, to its end tag."""
    depth = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token[0] == "start" and token[1] not in VOID:
            depth += 1
        elif token[0] == "end":
            depth -= 1
            if depth == 0:
                return tokens[start : index + 1]
    raise AssertionError(f"{tokens[start]} is not closed")


# What templates/intake/patient/_question.html wrote for a single box before the boxes were
# written in Python: Django's widget templates with the attributes {% crispy_field %} added.
# (Template sources, made into templates in the tests: a Template made on import would build
# the template engine before pytest-django sets it to fail on an unknown variable.)
SINGLE_BOX_BEFORE = (
    '{% load crispy_forms_field %}{% with legend_id=field.auto_id|add:"_legend" '
    'error_id=field.auto_id|add:"_error" help_id=field.auto_id|add:"_helptext" '
    'box=field|is_select|yesno:"form-select,form-control" %}{% with bad=box|add:" is-invalid" '
    'error_and_help=error_id|add:" "|add:help_id %}'
    '<div id="div_{{ field.auto_id }}" class="mb-3"><fieldset>'
    '<legend id="{{ legend_id }}" class="form-label fs-6">{{ field.label }}</legend>'
    '{% if field.errors %}<div id="{{ error_id }}" class="invalid-feedback d-block mt-0 mb-2">'
    '{% for error in field.errors %}<p class="mb-0"><strong>{{ error }}</strong></p>{% endfor %}'
    "</div>{% endif %}"
    "{% if field.errors and field.help_text %}{% crispy_field field 'class' bad "
    "'aria-labelledby' legend_id 'aria-describedby' error_and_help %}"
    "{% elif field.errors %}{% crispy_field field 'class' bad 'aria-labelledby' legend_id "
    "'aria-describedby' error_id %}"
    "{% else %}{% crispy_field field 'class' box 'aria-labelledby' legend_id %}{% endif %}"
    '{% if field.help_text %}<div id="{{ help_id }}" class="form-text">{{ field.help_text }}'
    "</div>{% endif %}</fieldset></div>{% endwith %}{% endwith %}"
)
# What templates/intake/patient/_choices.html wrote for radios and tick boxes, with each box
# as Django's subwidgets give it (`boxes`, below).
CHOICES_BEFORE = (
    "{% with auto_id=field.auto_id errors=field.errors described_by=field.aria_describedby "
    "help_text=field.help_text %}"
    '<div id="div_{{ auto_id }}" class="mb-3">'
    '<fieldset{% if described_by %} aria-describedby="{{ described_by }}"{% endif %}>'
    '<legend class="form-label fs-6">{{ field.label }}</legend>'
    '{% if errors %}<div id="{{ auto_id }}_error" class="invalid-feedback d-block mt-0 mb-2">'
    '{% for error in errors %}<p class="mb-0" id="error_{{ forloop.counter }}_{{ auto_id }}">'
    "<strong>{{ error }}</strong></p>{% endfor %}</div>{% endif %}"
    "<div>{{ boxes }}</div>"
    '{% if help_text %}<div id="{{ auto_id }}_helptext" class="form-text">{{ help_text }}'
    "</div>{% endif %}</fieldset></div>{% endwith %}"
)
# What templates/intake/patient/_tick_list.html wrote for a long tick list.
TICK_LIST_BEFORE = (
    "{% load i18n %}"
    '{% with legend_id=field.auto_id|add:"_legend" error_id=field.auto_id|add:"_error" '
    'help_id=field.auto_id|add:"_helptext" %}'
    '<div id="div_{{ field.auto_id }}" class="mb-3">'
    '<fieldset class="tick-list" data-tick-list aria-describedby="{% if field.errors %}'
    '{{ error_id }} {% endif %}{{ help_id }}">'
    '<legend id="{{ legend_id }}" class="form-label fs-6">{{ field.label }}</legend>'
    "{% if field.errors %}"
    '<div id="{{ error_id }}" class="invalid-feedback d-block mt-0 mb-2">'
    '{% for error in field.errors %}<p class="mb-0"><strong>{{ error }}</strong></p>'
    '{% endfor %}</div>{% endif %}<div id="{{ help_id }}" class="form-text">'
    "{% if field.help_text %}{{ field.help_text }} {% endif %}"
    '{% translate "Tick all that apply." %}</div>{% for group in ticks.groups %}'
    '{% if group.title %}<details class="tick-group"{% if group.ticked %} open{% endif %}>'
    '<summary class="tick-group__title">{{ group.title }}<span class="tick-group__count">'
    "{% if group.ticked %} · {% blocktranslate trimmed count ticked=group.ticked %}"
    "{{ ticked }} ticked{% plural %}{{ ticked }} ticked{% endblocktranslate %}{% endif %}"
    '</span></summary><div class="tick-group__boxes">{% else %}'
    '<div class="tick-group__boxes tick-group__boxes--open">{% endif %}'
    "{{ group.boxes_html }}</div>{% if group.title %}</details>{% endif %}{% endfor %}"
    '{% if ticks.none %}<p class="tick-list__or mb-1" aria-hidden="true">'
    '{% translate "or" %}</p><div class="form-check tick-list__none">'
    '<input type="checkbox" class="form-check-input{% if field.errors %}'
    ' is-invalid{% endif %}" name="{{ field.html_name }}" value="{{ ticks.none.value }}'
    '" id="{{ ticks.none.attrs.id }}" data-none-of-these{% if ticks.none.selected %}'
    ' checked{% endif %}><label for="{{ ticks.none.attrs.id }}" class="form-check-label">'
    "{{ ticks.none.label }}</label></div>{% endif %}</fieldset></div>{% endwith %}"
)


def _boxes_before(field) -> str:
    """Radios or tick boxes as Django's widget gives them (BoundField.subwidgets)."""
    return format_html_join(
        "\n",
        '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"'
        '{}><label for="{}" class="form-check-label">{}</label></div>',
        (
            (
                box.data["type"],
                " is-invalid" if field.errors else "",
                box.data["name"],
                box.data["value"],
                flatatt(box.data["attrs"]),
                box.data["attrs"].get("id", ""),
                box.data["label"],
            )
            for box in field.subwidgets
        ),
    )


def _questions(response) -> list[forms.BoundField]:
    """The questions a step page draws with the question tag, in order."""
    form = response.context["form"]
    rows = [field for field, _attrs, _hidden in response.context["rows"]]
    if hasattr(form, "phq9_fields"):
        return [*form.phq9_fields(), *rows]
    if hasattr(form, "item_fields"):
        return form.item_fields()
    return rows


def _kind(field: forms.BoundField) -> str:
    if tick_list(field):
        return "tick list"
    if slider(field):
        return "slider"
    if isinstance(field.field.widget, forms.RadioSelect):
        return "choices"
    return "single box"


@pytest.mark.parametrize("step_pages", ["adult", "child"], indirect=True)
def test_step_pages_in_every_state(step_pages):
    """One walk through the questionnaire (the walk is most of the cost) for each check."""
    _check_the_markup_the_widget_templates_gave(step_pages)
    _check_the_boxes_django_gives(step_pages)
    _check_every_reference_names_an_element_that_is_there(step_pages)
    _check_an_error_is_marked_on_its_box_and_described(step_pages)
    _check_the_lab_rows_crispy_gave(step_pages)
    _check_the_tick_lists_in_spanish(step_pages)


def _check_the_markup_the_widget_templates_gave(step_pages):
    single_box_before, choices_before = Template(SINGLE_BOX_BEFORE), Template(CHOICES_BEFORE)
    tick_list_before = Template(TICK_LIST_BEFORE)
    kinds = set()
    compared = 0
    for slug, state, response in step_pages:
        page = _Tokens(response.content.decode()).tokens
        revision = [t for t in page if t[0] == "start" and ("name", "base_revision") in t[2]]
        assert revision == _Tokens(str(response.context["form"]["base_revision"])).tokens
        for field in _questions(response):
            kind = _kind(field)
            kinds.add((kind, state))
            shown = _element(page, f"div_{field.auto_id}")
            if kind == "single box":
                before = single_box_before.render(Context({"field": field}))
            elif kind == "choices":
                context = {"field": field, "boxes": _boxes_before(field)}
                before = choices_before.render(Context(context))
            elif kind == "tick list":
                context = {"field": field, "ticks": tick_list(field)}
                before = tick_list_before.render(Context(context))
            else:
                continue  # still drawn by their own templates
            expected = _element(_Tokens(before).tokens, f"div_{field.auto_id}")
            assert shown == expected, (slug, state, field.name)
            compared += 1
    for state in ("blank", "empty", "hostile", "answered"):
        assert {("single box", state), ("choices", state), ("tick list", state)} <= kinds
    assert compared > 300


def _check_the_tick_lists_in_spanish(step_pages):
    """The words written in Python (the count of ticked boxes, its plural) in Spanish too."""
    drawn, before = (
        Template("{% load patient_pages %}{% question field %}"),
        Template(TICK_LIST_BEFORE),
    )
    counted = 0
    with translation.override("es"):
        for _slug, _state, response in step_pages:
            for field in _questions(response):
                if (ticks := tick_list(field)) is None:
                    continue
                expected = before.render(Context({"field": field, "ticks": ticks}))
                assert (
                    _Tokens(drawn.render(Context({"field": field}))).tokens
                    == _Tokens(expected).tokens
                )
                counted += sum(group["ticked"] for group in ticks["groups"])
    assert counted


def _check_the_lab_rows_crispy_gave(step_pages):
    """Each row of earlier results as {{ row|crispy }} drew it, but for the blanks around
    the labels' words."""
    crispy = Template("{% load crispy_forms_tags %}{{ row|crispy }}")
    states = set()
    for _slug, state, response in step_pages:
        form = response.context["form"]
        if not hasattr(form, "rows"):
            continue
        tokens = _Tokens(response.content.decode()).tokens
        management = _Tokens(str(form.rows.management_form)).tokens  # as Django writes it
        assert any(
            tokens[index : index + len(management)] == management for index in range(len(tokens))
        ), state
        starts = [
            index
            for index, token in enumerate(tokens)
            if token[0] == "start" and ("class", "question lab-row") in token[2]
        ]
        assert len(starts) == len(form.rows.forms)
        for start, row in zip(starts, form.rows.forms, strict=True):
            shown = _closed(tokens, start)[4:-1]  # after the legend, before </fieldset>
            expected = _Tokens(crispy.render(Context({"row": row}))).tokens
            assert shown == expected, (state, row.prefix)
            states.add((state, bool(row.errors), bool(row["test"].value())))
    assert {("blank", False, False), ("answered", False, True), ("hostile", True, True)} <= states


def _check_the_boxes_django_gives(step_pages):
    """Radios, tick boxes and menu options, chosen and labelled as Django's widgets do."""
    compared = 0
    for slug, state, response in step_pages:
        for field in _questions(response):
            widget = field.field.widget
            if isinstance(widget, forms.RadioSelect):
                assert _boxes(field) == _subwidget_boxes(field), (slug, state, field.name)
                compared += 1
    assert compared > 300


def _check_every_reference_names_an_element_that_is_there(step_pages):
    """What a screen reader follows (aria-labelledby, aria-describedby, label for, the error
    summary's links) leads somewhere, ids are unique, and typed markup comes back as text."""
    for slug, state, response in step_pages:
        tokens = _Tokens(response.content.decode()).tokens
        ids = [dict(token[2]).get("id") for token in tokens if token[0] == "start"]
        ids = [element_id for element_id in ids if element_id]
        assert len(ids) == len(set(ids)), (slug, state)
        for token in tokens:
            if token[0] != "start":
                continue
            attrs = dict(token[2])
            named = [
                *(attrs.get("aria-labelledby") or "").split(),
                *(attrs.get("aria-describedby") or "").split(),
                *([attrs["for"]] if "for" in attrs else []),
            ]
            if token[1] == "a" and attrs.get("href", "").startswith("#"):
                named.append(attrs["href"][1:])
            missing = [element_id for element_id in named if element_id not in ids]
            assert not missing, (slug, state, token)
        page = response.content.decode()
        assert "<script>alert" not in page and "<b onmouseover" not in page, (slug, state)


def _check_an_error_is_marked_on_its_box_and_described(step_pages):
    """Named by the legend; is-invalid, aria-invalid and the error's id exactly when the
    question has an error; the hint's id exactly when it has a hint."""
    seen = 0
    for _slug, _state, response in step_pages:
        tokens = _Tokens(response.content.decode()).tokens
        for field in _questions(response):
            if _kind(field) != "single box":
                continue
            box = next(t for t in tokens if t[0] == "start" and ("id", field.auto_id) in t[2])
            attrs = dict(box[2])
            described = (attrs.get("aria-describedby") or "").split()
            assert attrs["name"] == field.html_name
            assert attrs["aria-labelledby"] == f"{field.auto_id}_legend"
            assert ("is-invalid" in attrs["class"].split()) == bool(field.errors)
            assert (attrs.get("aria-invalid") == "true") == bool(field.errors)
            assert (f"{field.auto_id}_error" in described) == bool(field.errors)
            assert (f"{field.auto_id}_helptext" in described) == bool(field.help_text)
            seen += bool(field.errors)
    assert seen >= 10


def test_a_long_text_comes_back_exactly_as_typed(patient_link):
    """A textarea's first line break is eaten by the browser: the box starts with one of its
    own, so a text that starts with a line break, or with markup, comes back as typed."""
    patient = patient_link.intake.patient
    patient.date_of_birth = CHILD_BORN
    patient.save(update_fields=["date_of_birth"])
    client = patient_link.client
    answer_steps(client, CHILD, stop_at="legs")
    typed = "\n</textarea><b>bold</b> & \"quoted\" 'single'\n" + "x" * 2000
    data = {**STEP_DATA["legs"], **CHILD["legs"], "rls_child_own_words": typed}
    page = client.post("/intake/step/legs/", {**data, "base_revision": "0"})

    assert page.status_code == 200
    markup = page.content.decode()
    start = markup.index('<textarea name="rls_child_own_words"')
    body = markup[markup.index(">", start) + 1 : markup.index("</textarea>", start)]
    assert body.startswith("\n\n&lt;/textarea&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted")
    assert html.unescape(body) == "\n" + typed


def test_boxes_in_groups_or_with_attributes_are_drawn_by_django_subwidgets():
    """The quick way covers the questionnaire's flat lists; anything else still gets the
    boxes Django gives, and a second choice with the same value is not ticked too."""

    class Sample(forms.Form):
        grouped = forms.ChoiceField(
            choices=[("Group <a>", [("a", "A & a")]), ("b", "B")], widget=forms.RadioSelect
        )
        styled = forms.MultipleChoiceField(
            choices=[("x", "X")], widget=forms.CheckboxSelectMultiple(attrs={"class": "big"})
        )
        twice = forms.ChoiceField(
            choices=[("y", "Y"), ("y", "Y again")], widget=forms.RadioSelect, required=False
        )
        needed = forms.ChoiceField(choices=[("z", "Z")], widget=forms.RadioSelect)

    form = Sample(data={"grouped": "a", "styled": ["x"], "twice": "y"})
    assert _boxes(form["grouped"]) is None
    assert _boxes(form["styled"]) is None
    assert _boxes(form["needed"]) is None
    assert _boxes(form["twice"]) == _subwidget_boxes(form["twice"])
    assert [ticked for *_box, ticked in _boxes(form["twice"])] == [True, False]
    for name in ("grouped", "styled", "twice", "needed"):
        drawn = _Tokens(str(choice_boxes(form[name]))).tokens
        assert drawn == _Tokens(str(_boxes_before(form[name]))).tokens, name


def test_a_none_of_these_box_is_escaped_once(patient_link):
    """The "None of these" box as the tick list is written from the filter's parts."""
    answer_steps(patient_link.client, stop_at="history")
    page = patient_link.client.get("/intake/step/history/")
    field = page.context["form"]["conditions"]
    field.field.choices = [*field.field.choices[:-1], ("none", "None & “nothing” <here>")]

    drawn = Template("{% load patient_pages %}{% question field %}").render(
        Context({"field": field})
    )

    assert ">None &amp; “nothing” &lt;here&gt;</label>" in drawn


# --- the progress and the language switch, on every patient page -----------------------------

# What templates/intake/patient/_progress.html and _language_switch.html wrote before they were
# written in Python.
PROGRESS_BEFORE = (
    '{% load i18n %}<nav class="step-progress" aria-label="{% translate \'Progress\' %}">'
    '<p class="step-progress__label mb-1" id="step-progress-label">{% blocktranslate trimmed '
    "with number=progress.number total=progress.total %}Part {{ number }} of {{ total }}"
    "{% endblocktranslate %}: <strong>{% translate progress.title %}</strong></p>"
    '<progress class="w-100" value="{{ progress.number }}" max="{{ progress.total }}" '
    'aria-labelledby="step-progress-label">{% blocktranslate trimmed with '
    "number=progress.number total=progress.total %}Part {{ number }} of {{ total }}"
    '{% endblocktranslate %}</progress><ol class="step-progress__parts">'
    '{% for part in progress.parts %}<li class="{% if part.done %}is-done{% elif part.current %}'
    'is-current{% endif %}"{% if part.current %} aria-current="step"{% endif %}>'
    '{% translate part.title %}{% if part.done %}<span class="visually-hidden"> '
    '{% translate "(done)" %}</span>{% endif %}</li>{% endfor %}</ol></nav>'
)
LANGUAGE_SWITCH_BEFORE = (
    "{% load i18n patient_language %}{% language_switch_action as action %}"
    '<nav class="language-switch" aria-label="{% translate \'Language\' %}">'
    '<form method="post" action="{{ action }}" class="language-switch__form">{% csrf_token %}'
    '{% get_current_language as current_language %}<ul class="language-switch__list">'
    "{% for code, name in LANGUAGES %}<li>{% if code == current_language %}"
    '<span class="language-switch__current" lang="{{ code }}" aria-current="true">{{ name }}'
    '</span>{% else %}<button type="submit" class="btn btn-link language-switch__choice" '
    'name="language" value="{{ code }}" lang="{{ code }}"{% if carry_form %} '
    'form="{{ carry_form }}" formaction="{{ action }}"{% endif %}>{{ name }}</button>'
    "{% endif %}</li>{% endfor %}</ul></form></nav>"
)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_progress_is_the_markup_its_template_gave(language):
    drawn = Template("{% load patient_pages %}{% step_progress progress %}")
    with translation.override(language):
        for slug in [*questionnaire.STEPS_BY_SLUG, "consent"]:
            context = {"progress": questionnaire.section_progress(slug)}
            before = _Tokens(Template(PROGRESS_BEFORE).render(Context(context))).tokens
            assert _Tokens(drawn.render(Context(context))).tokens == before, slug


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("carry_form", [None, "", "step-form", '"><b>'])
def test_the_language_switch_is_the_markup_its_template_gave(rf, language, carry_form):
    request = rf.get('/intake/step/bowel/?from=review&x="<b>"&y=é')
    drawn = Template("{% include 'intake/patient/_language_switch.html' %}")
    with translation.override(language):
        context = {} if carry_form is None else {"carry_form": carry_form}
        before = Template(LANGUAGE_SWITCH_BEFORE).render(RequestContext(request, context))
        now = drawn.render(RequestContext(request, context))
    assert 'name="csrfmiddlewaretoken"' in now
    assert _Tokens(_unmasked(now)).tokens == _Tokens(_unmasked(before)).tokens


def _unmasked(markup: str) -> str:
    """The page with its CSRF token blanked (it is masked afresh on every render)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken"', markup)


def test_the_language_switch_without_a_csrf_token_has_no_token_field():
    drawn = Template("{% load patient_pages %}{% language_switch %}").render(Context({}))
    assert "csrfmiddlewaretoken" not in drawn
    assert 'class="language-switch__form"' in drawn


def test_a_row_the_quick_way_does_not_cover_is_drawn_by_crispy():
    class Row(forms.Form):
        needed = forms.CharField(label="Needed <b>")
        plain = forms.CharField(required=False, label="Plain")

    row = Row(data={"plain": '"><b>'}, prefix="labs-0")
    crispy = Template("{% load crispy_forms_tags %}{{ row|crispy }}").render(Context({"row": row}))

    assert _Tokens(lab_row(row)).tokens == _Tokens(crispy).tokens
    assert "requiredField" in lab_row(row)

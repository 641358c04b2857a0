"""The patient's forms and answer lists in Spanish: every step's labels, choices and messages,
the date-of-birth, details and consent forms, earlier lab results, the review page's answer
lines, and which version of the licensed IRLS a patient is shown.

Needs the compiled catalogue (scripts/messages.sh). The questionnaire's own texts are checked
against the catalogue (gettext) rather than written out here: tests/test_questionnaire_spanish.py
holds their Spanish; this file holds that the forms show them, in the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from intake import forms, questionnaire, selectors
from intake.errors import InvitationUnavailable
from intake.forms.labs import QUALITATIVE_WORDS, TYPED_WORDS, LabRowForm
from intake.models import Invitation, LicensedInstrument
from intake.questionnaire import Facts, Question, StepKind
from tests.factories import open_invitation

ADULT = Facts({}, 40)
CHOOSE_ONE_ES = "Elija una respuesta para esta pregunta."


def _bad_value(question: Question) -> Any:
    """A value each kind of question refuses, so that every shown question has an error."""
    if question.kind == "multi":
        return ["not-a-choice"]
    if question.kind == "int":
        return "many"
    if question.kind == "text":
        return "x" * (forms.TEXT_MAX_LENGTH + 1)
    return "not-a-choice"  # choice and bool


def _bad_data(step: questionnaire.Step) -> dict[str, Any]:
    data: dict[str, Any] = {"base_revision": "not-a-number"}
    for question in step.questions:
        data[question.key] = _bad_value(question)
    if step.kind == StepKind.MOOD:
        data.update({f"phq9_{n}": "9" for n in range(1, 10)})
    if step.kind == StepKind.IRLS:
        data.update({f"irls_{n}": "9" for n in range(1, questionnaire.IRLS_ITEM_COUNT + 1)})
    if step.kind == StepKind.LABS:
        data.update({"labs-TOTAL_FORMS": "1", "labs-INITIAL_FORMS": "0"})
        data.update({"labs-0-test": "ferritin", "labs-0-value": "lots", "labs-0-unit": "%"})
    return data


def _texts(question: Question) -> list[str]:
    """The English a patient reads in a question's field: label, help and choice labels."""
    texts = [question.label, question.help_text, question.none_choice]
    texts += [label for _value, label in question.choices]
    return [text for text in texts if text]


def _english_left(html: str, texts: list[str]) -> list[str]:
    """The texts that have Spanish of their own yet are still in the page in English."""
    return [
        text for text in texts if gettext(text) != text and (escape(text) in html or text in html)
    ]


def _rendered(form: forms.StepForm) -> str:
    html = form.as_div()
    if isinstance(form, forms.LabsForm):
        html += "".join(row.as_div() for row in form.rows.forms)
    return html


def _messages(form) -> dict[str, list[str]]:
    """A form's errors as text, in the language active now (a message is translated when it
    is read, as a page does when it renders)."""
    return {key: [str(message) for message in messages] for key, messages in form.errors.items()}


def _error(question: Question) -> str:
    if question.kind == "multi":
        return "Elija solo entre las opciones de la lista."
    if question.kind == "int":
        return f"Escriba un número entero del {question.min_value} al {question.max_value}."
    if question.kind == "text":
        return (
            f"Use como máximo {forms.TEXT_MAX_LENGTH} caracteres "
            f"(ahora tiene {forms.TEXT_MAX_LENGTH + 1})."
        )
    return CHOOSE_ONE_ES


@pytest.mark.parametrize("step", questionnaire.STEPS, ids=lambda step: step.slug)
def test_step_form_in_spanish_has_spanish_labels_choices_and_errors(step):
    with translation.override("es"):
        form = forms.step_form_class(step)(_bad_data(step), facts=ADULT)
        form.is_valid()
        html = _rendered(form)
        english_left = [
            text for question in step.questions for text in _english_left(html, _texts(question))
        ]
        if step.kind == StepKind.MOOD:
            english_left += _english_left(html, list(questionnaire.PHQ9_ITEMS))
            english_left += _english_left(html, [label for _v, label in questionnaire.PHQ9_CHOICES])
        errors = _messages(form)

    assert english_left == []
    shown = [q for q in step.questions if q.key in errors]
    expected = {q.key: [_error(q)] for q in shown}
    if step.kind == StepKind.MOOD:
        # Refused, and so not an answer: the nine items are not answered either.
        expected["self_harm_thoughts"].append(
            "Responda esta pregunta, o responda en su lugar las nueve preguntas de arriba."
        )
    assert {q.key: errors[q.key] for q in shown} == expected
    if step.kind != StepKind.CONSENT:
        assert errors["base_revision"] == [
            "Sus respuestas no se guardaron: esta página se envió sin la comprobación que impide "
            "que una página más antigua reemplace respuestas más recientes. Sus respuestas siguen "
            "abajo: revíselas y vuelva a guardar."
        ]


def test_step_forms_in_spanish_show_each_question_label_in_spanish():
    with translation.override("es"):
        labels = {
            question.key: (str(forms.step_form_class(step).base_fields[question.key].label))
            for step in questionnaire.STEPS
            for question in step.questions
        }
        expected = {
            question.key: gettext(question.label)
            for step in questionnaire.STEPS
            for question in step.questions
        }

    assert labels == expected


def test_a_cached_step_form_follows_the_active_language():
    field = forms.step_form_class(questionnaire.STEPS_BY_SLUG["about-you"]).base_fields[
        "guardian_completed"
    ]

    with translation.override("en"):
        english = [str(label) for _value, label in field.choices]
        message = str(forms.CHOOSE_ONE)
    with translation.override("es"):
        spanish = [str(label) for _value, label in field.choices]
        mensaje = str(forms.CHOOSE_ONE)

    assert english == ["Yes", "No"]
    assert spanish == ["Sí", "No"]
    assert (message, mensaje) == ("Choose an answer to this question.", CHOOSE_ONE_ES)


def test_select_question_in_spanish_offers_elija_first():
    field = forms.step_form_class(questionnaire.STEPS_BY_SLUG["bowel"]).base_fields["abd_pain_freq"]

    with translation.override("es"):
        first = str(field.choices[0][1])

    assert first == "Elija…"


def test_irls_items_without_licensed_text_are_numbered_in_spanish():
    form_class = forms.step_form_class(questionnaire.STEPS_BY_SLUG["severity-scale"])

    with translation.override("es"):
        labels = [str(form_class.base_fields[f"irls_{n}"].label) for n in (1, 10)]

    assert labels == ["Pregunta 1", "Pregunta 10"]


def test_phq9_items_in_spanish_keep_their_numbers():
    form_class = forms.step_form_class(questionnaire.STEPS_BY_SLUG["mood"])

    with translation.override("es"):
        label = str(form_class.base_fields["phq9_1"].label)
        expected = "1. " + gettext(questionnaire.PHQ9_ITEMS[0])

    assert label == expected


def test_mood_step_left_blank_in_spanish_asks_for_the_fallback_question():
    step = questionnaire.STEPS_BY_SLUG["mood"]

    with translation.override("es"):
        form = forms.step_form_class(step)({"base_revision": "0"}, facts=ADULT)
        form.is_valid()
        errors = _messages(form)

    assert errors == {
        "self_harm_thoughts": [
            "Responda esta pregunta, o responda en su lugar las nueve preguntas de arriba."
        ]
    }


def test_stool_shares_over_100_in_spanish_name_both_numbers():
    step = questionnaire.STEPS_BY_SLUG["stool-form"]
    data = {"base_revision": "0", "pct_bm_hard": "70", "pct_bm_loose": "40"}

    with translation.override("es"):
        form = forms.step_form_class(step)(data, facts=ADULT)
        form.is_valid()
        errors = _messages(form)

    assert errors == {
        "pct_bm_loose": [
            "Las duras y las blandas juntas no pueden sumar más del 100%: usted escribió 70% y "
            "40%. Cambie uno de los dos números."
        ]
    }


def test_none_of_these_with_other_answers_in_spanish_is_refused():
    step = questionnaire.STEPS_BY_SLUG["history"]
    data = {"base_revision": "0", "conditions": [questionnaire.NONE_OF_THESE, "anemia_known"]}

    with translation.override("es"):
        form = forms.step_form_class(step)(data, facts=ADULT)
        form.is_valid()
        errors = _messages(form)["conditions"]

    assert errors == [
        "Marque “Ninguna de las anteriores” sola, o desmárquela y marque las respuestas que "
        "correspondan."
    ]


def test_date_of_birth_form_in_spanish():
    with translation.override("es"):
        empty = forms.DateOfBirthForm({"date_of_birth": ""})
        wrong = forms.DateOfBirthForm({"date_of_birth": "1980-13-45"})
        html = wrong.as_div()
        errors = (_messages(empty), _messages(wrong))

    assert errors == (
        {"date_of_birth": ["Escriba su fecha de nacimiento."]},
        {"date_of_birth": ["Escriba la fecha como año-mes-día, por ejemplo 1980-04-23."]},
    )
    assert "Su fecha de nacimiento" in html
    assert "Your date of birth" not in html
    assert "escriba la fecha de nacimiento del niño o niña" in html


def test_patient_details_form_in_spanish():
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()

    with translation.override("es"):
        form = forms.PatientDetailsForm(
            {"full_name": "1 2", "date_of_birth": future, "email": "nobody"}
        )
        html = form.as_div()
        errors = _messages(form)

    assert errors == {
        "full_name": ["Escriba el nombre completo con letras."],
        "date_of_birth": ["La fecha de nacimiento no puede ser una fecha futura."],
        "email": [
            "Escriba una dirección de correo electrónico como nombre@ejemplo.com, o déjela en "
            "blanco."
        ],
    }
    assert "Nombre completo" in html
    assert "Correo electrónico (opcional)" in html
    assert "Full name" not in html


def test_patient_details_form_in_spanish_refuses_a_birth_year_too_long_ago():
    with translation.override("es"):
        form = forms.PatientDetailsForm({"full_name": "Ana Pérez", "date_of_birth": "1850-01-01"})
        errors = _messages(form)

    assert errors == {"date_of_birth": ["Revise el año: esa fecha es de hace más de 120 años."]}


def test_consent_form_in_spanish():
    with translation.override("es"):
        empty = forms.ConsentForm({})
        digits = forms.ConsentForm({"agree": "on", "full_name": "12"})
        html = empty.as_div()
        errors = (_messages(empty), _messages(digits))

    assert errors == (
        {
            "agree": [
                "Marque la casilla para indicar que está de acuerdo, o comuníquese con su "
                "clínica si tiene preguntas."
            ],
            "full_name": ["Escriba su nombre completo para firmar."],
        },
        {"full_name": ["Escriba su nombre completo con letras."]},
    )
    assert "He leído la declaración anterior y estoy de acuerdo." in html
    assert "Escriba su nombre completo como firma" in html
    assert "I have read" not in html


def test_lab_row_in_spanish_names_each_mistake():
    with translation.override("es"):
        form = LabRowForm({"test": "ferritin", "value": "mucho", "unit": "", "taken_on": ""})
        html = form.as_div()
        errors = _messages(form)

    assert errors == {
        "value": ["Escriba el resultado como un número, por ejemplo 42 o 3,5."],
        "unit": ["Elija la unidad que aparece en el informe: ng/mL o µg/L."],
        "taken_on": ["Escriba la fecha del análisis."],
    }
    assert "Elija un análisis…" in html
    assert "Sin unidad" in html
    assert "Fecha del análisis" in html


def test_lab_row_in_spanish_offers_the_spanish_words_and_accepts_them():
    with translation.override("es"):
        refused = LabRowForm(
            {"test": "ttg_iga", "value": "maybe", "unit": "", "taken_on": "2026-01-05"}
        )
        refused_errors = _messages(refused)
        accepted = LabRowForm(
            {"test": "total_iga", "value": "Baja", "unit": "", "taken_on": "2026-01-05"}
        )
        accepted.is_valid()

    assert refused_errors == {"value": ["Para este análisis escriba negativo o positivo."]}
    assert accepted.row() == {
        "test": "total_iga",
        "value": "low",
        "unit": None,
        "taken_on": "2026-01-05",
    }


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_stored_lab_word_typed_back_is_accepted_again(language):
    tests = {"neg": "ttg_iga", "pos": "ttg_iga", "normal": "total_iga", "low": "total_iga"}

    with translation.override(language):
        typed = {code: str(word) for code, word in TYPED_WORDS.items()}

    assert {code: QUALITATIVE_WORDS[tests[code]].get(word) for code, word in typed.items()} == {
        code: code for code in tests
    }


def test_labs_step_in_spanish_shows_a_saved_result_in_spanish():
    step = questionnaire.STEPS_BY_SLUG["labs"]
    row = {"test": "ttg_iga", "value": "neg", "unit": None, "taken_on": "2026-01-05"}
    facts = Facts({"prior_labs": [row]}, 40)

    with translation.override("es"):
        form = forms.step_form_class(step)(facts=facts)
        value = form.rows.forms[0].initial["value"]

    assert value == "negativo"


# --- the review page's answer lines -----------------------------------------------------------


def _lines(sections, key: str) -> selectors.AnswerLine:
    return next(line for section in sections for line in section.lines if line.key == key)


def test_answer_lines_in_spanish():
    answers = {
        "sex_at_birth": "female",
        "guardian_completed": True,
        "rls_screen": "yes",  # the IRLS is asked after it
        "prior_labs": [{"test": "ttg_iga", "value": "pos", "unit": None, "taken_on": "2026-01-05"}],
    }
    facts = Facts(answers, 40, irls_licensed=True)

    with translation.override("es"):
        sections = selectors.answer_sections(answers=answers, facts=facts)
        first = sections[0]
        expected_title = gettext(first.step.title)
        expected_label = gettext(questionnaire.QUESTIONS["sex_at_birth"].label)
        expected_lab = gettext("Coeliac blood test (tTG-IgA)") + ": " + gettext("Positive")
        lines = {
            key: _lines(sections, key)
            for key in ("sex_at_birth", "pregnant", "phq9_1", "irls_1", "lab_1")
        }

    assert first.title == expected_title
    assert lines["sex_at_birth"].label == expected_label
    assert (lines["pregnant"].answer, lines["pregnant"].answered) == ("Sin responder", False)
    assert (lines["phq9_1"].answer, lines["phq9_1"].answered) == ("Sin responder", False)
    assert (lines["irls_1"].label, lines["irls_1"].answered) == (
        "Escala de gravedad, pregunta 1",
        False,
    )
    assert lines["lab_1"].label == "Resultado 1"
    assert lines["lab_1"].answer == f"{expected_lab} (fecha del análisis: 2026-01-05)"


def test_answer_lines_in_spanish_translate_yes_and_ticked_lists():
    answers = {"guardian_completed": True, "conditions": [], "medications": None}
    facts = Facts(answers, 12)

    with translation.override("es"):
        sections = selectors.answer_sections(answers=answers, facts=facts)
        lines = {key: _lines(sections, key) for key in ("guardian_completed", "conditions")}

    assert lines["guardian_completed"].answer == "Sí"
    assert lines["conditions"].answer == "Ninguna de las anteriores"
    assert lines["conditions"].answered is True


def test_answer_lines_in_english_for_staff_pages():
    answers = {"guardian_completed": False}
    facts = Facts(answers, 12)

    with translation.override("en"):
        sections = selectors.answer_sections(answers=answers, facts=facts)
        keys = ("guardian_completed", "sex_at_birth", "prior_labs")
        lines = {key: _lines(sections, key) for key in keys}

    assert lines["guardian_completed"].answer == "No"
    assert (lines["sex_at_birth"].answer, lines["sex_at_birth"].answered) == ("Not answered", False)
    assert (lines["prior_labs"].label, lines["prior_labs"].answer) == ("Results", "None added")


# --- the licensed IRLS in the patient's language ----------------------------------------------


def _instrument(language: str, *, active: bool = True) -> LicensedInstrument:
    return LicensedInstrument.objects.create(
        name="IRLS",
        version=f"test-{language}",
        licence_ref="TEST-ONLY",
        items=[f"Placeholder item {n} ({language})" for n in range(1, 11)],
        choice_labels=["0", "1", "2", "3", "4"],
        language=language,
        active=active,
    )


@pytest.mark.django_db
def test_irls_instrument_prefers_the_version_in_the_language_asked():
    spanish = _instrument("es")
    english = _instrument("en")  # newer

    assert selectors.irls_instrument(language="es") == spanish
    assert selectors.irls_instrument(language="en") == english


@pytest.mark.django_db
def test_irls_instrument_follows_the_active_language_by_default():
    spanish = _instrument("es")
    english = _instrument("en")

    with translation.override("es"):
        chosen_es = selectors.irls_instrument()
    with translation.override("en"):
        chosen_en = selectors.irls_instrument()

    assert (chosen_es, chosen_en) == (spanish, english)


@pytest.mark.django_db
def test_irls_instrument_without_a_version_in_the_language_falls_back_to_any_active():
    _instrument("es", active=False)
    english = _instrument("en")

    assert selectors.irls_instrument(language="es") == english


@pytest.mark.django_db
def test_irls_instrument_without_an_active_version_is_none():
    _instrument("es", active=False)

    assert selectors.irls_instrument(language="es") is None


@pytest.mark.django_db
def test_expired_link_message_in_spanish_gives_the_date_in_spanish():
    invitation, _token = open_invitation()
    expires = timezone.make_aware(dt.datetime(2026, 4, 23, 12, 0))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=expires)

    with translation.override("es"), pytest.raises(InvitationUnavailable) as refusal:
        selectors.patient_intake(intake_id=invitation.intake_id, invitation_id=invitation.pk)

    assert str(refusal.value) == (
        "Este enlace venció el 23 de abril de 2026. Sus respuestas hasta ahora se guardan, pero "
        "necesita un enlace nuevo de su clínica para cambiarlas o enviarlas."
    )

"""The questionnaire in Spanish: every text a patient reads on its steps has a Spanish
translation in the catalogue, and the PHQ-9 is its published Spanish version word for word.
Reads the compiled catalogue: run scripts/messages.sh first."""

from __future__ import annotations

import pytest
from django.utils import translation

from intake import questionnaire
from intake.languages import SESSION_LANGUAGE
from intake.questionnaire import PHQ9_CHOICES, Question, Step
from intake.selectors.answers import PHQ9_CHOICE_LABELS
from tests.factories import answer_steps

# Texts the same in both languages.
SAME_IN_SPANISH = frozenset({"No", "Normal"})

PHQ9_STEM_EN = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
# The PHQ-9, Spanish for USA (Pfizer, PHQ Screeners), verbatim.
PHQ9_STEM_ES = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)
PHQ9_CHOICES_ES = [
    (0, "Ningún día"),
    (1, "Varios días"),
    (2, "Más de la mitad de los días"),
    (3, "Casi todos los días"),
]
PHQ9_ITEMS_ES = [
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con "
    "usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario – muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
]


def _question_texts(question: Question) -> list[str]:
    texts = [question.label, question.help_text, question.none_choice]
    texts += [label for _value, label in question.choices]
    texts += list(question.anchors or ())
    texts += [heading for heading, _codes in question.groups]
    return texts


def _step_texts(step: Step) -> list[str]:
    texts = [step.title, step.intro, step.notice]
    for question in step.questions:
        texts += _question_texts(question)
    return texts


def _untranslated(texts: list[str]) -> list[str]:
    with translation.override("es"):
        return [
            text
            for text in texts
            if text and text not in SAME_IN_SPANISH and translation.gettext(text) == text
        ]


def _spanish(texts) -> list[str]:
    with translation.override("es"):
        return [translation.gettext(text) for text in texts]


@pytest.mark.parametrize("step", questionnaire.STEPS, ids=lambda step: step.slug)
def test_step_texts_in_spanish_every_title_question_and_choice(step):
    assert _untranslated(_step_texts(step)) == []


def test_questionnaire_texts_beside_the_steps_in_spanish():
    texts = [section.title for section in questionnaire.SECTIONS]
    texts += [label for _value, label in questionnaire.PHQ9_CHOICES]
    texts += list(questionnaire.PHQ9_ITEMS)
    texts += [label for _value, label in questionnaire.BRISTOL_TYPES]
    texts += [questionnaire.CONSENT_TEXT]
    texts += [name for _code, name, _units in questionnaire.LAB_TESTS]
    texts += list(questionnaire.LAB_EXPLANATIONS.values())
    texts += [
        label for choices in questionnaire.QUALITATIVE_LAB_CHOICES.values() for _, label in choices
    ]
    texts += ["Not answered", "None of these", "%(value)s out of %(maximum)s", "Yes"]

    assert _untranslated(texts) == []


def test_phq9_items_in_spanish_are_the_published_version_verbatim():
    assert _spanish(questionnaire.PHQ9_ITEMS) == PHQ9_ITEMS_ES


def test_phq9_answers_in_spanish_are_the_published_version_verbatim():
    # Shown with their own context ("Not at all" answers other questions too, as "Nada").
    with translation.override("es"):
        choices = [(value, str(PHQ9_CHOICE_LABELS[value])) for value, _ in PHQ9_CHOICES]
        elsewhere = translation.gettext("Not at all")

    assert choices == PHQ9_CHOICES_ES
    assert elsewhere == "Nada"


def test_phq9_answers_in_english_are_the_questionnaires():
    with translation.override("en"):
        assert [(v, str(PHQ9_CHOICE_LABELS[v])) for v, _ in PHQ9_CHOICES] == list(PHQ9_CHOICES)


def test_the_mood_page_and_its_review_show_the_published_answers(patient_link):
    answer_steps(patient_link.client, stop_at="mood")
    session = patient_link.client.session
    session[SESSION_LANGUAGE] = "es"
    session.save()

    page = patient_link.client.get("/intake/step/mood/").content.decode()

    assert page.count("Ningún día") == 9
    assert PHQ9_STEM_ES in page


def test_phq9_stem_in_spanish_is_the_published_version_verbatim():
    # Asked on the mood step's page (templates/intake/patient/step.html), above the nine items.
    [stem] = _spanish([PHQ9_STEM_EN])

    assert stem == PHQ9_STEM_ES


def test_slider_answer_in_spanish_keeps_its_numbers():
    question = questionnaire.QUESTIONS["pct_bm_hard"]

    with translation.override("es"):
        shown = translation.gettext("%(value)s out of %(maximum)s") % {
            "value": 30,
            "maximum": question.max_value,
        }

    assert (question.display(30), shown) == ("30 out of 100", "30 de 100")


def test_questionnaire_texts_in_english_unchanged_by_the_catalogue():
    with translation.override("en"):
        shown = translation.gettext(questionnaire.PHQ9_ITEMS[0])

    assert shown == "Little interest or pleasure in doing things"

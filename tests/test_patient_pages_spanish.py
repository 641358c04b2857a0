"""The patient's pages, one by one, asked for in Spanish by the browser (Accept-Language): the
page says it is Spanish (<html lang="es">), its own words are in Spanish, and the English they
replace is gone. The scripts' words come from the JavaScript catalogue in the same language.
(tests/test_spanish_pages.py checks every page for any English left; this file checks what
each page says.)"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from intake.models import Intake
from intake.notifications.stop_links import stop_token
from intake.views.errors import rate_limited
from tests.factories import answer_steps, first_step_url, open_invitation, send_answers

pytestmark = pytest.mark.django_db

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
SITE_ES = "Cuestionario de piernas inquietas y salud digestiva"


def _title(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def _h1(html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", "", text).split())
        for text in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    ]


def _spanish(response) -> str:
    assert response.status_code in {200, 400, 403, 404, 429}
    assert response["Content-Language"] == "es"
    html = response.content.decode()
    assert html.startswith('<!doctype html>\n<html lang="es">')
    return html


@pytest.fixture
def patient(settings) -> Client:
    settings.RATE_LIMIT_PATIENT = "1000/h"
    _invitation, token = open_invitation()
    client = Client()
    client.get(f"/i/{token}/", **ES)
    return client


def test_home_page_in_spanish_header_footer_and_switch(settings):
    settings.PUBLIC_START_ENABLED = True

    html = _spanish(Client().get("/", **ES))

    assert _title(html) == SITE_ES
    assert _h1(html) == ["El cuestionario de su clínica"]
    assert '<a class="skip-link" href="#main">Ir al contenido principal</a>' in html
    assert '<span class="patient-brand__sub">Cuestionario de salud</span>' in html
    assert "¿Tiene preguntas sobre este cuestionario? Llame a " in html
    assert "Este servicio señala puntos para que su clínica los revise" in html
    assert ">Empezar un cuestionario nuevo</a>" in html
    # The switch: in the header, after the skip link and the clinic's name, before the page.
    positions = [
        html.index('class="skip-link"'),
        html.index("patient-brand__sub"),
        html.index('class="language-switch"'),
        html.index('<main id="main"'),
    ]
    assert positions == sorted(positions)
    for english in ("Skip to main content", "Health questionnaire", "Questions about this"):
        assert english not in html


def test_home_page_without_a_language_asked_for_stays_english():
    html = Client().get("/").content.decode()

    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert _h1(html) == ["Your clinic intake questionnaire"]


def test_staff_sign_in_page_has_no_language_switch():
    html = Client().get("/accounts/login/", **ES).content.decode()

    assert 'class="language-switch"' not in html


def test_start_page_in_spanish_carries_its_form_when_switching(settings):
    settings.PUBLIC_START_ENABLED = True

    html = _spanish(Client().get("/start/", **ES))

    assert _title(html) == "Empiece su cuestionario"
    assert _h1(html) == ["Empiece su cuestionario"]
    assert 'btn-lg">Empezar</button>' in html
    assert '<form method="post" novalidate id="details-form">' in html
    assert 'form="details-form"' in html
    assert "Tell us who the questionnaire is for" not in html


def test_link_unavailable_and_not_found_pages_in_spanish(settings):
    settings.RATE_LIMIT_PATIENT = "1000/h"

    unavailable = _spanish(Client().get("/i/not-a-real-link/", **ES))
    missing = _spanish(Client().get("/intake/no-such-page/", **ES))

    assert _title(unavailable) == "Enlace no disponible"
    assert _h1(unavailable) == ["Este enlace no se puede usar"]
    assert "Cómo obtener un enlace nuevo" in unavailable
    assert "How to get a new link" not in unavailable
    assert _title(missing) == f"Página no encontrada · {SITE_ES}"
    assert _h1(missing) == ["Página no encontrada"]
    assert "Go to the start page" not in missing


def test_welcome_page_in_spanish_with_the_time_estimate(patient):
    response = patient.get("/intake/welcome/", **ES)

    html = _spanish(response)
    estimate = response.context["estimate"]
    assert _title(html) == "Bienvenido/a · Su cuestionario"
    assert _h1(html) == [f"Su cuestionario para {django_settings.CLINIC_NAME}"]
    assert (
        f"Entre {estimate['fewest_minutes']} y {estimate['most_minutes']} minutos, "
        "aproximadamente." in html
    )
    assert (
        f"Se le harán entre {estimate['fewest_questions']} y {estimate['most_questions']} "
        "preguntas, según sus respuestas." in html
    )
    assert ">Empezar el cuestionario</a>" in html
    assert "How long it takes" not in html
    assert "minutes" not in html


def test_step_page_in_spanish_with_progress_buttons_and_the_script_catalogue(patient):
    url = first_step_url(patient)

    response = patient.get(url, **ES)

    html = _spanish(response)
    progress = response.context["progress"]
    assert f'id="step-progress-label">Parte {progress["number"]} de {progress["total"]}: ' in html
    assert 'aria-label="Avance"' in html
    assert 'btn-lg">Guardar y continuar</button>' in html
    assert 'form="step-form"' in html
    assert html.index('src="/jsi18n/"') < html.index("js/autosave.js")
    for english in ("Save and continue", "Part 1 of", "Your answers are saved on this site"):
        assert english not in html


def test_stool_step_in_spanish_bristol_chart_and_sliders(patient):
    answer_steps(patient, stop_at="stool-form")

    html = _spanish(patient.get("/intake/step/stool-form/", **ES))

    assert "Escala de heces de Bristol" in html
    assert '<span class="bristol-chart__number">Tipo 1</span>' in html
    assert "Bolitas duras separadas, difíciles de evacuar" in html
    assert "Sin responder todavía: mueva la barra deslizante" in html
    assert 'aria-valuetext="Sin responder todavía"' in html
    assert "Escriba un número del 0 al 100" in html
    for english in ("Type 1", "Separate hard lumps", "Not answered yet", "Type a number"):
        assert english not in html


def test_labs_step_in_spanish(patient):
    answer_steps(patient, stop_at="labs")

    html = _spanish(patient.get("/intake/step/labs/", **ES))

    assert "<summary>Qué son los análisis</summary>" in html
    assert '<legend class="fs-6 fw-semibold">Resultado 1</legend>' in html
    assert "Solo si anotó un análisis de sangre para la enfermedad celíaca (tTG-IgA)" in html
    assert "What the tests are" not in html


def test_review_and_done_pages_in_spanish(patient):
    answer_steps(patient)

    review = _spanish(patient.get("/intake/review/", **ES))
    sent = send_answers(patient)
    done = _spanish(patient.get("/intake/done/", **ES))

    assert _title(review) == "Revise y envíe sus respuestas · Su cuestionario"
    assert "Consentimiento y envío" in review
    assert ">Cambiar<span" in review
    assert 'data-confirm="¿Enviar sus respuestas a la clínica? Después no podrá cambiarlas."' in (
        review
    )
    assert ">Firmar y enviar mis respuestas</button>" in review
    assert "Check and send your answers" not in review
    assert sent.status_code == 302
    intake = Intake.objects.get()
    assert _h1(done) == ["Gracias: sus respuestas se enviaron"]
    assert f"Su número de referencia es <strong>{intake.case_number}</strong>." in done
    assert "Qué pasa ahora" in done
    assert "What happens next" not in done


def test_review_page_with_a_step_unfinished_in_spanish_switches_without_a_form(patient):
    answer_steps(patient, stop_at="mood")

    review = _spanish(patient.get("/intake/review/", **ES))

    # No consent form on the page: the switch's button must not name one, or it does nothing.
    assert 'id="consent-form"' not in review
    assert 'form="consent-form"' not in review
    assert 'name="language" value="en"' in review
    assert "Complete “" in review
    assert ">Ir a ese paso</a>" in review
    assert "Please complete" not in review


def test_date_of_birth_and_stop_reminder_pages_in_spanish(patient):
    invitation = Intake.objects.get().invitations.get()
    answer_steps(patient, stop_at="course")
    returning = Client()
    returning.get("/")
    session = returning.session
    session["patient_pending_invitation"] = invitation.pk
    session.save()
    token = stop_token(invitation.pk)

    verify = _spanish(returning.get("/intake/verify/", **ES))
    ask = _spanish(returning.get(f"/reminders/stop/{token}/", **ES))
    stopped = _spanish(returning.post(f"/reminders/stop/{token}/", **ES, follow=True))
    bad = _spanish(returning.get("/reminders/stop/nonsense/", **ES))

    assert _h1(verify) in (["Confirme que es usted"], ["Bienvenido/a de nuevo"])
    assert "fecha de nacimiento" in verify
    assert 'form="dob-form"' in verify
    assert _h1(ask) == ["¿Dejar de recibir recordatorios?"]
    assert _h1(stopped) == ["Ya no recibirá recordatorios"]
    assert _title(bad) == "Enlace no válido"
    assert "confirm your date of birth" not in verify
    assert "Stop reminders" not in ask + stopped + bad


def test_emergency_and_crisis_pages_in_spanish(settings):
    settings.RATE_LIMIT_PATIENT = "1000/h"
    _invitation, token = open_invitation()
    emergency = Client()
    emergency.get(f"/i/{token}/")
    answer_steps(emergency, stop_at="warning-signs")
    emergency.post(
        "/intake/step/warning-signs/autosave/", {"base_revision": "0", "saddle_numbness": "yes"}
    )
    _invitation, token = open_invitation()
    crisis = Client()
    crisis.get(f"/i/{token}/")
    answer_steps(crisis, stop_at="mood")
    crisis.post(
        "/intake/step/mood/",
        {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "2", "base_revision": "0"},
    )

    urgent = _spanish(emergency.get("/intake/support/", **ES))
    support = _spanish(crisis.get("/intake/support/", **ES))

    assert "Primero busque ayuda. Todo lo que respondió hasta ahora está guardado" in urgent
    assert ">Continuar el cuestionario</a>" in urgent
    assert "Termine el cuestionario cuando se sienta en condiciones" in support
    assert ">Continuar el cuestionario</a>" in support
    assert "Get help first" not in urgent
    assert "Continue the questionnaire" not in urgent + support


def _request(path: str = "/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    return request


def test_error_pages_in_spanish():
    with translation.override("es"):
        too_many = rate_limited(_request(), Exception()).content.decode()
        refused = render_to_string("403.html", request=_request())
        broken = render_to_string("500.html")

    assert too_many.startswith('<!doctype html>\n<html lang="es">')
    assert _h1(too_many) == ["Demasiados intentos"]
    assert refused.startswith('<!doctype html>\n<html lang="es">')
    assert _h1(refused) == ["No puede abrir esta página"]
    assert '<html lang="es">' in broken
    assert _title(broken) == f"Algo salió mal · {SITE_ES}"
    assert _h1(broken) == ["Algo salió mal de nuestro lado"]
    assert "Something went wrong" not in broken


def test_script_catalogue_in_spanish_and_english():
    spanish = Client().get("/jsi18n/", **ES).content.decode()
    english = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '"Link copied.": "Enlace copiado."' in spanish
    assert '"Saved at %(time)s": "Guardado a las %(time)s"' in spanish
    assert "Enlace copiado." not in english

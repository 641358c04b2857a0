"""Messages to patients in their intake's language: an invitation, a reminder, a submission
confirmation and a text message in Spanish for an intake in Spanish, built by the real outbox
worker (outside any request, where no page has set a language); English for an intake with no
language yet; staff alerts in STAFF_LANGUAGE_CODE whatever the patient's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from intake import demo, questionnaire, services
from intake.models import ClinicSettings, Intake, Invitation, OutboxMessage, Patient
from intake.notifications import sms
from intake.notifications.models import OutboxKind, OutboxState
from intake.services.common import facts_for
from tests.answer_sets import RLS_AND_DIARRHOEA
from tests.factories import run_db_worker

pytestmark = pytest.mark.django_db

BORN = dt.date(1980, 4, 23)
CLINIC = "Riverside Sleep and Gut Clinic"
MESES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()
# Five of the English words every patient message uses; none may be left in a Spanish one.
ENGLISH_WORDS = ("questionnaire", "hello", "appointment", "link works", "the clinic team")


@pytest.fixture(autouse=True)
def _clinic(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "intake.notifications.sms.LocmemBackend"
    settings.SITE_URL = "https://intake.example.org"
    settings.CLINIC_NAME = CLINIC
    settings.CLINIC_PHONE = "020 7946 0958"
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    settings.CLINIC_TIME_ZONE = "Europe/London"
    settings.LANGUAGE_CODE = "en"
    settings.STAFF_LANGUAGE_CODE = "en"
    # No quiet hours, so that a reminder is due whatever the time the test runs.
    ClinicSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": dt.time(8, 0), "quiet_until": dt.time(8, 0)}
    )
    sms.outbox.clear()
    yield
    sms.outbox.clear()


# Each message says, in the other language, how to answer in it.
TO_ENGLISH = "To answer in English, open the link and choose “English” at the top of any page."
TO_SPANISH = (
    "Para responder en español, abra el enlace y elija “Español” en la parte de arriba de "
    "cualquier página."
)


def _fecha(moment: dt.datetime) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.day} de {MESES[day.month - 1]} de {day.year}"


def _invite(capture, *, language: str, expires: dt.datetime | None = None) -> tuple:
    """A link emailed to Ana, her intake in `language` before the worker builds the email
    (as when she chose it on a page while the message waited in the outbox)."""
    with capture(execute=True):
        invitation, token = services.create_invitation(
            full_name="Ana Ejemplo", date_of_birth=BORN, email="ana@example.org", email_link=True
        )
    Intake.objects.filter(pk=invitation.intake_id).update(language=language)
    if expires is not None:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=expires)
    invitation.refresh_from_db()
    return invitation, token


def _bodies(message) -> tuple[str, str, str]:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.subject, message.body, html


def test_messages_invitation_for_a_spanish_intake_is_in_spanish(
    django_capture_on_commit_callbacks,
):
    expires = dt.datetime(2030, 3, 5, 12, 0, tzinfo=dt.UTC)
    invitation, token = _invite(django_capture_on_commit_callbacks, language="es", expires=expires)
    estimate = questionnaire.time_estimate(facts_for(invitation.intake, answers={}))
    low, high = estimate["fewest_minutes"], estimate["most_minutes"]
    link = f"https://intake.example.org/i/{token}/"

    run_db_worker()

    assert OutboxMessage.objects.get().state == OutboxState.SENT
    [sent] = mail.outbox
    subject, text, html = _bodies(sent)
    assert subject == f"{CLINIC}: su cuestionario antes de su cita"
    assert sent.extra_headers["Content-Language"] == "es"
    assert text.split("\n\n") == [
        "Hola, Ana Ejemplo:",
        f"{CLINIC} le pide que llene un cuestionario antes de su cita. Sus respuestas ayudan a "
        "la clínica a preparar su cita.",
        f"Toma de {low} a {high} minutos, más o menos. Puede parar y volver a él con el mismo "
        "enlace.",
        f"Su enlace:\n{link}",
        "El enlace funciona hasta el 5 de marzo de 2030. No lo comparta: abre su cuestionario. "
        "Se le pedirá su fecha de nacimiento.",
        f"Si no esperaba este correo o tiene alguna pregunta, llame a {CLINIC} al 020 7946 0958.",
        f"El equipo de la clínica\n{CLINIC}",
        TO_ENGLISH,
        "",
    ]
    assert '<html lang="es">' in html
    assert f'<p><a href="{link}">Abrir su cuestionario</a></p>' in html
    assert "<p>El enlace funciona hasta el 5 de marzo de 2030. No lo comparta" in html
    assert 'llame a Riverside Sleep and Gut Clinic al <a href="tel:02079460958">' in html
    whole = " ".join((subject, text, html)).casefold()
    assert [word for word in ENGLISH_WORDS if word in whole] == []


def test_messages_invitation_with_no_language_yet_is_in_english(
    django_capture_on_commit_callbacks,
):
    expires = dt.datetime(2030, 3, 5, 12, 0, tzinfo=dt.UTC)
    _invite(django_capture_on_commit_callbacks, language="", expires=expires)

    with translation.override("es"):  # whatever language the worker's process was left in
        run_db_worker()

    [sent] = mail.outbox
    subject, text, html = _bodies(sent)
    assert subject == f"{CLINIC}: your questionnaire before your appointment"
    assert sent.extra_headers["Content-Language"] == "en"
    assert text.startswith(f"Hello Ana Ejemplo,\n\n{CLINIC} asks you to fill in a questionnaire")
    assert "The link works until 5 March 2030." in text
    assert text.endswith(f"The clinic team\n{CLINIC}\n\n{TO_SPANISH}\n\n")
    assert '<html lang="en">' in html
    assert ">Open your questionnaire</a>" in html


def test_messages_reminder_for_a_spanish_intake_is_in_spanish(django_capture_on_commit_callbacks):
    sent = timezone.now() - dt.timedelta(days=3, hours=1)
    invitation, _token = _invite(django_capture_on_commit_callbacks, language="es")
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=sent, expires_at=sent + dt.timedelta(days=14)
    )
    mail.outbox.clear()  # the invitation itself
    OutboxMessage.objects.update(state=OutboxState.SENT, sent_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        summary = services.plan_reminders()
    run_db_worker()

    assert summary.queued == 1
    assert OutboxMessage.objects.get(kind=OutboxKind.REMINDER).state == OutboxState.SENT
    [reminder] = mail.outbox
    subject, text, html = _bodies(reminder)
    assert subject == f"{CLINIC}: un recordatorio sobre su cuestionario"
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Hola, Ana Ejemplo:"
    assert paragraphs[1].startswith(
        f"El {_fecha(sent)}, {CLINIC} le envió un enlace a un cuestionario para llenar antes de "
        "su cita. Todavía no se ha abierto."
    )
    assert paragraphs[2] == (
        f"Use el enlace que la clínica le envió el {_fecha(sent)}. Funciona hasta el "
        f"{_fecha(sent + dt.timedelta(days=14))}. Para proteger la privacidad de su "
        "cuestionario, los recordatorios no llevan el enlace."
    )
    assert paragraphs[4].startswith(
        "Para no recibir más recordatorios sobre este cuestionario, abra este enlace:\n"
        "https://intake.example.org/reminders/stop/"
    )
    assert paragraphs[5:] == [f"El equipo de la clínica\n{CLINIC}", TO_ENGLISH, ""]
    assert ">No recibir más recordatorios sobre este cuestionario</a>" in html
    whole = " ".join((subject, text, html)).casefold()
    assert [word for word in ENGLISH_WORDS if word in whole] == []


def test_messages_submission_confirmation_for_a_spanish_intake_is_in_spanish(
    django_capture_on_commit_callbacks,
):
    invitation, _token = services.create_invitation(
        full_name="Ana Ejemplo", date_of_birth=BORN, email="ana@example.org"
    )
    Intake.objects.filter(pk=invitation.intake_id).update(language="es")
    intake = demo.answer_all(Intake.objects.get(pk=invitation.intake_id), RLS_AND_DIARRHOEA)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_intake(intake_id=intake.pk)
    intake.refresh_from_db()

    run_db_worker()

    by_subject = {message.subject: message for message in mail.outbox}
    confirmation = by_subject[f"{CLINIC}: recibimos su cuestionario"]
    assert confirmation.to == ["ana@example.org"]
    assert confirmation.body.split("\n\n")[1] == (
        f"Gracias. {CLINIC} recibió su cuestionario (referencia {intake.case_number})."
    )
    # The staff alert of the same submission stays in the staff's language.
    alert = by_subject[f"New intake submitted: {intake.case_number}"]
    assert alert.to == ["alerts@clinic.example"]
    assert alert.body.startswith(f"Intake {intake.case_number} was submitted.\n\nSign in to")
    assert alert.extra_headers["Content-Language"] == "en"


def test_messages_staff_alert_for_a_spanish_intake_stays_in_english(
    django_capture_on_commit_callbacks,
):
    invitation, _token = _invite(django_capture_on_commit_callbacks, language="es")
    mail.outbox.clear()
    OutboxMessage.objects.update(state=OutboxState.SENT, sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_staff_alert(
            intake=invitation.intake, template="alert_link_closed", key="test"
        )

    with translation.override("es"):
        run_db_worker()

    [alert] = mail.outbox
    subject, text, html = _bodies(alert)
    number = invitation.intake.case_number
    assert subject == f"Invitation link closed: {number}"
    assert text.startswith(f"The invitation link for questionnaire {number} was closed after")
    assert text.endswith("This message holds no patient information by design.")
    assert '<html lang="en">' in html


def test_messages_text_message_for_a_spanish_intake_is_in_spanish(
    django_capture_on_commit_callbacks,
):
    expires = dt.datetime(2030, 3, 5, 12, 0, tzinfo=dt.UTC)
    invitation, _token = _invite(django_capture_on_commit_callbacks, language="es")
    mail.outbox.clear()
    OutboxMessage.objects.update(state=OutboxState.SENT, sent_at=timezone.now())
    Patient.objects.filter(pk=invitation.intake.patient_id).update(
        preferred_channel="sms", mobile_phone="+447400123456"
    )
    invitation = Invitation.objects.select_related("intake__patient").get(pk=invitation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        new, token = services.reissue_invitation(invitation=invitation, by=None, send_link=True)
    Invitation.objects.filter(pk=new.pk).update(expires_at=expires)

    run_db_worker()

    [(to, body)] = sms.outbox
    assert to == "+447400123456"
    assert body.startswith(f"{CLINIC}: llene su cuestionario antes de su cita (de ")
    assert body.endswith(
        f"https://intake.example.org/i/{token}/\nFunciona hasta el 5 mar 2030; se le pedirá su "
        "fecha de nacimiento. Preguntas: llame al 020 7946 0958."
    )


def test_each_invitation_says_in_the_other_language_how_to_answer_in_it(
    settings, tasks_run_at_once, django_capture_on_commit_callbacks
):
    """A patient who reads the other language better learns from the message itself how to
    switch: one line in each other language, marked with its lang in the HTML."""
    sent = {}
    for language in ("en", "es"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            invitation, _token = services.create_invitation(
                full_name="Ana Ejemplo",
                date_of_birth=dt.date(1980, 4, 23),
                email="ana@example.org",
                email_link=True,
                language=language,
            )
        [message] = mail.outbox
        sent[language] = (message.body, message.alternatives[0][0])

    english_text, english_html = sent["en"]
    spanish_text, spanish_html = sent["es"]
    to_spanish = "Para responder en español, abra el enlace y elija “Español”"
    to_english = "To answer in English, open the link and choose “English”"
    assert to_spanish in english_text and to_english not in english_text
    assert to_english in spanish_text and to_spanish not in spanish_text
    assert f'<p lang="es" style="color: #495057;">{to_spanish}' in english_html
    assert f'<p lang="en" style="color: #495057;">{to_english}' in spanish_html

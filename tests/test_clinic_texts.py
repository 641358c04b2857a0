"""The clinic's own texts per language (crisis resources, emergency advice, sign-off): which one
a patient reads (the clinic's in their language, else the clinic's own in the default language,
else the app's wording translated), the help shown at once and the messages using it, the
system check listing the translations still to write, and the admin refusing bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from intake import checks, services
from intake.enums import AuditAction, Role
from intake.models import AuditEvent, ClinicSettings, ClinicText, Intake
from intake.notifications.models import ClinicTextKey
from intake.notifications.texts import APP_WORDING, clinic_text, missing_translations
from intake.services.contact import HelpText, contact_alert_for
from intake.templatetags.phone_links import link_phone_numbers
from tests.factories import login_verified, run_db_worker, staff_user

pytestmark = pytest.mark.django_db

CRISIS = ClinicTextKey.CRISIS_RESOURCES
EMERGENCY = ClinicTextKey.EMERGENCY_ADVICE
SIGN_OFF = ClinicTextKey.SIGN_OFF
APP_CRISIS_ES = (
    "Si está en peligro ahora o cree que podría hacer algo para hacerse daño, llame a su "
    "número local de emergencias (112 en Europa, 911 en EE. UU., 999 en el Reino Unido) o vaya "
    "al servicio de urgencias más cercano. También puede llamar o enviar un mensaje de texto a "
    "una línea de crisis a cualquier hora: 988 en EE. UU., Samaritans al 116 123 en el Reino "
    "Unido e Irlanda."
)
APP_EMERGENCY_ES = "Vaya a un servicio de urgencias o llame a su número de emergencias ahora."
CLINIC_CRISIS = "Call the Riverside crisis team on 0800 555 0101, day or night."
CLINIC_CRISIS_ES = "Llame al equipo de crisis de Riverside al 0800 555 0101, de día o de noche."
CHANGE = "/admin/intake/clinicsettings/1/change/"


@pytest.fixture(autouse=True)
def _app_wording(settings):
    """The settings as a clinic that set nothing has them: the app's wording."""
    settings.LANGUAGE_CODE = "en"
    settings.CRISIS_RESOURCES_TEXT = APP_WORDING[CRISIS]
    settings.EMERGENCY_ADVICE_TEXT = APP_WORDING[EMERGENCY]


def _write(key: str, language: str, text: str) -> ClinicText:
    ClinicSettings.load()
    return ClinicText.objects.create(key=key, language=language, text=text)


# --- which text a patient reads -------------------------------------------------------------


def test_clinic_text_nothing_written_gives_the_apps_wording_translated():
    assert [clinic_text(key, "en") for key in (CRISIS, EMERGENCY, SIGN_OFF)] == [
        APP_WORDING[CRISIS],
        APP_WORDING[EMERGENCY],
        "The clinic team",
    ]
    assert [clinic_text(key, "es") for key in (CRISIS, EMERGENCY, SIGN_OFF)] == [
        APP_CRISIS_ES,
        APP_EMERGENCY_ES,
        "El equipo de la clínica",
    ]


def test_clinic_text_from_the_environment_reaches_every_language(settings):
    # The clinic's own numbers rather than the app's general advice, until it translates them.
    settings.CRISIS_RESOURCES_TEXT = CLINIC_CRISIS

    assert (clinic_text(CRISIS, "en"), clinic_text(CRISIS, "es")) == (CLINIC_CRISIS, CLINIC_CRISIS)
    assert clinic_text(EMERGENCY, "es") == APP_EMERGENCY_ES  # untouched: the app's, translated


def test_clinic_text_in_the_patients_language_wins(settings):
    settings.CRISIS_RESOURCES_TEXT = CLINIC_CRISIS
    _write(CRISIS, "es", CLINIC_CRISIS_ES)

    assert (clinic_text(CRISIS, "en"), clinic_text(CRISIS, "es")) == (
        CLINIC_CRISIS,
        CLINIC_CRISIS_ES,
    )


def test_clinic_text_in_the_default_language_beats_the_environment_and_reaches_spanish(
    settings,
):
    settings.EMERGENCY_ADVICE_TEXT = "Call 999 now."
    _write(EMERGENCY, "en", "Call 999, or go to Riverside Hospital's emergency department.")

    assert (clinic_text(EMERGENCY, "en"), clinic_text(EMERGENCY, "es")) == (
        "Call 999, or go to Riverside Hospital's emergency department.",
        "Call 999, or go to Riverside Hospital's emergency department.",
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_clinic_text_apps_crisis_wording_links_every_number_in_each_language(language):
    linked = link_phone_numbers(clinic_text(CRISIS, language))

    assert re.findall(r'href="tel:([+\d]+)"', linked) == ["112", "911", "999", "988", "116123"]


def test_clinic_text_none_given_is_the_active_language():
    with translation.override("es"):
        assert clinic_text(EMERGENCY) == APP_EMERGENCY_ES
    with translation.override("fr"):  # not a patient language: the default one
        assert clinic_text(EMERGENCY) == APP_WORDING[EMERGENCY]


@pytest.mark.parametrize(
    ("sign_off", "spanish_row", "expected"),
    [
        ("The clinic team", None, ("The clinic team", "El equipo de la clínica")),
        ("Dr Rivers and the team", None, ("Dr Rivers and the team", "Dr Rivers and the team")),
        ("", None, ("", "")),  # the clinic chose no sign-off line
        ("Dr Rivers and the team", "La Dra. Rivers y el equipo", None),
    ],
)
def test_clinic_text_sign_off(sign_off, spanish_row, expected):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"sign_off": sign_off})
    if spanish_row:
        _write(SIGN_OFF, "es", spanish_row)
        expected = (sign_off, spanish_row)

    assert (clinic_text(SIGN_OFF, "en"), clinic_text(SIGN_OFF, "es")) == expected


def test_clinic_text_blank_row_never_blanks_the_emergency_advice():
    # A row written around the admin's form (which refuses a blank text): the advice stays.
    _write(EMERGENCY, "es", "   ")
    _write(EMERGENCY, "en", "  ")

    assert (clinic_text(EMERGENCY, "es"), clinic_text(EMERGENCY, "en")) == (
        APP_EMERGENCY_ES,
        APP_WORDING[EMERGENCY],
    )


# --- where the texts are shown --------------------------------------------------------------


class _Result:
    """The engine's answer as contact_alert_for reads it: an emergency and a crisis at once."""

    emergency = True
    crisis = True
    unsure_emergency = False
    unsure_crisis = False

    reasons = [{"rule": "RF-1"}]


def test_clinic_text_help_shown_at_once_in_spanish_uses_the_clinics_spanish(settings):
    settings.CRISIS_RESOURCES_TEXT = CLINIC_CRISIS
    _write(CRISIS, "es", CLINIC_CRISIS_ES)

    with translation.override("es"):
        alert = contact_alert_for(_Result())

    assert (alert.heading, alert.texts) == (
        "Busque atención de emergencia ahora",
        (HelpText("", APP_EMERGENCY_ES), HelpText("", CLINIC_CRISIS_ES)),
    )


def test_clinic_text_sign_off_in_a_spanish_email(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CLINIC_NAME = "Riverside Sleep and Gut Clinic"
    ClinicSettings.objects.update_or_create(pk=1, defaults={"sign_off": "Dr Rivers and the team"})
    _write(SIGN_OFF, "es", "La Dra. Rivers y el equipo")
    with django_capture_on_commit_callbacks(execute=True):
        spanish, _token = services.create_invitation(
            full_name="Ana Ejemplo",
            date_of_birth=dt.date(1980, 4, 23),
            email="ana@example.org",
            email_link=True,
        )
        english, _token = services.create_invitation(
            full_name="Ann Example",
            date_of_birth=dt.date(1981, 5, 2),
            email="ann@example.org",
            email_link=True,
        )
    Intake.objects.filter(pk=spanish.intake_id).update(language="es")

    run_db_worker()

    # The sign-off and the clinic's name, before the line in the other language.
    endings = {message.to[0]: message.body.rsplit("\n\n", 3)[-3] for message in mail.outbox}
    assert endings == {
        "ana@example.org": "La Dra. Rivers y el equipo\nRiverside Sleep and Gut Clinic",
        "ann@example.org": "Dr Rivers and the team\nRiverside Sleep and Gut Clinic",
    }


# --- the system check -----------------------------------------------------------------------


def test_clinic_text_check_silent_while_the_clinic_wrote_nothing():
    assert checks.clinic_texts_translated(databases=["default"]) == []


def test_clinic_text_check_lists_the_missing_translations(settings):
    settings.CRISIS_RESOURCES_TEXT = CLINIC_CRISIS
    _write(EMERGENCY, "en", "Call 999 now.")
    ClinicSettings.objects.update_or_create(pk=1, defaults={"sign_off": "Dr Rivers"})
    _write(SIGN_OFF, "es", "La Dra. Rivers")

    [warning] = checks.clinic_texts_translated(databases=["default"])

    assert (warning.id, warning.level, warning.msg) == (
        "intake.W001",
        30,
        "The clinic's own texts have no translation for: Crisis resources in Español (es); "
        "Emergency advice in Español (es).",
    )
    _write(CRISIS, "es", CLINIC_CRISIS_ES)
    _write(EMERGENCY, "es", "Llame al 999 ahora.")
    assert (missing_translations(), checks.clinic_texts_translated(databases=["default"])) == (
        [],
        [],
    )


def test_clinic_text_check_without_a_database_still_reads_the_environment(settings, monkeypatch):
    from django.db import OperationalError

    settings.EMERGENCY_ADVICE_TEXT = "Call 999 now."

    def no_table(*args, **kwargs):
        raise OperationalError("no such table: intake_clinictext")

    monkeypatch.setattr(ClinicText.objects, "values_list", no_table)
    [warning] = checks.clinic_texts_translated(databases=["default"])

    assert warning.msg == (
        "The clinic's own texts have no translation for: Emergency advice in Español (es)."
    )


# --- the admin: the texts' table on the clinic settings page --------------------------------

SETTINGS_FORM = {
    "reminders_enabled": "on",
    "unopened_days": "3",
    "idle_days": "2",
    "max_reminders": "2",
    "quiet_from": "21:00",
    "quiet_until": "08:00",
    "sign_off": "The clinic team",
}


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def _post(client: Client, rows: list[dict], *, initial: int = 0):
    """The settings page sent with these rows in its texts' table (the first `initial` rows
    are texts already saved, with their id)."""
    data = {
        **SETTINGS_FORM,
        "texts-TOTAL_FORMS": str(len(rows)),
        "texts-INITIAL_FORMS": str(initial),
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        data.update({f"texts-{number}-{field}": value for field, value in row.items()})
    return client.post(CHANGE, data)


def test_clinic_text_admin_adds_a_text_and_audits_it(admin_client, clinic_admin):
    response = _post(
        admin_client, [{"key": CRISIS, "language": "es", "text": f"  {CLINIC_CRISIS_ES} "}]
    )

    assert response.status_code == 302
    row = ClinicText.objects.get()
    assert (row.key, row.language, row.text, row.clinic_settings_id) == (
        CRISIS,
        "es",
        CLINIC_CRISIS_ES,
        1,
    )
    event = AuditEvent.objects.filter(object_type="ClinicText").get()
    assert (event.action, event.actor_id, event.summary) == (
        AuditAction.CREATE,
        clinic_admin.pk,
        "clinic text crisis_resources (es) added",
    )


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        (
            {"key": CRISIS, "language": "es", "text": "x" * 2001},
            {"text": ["Keep the text to 2000 characters or fewer (it has 2001)."]},
        ),
        (
            {"key": CRISIS, "language": "xx", "text": "Call 999."},
            {"language": ["Choose one of the patient languages: en (English), es (Español)."]},
        ),
        (
            {"key": "anything", "language": "es", "text": "Call 999."},
            {"key": ["Choose which text this is from the list."]},
        ),
        ({"key": EMERGENCY, "language": "es", "text": "   "}, {"text": ["Write the text."]}),
    ],
)
def test_clinic_text_admin_refuses_hostile_input(admin_client, row, errors):
    response = _post(admin_client, [row])

    assert response.status_code == 200
    [texts] = response.context["inline_admin_formsets"]
    assert texts.formset.errors == [errors]
    changes = AuditEvent.objects.filter(object_type__in=("ClinicText", "ClinicSettings"))
    assert (ClinicText.objects.count(), changes.count()) == (0, 0)


def test_clinic_text_admin_refuses_a_second_text_of_a_kind_in_a_language(admin_client):
    saved = _write(CRISIS, "es", CLINIC_CRISIS_ES)
    rows = [
        {"id": str(saved.pk), "clinic_settings": "1", "key": CRISIS, "language": "es"}
        | {"text": CLINIC_CRISIS_ES},
        {"key": CRISIS, "language": "es", "text": "Otro texto."},
    ]

    response = _post(admin_client, rows, initial=1)

    assert response.status_code == 200
    [texts] = response.context["inline_admin_formsets"]
    assert texts.formset.errors == [
        {},
        {"language": ["There is already a text of this kind in this language: change that one."]},
    ]
    assert list(ClinicText.objects.values_list("text", flat=True)) == [CLINIC_CRISIS_ES]


def test_clinic_text_admin_change_and_delete_are_audited(admin_client):
    first = _write(CRISIS, "es", CLINIC_CRISIS_ES)
    second = _write(EMERGENCY, "es", "Llame al 999 ahora.")
    rows = [
        {"id": str(first.pk), "clinic_settings": "1", "key": CRISIS, "language": "es"}
        | {"text": "Llame al 999."},
        {"id": str(second.pk), "clinic_settings": "1", "key": EMERGENCY, "language": "es"}
        | {"text": "Llame al 999 ahora.", "DELETE": "on"},
    ]

    response = _post(admin_client, rows, initial=2)

    assert response.status_code == 302
    assert list(ClinicText.objects.values_list("key", "text")) == [(CRISIS, "Llame al 999.")]
    assert list(
        AuditEvent.objects.filter(object_type="ClinicText")
        .order_by("pk")
        .values_list("action", "summary")
    ) == [
        (
            AuditAction.UPDATE,
            "clinic text emergency_advice (es) removed: patients reading it get the clinic's "
            "default-language text or the app's wording",
        ),
        (AuditAction.UPDATE, "clinic text crisis_resources (es) changed: text"),
    ]


def test_clinic_text_admin_settings_posted_alone_leave_the_texts(admin_client):
    _write(CRISIS, "es", CLINIC_CRISIS_ES)

    response = admin_client.post(CHANGE, {**SETTINGS_FORM, "sign_off": "Dr Rivers"})

    assert response.status_code == 302
    assert (ClinicSettings.load().sign_off, ClinicText.objects.get().text) == (
        "Dr Rivers",
        CLINIC_CRISIS_ES,
    )


def test_clinic_text_admin_closed_to_an_auditor():
    # An auditor enters the admin (the audit log) but may not see or change the clinic settings.
    client = login_verified(Client(), staff_user("audrey.auditor", Role.AUDITOR))
    ClinicSettings.load()

    statuses = [
        client.get(CHANGE).status_code,
        _post(client, [{"key": CRISIS, "language": "es", "text": "Otro."}]).status_code,
    ]

    assert statuses == [403, 403]
    assert ClinicText.objects.count() == 0


def test_clinic_text_settings_page_shows_the_texts_and_what_is_missing(admin_client, settings):
    settings.CRISIS_RESOURCES_TEXT = CLINIC_CRISIS
    _write(EMERGENCY, "es", "Llame al 999 ahora.")

    page = admin_client.get(CHANGE).content.decode()

    assert "<li>crisis_resources: no es text yet</li>" in page
    assert ">\nLlame al 999 ahora.</textarea>" in page
    assert 'name="texts-TOTAL_FORMS" value="1"' in page


def test_the_check_runs_with_the_database_checks_only(settings):
    # manage.py check without --database, and commands run before any database exists, never
    # query it; migrate and check --database do.
    settings.CRISIS_RESOURCES_TEXT = "Call the clinic's crisis line on 0800 111 222."

    assert checks.clinic_texts_translated() == []
    assert [w.id for w in checks.clinic_texts_translated(databases=["default"])] == ["intake.W001"]

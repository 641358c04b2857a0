"""The admin speaks STAFF_LANGUAGE_CODE like the other staff pages: its own column names,
filters, actions, fieldsets and headings are marked for translation and have their Spanish.
(Columns that show a model field take the field's name from the model.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from intake.models import WebhookEndpoint
from tests.factories import login_verified, open_invitation, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


@pytest.fixture
def spanish_staff(settings):
    settings.STAFF_LANGUAGE_CODE = "es"


def _columns(response, *names: str) -> dict[str, str]:
    """The header of each of the changelist's columns `names`, as the page shows it (the
    context's labels are lazy: read after the request, they are in the test's language)."""
    shown = dict(
        re.findall(
            r'<th scope="col" class="[^"]*\bcolumn-(\w+)\b[^"]*">.*?'
            r'<div class="text">(?:<a [^>]*>|<span>)([^<]*)<',
            response.content.decode(),
            re.S,
        )
    )
    return {name: shown[name] for name in names}


def _actions(response) -> list[str]:
    html = response.content.decode()
    select = re.findall(r'<select name="action"[^>]*>(.*?)</select>', html, re.S)[0]
    return re.findall(r'<option value="[a-z_]+">([^<]*)</option>', select)


def test_intake_list_columns_in_spanish(admin_client, spanish_staff):
    submitted_case()

    response = admin_client.get("/admin/intake/intake/", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "es"
    assert _columns(response, "case", "rls_result", "ibs_result") == {
        "case": "Número de caso",
        "rls_result": "SPI",
        "ibs_result": "SII",
    }


def test_intake_list_columns_in_english_for_an_english_staff_whatever_the_browser(admin_client):
    submitted_case()

    response = admin_client.get("/admin/intake/intake/", HTTP_ACCEPT_LANGUAGE="es")

    assert _columns(response, "case", "rls_result", "ibs_result") == {
        "case": "Case number",
        "rls_result": "RLS",
        "ibs_result": "IBS",
    }


def test_patient_list_column_and_filter_in_spanish(admin_client, spanish_staff):
    submitted_case()

    response = admin_client.get("/admin/intake/patient/")

    html = response.content.decode()
    assert _columns(response, "namesake") == {"namesake": "N.º de homónimo"}
    assert re.findall(r"<summary>\s*([^<]*?)\s*</summary>", html)[0] == (
        "Por otra persona con el mismo nombre y fecha de nacimiento"
    )


def test_invitation_actions_in_spanish(admin_client, spanish_staff):
    open_invitation()

    response = admin_client.get("/admin/intake/invitation/")

    assert _actions(response) == [
        "Revocar los enlaces seleccionados",
        "Emitir enlaces nuevos (se muestran una sola vez)",
    ]


def test_audit_log_columns_in_spanish(admin_client, spanish_staff):
    submitted_case()

    response = admin_client.get("/admin/intake/auditevent/")

    assert _columns(response, "when", "who", "record", "address") == {
        "when": "Cuándo",
        "who": "Quién",
        "record": "Registro",
        "address": "Dirección de origen",
    }


def test_clinic_settings_sections_and_server_settings_in_spanish(admin_client, spanish_staff):
    response = admin_client.get("/admin/intake/clinicsettings/1/change/")

    html = response.content.decode()
    assert re.findall(r'<h2 [^>]*class="fieldset-heading">([^<]*)</h2>', html) == [
        "Recordatorios a los pacientes que no terminaron su cuestionario",
        "Mensajes a los pacientes",
    ]
    # The labels of what is shown, not edited: the server's settings and the texts to translate.
    assert re.findall(r"<label>([^<]*)</label>", html) == [
        "Zona horaria de la clínica (CLINIC_TIME_ZONE, se define en el servidor):",
        "Nombre de la clínica (CLINIC_NAME, se define en el servidor):",
        "Teléfono de la clínica (CLINIC_PHONE, se define en el servidor):",
        "Textos de la clínica por traducir:",
    ]


def test_site_header_and_webhook_columns_and_action_in_spanish(admin_client, spanish_staff):
    WebhookEndpoint.objects.create(
        url="https://ehr.example.org/hook", description="Clinic EHR", secret="whsec_admin"
    )

    response = admin_client.get("/admin/intake/webhookendpoint/")

    html = response.content.decode()
    assert re.findall(r'<div id="site-name"><a [^>]*>([^<]*)</a>', html) == [
        "Cuestionario de piernas inquietas y salud digestiva: administración"
    ]
    assert _columns(response, "secret_hint", "log_link") == {
        "secret_hint": "Secreto de firma",
        "log_link": "Entregas",
    }
    assert _actions(response) == ["Reemplazar el secreto de firma de los destinos seleccionados"]
    assert re.findall(r'<td class="field-log_link"><a [^>]*>([^<]*)</a>', html) == [
        "Registro de entregas"
    ]

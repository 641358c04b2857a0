"""The admin speaks STAFF_LANGUAGE_CODE like the other staff pages: its own column names,
filters, actions, fieldsets and headings are marked for translation and have their Spanish,
and so are the models' own names and their fields' labels and help texts, which the admin's
list columns, form labels and headings take from the models (intake/models.py, the outbox's and
the webhooks' models). In English they read as Django derived them from the field names."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from intake.enums import AuditAction
from intake.models import AuditEvent, WebhookEndpoint
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


def _labels(response) -> list[str]:
    """The change form's field labels in order, as the page shows them (without the colon)."""
    return re.findall(r"<label(?: [^>]*)?>([^<]*):</label>", response.content.decode())


def _help_texts(response) -> list[str]:
    return re.findall(
        r'<div class="help"[^>]*>\s*<div>([^<]*)</div>', response.content.decode(), re.S
    )


def _breadcrumb(response) -> str:
    """The last step of the breadcrumbs: a changelist's model name, plural."""
    html = response.content.decode()
    crumbs = re.findall(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)[0]
    return crumbs.rsplit("&rsaquo;", 1)[-1].strip()


PATIENT_COLUMNS = ("full_name", "date_of_birth", "email", "created_at", "erased_at")
INTAKE_COLUMNS = ("patient", "status", "urgent", "submitted_at", "assigned_to")


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


def test_patient_list_field_columns_and_name_in_spanish(admin_client, spanish_staff):
    submitted_case()

    response = admin_client.get("/admin/intake/patient/")

    assert _columns(response, *PATIENT_COLUMNS) == {
        "full_name": "Nombre completo",
        "date_of_birth": "Fecha de nacimiento",
        "email": "Correo electrónico",
        "created_at": "Fecha de creación",
        "erased_at": "Fecha de supresión",
    }
    assert _breadcrumb(response) == "Pacientes"


def test_patient_list_field_columns_and_name_in_english(admin_client):
    submitted_case()

    response = admin_client.get("/admin/intake/patient/", HTTP_ACCEPT_LANGUAGE="es")

    assert _columns(response, *PATIENT_COLUMNS) == {
        "full_name": "Full name",
        "date_of_birth": "Date of birth",
        "email": "Email",
        "created_at": "Created at",
        "erased_at": "Erased at",
    }
    assert _breadcrumb(response) == "Patients"


def test_intake_list_field_columns_in_spanish_and_english(admin_client, settings):
    submitted_case()
    settings.STAFF_LANGUAGE_CODE = "es"

    spanish = admin_client.get("/admin/intake/intake/")
    settings.STAFF_LANGUAGE_CODE = "en"
    english = admin_client.get("/admin/intake/intake/")

    assert _columns(spanish, *INTAKE_COLUMNS) == {
        "patient": "Paciente",
        "status": "Estado",
        "urgent": "Urgente",
        "submitted_at": "Fecha de envío",
        "assigned_to": "Asignado a",
    }
    assert _breadcrumb(spanish) == "Cuestionarios"
    assert _columns(english, *INTAKE_COLUMNS) == {
        "patient": "Patient",
        "status": "Status",
        "urgent": "Urgent",
        "submitted_at": "Submitted at",
        "assigned_to": "Assigned to",
    }
    assert _breadcrumb(english) == "Intakes"


def test_patient_change_form_labels_and_help_in_spanish(admin_client, spanish_staff):
    patient = submitted_case().patient

    response = admin_client.get(f"/admin/intake/patient/{patient.pk}/change/")

    assert _labels(response) == [
        "Nombre completo",
        "Fecha de nacimiento",
        "Correo electrónico",
        "Teléfono móvil",
        "Medio de contacto preferido",
        "Número de paciente de la clínica (NHC)",
        "Fecha de supresión",
        "Suprimido por",
        "Motivo de la supresión",
        "Protección de datos",
    ]
    assert _help_texts(response) == [
        "Mayúsculas y dígitos, tal como lo muestra el sistema de la propia clínica; único."
    ]
    assert re.findall(r"<h1>([^<]*)</h1>", response.content.decode()) == ["Modificar paciente"]


def test_patient_change_form_labels_and_help_in_english(admin_client):
    patient = submitted_case().patient

    response = admin_client.get(
        f"/admin/intake/patient/{patient.pk}/change/", HTTP_ACCEPT_LANGUAGE="es"
    )

    assert _labels(response) == [
        "Full name",
        "Date of birth",
        "Email",
        "Mobile phone",
        "Preferred channel",
        "Clinic patient number (MRN)",
        "Erased at",
        "Erased by",
        "Erasure reason",
        "Data protection",
    ]
    assert _help_texts(response) == [
        "Capitals and digits, as the clinic's own system shows it; unique."
    ]
    assert re.findall(r"<h1>([^<]*)</h1>", response.content.decode()) == ["Change patient"]


def test_intake_view_form_labels_and_invitations_in_spanish(admin_client, spanish_staff):
    intake = submitted_case()

    response = admin_client.get(f"/admin/intake/intake/{intake.pk}/change/")

    html = response.content.decode()
    assert _labels(response) == [
        "Asignado a",
        "Estado",
        "Paciente",
        "Respuestas",
        "Revisiones por paso",
        "Pasos completados",
        "Coincide con un paciente ya registrado",
        "Versión del consentimiento",
        "Nombre en el consentimiento",
        "Fecha del consentimiento",
        "Fecha de envío",
        "Urgente",
        "Crisis",
        "Resultado de SPI",
        "Resultado de SII",
        "Versión",
        "Fecha de creación",
        "Fecha de modificación",
        "Fecha de cierre",
    ]
    # The invitations listed under the case: the inline's heading and columns.
    assert re.findall(r'class="inline-heading">\s*([^<]*?)\s*</h2>', html) == ["Invitaciones"]
    assert re.findall(r'<th class="column-\w+">\s*([^<]*?)\s*</th>', html) == [
        "Fecha de creación",
        "Fecha de caducidad",
        "Fecha de revocación",
        "Desde la página de inicio pública",
        "Última apertura",
    ]


def test_clinic_settings_field_labels_and_help_in_spanish(admin_client, spanish_staff):
    response = admin_client.get("/admin/intake/clinicsettings/1/change/")

    html = response.content.decode()
    labels = dict(
        re.findall(r'<label (?:class="[^"]*" )?for="id_(\w+)"[^>]*>([^<]*?):?</label>', html)
    )
    assert {
        name: labels[name] for name in ("reminders_enabled", "unopened_days", "quiet_until")
    } == {
        "reminders_enabled": "Recordatorios activados",
        "unopened_days": "Recordar si el enlace no se abre en (días)",
        "quiet_until": "Hasta",
    }
    assert "Desmarque para no enviar ningún recordatorio automático." in _help_texts(response)


def test_admin_list_audit_summary_stays_in_english_for_a_spanish_staff(
    admin_client, clinic_admin, spanish_staff
):
    submitted_case()

    admin_client.get("/admin/intake/patient/")

    assert list(
        AuditEvent.objects.filter(actor=clinic_admin, action=AuditAction.VIEW).values_list(
            "summary", flat=True
        )
    ) == ["admin list of patients: 1 shown"]

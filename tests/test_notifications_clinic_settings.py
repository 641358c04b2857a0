"""The clinic's reminder settings: one row, edited by a clinic admin in the admin, audited;
values out of range refused with the field's message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from intake.enums import AuditAction
from intake.models import AuditEvent, ClinicSettings
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

CHANGE = "/admin/intake/clinicsettings/1/change/"
FORM = {
    "reminders_enabled": "on",
    "unopened_days": "4",
    "idle_days": "2",
    "max_reminders": "1",
    "quiet_from": "20:00",
    "quiet_until": "09:00",
    "sign_off": "Dr Rivers and the team",
}


@pytest.fixture(autouse=True)
def _one_row(db) -> None:
    # Made by a migration, so gone after a transactional test's flush: made here, as in use.
    ClinicSettings.load()


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def test_clinic_settings_defaults_are_the_issues():
    clinic = ClinicSettings.load()

    assert (
        clinic.reminders_enabled,
        clinic.unopened_days,
        clinic.idle_days,
        clinic.max_reminders,
        clinic.quiet_from,
        clinic.quiet_until,
        clinic.sign_off,
    ) == (True, 3, 2, 2, dt.time(21, 0), dt.time(8, 0), "The clinic team")


def test_clinic_settings_list_is_the_one_rows_page(admin_client):
    response = admin_client.get("/admin/intake/clinicsettings/")

    assert (response.status_code, response["Location"]) == (302, CHANGE)


def test_clinic_settings_page_shows_the_environment_values(admin_client, settings):
    settings.CLINIC_TIME_ZONE = "Europe/Dublin"

    page = admin_client.get(CHANGE).content.decode()

    assert '<div class="readonly">Europe/Dublin</div>' in page


def test_clinic_settings_edited_and_audited(admin_client, clinic_admin):
    response = admin_client.post(CHANGE, FORM)

    clinic = ClinicSettings.load()
    assert response.status_code == 302
    assert (
        clinic.unopened_days,
        clinic.max_reminders,
        clinic.quiet_from,
        clinic.quiet_until,
        clinic.sign_off,
    ) == (4, 1, dt.time(20, 0), dt.time(9, 0), "Dr Rivers and the team")
    event = AuditEvent.objects.filter(object_type="ClinicSettings").get()
    assert (event.action, event.actor_id, event.summary) == (
        AuditAction.UPDATE,
        clinic_admin.pk,
        "clinic settings changed: unopened_days, max_reminders, quiet_from, quiet_until, sign_off",
    )


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("unopened_days", "0", "Ensure this value is greater than or equal to 1."),
        ("idle_days", "31", "Ensure this value is less than or equal to 30."),
        ("max_reminders", "6", "Ensure this value is less than or equal to 5."),
        ("max_reminders", "-1", "Ensure this value is greater than or equal to 0."),
        ("quiet_from", "25:00", "Enter a valid time."),
    ],
)
def test_clinic_settings_out_of_range_refused(admin_client, field, value, error):
    response = admin_client.post(CHANGE, {**FORM, field: value})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {field: [error]}
    assert ClinicSettings.load().unopened_days == 3


def test_clinic_settings_cannot_be_added_or_deleted(admin_client):
    added = admin_client.get("/admin/intake/clinicsettings/add/")
    deleted = admin_client.post("/admin/intake/clinicsettings/1/delete/", {"post": "yes"})

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert ClinicSettings.objects.count() == 1


def test_clinic_settings_page_opens_when_the_row_is_not_made_yet(admin_client):
    # As on a database emptied by a flush: the page makes the one row rather than refusing.
    ClinicSettings.objects.all().delete()

    response = admin_client.get(CHANGE)

    assert response.status_code == 200
    assert ClinicSettings.objects.count() == 1

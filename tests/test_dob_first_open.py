"""REQUIRE_DOB_ON_FIRST_OPEN: with it on, a link asks for the date of birth before the first
answer too (a link that travelled by email may be opened by someone else); with it off, only
once answers exist. Its default follows whether email really sends (tests/test_settings.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from intake.enums import AuditAction
from intake.models import AuditEvent, Invitation
from tests.factories import PATIENT_DOB, open_invitation

pytestmark = pytest.mark.django_db

WRONG = dt.date(1999, 1, 1)
VERIFY = "/intake/verify/"
LOCKED = (
    "Too many attempts. For your security this link is locked for 15 minutes; please try again "
    "later."
)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.RATE_LIMIT_PATIENT = "1000/h"


@pytest.fixture
def on(settings):
    settings.REQUIRE_DOB_ON_FIRST_OPEN = True


@pytest.fixture
def off(settings):
    settings.REQUIRE_DOB_ON_FIRST_OPEN = False


def _give(client: Client, born: dt.date):
    return client.post(VERIFY, {"date_of_birth": born.isoformat()})


def test_first_open_asks_for_the_date_of_birth_before_anything(on):
    _invitation, token = open_invitation()
    client = Client()

    opened = client.get(f"/i/{token}/")
    page = client.get(VERIFY)
    questionnaire = client.get("/intake/welcome/")

    assert (opened.status_code, opened["Location"]) == (302, VERIFY)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Confirm it is you" in text
    assert "Welcome back" not in text
    # An adult filling it in for themselves is not told it is a child's questionnaire.
    assert "If you are filling this in for a child, enter the child's date of birth." in text
    # Nothing of the questionnaire opens before the date of birth is given.
    assert questionnaire.status_code == 404


def test_first_open_right_date_of_birth_leads_to_the_welcome_page(on):
    invitation, token = open_invitation()
    client = Client()
    client.get(f"/i/{token}/")

    response = _give(client, PATIENT_DOB)

    assert (response.status_code, response["Location"]) == (302, "/intake/")
    assert client.get("/intake/")["Location"] == "/intake/welcome/"
    assert client.get("/intake/welcome/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.last_opened_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_OPENED).count() == 1


def test_first_open_wrong_date_of_birth_is_refused_and_counted(on):
    invitation, token = open_invitation()
    client = Client()
    client.get(f"/i/{token}/")

    response = _give(client, WRONG)

    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [
        "That date of birth does not match our records. You have 4 more tries before the link "
        "locks for 15 minutes."
    ]
    assert client.get("/intake/welcome/").status_code == 404
    invitation.refresh_from_db()
    assert (invitation.failed_attempts, invitation.last_opened_at) == (1, None)
    assert AuditEvent.objects.filter(action=AuditAction.DOB_FAILED).count() == 1


def test_first_open_five_wrong_dates_lock_the_link_even_for_the_right_one(on):
    invitation, token = open_invitation()
    client = Client()
    client.get(f"/i/{token}/")

    answers = [_give(client, WRONG) for _ in range(5)]
    right = _give(client, PATIENT_DOB)

    assert answers[-1].context["form"].errors["date_of_birth"] == [
        "That date of birth does not match our records. For your security the link is now "
        "locked for 15 minutes."
    ]
    assert right.status_code == 200
    assert right.context["form"].non_field_errors() == [LOCKED]
    assert client.get("/intake/welcome/").status_code == 404
    invitation.refresh_from_db()
    assert (invitation.lockouts, invitation.locked_until is not None) == (1, True)
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED).count() == 1


def test_first_open_a_fresh_browser_is_asked_again(on):
    """Giving the date of birth once trusts that browser only, not the link."""
    _invitation, token = open_invitation()
    first = Client()
    first.get(f"/i/{token}/")
    _give(first, PATIENT_DOB)

    second = Client().get(f"/i/{token}/")

    assert second["Location"] == VERIFY


def test_setting_off_first_open_goes_straight_in(off):
    invitation, token = open_invitation()
    client = Client()

    opened = client.get(f"/i/{token}/")

    assert (opened.status_code, opened["Location"]) == (302, "/intake/")
    assert client.get("/intake/welcome/").status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).last_opened_at is not None


def test_setting_off_the_date_of_birth_is_still_asked_once_answers_exist(off):
    invitation, token = open_invitation()
    client = Client()
    client.get(f"/i/{token}/")
    saved = client.post("/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"})
    assert saved.status_code == 302

    again = Client()
    opened = again.get(f"/i/{token}/")
    wrong = _give(again, WRONG)

    assert opened["Location"] == VERIFY
    page = again.get(VERIFY).content.decode()
    assert "Welcome back" in page
    assert wrong.context["form"].errors["date_of_birth"] == [
        "That date of birth does not match our records. You have 4 more tries before the link "
        "locks for 15 minutes."
    ]
    assert again.get("/intake/step/about-you/").status_code == 404

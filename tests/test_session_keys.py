"""A session id learnt before the second sign-in step is worth nothing after it: the id changes
when the second factor is verified (or first enrolled), and the old one is gone."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.test_auth import PASSWORD, code_for

pytestmark = pytest.mark.django_db


def _password_step(practitioner) -> tuple[Client, str]:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": practitioner.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client, client.cookies["sessionid"].value


def _with_session(key: str) -> Client:
    """Another browser holding `key`: an attacker who learnt or planted it."""
    client = Client()
    client.cookies["sessionid"] = key
    return client


def test_verifying_the_second_factor_gives_the_session_a_new_id(practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client, before = _password_step(practitioner)

    verified = client.post("/staff/2fa/verify/", {"token": code_for(device), "next": "/staff/"})

    after = client.cookies["sessionid"].value
    assert (verified.status_code, verified["Location"]) == (302, "/staff/")
    assert after != before
    assert Session.objects.filter(session_key=before).exists() is False
    assert client.get("/staff/").status_code == 200
    stolen = _with_session(before).get("/staff/")
    assert (stolen.status_code, stolen["Location"]) == (302, "/accounts/login/?next=/staff/")


def test_enrolling_the_first_authenticator_gives_the_session_a_new_id(practitioner):
    client, before = _password_step(practitioner)
    client.get("/staff/2fa/setup/")
    device = TOTPDevice.objects.get(user=practitioner)

    enrolled = client.post("/staff/2fa/setup/", {"token": code_for(device), "next": "/staff/"})

    after = client.cookies["sessionid"].value
    assert (enrolled.status_code, len(enrolled.context["codes"])) == (200, 10)
    assert after != before
    assert Session.objects.filter(session_key=before).exists() is False
    assert client.get("/staff/").status_code == 200
    stolen = _with_session(before).get("/staff/")
    assert (stolen.status_code, stolen["Location"]) == (302, "/accounts/login/?next=/staff/")


def test_a_wrong_code_leaves_the_half_signed_in_session_as_it_was(practitioner):
    TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client, before = _password_step(practitioner)

    client.post("/staff/2fa/verify/", {"token": "12345678"})

    queue = client.get("/staff/")
    assert client.cookies["sessionid"].value == before
    assert (queue.status_code, queue["Location"]) == (302, "/staff/2fa/verify/?next=%2Fstaff%2F")

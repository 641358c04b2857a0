"""Staff sign-in: password, then a second factor; lockouts, rate limits, idle timeout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.enums import AuditAction
from intake.models import AuditEvent
from tests.factories import login_verified

pytestmark = pytest.mark.django_db
PASSWORD = "x-pass-12345"


def code_for(device: TOTPDevice) -> str:
    return (
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    )


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_first_sign_in_requires_enrolling_an_authenticator(practitioner):
    client = Client()

    signed_in = sign_in(client, practitioner.username)
    queue = client.get("/staff/")
    setup = client.get("/staff/2fa/setup/?next=/staff/")

    assert signed_in["Location"] == "/staff/home/"
    assert queue["Location"] == "/staff/2fa/setup/?next=%2Fstaff%2F"
    assert "<svg" in setup.content.decode()
    assert TOTPDevice.objects.filter(user=practitioner, confirmed=False).count() == 1


def test_enrolment_wrong_code_is_refused_then_right_code_shows_recovery_codes(practitioner):
    client = Client()
    sign_in(client, practitioner.username)
    client.get("/staff/2fa/setup/")
    device = TOTPDevice.objects.get(user=practitioner)

    wrong = client.post(
        "/staff/2fa/setup/", {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    right = client.post("/staff/2fa/setup/", {"token": code_for(device), "next": "/staff/"})
    queue = client.get("/staff/")

    assert wrong.context["form"].errors == {
        "token": ["That code did not match. Enter the 6-digit code your app shows now."]
    }
    assert len(right.context["codes"]) == 10
    assert queue.status_code == 200
    assert TOTPDevice.objects.get(user=practitioner).confirmed is True


def test_sign_in_with_device_asks_for_code_and_audits_a_wrong_one(practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = Client()
    sign_in(client, practitioner.username)

    wrong = client.post("/staff/2fa/verify/", {"token": "12345678"})
    # django-otp slows guessing after a failure; let the clock move past the delay.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    right = client.post("/staff/2fa/verify/", {"token": code_for(device), "next": "/staff/"})

    assert wrong.context["form"].errors == {
        "token": ["That code did not match. Try the code your app shows now."]
    }
    assert right["Location"] == "/staff/"
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=practitioner).count() == 1
    )


def test_right_code_straight_after_a_wrong_one_is_told_to_wait_not_called_wrong(practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = Client()
    sign_in(client, practitioner.username)

    client.post("/staff/2fa/verify/", {"token": "12345678"})
    too_soon = client.post("/staff/2fa/verify/", {"token": code_for(device)})

    [message] = too_soon.context["form"].errors["token"]
    assert message.startswith("After a wrong code, codes are refused for a short while: wait ")
    assert "did not match" not in message


def test_code_field_takes_letters_for_recovery_codes(practitioner):
    TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = Client()
    sign_in(client, practitioner.username)

    page = client.get("/staff/2fa/verify/").content.decode()

    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' not in page


def test_recovery_code_works_once(practitioner):
    client = Client()
    sign_in(client, practitioner.username)
    client.get("/staff/2fa/setup/")
    device = TOTPDevice.objects.get(user=practitioner)
    codes = client.post("/staff/2fa/setup/", {"token": code_for(device)}).context["codes"]
    client.post("/accounts/logout/")

    first, second = Client(), Client()
    sign_in(first, practitioner.username)
    used = first.post("/staff/2fa/verify/", {"token": codes[0]})
    sign_in(second, practitioner.username)
    reused = second.post("/staff/2fa/verify/", {"token": codes[0]})

    assert used["Location"] == "/staff/home/"
    assert reused.status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_second_factor_next_never_leaves_the_site(practitioner, target):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = Client()
    sign_in(client, practitioner.username)

    response = client.post("/staff/2fa/verify/", {"token": code_for(device), "next": target})

    assert response["Location"] == "/staff/home/"


def test_login_next_to_another_site_is_ignored(practitioner):
    client = Client()

    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": practitioner.username, "password": PASSWORD},
    )

    assert response["Location"] == "/staff/home/"


def test_repeated_failed_sign_ins_lock_the_account_with_a_clear_message(practitioner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()

    for _ in range(3):
        sign_in(client, practitioner.username, "wrong-password")
    locked = sign_in(Client(), practitioner.username)

    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    # The three wrong passwords and the refused attempt while locked.
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 4
    labels = set(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list(
            "actor_label", flat=True
        )
    )
    assert labels == {"not signed in"}


def test_staff_session_expires_after_idle_minutes(practitioner, settings):
    settings.STAFF_IDLE_MINUTES = 7
    client = login_verified(Client(), practitioner)

    page = client.get("/staff/")

    assert client.session.get_expiry_age() == 7 * 60
    assert 'data-session-seconds="420"' in page.content.decode()


def test_keepalive_needs_post_and_sign_in(practitioner, anonymous):
    client = login_verified(Client(), practitioner)

    assert client.post("/staff/keepalive/").json() == {"ok": True, "idle_minutes": 15}
    assert client.get("/staff/keepalive/").status_code == 405
    assert anonymous.post("/staff/keepalive/").status_code == 302


def test_patient_date_of_birth_checks_are_rate_limited(patient_link, settings):
    settings.RATE_LIMIT_PATIENT = "2/m"
    patient_link.client.post(
        "/intake/step/about-you/", {"base_revision": 0, "sex_at_birth": "male"}
    )
    device = Client()
    device.get(f"/i/{patient_link.token}/")

    statuses = [
        device.post("/intake/verify/", {"date_of_birth": "1999-01-01"}).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_sign_in_pages_are_rate_limited_per_address(db, settings, url):
    settings.RATE_LIMIT_LOGIN = "2/m"
    client = Client()

    statuses = [
        client.post(url, {"username": f"someone{i}", "password": "wrong-password"}).status_code
        for i in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_failed_sign_ins_from_one_address_lock_it_whatever_the_user_name(practitioner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.RATE_LIMIT_LOGIN = "100/m"
    for i in range(3):
        sign_in(Client(), f"guess{i}", "wrong-password")

    locked = sign_in(Client(), practitioner.username)  # right password, same address

    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()


def test_security_headers_on_every_page(anonymous):
    response = anonymous.get("/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_deploy_check_is_clean_with_production_settings():
    root = Path(__file__).resolve().parents[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "HTTPS",
            "DEBUG",
            "SECRET_KEY",
            "STATIC_MANIFEST",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "p" * 20 + "-production-like-secret-" + "q" * 30,
            "ALLOWED_HOSTS": "intake.example.org",
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
        }
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_clinic_admin_unlocks_a_locked_sign_in_in_the_admin(practitioner, clinic_admin, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(Client(), practitioner.username, "wrong-password")
    assert sign_in(Client(), practitioner.username).status_code == 429
    admin = login_verified(Client(), clinic_admin)

    listing = admin.get("/admin/axes/accessattempt/")
    unlocked = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in AccessAttempt.objects.all()],
            "post": "yes",
        },
    )

    assert clinic_admin.is_superuser is False
    assert listing.status_code == 200
    assert unlocked.status_code == 302
    assert AccessAttempt.objects.count() == 0
    assert sign_in(Client(), practitioner.username).status_code == 302


def test_clinic_admin_removes_a_lost_authenticator_so_it_can_be_enrolled_again(
    practitioner, clinic_admin
):
    device = TOTPDevice.objects.create(user=practitioner, name="lost phone", confirmed=True)
    admin = login_verified(Client(), clinic_admin)

    removed = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    client = Client()
    sign_in(client, practitioner.username)

    assert removed.status_code == 302
    assert client.get("/staff/")["Location"].startswith("/staff/2fa/setup/")

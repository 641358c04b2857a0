"""Shared fixtures and personas.

Personas, each with what it may see:
- anonymous: a browser with no session; sees only the public pages.
- patient_link: a patient who opened their invitation link; sees only their own intake.
- practitioner / other_practitioner: staff in the Practitioner group; cases and patients.
- clinic_admin: staff in the Clinic admin group; users, invitations, records, audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings

from intake import services
from intake.enums import Role
from intake.models import Intake
from intake.roles import apply_role_permissions

PATIENT_DOB = dt.date(1980, 4, 23)


@dataclass
class PatientLink:
    client: Client
    intake: Intake
    token: str

    def refresh(self) -> Intake:
        self.intake.refresh_from_db()
        return self.intake


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    # Staff are created and sign in in hundreds of tests; Argon2 takes ~150 ms a hash by design,
    # MD5 next to nothing. Production's Argon2 is checked in tests/test_settings.py.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def open_invitation(*, name: str = "Ann Example", born: dt.date = PATIENT_DOB, email: str = ""):
    invitation, token = services.create_invitation(full_name=name, date_of_birth=born, email=email)
    return invitation, token


def _staff(username: str, role: Role):
    # Transactional tests flush the tables the roles migration filled; put the roles back.
    apply_role_permissions(Group, Permission)
    user = get_user_model().objects.create_user(username=username, password="x-pass-12345")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def login_verified(client: Client, user) -> Client:
    """Sign `user` in past both steps (password and a confirmed authenticator)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def anonymous() -> Client:
    # No session at all: the home page, invitation links and the health check.
    return Client()


@pytest.fixture
def patient_link(db) -> PatientLink:
    # A patient whose browser opened their own link: their intake only, nothing else.
    invitation, token = open_invitation()
    client = Client()
    response = client.get(f"/i/{token}/")
    assert response.status_code == 302
    return PatientLink(client=client, intake=invitation.intake, token=token)


@pytest.fixture
def practitioner(db):
    # Reviews cases and patients; no user management.
    return _staff("pat.practitioner", Role.PRACTITIONER)


@pytest.fixture
def other_practitioner(db):
    # A colleague, for assignment and concurrent-edit tests.
    return _staff("other.practitioner", Role.PRACTITIONER)


@pytest.fixture
def clinic_admin(db):
    # Manages users, invitations, settings, records and reads the audit log.
    return _staff("clinic.admin", Role.CLINIC_ADMIN)

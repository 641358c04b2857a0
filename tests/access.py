"""Browsers for every role, for the access matrix and the security tests.

The matrix signs in one browser per role for each URL, so these users get no password (no
Argon2 hashing per test) and sign in through `login_verified`, past both steps:
- anonymous: no session at all.
- patient: a browser that opened its own invitation link; its own intake only.
- no_role: a signed-in account in no group (not staff); nothing beyond the public pages.
- auditor: staff in the Auditor group; the admin's audit log, read-only, and nothing else.
- practitioner: staff in the Practitioner group; queue, cases, patients, invitations.
- clinic_admin: staff in the Clinic admin group; everything, including records and the admin.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from intake.enums import Role
from intake.roles import apply_role_permissions
from tests.factories import PATIENT_DOB, login_verified

ROLES = ("anonymous", "patient", "no_role", "auditor", "practitioner", "clinic_admin")
STAFF_ROLES = {
    "auditor": Role.AUDITOR,
    "practitioner": Role.PRACTITIONER,
    "clinic_admin": Role.CLINIC_ADMIN,
}
# What users type that a browser could run, or a template engine could evaluate.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
)


def make_user(username: str, role: Role | None = None, *, is_staff: bool | None = None):
    """A user without a password; staff (is_staff) when given a role, unless told."""
    user = get_user_model().objects.create_user(
        username=username,
        password=None,
        is_staff=role is not None if is_staff is None else is_staff,
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


def role_users() -> dict[str, object]:
    """One user per signed-in role."""
    # Transactional tests elsewhere flush the tables the roles migration filled.
    apply_role_permissions(Group, Permission)
    users = {"no_role": make_user("no.role")}
    users.update({name: make_user(f"{name}.user", role) for name, role in STAFF_ROLES.items()})
    return users


def patient_browser(token: str, *, born=PATIENT_DOB, client: Client | None = None) -> Client:
    """A browser that opened the invitation link, giving the date of birth if asked."""
    client = client or Client()
    response = client.get(f"/i/{token}/")
    if response["Location"] == "/intake/verify/":
        response = client.post("/intake/verify/", {"date_of_birth": born.isoformat()})
    assert response["Location"] == "/intake/", outcome(response)
    return client


def browser(role: str, users: dict[str, object], *, token: str, **client_options) -> Client:
    """A fresh browser signed in as `role` (see the module docstring)."""
    client = Client(**client_options)
    if role == "anonymous":
        return client
    if role == "patient":
        return patient_browser(token, client=client)
    return login_verified(client, users[role])


def outcome(response) -> int | tuple[int, str]:
    """A response as the matrix writes it: the status, with the target for a redirect."""
    if response.status_code in (301, 302, 303, 307, 308):
        return (response.status_code, response["Location"])
    return response.status_code

"""Every URL × every role × own and other object, with the expected response.

An object a user may not see answers 404, the same as one that does not exist, whether the
role lacks the permission or the record is not one it may see (intake.views.common.
permission_or_404); a list page a role may not open answers 403 (signed in); either sends a
browser that is not signed in to sign in. Each row
below is one URL; its columns are the roles of tests/access.py, in this order:

    anonymous, patient, no_role, auditor, practitioner, clinic_admin

A cell is a status code, or (302, target) for a redirect. LOGIN and ADMIN_LOGIN stand for the
redirect to the staff sign-in and to the admin's sign-in, with the page as `next`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from intake import services
from intake.models import Intake, Invitation
from intake.notifications.stop_links import stop_token
from tests.access import ROLES, browser, make_user, outcome, patient_browser, role_users
from tests.factories import open_invitation, submitted_case

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
VERIFY = (302, "/intake/verify/")
TO_QUEUE = (302, "/staff/")
TO_LANDING = (302, "/staff/home/")
TO_AUDIT_LOG = (302, "/admin/intake/auditevent/")
TO_HOME = (302, "/")
TO_LINKS = (302, "/staff/invitations/")
MISSING = 999_999
OTHER_BORN = dt.date(1970, 1, 1)


@dataclass
class World:
    users: dict
    case: Intake  # submitted, assigned to the practitioner: "own"
    other_case: Intake  # submitted, assigned to a colleague: "other"
    draft: Intake  # the patient's own questionnaire, first step answered, not submitted
    token: str  # the patient's link
    other_token: str  # another patient's link; that patient has answered a step too
    invitation: Invitation  # the draft's link

    def ids(self) -> dict[str, int | str]:
        return {
            "case": self.case.pk,
            "other_case": self.other_case.pk,
            "draft": self.draft.pk,
            "missing": MISSING,
            "patient": self.case.patient_id,
            "other_patient": self.other_case.patient_id,
            "draft_patient": self.draft.patient_id,
            "invitation": self.invitation.pk,
            "case_invitation": self.case.invitations.get().pk,
            "token": self.token,
            "other_token": self.other_token,
            "stop_token": stop_token(self.invitation.pk),
        }


def _answer_first_step(token: str, *, born: dt.date) -> None:
    client = patient_browser(token, born=born)
    response = client.post(
        "/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"}
    )
    assert response.status_code == 302


@pytest.fixture
def world(settings) -> World:
    # Every row opens a fresh browser per role; the patient's link is opened each time.
    settings.RATE_LIMIT_PATIENT = "1000/h"
    users = role_users()
    colleague = make_user("colleague", is_staff=True)
    case = submitted_case(name="Casey Own")
    case = services.assign_case(
        intake_id=case.pk, version=case.version, assignee=users["practitioner"], by=None
    )
    other_case = submitted_case(name="Olive Other")
    other_case = services.assign_case(
        intake_id=other_case.pk, version=other_case.version, assignee=colleague, by=None
    )
    invitation, token = open_invitation(name="Ann Patient")
    _answer_first_step(token, born=invitation.intake.patient.date_of_birth)
    other, other_token = open_invitation(name="Bob Other", born=OTHER_BORN)
    _answer_first_step(other_token, born=OTHER_BORN)
    return World(
        users=users,
        case=case,
        other_case=other_case,
        draft=invitation.intake,
        token=token,
        other_token=other_token,
        invitation=invitation,
    )


def _expected(cell, path: str):
    if cell == LOGIN:
        return (302, f"/accounts/login/?next={path}")
    if cell == ADMIN_LOGIN:
        return (302, f"/admin/login/?next={path}")
    return cell


def _outcomes(world: World, method: str, path: str, data=None, roles=ROLES) -> tuple:
    results = []
    for role in roles:
        client = browser(role, world.users, token=world.token)
        response = client.get(path) if method == "GET" else client.post(path, data or {})
        results.append(outcome(response))
    return tuple(results)


# --- every URL, GET -------------------------------------------------------------------------

# path: (anonymous, patient, no_role, auditor, practitioner, clinic_admin)
GET_MATRIX = {
    # The patient's pages: no ids; the session holds the one intake.
    "/": (200, 200, 200, 200, 200, 200),
    "/healthz": (200, 200, 200, 200, 200, 200),
    # The language switch is a form's POST; the scripts' words are public.
    "/language/": (405, 405, 405, 405, 405, 405),
    "/jsi18n/": (200, 200, 200, 200, 200, 200),
    "/start/": (404, 404, 404, 404, 404, 404),
    "/i/{token}/": (VERIFY, VERIFY, VERIFY, VERIFY, VERIFY, VERIFY),
    "/i/{other_token}/": (VERIFY, VERIFY, VERIFY, VERIFY, VERIFY, VERIFY),
    "/i/not-a-real-token/": (404, 404, 404, 404, 404, 404),
    "/intake/verify/": (404, 404, 404, 404, 404, 404),
    "/intake/": (404, (302, "/intake/step/legs/"), 404, 404, 404, 404),
    "/intake/welcome/": (404, 200, 404, 404, 404, 404),
    "/intake/step/about-you/": (404, 200, 404, 404, 404, 404),
    "/intake/step/no-such-step/": (404, 404, 404, 404, 404, 404),
    "/intake/step/about-you/autosave/": (405, 405, 405, 405, 405, 405),
    "/intake/review/": (404, 200, 404, 404, 404, 404),
    # The help page shows only while the answers call for help; otherwise back to the steps.
    "/intake/support/": (404, (302, "/intake/"), 404, 404, 404, 404),
    "/intake/done/": (404, (302, "/intake/"), 404, 404, 404, 404),
    # Staff pages.
    "/staff/": (LOGIN, LOGIN, 403, 403, 200, 200),
    # Where sign-in leads: each role's first page.
    "/staff/home/": (LOGIN, LOGIN, 403, TO_AUDIT_LOG, TO_QUEUE, TO_QUEUE),
    "/staff/2fa/setup/": (LOGIN, LOGIN, TO_LANDING, TO_LANDING, TO_LANDING, TO_LANDING),
    "/staff/2fa/verify/": (LOGIN, LOGIN, TO_LANDING, TO_LANDING, TO_LANDING, TO_LANDING),
    "/staff/keepalive/": (LOGIN, LOGIN, 405, 405, 405, 405),
    "/staff/export.csv": (LOGIN, LOGIN, 403, 403, 200, 200),
    # Counts only, for those who see cases: practitioners and clinic admins.
    "/staff/overview/": (LOGIN, LOGIN, 403, 403, 200, 200),
    "/staff/cases/{case}/": (LOGIN, LOGIN, 404, 404, 200, 200),
    "/staff/cases/{case}/status/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/assign/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/decision/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/note/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/results/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/print/": (LOGIN, LOGIN, 404, 404, 200, 200),
    "/staff/cases/{case}/contacted/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/summary.pdf": (LOGIN, LOGIN, 404, 404, 200, 200),
    "/staff/cases/{case}/fhir.json": (LOGIN, LOGIN, 404, 404, 200, 200),
    "/staff/patients/{patient}/": (LOGIN, LOGIN, 404, 404, 200, 200),
    "/staff/invitations/": (LOGIN, LOGIN, 403, 403, 200, 200),
    "/staff/invitations/{invitation}/revoke/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/invitations/{invitation}/reissue/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/invitations/{invitation}/remind/": (LOGIN, LOGIN, 404, 404, 405, 405),
    # The stop-reminders link in a reminder: no sign-in; it asks, a POST stops them.
    "/reminders/stop/{stop_token}/": (200, 200, 200, 200, 200, 200),
    "/reminders/stop/not-a-real-token/": (400, 400, 400, 400, 400, 400),
    # Records (intake.manage_records): clinic admins only.
    "/staff/patients/{patient}/export.json": (LOGIN, LOGIN, 404, 404, 404, 200),
    "/staff/patients/{patient}/export.pdf": (LOGIN, LOGIN, 404, 404, 404, 200),
    "/staff/patients/{patient}/erase/": (LOGIN, LOGIN, 404, 404, 404, 200),
    "/staff/patients/{patient}/contact/": (LOGIN, LOGIN, 404, 404, 404, 200),
    "/staff/retention/": (LOGIN, LOGIN, 403, 403, 403, 200),
    # The Django admin: clinic admins and auditors only, then each model's view permission
    # (every registered model: test_admin_matrix_every_registered_model below).
    "/admin/": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN, 200),
    "/admin/intake/auditevent/": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN, 200),
    "/admin/intake/patient/": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, ADMIN_LOGIN, 200),
    "/admin/intake/intake/{case}/change/": (
        ADMIN_LOGIN,
        ADMIN_LOGIN,
        ADMIN_LOGIN,
        403,
        ADMIN_LOGIN,
        200,
    ),
    "/admin/auth/user/": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403, ADMIN_LOGIN, 200),
    # The API: a registered client's token, never a session (tests/test_api_*.py); the schema
    # is public.
    "/api/v1/schema/": (200, 200, 200, 200, 200, 200),
    "/api/v1/cases/": (401, 401, 401, 401, 401, 401),
    "/api/v1/cases/{case}/": (401, 401, 401, 401, 401, 401),
    "/api/v1/cases/{case}/fhir/": (401, 401, 401, 401, 401, 401),
    "/api/v1/questionnaire/": (401, 401, 401, 401, 401, 401),
    "/api/v1/invitations/": (401, 401, 401, 401, 401, 401),
    # Sign-in and account pages (django.contrib.auth.urls).
    "/accounts/login/": (200, 200, 200, 200, 200, 200),
    "/accounts/logout/": (405, 405, 405, 405, 405, 405),
    "/accounts/password_change/": (LOGIN, LOGIN, 200, 200, 200, 200),
    "/accounts/password_change/done/": (LOGIN, LOGIN, 200, 200, 200, 200),
}


@pytest.mark.parametrize(("template", "expected"), list(GET_MATRIX.items()), ids=list(GET_MATRIX))
def test_access_matrix_get(world, template, expected):
    path = template.format(**world.ids())

    outcomes = _outcomes(world, "GET", path)

    assert outcomes == tuple(_expected(cell, path) for cell in expected)


# --- every URL that takes a POST, with an empty or incomplete form ----------------------------

POST_MATRIX = {
    "/": (405, 405, 405, 405, 405, 405),
    "/healthz": (405, 405, 405, 405, 405, 405),
    # A switch without a language offered is refused, whoever sends it.
    "/language/": (400, 400, 400, 400, 400, 400),
    "/jsi18n/": (405, 405, 405, 405, 405, 405),
    "/start/": (404, 404, 404, 404, 404, 404),
    "/i/{token}/": (405, 405, 405, 405, 405, 405),
    "/intake/verify/": (404, 404, 404, 404, 404, 404),
    "/intake/": (405, 405, 405, 405, 405, 405),
    "/intake/welcome/": (405, 405, 405, 405, 405, 405),
    # The patient's empty step and early submit re-render with errors.
    "/intake/step/about-you/": (404, 200, 404, 404, 404, 404),
    "/intake/step/about-you/autosave/": (404, 400, 404, 404, 404, 404),
    "/intake/review/": (404, 200, 404, 404, 404, 404),
    "/intake/support/": (405, 405, 405, 405, 405, 405),
    "/intake/done/": (405, 405, 405, 405, 405, 405),
    "/staff/": (LOGIN, LOGIN, 403, 403, 405, 405),
    "/staff/home/": (LOGIN, LOGIN, 405, 405, 405, 405),
    "/staff/2fa/setup/": (LOGIN, LOGIN, TO_LANDING, TO_LANDING, TO_LANDING, TO_LANDING),
    "/staff/2fa/verify/": (LOGIN, LOGIN, TO_LANDING, TO_LANDING, TO_LANDING, TO_LANDING),
    "/staff/keepalive/": (LOGIN, LOGIN, 200, 200, 200, 200),
    "/staff/export.csv": (LOGIN, LOGIN, 403, 403, 405, 405),
    "/staff/overview/": (LOGIN, LOGIN, 403, 403, 405, 405),
    "/staff/cases/{case}/": (LOGIN, LOGIN, 404, 404, 405, 405),
    # An empty change form is refused (400) once the role may make the change at all.
    "/staff/cases/{case}/status/": (LOGIN, LOGIN, 404, 404, 400, 400),
    "/staff/cases/{case}/assign/": (LOGIN, LOGIN, 404, 404, 400, 400),
    "/staff/cases/{case}/decision/": (LOGIN, LOGIN, 404, 404, 400, 400),
    "/staff/cases/{case}/note/": (LOGIN, LOGIN, 404, 404, 400, 400),
    "/staff/cases/{case}/results/": (LOGIN, LOGIN, 404, 404, 400, 400),
    "/staff/cases/{case}/print/": (LOGIN, LOGIN, 404, 404, 405, 405),
    # Only a questionnaire whose answers called for contact today has a contact to record.
    "/staff/cases/{case}/contacted/": (LOGIN, LOGIN, 404, 404, 404, 404),
    "/staff/cases/{case}/summary.pdf": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/cases/{case}/fhir.json": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/patients/{patient}/": (LOGIN, LOGIN, 404, 404, 405, 405),
    "/staff/invitations/": (LOGIN, LOGIN, 403, 403, 200, 200),
    "/staff/invitations/{invitation}/revoke/": (LOGIN, LOGIN, 404, 404, TO_LINKS, TO_LINKS),
    "/staff/invitations/{invitation}/reissue/": (LOGIN, LOGIN, 404, 404, 200, 200),
    # A reminder by hand: refused here (no address on record), back to the list saying why.
    "/staff/invitations/{invitation}/remind/": (LOGIN, LOGIN, 404, 404, TO_LINKS, TO_LINKS),
    "/reminders/stop/{stop_token}/": (200, 200, 200, 200, 200, 200),
    "/reminders/stop/not-a-real-token/": (400, 400, 400, 400, 400, 400),
    "/staff/patients/{patient}/export.json": (LOGIN, LOGIN, 404, 404, 404, 405),
    "/staff/patients/{patient}/export.pdf": (LOGIN, LOGIN, 404, 404, 404, 405),
    "/staff/patients/{patient}/erase/": (LOGIN, LOGIN, 404, 404, 404, 400),
    "/staff/patients/{patient}/contact/": (LOGIN, LOGIN, 404, 404, 404, 400),
    "/staff/retention/": (LOGIN, LOGIN, 403, 403, 403, 405),
    "/api/v1/schema/": (405, 405, 405, 405, 405, 405),
    "/api/v1/cases/": (401, 401, 401, 401, 401, 401),
    "/api/v1/cases/{case}/": (401, 401, 401, 401, 401, 401),
    "/api/v1/cases/{case}/fhir/": (401, 401, 401, 401, 401, 401),
    "/api/v1/questionnaire/": (401, 401, 401, 401, 401, 401),
    "/api/v1/invitations/": (401, 401, 401, 401, 401, 401),
    "/accounts/login/": (200, 200, 200, 200, 200, 200),
    "/accounts/logout/": (TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME, TO_HOME),
}


@pytest.mark.parametrize(("template", "expected"), list(POST_MATRIX.items()), ids=list(POST_MATRIX))
def test_access_matrix_post(world, template, expected):
    path = template.format(**world.ids())

    outcomes = _outcomes(world, "POST", path)

    assert outcomes == tuple(_expected(cell, path) for cell in expected)


def _named_urls(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin's own pages: covered by the rows above, not enumerated
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


class _AnyId(dict):
    def __missing__(self, key: str) -> str:
        return "1"


def _view_name(template: str) -> str:
    return resolve(template.format_map(_AnyId())).view_name


@pytest.mark.parametrize(
    "path",
    ["/accounts/password_reset/", "/accounts/reset/MQ/not-a-token/", "/accounts/reset/done/"],
)
def test_there_is_no_self_service_password_reset(world, path):
    # A reset link by email would hand the account to whoever reads the mailbox; an admin sets
    # a forgotten password instead.
    assert _outcomes(world, "GET", path) == (404,) * 6


def test_access_matrix_lists_every_named_url():
    names = _named_urls(get_resolver().url_patterns)
    in_get = {_view_name(path) for path in GET_MATRIX}
    in_post = {_view_name(path) for path in POST_MATRIX}

    assert in_get - {name for name in in_get if name.startswith("admin:")} == names
    assert in_post == {name for name in names if not name.startswith("password_")}


# --- the admin: every registered model × every role --------------------------------------

ADMIN_PAGES = ("changelist", "add")


def _admin_cases():
    from django.contrib import admin

    return [
        (model._meta.app_label, model._meta.model_name, page)
        for model in admin.site._registry
        for page in ADMIN_PAGES
    ]


def _admin_expected(app_label: str, model_name: str, page: str, role: str, users) -> object:
    """Who may open an admin page: clinic admins and auditors enter the admin; inside, each
    model's view (or add) permission decides, as ROLE_PERMISSIONS grants it."""
    if role in ("anonymous", "patient", "no_role", "practitioner"):
        return ADMIN_LOGIN
    codename = f"{app_label}.{'view' if page == 'changelist' else 'add'}_{model_name}"
    if not users[role].has_perm(codename):
        return 403
    # Adding an invitation leads to the staff page that makes one and shows its link once.
    if (model_name, page) == ("invitation", "add"):
        return TO_LINKS
    # The clinic's settings are one row: their list is that row's page.
    if (model_name, page) == ("clinicsettings", "changelist"):
        return (302, reverse("admin:intake_clinicsettings_change", args=[1]))
    return 200


@pytest.mark.parametrize(("app_label", "model_name", "page"), _admin_cases())
def test_admin_matrix_every_registered_model(world, app_label, model_name, page):
    path = reverse(f"admin:{app_label}_{model_name}_{page}")
    expected = tuple(
        _expected(_admin_expected(app_label, model_name, page, role, world.users), path)
        for role in ROLES
    )

    assert _outcomes(world, "GET", path) == expected


def test_admin_auditor_sees_only_the_audit_log(world):
    from django.contrib import admin

    auditor = world.users["auditor"]
    visible = {
        model._meta.label_lower
        for model in admin.site._registry
        if auditor.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    }

    assert visible == {"intake.auditevent"}


def test_admin_clinic_admin_can_open_every_section(world):
    from django.contrib import admin

    clinic_admin = world.users["clinic_admin"]
    hidden = {
        model._meta.label_lower
        for model in admin.site._registry
        if not clinic_admin.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    }

    assert hidden == set()


# --- own and other object ----------------------------------------------------------------

OBJECT_ROLES = ("no_role", "auditor", "practitioner", "clinic_admin")
# (method, path, object): (no_role, auditor, practitioner, clinic_admin). Roles without the
# permission get 404 whether or not the object exists, the same as a missing one.
OBJECT_MATRIX = {
    ("GET", "/staff/cases/{id}/", "case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/", "other_case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/", "draft"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/print/", "case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/print/", "other_case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/print/", "draft"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/print/", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/summary.pdf", "case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/summary.pdf", "other_case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/summary.pdf", "draft"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/summary.pdf", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/fhir.json", "case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/fhir.json", "other_case"): (404, 404, 200, 200),
    ("GET", "/staff/cases/{id}/fhir.json", "draft"): (404, 404, 404, 404),
    ("GET", "/staff/cases/{id}/fhir.json", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/status/", "other_case"): (404, 404, 400, 400),
    ("POST", "/staff/cases/{id}/status/", "draft"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/status/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/assign/", "other_case"): (404, 404, 400, 400),
    ("POST", "/staff/cases/{id}/assign/", "draft"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/assign/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/decision/", "other_case"): (404, 404, 400, 400),
    ("POST", "/staff/cases/{id}/decision/", "draft"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/decision/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/note/", "other_case"): (404, 404, 400, 400),
    ("POST", "/staff/cases/{id}/note/", "draft"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/note/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/contacted/", "draft"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/contacted/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/results/", "other_case"): (404, 404, 400, 400),
    ("POST", "/staff/cases/{id}/results/", "draft"): (404, 404, 404, 404),
    ("POST", "/staff/cases/{id}/results/", "missing"): (404, 404, 404, 404),
    # Patients: staff see every patient on record (drafts' patients too: staff invited them).
    ("GET", "/staff/patients/{id}/", "patient"): (404, 404, 200, 200),
    ("GET", "/staff/patients/{id}/", "other_patient"): (404, 404, 200, 200),
    ("GET", "/staff/patients/{id}/", "draft_patient"): (404, 404, 200, 200),
    ("GET", "/staff/patients/{id}/", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/patients/{id}/export.json", "other_patient"): (404, 404, 404, 200),
    ("GET", "/staff/patients/{id}/export.json", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/patients/{id}/export.pdf", "other_patient"): (404, 404, 404, 200),
    ("GET", "/staff/patients/{id}/export.pdf", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/patients/{id}/erase/", "other_patient"): (404, 404, 404, 200),
    ("GET", "/staff/patients/{id}/erase/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/patients/{id}/erase/", "missing"): (404, 404, 404, 404),
    ("GET", "/staff/patients/{id}/contact/", "other_patient"): (404, 404, 404, 200),
    ("GET", "/staff/patients/{id}/contact/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/patients/{id}/contact/", "missing"): (404, 404, 404, 404),
    # Invitations: a submitted questionnaire's link can be revoked, not re-issued.
    ("POST", "/staff/invitations/{id}/revoke/", "invitation"): (404, 404, TO_LINKS, TO_LINKS),
    ("POST", "/staff/invitations/{id}/revoke/", "case_invitation"): (404, 404, TO_LINKS, TO_LINKS),
    ("POST", "/staff/invitations/{id}/revoke/", "missing"): (404, 404, 404, 404),
    ("POST", "/staff/invitations/{id}/reissue/", "invitation"): (404, 404, 200, 200),
    ("POST", "/staff/invitations/{id}/reissue/", "case_invitation"): (404, 404, TO_LINKS, TO_LINKS),
    ("POST", "/staff/invitations/{id}/reissue/", "missing"): (404, 404, 404, 404),
}


@pytest.mark.parametrize(
    ("request_", "expected"),
    list(OBJECT_MATRIX.items()),
    ids=[f"{method} {path.format(id=obj)}" for method, path, obj in OBJECT_MATRIX],
)
def test_access_matrix_own_and_other_object(world, request_, expected):
    method, template, obj = request_
    path = template.format(id=world.ids()[obj])

    outcomes = _outcomes(world, method, path, roles=OBJECT_ROLES)

    assert outcomes == expected


def _without_csrf_token(content: bytes) -> bytes:
    # The sign-out form's token is masked afresh on every page.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


CASE_PAGES = [
    ("GET", "/staff/cases/{id}/"),
    ("GET", "/staff/cases/{id}/print/"),
    ("GET", "/staff/cases/{id}/summary.pdf"),
    ("GET", "/staff/cases/{id}/fhir.json"),
    ("POST", "/staff/cases/{id}/status/"),
    ("POST", "/staff/cases/{id}/assign/"),
    ("POST", "/staff/cases/{id}/decision/"),
    ("POST", "/staff/cases/{id}/note/"),
    ("POST", "/staff/cases/{id}/results/"),
]


@pytest.mark.parametrize(("method", "template"), CASE_PAGES)
def test_case_pages_draft_answers_exactly_like_a_missing_case(world, method, template):
    client = browser("practitioner", world.users, token=world.token)
    data = {"version": "1", "status": "closed", "text": "A note", "decision": "ordered"}

    def fetch(pk):
        path = template.format(id=pk)
        return client.get(path) if method == "GET" else client.post(path, data)

    draft, missing = fetch(world.draft.pk), fetch(MISSING)

    assert (draft.status_code, missing.status_code) == (404, 404)
    assert [t.name for t in draft.templates] == [t.name for t in missing.templates]
    assert [t.name for t in draft.templates] == ["404.html", "base.html"]
    assert _without_csrf_token(draft.content) == _without_csrf_token(missing.content)


# --- the patient: their own intake, never another --------------------------------------------


def test_patient_other_patients_link_in_a_new_browser_asks_for_date_of_birth(world):
    new_browser = Client()

    opened = new_browser.get(f"/i/{world.other_token}/")
    step = new_browser.get("/intake/step/about-you/")
    review = new_browser.get("/intake/review/")
    verify = new_browser.get("/intake/verify/")

    assert outcome(opened) == VERIFY
    assert (step.status_code, review.status_code, verify.status_code) == (404, 404, 200)
    assert [field.name for field in verify.context["form"]] == ["date_of_birth"]


def test_patient_other_patients_link_in_the_patients_browser_drops_the_own_intake(world):
    client = patient_browser(world.token)

    opened = client.get(f"/i/{world.other_token}/")
    own_step = client.get("/intake/step/about-you/")
    wrong = client.post("/intake/verify/", {"date_of_birth": "1980-04-23"})

    # Neither intake is open now: the other one needs its own date of birth.
    assert outcome(opened) == VERIFY
    assert own_step.status_code == 404
    assert wrong.context["form"].errors == {
        "date_of_birth": [
            "That date of birth does not match our records. You have 4 more tries before "
            "the link locks for 15 minutes."
        ]
    }
    assert client.get("/intake/").status_code == 404


@pytest.mark.parametrize(
    "template",
    [
        "/staff/cases/{id}/",
        "/staff/cases/{id}/print/",
        "/staff/cases/{id}/summary.pdf",
        "/staff/cases/{id}/fhir.json",
        "/staff/patients/{patient}/",
        "/admin/intake/intake/{id}/change/",
    ],
)
@pytest.mark.parametrize("obj", ["draft", "other_case"])
def test_patient_staff_urls_with_an_intake_id_send_to_sign_in(world, template, obj):
    intake = {"draft": world.draft, "other_case": world.other_case}[obj]
    path = template.format(id=intake.pk, patient=intake.patient_id)
    client = patient_browser(world.token)

    response = client.get(path)

    sign_in = "/admin/login/" if path.startswith("/admin/") else "/accounts/login/"
    assert outcome(response) == (302, f"{sign_in}?next={path}")

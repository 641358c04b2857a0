"""Builders for the tests that use the database: invitations, staff, submitted cases, cases
with a stored result, and a patient's browser walking the questionnaire. Each goes through the
app's real services unless its docstring says otherwise. The answers they use are in
tests/answer_sets.py; the personas (fixtures) are in tests/conftest.py."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.management.commands.db_worker import Worker

from intake import clinical, demo, services
from intake.enums import Role
from intake.models import Assessment, Intake, TestRecommendation
from intake.roles import apply_role_permissions
from tests.answer_sets import (
    CONSENT,
    NEW_VERSION,
    RAISED_2026_2,
    REVISION_3,
    RLS_AND_DIARRHOEA,
    RULES_2026_2,
    STEP_DATA,
)

PATIENT_DOB = dt.date(1980, 4, 23)


@dataclass
class PatientLink:
    client: Client
    intake: Intake
    token: str

    def refresh(self) -> Intake:
        self.intake.refresh_from_db()
        return self.intake


# ---- invitations and staff ----------------------------------------------------------------


def open_invitation(
    *, name: str = "Ann Example", born: dt.date = PATIENT_DOB, email: str = "", **options: Any
):
    """A new invitation link and its token, as a member of staff creates one; `options` go to
    services.create_invitation (created_by, email_link, ...)."""
    return services.create_invitation(full_name=name, date_of_birth=born, email=email, **options)


def staff_user(username: str, role: Role):
    """A member of staff in the group of `role`, with a password."""
    # Transactional tests flush the tables the roles migration filled; put the roles back.
    apply_role_permissions(Group, Permission)
    user = get_user_model().objects.create_user(username=username, password="x-pass-12345")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def login_verified(client: Client, user) -> Client:
    """Sign `user` in past both steps (password and a confirmed authenticator)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# ---- submitted cases ----------------------------------------------------------------------


def submitted_case(
    *, name: str = "Casey Case", born: dt.date = PATIENT_DOB, **answers: Any
) -> Intake:
    """A case submitted through the real services and engine: RLS_AND_DIARRHOEA unless
    `answers` override keys."""
    invitation, _ = open_invitation(name=name, born=born)
    intake = demo.answer_all(invitation.intake, {**RLS_AND_DIARRHOEA, **answers})
    return services.submit_intake(intake_id=intake.pk)


class EngineResult:
    """Stands in for the engine's Assessment (its contract, common to every revision-3 caller)
    with a result written out by hand."""

    def __init__(self, data: dict[str, Any], version: str) -> None:
        self._data = data
        self.ruleset_version = version
        self.notes: list[dict[str, str]] = []
        urgent = data["urgent"]
        unsure = [
            entry["key"]
            for reason in urgent["reasons"]
            if reason["rule"] == "RF-U"
            for entry in reason.get("because", [])
        ]
        self.urgent = urgent["value"]
        self.crisis = urgent["crisis"]
        self.emergency = urgent.get("emergency", False)
        self.unsure_crisis = "self_harm_thoughts" in unsure
        self.unsure_emergency = any(key != "self_harm_thoughts" for key in unsure)

    def as_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)


def case_under_revision_3(
    monkeypatch, result: dict[str, Any] | None = None, *, name: str = "Casey Case", **answers
) -> Intake:
    """A case submitted through the real services, the engine giving `result` (default
    REVISION_3) at submission; the steps are saved with the real engine."""
    data = REVISION_3 if result is None else result
    invitation, _token = open_invitation(name=name)
    draft = demo.answer_all(invitation.intake, {**RLS_AND_DIARRHOEA, **answers})
    with monkeypatch.context() as patch:
        patch.setattr(
            clinical, "evaluate", lambda answers, **_settings: EngineResult(data, NEW_VERSION)
        )
        return services.submit_intake(intake_id=draft.pk)


def case_stored_under_2026_2(monkeypatch, result: dict[str, Any] | None = None, **kwargs) -> Intake:
    """A case whose assessment and recommendations are as rules 2026.2 left them in the
    database."""
    return case_with_stored_result(
        monkeypatch, RULES_2026_2 if result is None else result, version="2026.2", **kwargs
    )


def case_with_stored_result(
    monkeypatch, result: dict[str, Any], *, version: str, **kwargs
) -> Intake:
    """A case whose current assessment holds `result` as stored, whatever it holds (written to
    the row directly: today's services would not make it), with the recommendations that
    rules before revision 3 made from it."""
    data = copy.deepcopy(result)
    intake = case_under_revision_3(monkeypatch, **kwargs)
    assessment = intake.current_assessment
    Assessment.objects.filter(pk=assessment.pk).update(ruleset_version=version, result=data)
    TestRecommendation.objects.filter(assessment=assessment).delete()
    TestRecommendation.objects.bulk_create(
        TestRecommendation(
            intake=intake,
            assessment=assessment,
            test=test,
            value=flag["value"],
            rules=flag["rules_fired"],
            detail={k: v for k, v in flag.items() if k not in ("value", "rules_fired")},
        )
        for test, flag in data["flags"].items()
        if flag["value"] in RAISED_2026_2
    )
    Intake.objects.filter(pk=intake.pk).update(
        urgent=data["urgent"]["value"], crisis=data["urgent"]["crisis"]
    )
    intake.refresh_from_db()
    return intake


# ---- a patient's browser walking the questionnaire ----------------------------------------


def step_slug(url: str) -> str | None:
    parts = url.strip("/").split("/")
    return parts[2] if len(parts) >= 3 and parts[1] == "step" else None


def first_step_url(client) -> str:
    """Where the patient's way in leads: past the welcome page, as its button does."""
    url = client.get("/intake/")["Location"]
    if url == "/intake/welcome/":
        url = client.get(url).context["first_step_url"]
    return url


def send_answers(client, **consent: Any):
    """Sign the consent on the check page and send the answers, as its button does."""
    return client.post("/intake/review/", {**CONSENT, **consent})


def answer_steps(client, overrides: dict[str, dict[str, Any]] | None = None, *, stop_at=None):
    """Answer each step the app asks for with STEP_DATA until the review page (or `stop_at`).
    Returns the slugs visited, in order."""
    overrides = overrides or {}
    visited = []
    url = first_step_url(client)
    while (slug := step_slug(url)) is not None:
        if slug == stop_at:
            break
        visited.append(slug)
        data = {**STEP_DATA[slug], **overrides.get(slug, {})}
        page = client.get(url)
        if "revision" in page.context:
            data.setdefault("base_revision", page.context["revision"])
        response = client.post(url, data)
        errors = response.context["form"].errors if response.context else None
        assert response.status_code == 302, (slug, errors)
        url = response["Location"]
        if url.endswith("/support/"):
            url = first_step_url(client)
    return visited


def run_db_worker() -> None:
    """The database worker itself, in batch mode: it runs every task that is due, then stops.
    Between tasks it drops connections left in a transaction, which here is the test's own
    (on PostgreSQL that would end the test's data), so that one call is left out."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

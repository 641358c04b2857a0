"""The R3-23 migration: the crisis-in-a-draft fields become the general contact fields, and a
crisis reported before it stays listed (or contacted) as it was, with the reason "crisis"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("intake", "0012_constipation_not_treated_yet")
AFTER = ("intake", "0013_contact_needed")


@pytest.fixture
def executor(transactional_db):
    # Migrating backwards changes the schema, which SQLite refuses inside the test's
    # transaction: a transactional test, put back at the newest migrations afterwards.
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(executor: MigrationExecutor, target: tuple[str, str]):
    executor.loader.build_graph()
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


def _intake(apps, name: str, status: str = "draft", **fields) -> int:
    patient = apps.get_model("intake", "Patient").objects.create(
        full_name=name, date_of_birth=dt.date(1980, 1, 1)
    )
    submitted = timezone.now() if status != "draft" else None
    intake = apps.get_model("intake", "Intake").objects.create(
        patient=patient, status=status, submitted_at=submitted, **fields
    )
    return intake.pk


def test_migration_keeps_crisis_reports_listed_and_contacted(executor):
    old_apps = _migrate(executor, BEFORE)
    staff = get_user_model().objects.create_user(username="on.call", password=None)
    reported = timezone.now() - dt.timedelta(hours=3)
    contacted = timezone.now() - dt.timedelta(hours=1)
    waiting = _intake(old_apps, "Waiting Draft", crisis_reported_at=reported)
    done = _intake(
        old_apps,
        "Contacted Case",
        status="new",
        crisis=True,
        crisis_reported_at=reported,
        crisis_contacted_at=contacted,
        crisis_contacted_by_id=staff.pk,
    )
    calm = _intake(old_apps, "Calm Draft")

    new_apps = _migrate(executor, AFTER)

    rows = new_apps.get_model("intake", "Intake").objects.order_by("pk")
    got = {
        row.pk: (
            row.contact_needed_at,
            row.contact_reasons,
            row.contacted_at,
            row.contacted_by_id,
            row.emergency,
        )
        for row in rows
    }
    assert got == {
        waiting: (reported, ["crisis"], None, None, False),
        done: (reported, ["crisis"], contacted, staff.pk, False),
        calm: (None, [], None, None, False),
    }


def test_migration_reverses_to_the_crisis_fields(executor):
    _migrate(executor, AFTER)
    new_apps = MigrationExecutor(connection).loader.project_state([AFTER]).apps
    reported = timezone.now() - dt.timedelta(hours=2)
    waiting = _intake(
        new_apps, "Waiting Draft", contact_needed_at=reported, contact_reasons=["crisis"]
    )

    old_apps = _migrate(executor, BEFORE)

    row = old_apps.get_model("intake", "Intake").objects.get(pk=waiting)
    assert (row.crisis_reported_at, row.crisis_contacted_at) == (reported, None)

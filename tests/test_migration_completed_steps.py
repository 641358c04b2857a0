"""Migrations 0023 and 0024: the "done" markers move out of step_revisions into
completed_steps (and back when migrating backwards), and rows an older version could have left
at odds with the new constraints are brought in line before the constraints are added."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("intake", "0022_queue_indexes")
AFTER = ("intake", "0024_intake_constraints")


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
        full_name=name, name_key=name, date_of_birth=dt.date(1980, 1, 1)
    )
    submitted = timezone.now() if status != "draft" else None
    intake = apps.get_model("intake", "Intake").objects.create(
        patient=patient, status=status, submitted_at=submitted, **fields
    )
    return intake.pk


def _link(apps, intake_id: int, token: str, *, days_ago: int, revoked: bool = False) -> int:
    made = timezone.now() - dt.timedelta(days=days_ago)
    invitation = apps.get_model("intake", "Invitation").objects.create(
        intake_id=intake_id,
        token_hash=token * 64,
        expires_at=made + dt.timedelta(days=14),
        revoked_at=made if revoked else None,
    )
    invitation.created_at = made  # auto_now_add: set after the insert
    invitation.save(update_fields=["created_at"])
    return invitation.pk


def test_migration_moves_done_markers_out_of_step_revisions_and_back(executor):
    old_apps = _migrate(executor, BEFORE)
    started = _intake(
        old_apps,
        "Sam Started",
        step_revisions={"about-you": 2, "about-you:done": True, "legs": 1, "course:done": False},
    )
    untouched = _intake(old_apps, "Una Untouched", step_revisions={"about-you": 1})
    empty = _intake(old_apps, "Ed Empty")

    new_apps = _migrate(executor, AFTER)
    Intake = new_apps.get_model("intake", "Intake")
    moved = {
        pk: (revisions, completed)
        for pk, revisions, completed in Intake.objects.values_list(
            "pk", "step_revisions", "completed_steps"
        )
    }
    back_apps = _migrate(executor, BEFORE)
    restored = dict(
        back_apps.get_model("intake", "Intake").objects.values_list("pk", "step_revisions")
    )

    assert moved == {
        started: ({"about-you": 2, "legs": 1}, {"about-you": True}),
        untouched: ({"about-you": 1}, {}),
        empty: ({}, {}),
    }
    assert restored == {
        started: {"about-you": 2, "legs": 1, "about-you:done": True},
        untouched: {"about-you": 1},
        empty: {},
    }


def test_migration_brings_closing_times_and_live_links_in_line_with_the_constraints(executor):
    old_apps = _migrate(executor, BEFORE)
    closed_untimed = _intake(old_apps, "Cole Closed", status="closed")
    reopened_timed = _intake(
        old_apps, "Rhea Reopened", status="in_review", closed_at=timezone.now()
    )
    closed_timed = _intake(
        old_apps, "Tim Timed", status="closed", closed_at=timezone.now() - dt.timedelta(days=3)
    )
    twice_linked = _intake(old_apps, "Lin Twice")
    oldest = _link(old_apps, twice_linked, "a", days_ago=9)
    newest = _link(old_apps, twice_linked, "b", days_ago=2)
    middle = _link(old_apps, twice_linked, "c", days_ago=5)
    revoked = _link(old_apps, twice_linked, "d", days_ago=20, revoked=True)
    Intake = old_apps.get_model("intake", "Intake")
    before = dict(Intake.objects.values_list("pk", "updated_at"))
    timed_at = Intake.objects.get(pk=closed_timed).closed_at

    new_apps = _migrate(executor, AFTER)
    Intake = new_apps.get_model("intake", "Intake")
    Invitation = new_apps.get_model("intake", "Invitation")
    closed_at = dict(Intake.objects.values_list("pk", "closed_at"))
    live = list(
        Invitation.objects.filter(intake_id=twice_linked, revoked_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    revoked_now = set(
        Invitation.objects.filter(intake_id=twice_linked, revoked_at__isnull=False).values_list(
            "pk", flat=True
        )
    )

    assert closed_at[closed_untimed] == before[closed_untimed]
    assert closed_at[reopened_timed] is None
    assert closed_at[closed_timed] == timed_at
    assert live == [newest]
    assert revoked_now == {oldest, middle, revoked}

"""The R3-3 data migration: a child's stored "na" for the constipation question becomes
"not_treated_yet", in drafts and in the answers kept with assessments, and back on reverse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("intake", "0011_clinic_admin_reads_notes_and_results")
AFTER = ("intake", "0012_constipation_not_treated_yet")
KEY = "pain_resolves_with_constipation_treatment"


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


def _case(apps, answers: dict, engine_answers: dict | None = None):
    patient = apps.get_model("intake", "Patient").objects.create(
        full_name="Child Example", date_of_birth=dt.date(2016, 3, 1)
    )
    intake = apps.get_model("intake", "Intake").objects.create(patient=patient, answers=answers)
    if engine_answers is not None:
        apps.get_model("intake", "Assessment").objects.create(
            intake=intake,
            kind="submission",
            ruleset_version="2",
            engine_answers=engine_answers,
            result={},
        )
    return intake.pk


def _answers(apps, intake_pk: int) -> tuple[dict, list[dict]]:
    intake = apps.get_model("intake", "Intake").objects.get(pk=intake_pk)
    kept = apps.get_model("intake", "Assessment").objects.filter(intake_id=intake_pk)
    return intake.answers, [a.engine_answers for a in kept.order_by("pk")]


def test_migration_constipation_na_becomes_not_treated_yet(executor):
    old_apps = _migrate(executor, BEFORE)
    na = _case(
        old_apps,
        {"constipation_4wk": "yes", KEY: "na", "abd_pain_freq": "weekly"},
        {"constipation_4wk": "yes", KEY: "na", "age_years": 9},
    )
    yes = _case(old_apps, {"constipation_4wk": "yes", KEY: "yes"}, {KEY: "yes", "age_years": 9})
    unanswered = _case(old_apps, {"constipation_4wk": "no"})
    # The word "na" under another key is somebody else's answer and stays as it is.
    other_key = _case(old_apps, {"constipation_4wk": "yes", "bloating_freq": "na"})

    new_apps = _migrate(executor, AFTER)

    assert _answers(new_apps, na) == (
        {"constipation_4wk": "yes", KEY: "not_treated_yet", "abd_pain_freq": "weekly"},
        [{"constipation_4wk": "yes", KEY: "not_treated_yet", "age_years": 9}],
    )
    assert _answers(new_apps, yes) == (
        {"constipation_4wk": "yes", KEY: "yes"},
        [{KEY: "yes", "age_years": 9}],
    )
    assert _answers(new_apps, unanswered) == ({"constipation_4wk": "no"}, [])
    assert _answers(new_apps, other_key) == (
        {"constipation_4wk": "yes", "bloating_freq": "na"},
        [],
    )


def test_migration_constipation_na_reverse_maps_back_to_na(executor):
    new_apps = _migrate(executor, AFTER)
    moved = _case(new_apps, {KEY: "not_treated_yet"}, {KEY: "not_treated_yet", "age_years": 8})
    no = _case(new_apps, {KEY: "no"}, {KEY: "no", "age_years": 8})

    old_apps = _migrate(executor, BEFORE)

    assert _answers(old_apps, moved) == ({KEY: "na"}, [{KEY: "na", "age_years": 8}])
    assert _answers(old_apps, no) == ({KEY: "no"}, [{KEY: "no", "age_years": 8}])

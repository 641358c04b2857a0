"""The roles are synced after every `migrate` (intake/roles.py, connected on post_migrate in
intake/apps.py): a database migrated from empty auth tables gives each role exactly its
permissions, and a change to the role table is applied by the next `migrate`, with no data
migration."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from intake import roles
from intake.enums import Role

RECEPTIONIST = "Receptionist"


def _migrate() -> None:
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())


def _granted(role: str) -> set[str]:
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in Group.objects.get(name=role).permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_roles_migrate_from_empty_auth_tables_gives_each_role_exactly_its_permissions():
    # As on a fresh database: no groups, no permissions (the rows a migrate would create).
    Group.objects.all().delete()
    Permission.objects.all().delete()

    _migrate()

    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLE_PERMISSIONS)
    for role, listed in roles.ROLE_PERMISSIONS.items():
        assert _granted(role) == set(listed), role


@pytest.mark.django_db
def test_roles_migrate_puts_back_a_permission_taken_from_a_role_by_hand():
    auditor = Group.objects.get(name=Role.AUDITOR)
    auditor.permissions.clear()
    auditor.permissions.add(Permission.objects.get(codename="delete_patient"))

    _migrate()

    assert _granted(Role.AUDITOR) == {"intake.view_auditevent"}


@pytest.mark.django_db
def test_roles_changed_table_is_applied_by_the_next_migrate(monkeypatch):
    before = {group.name: group.pk for group in Group.objects.all()}
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS, Role.AUDITOR, ("intake.view_auditevent", "intake.view_patient")
    )
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, RECEPTIONIST, ("intake.view_invitation",))

    _migrate()

    assert _granted(Role.AUDITOR) == {"intake.view_auditevent", "intake.view_patient"}
    assert _granted(RECEPTIONIST) == {"intake.view_invitation"}
    # The same groups, updated in place: members keep their role.
    assert {name: Group.objects.get(name=name).pk for name in before} == before


@pytest.mark.django_db
def test_roles_permission_dropped_from_the_table_is_taken_away_by_the_next_migrate(monkeypatch):
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS, Role.AUDITOR, ("intake.view_auditevent", "intake.view_patient")
    )
    _migrate()
    monkeypatch.undo()

    _migrate()

    assert _granted(Role.AUDITOR) == {"intake.view_auditevent"}


@pytest.mark.django_db
def test_roles_sync_run_twice_changes_nothing():
    roles.sync_roles()
    first = {group.name: _granted(group.name) for group in Group.objects.all()}
    groups = Group.objects.count()

    roles.sync_roles()

    assert {group.name: _granted(group.name) for group in Group.objects.all()} == first
    assert Group.objects.count() == groups == len(roles.ROLE_PERMISSIONS)

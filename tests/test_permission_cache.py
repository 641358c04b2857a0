"""Each member of staff's permissions kept in the shared cache (intake/auth_backends.py): a
second request reads no permission rows, and every change to who holds what (a group taken
away, a group's permission removed, a permission given, an account deactivated or no longer a
superuser) is on the very next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from intake import auth_backends, middleware
from intake.enums import Role
from tests.factories import login_verified, staff_user

pytestmark = pytest.mark.django_db

QUEUE = "/staff/"


@pytest.fixture(autouse=True)
def _kept(memory_cache, settings, monkeypatch):
    # Sessions in the database, as the settings have them with any cache but Redis: counted.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.PERMISSION_CACHE = True
    settings.QUEUE_CACHE = False
    # The idle clock is written once a minute; not in the middle of a counted view.
    monkeypatch.setattr(middleware, "IDLE_CLOCK_STEP_SECONDS", 24 * 60 * 60)


def _permission_reads(client, url=QUEUE) -> tuple[int, int]:
    """The response's status and how many statements read the permission tables."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    reads = sum('"auth_permission"' in query["sql"] for query in queries)
    return response.status_code, reads


def test_permission_cache_second_request_reads_no_permission_rows(practitioner):
    client = login_verified(Client(), practitioner)

    first = _permission_reads(client)
    second = _permission_reads(client)

    assert first == (200, 2)
    assert second == (200, 0)


def test_permission_cache_off_reads_permissions_on_every_request(settings, practitioner):
    settings.PERMISSION_CACHE = False
    client = login_verified(Client(), practitioner)

    first = _permission_reads(client)
    second = _permission_reads(client)

    assert (first, second) == ((200, 2), (200, 2))


def test_permission_cache_group_taken_away_refuses_the_next_request(practitioner):
    client = login_verified(Client(), practitioner)
    assert _permission_reads(client) == (200, 2)

    practitioner.groups.remove(Group.objects.get(name=Role.PRACTITIONER.value))

    assert _permission_reads(client) == (403, 2)


def test_permission_cache_all_groups_cleared_refuses_the_next_request(practitioner):
    client = login_verified(Client(), practitioner)
    assert _permission_reads(client) == (200, 2)

    practitioner.groups.clear()

    assert _permission_reads(client) == (403, 2)


def test_permission_cache_permission_removed_from_the_group_refuses_the_next_request(
    practitioner,
):
    client = login_verified(Client(), practitioner)
    assert _permission_reads(client) == (200, 2)

    group = Group.objects.get(name=Role.PRACTITIONER.value)
    group.permissions.remove(Permission.objects.get(codename="view_intake"))

    assert _permission_reads(client) == (403, 2)


def test_permission_cache_permission_given_to_the_user_is_granted_on_the_next_request(db):
    user = staff_user("no.role", Role.PRACTITIONER)
    user.groups.clear()
    client = login_verified(Client(), user)
    assert _permission_reads(client) == (403, 2)

    user.user_permissions.add(Permission.objects.get(codename="view_intake"))

    assert _permission_reads(client) == (200, 2)


def test_permission_cache_deactivated_account_is_signed_out_on_the_next_request(practitioner):
    client = login_verified(Client(), practitioner)
    assert _permission_reads(client) == (200, 2)

    practitioner.is_active = False
    practitioner.save(update_fields=["is_active"])
    response = client.get(QUEUE)

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/staff/")


def test_permission_cache_no_permissions_for_an_inactive_user_without_a_signal(practitioner):
    assert practitioner.has_perm("intake.view_intake") is True
    # QuerySet.update() sends no signal: the row read for the request is what counts.
    type(practitioner).objects.filter(pk=practitioner.pk).update(is_active=False)
    reloaded = type(practitioner).objects.get(pk=practitioner.pk)

    assert reloaded.has_perm("intake.view_intake") is False
    assert reloaded.get_all_permissions() == set()


def test_permission_cache_superuser_no_longer_is_refused_even_without_a_signal(db):
    user = staff_user("super.user", Role.PRACTITIONER)
    user.groups.clear()
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client = login_verified(Client(), user)
    assert _permission_reads(client) == (200, 0)  # a superuser's checks ask no backend
    # A superuser's set (every permission) kept, as listing them would keep it.
    kept = auth_backends.CachedPermissionsBackend().get_all_permissions(
        type(user).objects.get(pk=user.pk)
    )
    assert len(kept) == Permission.objects.count()

    type(user).objects.filter(pk=user.pk).update(is_superuser=False)

    assert _permission_reads(client) == (403, 2)


def test_permission_cache_version_is_replaced_again_when_the_change_commits(
    practitioner, django_capture_on_commit_callbacks
):
    before = cache.get(auth_backends.VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        practitioner.groups.clear()
    during = cache.get(auth_backends.VERSION_KEY)
    for callback in callbacks:
        callback()
    after = cache.get(auth_backends.VERSION_KEY)

    assert len({before, during, after}) == 3
    assert None not in (during, after)


def test_permission_cache_set_read_before_a_change_is_not_used_after_it(practitioner):
    # A request that read the version, then the permissions, while a change was being made:
    # it stores the set under the version it read, which the change has replaced.
    backend = auth_backends.CachedPermissionsBackend()
    backend.get_all_permissions(type(practitioner).objects.get(pk=practitioner.pk))
    stale = cache.get(f"roles:permissions:{practitioner.pk}")
    practitioner.groups.clear()
    cache.set(f"roles:permissions:{practitioner.pk}", stale)

    fresh = type(practitioner).objects.get(pk=practitioner.pk)

    assert backend.get_all_permissions(fresh) == set()


def test_permission_cache_sign_in_stamp_keeps_the_version(practitioner):
    auth_backends.touch()
    before = cache.get(auth_backends.VERSION_KEY)

    practitioner.save(update_fields=["last_login"])

    assert cache.get(auth_backends.VERSION_KEY) == before

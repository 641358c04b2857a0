"""Shared fixtures and personas. Builders are in tests/factories.py, answers in
tests/answer_sets.py.

Personas, each with what it may see:
- anonymous: a browser with no session; sees only the public pages.
- patient_link: a patient who opened their invitation link; sees only their own intake.
- practitioner / other_practitioner: staff in the Practitioner group; cases and patients.
- clinic_admin: staff in the Clinic admin group; users, invitations, records, audit log.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from intake.enums import Role
from tests.factories import PatientLink, open_invitation, staff_user


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    # Staff are created and sign in in hundreds of tests; Argon2 takes ~150 ms a hash by design,
    # MD5 next to nothing. Production's Argon2 is checked in tests/test_settings.py.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _redis_keys_of_this_run():
    # With CACHE_URL (Redis) what one test leaves in the cache (rate-limit counters, sessions,
    # kept pages and their versions, all keyed by values the next test repeats: the address
    # 127.0.0.1, user and case ids) would reach the next one, and xdist's workers share the
    # Redis database. Each worker keeps its keys under a prefix of its own, emptied after every
    # test (_empty_redis_keys); never the whole database, which the other workers are using.
    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith("RedisCache"):
        yield None
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"tests-{worker}-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(default["LOCATION"])
    with override_settings(CACHES={"default": {**default, "KEY_PREFIX": prefix}}):
        yield client, prefix
    _delete_keys(client, prefix)
    client.close()


def _delete_keys(client, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _empty_redis_keys(_redis_keys_of_this_run):
    yield
    if _redis_keys_of_this_run is not None:
        _delete_keys(*_redis_keys_of_this_run)


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _empty_database_cache(request, django_db_blocker):
    # Without CACHE_URL the cache is a table (intake_cache). A test that commits (the browser
    # tests' live server, transaction=True) leaves its rows there: the database is emptied
    # after it, but only of the models' tables, so its rate-limit counters for 127.0.0.1 would
    # count against every later test of the worker until one is refused with a 429. Other
    # tests' rows go with their transaction.
    yield
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache") and _commits(request):
        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture
def memory_cache(settings, request):
    # The cache in this process's memory in place of the settings' one (the database's or
    # Redis), empty at the start and end of the test, for tests that turn on what is kept only
    # with Redis and count the queries around it, or move the cache's clock.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.module.__name__,
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nothing_kept(settings):
    # Pages, permissions and sessions as the settings have them without CACHE_URL: nothing kept
    # in the cache, sessions read from the database. For tests that count the queries of pages
    # computed; with Redis a view could otherwise be a kept copy, or skip the session's read.
    settings.QUEUE_CACHE = False
    settings.CASE_CACHE = False
    settings.PERMISSION_CACHE = False
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


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
    return staff_user("pat.practitioner", Role.PRACTITIONER)


@pytest.fixture
def other_practitioner(db):
    # A colleague, for assignment and concurrent-edit tests.
    return staff_user("other.practitioner", Role.PRACTITIONER)


@pytest.fixture
def clinic_admin(db):
    # Manages users, invitations, settings, records and reads the audit log.
    return staff_user("clinic.admin", Role.CLINIC_ADMIN)


@pytest.fixture
def tasks_run_at_once(settings):
    # Outbox messages (staff alerts among them) delivered as soon as their change commits, by
    # Django's immediate task backend, for tests that read what was sent from mail.outbox.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

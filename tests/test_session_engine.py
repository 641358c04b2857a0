"""Sessions come from the shared cache where it is Redis (Django's cached_db engine: read from the
cache, written through to the database, so an emptied cache signs nobody out) and from the
database otherwise. These tests use the cache the settings name when it is Redis (CACHE_URL),
else one of their own in memory (the memory_cache fixture). (tests/test_staff_idle_clock.py
moves the clocks of the database's sessions, not Redis's: its sessions are always the
database's.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import types
from importlib import import_module
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import middleware
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [(None, "django.contrib.sessions.backends.db"), ("redis://127.0.0.1:6379/3", CACHED_DB)],
)
def test_settings_keep_sessions_in_redis_only(cache_url, engine):
    show = "import django; django.setup(); from django.conf import settings; "
    show += "print(json.dumps(settings.SESSION_ENGINE))"
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "SECRET_KEY": "x",
        **({"CACHE_URL": cache_url} if cache_url else {}),
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import json; {show}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == engine


@pytest.fixture
def cached_sessions(settings, request):
    settings.SESSION_ENGINE = CACHED_DB
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        request.getfixturevalue("memory_cache")


def _cache_key(session_key: str) -> str:
    return import_module(CACHED_DB).SessionStore(session_key).cache_key


def _session_statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def test_a_staff_page_reads_the_session_from_the_cache(cached_sessions, practitioner):
    client = login_verified(Client(), practitioner)
    client.get("/staff/")  # the idle clock is restarted (and the session written) here

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/staff/")

    assert page.status_code == 200
    assert _session_statements(captured) == []  # neither read nor written


def test_an_emptied_cache_signs_nobody_out(cached_sessions, practitioner):
    client = login_verified(Client(), practitioner)
    key = client.cookies["sessionid"].value
    cache.delete(_cache_key(key))

    page = client.get("/staff/")

    assert page.status_code == 200
    assert cache.get(_cache_key(key)) is not None  # read from the database, kept again


def test_signing_out_ends_the_session_in_the_cache_and_the_database(cached_sessions, practitioner):
    client = login_verified(Client(), practitioner)
    key = client.cookies["sessionid"].value
    assert client.get("/staff/").status_code == 200

    client.post("/accounts/logout/")

    stolen = Client()
    stolen.cookies["sessionid"] = key
    page = stolen.get("/staff/")
    assert (page.status_code, page["Location"]) == (302, "/accounts/login/?next=/staff/")
    assert cache.get(_cache_key(key)) is None
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_past_its_idle_expiry_is_not_served_from_the_cache(cached_sessions, practitioner):
    client = login_verified(Client(), practitioner)
    assert client.get("/staff/").status_code == 200
    key = client.cookies["sessionid"].value
    # The middleware sets the session's expiry to the idle time at each restart of the clock;
    # here that time has passed.
    session = client.session
    session.set_expiry(-1)
    session.save()

    page = client.get("/staff/")

    assert (page.status_code, page["Location"]) == (302, "/accounts/login/?next=/staff/")
    assert cache.get(_cache_key(key)) is None


def test_the_idle_clock_ends_a_cached_session_idle_minutes_after_it_restarted(
    cached_sessions, memory_cache, practitioner, monkeypatch, settings
):
    # Every clock moved together: the idle clock's, the session's and the cache's (in memory
    # here; Redis keeps its own, which a test cannot move).
    settings.STAFF_IDLE_MINUTES = 15
    start = time.time()

    def at(seconds: float) -> None:
        clock = types.SimpleNamespace(time=lambda: start + seconds)
        for module in (middleware, cache_base, locmem):
            monkeypatch.setattr(module, "time", clock)
        now = dt.datetime.fromtimestamp(start + seconds, dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: now)

    client = login_verified(Client(), practitioner)
    at(0)
    client.get("/staff/")
    at(30)
    client.get("/staff/")  # not written: the session still ends 15 minutes after 0
    at(15 * 60 - 1)
    still_in = client.get("/staff/")  # written: the clock restarts
    at(15 * 60 - 1 + 15 * 60 + 1)

    idle = client.get("/staff/")

    assert still_in.status_code == 200
    assert (idle.status_code, idle["Location"]) == (302, "/accounts/login/?next=/staff/")


def test_a_patient_autosave_reads_no_session_row(cached_sessions, patient_link):
    about_you = {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"}
    patient_link.client.post("/intake/step/about-you/", about_you)
    patient_link.client.post(
        "/intake/step/legs/autosave/", {"base_revision": "0", "rls_screen": "yes"}
    )

    with CaptureQueriesContext(connection) as captured:
        saved = patient_link.client.post(
            "/intake/step/legs/autosave/", {"base_revision": "1", "rls_screen": "no"}
        )

    assert saved.json()["ok"] is True
    assert _session_statements(captured) == []
    assert patient_link.refresh().answers["rls_screen"] == "no"

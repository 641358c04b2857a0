"""The staff idle timeout without a session write on every request: the idle clock restarts
(and the session is saved) at most once a minute, or on "Stay signed in"; the session still
ends STAFF_IDLE_MINUTES after the clock last restarted."""

from __future__ import annotations

import datetime as dt
import time
import types

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import middleware
from tests.factories import login_verified

pytestmark = pytest.mark.django_db

START = time.time()


@pytest.fixture(autouse=True)
def _database_sessions(settings):
    # The sessions' own clock is the database's expiry date, which timezone.now moves. With
    # Redis (cached_db) the cached session expires on Redis's clock, which no test can move:
    # tests/test_session_engine.py ends a cached session on a cache whose clock it moves.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _at(monkeypatch, seconds: float) -> None:
    """Both clocks the session reads (the idle clock's and the session store's) at START
    plus `seconds`."""
    moment = START + seconds
    monkeypatch.setattr(middleware, "time", types.SimpleNamespace(time=lambda: moment))
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime.fromtimestamp(moment, dt.UTC))


def _session_writes(client: Client, path: str, method: str = "get") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path)
    writes = [
        query["sql"].split()[0]
        for query in queries.captured_queries
        if '"django_session"' in query["sql"]
        and query["sql"].startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    return response.status_code, writes


def test_idle_clock_second_quick_request_does_not_write_the_session(practitioner, monkeypatch):
    client = login_verified(Client(), practitioner)
    _at(monkeypatch, 0)
    first = _session_writes(client, "/staff/")
    _at(monkeypatch, 30)

    second = _session_writes(client, "/staff/")

    assert first == (200, ["UPDATE"])
    assert second == (200, [])
    assert client.session[middleware.IDLE_CLOCK_KEY] == int(START)


def test_idle_clock_restarts_once_a_minute_has_passed(practitioner, monkeypatch):
    client = login_verified(Client(), practitioner)
    _at(monkeypatch, 0)
    client.get("/staff/")
    _at(monkeypatch, 61)

    later = _session_writes(client, "/staff/")

    assert later == (200, ["UPDATE"])
    assert client.session[middleware.IDLE_CLOCK_KEY] == int(START + 61)


def test_idle_clock_stay_signed_in_always_restarts_it(practitioner, monkeypatch):
    client = login_verified(Client(), practitioner)
    _at(monkeypatch, 0)
    client.get("/staff/")
    _at(monkeypatch, 5)

    keepalive = _session_writes(client, "/staff/keepalive/", "post")

    assert keepalive == (200, ["UPDATE"])
    assert client.session[middleware.IDLE_CLOCK_KEY] == int(START + 5)


@pytest.mark.parametrize("stored", ["not a time", None, -1e12, 1e12])
def test_idle_clock_odd_stored_value_restarts_it(practitioner, monkeypatch, stored):
    client = login_verified(Client(), practitioner)
    session = client.session
    session[middleware.IDLE_CLOCK_KEY] = stored  # unreadable, or far off: not trusted
    session.save()
    _at(monkeypatch, 0)

    writes = _session_writes(client, "/staff/")

    assert writes == (200, ["UPDATE"])
    assert client.session[middleware.IDLE_CLOCK_KEY] == int(START)


def test_idle_clock_session_ends_idle_minutes_after_the_clock_restarted(
    practitioner, monkeypatch, settings
):
    settings.STAFF_IDLE_MINUTES = 15
    client = login_verified(Client(), practitioner)
    _at(monkeypatch, 0)
    client.get("/staff/")
    _at(monkeypatch, 30)
    client.get("/staff/")  # not written: the session still ends 15 minutes after 0
    _at(monkeypatch, 15 * 60 - 1)
    still_in = client.get("/staff/")
    _at(monkeypatch, 15 * 60 - 1 + 15 * 60 + 1)

    idle = client.get("/staff/")

    assert still_in.status_code == 200
    assert (idle.status_code, idle["Location"]) == (302, "/accounts/login/?next=/staff/")


def test_idle_clock_request_that_did_not_restart_it_does_not_extend_the_session(
    practitioner, monkeypatch, settings
):
    settings.STAFF_IDLE_MINUTES = 15
    client = login_verified(Client(), practitioner)
    _at(monkeypatch, 0)
    client.get("/staff/")
    _at(monkeypatch, 30)
    client.get("/staff/")
    _at(monkeypatch, 15 * 60 + 1)  # 14 minutes 31 seconds after the last request

    idle = client.get("/staff/")

    assert (idle.status_code, idle["Location"]) == (302, "/accounts/login/?next=/staff/")

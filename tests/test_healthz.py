"""/healthz answers 503 as soon as the database goes away and 200 again once it is back, by
itself: it asks on a new connection with short timeouts, never the kept one.

The outage test starts a PostgreSQL cluster of its own (initdb and pg_ctl in a temporary
folder, on a free port) and stops it; the shared server is never touched. It runs in the
PostgreSQL leg, where the server's programs are installed."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from intake import health

DOWN = (503, "database unavailable")
UP = (200, "ok")


def _answer(client: Client) -> tuple[int, str]:
    response = client.get("/healthz")
    return response.status_code, response.content.decode()


# --- the probe's connection -----------------------------------------------------------------


def test_probe_settings_postgresql_short_timeouts_and_a_fresh_connection():
    app = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "intake",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"sslmode": "require", "options": "-c search_path=intake"},
    }

    probe = health.probe_settings(app, timeout=3)

    assert (probe["CONN_MAX_AGE"], probe["CONN_HEALTH_CHECKS"]) == (0, False)
    assert probe["OPTIONS"] == {
        "sslmode": "require",
        "connect_timeout": 3,
        "options": "-c search_path=intake -c statement_timeout=3000",
    }
    assert app["OPTIONS"] == {"sslmode": "require", "options": "-c search_path=intake"}


def test_probe_settings_sqlite_waits_no_longer_than_the_timeout():
    probe = health.probe_settings(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3", "OPTIONS": {}}, timeout=2
    )

    assert probe["OPTIONS"] == {"timeout": 2}


@pytest.mark.django_db
def test_healthz_up_answers_ok(anonymous):
    assert _answer(anonymous) == UP


def test_healthz_on_an_unreachable_database_answers_503(anonymous, monkeypatch, django_db_blocker):
    # A port nobody listens on: refused at once, on either leg.
    unreachable = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "intake",
        "USER": "nobody",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "OPTIONS": {},
    }
    monkeypatch.setitem(connections.settings, "default", {**connections.settings["default"]})
    connections.settings["default"].update(unreachable)

    with django_db_blocker.unblock():
        assert _answer(anonymous) == DOWN


# --- a real outage: a cluster of the test's own ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(versions[-1]) if versions else None


class Cluster:
    """A throwaway PostgreSQL server. PostgreSQL refuses to run as root, so under root it runs
    as the `postgres` system user."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            owner = pwd.getpwnam(self.user)
            os.chown(folder, owner.pw_uid, owner.pw_gid)

    def _run(self, program: str, *args: str) -> None:
        command = [_server_program(program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def start(self) -> None:
        settings = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", settings, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def own_cluster():
    if connection.vendor != "postgresql":
        pytest.skip("the outage test runs in the PostgreSQL leg")
    if not (_server_program("initdb") and _server_program("pg_ctl")):
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    folder = Path(tempfile.mkdtemp(prefix="healthz-pg-"))
    cluster = Cluster(folder)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_healthz_answers_503_while_the_database_is_down_and_recovers_by_itself(
    own_cluster, monkeypatch, django_db_blocker
):
    # The app's database settings, pointed at the test's own server for this test only.
    monkeypatch.setitem(connections.settings, "default", {**connections.settings["default"]})
    connections.settings["default"].update(
        NAME="postgres", USER="postgres", PASSWORD="", HOST="127.0.0.1", PORT=str(own_cluster.port)
    )
    client = Client()

    with django_db_blocker.unblock():
        before = _answer(client)
        own_cluster.stop()
        during = [_answer(client), _answer(client)]
        own_cluster.start()
        after = _answer(client)

    assert (before, during, after) == (UP, [DOWN, DOWN], UP)

"""The app under gunicorn in real subprocesses, as a live site runs it, for tests/test_serve.py
and tests/test_scale_out.py.

Each server gets production settings (DEBUG off, HTTPS on behind a TLS proxy, Argon2) on a
free local port. The proxy is played by `Browser`, which sends what a proxy adds
(X-Forwarded-Proto, X-Forwarded-For) and keeps its cookies by hand, as a browser does: the
cookies are Secure, and the servers are reached over plain http. Static files come from the
source folders (STATIC_MANIFEST off, as in `make test`), so nothing is collected into the
shared staticfiles/ folder.

The database is made for the module as a copy of the suite's migrated test database: a
temporary SQLite file, or on PostgreSQL (when the suite runs on it) a database of its own named
after the test database, dropped at the end. Adding the people below is one subprocess
(`python tests/live_servers.py`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAFF_USERNAME = "live.practitioner"
STAFF_PASSWORD = "live-pass-9137-rlsg"
PATIENT_DOB = "1980-04-23"
STARTUP_SECONDS = 30


@dataclass
class Site:
    """What the setup made: the database the servers share and the people in it."""

    env: dict[str, str]
    invitation_tokens: list[str]
    recovery_codes: list[str]
    case_ids: list[int] = field(default_factory=list)


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing of the test run's own configuration leaks into the servers.
        if not key.startswith(("PYTEST", "DJANGO_", "DATABASE_", "CACHE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        HTTPS="true",
        BEHIND_PROXY="true",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def site_database(tmp_dir: Path, django_db_blocker) -> Iterator[str]:
    """A database URL for the servers: a copy of the suite's test database, already migrated
    (migrating a new one takes longer than the tests). On SQLite a file in `tmp_dir` made with
    SQLite's backup; on PostgreSQL a database made from it as a template, named after it (CI
    drops such names after an interrupted run) and dropped at the end."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            path = tmp_dir / "site.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            yield f"sqlite:///{path}"
            return
        import psycopg2

        config = connection.settings_dict
        template = config["NAME"]
        name = f"{template}_live_{os.getpid()}_{secrets.token_hex(3)}"
        # A template database must have no other connection while it is copied.
        connection.close()

        def run(sql: str, params: tuple | None = None) -> None:
            admin = psycopg2.connect(
                dbname="postgres",
                user=config["USER"],
                password=config["PASSWORD"],
                host=config["HOST"],
                port=config["PORT"],
            )
            admin.autocommit = True
            try:
                with admin.cursor() as cursor:
                    cursor.execute(sql, params)
            finally:
                admin.close()

        # A connection an earlier test left open on the test database (a thread's: a live
        # server's, a worker's) would block the copy; this process is done with them all.
        run(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (template,),
        )
        run(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
            yield parts._replace(path=f"/{name}").geturl()
        finally:
            run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def set_up_site(env: dict[str, str], *, invitations: int = 1, cases: int = 0) -> Site:
    """Add a practitioner (with recovery codes for the second step), patients' invitations and
    submitted cases to the site's database, in one subprocess with the servers' settings."""
    done = subprocess.run(
        [sys.executable, __file__, str(invitations), str(cases)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"setting up the site failed:\n{done.stdout}\n{done.stderr}")
    made = json.loads(done.stdout.strip().splitlines()[-1])
    return Site(
        env=env,
        invitation_tokens=made["tokens"],
        recovery_codes=made["codes"],
        case_ids=made["cases"],
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_dir: Path, *, name: str = "web") -> Iterator[Server]:
    """gunicorn with the app, as `make serve` starts it, until the block ends."""
    port = free_port()
    log = log_dir / f"gunicorn-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clinic.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
                "--timeout",
                "30",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(port=port, process=process, log=log)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(server: Server) -> None:
    """Poll /healthz until it answers (not a timing assertion: a dead server fails at once)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log.read_text()}")
        with contextlib.suppress(OSError):
            if Browser().get(server, "/healthz").status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz:\n{server.log.read_text()}")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One browser behind the TLS proxy: its cookies go to whichever server it is sent to."""

    cookies: dict[str, str] = field(default_factory=dict)
    address: str = "203.0.113.10"
    # False: straight to the server over plain http, as a client that bypasses the proxy.
    via_proxy: bool = True

    def get(self, server: Server, path: str) -> Answer:
        return self._send(server, "GET", path)

    def post(self, server: Server, path: str, data: dict[str, str]) -> Answer:
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        return self._send(server, "POST", path, urllib.parse.urlencode(data, doseq=True))

    def _send(self, server: Server, method: str, path: str, body: str | None = None) -> Answer:
        headers = {"Host": server.base}
        if self.via_proxy:
            headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{server.base}"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    for name, morsel in SimpleCookie(value).items():
                        if morsel.value and morsel["max-age"] != "0":
                            self.cookies[name] = morsel.value
                        else:
                            self.cookies.pop(name, None)
            return Answer(
                status=response.status,
                headers={key.lower(): value for key, value in response.getheaders()},
                text=text,
            )
        finally:
            connection.close()


def sign_in(browser: Browser, server: Server, *, code: str) -> Answer:
    """The staff sign-in, both steps, on `server`: the password, then a recovery code. Returns
    the answer to the code."""
    browser.get(server, "/accounts/login/")
    password = browser.post(
        server,
        "/accounts/login/",
        {"username": STAFF_USERNAME, "password": STAFF_PASSWORD, "next": "/staff/"},
    )
    if password.status != 302:
        raise AssertionError(f"the password step answered {password.status}")
    browser.get(server, "/staff/2fa/verify/?next=/staff/")
    return browser.post(server, "/staff/2fa/verify/", {"token": code, "next": "/staff/"})


def _set_up(invitations: int, cases: int) -> None:
    """Run in the subprocess: the people the tests need; prints them as JSON."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from intake import demo, services
    from intake.enums import Role
    from intake.roles import apply_role_permissions

    call_command("createcachetable", verbosity=0)
    # A transactional test before this one may have emptied the tables the roles live in.
    apply_role_permissions(Group, Permission)
    user = get_user_model().objects.create_user(
        username=STAFF_USERNAME, password=STAFF_PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=Role.PRACTITIONER))
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(4)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    tokens = [
        services.create_invitation(
            full_name=f"Live Patient {number}", date_of_birth=dt.date.fromisoformat(PATIENT_DOB)
        )[1]
        for number in range(invitations)
    ]
    from tests.answer_sets import RLS_AND_DIARRHOEA

    case_ids = []
    for number in range(cases):
        invitation, _token = services.create_invitation(
            full_name=f"Live Case {number}", date_of_birth=dt.date.fromisoformat(PATIENT_DOB)
        )
        intake = demo.answer_all(invitation.intake, RLS_AND_DIARRHOEA)
        case_ids.append(services.submit_intake(intake_id=intake.pk).pk)
    print(json.dumps({"tokens": tokens, "codes": codes, "cases": case_ids}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _set_up(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)

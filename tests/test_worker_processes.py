"""The real worker processes, started as the clinic would start them, deliver every outbox
message exactly once: two workers running at once, and a worker killed (SIGKILL) mid-send and
then restarted. Both queues: the database one (`manage.py db_worker`, on PostgreSQL) and Redis
through RQ (`manage.py rqworker`, Redis database 14, which only these tests use and flush).

Messages go to a real SMTP server started here; it counts each message by its X-Outbox-Id
header. Synchronisation is by events the server raises (two sends in progress at once; the
held send), never by sleeping. A worker process shares the test's database, so the tests need
PostgreSQL (the SQLite test database lives in this process's memory) and skip without it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection

from intake import services
from intake.models import OutboxMessage
from intake.notifications import delivery
from intake.notifications.models import OutboxState
from tests.factories import PATIENT_DOB

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"  # these tests' own database number, flushed by them
LOCK_FILE = Path(tempfile.gettempdir()) / "intake-tests-redis-14.lock"
WAIT = 60  # seconds a step may take on a busy machine before the test gives up (not a timing)

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    """An SMTP server's handler that records which outbox messages arrived, and can
    - `pair`: hold the first send until a second one is in progress too (two workers sending
      at the same moment), then accept both;
    - `hold_at`: hold the n-th send until released (the worker is then mid-send), and refuse
      it: that message never arrives."""

    def __init__(self, *, pair: bool = False, hold_at: int | None = None):
        self.pair = pair
        self.hold_at = hold_at
        self.arrived: list[int] = []
        self.held: list[int] = []
        self.overlapped = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self._sends = 0
        self._in_progress = 0
        self._both: asyncio.Event | None = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        outbox_id = int(message["X-Outbox-Id"])
        self._sends += 1
        if self._sends == self.hold_at:
            self.held.append(outbox_id)
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, WAIT)
            return "451 4.3.0 Not accepted: the sender went away"
        if self.pair and self._sends <= 2:
            self._both = self._both or asyncio.Event()
            self._in_progress += 1
            if self._in_progress == 2:
                self.overlapped = True
                self._both.set()
            try:
                await asyncio.wait_for(self._both.wait(), WAIT)
            except TimeoutError:
                pass  # no second worker came: `overlapped` stays False and the test says so
        self.arrived.append(outbox_id)
        return "250 OK"


def _descendants(pid: int) -> list[int]:
    """The processes under `pid`, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        # The second field is the command in parentheses (it may hold spaces); ppid follows.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    login = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{login}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "worker processes need a database they can share: run with DATABASE_URL=postgres://"
            "... (CI's PostgreSQL run does); the SQLite test database is in this process's memory"
        )


@pytest.fixture
def redis_db14(postgres):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL} for the RQ worker")
    # One test at a time uses database 14 on this machine (pytest-xdist's workers, or another
    # run of the suite), since each empties it: a lock file, waited for, not a timing.
    with LOCK_FILE.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client.flushdb()
        yield client
        client.flushdb()
    client.close()


class Workers:
    """Starts worker processes with the app's settings from the environment, as in production,
    pointed at this test's database, SMTP server and queue; kills any left at the end."""

    def __init__(self, *, kind: str, smtp_port: int, logs: Path):
        self.kind = kind
        self.logs = logs
        self.started: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "test-only-not-secret",
            "HTTPS": "false",
            "STATIC_MANIFEST": "false",
            "DATABASE_URL": _database_url(),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "SITE_URL": "https://intake.example.org",
            "CLINIC_ALERT_EMAIL": "",
            "TASKS_BACKEND": "rq" if kind == "rq" else "database",
            "TASKS_REDIS_URL": REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }

    def command(self, name: str) -> list[str]:
        # --skip-checks: Django's system checks run in the suite already; a second or two less
        # per worker start on a busy machine.
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        if self.kind == "rq":
            # --burst: run what is queued, then exit. The scheduler (for retries) is not needed;
            # the job and worker classes come from settings.RQ, as in production.
            return [*manage, "rqworker", "--skip-checks", "--burst", "--name", name, "default"]
        batch = ["--batch", "--no-reload", "--interval", "0.2", "--no-startup-delay"]
        return [*manage, "db_worker", "--skip-checks", *batch, "--worker-id", name]

    def start(self, name: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            self.command(name),
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append(process)
        return process

    def finish(self, process: subprocess.Popen) -> int:
        return process.wait(timeout=WAIT)

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the worker and every process under it, as when its machine or container
        dies: RQ's work horse (the fork that runs a job) sits in a process group of its own."""
        doomed = [process.pid, *_descendants(process.pid)]
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=WAIT)

    def output(self) -> str:
        return "\n".join(path.read_text()[-2000:] for path in sorted(self.logs.glob("*.log")))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture(params=["database", "rq"])
def setup(request, settings, tmp_path):
    """(inbox factory, workers) for one queue kind; the test's own process enqueues as the web
    server would, through the same backend."""
    request.getfixturevalue("redis_db14" if request.param == "rq" else "postgres")
    if request.param == "rq":
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }
        settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    else:
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CLINIC_ALERT_EMAIL = ""
    controllers = []
    workers: list[Workers] = []

    def start(**inbox_options) -> tuple[Inbox, Workers]:
        inbox = Inbox(**inbox_options)
        port = _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        workers.append(Workers(kind=request.param, smtp_port=port, logs=tmp_path))
        return inbox, workers[-1]

    yield start
    for each in workers:
        each.stop_all()
    for inbox_controller in controllers:
        inbox_controller.handler.release.set()
        inbox_controller.stop()


def _queue_invitations(count: int) -> list[int]:
    """`count` invitation emails, each queued with its change and handed to the worker queue
    once that transaction commits, as the invitations page does."""
    for number in range(count):
        services.create_invitation(
            full_name=f"Worker Patient {number:02d}",
            date_of_birth=PATIENT_DOB,
            email=f"patient{number:02d}@example.org",
            email_link=True,
        )
    return sorted(OutboxMessage.objects.values_list("pk", flat=True))


def test_worker_processes_two_at_once_deliver_every_message_once(setup):
    inbox, workers = setup(pair=True)
    ids = _queue_invitations(8)

    first = workers.start("worker-a")
    second = workers.start("worker-b")
    codes = [workers.finish(first), workers.finish(second)]

    assert codes == [0, 0], workers.output()
    assert sorted(inbox.arrived) == ids, workers.output()  # each once: no repeats, none missing
    # The first send was held until another was in progress: both workers really sent.
    assert inbox.overlapped is True, workers.output()
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {(OutboxState.SENT, 1)}


def test_worker_processes_killed_mid_send_then_restarted_delivers_the_rest_once(setup):
    inbox, workers = setup(hold_at=3)
    ids = _queue_invitations(6)

    doomed = workers.start("worker-killed")
    assert inbox.holding.wait(WAIT), workers.output()  # it is sending its third message
    workers.kill(doomed)
    inbox.release.set()
    restarted = workers.start("worker-restarted")
    code = workers.finish(restarted)

    [interrupted] = inbox.held
    assert code == 0, workers.output()
    assert sorted(inbox.arrived) == [pk for pk in ids if pk != interrupted], workers.output()
    # The message the dead worker was sending is not sent again by the new one (it may have
    # gone): it stays claimed, and the sweep marks it failed with the reason, for staff.
    message = OutboxMessage.objects.get(pk=interrupted)
    assert (message.state, message.attempts) == (OutboxState.SENDING, 1)
    assert delivery.give_up_interrupted(older_than=dt.timedelta(0)) == 1
    message.refresh_from_db()
    assert (message.state, message.last_error) == (
        OutboxState.FAILED,
        "Interrupted while sending; not tried again in case it was delivered.",
    )
    others = OutboxMessage.objects.exclude(pk=interrupted)
    assert set(others.values_list("state", "attempts")) == {(OutboxState.SENT, 1)}

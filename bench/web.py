"""The site under load: gunicorn with production settings on PostgreSQL, measured with wrk at
1,000, 10,000 and 100,000 submitted cases, each page beside a bare-Django hello view.

    .venv/bin/python bench/web.py [--sizes 1000,10000,100000] [--seconds 5] [--connections 16]

What it does, in order (bench/README.md has the figures and how to read them):

1. Makes its own PostgreSQL database, `bench_web` (dropped first if it is left from an
   interrupted run, and at the end unless --keep), migrates it and collects the static files.
2. Makes a few hundred template cases through the app's own services, as patients and
   practitioners would (intake.demo's profiles, varied: invitation, every step saved, submitted,
   so the real engine stores its assessment and recommendations; then taken, decided, results
   entered, noted or closed as the demo's workflow does). Then it copies those rows in bulk
   (patients, intakes, invitations, assessments, recommendations, results, notes and the audit
   trail) with distinct patients and ids, submitted over three years, until the database holds
   each size in turn: every row is shaped exactly as the services write it, at a fraction of
   their 100-250 ms per case.
3. For each size: starts gunicorn (2 workers, as on a small clinic's server; production
   settings: DEBUG off, HTTPS behind a proxy, hashed static files), signs a practitioner in
   over HTTP (both steps), opens a patient's link per connection, and runs wrk (Debian's
   package, installed if missing) for --seconds on each path with --connections connections,
   a hello run before each: the queue (default, each filter, the search, the last page), a
   case page, each both served from the cache and computed afresh (a query string of its own
   each time), a step's GET and POST and the step's autosave. A step's POST and autosave carry
   the step's revision as the patient's page does; each connection has its own patient.
4. Counts the database queries of one request to each path in a separate pass inside this
   process (Django's test client against the same database, CaptureQueriesContext), so that
   counting never slows the measured server.
5. Prints req/s, p50/p95/p99, queries per request and the ratio to hello, and writes them into
   bench/README.md between its markers (not with --no-readme).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "bench_web"
DATABASE_URL = f"{PG_SERVER}/{DB_NAME}"
README = ROOT / "bench" / "README.md"
MARK_START = "<!-- bench/web.py: start -->"
MARK_END = "<!-- bench/web.py: end -->"
STAFF_USERNAME = "bench.practitioner"
STAFF_PASSWORD = "bench-pass-4821-rlsg"  # noqa: S105 (a throwaway account in a throwaway database)
COLLEAGUE_USERNAME = "bench.colleague"
PATIENT_ADDRESS = "203.0.113.5"
STEP = "bowel"  # the step measured: a page of questions with autosave, early in the intake

# Production settings, as `make serve` runs them behind a TLS proxy. Only the entry points
# are rate limited (a patient's link, the date of birth, the sign-in): the bench opens one link
# per connection and signs in once per size, all from one address.
ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": DATABASE_URL,
    "HTTPS": "true",
    "BEHIND_PROXY": "true",
    "STATIC_MANIFEST": "true",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "RATE_LIMIT_PATIENT": "100000/h",
    "RATE_LIMIT_LOGIN": "100000/h",
    "PYTHONPATH": str(ROOT),
    # Shared memory for the rate limits and the work queue's kept pages, as a clinic running
    # several workers has (docs/deployment.md); a database number of the bench's own, emptied
    # before each size is measured.
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12"),
}
os.environ.update(ENV)

# --- the database ---------------------------------------------------------------------------


def admin_sql(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def database_exists(name: str = DB_NAME) -> bool:
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def prepare_database(*, reuse: bool) -> None:
    if not (reuse and database_exists()):
        admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def staff():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice

    from intake.enums import Role

    users = []
    for username in (STAFF_USERNAME, COLLEAGUE_USERNAME):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = get_user_model().objects.create_user(
                username=username, password=STAFF_PASSWORD, is_staff=True
            )
            user.groups.add(Group.objects.get(name=Role.PRACTITIONER))
            StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        users.append(user)
    return users


def recovery_code(user) -> str:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.get(user=user, name="recovery codes")
    code = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=code)
    return code


# --- seeding: templates through the services, then copies in bulk ----------------------------

KINDS = ("rls", "rls", "rls_ibs", "gut", "rls_red_flag", "gut_red_flag")
# What happened after submission (intake.demo._work_on), weighted like a working queue.
WORKFLOW = (
    ["new"] * 8
    + ["review"] * 2
    + ["review_colleague", "review_unassigned", "ordered", "ordered_colleague", "results"]
    + ["closed_week"]
    + ["closed_earlier"] * 4
)
CONDITIONS = ("anemia_known", "iron_deficiency_known", "hypothyroid")
MEDICATIONS = ("ppi", "levothyroxine", "mirtazapine")


def varied_answers(rng: random.Random, sex: str) -> dict:
    from intake import demo

    answers = demo._profile(rng.choice(KINDS), sex)
    answers["conditions"] = rng.sample(CONDITIONS, rng.randint(0, 2))
    answers["medications"] = rng.sample(MEDICATIONS, rng.randint(0, 2))
    answers["caffeine_cups_per_day"] = rng.randint(0, 6)
    # PHQ-9 without the self-harm item: a crisis would put the case at the top of the queue
    # until someone records contact, which a queue of 100,000 real cases has done long ago.
    answers["phq9_items"] = [rng.choice((0, 0, 1, 1, 2)) for _ in range(8)] + [0]
    if "rls_days_per_week" in answers:
        answers["rls_days_per_week"] = rng.randint(1, 7)
    if "ibssss_pain_severity" in answers:
        answers["ibssss_pain_severity"] = rng.randint(10, 90)
    if rng.random() < 0.3:
        taken = dt.date.today() - dt.timedelta(days=rng.randint(5, 300))
        answers["prior_labs"] = [
            {
                "test": "ferritin",
                "value": rng.randint(8, 200),
                "unit": "ng/mL",
                "taken_on": str(taken),
            }
        ]
    return answers


def make_templates(count: int, rng: random.Random, practitioner, colleague) -> list[int]:
    from intake import demo, services

    ids = []
    for number in range(count):
        sex = rng.choice(("female", "male"))
        born = dt.date(rng.randint(1940, 2007), rng.randint(1, 12), rng.randint(1, 28))
        intake = demo._submit(
            f"Template Patient {number}", born, varied_answers(rng, sex), 0, practitioner
        )
        demo._work_on(
            intake,
            rng.choice(WORKFLOW),
            practitioner=practitioner,
            colleague=colleague,
            days_ago=rng.randint(10, 60),
        )
        intake.refresh_from_db()
        if intake.needs_contact:
            # Recorded, as staff do the same day: the queue's top list is today's patients.
            services.record_contact(intake_id=intake.pk, by=practitioner)
        ids.append(intake.pk)
    return ids


@dataclass
class Template:
    intake: object
    invitations: list
    assessments: list
    recommendations: list
    labs: list
    notes: list
    audit: list


def load_templates(ids: list[int]) -> list[Template]:
    from django.db.models import Q

    from intake.models import AuditEvent, Intake

    templates = []
    for intake in Intake.objects.filter(pk__in=ids).select_related("patient").order_by("pk"):
        templates.append(
            Template(
                intake=intake,
                invitations=list(intake.invitations.order_by("pk")),
                assessments=list(intake.assessments.order_by("pk")),
                recommendations=list(intake.recommendations.order_by("pk")),
                labs=list(intake.lab_results.order_by("pk")),
                notes=list(intake.notes.order_by("pk")),
                audit=list(
                    AuditEvent.objects.filter(
                        Q(intake=intake) | Q(patient=intake.patient, intake__isnull=True)
                    ).order_by("pk")
                ),
            )
        )
    return templates


def clone(row, **changes):
    """A new unsaved row with every column of `row` but its id, and `changes`."""
    values = {
        f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return type(row)(**values)


FIRST_NAMES = ("Ann", "Ben", "Cara", "Dev", "Eva", "Finn", "Gita", "Hugo", "Iris", "Jon", "Kai")
LAST_NAMES = ("Adams", "Baker", "Chen", "Doyle", "Evans", "Flores", "Gupta", "Hale", "Ito")


def copy_cases(
    templates: list[Template], *, start: int, count: int, rng: random.Random, staff_id: int
) -> None:
    """`count` more submitted cases, each a copy of a template's rows with its own patient."""
    from django.db import transaction
    from django.utils import timezone

    from intake.models import (
        Assessment,
        Intake,
        Invitation,
        LabResultEntry,
        Note,
        Patient,
        TestRecommendation,
        patient_name_key,
    )

    now = timezone.now()
    three_years = 3 * 365 * 24 * 3600
    picks = [templates[(start + n) % len(templates)] for n in range(count)]
    with transaction.atomic():
        names = [
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}-{start + n:06d}"
            for n in range(count)
        ]
        patients = Patient.objects.bulk_create(
            clone(t.intake.patient, full_name=name, name_key=patient_name_key(name))
            for t, name in zip(picks, names, strict=True)
        )
        intakes = []
        for t, patient in zip(picks, patients, strict=True):
            source = t.intake
            submitted = now - dt.timedelta(seconds=rng.randint(3600, three_years))
            shift = submitted - source.submitted_at
            intakes.append(
                clone(
                    source,
                    patient_id=patient.pk,
                    current_assessment_id=None,
                    submitted_at=submitted,
                    consented_at=source.consented_at and source.consented_at + shift,
                    closed_at=source.closed_at and source.closed_at + shift,
                    contact_needed_at=source.contact_needed_at and source.contact_needed_at + shift,
                    # Contact was recorded long ago, as in any clinic's history.
                    contacted_at=source.contact_needed_at and source.contact_needed_at + shift,
                    contacted_by_id=(source.contacted_by_id or staff_id)
                    if source.contact_needed_at
                    else None,
                )
            )
        Intake.objects.bulk_create(intakes)
        assessments, owners = [], []
        for t, intake in zip(picks, intakes, strict=True):
            for row in t.assessments:
                assessments.append(clone(row, intake_id=intake.pk))
                owners.append((intake, row.pk))
        Assessment.objects.bulk_create(assessments)
        mapping: dict[tuple[int, int], int] = {}
        for (intake, old), new in zip(owners, assessments, strict=True):
            mapping[(intake.pk, old)] = new.pk
        for t, intake in zip(picks, intakes, strict=True):
            intake.current_assessment_id = mapping[(intake.pk, t.intake.current_assessment_id)]
        Intake.objects.bulk_update(intakes, ["current_assessment"], batch_size=1000)
        TestRecommendation.objects.bulk_create(
            clone(row, intake_id=intake.pk, assessment_id=mapping[(intake.pk, row.assessment_id)])
            for t, intake in zip(picks, intakes, strict=True)
            for row in t.recommendations
        )
        LabResultEntry.objects.bulk_create(
            clone(row, intake_id=intake.pk)
            for t, intake in zip(picks, intakes, strict=True)
            for row in t.labs
        )
        Note.objects.bulk_create(
            clone(row, intake_id=intake.pk)
            for t, intake in zip(picks, intakes, strict=True)
            for row in t.notes
        )
        Invitation.objects.bulk_create(
            clone(row, intake_id=intake.pk, token_hash=secrets.token_hex(32))
            for t, intake in zip(picks, intakes, strict=True)
            for row in t.invitations
        )
        copy_audit_trails([(t.intake, intake) for t, intake in zip(picks, intakes, strict=True)])


def copy_audit_trails(pairs: list) -> None:
    """Each copy gets its template's audit trail (about 20 rows a case, most of the volume),
    copied inside PostgreSQL: the same rows, pointing at the copy's intake and patient."""
    from django.db import connection

    from intake.models import AuditEvent

    table = AuditEvent._meta.db_table
    mapped = {
        "intake_id": "CASE WHEN a.intake_id IS NULL THEN NULL ELSE m.new_intake END",
        "patient_id": "m.new_patient",
        "object_id": "CASE WHEN a.object_type = 'intake' AND a.object_id = m.template::text "
        "THEN m.new_intake::text ELSE a.object_id END",
        "at": "now()",
    }
    columns = [f.column for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    select = ", ".join(mapped.get(column, f"a.{column}") for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_copy "
            "(new_intake bigint, new_patient bigint, template bigint, template_patient bigint)"
        )
        cursor.execute("TRUNCATE bench_copy")
        cursor.executemany(
            "INSERT INTO bench_copy VALUES (%s, %s, %s, %s)",
            [(new.pk, new.patient_id, old.pk, old.patient_id) for old, new in pairs],
        )
        # Rows about the patient alone (the invitation's), then rows about the case, each
        # trail in its template's order.
        for join in (
            "a.intake_id IS NULL AND a.patient_id = m.template_patient",
            "a.intake_id = m.template",
        ):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (the model's names)
                f"SELECT {select} FROM bench_copy m JOIN {table} a ON {join} "
                "ORDER BY m.new_intake, a.id"
            )


def submitted_count() -> int:
    from intake.models import Intake

    return Intake.objects.exclude(status="draft").count()


def grow_to(size: int, templates: list[Template], rng: random.Random, staff_id: int) -> float:
    """Copies until `size` submitted cases; the seconds it took."""
    from django.db import connection

    started = time.perf_counter()
    have = submitted_count()
    batch = 1000
    while have < size:
        count = min(batch, size - have)
        copy_cases(templates, start=have, count=count, rng=rng, staff_id=staff_id)
        have += count
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def snapshot_name(size: int) -> str:
    return f"{DB_NAME}_{size}"


def use_database(name: str) -> None:
    """Point this process, and the gunicorn started next, at database `name`."""
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"


def snapshot(size: int) -> None:
    """With --keep, a copy of the database as it is at `size` cases (PostgreSQL's CREATE
    DATABASE ... TEMPLATE), so that a later run can measure that size again after the
    database has grown past it."""
    from django.db import connections

    connections.close_all()
    admin_sql(f'DROP DATABASE IF EXISTS "{snapshot_name(size)}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{snapshot_name(size)}" TEMPLATE "{DB_NAME}"')


# --- the server and its visitors ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int) -> Iterator[str]:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-web-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinic.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--timeout",
            "120",
        ],
        env=os.environ.copy(),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {log.name}")
            with contextlib.suppress(OSError):
                if Browser(base).get("/healthz").status == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz: see {log.name}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        os.unlink(log.name)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Browser:
    """A browser behind the TLS proxy (the proxy's headers, cookies kept by hand)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, path: str) -> Answer:
        return self.send("GET", path)

    def post(self, path: str, data: dict) -> Answer:
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        return self.send("POST", path, urllib.parse.urlencode(data, doseq=True))

    def send(self, method: str, path: str, body: str | None = None) -> Answer:
        headers = {"Host": self.base, **proxy_headers()}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.base}"
        host, port = self.base.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for key, morsel in SimpleCookie(value).items():
                        self.cookies[key] = morsel.value
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{key}={value}" for key, value in self.cookies.items() if value)


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise SystemExit(f"bench/web.py: {problem}")


def proxy_headers() -> dict[str, str]:
    return {"X-Forwarded-Proto": "https", "X-Forwarded-For": PATIENT_ADDRESS}


def sign_in(base: str, user) -> Browser:
    browser = Browser(base)
    browser.get("/accounts/login/")
    answer = browser.post(
        "/accounts/login/",
        {"username": user.username, "password": STAFF_PASSWORD, "next": "/staff/"},
    )
    expect(answer.status == 302, f"signing in answered {answer.status}")
    browser.get("/staff/2fa/verify/?next=/staff/")
    answer = browser.post("/staff/2fa/verify/", {"token": recovery_code(user), "next": "/staff/"})
    expect(answer.headers.get("location") == "/staff/", f"the code answered {answer.status}")
    return browser


@dataclass
class Draft:
    """A patient part-way through the questionnaire, in their own browser."""

    browser: Browser
    intake_id: int

    def revision(self) -> int:
        from intake.models import Intake

        revisions = Intake.objects.values_list("step_revisions", flat=True).get(pk=self.intake_id)
        return int(revisions.get(STEP, 0))


def drafts_for(base: str, count: int, practitioner, rng: random.Random) -> list[Draft]:
    """`count` patients, each with a fresh link opened in their own browser and the steps
    before STEP saved, so that each wrk connection saves its own intake."""
    from intake import demo, services

    made = []
    for number in range(count):
        invitation, token = services.create_invitation(
            full_name=f"Bench Draft {secrets.token_hex(4)} {number}",
            date_of_birth=dt.date(1980, 4, 23),
            created_by=practitioner,
        )
        # Opened first: a link whose intake has answers asks for the date of birth.
        browser = Browser(base)
        opened = browser.get(f"/i/{token}/")
        expect(opened.status == 302, f"opening a link answered {opened.status}")
        demo.answer_all(invitation.intake, varied_answers(rng, "female"), until_step=STEP)
        page = browser.get(f"/intake/step/{STEP}/")
        expect(page.status == 200, f"the {STEP} step answered {page.status}")
        made.append(Draft(browser=browser, intake_id=invitation.intake_id))
    return made


def step_form() -> dict[str, str]:
    from tests.answer_sets import STEP_DATA

    return dict(STEP_DATA[STEP])


# --- wrk ------------------------------------------------------------------------------------

LUA = r"""
local sessions = {SESSIONS}
local method, path, kind = "{METHOD}", "{PATH}", "{KIND}"
local body_template = "{BODY}"
local host, origin = "{HOST}", "https://{HOST}"
local threads = {}
local made = 0

function setup(thread)
  made = made + 1
  thread:set("id", made)
  table.insert(threads, thread)
end

function init(args)
  session = sessions[((id - 1) % #sessions) + 1]
  revision = session.revision
  statuses = {}
end

local sent = 0

function request()
  sent = sent + 1
  local headers = {
    ["Host"] = host,
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = "{ADDRESS}",
  }
  if session.cookie ~= "" then headers["Cookie"] = session.cookie end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Origin"] = origin
    local body = body_template:gsub("CSRF_TOKEN", session.csrf)
    body = body:gsub("REVISION", tostring(revision))
    return wrk.format("POST", path, headers, body)
  end
  if kind == "fresh" then
    -- A query string of its own each time: the page is never one already kept.
    return wrk.format("GET", path .. id .. "-" .. sent, headers)
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if kind == "step" then
    if status == 302 then
      revision = revision + 1
    else
      local seen = body:match('name="base_revision" value="(%d+)"')
      if seen then revision = tonumber(seen) end
    end
  elseif kind == "autosave" then
    local seen = body:match('"revision": *(%d+)')
    if seen then revision = tonumber(seen) end
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", flush=True)
    for command in (
        ["apt-get", "-o", "DPkg::Lock::Timeout=300", "update", "-qq"],
        ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "wrk"],
    ):
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return found


@dataclass
class Target:
    label: str
    path: str
    method: str = "GET"
    kind: str = "get"  # get | fresh (a new query string each time) | step | autosave
    expect: int = 200
    who: str = "staff"  # staff | patient | anyone


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    unexpected: int
    requests: int


def wrk_run(
    wrk: str, base: str, target: Target, *, seconds: float, connections: int, sessions: list[dict]
) -> Run:
    body = ""
    if target.method == "POST":
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": "CSRF_TOKEN", **step_form(), "base_revision": "REVISION"}
        )
    lua_sessions = ", ".join(
        f'{{cookie = "{s["cookie"]}", csrf = "{s["csrf"]}", revision = {s["revision"]}}}'
        for s in sessions
    )
    script = (
        LUA.replace("{SESSIONS}", "{" + lua_sessions + "}")
        .replace("{METHOD}", target.method)
        .replace("{PATH}", target.path)
        .replace("{KIND}", target.kind)
        .replace("{BODY}", body)
        .replace("{HOST}", base)
        .replace("{ADDRESS}", PATIENT_ADDRESS)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            [
                wrk,
                f"-t{connections}",
                f"-c{connections}",
                f"-d{int(seconds)}s",
                "--timeout",
                "30s",
                "-s",
                lua.name,
                f"http://{base}{target.path}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(lua.name)
    # Requests still queued when wrk stopped are served before this one (gunicorn accepts in
    # order), so the next run starts on an idle server.
    Browser(base).get("/bench/hello")
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed on {target.path}:\n{done.stdout}\n{done.stderr}")
    data = json.loads(line[len("BENCH ") :])
    statuses = {int(k): v for k, v in data["statuses"].items()}
    unexpected = sum(v for k, v in statuses.items() if k != target.expect)
    unexpected += data["socket_errors"]
    if unexpected:
        print(f"  {target.label}: answers {statuses}, socket errors {data['socket_errors']}")
    return Run(
        rps=data["requests"] / data["seconds"],
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        unexpected=unexpected,
        requests=data["requests"],
    )


# --- queries per request (in this process, never during a measurement) ----------------------


def count_queries(target: Target, *, staff_cookie: str, patient: Draft) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR=PATIENT_ADDRESS)
    cookies = staff_cookie if target.who == "staff" else patient.browser.cookie_header()
    for pair in cookies.split("; "):
        key, _, value = pair.partition("=")
        client.cookies[key] = value

    def once() -> tuple[int, int]:
        data = None
        if target.method == "POST":
            data = {**step_form(), "base_revision": str(patient.revision())}
        path = target.path + (secrets.token_hex(4) if target.kind == "fresh" else "")
        with CaptureQueriesContext(connection) as queries:
            if data is None:
                response = client.get(path)
            else:
                response = client.post(path, data)
        return response.status_code, len(queries)

    once()  # the first request of a path fills per-process caches
    status, queries = once()
    if status != target.expect:
        raise RuntimeError(f"answered {status}, not {target.expect}")
    return queries


# --- the measurement ------------------------------------------------------------------------


def queue_targets(last_page_path: str) -> list[Target]:
    today = dt.date.today()
    year_ago = today - dt.timedelta(days=365)
    return [
        Target("Queue: default", "/staff/"),
        Target("Queue: default, not kept", "/staff/?fresh=", kind="fresh"),
        Target("Queue: status new", "/staff/?status=new"),
        Target("Queue: status closed", "/staff/?status=closed"),
        Target("Queue: urgent only", "/staff/?urgent=on"),
        Target("Queue: RLS criteria met", "/staff/?rls_met=on"),
        Target("Queue: test flagged (iron)", "/staff/?tests=iron_panel"),
        Target("Queue: assigned to me", "/staff/?assigned=me"),
        Target("Queue: unassigned", "/staff/?assigned=unassigned"),
        Target(
            "Queue: submitted in the last year",
            f"/staff/?submitted_from={year_ago}&submitted_to={today}",
        ),
        Target("Queue: search (a surname)", "/staff/?q=Gupta"),
        Target("Queue: last page", last_page_path),
    ]


def last_page(staff_cookie: str) -> str:
    """The queue's last page, as its own pagination links it."""
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    for pair in staff_cookie.split("; "):
        key, _, value = pair.partition("=")
        client.cookies[key] = value
    html = client.get("/staff/").content.decode()
    link = re.search(r'<a[^>]*href="([^"]*)"[^>]*>\s*Last\b', html)
    if link:
        href = link.group(1).replace("&amp;", "&")
        return href if href.startswith("/") else "/staff/" + href
    pages = re.search(r"Page 1 of ([\d,]+)", html)
    return f"/staff/?page={pages.group(1).replace(',', '')}" if pages else "/staff/"


def richest_case(template_ids: list[int]) -> int:
    """The template case with the longest history (results, notes, decisions)."""
    from django.db.models import Count

    from intake.models import Intake

    return (
        Intake.objects.filter(pk__in=template_ids)
        .annotate(events=Count("audit_events"))
        .order_by("-events", "pk")
        .values_list("pk", flat=True)
        .first()
    )


@dataclass
class Row:
    label: str
    run: Run
    hello: Run
    queries: int


def measure_size(
    size: int,
    *,
    wrk: str,
    seconds: float,
    connections: int,
    workers: int,
    template_ids: list[int],
    practitioner,
    rng: random.Random,
    only: str = "",
) -> list[Row]:
    from django.core.cache import cache

    case_id = richest_case(template_ids)
    cache.clear()  # nothing kept from another size's database
    with gunicorn(workers) as base:
        signed_in = sign_in(base, practitioner)
        staff_cookie = signed_in.cookie_header()
        drafts = drafts_for(base, connections, practitioner, rng)
        targets = queue_targets(last_page(staff_cookie)) + [
            Target("Case page", f"/staff/cases/{case_id}/"),
            Target("Case page, not kept", f"/staff/cases/{case_id}/?fresh=", kind="fresh"),
            Target("Step GET", f"/intake/step/{STEP}/", who="patient"),
            Target(
                "Step POST", f"/intake/step/{STEP}/", "POST", kind="step", expect=302, who="patient"
            ),
            Target(
                "Autosave",
                f"/intake/step/{STEP}/autosave/",
                "POST",
                kind="autosave",
                who="patient",
            ),
        ]
        if only:
            wanted = [part.strip().lower() for part in only.split(",") if part.strip()]
            targets = [t for t in targets if any(part in t.label.lower() for part in wanted)]
        # Without a cookie: the framework, the middleware and gunicorn, nothing else.
        hello = Target("hello", "/bench/hello", who="anyone")
        anonymous = [{"cookie": "", "csrf": "", "revision": 0}]
        staff_sessions = [
            {"cookie": staff_cookie, "csrf": signed_in.cookies.get("csrftoken", ""), "revision": 0}
        ]
        # Warm every worker before the first measurement: the first request of a page in a
        # worker loads and compiles its templates (half a second for the queue).
        wrk_run(wrk, base, hello, seconds=2, connections=connections, sessions=anonymous)
        for target in targets:
            if target.method == "GET":
                browser = signed_in if target.who == "staff" else drafts[0].browser
                for _ in range(2 * workers):
                    browser.get(target.path)
        runs = []
        for target in targets:
            before = wrk_run(
                wrk, base, hello, seconds=seconds, connections=connections, sessions=anonymous
            )
            # Read now: every request of the runs before has been served.
            if target.who == "patient":
                sessions = [
                    {
                        "cookie": p.browser.cookie_header(),
                        "csrf": p.browser.cookies.get("csrftoken", ""),
                        "revision": p.revision(),
                    }
                    for p in drafts
                ]
            else:
                sessions = staff_sessions
            run = wrk_run(
                wrk, base, target, seconds=seconds, connections=connections, sessions=sessions
            )
            runs.append((target, run, before))
            print(f"  {target.label}: {run.rps:,.1f} req/s (hello {before.rps:,.0f})", flush=True)
        # The queries of one request to each path, counted in this process.
        rows = []
        for target, run, before in runs:
            try:
                queries = count_queries(target, staff_cookie=staff_cookie, patient=drafts[0])
            except Exception as error:  # noqa: BLE001 (one broken page must not end the run)
                print(f"  {target.label}: the query-count pass failed: {error!r}")
                queries = -1
            rows.append(Row(target.label, run, before, queries))
            print(format_row(rows[-1]), flush=True)
    return rows


# --- the report -----------------------------------------------------------------------------

HEADER = (
    "| Path | req/s | p50 ms | p95 ms | p99 ms | queries | hello req/s | × hello |\n"
    "|---|---|---|---|---|---|---|---|"
)


def format_row(row: Row) -> str:
    flag = f" ({row.run.unexpected} unexpected answers)" if row.run.unexpected else ""
    return (
        f"| {row.label}{flag} | {row.run.rps:,.1f} | {row.run.p50:,.1f} | {row.run.p95:,.1f} | "
        f"{row.run.p99:,.1f} | {row.queries} | {row.hello.rps:,.0f} | "
        f"{row.run.rps / row.hello.rps if row.hello.rps else float('nan'):.3f} |"
    )


def report(
    results: dict[int, list[Row]],
    *,
    seconds: float,
    connections: int,
    workers: int,
    seeding: dict[int, float],
) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    load = os.getloadavg()
    lines = [
        f"Run on {dt.date.today()} at commit {commit} (with the working tree's changes), "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} at the end; gunicorn {workers} "
        f"workers, wrk {connections} connections for {seconds:g} s a path, PostgreSQL.",
        "",
    ]
    for size, rows in results.items():
        lines += [
            f"**{size:,} submitted cases** (copied in {seeding[size]:.0f} s):",
            "",
            HEADER,
            *[format_row(row) for row in rows],
            "",
        ]
    sizes = list(results)
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        lines += [
            f"Every path from {first:,} to {last:,} cases (p95 at {last:,} over p95 at "
            f"{first:,}; for the queue the target is at most 1.2, and at least 200 req/s at "
            "100,000):",
            "",
            "| Path | " + " | ".join(f"req/s at {s:,}" for s in sizes) + " | p95 ratio |",
            "|---|" + "---|" * len(sizes) + "---|",
        ]
        for index, row in enumerate(results[first]):
            cells = [f"{results[s][index].run.rps:,.1f}" for s in sizes]
            ratio = results[last][index].run.p95 / max(row.run.p95, 0.001)
            lines.append(f"| {row.label} | " + " | ".join(cells) + f" | {ratio:.2f} |")
        lines.append("")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text()
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    if MARK_START in readme and MARK_END in readme:
        before, rest = readme.split(MARK_START, 1)
        _old, after = rest.split(MARK_END, 1)
        readme = before + block + after
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(readme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--templates", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database (and a copy at each smaller size) for another run",
    )
    parser.add_argument(
        "--only",
        default="",
        help="measure only the paths whose label holds one of these (comma-separated), e.g. Queue",
    )
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    wrk = ensure_wrk()
    rng = random.Random(args.seed)
    prepare_database(reuse=args.keep)
    try:
        from intake.models import Intake

        practitioner, colleague = staff()
        template_ids = list(
            Intake.objects.filter(patient__full_name__startswith="Template Patient")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not template_ids:
            started = time.perf_counter()
            template_ids = make_templates(
                min(args.templates, sizes[0]), rng, practitioner, colleague
            )
            print(
                f"{len(template_ids)} template cases through the services in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        templates = load_templates(template_ids)
        results: dict[int, list[Row]] = {}
        seeding: dict[int, float] = {}
        for size in sizes:
            use_database(DB_NAME)
            have = submitted_count()
            if have > size and args.keep and database_exists(snapshot_name(size)):
                # Measured at this size before, and grown past it since: that run's copy.
                use_database(snapshot_name(size))
                seeding[size] = 0.0
            elif have > size:
                raise SystemExit(
                    f"{DB_NAME} holds {have:,} cases, more than {size:,}: run without --keep"
                )
            else:
                seeding[size] = grow_to(size, templates, rng, practitioner.pk)
                if args.keep and size != sizes[-1]:
                    snapshot(size)
            print(f"\n{submitted_count():,} submitted cases (copied in {seeding[size]:.0f} s)")
            print(HEADER, flush=True)
            results[size] = measure_size(
                size,
                wrk=wrk,
                seconds=args.seconds,
                connections=args.connections,
                workers=args.workers,
                template_ids=template_ids,
                practitioner=practitioner,
                rng=rng,
                only=args.only,
            )
        text = report(
            results,
            seconds=args.seconds,
            connections=args.connections,
            workers=args.workers,
            seeding=seeding,
        )
        print("\n" + text)
        if not args.no_readme:
            write_readme(text)
            print(f"written to {README.relative_to(ROOT)}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            for size in sizes:
                admin_sql(f'DROP DATABASE IF EXISTS "{snapshot_name(size)}" WITH (FORCE)')


if __name__ == "__main__":
    main()

"""Scale-out: two web servers that share nothing but the database and Redis serve one site.

Two gunicorn instances (tests/live_servers.py), each as a separate host would run it, against
one database (PostgreSQL in CI's PostgreSQL leg, a shared SQLite file otherwise) and one Redis
(CACHE_URL, database 13, emptied before and after): a patient saves a step on one and goes on
on the other with the same cookie, a member of staff signs in on one and works on the other,
and the sign-in rate limit counts the attempts made on both. Skipped, saying why, when Redis is
not reachable.
"""

from __future__ import annotations

import fcntl
import re
import tempfile
from pathlib import Path

import pytest
import redis

from tests.answer_sets import STEP_DATA
from tests.live_servers import (
    Browser,
    gunicorn,
    production_env,
    set_up_site,
    sign_in,
    site_database,
)

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database number no other test or tool uses
# The module's servers use database 13 from set-up to tear-down, and each set-up and tear-down
# empties it: one module at a time on this machine (pytest-xdist's workers each set the module
# up, another run of the suite), as tests/test_worker_processes.py does for database 14.
LOCK_FILE = Path(tempfile.gettempdir()) / "intake-tests-redis-13.lock"
LOGIN_RATE = 4  # sign-in attempts per address per hour, counted in Redis across servers
# The suite's test database is set up (the servers' database is a copy of it); the tests
# themselves reach the site only over HTTP.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}): the scale-out test needs it")
    with LOCK_FILE.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client.flushdb()
        yield client
        client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_redis, django_db_setup, django_db_blocker):
    tmp = tmp_path_factory.mktemp("scale_out")
    with site_database(tmp, django_db_blocker) as database_url:
        env = production_env(database_url, CACHE_URL=REDIS_URL, RATE_LIMIT_LOGIN=f"{LOGIN_RATE}/h")
        yield set_up_site(env, invitations=1, cases=1), tmp


@pytest.fixture(scope="module")
def servers(site):
    made, tmp = site
    with gunicorn(made.env, tmp, name="a") as a, gunicorn(made.env, tmp, name="b") as b:
        yield a, b


def _step(slug: str, revision: int) -> dict[str, str]:
    return {**STEP_DATA[slug], "base_revision": str(revision)}


def test_scale_out_patient_moves_between_servers_mid_intake(site, servers):
    made, _tmp = site
    a, b = servers
    patient = Browser(address="203.0.113.20")

    opened = patient.get(a, f"/i/{made.invitation_tokens[0]}/")
    patient.get(a, "/intake/step/about-you/")
    first = patient.post(a, "/intake/step/about-you/", _step("about-you", 0))
    on_b = patient.get(b, "/intake/step/legs/")  # before the save on A, B would send it back
    second = patient.post(b, "/intake/step/legs/", _step("legs", 0))
    resumed_on_a = patient.get(a, "/intake/")
    first_step_on_b = patient.get(b, "/intake/step/about-you/")

    assert (opened.status, opened.location) == (302, "/intake/")
    assert (first.status, first.location) == (302, "/intake/step/legs/")
    assert on_b.status == 200
    assert re.search(r'name="base_revision" value="(\d+)"', on_b.text).group(1) == "0"
    assert (second.status, second.location) == (302, "/intake/step/course/")
    assert (resumed_on_a.status, resumed_on_a.location) == (302, "/intake/step/course/")
    checked = re.findall(
        r'<input[^>]*name="sex_at_birth"[^>]*value="(\w+)"[^>]*checked', first_step_on_b.text
    )
    assert (first_step_on_b.status, checked) == (200, ["female"])


def test_scale_out_staff_session_moves_between_servers(site, servers):
    made, _tmp = site
    a, b = servers
    staff = Browser(address="203.0.113.30")

    signed_in = sign_in(staff, a, code=made.recovery_codes[0])
    queue_on_b = staff.get(b, "/staff/")
    staff.post(b, "/accounts/logout/", {})
    queue_on_a = staff.get(a, "/staff/")

    assert (signed_in.status, signed_in.location) == (302, "/staff/")
    assert queue_on_b.status == 200
    assert re.search(r"<h1[^>]*>([^<]*)</h1>", queue_on_b.text).group(1).strip() == "Work queue"
    assert (queue_on_a.status, queue_on_a.location) == (302, "/accounts/login/?next=/staff/")


def test_scale_out_kept_case_page_follows_a_change_made_on_the_other_server(site, servers):
    # The case page is kept in the shared Redis: a note added on B (with the token of the page
    # A served from the cache) is on A's next view, and A's kept page carries this browser's
    # own CSRF token.
    made, _tmp = site
    a, b = servers
    staff = Browser(address="203.0.113.31")
    sign_in(staff, a, code=made.recovery_codes[1])
    path = f"/staff/cases/{made.case_ids[0]}/"

    computed = staff.get(a, path)
    kept = staff.get(a, path)
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', kept.text).group(1)
    # The kept page's token, not the cookie's (Browser.post's default).
    added = staff.post(
        b, f"{path}note/", {"csrfmiddlewaretoken": token, "text": "Added on server B"}
    )
    after = staff.get(a, path)

    assert (computed.status, kept.status) == (200, 200)
    assert "Added on server B" not in kept.text
    assert (added.status, added.location) == (302, path)
    assert "Added on server B" in after.text


def test_scale_out_sign_in_rate_limit_counts_attempts_on_every_server(servers, shared_redis):
    a, b = servers
    guesser = Browser(address="198.51.100.7")
    wrong = {"username": "nobody", "password": "wrong-guess-1"}
    guesser.get(a, "/accounts/login/")

    statuses = [
        guesser.post(server, "/accounts/login/", wrong).status for server in (a, b, a, b, a, b)
    ]

    # Four attempts an hour from one address, whichever server takes them: 200 is the form
    # again with its error, 429 the refusal.
    assert statuses == [200, 200, 200, 200, 429, 429]

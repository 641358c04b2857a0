# This script runs fixed local commands (npm, manage.py, Lighthouse, Chromium) and fetches only
# the site it starts on 127.0.0.1.
# ruff: noqa: S603, S607, S310
"""Lighthouse, mobile preset, on every page of a patient's questionnaire: layout shift (CLS) and
the performance score, as a patient's phone would load each page.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--out bench/lighthouse-results.json]

What it does: builds a throwaway SQLite database in a temporary folder, collects the static
files as a live site serves them (hashed and compressed, STATIC_MANIFEST=true), starts the site
on 127.0.0.1 with `manage.py runserver` (DEBUG off), opens a patient's invitation link and walks
the questionnaire as the patient would (tests/answer_sets.py's answers; the leg treatment
step is included), running Lighthouse on each page as it is first shown, with the patient's
session cookie: the welcome page, every step, the check page and the thank-you page. Each page
is measured `--runs` times; the table gives the median score and the worst CLS.

Lighthouse comes from the npm registry, pinned (LIGHTHOUSE_VERSION), installed once with npm
into ~/.cache/intake-bench/lighthouse-<version> (outside the repository; LIGHTHOUSE_HOME moves
it). It drives Debian's Chromium through CHROME_PATH=/usr/bin/chromium and never downloads a
browser (scripts/ensure-chromium.sh installs Chromium). Lighthouse's default configuration is
the mobile preset: a Moto G Power-sized screen, 4x CPU slowdown and simulated slow 4G.

Targets (issue: the patient's experience): CLS < 0.1 and performance >= 90 on every page. The
script exits 1 when a page misses either, and prints the table for bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIGHTHOUSE_VERSION = "13.5.0"
CACHE = Path.home() / ".cache" / "intake-bench"
LIGHTHOUSE_HOME = Path(
    os.environ.get("LIGHTHOUSE_HOME", CACHE / f"lighthouse-{LIGHTHOUSE_VERSION}")
)
CHROME_PATH = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run"
CLS_TARGET = 0.1
PERFORMANCE_TARGET = 90
# The walk: the adult of tests/answer_sets.py, treated with a dopamine agonist so that the
# leg treatment step is shown too.
OVERRIDES = {"legs": {"rls_on_treatment": "yes", "rls_treatment_meds": ["dopamine_agonist"]}}


def lighthouse_bin() -> Path:
    binary = LIGHTHOUSE_HOME / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_HOME.mkdir(parents=True, exist_ok=True)
        print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_HOME} ...")
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(LIGHTHOUSE_HOME),
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "false",
        "HTTPS": "false",
        "STATIC_MANIFEST": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PATIENT": "1000/h",
    }


def prepare_site(env: dict[str, str]) -> str:
    """Migrate the throwaway database, collect the static files, and invite one patient:
    returns the invitation token."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    # The rate limits count in the cache, a table in the database by default.
    subprocess.run([*manage, "createcachetable"], env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True)
    script = (
        "import datetime as dt, django; django.setup();"
        "from intake import services;"
        "_, token = services.create_invitation(full_name='Ann Example',"
        " date_of_birth=dt.date(1980, 4, 23), email='');"
        "print(token)"
    )
    made = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return made.stdout.strip().splitlines()[-1]


class Patient:
    """The patient's browser for walking the questionnaire: cookies, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as answer:
            location = answer.headers.get("Location", "")
            return answer.code, location, answer.read().decode(errors="replace")

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def lighthouse(binary: Path, url: str, headers: Path, attempts: int = 3) -> dict:
    """One Lighthouse report. On a busy machine Chromium now and then fails to start in time:
    such a run is tried again, and only a page that fails every time stops the benchmark."""
    command = [
        str(binary),
        url,
        "--quiet",
        "--only-categories=performance",
        "--output=json",
        "--output-path=stdout",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={headers}",
    ]
    for attempt in range(1, attempts + 1):
        done = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": CHROME_PATH},
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            return json.loads(done.stdout)
        if attempt == attempts:
            raise RuntimeError(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
        time.sleep(2)
    raise AssertionError("unreachable")


def measure(binary: Path, url: str, cookie: str, runs: int, folder: Path) -> dict:
    headers = folder / "headers.json"
    headers.write_text(json.dumps({"Cookie": cookie}))
    scores, shifts, lcps, tbts = [], [], [], []
    for _ in range(runs):
        report = lighthouse(binary, url, headers)
        if report.get("runtimeError"):
            raise RuntimeError(f"{url}: {report['runtimeError']}")
        audits = report["audits"]
        scores.append(round(report["categories"]["performance"]["score"] * 100))
        shifts.append(audits["cumulative-layout-shift"]["numericValue"])
        lcps.append(audits["largest-contentful-paint"]["numericValue"])
        tbts.append(audits["total-blocking-time"]["numericValue"])
    return {
        "performance": statistics.median(scores),
        "performance_runs": scores,
        "cls": max(shifts),
        "lcp_ms": statistics.median(lcps),
        "tbt_ms": statistics.median(tbts),
    }


def expect(condition: bool, what: object) -> None:
    if not condition:
        raise RuntimeError(f"The walk through the questionnaire went wrong: {what}")


def walk(base: str, token: str, binary: Path, runs: int, folder: Path) -> list[tuple[str, dict]]:
    from tests.answer_sets import CONSENT, STEP_DATA

    patient = Patient(base)
    status, location, _ = patient.request(f"/i/{token}/")
    expect((status, location) == (302, "/intake/"), (status, location))
    status, location, _ = patient.request("/intake/")
    expect(location == "/intake/welcome/", location)
    results = []

    def page(name: str, path: str) -> str:
        results.append((name, measure(binary, base + path, patient.cookie_header(), runs, folder)))
        print(f"  {name:<16} {results[-1][1]}", flush=True)
        return patient.request(path)[2]

    welcome = page("welcome", "/intake/welcome/")
    path = re.search(r'href="(/intake/step/[\w-]+/)"', welcome).group(1)
    while "/intake/step/" in path:
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        html = page(slug, path)
        revision = re.search(r'name="base_revision" value="(\d+)"', html).group(1)
        data = {**STEP_DATA[slug], **OVERRIDES.get(slug, {})}
        data.update(csrfmiddlewaretoken=patient.csrf(html), base_revision=revision)
        status, path, _ = patient.request(path, data)
        expect(status == 302, (slug, status))
    html = page("check and send", "/intake/review/")
    status, path, _ = patient.request(
        "/intake/review/", {**CONSENT, "csrfmiddlewaretoken": patient.csrf(html)}
    )
    expect((status, path) == (302, "/intake/done/"), (status, path))
    page("thank you", "/intake/done/")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    if not Path(CHROME_PATH).exists():
        sys.exit(f"{CHROME_PATH} is missing: run scripts/ensure-chromium.sh")
    binary = lighthouse_bin()
    folder = Path(tempfile.mkdtemp(prefix="intake-lighthouse-"))
    env = site_environment(folder)
    server = None
    try:
        token = prepare_site(env)
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        version = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        chromium = subprocess.run(
            [CHROME_PATH, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        print(f"Lighthouse {version} (mobile preset), {chromium}, {args.runs} run(s) a page")
        results = walk(base, token, binary, args.runs, folder)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    print("\n| Page | Performance (median) | CLS (worst) | LCP (median) | TBT (median) |")
    print("|---|---|---|---|---|")
    for name, figures in results:
        print(
            f"| {name} | {figures['performance']:.0f} | {figures['cls']:.3f} | "
            f"{figures['lcp_ms'] / 1000:.1f} s | {figures['tbt_ms']:.0f} ms |"
        )
    if args.out:
        args.out.write_text(json.dumps(dict(results), indent=2))
    missed = [
        name
        for name, figures in results
        if figures["cls"] >= CLS_TARGET or figures["performance"] < PERFORMANCE_TARGET
    ]
    if missed:
        print(f"\nMissed CLS < {CLS_TARGET} or performance >= {PERFORMANCE_TARGET}: {missed}")
        return 1
    print(f"\nEvery page: CLS < {CLS_TARGET} and performance >= {PERFORMANCE_TARGET}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Browser tests: Debian's Chromium driven by Playwright's Python package.

Skipped only when SKIP_E2E=1 asks for it; a missing browser otherwise fails the run.
Screenshots go to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are
# ordinary blocking calls, which Django would otherwise refuse inside a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if os.environ.get("SKIP_E2E") == "1":
                item.add_marker(pytest.mark.skip(reason="SKIP_E2E=1 asked to skip browser tests"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh or set SKIP_E2E=1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _RequestsInFlight:
    """The live server's WSGI app, counting the requests it is still answering."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.count -= 1

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture(autouse=True)
def _browser_done_before_database_reset(request):
    """A page left open (a test that failed half-way) or a late autosave still being answered
    when the test ends would write while the database is being emptied for the next test; on
    SQLite the live server even shares the test's connection, so one such request broke every
    later test on that worker. After each browser test: close its pages, then let the server
    finish what it was answering, before the database fixtures tear down."""
    if "live_server" not in request.fixturenames:
        yield
        return
    # Requested here so that they tear down after this fixture; the server before the browser,
    # so that at the end of the run the browser (and its open connections) goes first.
    request.getfixturevalue("transactional_db")
    httpd = request.getfixturevalue("live_server").thread.httpd
    browser = request.getfixturevalue("browser")
    if not isinstance(httpd.get_app(), _RequestsInFlight):
        httpd.set_app(_RequestsInFlight(httpd.get_app()))
    yield
    for context in list(browser.contexts):
        context.close()
    httpd.get_app().wait_until_idle()


def check_accessibility(page) -> list[str]:
    """Serious and critical axe-core violations on the page, as readable lines."""
    # Evaluated rather than added as a <script> tag, so the site's CSP does not block it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def screenshot(page, folder: str, name: str) -> None:
    target = SCREENSHOTS / folder
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)

"""What autosave sends, in a real browser: the step's fields urlencoded, not multipart (the server
parses a urlencoded body several times faster, and autosave is the request it gets most), by
fetch while the patient types and by beacon when the page is hidden."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.test import Client

from intake.models import Intake
from tests.e2e.conftest import PHONE
from tests.factories import answer_steps, open_invitation

pytestmark = pytest.mark.django_db(transaction=True)
URLENCODED = "application/x-www-form-urlencoded"
DEBOUNCE_MS = 1500  # autosave.js's pause after typing


@pytest.fixture
def live_server_idle(live_server):
    """Waits until the live server has answered every request. On SQLite it shares the test's
    connection, so the test reads the database only after that."""
    return lambda: live_server.thread.httpd.get_app().wait_until_idle()


def _open_at(browser, live_server, slug: str, *, init_script: str | None = None):
    """A browser on the patient's `slug` step, the steps before it answered by a test client
    whose session the browser then uses."""
    _invitation, token = open_invitation()
    client = Client()
    client.get(f"/i/{token}/")
    answer_steps(client, stop_at=slug)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    requests = []
    page.on(
        "request",
        lambda request: requests.append(request) if request.url.endswith("/autosave/") else None,
    )
    page.goto(f"{live_server.url}/intake/step/{slug}/")
    return context, page, requests


def _sent(request) -> tuple[str, str, dict[str, list[str]]]:
    """How a recorded autosave request went: its kind, its Content-Type, its fields."""
    content_type = request.header_value("content-type") or ""
    fields = parse_qs(request.post_data or "") if content_type.startswith(URLENCODED) else {}
    return request.resource_type, content_type, fields


def _autosave_answered(page):
    return page.expect_response(lambda response: response.url.endswith("/autosave/"))


def test_autosave_while_typing_sends_the_fields_urlencoded(browser, live_server, live_server_idle):
    context, page, requests = _open_at(browser, live_server, "course")
    revision = int(page.get_attribute("form[data-autosave-url]", "data-autosave-revision"))

    with _autosave_answered(page):
        page.check("input[name='rls_freq'][value='ge_2_per_week']")
    with _autosave_answered(page):
        page.fill("input[name='rls_days_per_week']", "4")
    status = page.locator("[data-autosave-status]").inner_text()
    sent = [_sent(request) for request in requests]
    context.close()
    live_server_idle()

    assert status.startswith("Saved at")
    assert [(kind, content_type.split(";")[0]) for kind, content_type, _ in sent] == [
        ("fetch", URLENCODED),
        ("fetch", URLENCODED),
    ]
    first, second = (fields for _, _, fields in sent)
    # Each save carries the revision the one before it gave.
    assert (first["base_revision"], second["base_revision"]) == (
        [str(revision)],
        [str(revision + 1)],
    )
    assert (second["rls_freq"], second["rls_days_per_week"]) == (["ge_2_per_week"], ["4"])
    assert len(second["csrfmiddlewaretoken"]) == 1
    answers = Intake.objects.get().answers
    assert (answers["rls_freq"], answers["rls_days_per_week"]) == ("ge_2_per_week", 4)


# Browsers without fetch keepalive (autosave.js checks `"keepalive" in Request.prototype`) save
# by beacon when the page is hidden or left; Chromium has keepalive, so it is taken away here.
WITHOUT_FETCH_KEEPALIVE = "delete Request.prototype.keepalive;"
# The patient switches to another app: the page is hidden. (Playwright does not report a beacon
# sent by a page being unloaded, so the page is hidden rather than left.)
HIDE_THE_PAGE = """() => {
  Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_autosave_by_beacon_as_the_page_is_hidden_sends_the_fields_urlencoded(
    browser, live_server, live_server_idle
):
    context, page, requests = _open_at(
        browser, live_server, "legs", init_script=WITHOUT_FETCH_KEEPALIVE
    )

    # Ticked and hidden at once, before the pause after typing ends: the beacon saves them.
    page.check("input[name='rls_on_treatment'][value='yes']")
    page.check("input[name='rls_treatment_meds'][value='dopamine_agonist']")
    page.check("input[name='rls_treatment_meds'][value='levodopa']")
    with page.expect_request(lambda request: request.url.endswith("/autosave/")) as beacon:
        page.evaluate(HIDE_THE_PAGE)
    answered = beacon.value.response()
    page.wait_for_timeout(DEBOUNCE_MS + 500)  # long enough for a fetch, which should not follow
    sent = [_sent(request) for request in requests]
    context.close()
    live_server_idle()

    assert answered is not None and answered.status == 200
    assert len(sent) == 1
    kind, content_type, fields = sent[0]
    assert kind == "ping"  # what Chromium calls a beacon
    assert content_type.startswith(URLENCODED)
    assert fields["rls_treatment_meds"] == ["dopamine_agonist", "levodopa"]
    answers = Intake.objects.get().answers
    assert (answers["rls_on_treatment"], answers["rls_treatment_meds"]) == (
        "yes",
        ["dopamine_agonist", "levodopa"],
    )

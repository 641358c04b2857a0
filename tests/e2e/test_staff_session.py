"""The staff idle timeout in a real browser: the warning, staying signed in, and the admin too."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, screenshot
from tests.e2e.test_practitioner import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("user_fixture", "path"),
    [("practitioner", "/staff/"), ("clinic_admin", "/admin/intake/auditevent/")],
    ids=["staff-page", "admin"],
)
def test_idle_warning_appears_before_sign_out_and_stay_signed_in_keeps_the_session(
    browser, live_server, request, settings, user_fixture, path
):
    settings.STAFF_IDLE_MINUTES = 5
    user = request.getfixturevalue(user_fixture)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.clock.install()
    sign_in(page, live_server.url, user)
    page.goto(f"{live_server.url}{path}")

    page.clock.run_for("02:59")  # five minutes idle, warned two minutes before the end
    assert page.get_by_role("alertdialog").count() == 0
    page.clock.run_for("00:02")
    warning = page.get_by_role("alertdialog")
    warning.wait_for()
    text = warning.inner_text()
    screenshot(page, f"session-{user_fixture}", "idle-warning")
    page.get_by_role("button", name="Stay signed in").click()
    page.wait_for_timeout(300)  # the keep-alive request
    page.clock.run_for("04:00")

    assert "signed out in 2 minutes unless you continue" in text
    assert page.get_by_role("alertdialog").count() == 1  # warned again, not signed out
    assert page.url == f"{live_server.url}{path}"
    page.clock.run_for("02:01")
    # Time is up: the page leaves for the sign-in page. (The browser's clock is faked; the
    # server's session is not, so the admin's sign-in page sends a still-valid one on.)
    page.wait_for_url(lambda url: url != f"{live_server.url}{path}")
    assert "/login/" in page.url or page.url == f"{live_server.url}/admin/"
    context.close()

"""The app served as `make serve` serves it: gunicorn in a real subprocess with production
settings (DEBUG off, HTTPS behind a TLS proxy), answering the health check and pages over HTTP.
tests/live_servers.py starts it."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from tests.live_servers import Browser, gunicorn, production_env, set_up_site, site_database

# The suite's test database is set up (the servers' database is a copy of it); the tests
# themselves reach the site only over HTTP.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker):
    tmp = tmp_path_factory.mktemp("serve")
    with site_database(tmp, django_db_blocker) as database_url:
        site = set_up_site(production_env(database_url), invitations=0)
        with gunicorn(site.env, tmp) as running:
            yield running


def test_serve_healthz_answers_ok(server):
    answer = Browser().get(server, "/healthz")

    assert (answer.status, answer.text) == (200, "ok")
    assert answer.headers["server"] == "gunicorn"


def test_serve_staff_sign_in_page_with_production_headers(server):
    browser = Browser()

    answer = browser.get(server, "/accounts/login/")

    assert answer.status == 200
    assert _title(answer.text) == "Staff sign in · RLS &amp; Gut Health Intake"
    assert answer.headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    cookie = SimpleCookie(answer.headers["set-cookie"])["csrftoken"]
    assert (cookie["secure"], cookie["samesite"]) == (True, "Lax")
    assert sorted(browser.cookies) == ["csrftoken"]


def test_serve_plain_http_past_the_proxy_redirected_to_https(server):
    # A load balancer's health check must go through the proxy too (docs/deployment.md).
    answer = Browser(via_proxy=False).get(server, "/accounts/login/")

    assert (answer.status, answer.location) == (301, f"https://{server.base}/accounts/login/")


def test_serve_unknown_page_is_the_plain_404_not_a_debug_page(server):
    answer = Browser().get(server, "/no-such-page/")

    assert answer.status == 404
    assert _title(answer.text) == "Page not found · RLS &amp; Gut Health Intake"
    assert "Traceback" not in answer.text


def test_serve_static_file_served_by_the_app(server):
    page = Browser().get(server, "/accounts/login/")
    stylesheet = re.search(r'href="(/static/css/[^"]+\.css)"', page.text).group(1)

    answer = Browser().get(server, stylesheet)

    assert answer.status == 200
    assert answer.headers["content-type"] == 'text/css; charset="utf-8"'


def _title(html: str) -> str:
    return re.search(r"<title>([^<]*)</title>", html).group(1)

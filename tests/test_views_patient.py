from html.parser import HTMLParser

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._inside = True
            self.found.append("")

    def handle_endtag(self, tag):
        if tag == "h1":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.found[-1] += data


def h1_texts(response) -> list[str]:
    parser = _Headings()
    parser.feed(response.content.decode())
    return [" ".join(text.split()) for text in parser.found]


@pytest.mark.django_db
def test_home_anonymous_sees_welcome(client):
    response = client.get(reverse("intake:home"))

    assert response.status_code == 200
    assert h1_texts(response) == ["Your clinic intake questionnaire"]
    assert response.templates[0].name == "intake/patient/home.html"


def test_home_post_not_allowed(client):
    response = client.post(reverse("intake:home"))

    assert response.status_code == 405


@pytest.mark.django_db
def test_healthz_database_reachable_says_ok(client):
    response = client.get(reverse("intake:healthz"))

    assert (response.status_code, response["Content-Type"], response.content) == (
        200,
        "text/plain",
        b"ok",
    )


@pytest.mark.django_db
def test_healthz_database_unreachable_says_unavailable(client, monkeypatch):
    def refuse(self):
        raise OperationalError("connection refused")

    # The health check opens a connection of its own each time (intake.health); the test's
    # connection is open already and is not asked.
    monkeypatch.setattr(BaseDatabaseWrapper, "connect", refuse)

    response = client.get(reverse("intake:healthz"))

    assert (response.status_code, response.content) == (503, b"database unavailable")


@pytest.mark.django_db
def test_unknown_page_shows_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert h1_texts(response) == ["Page not found"]

"""Request bodies over the limit are refused with a 413 before any of the body is read, on every
URL: multipart uploads, a Content-Length that lies, and chunked bodies included. The 413 is a
page (templates/413.html) except for the API; its language and who gets which answer:
tests/test_request_too_large.py."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from intake.models import AuditEvent
from tests.url_walk import routes

pytestmark = pytest.mark.django_db

LIMIT = 256 * 1024
TOO_LARGE = "The request is too large: this site accepts at most 256 KiB.\n"
# The 413 page's heading (templates/413.html), for a request that accepts text/html.
TOO_LARGE_PAGE = "What you sent was too long"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


def _browser() -> Client:
    return Client(HTTP_ACCEPT=BROWSER_ACCEPT)


class Body(io.RawIOBase):
    """A request body of `size` bytes (or `data`) that counts how much of it was read."""

    def __init__(self, size: int = 0, data: bytes | None = None):
        self.data = data
        self.size = len(data) if data is not None else size
        self.read_bytes = 0

    def read(self, n: int | None = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        start = self.read_bytes
        self.read_bytes += n
        return self.data[start : start + n] if self.data is not None else b"x" * n

    def readline(self, n: int | None = -1) -> bytes:
        return self.read(n)


def _post(path: str, body: Body, *, content_type: str, client: Client | None = None, **meta):
    # The test client leaves the content type out of a request it thinks is empty.
    return (client or _browser()).generic(
        "POST", path, b"", **{"CONTENT_TYPE": content_type, "wsgi.input": body, **meta}
    )


def _text(response) -> tuple[int, str]:
    """The status and what a person reads: a page's heading, or the plain text."""
    text = response.content.decode()
    if response["Content-Type"] == "text/html; charset=utf-8":
        text = re.findall(r"<h1[^>]*>([^<]*)</h1>", text)[0]
    return response.status_code, text


def test_body_limit_is_the_documented_256_kib():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == LIMIT


# --- every URL ---------------------------------------------------------------------------------


def _every_path() -> list[str]:
    values = {
        "token": "a-link",
        "slug": "about-you",
        "pk": 1,
        "id": 1,
        "object_id": 1,
        "content_type_id": 1,
        "app_label": "intake",
        "url": "no-such-admin-page/",
    }
    paths = []
    for route in routes():
        for param in route.params:
            values.setdefault(param, "1")  # a new kind of parameter: still walked
        paths.append(route.path(values))
    return [*sorted(set(paths)), "/no-such-page/"]


@pytest.mark.parametrize("path", _every_path())
def test_oversized_body_refused_before_it_is_read_on_every_url(path):
    body = Body(size=50 * 1024 * 1024)

    response = _post(
        path,
        body,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(body.size),
    )

    # The API's clients read the plain sentence; everyone else gets the page.
    api = path.startswith("/api/")
    assert (_text(response), body.read_bytes) == ((413, TOO_LARGE if api else TOO_LARGE_PAGE), 0)
    assert response["Content-Type"] == (
        "text/plain; charset=utf-8" if api else "text/html; charset=utf-8"
    )


def test_every_url_walk_covers_the_sign_in_pages_and_the_admin():
    paths = _every_path()

    assert [path for path in ("/accounts/login/", "/admin/login/", "/staff/") if path in paths] == [
        "/accounts/login/",
        "/admin/login/",
        "/staff/",
    ]
    assert sum(path.startswith("/admin/") for path in paths) >= 60


# --- real requests through the test client -------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_anonymous_multipart_upload_over_the_limit_refused_and_nothing_recorded(path):
    upload = SimpleUploadedFile("big.bin", b"x" * (LIMIT + 1))

    response = _browser().post(path, {"username": "someone", "password": "guess", "file": upload})

    assert _text(response) == (413, TOO_LARGE_PAGE)
    assert (AuditEvent.objects.count(), AccessAttempt.objects.count()) == (0, 0)


def _login_body(size: int) -> bytes:
    """A sign-in form of exactly `size` bytes, urlencoded."""
    start = urlencode({"username": "someone", "password": "guess", "pad": ""})
    return (start + "x" * (size - len(start))).encode()


def test_body_of_exactly_the_limit_reaches_the_page_one_byte_more_does_not():
    at_limit = _browser().post(
        "/accounts/login/", _login_body(LIMIT), content_type="application/x-www-form-urlencoded"
    )
    over = _browser().post(
        "/accounts/login/",
        _login_body(LIMIT + 1),
        content_type="application/x-www-form-urlencoded",
    )

    assert at_limit.status_code == 200
    assert at_limit.context["form"].errors == {
        "__all__": [
            "Please enter a correct username and password. Note that both fields may be "
            "case-sensitive."
        ]
    }
    assert _text(over) == (413, TOO_LARGE_PAGE)


# --- a Content-Length that lies --------------------------------------------------------------


def test_content_length_smaller_than_the_body_reads_only_what_it_says():
    declared = urlencode({"username": "someone", "password": "guess"}).encode()
    body = Body(data=declared + b"&pad=" + b"x" * (50 * 1024 * 1024))

    response = _post(
        "/accounts/login/",
        body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(declared)),
    )

    assert response.status_code == 200
    assert response.context["form"].data.dict() == {"username": "someone", "password": "guess"}
    assert body.read_bytes == len(declared)


def test_content_length_larger_than_the_body_refused_unread():
    body = Body(data=b"username=someone&password=guess")

    response = _post(
        "/accounts/login/",
        body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(LIMIT + 1),
    )

    assert (_text(response), body.read_bytes) == ((413, TOO_LARGE_PAGE), 0)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("abc", (400, "The Content-Length header must be a whole number.\n")),
        ("-1", (400, "The Content-Length header must be a whole number.\n")),
        ("1e9", (400, "The Content-Length header must be a whole number.\n")),
        ("0x10", (400, "The Content-Length header must be a whole number.\n")),
        ("１２", (400, "The Content-Length header must be a whole number.\n")),  # full-width
        ("12, 12", (400, "The Content-Length header must be a whole number.\n")),
        ("9" * 5000, (413, TOO_LARGE_PAGE)),
        ("0" * 50 + "1", (413, TOO_LARGE_PAGE)),
        (str(LIMIT + 1), (413, TOO_LARGE_PAGE)),
    ],
    ids=[
        "letters",
        "negative",
        "exponent",
        "hex",
        "full-width",
        "twice",
        "5000 digits",
        "leading zeros",
        "one over",
    ],
)
def test_content_length_that_is_not_a_size_refused_unread(declared, expected):
    body = Body(size=LIMIT * 2)

    response = _post(
        "/accounts/login/",
        body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=declared,
    )

    assert (_text(response), body.read_bytes) == (expected, 0)


# --- chunked bodies (no Content-Length) ------------------------------------------------------


def test_chunked_body_over_the_limit_refused_after_one_byte_past_it():
    body = Body(size=50 * 1024 * 1024)

    response = _post(
        "/accounts/login/",
        body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True},
    )

    assert (_text(response), body.read_bytes) == ((413, TOO_LARGE_PAGE), LIMIT + 1)


def test_chunked_body_within_the_limit_reaches_the_page():
    body = Body(data=b"username=someone&password=guess")

    response = _post(
        "/accounts/login/",
        body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True},
    )

    assert response.status_code == 200
    assert response.context["form"].data.dict() == {"username": "someone", "password": "guess"}


def test_chunked_body_the_server_did_not_decode_refused_unread():
    # Without wsgi.input_terminated the stream may be the raw connection: reading it could
    # wait for ever, and its length is unknown.
    body = Body(size=50 * 1024 * 1024)

    response = _post(
        "/accounts/login/",
        body,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert (_text(response), body.read_bytes) == (
        (411, "Send the request with a Content-Length header (at most 256 KiB).\n"),
        0,
    )

"""Request-wide rules: the body size limit, no caching of any page, and staff sessions (a second
factor before anything else, and an idle timeout)."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from intake.languages import is_staff_path, language_before_middleware

# Pages a signed-in person may reach before the second factor: enrolling, verifying, leaving.
OPEN_PREFIXES = ("/staff/2fa/", "/accounts/logout/", "/static/", "/healthz")


# The session records when the idle clock was last restarted; a request restarts it (and so
# writes the session) only when more than this has passed since, or to stay signed in.
IDLE_CLOCK_STEP_SECONDS = 60
IDLE_CLOCK_KEY = "staff_idle_clock"


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            restart_idle_clock(request)
            if not user.is_verified() and not request.path.startswith(OPEN_PREFIXES):
                return redirect(second_factor_url(request))
        return self.get_response(request)


def restart_idle_clock(request, *, now: float | None = None) -> None:
    """Requests restart the idle clock (the page warns before it runs out), but the session is
    written at most once a minute for it: the session then ends between STAFF_IDLE_MINUTES less
    a minute and STAFF_IDLE_MINUTES after the last request, never later. "Stay signed in"
    (the keep-alive) always restarts it."""
    now = time.time() if now is None else now
    restarted = request.session.get(IDLE_CLOCK_KEY)
    keepalive = request.path == reverse("intake:keepalive")
    if (
        keepalive
        or not isinstance(restarted, int | float)
        or not 0 <= now - restarted < IDLE_CLOCK_STEP_SECONDS
    ):
        request.session[IDLE_CLOCK_KEY] = int(now)
        request.session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)


def second_factor_url(request) -> str:
    from django_otp import devices_for_user

    has_device = any(True for _ in devices_for_user(request.user, confirmed=True))
    target = reverse("intake:otp_verify" if has_device else "intake:otp_setup")
    next_path = request.get_full_path()
    if url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
        return f"{target}?{urlencode({'next': next_path})}"
    return target


class RequestBodyLimitMiddleware:
    """Refuse a request body over DATA_UPLOAD_MAX_MEMORY_SIZE before any of it is read, on every
    URL, with a 413. Django's own limit counts form fields only once the body is being parsed,
    and never counts file parts of a multipart body, so a large upload was read in full first.

    A chunked body has no length to check: where the server has decoded it
    (wsgi.input_terminated), at most one byte past the limit is read to find out; where it has
    not, the body cannot be read safely at all, and the request is refused with a 411.

    The 413 is a page (templates/413.html) in the language the page would have spoken, like
    the 403, 404, 429 and 500 pages: a patient who pasted a very long text reads what happened
    in their language. Who gets the page and who one plain sentence: _wants_page. A browser
    always sends a Content-Length that is a number, so the 400 and 411 reach programs only:
    they stay plain English.

    It runs after the middleware that put the headers on every response (no caching, the
    content security policy, Permissions-Policy, X-Frame-Options), so its answers get them
    too, and before the session and anything that reads the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH", "").strip()
        if declared:
            if not declared.isascii() or not declared.isdigit():
                return _refusal(400, "The Content-Length header must be a whole number.")
            # A long string of digits is too large whatever it says (and int() refuses one
            # of over 4,300 digits).
            if len(declared) > len(str(limit)) or int(declared) > limit:
                return _too_large(request, limit)
        elif request.META.get("HTTP_TRANSFER_ENCODING", "").strip():
            if not request.META.get("wsgi.input_terminated"):
                return _refusal(
                    411,
                    f"Send the request with a Content-Length header (at most {_kib(limit)}).",
                )
            body = request.META["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return _too_large(request, limit)
            # What was read is the whole body: Django reads it from here, by its length.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def _kib(size: int) -> str:
    return f"{size // 1024} KiB"


def _refusal(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    # Before the language middleware: the language is chosen here as it would have been there.
    language = language_before_middleware(request)
    with translation.override(language):
        if _wants_page(request):
            staff = is_staff_path(request.path_info)
            came_from = _same_site_referer(request)
            home = reverse("intake:landing" if staff else "intake:home")
            page = render_to_string(
                "413.html",
                {
                    "limit": _kib(limit),
                    "staff": staff,
                    "back": came_from or home,
                    "came_from": came_from is not None,
                },
            )
            response = HttpResponse(page, status=413)
        else:
            response = _refusal(
                413,
                translation.gettext("The request is too large: this site accepts at most %(size)s.")
                % {"size": _kib(limit)},
            )
    patch_vary_headers(response, ("Accept", "Accept-Language", "Cookie"))
    response.headers["Content-Language"] = language
    return response


def _wants_page(request: HttpRequest) -> bool:
    """The page for a request whose Accept names text/html itself (a browser's form post always
    does), off the API and not marked X-Requested-With: XMLHttpRequest (autosave's fetch).
    Everything else gets the plain sentence: the API, autosave, and any request whose Accept
    is missing or names no text/html, */* alone included (fetch's and sendBeacon's default,
    autosave's last save as the page is left)."""
    return (
        not request.path_info.startswith("/api/")
        and request.headers.get("X-Requested-With") != "XMLHttpRequest"
        and any(
            (accepted.main_type, accepted.sub_type) == ("text", "html")
            for accepted in request.accepted_types
        )
    )


def _same_site_referer(request: HttpRequest) -> str | None:
    """The path of the page the refused form was on (same-origin referrers are sent whole:
    SECURE_REFERRER_POLICY), for the page's way back; None for any other referrer."""
    try:
        referer = urlsplit(request.headers.get("Referer", ""))
        host = request.get_host()
    except (ValueError, DisallowedHost):
        return None
    path = referer.path + (f"?{referer.query}" if referer.query else "")
    if (
        referer.scheme in {"http", "https"}
        and referer.netloc == host
        and path.startswith("/")
        and url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    ):
        return path
    return None


class NoStoreMiddleware:
    """No page of this site is kept by a browser or a proxy cache: staff pages, exports and the
    patient's pages hold health data (the back button or a shared computer's cache would show
    them to the next person). Static files are served before this and keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response

"""Which language a page speaks.

Patient pages speak the patient's language: the one they chose (kept in the session, and on
their intake once one is open), else their browser's (Django's cookie, then Accept-Language),
else LANGUAGE_CODE. Staff pages, the admin and the API speak STAFF_LANGUAGE_CODE whatever the
browser says: staff read every case in one language, with the patient's noted beside it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

# The patient's choice, for this browser; the intake keeps it too (Intake.language).
SESSION_LANGUAGE = "patient_language"
# Paths that are not the patient's: staff pages, sign-in, the admin and the API.
STAFF_PATH_PREFIXES = ("/staff/", "/admin/", "/accounts/", "/api/")


def supported_language(code: str | None) -> str | None:
    """The code of settings.LANGUAGES that `code` names ("es-MX" is "es"), or None."""
    if not code or not isinstance(code, str):
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES, for model fields: a clinic adding a language needs no migration."""
    return list(settings.LANGUAGES)


def language_name(code: str) -> str:
    """A language's own name ("Español"), for the staff's note of the patient's language."""
    return dict(settings.LANGUAGES).get(code, code or "")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PATH_PREFIXES)


def page_language(request: HttpRequest, session: SessionBase | Mapping[str, Any]) -> str:
    """The page's language: STAFF_LANGUAGE_CODE on staff paths; elsewhere the patient's choice
    kept in their session, else their browser's."""
    if is_staff_path(request.path_info):
        return settings.STAFF_LANGUAGE_CODE
    chosen = supported_language(session.get(SESSION_LANGUAGE))
    return chosen or translation.get_language_from_request(request)


def language_before_middleware(request: HttpRequest) -> str:
    """page_language for an answer given before LanguageMiddleware and the session middleware
    run (the 413 of intake.middleware.RequestBodyLimitMiddleware): the session is read here,
    without keeping it on the request. No session is made for a visitor who has none, and
    nothing is written to the database; the cached_db engine does copy a session it had to
    read from the database into the cache, as any read through it does. A session store that
    fails (the database or the cache down) is logged, and the browser's language used: the
    answer stays the 413."""
    session: SessionBase | Mapping[str, Any] = {}
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_key and not is_staff_path(request.path_info):
        try:
            session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
            session.get(SESSION_LANGUAGE)  # loads it here, where a failure is caught
        except Exception:
            logger.warning(
                "The session could not be read for the language of an early answer; the "
                "browser's language is used.",
                exc_info=True,
            )
            session = {}
    return page_language(request, session)


class LanguageMiddleware:
    """Activates the page's language for the request (and only for it: the language in force
    before is restored, so work done after the response, or by tests, is not left in it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        language = page_language(request, request.session)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response

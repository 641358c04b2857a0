"""A case page's body kept rendered in the shared cache, so that a practitioner opening a case
again costs a cache read, not the page's reads and its template (the case page is the biggest
page staff open).

Correctness rests on two version tokens (intake/cache_versions.py), both read, with the body,
in one round trip before any row is read:
- the work queue's version, replaced by every saved case, patient, assessment, raised test and
  member of staff (intake/signals.py); every change a practitioner makes to a case saves the
  case;
- the case pages' own version, replaced by whatever else a case page shows: a note or a
  result saved or deleted, an event of a case's timeline (a print, an export, a contact), a new
  questionnaire of the patient (their other questionnaires are listed), and any change to who
  holds which permission (the page's forms and links follow the viewer's permissions).
A body is also stored with the case row's own stamp (its version and when it was last saved),
which is read on every view anyway (the permission check), and is not served when the row
says otherwise, whatever wrote it.

A body is kept per case, per member of staff, per language, per day and per query string (the
timeline's page), and is served only after the view has checked that this person may see this
case. It never holds a CSRF token: the forms carry a placeholder, replaced by the request's own
token when the page is served. Only the plain view is kept; a page shown again with what was
typed and its errors is always computed.

On where the cache is shared memory (Redis), as the queue's pages; settings may force it
either way with CASE_CACHE (True or False)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from intake import cache_versions
from intake.selectors import queue_cache

VERSION_KEY = "case:version"
BODY_SECONDS = 10 * 60


def csrf_placeholder() -> str:
    """What a kept page carries where each form's CSRF token goes, new for each page kept (a
    fixed one could be typed into an answer or a note, and be replaced there too). Letters and
    digits, so that escaping never changes it."""
    return f"csrfplaceholder{secrets.token_hex(16)}"


def enabled() -> bool:
    # Never without the queue's pages: their version is one of the two a case page follows,
    # and it is replaced only while they are kept.
    return queue_cache.enabled() and cache_versions.shared_cache_in_use("CASE_CACHE")


def touch() -> None:
    """Something a case page shows changed: pages rendered before are no longer served."""
    if enabled():
        cache_versions.replace_version(VERSION_KEY)


def _stamp(intake) -> str:
    return f"{intake.version}:{intake.updated_at.isoformat()}"


@dataclass(frozen=True)
class Lookup:
    key: str
    version: str
    kept: dict | None


def lookup(*, intake_id: int, user, query: QueryDict) -> Lookup | None:
    """Read before the case's rows: None when caching is off."""
    if not enabled():
        return None
    key = cache_versions.page_key(f"case:body:{intake_id}", user=user, query=query)
    version, kept = cache_versions.read_with_versions((queue_cache.VERSION_KEY, VERSION_KEY), key)
    if not (isinstance(kept, dict) and kept.get("version") == version):
        kept = None
    return Lookup(key=key, version=version, kept=kept)


def kept_body(found: Lookup | None, *, intake, csrf_token: str) -> SafeString | None:
    """The kept body for this case as it is now, with this request's CSRF token; None when
    there is none, or when the case row changed since it was made."""
    if found is None or found.kept is None or found.kept.get("stamp") != _stamp(intake):
        return None
    html, placeholder = found.kept.get("html"), found.kept.get("placeholder")
    if not (isinstance(html, SafeString) and isinstance(placeholder, str) and placeholder):
        return None
    return with_token(html, placeholder, csrf_token)


def with_token(html: SafeString, placeholder: str, csrf_token: str) -> SafeString:
    """A body rendered with `placeholder` for its forms' tokens, with this request's token."""
    # The token is letters and digits: nothing to escape.
    return mark_safe(html.replace(placeholder, csrf_token))  # noqa: S308  # nosec B308 B703


def store(found: Lookup | None, *, intake, html: SafeString, placeholder: str) -> None:
    """Keep a body rendered with `placeholder` (csrf_placeholder()) for its tokens."""
    if found is None:
        return
    cache.set(
        found.key,
        {
            "version": found.version,
            "stamp": _stamp(intake),
            "html": html,
            "placeholder": placeholder,
        },
        BODY_SECONDS,
    )

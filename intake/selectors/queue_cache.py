"""The work queue's body (count strip, filters, rows, pages) kept rendered in the shared cache,
so that a member of staff refreshing the queue costs a cache read, not the page's queries and
its template.

Correctness rests on one token, the queue's version: every write to what the queue shows
(a case, its patient, its assessments and raised tests, a member of staff's name) replaces it
(intake/signals.py), once when the row is saved and again when its transaction commits. A
rendered body is stored with the version read before its rows were, and is served only while
that is still the version: a body read from rows older than a committed change never matches
again. A version that is missing (never set, or evicted) is replaced by a new random one, never
by a counter that could repeat an old value.

A body is kept per member of staff, per language, per day (ages and "closed this week" follow
the date) and per query string (filters, order, page), so it can reach only the person it was
made for, on a request the view has already checked their permission for. The list of patients
waiting for contact is not part of it: it carries forms for the person viewing and must show a
draft's call for contact at once, so it is read on every view.

It is on where the cache is shared memory (Redis, CACHE_URL): there a hit costs one round
trip. With the database cache, every read and write of it would be statements of its own, and
the page is computed as before. Settings may force it either way with QUEUE_CACHE (True or
False)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import QueryDict
from django.utils.safestring import SafeString

from intake import cache_versions

VERSION_KEY = "queue:version"
# A body is kept at most this long, whatever happens: the version guards freshness, this only
# bounds how long an unused page stays in memory.
BODY_SECONDS = 10 * 60


def enabled() -> bool:
    return cache_versions.shared_cache_in_use("QUEUE_CACHE")


def touch() -> None:
    """Something the queue shows changed: pages rendered before are no longer served."""
    if enabled():
        cache_versions.replace_version(VERSION_KEY)


@dataclass(frozen=True)
class Lookup:
    key: str
    version: str
    html: SafeString | None  # the rendered body, when one is kept for this version
    shown: int  # the rows it shows (for the audit of the view)


def lookup(*, user, query: QueryDict) -> Lookup | None:
    """The kept body for this person and query, if still current; None when caching is off.
    Read before the queue's rows, so that the version stored with a new body is never newer
    than the rows it was made from."""
    if not enabled():
        return None
    key = cache_versions.page_key("queue:body", user=user, query=query)
    version, kept = cache_versions.read_with_version(VERSION_KEY, key)
    # The body is the template's own output, kept as the SafeString it rendered to.
    if (
        isinstance(kept, dict)
        and kept.get("version") == version
        and isinstance(kept.get("html"), SafeString)
    ):
        return Lookup(key=key, version=version, html=kept["html"], shown=kept["shown"])
    return Lookup(key=key, version=version, html=None, shown=0)


def store(found: Lookup | None, *, html: SafeString, shown: int) -> None:
    if found is None:
        return
    cache.set(found.key, {"version": found.version, "html": html, "shown": shown}, BODY_SECONDS)


def counts(*, week_start, alias: str, compute) -> dict[str, int]:
    """The count strip above the queue, the same for everyone who may see cases and for every
    filter and page: kept with the queue's version, so that after a change it is counted once
    and then shared by every view computed afresh until the next change (its counts follow the
    open workload, tens of milliseconds at 100,000 open cases). `compute` counts them."""
    if not enabled():
        return compute()
    key = f"queue:counts:{alias}:{week_start.isoformat()}"
    version, kept = cache_versions.read_with_version(VERSION_KEY, key)
    if isinstance(kept, dict) and kept.get("version") == version:
        return dict(kept["counts"])
    found = compute()
    cache.set(key, {"version": version, "counts": found}, BODY_SECONDS)
    return found

"""Versions of what the shared cache keeps (the work queue's pages, case pages, staff
permissions).

Each kind of kept thing has one version token in the cache. Every write to what it was made
from replaces the token, once when the write is made and again when its transaction commits,
and a kept copy is used only while it carries the current token: a copy made from rows older
than a committed change never matches again. A token that is missing (never set, or evicted)
is replaced by a new random one, never by a counter that could repeat an old value.

Kept copies are used only where the cache is shared memory (Redis, CACHE_URL), where a read
costs one round trip; with the database cache a read would itself be a query. A setting may
force it either way (True or False).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation


def shared_cache_in_use(setting: str) -> bool:
    """Whether to keep copies: the setting named, when set, else whether the cache is Redis."""
    forced = getattr(settings, setting, None)
    if forced is not None:
        return bool(forced)
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def page_key(prefix: str, *, user, query: QueryDict) -> str:
    """Where a rendered page is kept: per person, language, day (ages and "this week" follow
    the date) and query string, after `prefix` (what page)."""
    items = sorted((key, value) for key in query for value in query.getlist(key))
    digest = hashlib.sha256(repr(items).encode()).hexdigest()[:32]
    return (
        f"{prefix}:{user.pk}:{translation.get_language()}:"
        f"{timezone.localdate().isoformat()}:{digest}"
    )


def new_version() -> str:
    return uuid.uuid4().hex


def replace_version(version_key: str) -> None:
    """What the copies were made from changed: now (for the rest of this transaction and its
    own request) and once the change is committed."""
    cache.set(version_key, new_version(), None)
    transaction.on_commit(lambda: cache.set(version_key, new_version(), None))


def read_with_version(version_key: str, key: str) -> tuple[str, Any]:
    """The current version and what is kept under `key` (None if nothing), in one round trip.
    Read before the rows a new copy is made from, so that the version stored with it is never
    newer than they are."""
    version, kept = read_with_versions((version_key,), key)
    return version, kept


def read_with_versions(version_keys: tuple[str, ...], key: str) -> tuple[str, Any]:
    """As read_with_version, for a copy made from several kinds of rows: the versions of all of
    them, joined into one, and what is kept under `key`, in one round trip."""
    found = cache.get_many([*version_keys, key])
    versions = []
    for version_key in version_keys:
        version = found.get(version_key)
        if version is None:
            # add, not set: a writer's newer version must win over this reader's.
            cache.add(version_key, new_version(), None)
            version = cache.get(version_key) or new_version()
        versions.append(version)
    return ":".join(versions), found.get(key)

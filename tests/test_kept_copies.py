"""What the shared cache keeps (the work queue's pages, case pages, staff permissions) is kept
only where the cache is Redis, where a read costs one round trip; with the database cache each
read would be a query of its own (intake/cache_versions.py: shared_cache_in_use)."""

from __future__ import annotations

import pytest

from intake import auth_backends
from intake.selectors import case_cache, queue_cache

KINDS = {
    "queue pages": queue_cache.enabled,
    "case pages": case_cache.enabled,
    "permissions": auth_backends.enabled,
}
BACKENDS = {
    "database cache": ("django.core.cache.backends.db.DatabaseCache", "intake_cache", False),
    "Redis": ("intake.redis_cache.RedisCache", "redis://127.0.0.1:6379/12", True),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_kept_copies_only_with_redis(settings, kind, backend):
    for setting in ("QUEUE_CACHE", "CASE_CACHE", "PERMISSION_CACHE"):
        setattr(settings, setting, None)  # not forced either way
    name, location, kept = BACKENDS[backend]
    settings.CACHES = {"default": {"BACKEND": name, "LOCATION": location}}

    assert KINDS[kind]() is kept

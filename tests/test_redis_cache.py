"""intake.redis_cache: Django's Redis cache with one client object per connection pool."""

from __future__ import annotations

import secrets
import threading

import pytest
import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from intake.redis_cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database number no other test or tool uses


@pytest.fixture
def cache():
    prefix = f"redis-cache-test-{secrets.token_hex(4)}"
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield backend
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}*"))
    if keys:
        server.delete(*keys)
    server.close()


def test_the_client_object_is_built_once_per_pool(cache):
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool
    # Django's own backend builds one per call: what this module is for.
    django_backend = DjangoRedisCache(REDIS_URL, {})
    assert django_backend._cache.get_client("a") is not django_backend._cache.get_client("a")


def test_it_behaves_as_djangos_redis_cache(cache):
    assert cache.get("missing", "default") == "default"
    cache.set("answer", {"step": "bowel", "revision": 3}, 60)
    assert cache.get("answer") == {"step": "bowel", "revision": 3}
    assert cache.add("answer", "other") is False
    assert cache.add("count", 0) is True
    assert cache.incr("count") == 1
    cache.set_many({"one": 1, "two": 2})
    assert cache.get_many(["one", "two", "three"]) == {"one": 1, "two": 2}
    cache.delete("answer")
    assert cache.get("answer") is None


def test_one_client_serves_many_threads(cache):
    # Rate limits count with incr from every thread of a worker: none may be lost.
    cache.set("hits", 0, 60)
    errors = []

    def hit():
        try:
            for _ in range(50):
                cache.incr("hits")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert cache.get("hits") == 400

"""Django's Redis cache backend, with one Redis client object per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call. The connections
come from the pool either way, but building the client fills its table of about 170 reply
handlers each time: on this project's machines that took longer than the GET it was made for,
and every request reads the session, and staff pages their kept copies and permissions,
through the cache. So one is kept per pool, for the life of the backend (Django makes a
backend per thread; a `redis.Redis` takes a connection from its pool for each command, so
sharing one between threads would be safe too)."""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class _SharedClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

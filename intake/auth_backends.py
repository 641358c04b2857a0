"""Sign-in by password (Django's ModelBackend) with each member of staff's permissions kept in
the shared cache, so that a staff request does not read the user's and the groups' permissions
again (two queries on every page that checks a permission).

Correctness rests on one token, the roles' version: any change to who holds which permission
(a user's groups or own permissions, a group's permissions, a permission, a user saved or
deleted) replaces it (intake/signals.py), once when the change is made and again when its
transaction commits, as the work queue's version does (intake/selectors/queue_cache.py). A
permission set is stored with the version read before the permissions were, and is used only
while that is still the version and the user row read for this request still has the same
is_superuser: a set read from rows older than a committed change never matches again. A
version that is missing (never set, or evicted) is replaced by a new random one, never by a
counter that could repeat an old value.

An inactive user has no permissions whatever is kept (checked on the user row read for this
request, as ModelBackend does), so deactivating an account takes effect on its next request
even if the change came through QuerySet.update(), which sends no signal. Writes that bypass
signals to the permission tables (a bulk insert into a through table, raw SQL) are not seen
until the set expires (PERMISSIONS_SECONDS): the app makes every change to roles through
the related managers (`user.groups.add()`, `group.permissions.set()`), which send them.

It is on where the cache is shared memory (Redis, CACHE_URL): there a hit costs one round
trip instead of two queries. With the database cache a hit would itself be a query, so
permissions are read as ModelBackend reads them. Settings may force it either way with
PERMISSION_CACHE (True or False).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from intake import cache_versions

VERSION_KEY = "roles:version"
# A kept permission set lives at most this long, whatever happens: the version guards
# freshness; this bounds what a write that sends no signal could leave behind.
PERMISSIONS_SECONDS = 10 * 60


def enabled() -> bool:
    return cache_versions.shared_cache_in_use("PERMISSION_CACHE")


def touch() -> None:
    """Who holds which permission changed: sets kept before are no longer used."""
    if enabled():
        cache_versions.replace_version(VERSION_KEY)


def _key(user) -> str:
    return f"roles:permissions:{user.pk}"


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend, with get_all_permissions (what has_perm, has_module_perms and templates'
    `perms` ask) served from the shared cache while the roles' version is unchanged."""

    def get_all_permissions(self, user_obj, obj=None):
        if (
            not enabled()
            or not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or hasattr(user_obj, "_perm_cache")
        ):
            return super().get_all_permissions(user_obj, obj=obj)
        key = _key(user_obj)
        version, kept = cache_versions.read_with_version(VERSION_KEY, key)
        if (
            isinstance(kept, tuple)
            and len(kept) == 3
            and kept[0] == version
            and kept[1] is user_obj.is_superuser
        ):
            user_obj._perm_cache = set(kept[2])
            return user_obj._perm_cache
        permissions = super().get_all_permissions(user_obj)
        cache.set(
            key, (version, user_obj.is_superuser, frozenset(permissions)), PERMISSIONS_SECONDS
        )
        return permissions

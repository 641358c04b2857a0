"""The health check's database probe: a fresh connection with short timeouts, every time.

The request's own connection is kept open between requests (CONN_MAX_AGE) and is only checked
when a request starts, so asking it would say "up" for a while after the database went away. A
new connection finds out at once, gives up after HEALTH_CHECK_TIMEOUT_SECONDS if the server does
not answer, and works again by itself as soon as the database is back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend


def probe_settings(settings_dict: dict, *, timeout: int) -> dict:
    """The database's settings with short timeouts, for one connection that is never kept."""
    probe = {**settings_dict, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False}
    options = dict(settings_dict.get("OPTIONS") or {})
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options["connect_timeout"] = timeout
        # The server ends the query itself if it hangs (libpq sends it at connection).
        server_options = options.get("options", "")
        options["options"] = f"{server_options} -c statement_timeout={timeout * 1000}".strip()
    else:
        options["timeout"] = timeout  # SQLite: how long to wait for a locked file
    probe["OPTIONS"] = options
    return probe


def database_reachable(alias: str = DEFAULT_DB_ALIAS) -> bool:
    settings_dict = probe_settings(
        connections.settings[alias], timeout=settings.HEALTH_CHECK_TIMEOUT_SECONDS
    )
    backend = load_backend(settings_dict["ENGINE"])
    probe = backend.DatabaseWrapper(settings_dict, alias=f"{alias}-health-check")
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False
    finally:
        probe.close()

"""Run a schema command (`migrate`, `createcachetable`) as the role that owns the tables.

The app connects (DATABASE_URL) as a role that may not create or alter tables; changing the
schema takes the owner role, DATABASE_OWNER_URL (docs/deployment.md). For the command's run the
default connection signs in as the owner instead, so that everything the command does (data
migrations and post-migrate steps included) is done by one role on one connection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def use_owner_role(alias: str) -> bool:
    """Switch `alias` to the owner role when DATABASE_OWNER_URL is set and `alias` is the app's
    database. Not for another alias, nor for a test database (its name differs): tests migrate
    as whoever runs them. True when switched."""
    owner = settings.DATABASE_OWNER
    if owner is None or alias != DEFAULT_DB_ALIAS:
        return False
    connection = connections[alias]
    if connection.settings_dict["NAME"] != owner["NAME"]:
        return False
    connection.close()
    connection.settings_dict.update(
        USER=owner["USER"], PASSWORD=owner["PASSWORD"], OPTIONS=owner.get("OPTIONS", {})
    )
    return True

"""Django's `flush`, still able to empty the audit log on PostgreSQL when a superuser runs it.

The audit table refuses TRUNCATE (migration 0015), and Django's test runner empties every table
with `flush` after each test that commits. A superuser may switch triggers off for its own
session, which it could do anyway (so the app never connects as one: docs/deployment.md); for
any other role the trigger refuses as before and `flush` fails.
"""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections


def _is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not _is_superuser(connection):
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")

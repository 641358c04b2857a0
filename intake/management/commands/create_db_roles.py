"""The PostgreSQL roles the app runs under: an owner for migrations, a least-privilege role for
the app (docs/deployment.md, "Database roles").

- The owner role owns the tables and runs `migrate` (DATABASE_OWNER_URL).
- The app role (DATABASE_URL, for the web app and any worker) reads and writes rows, but only
  reads and appends to the audit log, and owns nothing: it cannot alter, drop or truncate a
  table, disable a trigger or create a table. (Switching triggers off for a session takes a
  superuser, which neither role is.)

Prints the SQL by default, to pipe into psql as a superuser:
    manage.py create_db_roles | sudo -u postgres psql -d intake
or runs it with --execute through DATABASE_URL when that role may create roles. Safe to run
again, e.g. after each `migrate`: it creates what is missing and grants the same again.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
AUDIT_TABLE = "intake_auditevent"
MIGRATIONS_TABLE = "django_migrations"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_role(role: str) -> str:
    """Create the role unless it exists; an existing role with any power beyond logging in (a
    superuser, say) is refused rather than quietly reused or changed."""
    # Role names match ROLE_NAME before they get here (so the S608/B608 exceptions).
    return f"""DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
            NOBYPASSRLS;
    ELSIF EXISTS (
        SELECT FROM pg_roles WHERE rolname = '{role}'
        AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)
    ) THEN
        RAISE EXCEPTION 'role {role} exists with more powers than it needs (superuser, create '
            'databases or roles, replication or bypass row security): choose another name';
    END IF;
END
$$"""  # noqa: S608  # nosec B608


def role_statements(*, database: str, owner: str, app: str) -> list[str]:
    """The SQL, one statement per item, for `database` (run while connected to it)."""
    own, use, db = _ident(owner), _ident(app), _ident(database)
    return [
        _create_role(owner),
        _create_role(app),
        # The app role must not act as the owner through membership.
        f"""DO $$
BEGIN
    IF pg_has_role('{app}', '{owner}', 'MEMBER') THEN
        RAISE EXCEPTION 'role {app} is a member of {owner}: it would own the tables too';
    END IF;
END
$$""",
        f"GRANT CONNECT ON DATABASE {db} TO {own}, {use}",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {own}",
        f"GRANT USAGE ON SCHEMA public TO {use}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        # Tables and functions made before the owner existed (migrations run as another role)
        # pass to it; extensions' own objects stay as they are.
        f"""DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, '{owner}');
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.name, '{owner}');
    END LOOP;
END
$$""",  # noqa: S608  # nosec B608 (the owner's name matches ROLE_NAME)
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {use}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {use}",
        # The audit log: read and append only. The migrations table: read only.
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {use}",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {use}",
        f"REVOKE ALL ON {MIGRATIONS_TABLE} FROM {use}",
        f"GRANT SELECT ON {MIGRATIONS_TABLE} TO {use}",
        # Tables the owner makes later (new migrations, the cache table) are the app's to use.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {use}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {use}",
    ]


class Command(BaseCommand):
    help = (
        "Print (or run, with --execute) the SQL that creates the owner role for migrations and "
        "the least-privilege role the app connects as. See docs/deployment.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="intake_owner", help="The owner role's name.")
        parser.add_argument("--app", default="intake_app", help="The app role's name.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database setting whose database the roles are for (default: default).",
        )
        parser.add_argument(
            "--execute",
            action="store_true",
            help="Run the SQL through that database connection (its role must be a superuser).",
        )

    def handle(self, *args, owner: str, app: str, database: str, execute: bool, **options):
        for label, name in (("--owner", owner), ("--app", app)):
            if not ROLE_NAME.fullmatch(name):
                raise CommandError(
                    f"{label} must be a role name of lower-case letters, digits and _, "
                    "starting with a letter or _ (at most 63 characters)"
                )
        if owner == app:
            raise CommandError("--owner and --app must be two different roles")
        if database not in connections:
            raise CommandError(f"--database: no database setting named {database!r}")
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"create_db_roles is for PostgreSQL; the {database!r} database is "
                f"{connection.vendor}"
            )
        statements = role_statements(
            database=connection.settings_dict["NAME"], owner=owner, app=app
        )
        if not execute:
            self.stdout.write(
                f"-- Run as a superuser, connected to the app's database. Then set each role's\n"
                f"-- password in psql (\\password {owner}, \\password {app}), and point\n"
                f"-- DATABASE_OWNER_URL at {owner} and DATABASE_URL at {app}.\n"
            )
            self.stdout.write(";\n\n".join(statements) + ";\n")
            return
        try:
            with transaction.atomic(using=database), connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0]  # without PostgreSQL's CONTEXT lines
            raise CommandError(f"The roles were not set up: {reason}") from error
        self.stdout.write(
            f"Roles {owner} (owner) and {app} (app) are set up. Set their passwords in psql "
            f"(\\password {owner}, \\password {app})."
        )

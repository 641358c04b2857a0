"""The database roles: migrations run as an owner; the app connects as a role that can only read
and append to the audit log and cannot alter, drop or truncate any table or switch triggers off.

The role tests run in the PostgreSQL leg (roles are PostgreSQL's). They create uniquely named
roles inside the test's transaction, so that the rollback at the end removes them again."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent, Patient
from tests.factories import open_invitation
from tests.test_settings import failure_message, start

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)
OWNER = f"intake_owner_t{os.getpid()}"
APP = f"intake_app_t{os.getpid()}"


def _roles(*args: str) -> str:
    out = io.StringIO()
    call_command("create_db_roles", *args, stdout=out)
    return out.getvalue()


# --- the command's input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ['x"; DROP TABLE intake_auditevent; --', "Intake_App", "1app", "", "a" * 64, "app-role"],
)
@pytest.mark.parametrize("option", ["--owner", "--app"])
def test_create_db_roles_refuses_a_name_that_is_not_a_plain_role_name(option, name):
    with pytest.raises(CommandError) as refusal:
        _roles(option, name)

    assert str(refusal.value) == (
        f"{option} must be a role name of lower-case letters, digits and _, starting with a "
        "letter or _ (at most 63 characters)"
    )


def test_create_db_roles_refuses_one_role_for_both_jobs():
    with pytest.raises(CommandError) as refusal:
        _roles("--owner", "intake", "--app", "intake")

    assert str(refusal.value) == "--owner and --app must be two different roles"


def test_create_db_roles_refuses_an_unknown_database_setting():
    with pytest.raises(CommandError) as refusal:
        _roles("--database", "elsewhere")

    assert str(refusal.value) == "--database: no database setting named 'elsewhere'"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite leg's refusal")
def test_create_db_roles_on_sqlite_says_it_is_for_postgresql():
    with pytest.raises(CommandError) as refusal:
        _roles()

    assert str(refusal.value) == (
        "create_db_roles is for PostgreSQL; the 'default' database is sqlite"
    )


# --- settings: DATABASE_OWNER_URL, for migrate only --------------------------------------------

SHOW_DATABASES = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "owner = s.DATABASE_OWNER; print(json.dumps({'aliases': sorted(s.DATABASES), "
    "'app': s.DATABASES['default']['USER'], 'owner': owner and {key: owner[key] for key in "
    "('USER', 'PASSWORD', 'NAME', 'HOST', 'PORT')}}))"
)
APP_URL = "postgres://intake_app:app-secret@db.example.org:5432/intake"
OWNER_URL = "postgres://intake_owner:owner-secret@db.example.org:5432/intake"


def test_database_owner_url_read_for_the_same_database():
    result = start(
        SHOW_DATABASES, SECRET_KEY="x", DATABASE_URL=APP_URL, DATABASE_OWNER_URL=OWNER_URL
    )

    assert json.loads(result.stdout) == {
        "aliases": ["default"],
        "app": "intake_app",
        "owner": {
            "USER": "intake_owner",
            "PASSWORD": "owner-secret",
            "NAME": "intake",
            "HOST": "db.example.org",
            "PORT": 5432,
        },
    }


def test_database_owner_url_unset_means_no_owner_role():
    result = start(SHOW_DATABASES, SECRET_KEY="x", DATABASE_URL=APP_URL)

    assert json.loads(result.stdout) == {"aliases": ["default"], "app": "intake_app", "owner": None}


@pytest.mark.parametrize(
    ("owner_url", "message"),
    [
        (
            "postgres://intake_owner:owner-secret@db.example.org:5432/other",
            "DATABASE_OWNER_URL must name the same server, port and database as DATABASE_URL, "
            "with the owner role's user name and password",
        ),
        (
            "postgres://intake_owner:owner-secret@elsewhere.example.org:5432/intake",
            "DATABASE_OWNER_URL must name the same server, port and database as DATABASE_URL, "
            "with the owner role's user name and password",
        ),
        (
            "sqlite:////tmp/owner-secret.sqlite3",
            "DATABASE_OWNER_URL is for PostgreSQL: a postgres:// URL",
        ),
        (
            "redis://owner-secret@y/z",
            "DATABASE_OWNER_URL must be a database URL such as postgres://USER:PASSWORD@HOST:"
            "5432/NAME or sqlite:////absolute/path/db.sqlite3 (the scheme 'redis' is not "
            "supported)",
        ),
    ],
)
def test_database_owner_url_refused_unless_it_is_the_apps_postgresql_database(owner_url, message):
    result = start(
        "import django; django.setup()",
        SECRET_KEY="x",
        DATABASE_URL=APP_URL,
        DATABASE_OWNER_URL=owner_url,
    )

    assert result.returncode == 1
    assert failure_message(result) == f"django.core.exceptions.ImproperlyConfigured: {message}"
    assert "owner-secret" not in result.stderr


SWITCH = (
    "import json, django; django.setup(); from django.db import connections; "
    "from intake.management.owner import use_owner_role; {before}"
    "switched = use_owner_role({alias!r}); db = connections['default'].settings_dict; "
    "print(json.dumps([switched, db['USER'], db['PASSWORD']]))"
)


@pytest.mark.parametrize(
    ("before", "alias", "expected"),
    [
        ("", "default", [True, "intake_owner", "owner-secret"]),
        ("", "other", [False, "intake_app", "app-secret"]),
        # A test database has its own name: its migrations never go to the real one's role.
        (
            "connections['default'].settings_dict['NAME'] = 'test_intake'; ",
            "default",
            [False, "intake_app", "app-secret"],
        ),
    ],
    ids=["the app's database", "another alias", "a test database"],
)
def test_schema_commands_sign_in_as_the_owner_for_the_apps_database_only(before, alias, expected):
    result = start(
        SWITCH.format(before=before, alias=alias),
        SECRET_KEY="x",
        DATABASE_URL=APP_URL,
        DATABASE_OWNER_URL=OWNER_URL,
    )

    assert json.loads(result.stdout) == expected


def test_schema_commands_without_an_owner_setting_keep_the_apps_role():
    result = start(SWITCH.format(before="", alias="default"), SECRET_KEY="x", DATABASE_URL=APP_URL)

    assert json.loads(result.stdout) == [False, "intake_app", "app-secret"]


# --- PostgreSQL: what each role may do ---------------------------------------------------------


def _refused(sql: str) -> str:
    """The database's refusal of `sql`, or "" when it ran."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as error:
        return str(error).splitlines()[0]
    return ""


class _As:
    """Run the body as `role` (SET ROLE: privileges are that role's, not the superuser's)."""

    def __init__(self, role: str):
        self.role = role

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{self.role}"')

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.fixture
def roles(db) -> tuple[str, str]:
    """The owner and app roles, made by the command in this test's transaction."""
    out = _roles("--owner", OWNER, "--app", APP, "--execute")
    assert out == (
        f"Roles {OWNER} (owner) and {APP} (app) are set up. Set their passwords in psql "
        f"(\\password {OWNER}, \\password {APP}).\n"
    )
    return OWNER, APP


@ON_POSTGRESQL
def test_app_role_cannot_empty_alter_or_drop_the_audit_log_or_switch_its_triggers_off(roles):
    event = services.record_event(action=AuditAction.EXPORT, summary="kept")
    _owner, app = roles

    with _As(app):
        refusals = {
            "truncate": _refused("TRUNCATE intake_auditevent"),
            "delete": _refused("DELETE FROM intake_auditevent"),
            "update": _refused("UPDATE intake_auditevent SET summary = 'x'"),
            "disable trigger": _refused("ALTER TABLE intake_auditevent DISABLE TRIGGER ALL"),
            "drop trigger": _refused(
                "DROP TRIGGER intake_auditevent_append_only ON intake_auditevent"
            ),
            "replace function": _refused(
                "CREATE OR REPLACE FUNCTION intake_auditevent_append_only() RETURNS trigger "
                "AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql"
            ),
            "replica session": _refused("SET session_replication_role = replica"),
            "drop table": _refused("DROP TABLE intake_auditevent"),
            "rename table": _refused("ALTER TABLE intake_auditevent RENAME TO gone"),
            "alter another table": _refused("ALTER TABLE intake_patient ADD COLUMN x int"),
            "truncate another table": _refused("TRUNCATE intake_note"),
            "create a table": _refused("CREATE TABLE intake_sneaky (id int)"),
            "fake a migration": _refused(
                "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())"
            ),
        }

    assert refusals == {
        "truncate": "permission denied for table intake_auditevent",
        "delete": "permission denied for table intake_auditevent",
        "update": "permission denied for table intake_auditevent",
        "disable trigger": "must be owner of table intake_auditevent",
        "drop trigger": "must be owner of relation intake_auditevent",
        "replace function": "permission denied for schema public",
        "replica session": 'permission denied to set parameter "session_replication_role"',
        "drop table": "must be owner of table intake_auditevent",
        "rename table": "must be owner of table intake_auditevent",
        "alter another table": "must be owner of table intake_patient",
        "truncate another table": "permission denied for table intake_note",
        "create a table": "permission denied for schema public",
        "fake a migration": "permission denied for table django_migrations",
    }
    assert list(AuditEvent.objects.values_list("pk", "summary")) == [(event.pk, "kept")]


@ON_POSTGRESQL
def test_app_role_can_do_the_apps_work_and_append_to_the_audit_log(roles):
    _owner, app = roles

    with _As(app):
        invitation, _token = open_invitation(name="Role Check")
        services.revoke_invitation(invitation=invitation, by=None)
        actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
        names = list(Patient.objects.values_list("full_name", flat=True))

    assert actions == [AuditAction.INVITATION_CREATED, AuditAction.INVITATION_REVOKED]
    assert names == ["Role Check"]


@ON_POSTGRESQL
def test_owner_role_can_migrate_but_the_trigger_still_refuses_truncate(roles):
    owner, _app = roles
    services.record_event(action=AuditAction.EXPORT, summary="kept")

    with _As(owner):
        created = _refused("CREATE TABLE intake_new_for_a_migration (id int)")
        truncated = _refused("TRUNCATE intake_auditevent")

    assert created == ""
    assert truncated == "intake_auditevent is append-only: TRUNCATE refused"
    assert AuditEvent.objects.count() == 1


@ON_POSTGRESQL
def test_tables_made_later_by_the_owner_are_the_apps_to_use(roles):
    owner, app = roles

    with _As(owner), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE intake_later (id int)")
    with _As(app):
        inserted = _refused("INSERT INTO intake_later VALUES (1)")
        altered = _refused("ALTER TABLE intake_later ADD COLUMN x int")

    assert (inserted, altered) == ("", "must be owner of table intake_later")


@ON_POSTGRESQL
def test_create_db_roles_refuses_to_reuse_a_superuser(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        superuser = cursor.fetchone()[0]

    with pytest.raises(CommandError) as refusal:
        _roles("--owner", superuser, "--app", APP, "--execute")

    assert str(refusal.value) == (
        f"The roles were not set up: role {superuser} exists with more powers than it needs "
        "(superuser, create databases or roles, replication or bypass row security): choose "
        "another name"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (True,)


@ON_POSTGRESQL
def test_create_db_roles_twice_is_harmless(db):
    first = _roles("--owner", OWNER, "--app", APP, "--execute")
    second = _roles("--owner", OWNER, "--app", APP, "--execute")

    assert first == second


@ON_POSTGRESQL
def test_create_db_roles_printed_sql_names_the_roles_and_the_database(db):
    printed = _roles("--owner", OWNER, "--app", APP)
    database = connection.settings_dict["NAME"]

    assert printed.splitlines()[:3] == [
        "-- Run as a superuser, connected to the app's database. Then set each role's",
        f"-- password in psql (\\password {OWNER}, \\password {APP}), and point",
        f"-- DATABASE_OWNER_URL at {OWNER} and DATABASE_URL at {APP}.",
    ]
    assert printed.count(f'GRANT CONNECT ON DATABASE "{database}" TO "{OWNER}", "{APP}";') == 1
    assert printed.count(f'GRANT SELECT, INSERT ON intake_auditevent TO "{APP}";') == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_flush_as_a_superuser_still_empties_the_audit_log_and_truncate_is_refused_after():
    # Django's test runner empties the tables with flush after each committing test.
    services.record_event(action=AuditAction.EXPORT, summary="test run")

    call_command("flush", interactive=False, verbosity=0)

    assert AuditEvent.objects.count() == 0
    assert _refused("TRUNCATE intake_auditevent") == (
        "intake_auditevent is append-only: TRUNCATE refused"
    )

from django.db import migrations

# TRUNCATE empties a table without deleting its rows one by one, so the row trigger of 0007
# never sees it: a statement trigger refuses it. (A role that owns the table could still disable
# the triggers or drop the table: the app connects as a role that owns nothing; see
# docs/deployment.md and `manage.py create_db_roles`.) SQLite has no TRUNCATE.
POSTGRESQL_UP = """
CREATE TRIGGER intake_auditevent_no_truncate
    BEFORE TRUNCATE ON intake_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION intake_auditevent_append_only();
"""
POSTGRESQL_DOWN = "DROP TRIGGER IF EXISTS intake_auditevent_no_truncate ON intake_auditevent;"


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_UP, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DOWN, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0014_one_patient_per_name_and_birth_date"),
    ]

    operations = [
        migrations.RunPython(add_trigger, remove_trigger),
    ]

from django.db import migrations


def reapply_roles(apps, schema_editor):
    # The Clinic admin role now also reads notes and entered results, and manages the licensed
    # instrument text, in the admin (intake/roles.py).
    from intake.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_crisis_in_draft")]

    operations = [migrations.RunPython(reapply_roles, migrations.RunPython.noop)]

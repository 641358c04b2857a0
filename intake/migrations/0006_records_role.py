from django.db import migrations


def grant_manage_records(apps, schema_editor):
    # The Clinic admin role needs the new intake.manage_records permission now.
    from intake.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_data_protection"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_manage_records, migrations.RunPython.noop)]

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_manage_records(apps, schema_editor):
    # Permissions are normally created after migrations; the Clinic admin role needs the new
    # intake.manage_records permission now (same pattern as 0002_roles).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from intake.roles import apply_role_permissions

    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_data_protection"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_manage_records, migrations.RunPython.noop)]

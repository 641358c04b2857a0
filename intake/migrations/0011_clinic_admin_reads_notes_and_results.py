from django.contrib.auth.management import create_permissions
from django.db import migrations


def reapply_roles(apps, schema_editor):
    # The Clinic admin role now also reads notes and entered results, and manages the licensed
    # instrument text, in the admin (intake/roles.py). The permissions must exist first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from intake.roles import apply_role_permissions

    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_crisis_in_draft")]

    operations = [migrations.RunPython(reapply_roles, migrations.RunPython.noop)]

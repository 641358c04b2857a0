from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_unlock_and_device_reset(apps, schema_editor):
    # The Clinic admin role unlocks sign-ins (django-axes) and removes a lost authenticator
    # (django-otp); those apps' permissions must exist before the role can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from intake.roles import apply_role_permissions

    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_lab_result_names"),
        ("axes", "__latest__"),
        ("otp_totp", "__latest__"),
        ("otp_static", "__latest__"),
    ]

    operations = [migrations.RunPython(grant_unlock_and_device_reset, migrations.RunPython.noop)]

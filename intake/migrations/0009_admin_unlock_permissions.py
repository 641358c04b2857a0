from django.db import migrations


def grant_unlock_and_device_reset(apps, schema_editor):
    # The Clinic admin role unlocks sign-ins (django-axes) and removes a lost authenticator
    # (django-otp); those apps' permissions must exist before the role can hold them.
    from intake.roles import grant_roles_in_migration

    grant_roles_in_migration(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_lab_result_names"),
        ("axes", "__latest__"),
        ("otp_totp", "__latest__"),
        ("otp_static", "__latest__"),
    ]

    operations = [migrations.RunPython(grant_unlock_and_device_reset, migrations.RunPython.noop)]

"""Which permissions each role (a Django auth group) carries. Applied by a data migration and
re-applied by `seed_demo`, so a fresh database and the demo agree."""

from __future__ import annotations

from intake.enums import Role

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.PRACTITIONER: (
        "intake.view_patient",
        "intake.view_intake",
        "intake.change_intake",
        "intake.view_invitation",
        "intake.add_invitation",
        "intake.change_invitation",
        "intake.view_assessment",
        "intake.view_testrecommendation",
        "intake.change_testrecommendation",
    ),
    Role.CLINIC_ADMIN: (
        "intake.view_patient",
        "intake.add_patient",
        "intake.change_patient",
        "intake.view_intake",
        "intake.change_intake",
        "intake.view_invitation",
        "intake.add_invitation",
        "intake.change_invitation",
        "intake.view_assessment",
        "intake.view_testrecommendation",
        "intake.change_testrecommendation",
        "intake.view_note",
        "intake.view_labresultentry",
        # The clinic's licensed IRLS text (a setting the intake depends on, spec §4.6).
        "intake.view_licensedinstrument",
        "intake.add_licensedinstrument",
        "intake.change_licensedinstrument",
        "intake.view_auditevent",
        "intake.manage_records",
        # Reminders to patients: the schedule, quiet hours and sign-off (one row).
        "intake.view_clinicsettings",
        "intake.change_clinicsettings",
        # Systems that call the API: registered, shown their token once, revoked.
        "intake.view_apiclient",
        "intake.add_apiclient",
        "intake.change_apiclient",
        # Webhook endpoints (a signed notice on each submission) and their delivery log.
        "intake.view_webhookendpoint",
        "intake.add_webhookendpoint",
        "intake.change_webhookendpoint",
        "intake.view_webhookdelivery",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # Unlocking a locked sign-in is deleting its failed attempts (django-axes).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        # A member of staff who lost their phone: remove the app so they enrol a new one.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    ),
    Role.AUDITOR: ("intake.view_auditevent",),
}


def grant_roles_in_migration(apps) -> None:
    """For a data migration: create the permissions now (Django normally does it after all
    migrations), then give each role its permissions."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def apply_role_permissions(group_model, permission_model) -> None:
    """Give each role exactly its permissions. A permission that a later migration creates
    (e.g. intake.manage_records, 0005) does not exist yet when an earlier migration runs this;
    it is skipped there and granted by the later migration, which runs this again.
    tests/test_records.py checks that, once migrated, each role holds every permission listed
    (so a misspelt one cannot go unnoticed)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)

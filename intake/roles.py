"""Which permissions each role (a Django auth group) carries, and the sync that makes the groups
hold exactly those. The sync runs after every `migrate` (a post_migrate receiver, connected in
intake/apps.py), so a fresh database, an upgrade and a change to the table below all end with
each role holding its permissions, and no data migration is needed for a change. (Migrations
0002 to 0017 still grant the roles, as they did when they were written.) `seed_demo` applies
them too.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, router

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


def sync_roles(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After `migrate` (and `flush`, which ends the same way): create the roles that are
    missing and give each role exactly its permissions, idempotently. Django creates each
    app's permissions in that app's own post_migrate; the roles hold permissions of other apps
    (auth, axes, django-otp), so those are created here first, whatever the apps' order."""
    Group = apps.get_model("auth", "Group")
    if not router.allow_migrate_model(using, Group):
        return
    labels = {dotted.split(".")[0] for listed in ROLE_PERMISSIONS.values() for dotted in listed}
    for label in sorted(labels):
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)
    apply_role_permissions(Group, apps.get_model("auth", "Permission"), using=using)


def grant_roles_in_migration(apps) -> None:
    """For the data migrations written before the sync ran on post_migrate: create the
    permissions now (Django normally does it after all migrations), then give each role its
    permissions."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    apply_role_permissions(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def apply_role_permissions(group_model, permission_model, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Give each role exactly its permissions (one that is not listed is taken away). A
    permission whose model does not exist yet (an earlier migration running this) is skipped;
    the sync after `migrate` grants it. tests/test_roles.py checks that, once migrated, each
    role holds every permission listed, so a misspelt one cannot go unnoticed."""
    codenames = {dotted.split(".")[1] for listed in ROLE_PERMISSIONS.values() for dotted in listed}
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.using(using)
        .filter(codename__in=codenames)
        .values_list("pk", "content_type__app_label", "codename")
    }
    for role, listed in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        group.permissions.set([existing[dotted] for dotted in listed if dotted in existing])

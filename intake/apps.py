from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate

from intake import roles

# The admin groups models under their app's name; these say what each group is for.
ADMIN_SECTION_NAMES = {
    "axes": "Sign-in lockouts",
    "otp_totp": "Authenticator apps",
    "otp_static": "Recovery codes",
    "auth": "Staff accounts and roles",
}


class ClinicAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the clinic's site (listed in INSTALLED_APPS in its place)."""

    default = False
    default_site = "intake.admin_site.ClinicAdminSite"


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Patient records"

    def ready(self):
        # Django's idiom: these modules import models, which exist only once the apps are
        # ready. signals connects the sign-in audit receivers; checks registers the check of
        # the clinic's texts still to translate (intake.W001).
        from intake import checks, signals  # noqa: F401

        # The roles are put right after every migrate, not by a data migration per change.
        post_migrate.connect(roles.sync_roles, sender=self, dispatch_uid="intake.roles.sync")

        for label, name in ADMIN_SECTION_NAMES.items():
            apps.get_app_config(label).verbose_name = name

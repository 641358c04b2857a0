from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps

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
        from intake import signals  # noqa: F401  (connects the sign-in audit receivers)

        for label, name in ADMIN_SECTION_NAMES.items():
            apps.get_app_config(label).verbose_name = name

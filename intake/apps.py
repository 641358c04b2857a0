from django.apps import AppConfig, apps

# The admin groups models under their app's name; these say what each group is for.
ADMIN_SECTION_NAMES = {
    "axes": "Sign-in lockouts",
    "otp_totp": "Authenticator apps",
    "otp_static": "Recovery codes",
    "auth": "Staff accounts and roles",
}


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Patient records"

    def ready(self):
        from intake import signals  # noqa: F401  (connects the sign-in audit receivers)

        for label, name in ADMIN_SECTION_NAMES.items():
            apps.get_app_config(label).verbose_name = name

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self):
        from intake import signals  # noqa: F401  (connects the sign-in audit receivers)

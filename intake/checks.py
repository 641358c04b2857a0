"""System checks of the clinic's own configuration. They read the database, so Django runs them
with the database checks: at `manage.py migrate`, and with `manage.py check --database default`.

clinic_texts_translated: a clinic that wrote its own crisis resources, emergency advice or
sign-off in its default language (a ClinicText row, or CRISIS_RESOURCES_TEXT and
EMERGENCY_ADVICE_TEXT in the environment) but not in another patient language. Patients
reading that language get the clinic's default-language text meanwhile (its phone numbers are
the right ones; the app's general wording may not be), so this is a warning, not an error.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from intake.languages import language_name
from intake.notifications.models import ClinicTextKey
from intake.notifications.texts import missing_translations

__all__ = ["clinic_texts_translated"]


@register(Tags.database)
def clinic_texts_translated(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    if not databases:
        return []
    try:
        missing = missing_translations()
    except DatabaseError:  # no database yet, or not migrated: the environment's texts only
        missing = missing_translations(database=False)
    if not missing:
        return []
    labels = dict(ClinicTextKey.choices)
    listed = "; ".join(
        f"{labels[key]} in {language_name(language)} ({language})" for key, language in missing
    )
    return [
        Warning(
            f"The clinic's own texts have no translation for: {listed}.",
            hint=(
                "Patients reading those languages see the clinic's text in "
                f"{settings.LANGUAGE_CODE} until a translation is written: add one in the admin "
                "(Clinic settings, the clinic's texts in each language)."
            ),
            obj="intake.ClinicText",
            id="intake.W001",
        )
    ]

"""The clinic's own texts for patients (crisis resources, emergency advice, the messages'
sign-off), in the patient's language.

Which text a patient reads, first found wins:
1. the clinic's text in the patient's language (a ClinicText row, edited in the admin);
2. the clinic's text in its default language (LANGUAGE_CODE): a ClinicText row, else the
   setting (CRISIS_RESOURCES_TEXT and EMERGENCY_ADVICE_TEXT from the environment when they
   differ from the app's wording, ClinicSettings.sign_off when it differs from its default);
3. the app's own wording, translated.

Step 2 comes before 3 for every language, not only the default one: a clinic that wrote its
own crisis text wrote it for its own phone numbers, and a patient reading another language
must get those numbers rather than the app's general advice. The system check in
intake/checks.py lists the translations such a clinic still has to write.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from intake.languages import supported_language
from intake.notifications.models import ClinicSettings, ClinicText, ClinicTextKey

__all__ = [
    "APP_WORDING",
    "clinic_text",
    "clinic_texts",
    "missing_translations",
    "text_language",
]

# The app's own wording, in English as written (the msgids). CRISIS_RESOURCES_TEXT and
# EMERGENCY_ADVICE_TEXT default to the same words in clinic/settings.py, and ClinicSettings'
# sign_off to the last one: a setting still equal to these is the app's, not the clinic's.
APP_WORDING = {
    ClinicTextKey.CRISIS_RESOURCES: gettext_noop(
        "If you are in danger now or might act on thoughts of harming yourself, call your local "
        "emergency number (112 in Europe, 911 in the US, 999 in the UK) or go to the nearest "
        "emergency department. You can also call or text a crisis line at any hour: 988 in the "
        "US, Samaritans on 116 123 in the UK and Ireland."
    ),
    ClinicTextKey.EMERGENCY_ADVICE: gettext_noop(
        "Go to an emergency department or call your emergency number now."
    ),
    ClinicTextKey.SIGN_OFF: gettext_noop("The clinic team"),
}

# The settings a clinic could already set its texts with, before texts per language.
SETTING_NAMES = {
    ClinicTextKey.CRISIS_RESOURCES: "CRISIS_RESOURCES_TEXT",
    ClinicTextKey.EMERGENCY_ADVICE: "EMERGENCY_ADVICE_TEXT",
}


def text_language(language: str | None = None) -> str:
    """A code of settings.LANGUAGES: `language`, else the active one, else LANGUAGE_CODE."""
    return (
        supported_language(language)
        or supported_language(translation.get_language())
        or settings.LANGUAGE_CODE
    )


def _setting_override(key: str, sign_off: str | None) -> str | None:
    """The clinic's text from the settings, in the default language; None when the setting
    still holds the app's wording. A blank sign-off is the clinic's choice (no sign-off line);
    a blank crisis or emergency text cannot happen (env_str treats blank as unset)."""
    if key == ClinicTextKey.SIGN_OFF:
        if sign_off is None:  # read without making the row (the system check reads this too)
            row = ClinicSettings.objects.filter(pk=1).values_list("sign_off", flat=True)
            sign_off = row.first()
        if sign_off is None or sign_off.strip() == APP_WORDING[key]:
            return None
        return sign_off.strip()
    value = (getattr(settings, SETTING_NAMES[key], "") or "").strip()
    return value if value and value != APP_WORDING[key] else None


def _translated(key: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(APP_WORDING[key])


def clinic_texts(
    keys: tuple[str, ...] | list[str], language: str | None = None, *, sign_off: str | None = None
) -> dict[str, str]:
    """Several of the clinic's texts in one query, by key (see the module's docstring for the
    order). `sign_off` passes ClinicSettings.sign_off when the caller holds it already."""
    language = text_language(language)
    default = settings.LANGUAGE_CODE
    rows = {
        (row.key, row.language): row.text.strip()
        for row in ClinicText.objects.filter(key__in=keys, language__in={language, default})
    }
    texts = {}
    for key in keys:
        chosen = rows.get((key, language)) or rows.get((key, default))
        if not chosen:
            override = _setting_override(key, sign_off)
            chosen = override if override is not None else _translated(key, language)
        if not chosen and key != ClinicTextKey.SIGN_OFF:
            # Emergency advice and crisis resources never disappear.
            chosen = _translated(key, language)
        texts[key] = chosen
    return texts


def clinic_text(key: str, language: str | None = None) -> str:
    """The clinic's text `key` (a ClinicTextKey) for a patient reading `language` (None: the
    active language)."""
    return clinic_texts((key,), language)[key]


def missing_translations(*, database: bool = True) -> list[tuple[str, str]]:
    """(key, language) pairs where the clinic wrote its own text in the default language but
    not in this other language of settings.LANGUAGES: patients reading it get the clinic's
    default-language text until someone writes the translation. `database=False` looks at the
    settings only (a database not migrated yet)."""
    default = settings.LANGUAGE_CODE
    written = set(ClinicText.objects.values_list("key", "language")) if database else set()
    missing = []
    for key in ClinicTextKey.values:
        if key == ClinicTextKey.SIGN_OFF and not database:
            continue
        # A blank sign-off (none at all) reads the same in every language.
        own = (key, default) in written or bool(_setting_override(key, None))
        if not own:
            continue
        for language, _name in settings.LANGUAGES:
            if language != default and (key, language) not in written:
                missing.append((key, language))
    return missing

"""The patient's language, kept on their intake (Intake.language) while it is a draft: a sent
questionnaire keeps the language it was answered in (staff read it as "Answered in"), whatever
the browser shows afterwards."""

from __future__ import annotations

from intake.enums import CaseStatus
from intake.languages import supported_language
from intake.models import Intake

__all__ = ["remember_language", "set_intake_language"]


def set_intake_language(*, intake_id: int, language: str) -> None:
    """The patient chose a language: reminders and the resumed questionnaire use it."""
    code = supported_language(language)
    if code is None:
        raise ValueError(f"not a language of settings.LANGUAGES: {language!r}")
    drafts = Intake.objects.filter(pk=intake_id, status=CaseStatus.DRAFT)
    drafts.exclude(language=code).update(language=code)


def remember_language(*, intake_id: int, language: str) -> None:
    """The browser's language, kept at the first open when nobody chose one yet."""
    code = supported_language(language)
    if code is not None:
        Intake.objects.filter(pk=intake_id, status=CaseStatus.DRAFT, language="").update(
            language=code
        )

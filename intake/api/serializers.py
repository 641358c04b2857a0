"""What the API reads and writes. A case is a small, fixed shape: ids, status, dates, the flags'
values, the red-flag rule ids and the patient's language. No free text: no answers, notes or
reasons (the FHIR bundle carries the answers for a system that imports them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intake.forms.details import PatientDetailsForm
from intake.languages import supported_language
from intake.models import Intake, Invitation

# How a case's language shows in the schema: a code, or null while the patient's browser chooses.
LANGUAGE_SCHEMA = {"type": "string", "nullable": True}


def _language_codes() -> str:
    return ", ".join(code for code, _name in settings.LANGUAGES)


def _with_codes(text: str) -> str:
    """A help text naming the clinic's language codes, worked out when it is shown (in the
    language then in force, from the settings then in force), not when this module loads."""
    return lazy(lambda: str(text) % {"codes": _language_codes()}, str)()


def language_or_null(code: str) -> str | None:
    """A blank language (not chosen yet: the patient's browser decides) is null in the API."""
    return code or None


def flag_values(result: dict[str, Any]) -> dict[str, Any]:
    """Each flag's value ("order", "consider", "not_indicated", ...), without its reasons."""
    flags = result.get("flags") or {}
    return {
        name: flag.get("value") if isinstance(flag, dict) else flag
        for name, flag in sorted(flags.items())
    }


def red_flag_rules(result: dict[str, Any]) -> list[str]:
    """The rule ids of the red flags that fired (RF-1 ... RF-16, RF-U), in the engine's order."""
    reasons = (result.get("urgent") or {}).get("reasons") or []
    rules = [reason.get("rule") for reason in reasons if isinstance(reason, dict)]
    return list(dict.fromkeys(rule for rule in rules if rule))


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, source="pk")
    case_number = serializers.CharField(read_only=True)
    patient_id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(
        read_only=True, choices=Intake._meta.get_field("status").choices
    )
    submitted_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    urgent = serializers.BooleanField(read_only=True)
    crisis = serializers.BooleanField(read_only=True)
    emergency = serializers.BooleanField(read_only=True)
    contact_needed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    contacted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    rls_status = serializers.CharField(read_only=True)
    ibs_status = serializers.CharField(read_only=True)
    ruleset_version = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    red_flags = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField(
        help_text=_with_codes(
            _(
                "The patient's language for this case, a code of the clinic's languages "
                "(%(codes)s); null when it was never chosen and the pages followed the "
                "patient's browser."
            )
        )
    )

    @staticmethod
    def _result(intake: Intake) -> dict[str, Any]:
        assessment = intake.current_assessment
        return assessment.result if assessment is not None else {}

    def get_ruleset_version(self, intake: Intake) -> str | None:
        assessment = intake.current_assessment
        return assessment.ruleset_version if assessment is not None else None

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "string", "nullable": True},
            "description": _("Each test flag's value, by flag name (clinical-spec §11)."),
        }
    )
    def get_flags(self, intake: Intake) -> dict[str, Any]:
        return flag_values(self._result(intake))

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string"},
            "description": _("The rule ids of the red flags that fired, e.g. RF-3."),
        }
    )
    def get_red_flags(self, intake: Intake) -> list[str]:
        return red_flag_rules(self._result(intake))

    @extend_schema_field(LANGUAGE_SCHEMA)
    def get_language(self, intake: Intake) -> str | None:
        return language_or_null(intake.language)


class InvitationRequestSerializer(serializers.Serializer):
    """Checked by the same rules as the staff's invitation form."""

    full_name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField()
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    email_link = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Also email the link to `email`, from the app (no health information)."),
    )
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        help_text=_with_codes(
            _(
                "The patient's language: a code of the clinic's languages (%(codes)s); a "
                "regional variant such as es-MX is read as its language. The questionnaire and "
                "the clinic's messages to the patient (the emailed link too) are in it. Left "
                "out, blank or null: the patient's browser chooses."
            )
        ),
    )

    def validate_language(self, value: str | None) -> str:
        if not value:
            return ""
        code = supported_language(value)
        if code is None:
            # Not repeated back: it may be anything, of any length.
            raise serializers.ValidationError(
                gettext(
                    "Unknown language: give one of %(codes)s, or leave it out for the patient's "
                    "browser to choose."
                )
                % {"codes": _language_codes()}
            )
        return code

    def validate(self, attrs):
        if attrs.get("email_link") and not attrs.get("email"):
            raise serializers.ValidationError(
                {"email": [gettext("Give the patient's email address to have the link emailed.")]}
            )
        form = PatientDetailsForm(
            data={
                "full_name": attrs["full_name"],
                "date_of_birth": attrs["date_of_birth"].isoformat(),
                "email": attrs.get("email", ""),
            }
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: list(messages) for field, messages in form.errors.items()}
            )
        return {
            **form.cleaned_data,
            "email_link": attrs.get("email_link", False),
            "language": attrs.get("language", ""),
        }


class InvitationSerializer(serializers.Serializer):
    """The new invitation. `link` holds the token: it is shown here once and never again."""

    id = serializers.IntegerField(source="invitation.pk")
    case_id = serializers.IntegerField(source="invitation.intake_id")
    patient_id = serializers.IntegerField(source="invitation.intake.patient_id")
    link = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(source="invitation.expires_at")
    emailed = serializers.BooleanField(help_text=_("Whether the link was queued to be emailed."))
    language = serializers.SerializerMethodField(
        help_text=_(
            "The language stored for the patient (a code), or null for the patient's browser "
            "to choose."
        )
    )

    def get_link(self, created: dict[str, Any]) -> str:
        path = reverse("intake:open_link", args=[created["token"]])
        return settings.SITE_URL.rstrip("/") + path

    @extend_schema_field(LANGUAGE_SCHEMA)
    def get_language(self, created: dict[str, Any]) -> str | None:
        return language_or_null(created["invitation"].intake.language)


def created_invitation(invitation: Invitation, token: str, *, emailed: bool) -> dict[str, Any]:
    return {"invitation": invitation, "token": token, "emailed": emailed}

"""What the API reads and writes. A case is a small, fixed shape: ids, status, dates, the flags'
values and the red-flag rule ids. No free text: no answers, notes or reasons (the FHIR bundle
carries the answers for a system that imports them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intake.forms.details import PatientDetailsForm
from intake.models import Intake, Invitation


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
            "description": "Each test flag's value, by flag name (clinical-spec §11).",
        }
    )
    def get_flags(self, intake: Intake) -> dict[str, Any]:
        return flag_values(self._result(intake))

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string"},
            "description": "The rule ids of the red flags that fired, e.g. RF-3.",
        }
    )
    def get_red_flags(self, intake: Intake) -> list[str]:
        return red_flag_rules(self._result(intake))


class InvitationRequestSerializer(serializers.Serializer):
    """Checked by the same rules as the staff's invitation form."""

    full_name = serializers.CharField(max_length=200)
    date_of_birth = serializers.DateField()
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    email_link = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also email the link to `email`, from the app (no health information).",
    )

    def validate(self, attrs):
        if attrs.get("email_link") and not attrs.get("email"):
            raise serializers.ValidationError(
                {"email": ["Give the patient's email address to have the link emailed."]}
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
        return {**form.cleaned_data, "email_link": attrs.get("email_link", False)}


class InvitationSerializer(serializers.Serializer):
    """The new invitation. `link` holds the token: it is shown here once and never again."""

    id = serializers.IntegerField(source="invitation.pk")
    case_id = serializers.IntegerField(source="invitation.intake_id")
    patient_id = serializers.IntegerField(source="invitation.intake.patient_id")
    link = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(source="invitation.expires_at")
    emailed = serializers.BooleanField(help_text="Whether the link was queued to be emailed.")

    def get_link(self, created: dict[str, Any]) -> str:
        path = reverse("intake:open_link", args=[created["token"]])
        return settings.SITE_URL.rstrip("/") + path


def created_invitation(invitation: Invitation, token: str, *, emailed: bool) -> dict[str, Any]:
    return {"invitation": invitation, "token": token, "emailed": emailed}

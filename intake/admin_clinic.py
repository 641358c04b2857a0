"""The clinic's settings for messages to patients, one page in the admin for a clinic admin:
the reminder schedule, the quiet hours and the sign-off. The clinic's name, phone number and
time zone come from the server's environment and are shown here for reference.

The clinic's own texts per language (crisis resources, emergency advice, sign-off: ClinicText)
have their own list, edited by whoever may change the clinic settings and audited the same
way; intake/notifications/texts.py says which text a patient reads."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from intake import (
    checks,  # noqa: F401  (registers the check of missing translations)
    services,
)
from intake.enums import AuditAction
from intake.http import client_ip
from intake.languages import language_name
from intake.models import ClinicSettings
from intake.notifications.models import ClinicText
from intake.notifications.texts import missing_translations

TEXT_MAX_LENGTH = ClinicText._meta.get_field("text").max_length


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            "Reminders to patients who have not finished their questionnaire",
            {
                "fields": [
                    "reminders_enabled",
                    "unopened_days",
                    "idle_days",
                    "max_reminders",
                    ("quiet_from", "quiet_until"),
                    "time_zone",
                ]
            },
        ),
        (
            "Messages to patients",
            {"fields": ["sign_off", "clinic_name", "clinic_phone", "texts_per_language"]},
        ),
    ]
    readonly_fields = ["time_zone", "clinic_name", "clinic_phone", "texts_per_language"]

    @admin.display(description=_("the clinic's texts in each language"))
    def texts_per_language(self, obj) -> str:
        written = ClinicText.objects.order_by("key", "language")
        listed = format_html_join(
            "", "<li>{} ({})</li>", ((row.get_key_display(), row.language) for row in written)
        )
        missing = format_html_join(
            "",
            "<li>{}</li>",
            (
                (_("%(key)s: no %(language)s text yet") % {"key": key, "language": code},)
                for key, code in missing_translations()
            ),
        )
        return format_html(
            '<ul>{}</ul>{}<a href="{}">{}</a>',
            listed or format_html("<li>{}</li>", _("None: patients read the app's wording.")),
            format_html("<p>{}</p><ul>{}</ul>", _("Still to translate:"), missing)
            if missing
            else "",
            reverse("admin:intake_clinictext_changelist"),
            _("Write or change the texts per language"),
        )

    @admin.display(description="clinic time zone (CLINIC_TIME_ZONE, set on the server)")
    def time_zone(self, obj) -> str:
        return settings.CLINIC_TIME_ZONE

    @admin.display(description="clinic name (CLINIC_NAME, set on the server)")
    def clinic_name(self, obj) -> str:
        return settings.CLINIC_NAME

    @admin.display(description="clinic phone (CLINIC_PHONE, set on the server)")
    def clinic_phone(self, obj) -> str:
        return settings.CLINIC_PHONE

    def changelist_view(self, request, extra_context=None):
        # One row: the list is its page.
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        settings_row = ClinicSettings.load()
        return redirect(reverse("admin:intake_clinicsettings_change", args=[settings_row.pk]))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_event(
            action=AuditAction.UPDATE,
            actor=request.user,
            obj=obj,
            ip_address=client_ip(request),
            summary=f"clinic settings changed: {', '.join(form.changed_data) or 'nothing'}",
        )


class ClinicTextForm(forms.ModelForm):
    class Meta:
        model = ClinicText
        fields = ["key", "language", "text"]
        error_messages = {
            "text": {
                "required": _("Write the text."),
                "max_length": _(
                    "Keep the text to %(limit_value)d characters or fewer (it has %(show_value)d)."
                ),
            },
            "key": {"invalid_choice": _("Choose which text this is from the list.")},
        }
        help_texts = {
            "text": _(
                "Patients reading this language see it instead of the app's wording. Phone "
                "numbers become tap-to-call links. Up to 2,000 characters."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = ", ".join(f"{code} ({language_name(code)})" for code, _name in settings.LANGUAGES)
        self.fields["language"].error_messages["invalid_choice"] = _(
            "Choose one of the patient languages: %(languages)s."
        ) % {"languages": names}

    def clean(self):
        cleaned = super().clean()
        key, language = cleaned.get("key"), cleaned.get("language")
        same = ClinicText.objects.filter(key=key, language=language)
        if self.instance.pk is not None:
            same = same.exclude(pk=self.instance.pk)
        if key and language and same.exists():
            # On the language, which also spares the form the constraint's generic message.
            self.add_error(
                "language",
                _("There is already a text of this kind in this language: change that one."),
            )
        return cleaned


@admin.register(ClinicText)
class ClinicTextAdmin(admin.ModelAdmin):
    """Whoever may change the clinic settings may change its texts (the roles grant no
    separate permission for them)."""

    form = ClinicTextForm
    list_display = ["key", "language", "short_text", "updated_at"]
    list_filter = ["key", "language"]
    ordering = ["key", "language"]

    @admin.display(description=_("text"))
    def short_text(self, obj) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("intake.view_clinicsettings") or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("intake.change_clinicsettings")

    def has_add_permission(self, request) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.clinic_settings = ClinicSettings.load()
        super().save_model(request, obj, form, change)
        what = f"{obj.key} ({obj.language})"
        services.record_event(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            actor=request.user,
            obj=obj,
            ip_address=client_ip(request),
            summary=f"clinic text {what} changed: {', '.join(form.changed_data) or 'nothing'}"
            if change
            else f"clinic text {what} added",
        )

    def delete_model(self, request, obj):
        _record_removal(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _record_removal(request, obj)
        super().delete_queryset(request, queryset)


def _record_removal(request, obj: ClinicText) -> None:
    services.record_event(
        action=AuditAction.UPDATE,
        actor=request.user,
        obj=obj,
        ip_address=client_ip(request),
        summary=f"clinic text {obj.key} ({obj.language}) removed: patients reading it get the "
        "clinic's default-language text or the app's wording",
    )

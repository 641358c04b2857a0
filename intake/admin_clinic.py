"""The clinic's settings for messages to patients, one page in the admin for a clinic admin:
the reminder schedule, the quiet hours and the sign-off. The clinic's name, phone number and
time zone come from the server's environment and are shown here for reference.

The clinic's own texts per language (crisis resources, emergency advice, sign-off: ClinicText)
are edited on the same page, by whoever may change the clinic settings, and audited the same
way; intake/notifications/texts.py says which text a patient reads."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from intake import services
from intake.enums import AuditAction
from intake.http import client_ip
from intake.languages import language_name
from intake.models import ClinicSettings
from intake.notifications.models import ClinicText
from intake.notifications.texts import missing_translations

# The formset's prefix in the page's form (ClinicText.clinic_settings' related name).
TEXTS_PREFIX = "texts"


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
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}

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


class ClinicTextInline(admin.TabularInline):
    """The texts are part of the clinic settings: whoever may change those may change them (the
    roles grant no separate permission for texts)."""

    model = ClinicText
    form = ClinicTextForm
    extra = 0
    ordering = ["key", "language"]
    verbose_name = _("clinic text")
    verbose_name_plural = _("the clinic's texts in each language")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("intake.view_clinicsettings") or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("intake.change_clinicsettings")

    def has_add_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Reminders to patients who have not finished their questionnaire"),
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
            _("Messages to patients"),
            {"fields": ["sign_off", "clinic_name", "clinic_phone", "texts_to_translate"]},
        ),
    ]
    readonly_fields = ["time_zone", "clinic_name", "clinic_phone", "texts_to_translate"]
    inlines = [ClinicTextInline]

    @admin.display(description=_("the clinic's texts still to translate"))
    def texts_to_translate(self, obj) -> str:
        missing = missing_translations()
        if not missing:
            return _("None: each text the clinic wrote is written in every patient language.")
        return format_html(
            "<ul>{}</ul>{}",
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (_("%(key)s: no %(language)s text yet") % {"key": key, "language": code},)
                    for key, code in missing
                ),
            ),
            _(
                "Patients reading those languages see the clinic's text in the default language "
                "meanwhile. Add the translations in the table below."
            ),
        )

    @admin.display(description=_("clinic time zone (CLINIC_TIME_ZONE, set on the server)"))
    def time_zone(self, obj) -> str:
        return settings.CLINIC_TIME_ZONE

    @admin.display(description=_("clinic name (CLINIC_NAME, set on the server)"))
    def clinic_name(self, obj) -> str:
        return settings.CLINIC_NAME

    @admin.display(description=_("clinic phone (CLINIC_PHONE, set on the server)"))
    def clinic_phone(self, obj) -> str:
        return settings.CLINIC_PHONE

    def get_object(self, request, object_id, from_field=None):
        # The one row is made on first use: its page opens even on a database that has none yet.
        if str(object_id) == "1" and from_field is None:
            return ClinicSettings.load()
        return super().get_object(request, object_id, from_field)

    def changelist_view(self, request, extra_context=None):
        # One row: the list is its page.
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        settings_row = ClinicSettings.load()
        return redirect(reverse("admin:intake_clinicsettings_change", args=[settings_row.pk]))

    def get_inline_instances(self, request, obj=None):
        # A post of the settings alone (a script, or a page from before the texts) leaves the
        # texts as they are, rather than being refused for lacking the texts' table.
        if request.method == "POST" and f"{TEXTS_PREFIX}-TOTAL_FORMS" not in request.POST:
            return []
        return super().get_inline_instances(request, obj)

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

    def save_formset(self, request, form, formset, change):
        """The texts, each change audited: which text in which language, never its words."""
        texts = formset.save(commit=False)
        ip_address = client_ip(request)
        for text in formset.deleted_objects:
            services.record_event(
                action=AuditAction.UPDATE,
                actor=request.user,
                obj=text,
                ip_address=ip_address,
                summary=f"clinic text {text.key} ({text.language}) removed: patients reading it "
                "get the clinic's default-language text or the app's wording",
            )
            text.delete()
        changed = {text.pk: fields for text, fields in formset.changed_objects}
        for text in texts:
            added = text.pk is None
            text.clinic_settings = form.instance
            text.save()
            services.record_event(
                action=AuditAction.CREATE if added else AuditAction.UPDATE,
                actor=request.user,
                obj=text,
                ip_address=ip_address,
                summary=f"clinic text {text.key} ({text.language}) added"
                if added
                else f"clinic text {text.key} ({text.language}) changed: "
                f"{', '.join(changed.get(text.pk, [])) or 'nothing'}",
            )

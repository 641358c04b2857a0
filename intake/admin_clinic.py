"""The clinic's settings for messages to patients, one page in the admin for a clinic admin:
the reminder schedule, the quiet hours and the sign-off. The clinic's name, phone number and
time zone come from the server's environment and are shown here for reference."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from intake import services
from intake.enums import AuditAction
from intake.http import client_ip
from intake.models import ClinicSettings


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
        ("Messages to patients", {"fields": ["sign_off", "clinic_name", "clinic_phone"]}),
    ]
    readonly_fields = ["time_zone", "clinic_name", "clinic_phone"]

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

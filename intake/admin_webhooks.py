"""The admin's webhook pages (imported by intake/admin.py): endpoints, registered by a clinic
admin with a secret shown once, and the log of every delivery attempt (no health data)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.http import client_ip
from intake.models import WebhookDelivery, WebhookEndpoint
from intake.services import webhooks

SHOWN_ON_ENDPOINT_PAGE = 10


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "is_active"]


def _log_url(endpoint: WebhookEndpoint) -> str:
    return (
        reverse("admin:intake_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Systems told of each submission. The secret is shown once, when the endpoint is added
    or its secret replaced; endpoints are switched off, never deleted."""

    form = WebhookEndpointForm
    list_display = ["url", "description", "is_active", "secret_hint", "created_at", "log_link"]
    list_filter = ["is_active"]
    readonly_fields = ["secret_hint", "created_by", "created_at", "recent_deliveries"]
    actions = ["replace_secrets"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("Signing secret"))
    def secret_hint(self, obj):
        return obj.secret_hint

    @admin.display(description=_("Deliveries"))
    def log_link(self, obj):
        return format_html('<a href="{}">{}</a>', _log_url(obj), gettext("Delivery log"))

    @admin.display(description=_("Latest deliveries"))
    def recent_deliveries(self, obj):
        attempts = list(obj.deliveries.all()[:SHOWN_ON_ENDPOINT_PAGE])
        if not attempts:
            return gettext("None yet.")
        delivered = gettext("Delivered")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td></tr>",
            (
                (
                    attempt.attempted_at.strftime("%Y-%m-%d %H:%M:%S"),
                    attempt.message_id,
                    attempt.attempt,
                    attempt.status_code or "—",
                    attempt.error or delivered,
                    attempt.duration_ms,
                )
                for attempt in attempts
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">{}</a></p>',
            gettext("Time"),
            gettext("Notice"),
            gettext("Attempt"),
            gettext("Status"),
            gettext("Outcome"),
            gettext("Took"),
            rows,
            _log_url(obj),
            gettext("The whole delivery log"),
        )

    def save_model(self, request, obj, form, change):
        if change:
            webhooks.change_webhook_endpoint(
                endpoint=obj, by=request.user, ip_address=client_ip(request)
            )
            return
        secret = webhooks.register_webhook_endpoint(
            endpoint=obj, by=request.user, ip_address=client_ip(request)
        )
        self.message_user(
            request,
            gettext(
                "The signing secret for %(url)s (copy it now: it is not shown again): %(secret)s"
            )
            % {"url": obj.url, "secret": secret},
            level=messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=_("Replace the signing secret of the selected endpoints"),
        permissions=["change"],
    )
    def replace_secrets(self, request, queryset):
        for endpoint in queryset:
            secret = webhooks.replace_webhook_secret(
                endpoint=endpoint, by=request.user, ip_address=client_ip(request)
            )
            self.message_user(
                request,
                gettext(
                    "The new signing secret for %(url)s (copy it now: it is not shown again; "
                    "the old one no longer signs): %(secret)s"
                )
                % {"url": endpoint.url, "secret": secret},
                level=messages.WARNING,
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every attempt to post a notice, newest first: read only."""

    list_display = [
        "attempted_at",
        "endpoint",
        "case_id",
        "notice",
        "attempt",
        "status_code",
        "outcome",
        "duration_ms",
        "notice_state",
    ]
    list_filter = ["endpoint"]
    list_select_related = ["endpoint", "message"]
    fields = [
        "endpoint",
        "case_id",
        "notice",
        "attempt",
        "attempted_at",
        "status_code",
        "error",
        "duration_ms",
        "notice_state",
    ]
    readonly_fields = fields

    @admin.display(description=_("Case"))
    def case_id(self, obj):
        return obj.message.intake_id

    @admin.display(description=_("Notice"))
    def notice(self, obj):
        return obj.message_id

    @admin.display(description=_("Outcome"))
    def outcome(self, obj):
        return obj.error or gettext("Delivered")

    @admin.display(description=_("The notice now"))
    def notice_state(self, obj):
        message = obj.message
        if message.last_error and message.state != "sent":
            return f"{message.get_state_display()}: {message.last_error}"
        return message.get_state_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

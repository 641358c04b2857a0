"""Webhooks: the addresses a clinic admin registers to be told of each submission, and the log
of every attempt to tell them. A notice carries the case's id and links, never health data."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 500


def validate_webhook_url(value: str) -> None:
    """An address the app may post to: https (http only with WEBHOOK_ALLOW_HTTP, for local
    testing), a host name, no user name or password, nothing that reaches into the server
    itself. The clinic admin chooses the address; this guards against typing mistakes and the
    obvious traps, not against an admin who means harm (docs/integration.md)."""
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"Enter an address of at most {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValidationError("Enter the address without spaces or hidden characters.")
    allow_http = settings.WEBHOOK_ALLOW_HTTP
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise ValidationError("Enter an address that starts with https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            "Enter the address without a user name or password: the notice is signed instead."
        )
    if parts.fragment:
        raise ValidationError("Enter the address without a # part: it is never sent.")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        raise ValidationError("Enter a port number from 1 to 65535 after the colon.") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValidationError("Enter the address with a host name, such as ehr.example.org.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (
        address.is_link_local or address.is_unspecified or address.is_multicast
    ):
        # 169.254.169.254 is a cloud server's own metadata service: never a clinic's system.
        raise ValidationError("This address cannot receive notices: enter your system's address.")
    on_this_machine = host.lower() == "localhost" or (address is not None and address.is_loopback)
    if on_this_machine and not allow_http:
        raise ValidationError(
            "Enter the address of the receiving system, not of this server (localhost)."
        )
    URLValidator(schemes=["http", "https"], message="Enter a valid web address.")(value)


class WebhookEndpoint(models.Model):
    """A system told of each submission (an EHR, a booking system). Its secret signs every
    notice; it is shown once, when the endpoint is added or the secret replaced. Switched off
    rather than deleted, so the delivery log keeps its meaning."""

    url = models.CharField(
        _("address"),
        max_length=MAX_URL_LENGTH,
        validators=[validate_webhook_url],
        help_text=_("Where to post the notice, e.g. https://ehr.example.org/hooks/intake."),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("Which system this is, for the clinic's staff."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick to stop sending notices to this address.")
    )
    # Kept as is: signing needs the secret itself (a hash would not do). Never shown after it
    # is issued (docs/integration.md says so to the clinic's IT person).
    secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        app_label = "intake"
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell which one a receiver holds."""
        return f"{self.secret[:10]}…" if self.secret else ""


class WebhookDelivery(models.Model):
    """One attempt to post one notice: when, what the receiver answered (or the error), how
    long it took. No health data: the notice itself holds none."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    message = models.ForeignKey(
        "intake.OutboxMessage",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        app_label = "intake"
        ordering = ["-attempted_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        # The log's default sort (newest first), and the same by endpoint (its filter).
        indexes = [
            models.Index(fields=["-attempted_at"], name="webhook_delivery_recent"),
            models.Index(fields=["endpoint", "-attempted_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"Notice #{self.message_id}, attempt {self.attempt}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

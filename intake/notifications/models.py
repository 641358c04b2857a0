"""The outbox: one row per message to send. It holds the recipient's address and the ids that
rebuild the message at sending time, never health data (no answers, no results)."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intake.languages import language_choices


class OutboxKind(models.TextChoices):
    INVITATION = "invitation", "Invitation link"
    SUBMITTED = "submitted", "Submission confirmation"
    # To a clinic's system, not to the patient: intake/notifications/webhooks.py.
    WEBHOOK_SUBMITTED = "webhook_submitted", "Submission notice (webhook)"
    REMINDER = "reminder", "Reminder"
    STAFF_ALERT = "staff_alert", "Staff alert"


class OutboxChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    WEBHOOK = "webhook", "Webhook"


class OutboxState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"


class OutboxMessage(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind)
    channel = models.CharField(
        _("channel"), max_length=10, choices=OutboxChannel, default=OutboxChannel.EMAIL
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    template = models.CharField(
        _("template"), max_length=100, help_text=_("Under templates/intake/emails/.")
    )
    # Ids only (intake, invitation): the message is rendered from them when it is sent. A raw
    # invitation token is the one exception, since the link cannot be rebuilt from its hash; it
    # is wiped once the message is sent or has failed.
    context = models.JSONField(_("context"), default=dict, blank=True)
    intake = models.ForeignKey(
        "intake.Intake",
        verbose_name=_("intake"),
        on_delete=models.CASCADE,
        related_name="outbox_messages",
    )
    invitation = models.ForeignKey(
        "intake.Invitation",
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState, default=OutboxState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    # A reminder's place in its invitation's series (1, 2, ...); the constraint below makes a
    # second reminder with the same number impossible, however many planners run at once.
    reminder_number = models.PositiveSmallIntegerField(_("reminder number"), null=True, blank=True)

    class Meta:
        app_label = "intake"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OutboxState.values), name="outbox_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
            models.UniqueConstraint(
                fields=["invitation", "reminder_number"],
                condition=Q(reminder_number__isnull=False),
                name="outbox_one_reminder_per_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"


class ClinicSettings(models.Model):
    """The clinic's own choices for messages to patients, edited by a clinic admin in the admin.
    One row only (pk 1, made on first use): `ClinicSettings.load()`."""

    reminders_enabled = models.BooleanField(
        _("reminders enabled"),
        default=True,
        help_text=_("Untick to send no automatic reminders at all."),
    )
    unopened_days = models.PositiveSmallIntegerField(
        _("remind when a link is not opened after (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Counted from the link's sending, or from the last reminder."),
    )
    idle_days = models.PositiveSmallIntegerField(
        _("remind when a started questionnaire is untouched for (days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Counted from the patient's last visit, or the last reminder."),
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("most reminders per link"),
        default=2,
        validators=[MaxValueValidator(5)],
        help_text=_("Automatic and sent by hand together. 0 sends none."),
    )
    quiet_from = models.TimeField(
        _("no reminders from"),
        default=dt.time(21, 0),
        help_text=_("Clinic time. A reminder due then waits for the morning."),
    )
    quiet_until = models.TimeField(
        _("until"),
        default=dt.time(8, 0),
        help_text=_("The same time in both means no quiet hours."),
    )
    sign_off = models.CharField(
        _("sign off"),
        max_length=200,
        blank=True,
        default="The clinic team",
        help_text=_("The last line of messages to patients, above the clinic's name."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "intake"
        verbose_name = _("clinic settings")
        verbose_name_plural = _("clinic settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="clinic_settings_one_row")]

    def __str__(self) -> str:
        return "Clinic settings"

    @classmethod
    def load(cls) -> ClinicSettings:
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


class ClinicTextKey(models.TextChoices):
    CRISIS_RESOURCES = "crisis_resources", "Crisis resources"
    EMERGENCY_ADVICE = "emergency_advice", "Emergency advice"
    SIGN_OFF = "sign_off", "Sign-off of messages to patients"


class ClinicText(models.Model):
    """A text the clinic writes for its patients, in one of the patient languages: edited with
    the clinic settings, and shown in place of the app's own wording in that language."""

    clinic_settings = models.ForeignKey(
        ClinicSettings,
        verbose_name=_("clinic settings"),
        on_delete=models.CASCADE,
        related_name="texts",
        default=1,
    )
    key = models.CharField(_("key"), max_length=40, choices=ClinicTextKey)
    language = models.CharField(_("language"), max_length=8, choices=language_choices)
    text = models.TextField(_("text"), max_length=2000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "intake"
        verbose_name = _("clinic text")
        verbose_name_plural = _("clinic texts")
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="clinic_text_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.language})"

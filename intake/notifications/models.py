"""The outbox: one row per message to send. It holds the recipient's address and the ids that
rebuild the message at sending time, never health data (no answers, no results)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OutboxKind(models.TextChoices):
    INVITATION = "invitation", "Invitation link"
    SUBMITTED = "submitted", "Submission confirmation"
    # To a clinic's system, not to the patient: intake/notifications/webhooks.py.
    WEBHOOK_SUBMITTED = "webhook_submitted", "Submission notice (webhook)"


class OutboxChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class OutboxState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"


class OutboxMessage(models.Model):
    kind = models.CharField(max_length=20, choices=OutboxKind)
    channel = models.CharField(max_length=10, choices=OutboxChannel, default=OutboxChannel.EMAIL)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=100, help_text="Under templates/intake/emails/.")
    # Ids only (intake, invitation): the message is rendered from them when it is sent. A raw
    # invitation token is the one exception, since the link cannot be rebuilt from its hash; it
    # is wiped once the message is sent or has failed.
    context = models.JSONField(default=dict, blank=True)
    intake = models.ForeignKey(
        "intake.Intake", on_delete=models.CASCADE, related_name="outbox_messages"
    )
    invitation = models.ForeignKey(
        "intake.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    state = models.CharField(max_length=10, choices=OutboxState, default=OutboxState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        app_label = "intake"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OutboxState.values), name="outbox_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"

"""Webhook endpoints (registered by a clinic admin, secret shown once) and the notice queued for
each of them, in the submission's own transaction, for the outbox's worker to post."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from intake.enums import AuditAction
from intake.models import Intake
from intake.notifications import signing
from intake.notifications.models import OutboxChannel, OutboxKind, OutboxMessage
from intake.notifications.tasks import deliver_message
from intake.notifications.webhook_models import WebhookEndpoint
from intake.services.common import record_event

__all__ = [
    "change_webhook_endpoint",
    "queue_submission_notices",
    "register_webhook_endpoint",
    "replace_webhook_secret",
]


def _label(endpoint: WebhookEndpoint) -> str:
    return f"webhook endpoint {endpoint.pk} ({_origin(endpoint.url)})"


def _origin(url: str) -> str:
    """The scheme and host only: a path or query may hold the receiver's own token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@transaction.atomic
def register_webhook_endpoint(
    *, endpoint: WebhookEndpoint, by, ip_address: str | None = None
) -> str:
    """Save a new endpoint with a fresh secret; returns the secret, to be shown once."""
    secret = signing.new_secret()
    endpoint.secret = secret
    endpoint.created_by = by if getattr(by, "is_authenticated", False) else None
    endpoint.save()
    record_event(
        action=AuditAction.CREATE,
        actor=by,
        obj=endpoint,
        ip_address=ip_address,
        summary=f"{_label(endpoint)} registered" + ("" if endpoint.is_active else ", switched off"),
    )
    return secret


@transaction.atomic
def change_webhook_endpoint(
    *, endpoint: WebhookEndpoint, by, ip_address: str | None = None
) -> None:
    endpoint.save(update_fields=["url", "description", "is_active"])
    record_event(
        action=AuditAction.UPDATE,
        actor=by,
        obj=endpoint,
        ip_address=ip_address,
        summary=f"{_label(endpoint)} changed: "
        + ("active" if endpoint.is_active else "switched off"),
    )


@transaction.atomic
def replace_webhook_secret(*, endpoint: WebhookEndpoint, by, ip_address: str | None = None) -> str:
    """A new secret (the old one stops working at once); returns it, to be shown once."""
    secret = signing.new_secret()
    endpoint.secret = secret
    endpoint.save(update_fields=["secret"])
    record_event(
        action=AuditAction.UPDATE,
        actor=by,
        obj=endpoint,
        ip_address=ip_address,
        summary=f"{_label(endpoint)}: signing secret replaced",
    )
    return secret


def queue_submission_notices(*, intake: Intake) -> list[OutboxMessage]:
    """One notice per active endpoint, written in the submission's transaction and handed to
    the worker once it commits. Once per endpoint and case, however often submit is sent."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_submission_notices runs inside the change's transaction")
    queued = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True).order_by("pk"):
        message, created = OutboxMessage.objects.get_or_create(
            idempotency_key=f"webhook:{endpoint.pk}:submitted:{intake.pk}",
            defaults={
                "kind": OutboxKind.WEBHOOK_SUBMITTED,
                "channel": OutboxChannel.WEBHOOK,
                "recipient": _origin(endpoint.url),
                "template": "",
                "context": {"endpoint": endpoint.pk},
                "intake": intake,
                "next_attempt_at": timezone.now(),
            },
        )
        if created:
            record_event(
                action=AuditAction.CREATE,
                intake=intake,
                obj=message,
                summary=f"submission notice queued for {_label(endpoint)}",
            )
            message_id = message.pk
            transaction.on_commit(lambda message_id=message_id: deliver_message.enqueue(message_id))
        queued.append(message)
    return queued

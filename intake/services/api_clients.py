"""API clients: registered with a token shown once (only its SHA-256 is kept), revoked, never
deleted, so that the audit trail's "API client <name>" always names a known system."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from intake.enums import AuditAction
from intake.models import ApiClient
from intake.services.common import hash_token, record_event

__all__ = ["register_api_client", "revoke_api_client", "change_api_client"]


@transaction.atomic
def register_api_client(*, client: ApiClient, by, ip_address: str | None = None) -> str:
    """Save a new client (name and scopes set) with a fresh token; returns the token, which is
    shown once and never stored."""
    token = secrets.token_urlsafe(32)
    client.token_hash = hash_token(token)
    client.token_prefix = token[:8]
    client.created_by = by if getattr(by, "is_authenticated", False) else None
    client.save()
    record_event(
        action=AuditAction.CREATE,
        actor=by,
        obj=client,
        ip_address=ip_address,
        summary=f"API client {client.name} registered: {', '.join(client.scopes) or 'no scopes'}",
    )
    return token


@transaction.atomic
def change_api_client(*, client: ApiClient, by, ip_address: str | None = None) -> None:
    client.save()
    record_event(
        action=AuditAction.UPDATE,
        actor=by,
        obj=client,
        ip_address=ip_address,
        summary=f"API client {client.name}: scopes {', '.join(client.scopes) or 'none'}",
    )


@transaction.atomic
def revoke_api_client(*, client: ApiClient, by, ip_address: str | None = None) -> None:
    if client.revoked_at is not None:
        return
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    record_event(
        action=AuditAction.UPDATE,
        actor=by,
        obj=client,
        ip_address=ip_address,
        summary=f"API client {client.name} revoked",
    )

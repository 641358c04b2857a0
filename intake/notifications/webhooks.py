"""Posting one webhook notice (an outbox message on the webhook channel) and logging the attempt.

The notice says that a case was submitted, with its id and where to fetch it; never a name, an
answer or a result. The receiver fetches the case through the API with its own token. Each
attempt is signed afresh (intake/notifications/signing.py) and logged (WebhookDelivery), and
the outbox's delivery (delivery.py) decides what a failure means: tried again later, or failed.
"""

from __future__ import annotations

import json
import time
import urllib.request
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from intake.notifications import signing
from intake.notifications.models import OutboxMessage
from intake.notifications.webhook_models import WebhookDelivery, WebhookEndpoint

__all__ = ["EVENT_SUBMITTED", "NotSent", "ReceiverFailed", "notice_body", "post"]

EVENT_SUBMITTED = "case.submitted"
USER_AGENT = "intake-webhooks/1"


class NotSent(Exception):
    """Refused before sending and for good (the endpoint was switched off): never tried again."""


class ReceiverFailed(Exception):
    """The receiver could not be reached or did not answer 2xx: tried again later."""


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notice_body(message: OutboxMessage) -> bytes:
    """The JSON posted for a submission: the same bytes on every attempt (the timestamp is a
    header), so a receiver may tell a repeat by `id`."""
    case = message.intake
    notice = {
        "id": message.pk,
        "type": EVENT_SUBMITTED,
        "case_id": case.pk,
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "case_url": _absolute(reverse("intake:case", args=[case.pk])),
        "api_url": _absolute(reverse("api:case", args=[case.pk])),
        "fhir_url": _absolute(reverse("api:case_fhir", args=[case.pk])),
    }
    return json.dumps(notice, separators=(",", ":")).encode("utf-8")


def _opener() -> urllib.request.OpenerDirector:
    """http and https only (never file:, ftp: or data:), no proxy from the environment, and no
    redirects: a 3xx is a failure, so a notice cannot be bounced on to another address."""
    opener = urllib.request.OpenerDirector()
    opener.add_handler(urllib.request.HTTPHandler())
    opener.add_handler(urllib.request.HTTPSHandler())
    return opener


def _endpoint(message: OutboxMessage) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=message.context.get("endpoint")).first()
    if endpoint is None or not endpoint.is_active:
        raise NotSent("Not sent: the webhook endpoint was switched off.")
    scheme = urlsplit(endpoint.url).scheme.lower()
    if scheme != "https" and not (scheme == "http" and settings.WEBHOOK_ALLOW_HTTP):
        raise NotSent("Not sent: the address must start with https://.")
    return endpoint


def post(message: OutboxMessage) -> None:
    """Post the notice once. Returns when the receiver answered 2xx; raises NotSent or
    ReceiverFailed otherwise. Every attempt that reaches the network is logged."""
    endpoint = _endpoint(message)
    body = notice_body(message)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.ID_HEADER: str(message.pk),
        **signing.signed_headers(secret=endpoint.secret, body=body),
    }
    # The scheme was checked above (http or https only), and the opener has no other handler.
    request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310
    attempted_at = timezone.now()
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        with _opener().open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status_code = response.status
            response.read(65536)  # the receiver's answer is not kept; read so it can close
    except (OSError, HTTPException, ValueError) as failure:
        # OSError covers refused connections, timeouts, DNS and TLS failures.
        reason = getattr(failure, "reason", None) or failure
        error = f"Could not connect: {reason}"[:300]
    if status_code is not None and not 200 <= status_code < 300:
        error = f"The receiver answered HTTP {status_code}."
        if 300 <= status_code < 400:
            error = f"The receiver answered HTTP {status_code} (a redirect, not followed)."
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        message=message,
        attempt=message.attempts,
        attempted_at=attempted_at,
        status_code=status_code,
        error=error,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
    if error:
        raise ReceiverFailed(error)

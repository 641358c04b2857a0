"""The webhook signature, as docs/integration.md gives it to receivers (standard library only).

Each delivery attempt sends two headers:

    X-Intake-Timestamp: 1796400000                  (Unix seconds when the attempt was made)
    X-Intake-Signature: v1=<hex HMAC-SHA256>

The signature is HMAC-SHA256, keyed with the endpoint's secret (the whole string, UTF-8), over
the timestamp, a full stop and the raw body: b"1796400000." + body. A receiver recomputes it,
compares in constant time and refuses a timestamp more than five minutes from its own clock, so
that a notice caught in transit cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

TIMESTAMP_HEADER = "X-Intake-Timestamp"
SIGNATURE_HEADER = "X-Intake-Signature"
ID_HEADER = "X-Intake-Webhook-Id"
SCHEME = "v1"
TOLERANCE_SECONDS = 300

__all__ = [
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "new_secret",
    "sign",
    "signed_headers",
    "verify_signature",
]


def new_secret() -> str:
    """A fresh endpoint secret: 32 random bytes, URL-safe, with a prefix that says what it is."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of b"<timestamp>." + body under the secret."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signed_headers(*, secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers for one attempt; a new timestamp each time, so that a retry an hour
    later is still within the receiver's five minutes."""
    when = int(time.time()) if timestamp is None else timestamp
    return {
        TIMESTAMP_HEADER: str(when),
        SIGNATURE_HEADER: f"{SCHEME}={sign(secret=secret, timestamp=when, body=body)}",
    }


def verify_signature(
    *,
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether a notice is genuine and fresh: the headers' values as received, the raw body.

    The same logic as the receiver's snippet in docs/integration.md (tests hold them to it).
    Several `v1=` values, comma-separated, are each tried (room for a second secret while one
    is being replaced)."""
    if not timestamp or not signature or len(timestamp) > 12:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_seconds:
        return False
    expected = sign(secret=secret, timestamp=int(timestamp), body=body)
    offered = [
        value.strip().removeprefix(f"{SCHEME}=")
        for value in signature.split(",")
        if value.strip().startswith(f"{SCHEME}=")
    ]
    return any(
        hmac.compare_digest(expected.encode(), value.encode("utf-8", "replace"))
        for value in offered
    )

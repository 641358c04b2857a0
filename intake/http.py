"""Facts about a request that layers below the views need too (the sign-in audit receivers,
the rate limits and the lockout), so that none of them imports the views."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, for rate limits, sign-in lockouts and the audit log.

    Behind a proxy (BEHIND_PROXY), REMOTE_ADDR is the proxy itself: the client is the last
    address in X-Forwarded-For, the one the proxy appended. Earlier entries were sent by the
    client and are never trusted."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no usable header: fall back to the connection's address
    return request.META.get("REMOTE_ADDR") or None

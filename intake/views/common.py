"""Small request helpers every view module shares."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, QueryDict


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


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data to bind: the POST body on a POST, even an empty one, so that an empty
    submission is validated and answered with errors rather than shown as a first visit."""
    return request.POST if request.method == "POST" else None

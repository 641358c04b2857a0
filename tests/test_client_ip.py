"""Which address a request is counted against: rate limits, lockouts and the audit log."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.utils.module_loading import import_string

from intake.http import client_ip


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.9", "10.0.0.2"),  # no proxy: a client's header is never trusted
        (True, "203.0.113.9", "203.0.113.9"),
        (True, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the proxy appends the last one
        (True, "not-an-address", "10.0.0.2"),
        (True, "", "10.0.0.2"),
        (True, "203.0.113.9, <script>", "10.0.0.2"),
    ],
)
def test_client_ip_trusts_forwarded_for_only_behind_a_proxy(
    settings, behind_proxy, forwarded, expected
):
    settings.BEHIND_PROXY = behind_proxy
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.parametrize("setting", ["AXES_CLIENT_IP_CALLABLE", "RATELIMIT_IP_META_KEY"])
def test_client_ip_is_what_the_lockout_and_the_rate_limits_count_by(setting):
    assert import_string(getattr(django_settings, setting)) is client_ip

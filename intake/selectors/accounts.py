"""Staff sign-in: the second factor's throttling."""

from __future__ import annotations

import math

from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def second_factor_wait_seconds(*, user) -> int:
    """How long django-otp's throttling still refuses every code after wrong ones (0: none).
    Each wrong code doubles the wait, so a right code typed at once is refused too."""
    now = timezone.now()
    wait = 0
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            allowed, details = device.verify_is_allowed()
            locked_until = (details or {}).get("locked_until")
            if not allowed and locked_until:
                wait = max(wait, math.ceil((locked_until - now).total_seconds()))
    return wait

"""Staff sessions: a second factor before anything else, and an idle timeout."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

# Pages a signed-in person may reach before the second factor: enrolling, verifying, leaving.
OPEN_PREFIXES = ("/staff/2fa/", "/accounts/logout/", "/static/", "/healthz")


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            # Each request restarts the idle clock (the page warns before it runs out).
            request.session.set_expiry(settings.STAFF_IDLE_MINUTES * 60)
            if not user.is_verified() and not request.path.startswith(OPEN_PREFIXES):
                return redirect(second_factor_url(request))
        return self.get_response(request)


def second_factor_url(request) -> str:
    from django_otp import devices_for_user

    has_device = any(True for _ in devices_for_user(request.user, confirmed=True))
    target = reverse("intake:otp_verify" if has_device else "intake:otp_setup")
    next_path = request.get_full_path()
    if url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
        return f"{target}?{urlencode({'next': next_path})}"
    return target

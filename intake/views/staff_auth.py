"""Staff sign-in's second step: enrol an authenticator app, or verify a code."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from intake import selectors, services
from intake.enums import AuditAction
from intake.forms.accounts import CodeForm
from intake.http import client_ip
from intake.views.common import posted

LOGIN_RATE = "intake.views.staff_auth.login_rate"


def login_rate(group, request) -> str:
    return settings.RATE_LIMIT_LOGIN


def _next(request: HttpRequest) -> str:
    landing = reverse("intake:landing")
    target = request.POST.get("next") or request.GET.get("next") or landing
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return landing


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Where staff arrive after signing in: each role's own first page."""
    if request.user.has_perm("intake.view_intake"):
        return redirect("intake:queue")
    if request.user.has_perm("intake.view_auditevent"):
        return redirect("admin:intake_auditevent_changelist")  # an auditor's one page
    raise PermissionDenied


@never_cache
@login_required
@ratelimit(key="user", rate=LOGIN_RATE, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next(request))
    if any(True for _ in devices_for_user(request.user, confirmed=True)):
        # Enrolling is for a first authenticator only: with the password alone, someone could
        # otherwise add their own app and skip the second step.
        return redirect(f"{reverse('intake:otp_verify')}?{urlencode({'next': _next(request)})}")
    device = services.pending_authenticator(user=request.user)
    form = CodeForm(posted(request))
    form.fields["token"].help_text = _("The 6-digit code your app shows now.")
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_authenticator(
                user=request.user, token=form.cleaned_data["token"], ip_address=client_ip(request)
            )
        except services.IntakeError as refusal:
            form.add_error("token", str(refusal))
        else:
            _second_factor_passed(request, device)
            return render(
                request,
                "intake/staff/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "intake/staff/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(
                scale=4, dark="#1a1a1a", light="#ffffff", title=_("Sign-in code")
            ),
            "secret": _base32(device.bin_key),
            "next": _next(request),
        },
    )


def _second_factor_passed(request: HttpRequest, device) -> None:
    """The session is now fully trusted: it gets a new id, so that an id learnt before this
    step (seen after the password alone, or planted in the browser) is worth nothing."""
    otp_login(request, device)
    request.session.cycle_key()


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode("ascii").rstrip("=")


@never_cache
@login_required
@ratelimit(key="user", rate=LOGIN_RATE, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(posted(request))
    wait = selectors.second_factor_wait_seconds(user=request.user) if form.is_bound else 0
    if wait and form.is_valid():
        # django-otp refuses every code for a while after a wrong one: say so, rather than
        # calling a right code wrong.
        form.add_error(
            "token",
            ngettext(
                "After a wrong code, codes are refused for a short while: wait %(wait)s second.",
                "After a wrong code, codes are refused for a short while: wait %(wait)s seconds.",
                wait,
            )
            % {"wait": wait},
        )
    elif request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            _second_factor_passed(request, device)
            services.record_event(
                action=AuditAction.LOGIN,
                actor=request.user,
                ip_address=client_ip(request),
                summary="second factor verified",
            )
            return redirect(_next(request))
        services.record_event(
            action=AuditAction.LOGIN_FAILED,
            actor=request.user,
            ip_address=client_ip(request),
            summary="wrong second-factor code",
        )
        form.add_error("token", _("That code did not match. Try the code your app shows now."))
    return render(request, "intake/staff/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """'Stay signed in' from the idle warning: the middleware has already restarted the clock."""
    return JsonResponse({"ok": True, "idle_minutes": settings.STAFF_IDLE_MINUTES})

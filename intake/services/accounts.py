"""Staff accounts: the second factor (authenticator app plus recovery codes) and sign-in audit."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.enums import AuditAction
from intake.services.common import IntakeError, record_event

__all__ = [
    "RECOVERY_CODE_COUNT",
    "confirm_authenticator",
    "pending_authenticator",
    "verify_second_factor",
]

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"


@transaction.atomic
def pending_authenticator(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (created once, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def confirm_authenticator(
    *, user, token: str, ip_address: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm enrolment with a first code; returns the device and new recovery codes, which
    are shown once."""
    if any(True for _ in devices_for_user(user, confirmed=True)):
        # A second authenticator would let a password alone replace the first one.
        raise IntakeError(_("An authenticator is already set up: enter the code it shows."))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise IntakeError(_("That code did not match. Enter the 6-digit code your app shows now."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    record_event(
        action=AuditAction.SECOND_FACTOR,
        actor=user,
        ip_address=ip_address,
        summary="authenticator enrolled",
    )
    return device, codes


def verify_second_factor(*, user, token: str):
    """The confirmed device that accepts this code (an app code, or a recovery code, which is
    then used up), or None."""
    token = token.strip().replace(" ", "")
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            if device.verify_token(token):
                return device
    return None

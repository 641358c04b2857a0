"""The "stop reminders" link in each reminder: the invitation's id, signed with the site's
secret (django.core.signing), so that it works without signing in and cannot be altered to
stop someone else's reminders. Nothing is stored: the link is made again when a reminder is
rendered, and a changed SECRET_KEY ends every link made before."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

__all__ = ["STOP_LINK_MAX_AGE", "BadStopLink", "invitation_id_from", "stop_token", "stop_url"]

SALT = "intake.reminders.stop"
# Longer than any link lives (INVITATION_TTL_DAYS), so a patient can stop reminders for as long
# as they can come; an older link is refused with a page that says whom to call instead.
STOP_LINK_MAX_AGE = dt.timedelta(days=90)


class BadStopLink(Exception):
    """The link was altered, cut short, or is older than STOP_LINK_MAX_AGE."""


def stop_token(invitation_id: int) -> str:
    return signing.dumps(invitation_id, salt=SALT)


def stop_url(invitation_id: int) -> str:
    path = reverse("intake:stop_reminders", args=[stop_token(invitation_id)])
    return settings.SITE_URL.rstrip("/") + path


def invitation_id_from(token: str) -> int:
    try:
        value = signing.loads(token, salt=SALT, max_age=STOP_LINK_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise BadStopLink(str(error)) from None
    if type(value) is not int:
        raise BadStopLink("not an invitation id")
    return value

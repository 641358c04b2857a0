"""Sign-in events go to the audit log. (Receivers only record; they decide nothing.)"""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from intake.enums import AuditAction


def _ip(request) -> str | None:
    from intake.views.common import client_ip

    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="intake_audit_login")
def audit_login(sender, request, user, **kwargs):
    from intake.services import record_event

    record_event(
        action=AuditAction.LOGIN, actor=user, ip_address=_ip(request), summary="password accepted"
    )


@receiver(user_login_failed, dispatch_uid="intake_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    from intake.services import record_event

    username = str(credentials.get("username", ""))[:150]
    record_event(
        action=AuditAction.LOGIN_FAILED, ip_address=_ip(request), summary=f"user name {username!r}"
    )

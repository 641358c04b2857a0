"""Sign-in events go to the audit log. (Receivers only record; they decide nothing.)"""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from intake.enums import AuditAction
from intake.http import client_ip
from intake.services import record_event


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="intake_audit_login")
def audit_login(sender, request, user, **kwargs):
    record_event(
        action=AuditAction.LOGIN, actor=user, ip_address=_ip(request), summary="password accepted"
    )


@receiver(user_login_failed, dispatch_uid="intake_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    # What was typed is not kept: a password typed into the user name field would otherwise
    # sit in the append-only log for good. An attempt on a real account names that account.
    model = get_user_model()
    account = model._default_manager.filter(
        **{model.USERNAME_FIELD: str(credentials.get("username", ""))[:150]}
    ).first()
    record_event(
        action=AuditAction.LOGIN_FAILED,
        obj=account,
        ip_address=_ip(request),
        summary="password refused for this account" if account else "unknown user name",
    )

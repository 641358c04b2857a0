"""Sign-in events go to the audit log; a change to what the work queue or a case page shows
retires their kept pages; a change to who holds which permission retires the kept permission
sets.
(Receivers only record; they decide nothing.)"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from intake import auth_backends
from intake.enums import AuditAction, CaseStatus
from intake.http import client_ip
from intake.models import (
    Assessment,
    AuditEvent,
    Intake,
    LabResultEntry,
    LicensedInstrument,
    Note,
    Patient,
    TestRecommendation,
)
from intake.selectors import case_cache, queue_cache
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


# The work queue's kept pages (intake/selectors/queue_cache.py): any saved case, patient,
# assessment or raised test, and any member of staff (the queue names the assignee), makes the
# next view read the rows again. A draft is not in the queue's body (the patients waiting for
# contact, drafts among them, are read on every view), so a patient's own saves of a draft do
# not retire it. Deleting a case or a patient does; deleting a case takes its assessments and
# tests with it.


@receiver(post_save, sender=Intake, dispatch_uid="intake_queue_case_saved")
@receiver(post_delete, sender=Intake, dispatch_uid="intake_queue_case_deleted")
def queue_case_changed(sender, instance, signal, **kwargs):
    # Read without a query: a case loaded without its status counts as changed.
    if signal is post_delete or instance.__dict__.get("status") != CaseStatus.DRAFT:
        queue_cache.touch()


@receiver(post_save, sender=Patient, dispatch_uid="intake_queue_patient_saved")
@receiver(post_delete, sender=Patient, dispatch_uid="intake_queue_patient_deleted")
@receiver(post_save, sender=Assessment, dispatch_uid="intake_queue_assessment_saved")
@receiver(post_save, sender=TestRecommendation, dispatch_uid="intake_queue_test_saved")
def queue_row_changed(sender, **kwargs):
    queue_cache.touch()


@receiver(post_save, sender=get_user_model(), dispatch_uid="intake_queue_staff_saved")
def queue_staff_changed(sender, update_fields=None, **kwargs):
    # Signing in stamps last_login alone, which the queue does not show.
    if update_fields is None or set(update_fields) != {"last_login"}:
        queue_cache.touch()


# Kept case pages (intake/selectors/case_cache.py) also follow the queue's version, so every
# change above retires them too. Besides: notes and results (saved with the case, but also
# editable on their own), the events a case's timeline lists (a view, and a patient's own save
# while filling in, are not listed), and a new questionnaire of a patient (a case lists the
# patient's others, drafts included).


@receiver(post_save, sender=Note, dispatch_uid="intake_case_note_saved")
@receiver(post_delete, sender=Note, dispatch_uid="intake_case_note_deleted")
@receiver(post_save, sender=LabResultEntry, dispatch_uid="intake_case_result_saved")
@receiver(post_delete, sender=LabResultEntry, dispatch_uid="intake_case_result_deleted")
def case_row_changed(sender, **kwargs):
    case_cache.touch()


@receiver(post_save, sender=Intake, dispatch_uid="intake_case_questionnaire_created")
def case_questionnaire_created(sender, instance, created, **kwargs):
    if created:
        case_cache.touch()


@receiver(post_save, sender=LicensedInstrument, dispatch_uid="intake_case_instrument_saved")
@receiver(post_delete, sender=LicensedInstrument, dispatch_uid="intake_case_instrument_deleted")
def case_instrument_changed(sender, **kwargs):
    # Whether the clinic holds the licensed IRLS decides how a case lists its answers.
    case_cache.touch()


@receiver(post_migrate, dispatch_uid="intake_kept_pages_after_migrate")
def kept_pages_after_migrate(sender, **kwargs):
    # An upgrade migrates, then restarts: pages kept by the earlier code, or from rows a data
    # migration rewrote without signals, are not served after it.
    if sender.name == "intake":
        queue_cache.touch()
        case_cache.touch()
        auth_backends.touch()


@receiver(post_save, sender=AuditEvent, dispatch_uid="intake_case_event_recorded")
def case_event_recorded(sender, instance, created, **kwargs):
    if not instance.intake_id or instance.action == AuditAction.VIEW:
        return
    if instance.action == AuditAction.UPDATE and instance.actor_id is None:
        return
    case_cache.touch()


# Kept permission sets (intake/auth_backends.py): a user's groups or own permissions, a
# group's permissions, a permission, and a user saved (is_active, is_superuser) or deleted,
# make the next permission check of every user read the tables again. Signing in stamps
# last_login alone, which changes no permission. Kept case pages go too: their forms and
# links follow the viewer's permissions.

_User = get_user_model()


def _permissions_changed() -> None:
    auth_backends.touch()
    case_cache.touch()


@receiver(m2m_changed, sender=_User.groups.through, dispatch_uid="intake_roles_user_groups")
@receiver(
    m2m_changed,
    sender=_User.user_permissions.through,
    dispatch_uid="intake_roles_user_permissions",
)
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="intake_roles_group_perms")
def roles_links_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _permissions_changed()


@receiver(post_save, sender=_User, dispatch_uid="intake_roles_user_saved")
def roles_user_saved(sender, update_fields=None, **kwargs):
    if update_fields is None or set(update_fields) != {"last_login"}:
        _permissions_changed()


@receiver(post_delete, sender=_User, dispatch_uid="intake_roles_user_deleted")
@receiver(post_save, sender=Group, dispatch_uid="intake_roles_group_saved")
@receiver(post_delete, sender=Group, dispatch_uid="intake_roles_group_deleted")
@receiver(post_save, sender=Permission, dispatch_uid="intake_roles_permission_saved")
@receiver(post_delete, sender=Permission, dispatch_uid="intake_roles_permission_deleted")
def roles_row_changed(sender, **kwargs):
    _permissions_changed()

"""The admin site: for the roles that manage records and read the audit log."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext_lazy as _

from intake import services
from intake.enums import AuditAction
from intake.http import client_ip


class ClinicAdminSite(admin.AdminSite):
    site_header = _("RLS & Gut Health Intake: administration")
    site_title = _("Intake administration")
    index_title = _("Records, accounts and the audit log")

    def has_permission(self, request):
        # The role decides, not the is_staff flag: clinic admins and auditors (both read the
        # audit log) may enter; practitioners work on the staff pages only. What each sees
        # inside is then up to its permissions (an auditor sees the audit log alone).
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm("intake.view_auditevent"))

    def index(self, request, extra_context=None):
        response = super().index(request, extra_context)
        if response.status_code == 200 and LogEntry.objects.filter(user=request.user).exists():
            # "Recent actions" names the records the user changed here (a patient's name and
            # date of birth among them).
            shown = LogEntry.objects.filter(user=request.user)[:10].count()
            services.record_event(
                action=AuditAction.VIEW,
                actor=request.user,
                ip_address=client_ip(request),
                summary=f"admin home, recent actions: {shown} shown",
            )
        return response

"""The admin site: for the roles that manage records and read the audit log."""

from django.contrib import admin


class ClinicAdminSite(admin.AdminSite):
    site_header = "RLS & Gut Health Intake: administration"
    site_title = "Intake administration"
    index_title = "Records, accounts and the audit log"

    def has_permission(self, request):
        # The role decides, not the is_staff flag: clinic admins and auditors (both read the
        # audit log) may enter; practitioners work on the staff pages only. What each sees
        # inside is then up to its permissions (an auditor sees the audit log alone).
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm("intake.view_auditevent"))

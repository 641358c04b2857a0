"""Django admin for clinic admins: records are browsable; answers, assessments and the audit log
are read-only here (changes go through the services)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from intake import services
from intake.enums import AuditAction
from intake.http import client_ip
from intake.models import (
    ApiClient,
    Assessment,
    AuditEvent,
    Intake,
    Invitation,
    LabResultEntry,
    LicensedInstrument,
    Note,
    Patient,
    TestRecommendation,
)
from intake.services import api_clients
from intake.templatetags.intake_labels import STATUS_WORDS, status_word
from intake.views.common import audit_list_view


class AuditedViewAdmin(admin.ModelAdmin):
    """Opening a record's page in the admin is a view of patient data: it is audited."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and response.status_code == 200:
            self._record_view(request, obj, summary="admin page")
        return response

    def history_view(self, request, object_id, extra_context=None):
        # The change history is titled with the record (a patient's name and date of birth).
        response = super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and response.status_code == 200:
            self._record_view(request, obj, summary="admin change history")
        return response

    def _record_view(self, request, obj, *, summary: str) -> None:
        intake = obj if isinstance(obj, Intake) else getattr(obj, "intake", None)
        patient = obj if isinstance(obj, Patient) else None
        services.record_event(
            action=AuditAction.VIEW,
            actor=request.user,
            intake=intake,
            patient=patient,
            obj=obj,
            ip_address=client_ip(request),
            summary=summary,
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if (
            request.method == "GET"
            and response.status_code == 200
            and hasattr(response, "context_data")
        ):
            shown = len(response.context_data["cl"].result_list)
            # The audit trail is written in English whatever the staff language: the model's
            # name untranslated (its verbose name is marked for translation).
            with translation.override(None):
                records = str(self.opts.verbose_name_plural)
            audit_list_view(request, what=f"admin list of {records}", shown=shown)
        return response


class ReadOnlyAdmin(AuditedViewAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NamesakeFilter(admin.SimpleListFilter):
    """Records told apart from another patient with the same name and date of birth (staff
    confirmed it, a different email was given, or the records existed before the database
    refused duplicates): the ones to review."""

    title = _("another person with the same name and birth date")
    parameter_name = "namesake"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes: a numbered record"))]

    def queryset(self, request, queryset):
        return queryset.filter(namesake_number__gt=0) if self.value() == "yes" else queryset


@admin.register(Patient)
class PatientAdmin(AuditedViewAdmin):
    list_display = ["full_name", "date_of_birth", "namesake", "email", "created_at", "erased_at"]
    search_fields = ["full_name", "email", "mrn"]
    list_filter = [NamesakeFilter, "created_at", "erased_at"]
    date_hierarchy = "created_at"
    # Erasure and exports go through services.erase_patient / export_subject_access, from the
    # staff pages this links to; the admin never writes the erasure fields itself.
    erasure_fields = ["erased_at", "erased_by", "erasure_reason", "data_protection"]
    # Checked, normalised and audited by field on the staff patient page
    # (services.save_contact_details); shown here, not edited.
    contact_fields = ["mobile_phone", "preferred_channel", "mrn"]
    readonly_fields = [*contact_fields, *erasure_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.erased_at is not None:
            # An erased record is not edited back into an identifiable one.
            return ["full_name", "date_of_birth", "email", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # records are erased on request (keeping the audit trail), never deleted

    def save_model(self, request, obj, form, change):
        services.save_patient_record(
            patient=obj,
            changed_fields=list(form.changed_data),
            by=request.user,
            ip_address=client_ip(request),
        )

    @admin.display(description=_("Namesake no."), ordering="namesake_number")
    def namesake(self, obj):
        # 0 is the first record with this name and date of birth; 1, 2, ... the others.
        return obj.namesake_number or "—"

    @admin.display(description=_("Data protection"))
    def data_protection(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        exports = format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("intake:export_patient_json", args=[obj.pk]),
            gettext("Export (JSON)"),
            reverse("intake:export_patient_pdf", args=[obj.pk]),
            gettext("Export (PDF)"),
        )
        if obj.erased_at is not None:
            erased_on = timezone.localtime(obj.erased_at).date().isoformat()
            return format_html("{} · {}", exports, gettext("erased %(day)s") % {"day": erased_on})
        return format_html(
            '{} · <a href="{}">{}</a>',
            exports,
            reverse("intake:erase_patient", args=[obj.pk]),
            gettext("Erase on request…"),
        )


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    can_delete = False
    fields = ["created_at", "expires_at", "revoked_at", "via_public_start", "last_opened_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        # Each row is titled with its intake's case number (Invitation.__str__): one query for
        # them all, not one a link.
        return super().get_queryset(request).select_related("intake")


class RlsResultFilter(admin.SimpleListFilter):
    title = _("RLS result")
    parameter_name = "rls_status"

    def lookups(self, request, model_admin):
        return list(STATUS_WORDS.items())

    def queryset(self, request, queryset):
        return queryset.filter(rls_status=self.value()) if self.value() else queryset


DRAFT_PRIVATE_FIELDS = ("answers", "step_revisions", "completed_steps", "consent_name")


@admin.register(Intake)
class IntakeAdmin(AuditedViewAdmin):
    list_display = [
        "case",
        "patient",
        "status",
        "urgent",
        "rls_result",
        "ibs_result",
        "submitted_at",
        "assigned_to",
    ]
    list_filter = ["status", "urgent", "crisis", RlsResultFilter, "matched_existing_patient"]
    search_fields = ["patient__full_name", "=id"]
    list_select_related = ["patient", "assigned_to"]
    readonly_fields = [
        "patient",
        "answers",
        "step_revisions",
        "completed_steps",
        "matched_existing_patient",
        "consent_version",
        "consent_name",
        "consented_at",
        "submitted_at",
        "urgent",
        "crisis",
        "rls_status",
        "ibs_status",
        "version",
        "created_at",
        "updated_at",
        "closed_at",
    ]
    fields = ["assigned_to", "status", *readonly_fields]
    inlines = [InvitationInline]

    def has_add_permission(self, request):
        return False  # intakes start from an invitation or the public start page

    def has_delete_permission(self, request, obj=None):
        return False  # records are erased on request (keeping the audit trail), never deleted

    @admin.display(description=_("Case number"))
    def case(self, obj):
        return obj.case_number

    @admin.display(description=_("RLS"), ordering="rls_status")
    def rls_result(self, obj):
        return status_word(obj.rls_status) if obj.rls_status else "—"

    @admin.display(description=_("IBS"), ordering="ibs_status")
    def ibs_result(self, obj):
        return status_word(obj.ibs_status) if obj.ibs_status else "—"

    def has_change_permission(self, request, obj=None):
        # Status and assignment change on the case page, through the services: a save here
        # would skip the allowed transitions, the case version and the audit trail.
        return False

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.is_draft:
            # A draft's answers are the patient's until they submit, as on the case pages.
            return [field for field in fields if field not in DRAFT_PRIVATE_FIELDS]
        return fields


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["intake", "kind", "ruleset_version", "created_at"]
    list_filter = ["kind", "ruleset_version"]
    list_select_related = ["intake__patient"]


@admin.register(TestRecommendation)
class TestRecommendationAdmin(ReadOnlyAdmin):
    list_display = ["intake", "test", "value", "decision", "decided_by", "decided_at"]
    list_filter = ["test", "value", "decision"]
    list_select_related = ["intake__patient", "decided_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["when", "who", "action", "record", "patient", "address", "summary"]
    list_filter = [
        "action",
        "at",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("patient", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["actor_label", "patient__full_name", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["patient"]

    @admin.display(description=_("When"), ordering="at")
    def when(self, obj):
        return obj.at

    @admin.display(description=_("Who"), ordering="actor_label")
    def who(self, obj):
        return obj.actor_label

    @admin.display(description=_("Record"))
    def record(self, obj):
        return f"{obj.object_type} {obj.object_id}".strip() or "—"

    @admin.display(description=_("From address"), ordering="ip_address")
    def address(self, obj):
        return obj.ip_address or "—"


@admin.register(LicensedInstrument)
class LicensedInstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "licence_ref", "active", "uploaded_at"]
    list_filter = ["name", "active"]


@admin.register(Invitation)
class InvitationAdmin(AuditedViewAdmin):
    """Invitations are created on the staff page (the link is shown once there); here they can
    be found, revoked and re-issued, through the same services."""

    list_display = [
        "intake",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_opened_at",
        "created_by",
    ]
    list_filter = ["via_public_start", "created_at", "revoked_at"]
    search_fields = ["intake__patient__full_name", "=intake__id"]
    list_select_related = ["intake__patient", "created_by"]
    readonly_fields = [
        "intake",
        "created_by",
        "via_public_start",
        "created_at",
        "expires_at",
        "revoked_at",
        "failed_attempts",
        "locked_until",
        "lockouts",
        "closed_at",
        "last_opened_at",
    ]
    exclude = ["token_hash"]
    actions = ["revoke_links", "reissue_links"]

    def add_view(self, request, form_url="", extra_context=None):
        # One place creates invitations: the staff page, which runs the duplicate-patient check
        # and shows the new link once (it is never stored, only its hash).
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("intake:invitations")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected links"), permissions=["change"])
    def revoke_links(self, request, queryset):
        for invitation in queryset.select_related("intake"):
            services.revoke_invitation(
                invitation=invitation, by=request.user, ip_address=client_ip(request)
            )
        self.message_user(
            request, gettext("%(count)s link(s) revoked.") % {"count": queryset.count()}
        )

    @admin.action(description=_("Issue new links (shown once)"), permissions=["change"])
    def reissue_links(self, request, queryset):
        issued = []
        for invitation in queryset.select_related("intake__patient"):
            if not invitation.intake.is_draft:
                continue
            new, token = services.reissue_invitation(
                invitation=invitation, by=request.user, ip_address=client_ip(request)
            )
            link = request.build_absolute_uri(reverse("intake:open_link", args=[token]))
            issued.append(f"{new.intake.patient.full_name}: {link}")
        if issued:
            self.message_user(
                request,
                gettext("New links (copy them now): %(links)s") % {"links": " | ".join(issued)},
            )
        else:
            self.message_user(
                request, gettext("No new links: the selected questionnaires were submitted.")
            )


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ["intake", "author", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["=intake__id", "intake__patient__full_name"]
    list_select_related = ["intake__patient", "author"]


@admin.register(LabResultEntry)
class LabResultEntryAdmin(ReadOnlyAdmin):
    list_display = ["intake", "test", "value", "unit", "taken_on", "entered_by"]
    list_filter = ["test", "taken_on"]
    list_select_related = ["intake__patient", "entered_by"]


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Give only what the system needs."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Systems that call the API. The token is shown once, when the client is added; a lost
    token is replaced by revoking the client and adding a new one."""

    form = ApiClientForm
    list_display = ["name", "scopes", "token_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["token_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_clients"]

    def save_model(self, request, obj, form, change):
        if change:
            api_clients.change_api_client(
                client=obj, by=request.user, ip_address=client_ip(request)
            )
            return
        token = api_clients.register_api_client(
            client=obj, by=request.user, ip_address=client_ip(request)
        )
        self.message_user(
            request,
            gettext("The token for %(name)s (copy it now: it is not shown again): %(token)s")
            % {"name": obj.name, "token": token},
            level=messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected API clients"), permissions=["change"])
    def revoke_clients(self, request, queryset):
        for client in queryset:
            api_clients.revoke_api_client(
                client=client, by=request.user, ip_address=client_ip(request)
            )
        self.message_user(
            request, gettext("%(count)s API client(s) revoked.") % {"count": queryset.count()}
        )


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(UserAdmin):
    """Clinic admins manage accounts and give roles (groups). Superuser status and single
    permissions stay with superusers, and so do superusers' own accounts: otherwise a clinic
    admin could make themselves a superuser, or take one over by setting its password."""

    list_display = ["username", "full_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name() or "—"

    @admin.display(description=_("Roles"))
    def roles(self, obj):
        names = sorted(group.name for group in obj.groups.all())
        return ", ".join(names) or gettext("No role")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


# The task queue (django-tasks-db) registers its results here; they hold only outbox ids, and
# staff follow a message's state on the invitations page, so the section is left out.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

# Webhook endpoints and their delivery log have their own module.
# The clinic's settings for messages to patients (reminders) have their own module.
import intake.admin_clinic  # noqa: E402, F401
import intake.admin_webhooks  # noqa: E402, F401

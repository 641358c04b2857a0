"""Views for clinic admins' records work: subject-access exports, erasure on request and the
retention review (docs/data-protection.md), which need intake.manage_records, and the patient's
contact details, which need intake.change_patient."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from intake import phones, selectors, services
from intake.enums import AuditAction
from intake.forms.records import ContactDetailsForm, ErasureForm
from intake.http import client_ip
from intake.views.common import audit_list_view, audit_view, permission_or_404, posted

PERMISSION = "intake.manage_records"


def _export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    patient = selectors.staff_patient(user=request.user, patient_id=pk)
    content, content_type, filename = services.export_subject_access(
        patient=patient, by=request.user, fmt=fmt, ip_address=client_ip(request)
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@permission_or_404(PERMISSION)
@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "json")


@never_cache
@login_required
@permission_or_404(PERMISSION)
@require_GET
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "pdf")


@never_cache
@login_required
@permission_or_404(PERMISSION)
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    patient = selectors.staff_patient(user=request.user, patient_id=pk)
    form = ErasureForm(posted(request), patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_patient(
                patient=patient,
                by=request.user,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except services.IntakeError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _(
                    "The record was erased: name, email, full date of birth and free text are "
                    "gone; the clinical data and the audit trail are kept."
                ),
            )
            return redirect("intake:patient", pk=pk)
    # The page shows the patient's name and full date of birth: a view of the record.
    audit_view(request, AuditAction.VIEW, patient=patient, summary="erasure page")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "intake/staff/erase.html", {"patient": patient, "form": form}, status=status
    )


@never_cache
@login_required
@permission_or_404("intake.change_patient")
@require_http_methods(["GET", "POST"])
def contact_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's email, mobile phone, preferred channel and clinic patient number."""
    patient = selectors.contact_patient(user=request.user, patient_id=pk)
    if patient.erased_at is not None:
        raise Http404("An erased record has no contact details to edit.")
    initial = {
        "email": patient.email,
        "mobile_phone": phones.display_mobile(patient.mobile_phone),
        "preferred_channel": patient.preferred_channel,
        "mrn": patient.mrn,
    }
    form = ContactDetailsForm(
        posted(request), initial=initial, patient=patient, region=settings.PHONE_REGION
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_contact_details(
                patient=patient, **form.cleaned_data, by=request.user, ip_address=client_ip(request)
            )
        except services.IntakeError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Contact details saved."))
            return redirect("intake:patient", pk=pk)
    else:
        # The form shows the record's contact details: a view of the record.
        audit_view(request, AuditAction.VIEW, patient=patient, summary="contact details page")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "intake/staff/contact_details.html",
        {"patient": patient, "form": form},
        status=status,
    )


@never_cache
@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.retention_due(user=request.user), selectors.RETENTION_PER_PAGE
    ).get_page(request.GET.get("page"))
    audit_list_view(request, what="retention review", shown=len(page.object_list))
    return render(
        request,
        "intake/staff/retention.html",
        {"page": page, "retention_days": settings.RECORD_RETENTION_DAYS},
    )

"""FHIR out for staff: a case's transaction Bundle, downloaded from the case page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from intake import selectors
from intake.http import client_ip
from intake.services import fhir_exports
from intake.views.common import permission_or_404


@never_cache
@login_required
@permission_or_404("intake.view_intake")
@require_GET
def case_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.staff_case(user=request.user, intake_id=pk)
    content, filename = fhir_exports.export_case_bundle(
        intake=intake, by=request.user, ip_address=client_ip(request)
    )
    response = HttpResponse(content, content_type=fhir_exports.FHIR_JSON)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

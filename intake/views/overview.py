"""The clinic overview: how invitations turn into submitted questionnaires, where patients
stop, and how the work queue stands. For practitioners and clinic admins (both see cases)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from intake import charts, selectors, services
from intake.enums import AuditAction
from intake.http import client_ip


@never_cache
@login_required
@permission_required("intake.view_intake", raise_exception=True)
@require_GET
def clinic_overview(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("period", selectors.OVERVIEW_DEFAULT_PERIOD)
    overview = selectors.clinic_overview(user=request.user, period=asked)
    sent = overview.funnel[0][1]
    # Counts only, no patient named; on record as a view, like the other list pages.
    query = request.GET.urlencode()
    services.record_event(
        action=AuditAction.VIEW,
        actor=request.user,
        ip_address=client_ip(request),
        summary="clinic overview: counts only" + (f"; {query}" if query else ""),
    )
    return render(
        request,
        "intake/staff/overview.html",
        {
            "overview": overview,
            "unknown_period": asked not in selectors.OVERVIEW_PERIODS,
            "periods": [(key, label) for key, (_days, label) in selectors.OVERVIEW_PERIODS.items()],
            "funnel_chart": charts.bar_chart(overview.funnel, share_of=sent or None),
            "stopped_chart": charts.bar_chart(overview.stopped_after),
            "status_chart": charts.bar_chart(overview.by_status),
            "age_chart": charts.bar_chart(overview.by_age),
            "stopped_total": sum(count for _label, count in overview.stopped_after),
        },
    )

"""One case: the case page, its actions (status, assignee, decisions, notes, results), print and
PDF, and the patient's page listing their cases.

Thin: fetch (404 when the case is not a submitted one), validate with a form, make one service
call, redirect. A refused change re-renders the case page with what was typed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from intake import exports, forms, selectors, services
from intake.clinical.catalogue import TIER_LABELS
from intake.enums import AuditAction, CaseStatus, Decision
from intake.http import client_ip
from intake.selectors import case_cache
from intake.views.common import audit_view, permission_or_404, whole_number

if TYPE_CHECKING:
    from intake.models import Intake


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _blank_result_rows(language: str) -> SafeString:
    return render_to_string(
        "intake/staff/_case_result_rows.html", {"rows": forms.ResultsForm().rows}
    )


def blank_result_rows() -> SafeString:
    """The results form's empty rows, the same on every case: rendered once per language (a
    third of a case page's rendering when done on each view)."""
    return _blank_result_rows(translation.get_language())


def _case_context(
    request: HttpRequest, intake, *, timeline_before: int | None = None, **overrides
) -> dict:
    detail = selectors.case_detail(
        intake=intake, facts=services.facts_for(intake), timeline_before=timeline_before
    )
    staff = selectors.assignable_staff()
    version = {"version": intake.version}
    context = {
        "case": detail,
        "result": detail.result,
        "tier_labels": TIER_LABELS,
        "status_form": forms.StatusForm(initial=version),
        "assign_form": forms.AssignForm(
            initial={**version, "assignee": intake.assigned_to_id}, staff=staff
        ),
        "note_form": forms.NoteForm(),
        "results_form": forms.ResultsForm(initial=version),
        "decision_errors": {},
        "unsaved_decision": None,
        "decision_choices": [c for c in Decision.choices if c[0] != Decision.PENDING],
        "transitions": selectors.status_choices(intake),
        "error": None,
        "error_anchor": "",
        "timeline_paged": False,
    }
    context.update(overrides)
    return context


def _render_case(
    request: HttpRequest,
    intake,
    *,
    status: int = 200,
    kept: case_cache.Lookup | None = None,
    **overrides,
) -> HttpResponse:
    """The case page. A plain view (`kept` from case_cache.lookup) is served from the cache
    when it can be, and kept when it was not; a page shown again with what was typed (the
    overrides) is always rendered afresh."""
    token = get_token(request)
    body = case_cache.kept_body(kept, intake=intake, csrf_token=token)
    if body is None:
        context = _case_context(request, intake, **overrides)
        context["blank_result_rows"] = blank_result_rows()
        # A page to keep is rendered without this request's CSRF token: it goes in when the
        # page is served.
        placeholder = case_cache.csrf_placeholder() if kept is not None else None
        if placeholder:
            context["csrf_token"] = placeholder
        body = render_to_string("intake/staff/_case_page.html", context, request=request)
        if placeholder:
            case_cache.store(kept, intake=intake, html=body, placeholder=placeholder)
            body = case_cache.with_token(body, placeholder, token)
    return render(
        request, "intake/staff/case.html", {"intake": intake, "body": body}, status=status
    )


@never_cache
@login_required
@permission_or_404("intake.view_intake")
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    # Read before the case's rows, so that a page kept from them is never newer than they are.
    kept = case_cache.lookup(intake_id=pk, user=request.user, query=request.GET)
    intake = selectors.staff_case(user=request.user, intake_id=pk)
    audit_view(request, AuditAction.VIEW, intake=intake)
    older_than = whole_number(request.GET.get("timeline_before"))
    return _render_case(
        request,
        intake,
        kept=kept,
        timeline_before=older_than,
        timeline_paged=older_than is not None,
    )


# What the summary at the top of the case page says when a form there has an error, and
# where it links to: the form may be far down the page.
INVALID_FORM = {
    "status": (
        gettext_lazy("The status was not changed: see the error under Workflow."),
        "h-workflow",
    ),
    "assign": (
        gettext_lazy("The assignment was not saved: see the error under Workflow."),
        "h-workflow",
    ),
    "note": (gettext_lazy("The note was not added: see the error under Notes."), "h-notes"),
    "results": (
        gettext_lazy("The results were not saved: see the errors under Results."),
        "h-results",
    ),
}


def _invalid(request: HttpRequest, intake, form_name: str, anchor: str = "", **forms_kept):
    """Re-render the case with the form as typed and a summary that links to its errors."""
    message, default_anchor = INVALID_FORM.get(
        form_name, (_("The decision was not saved: see the error under the test."), "h-tests")
    )
    return _render_case(
        request,
        intake,
        status=400,
        error=message,
        error_anchor=anchor or default_anchor,
        **forms_kept,
    )


def _refused(
    request: HttpRequest, intake, refusal: services.IntakeError, anchor: str = "", **forms_kept
):
    """Re-render the case as it now is (`intake` fetched again after the refusal), with the
    refusal, a link to where the typed entry is shown, and the form as it was typed."""
    status = 409 if isinstance(refusal, services.Conflict) else 400
    return _render_case(
        request, intake, status=status, error=str(refusal), error_anchor=anchor, **forms_kept
    )


def _decision_kept(intake, recommendation_id: int | None, form) -> tuple[dict, str]:
    """The typed decision, keyed by the test's current recommendation so that its card shows
    it again even after results re-evaluated the case (new ids); when the test is no longer
    suggested, it is shown on its own as the unsaved entry. With the summary's link target."""
    target = selectors.decision_target(intake=intake, recommendation_id=recommendation_id)
    if target.current_id is not None:
        return {"decision_errors": {target.current_id: form}}, f"test-{target.current_id}"
    if target.test is None:
        return {}, ""
    choices = dict(Decision.choices)
    unsaved = {
        "test": target.test_label,
        "decision": choices.get(form.data.get("decision", ""), ""),
        "reason": form.data.get("reason", ""),
        "errors": [error for errors in form.errors.values() for error in errors],
    }
    return {"unsaved_decision": unsaved}, "unsaved-entry"


def _by(request: HttpRequest) -> dict:
    """Who makes a change, and from where, as every service records it."""
    return {"by": request.user, "ip_address": client_ip(request)}


def _case_action(
    request: HttpRequest,
    pk: int,
    form_name: str,
    form,
    *,
    save: Callable[[Intake, dict], Any],
    success: str | Callable[[Any, Intake], str],
    anchor: str | Callable[[Intake], str] = "h-workflow",
    kept: Callable[[Intake, Any], tuple[dict, str]] | None = None,
) -> HttpResponse:
    """A form on the case page: validate `form`, make the one service call (`save`), and go
    back to the case with `success`. An invalid form re-renders the case with the form as typed
    and a summary that links to its errors; a refused change (a conflict, a closed case)
    re-renders the case as it now is, with the refusal and a link to `anchor`. `kept` says how
    the typed form is shown again (by default as `<form_name>_form`) and where it is."""

    def keep(intake: Intake) -> tuple[dict, str]:
        return kept(intake, form) if kept else ({f"{form_name}_form": form}, "")

    intake = selectors.staff_case(user=request.user, intake_id=pk)
    if not form.is_valid():
        forms_kept, at = keep(intake)
        return _invalid(request, intake, form_name, at, **forms_kept)
    try:
        result = save(intake, form.cleaned_data)
    except services.IntakeError as refusal:
        now = selectors.staff_case(user=request.user, intake_id=pk)
        forms_kept, at = keep(now)
        if not kept:
            at = anchor(now) if callable(anchor) else anchor
        return _refused(request, now, refusal, at, **forms_kept)
    messages.success(request, success(result, intake) if callable(success) else success)
    return redirect("intake:case", pk=pk)


@login_required
@permission_or_404("intake.change_intake")
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "status",
        forms.StatusForm(request.POST),
        save=lambda intake, data: services.change_status(
            intake_id=intake.pk, version=data["version"], status=data["status"], **_by(request)
        ),
        success=_("Status changed."),
    )


@login_required
@permission_or_404("intake.change_intake")
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    data = request.POST.copy()
    if "take" in data:
        data["assignee"] = str(request.user.pk)
    return _case_action(
        request,
        pk,
        "assign",
        forms.AssignForm(data, staff=selectors.assignable_staff()),
        save=lambda intake, data: services.assign_case(
            intake_id=intake.pk, version=data["version"], assignee=data["assignee"], **_by(request)
        ),
        success=_("Assignment saved."),
    )


def _decision_message(recommendation, intake: Intake) -> str:
    message = _("%(test)s: %(decision)s.") % {
        "test": recommendation.get_test_display(),
        "decision": recommendation.get_decision_display().lower(),
    }
    if recommendation.intake.status != intake.status:
        message += " " + _("The case is now “%(status)s”.") % {
            "status": recommendation.intake.get_status_display()
        }
    return message


@login_required
@permission_or_404("intake.change_testrecommendation")
@require_POST
def case_decision(request: HttpRequest, pk: int) -> HttpResponse:
    posted_id = _int_or_none(request.POST.get("recommendation"))
    return _case_action(
        request,
        pk,
        "decision",
        forms.DecisionForm(request.POST),
        save=lambda intake, data: services.record_decision(
            intake_id=intake.pk,
            version=data["version"],
            recommendation_id=data["recommendation"],
            decision=data["decision"],
            reason=data["reason"],
            **_by(request),
        ),
        success=_decision_message,
        kept=lambda intake, form: _decision_kept(intake, posted_id, form),
    )


@login_required
@permission_or_404("intake.change_intake")
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "note",
        forms.NoteForm(request.POST),
        save=lambda intake, data: services.add_note(
            intake_id=intake.pk, text=data["text"], **_by(request)
        ),
        success=_("Note added."),
        anchor="h-notes",
    )


@login_required
@permission_or_404("intake.change_intake")
@require_POST
def case_results(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "results",
        forms.ResultsForm(request.POST),
        save=lambda intake, data: services.record_results(
            intake_id=intake.pk, version=data["version"], results=data["results"], **_by(request)
        ),
        success=_("Results saved and the case re-evaluated."),
        # A colleague may have closed the case meanwhile: the form is then not on the page,
        # and the typed rows are shown on their own.
        anchor=lambda now: "unsaved-entry" if now.status == CaseStatus.CLOSED else "h-results",
    )


# --- print, PDF, patient -------------------------------------------------------------------


@never_cache
@login_required
@permission_or_404("intake.view_intake")
@require_GET
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.staff_case(user=request.user, intake_id=pk)
    audit_view(request, AuditAction.PRINT, intake=intake, summary="print view")
    return render(request, "intake/staff/case_print.html", _case_context(request, intake))


@never_cache
@login_required
@permission_or_404("intake.view_intake")
@require_GET
def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.staff_case(user=request.user, intake_id=pk)
    html = render_to_string(
        "intake/staff/case_pdf.html", _case_context(request, intake), request=request
    )
    pdf = exports.html_to_pdf(html)
    audit_view(request, AuditAction.PRINT, intake=intake, summary="PDF summary")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{intake.case_number}.pdf"'
    return response


@never_cache
@login_required
@permission_or_404("intake.view_patient")
@require_GET
def patient(request: HttpRequest, pk: int) -> HttpResponse:
    record, intakes = selectors.patient_record(user=request.user, patient_id=pk)
    audit_view(request, AuditAction.VIEW, patient=record)
    return render(request, "intake/staff/patient.html", {"patient": record, "intakes": intakes})

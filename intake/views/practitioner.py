"""Views for staff: invitations, the work queue, case pages, patient pages, print and export.

Thin: fetch (404 when the case is not a submitted one), validate with a form, make one service
call, redirect. A refused change re-renders the case page with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake import exports, forms, selectors, services
from intake.clinical.catalogue import TIER_LABELS
from intake.dates import age_on
from intake.enums import AuditAction, CaseStatus, Decision
from intake.http import client_ip
from intake.views.common import audit_list_view, permission_or_404, posted

if TYPE_CHECKING:
    from intake.models import Intake

# --- invitations ---------------------------------------------------------------------------


def _link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("intake:open_link", args=[token]))


def _show_link(request: HttpRequest, invitation, token: str, *, reissued: bool) -> HttpResponse:
    # The token is never stored, so this page is the only time the link can be shown.
    return render(
        request,
        "intake/staff/invitation_link.html",
        {
            "invitation": invitation,
            "link": _link(request, token),
            "reissued": reissued,
            "emailed_to": selectors.invitation_emails(invitation),
            "texted_to": selectors.invitation_texts(invitation),
        },
    )


@never_cache
@login_required
@permission_required("intake.add_invitation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    form = forms.InvitationForm(posted(request))
    on_record = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = services.create_invitation(
                **form.cleaned_data, created_by=request.user, ip_address=client_ip(request)
            )
        except services.DifferentPersonUnconfirmed as question:
            # The same form again, now carrying the record number it confirms.
            data = request.POST.copy()
            data["new_record_number"] = str(question.new_record_number)
            form = forms.InvitationForm(data)
            form.is_valid()
            on_record = question.on_record
        else:
            return _show_link(request, invitation, token, reissued=False)
    # A NUL character cannot be sent to PostgreSQL (it would be a server error); no name has one.
    search = request.GET.get("q", "").replace("\x00", "")[:100]
    page = Paginator(
        selectors.invitation_list(user=request.user, search=search), selectors.INVITATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = []
    for invitation in page:
        status = selectors.invitation_status(invitation)
        rows.append((invitation, status, selectors.invitation_actions(status)))
    audit_list_view(request, what="invitations list", shown=len(rows))
    return render(
        request,
        "intake/staff/invitations.html",
        {"form": form, "page": page, "rows": rows, "search": search, "on_record": on_record},
    )


@login_required
@permission_or_404("intake.change_invitation")
@require_POST
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.staff_invitation(user=request.user, invitation_id=pk)
    services.revoke_invitation(
        invitation=invitation, by=request.user, ip_address=client_ip(request)
    )
    messages.success(request, f"The link for {invitation.intake.patient.full_name} was revoked.")
    return redirect("intake:invitations")


@never_cache
@login_required
@permission_or_404("intake.change_invitation")
@require_POST
def reissue_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.staff_invitation(user=request.user, invitation_id=pk)
    if not invitation.intake.is_draft:
        messages.error(request, "That questionnaire was already submitted; no new link is needed.")
        return redirect("intake:invitations")
    try:
        new, token = services.reissue_invitation(
            invitation=invitation,
            by=request.user,
            ip_address=client_ip(request),
            # Offered only for a patient with an email address on record (the list's button).
            email_link=request.POST.get("email_link") == "1"
            and bool(invitation.intake.patient.email),
            # By the patient's preferred channel (the list's "by text message" button).
            send_link=request.POST.get("send_link") == "1",
        )
    except services.IntakeError as refusal:
        messages.error(request, f"No new link was made: {refusal}")
        return redirect("intake:invitations")
    return _show_link(request, new, token, reissued=True)


@login_required
@permission_or_404("intake.change_invitation")
@require_POST
def send_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    """A reminder by hand, now (or at the end of the clinic's quiet hours). It counts towards
    the clinic's maximum per link; the refusal says why when one may not go."""
    invitation = selectors.staff_invitation(user=request.user, invitation_id=pk)
    try:
        message = services.send_reminder(
            invitation=invitation, by=request.user, ip_address=client_ip(request)
        )
    except services.ReminderRefused as refusal:
        messages.error(request, f"No reminder was sent: {refusal}")
    else:
        name = invitation.intake.patient.full_name
        when = timezone.localtime(message.next_attempt_at)
        if message.next_attempt_at > timezone.now():
            messages.success(
                request,
                f"Reminder {message.reminder_number} for {name} is queued for {when:%H:%M} "
                "(after the clinic's quiet hours).",
            )
        else:
            messages.success(request, f"Reminder {message.reminder_number} for {name} is queued.")
    return redirect("intake:invitations")


# --- the work queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class SortHeader:
    """A sortable column heading of the work queue: a link that sorts by it (ascending first,
    then the other way), and how it is sorted now."""

    label: str
    href: str
    aria_sort: str  # "ascending" | "descending" | "" (not sorted by this column)
    arrow: str
    hint: str  # for screen readers: what following the link does


def _lower_first(text: str) -> str:
    """'Patient name, A to Z' -> 'patient name, A to Z', to go inside a sentence."""
    return text[:1].lower() + text[1:]


def _sort_headers(query: QueryDict, current: str) -> dict[str, SortHeader]:
    """Each sortable column's heading; its link keeps every filter and starts at page 1."""
    headers = {}
    for key, label in selectors.QUEUE_SORT_COLUMNS:
        if current == key:
            target, aria_sort, arrow = f"-{key}", "ascending", "▲"
        elif current == f"-{key}":
            target, aria_sort, arrow = key, "descending", "▼"
        else:
            target, aria_sort, arrow = key, "", ""
        link = query.copy()
        link["sort"] = target
        hint = f"sort: {_lower_first(selectors.QUEUE_SORTS[target][0])}"
        headers[key] = SortHeader(label, f"?{link.urlencode()}", aria_sort, arrow, hint)
    return headers


# The query-string keys that say which page of the queue; the rest are filters and the order.
PAGE_KEYS = ("after", "before", "page", "start")


def _whole_number(value: str | None) -> int | None:
    """A case id or a position from the query string; anything else (too long for the
    database's integers included) counts as not given."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0:
        return int(value)
    return None


def _queue_place(query: QueryDict) -> selectors.QueuePlace:
    return selectors.QueuePlace(
        after=_whole_number(query.get("after")),
        before=_whole_number(query.get("before")),
        last=query.get("page") == "last",
        start=_whole_number(query.get("start")),
    )


@dataclass(frozen=True)
class Pager:
    """The queue's Previous and Next links (First and Last too) and what the page shows."""

    first: str
    previous: str
    next: str
    last: str
    showing: str


def _page_link(query: QueryDict, **place) -> str:
    link = query.copy()
    for key, value in place.items():
        if value is not None:
            link[key] = str(value)
    return f"?{link.urlencode()}"


def _pager(query: QueryDict, page: selectors.QueuePage) -> Pager:
    rows, start, per_page = page.rows, page.start, page.per_page
    if not rows:
        return Pager("", "", "", "", "")
    previous = ""
    if page.has_previous:
        back = start - per_page if start is not None else None
        previous = (
            _page_link(query)
            if back is not None and back <= 1
            else _page_link(query, before=rows[0].pk, start=back)
        )
    later = page.end + 1 if page.end is not None else None
    count = len(rows)
    if start is not None:
        showing = f"Showing cases {start}–{page.end}" if count > 1 else f"Showing case {start}"
    elif not page.has_next:
        showing = f"Showing the last {count} case{'s' if count > 1 else ''}"
    else:
        showing = f"Showing {count} case{'s' if count > 1 else ''}"
    return Pager(
        first=_page_link(query) if page.has_previous else "",
        previous=previous,
        next=_page_link(query, after=rows[-1].pk, start=later) if page.has_next else "",
        last=_page_link(query, page="last") if page.has_next else "",
        showing=showing,
    )


@never_cache
@login_required
@permission_required("intake.view_intake", raise_exception=True)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filter_form = forms.QueueFilterForm(request.GET)
    filters = filter_form.filters()
    page = selectors.queue_page(user=request.user, filters=filters, place=_queue_place(request.GET))
    today = timezone.localdate()
    rows = [
        (intake, selectors.raised_tests(intake), age_on(intake.patient.date_of_birth, today))
        for intake in page.rows
    ]
    needing_contact = selectors.contact_needed(user=request.user)
    audit_list_view(request, what="work queue", shown=len(rows) + len(needing_contact))
    query = request.GET.copy()
    for key in PAGE_KEYS:
        query.pop(key, None)
    # The filters alone, without the order: the sort links swap only the order.
    filter_query = query.copy()
    filter_query.pop("sort", None)
    return render(
        request,
        "intake/staff/queue.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "sort_label": _lower_first(selectors.QUEUE_SORTS[filters.sort][0]),
            "sort_headers": _sort_headers(filter_query, filters.sort),
            "page": page,
            "pager": _pager(query, page),
            "rows": rows,
            "counts": selectors.queue_counts(user=request.user),
            "needing_contact": needing_contact,
            "query": query.urlencode(),
            "filter_query": filter_query.urlencode(),
        },
    )


@login_required
@permission_or_404("intake.change_intake")
@require_POST
def record_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """From the work queue, or from the case page (`return_to=case`, a submitted case only)."""
    intake = selectors.contact_request(user=request.user, intake_id=pk)
    services.record_contact(intake_id=intake.pk, by=request.user, ip_address=client_ip(request))
    messages.success(
        request, f"Recorded that {intake.patient.full_name} ({intake.case_number}) was contacted."
    )
    if request.POST.get("return_to") == "case" and not intake.is_draft:
        return redirect("intake:case", pk=intake.pk)
    return redirect("intake:queue")


@login_required
@permission_required("intake.view_intake", raise_exception=True)
@require_GET
def export_queue(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered queue as CSV, streamed row by row (docs/csv-codebook.md)."""
    filter_form = forms.QueueFilterForm(request.GET)
    filters = filter_form.filters()
    if filter_form.errors:
        # The queue page shows an unknown filter's error and leaves the filter out; a download
        # has nowhere to show it, and must never hold more patients than were asked for.
        messages_text = [error for errors in filter_form.errors.values() for error in errors]
        return HttpResponse(
            "\n".join(messages_text), status=400, content_type="text/plain; charset=utf-8"
        )
    services.record_event(
        action=AuditAction.EXPORT,
        actor=request.user,
        ip_address=client_ip(request),
        summary="work queue CSV" + (f": {request.GET.urlencode()}" if request.GET else ""),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        exports.queue_csv_lines(selectors.export_rows(user=request.user, filters=filters)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return response


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


# --- one case ------------------------------------------------------------------------------


def _audit_view(
    request: HttpRequest, action: str, *, intake: Intake | None = None, patient=None, summary=""
) -> None:
    """A page or a printout showing one case or patient is on record: who, when, from where."""
    services.record_event(
        action=action,
        actor=request.user,
        intake=intake,
        patient=patient,
        obj=intake or patient,
        ip_address=client_ip(request),
        summary=summary,
    )


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


def _render_case(request: HttpRequest, intake, *, status: int = 200, **overrides) -> HttpResponse:
    return render(
        request,
        "intake/staff/case.html",
        _case_context(request, intake, **overrides),
        status=status,
    )


@never_cache
@login_required
@permission_or_404("intake.view_intake")
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.staff_case(user=request.user, intake_id=pk)
    _audit_view(request, AuditAction.VIEW, intake=intake)
    older_than = _whole_number(request.GET.get("timeline_before"))
    return _render_case(
        request, intake, timeline_before=older_than, timeline_paged=older_than is not None
    )


# What the summary at the top of the case page says when a form there has an error, and
# where it links to: the form may be far down the page.
INVALID_FORM = {
    "status": ("The status was not changed: see the error under Workflow.", "h-workflow"),
    "assign": ("The assignment was not saved: see the error under Workflow.", "h-workflow"),
    "note": ("The note was not added: see the error under Notes.", "h-notes"),
    "results": ("The results were not saved: see the errors under Results.", "h-results"),
}


def _invalid(request: HttpRequest, intake, form_name: str, anchor: str = "", **forms_kept):
    """Re-render the case with the form as typed and a summary that links to its errors."""
    message, default_anchor = INVALID_FORM.get(
        form_name, ("The decision was not saved: see the error under the test.", "h-tests")
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
        success="Status changed.",
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
        success="Assignment saved.",
    )


def _decision_message(recommendation, intake: Intake) -> str:
    message = (
        f"{recommendation.get_test_display()}: {recommendation.get_decision_display().lower()}."
    )
    if recommendation.intake.status != intake.status:
        message += f" The case is now “{recommendation.intake.get_status_display()}”."
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
        success="Note added.",
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
        success="Results saved and the case re-evaluated.",
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
    _audit_view(request, AuditAction.PRINT, intake=intake, summary="print view")
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
    _audit_view(request, AuditAction.PRINT, intake=intake, summary="PDF summary")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{intake.case_number}.pdf"'
    return response


@never_cache
@login_required
@permission_or_404("intake.view_patient")
@require_GET
def patient(request: HttpRequest, pk: int) -> HttpResponse:
    record, intakes = selectors.patient_record(user=request.user, patient_id=pk)
    _audit_view(request, AuditAction.VIEW, patient=record)
    return render(request, "intake/staff/patient.html", {"patient": record, "intakes": intakes})

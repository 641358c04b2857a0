"""Small request helpers every view module shares."""

from __future__ import annotations

import functools

from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, QueryDict

from intake import services
from intake.enums import AuditAction
from intake.http import client_ip


def permission_or_404(permission: str):
    """For a page about one record: a role without `permission` gets the same 404 as a record
    that does not exist, so a refusal says nothing about which records exist. (The selectors
    return nothing to such a role either.) Put it under @login_required."""

    def decorator(view):
        @functools.wraps(view)
        def checked(request: HttpRequest, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise Http404
            return view(request, *args, **kwargs)

        return checked

    return decorator


def audit_list_view(request: HttpRequest, *, what: str, shown: int) -> None:
    """A page listing patients is a view of patient data too: on record with what was asked
    for (filters, search, page) and how many rows it showed."""
    query = request.GET.urlencode()
    services.record_event(
        action=AuditAction.VIEW,
        actor=request.user,
        ip_address=client_ip(request),
        summary=f"{what}: {shown} shown" + (f"; {query}" if query else ""),
    )


# What a patient page's form held when the patient switched language (views/languages.py):
# {"path": ..., "data": {name: [values]}}, shown again once by that page.
SESSION_CARRIED = "patient_carried_form"


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data to bind: the POST body on a POST, even an empty one, so that an empty
    submission is validated and answered with errors rather than shown as a first visit."""
    return request.POST if request.method == "POST" else None


def audit_view(request: HttpRequest, action: str, *, intake=None, patient=None, summary="") -> None:
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


def whole_number(value: str | None) -> int | None:
    """A case id or a position from the query string; anything else (too long for the
    database's integers included) counts as not given."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0:
        return int(value)
    return None


def carried_data(request: HttpRequest) -> QueryDict | None:
    """The form data the patient had typed on this page before switching language, once."""
    carried = request.session.get(SESSION_CARRIED)
    if not isinstance(carried, dict) or carried.get("path") != request.path:
        return None
    del request.session[SESSION_CARRIED]
    data = QueryDict(mutable=True)
    for name, values in (carried.get("data") or {}).items():
        if isinstance(name, str) and isinstance(values, list):
            data.setlist(name, [str(value) for value in values])
    return data


def show_unchecked(form) -> None:
    """A form filled with carried data shows what was typed, not errors: nothing was sent."""
    form.is_valid()  # the page's facts (which questions show) follow the typed answers
    form.errors.clear()
    rows = getattr(form, "rows", None)  # the earlier results' rows (LabsForm)
    if isinstance(rows, BaseFormSet):
        for row in rows.forms:
            row.errors.clear()
        rows.non_form_errors().clear()

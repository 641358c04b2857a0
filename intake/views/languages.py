"""The patient's language switch (templates/intake/patient/_language_switch.html).

A switch keeps the patient where they are and what they typed: on a page with a form the
switch's buttons belong to that form, so the form's fields arrive here with the chosen
language. They are carried in the session to the page named by `next`, which shows them
again, unsaved and without errors (`carried_data`), in the new language. Nothing is saved by
switching: saving, and every check it runs, stays with the page's own button.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from intake import forms, questionnaire, services
from intake.languages import SESSION_LANGUAGE, supported_language
from intake.views.common import SESSION_CARRIED
from intake.views.patient_access import (
    SESSION_IDLE,
    SESSION_INTAKE,
    SESSION_LANGUAGE_PENDING,
    SESSION_PENDING,
    patient_rate,
)

# Fields of the switch itself, and the form's token, are not the patient's answers.
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", "language", "next"})
# What is carried is kept in the session until the page shows it: only the fields of the
# target page's form, and nothing at all past this many characters (a patient's page holds at
# most one 2,000-character answer and a few short ones; a body of up to
# DATA_UPLOAD_MAX_MEMORY_SIZE is not written into the session).
CARRIED_MAX_CHARS = 16_000
# The earlier results' rows (intake/forms/labs.py, prefix "labs"), as many as the step shows.
LAB_ROW_FIELDS = frozenset(forms.LabRowForm.base_fields)
LAB_MANAGEMENT = frozenset(
    f"labs-{name}" for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("intake:home")


def _form_fields(target: str):
    """A test of the field names the form of the patient page at `target` has, or None for
    a page with no form to carry (a staff page, the welcome page, an unknown path)."""
    path = target.split("?", 1)[0]
    prefix = get_script_prefix()
    if path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view_name, slug = match.view_name, match.kwargs.get("slug")
    if view_name == "intake:step":
        step = questionnaire.STEPS_BY_SLUG.get(slug)
        if step is None or step.kind == questionnaire.StepKind.CONSENT:
            return None
        names = frozenset(forms.step_form_class(step).base_fields)
        if step.kind != questionnaire.StepKind.LABS:
            return names.__contains__
        return lambda name: name in names or name in LAB_MANAGEMENT or _lab_row_field(name)
    form_class = {
        "intake:verify": forms.DateOfBirthForm,
        "intake:start": forms.PatientDetailsForm,
        "intake:review": forms.ConsentForm,
    }.get(view_name)
    return None if form_class is None else frozenset(form_class.base_fields).__contains__


def _lab_row_field(name: str) -> bool:
    parts = name.split("-")
    return (
        len(parts) == 3
        and parts[0] == "labs"
        and parts[1].isascii()
        and parts[1].isdigit()
        and int(parts[1]) < questionnaire.MAX_LAB_ROWS
        and parts[2] in LAB_ROW_FIELDS
    )


def _carried(request: HttpRequest, target: str) -> dict[str, list[str]]:
    """The typed fields of the target page's form, or nothing when they are too large."""
    known = _form_fields(target)
    if known is None:
        return {}
    carried = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in NOT_CARRIED and known(name)
    }
    size = sum(len(name) + sum(len(value) for value in values) for name, values in carried.items())
    return carried if size <= CARRIED_MAX_CHARS else {}


@never_cache
@ratelimit(key="ip", rate=patient_rate, method="POST", block=True)
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    language = supported_language(request.POST.get("language"))
    if language is None:
        return HttpResponseBadRequest(
            _("That language is not offered here. Go back and choose one from the list."),
            content_type="text/plain; charset=utf-8",
        )
    target = _safe_next(request)
    request.session[SESSION_LANGUAGE] = language
    intake_id = request.session.get(SESSION_INTAKE)
    pending = request.session.get(SESSION_PENDING)
    if intake_id is not None and not request.session.get(SESSION_IDLE):
        services.set_intake_language(intake_id=intake_id, language=language)
    elif pending is not None:
        # On the date-of-birth page: the intake takes the choice once the date is given.
        request.session[SESSION_LANGUAGE_PENDING] = pending
    request.session.pop(SESSION_CARRIED, None)  # an earlier switch's, never shown
    carried = _carried(request, target)
    if carried:
        request.session[SESSION_CARRIED] = {"path": target.split("?", 1)[0], "data": carried}
    response = redirect(target)
    # Pages before an intake is open (the home page, the date of birth) read the cookie.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response

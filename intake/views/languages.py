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
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from intake import services
from intake.languages import SESSION_LANGUAGE, supported_language
from intake.views.common import SESSION_CARRIED
from intake.views.patient import SESSION_INTAKE, patient_rate

# Fields of the switch itself, and the form's token, are not the patient's answers.
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", "language", "next"})


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("intake:home")


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
    if intake_id is not None:
        services.set_intake_language(intake_id=intake_id, language=language)
    carried = {name: request.POST.getlist(name) for name in request.POST if name not in NOT_CARRIED}
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

"""How a browser reaches its questionnaire, and the pages anyone may open without signing in.

A patient gets in only through their invitation link (or the public start page when the clinic
enables it). Opening a link puts that one intake into the browser session; once answers exist,
the date of birth is asked first. Every patient view then reads the intake from the session
(`session_intake`), so a patient can never address another patient's intake by number. A
browser left for longer than PATIENT_IDLE_MINUTES shows nothing more until the date of birth
is given again. Also here: the home page, the health check, and stopping reminders.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from intake import forms, health, questionnaire, selectors, services
from intake.http import client_ip
from intake.languages import SESSION_LANGUAGE
from intake.models import Intake, Invitation
from intake.views.common import carried_data, posted, show_unchecked

SESSION_INTAKE = "patient_intake"
SESSION_INVITATION = "patient_invitation"
SESSION_PENDING = "patient_pending_invitation"
SESSION_RESUME_LINK = "patient_resume_link"  # the public start page's link, until first saved
# The idle timeout: when this browser last made a request, and whether it has since been left
# for longer than PATIENT_IDLE_MINUTES (until the date of birth is given again).
SESSION_SEEN = "patient_seen_at"
SESSION_IDLE = "patient_idle"
# The invitation whose date-of-birth page this browser chose a language on: kept on its
# intake once the date of birth is given (views/languages.py), not before.
SESSION_LANGUAGE_PENDING = "patient_language_pending"
# The clock is written to the session at most once a minute, not on every autosave.
SEEN_RESOLUTION_SECONDS = 60
# When this browser's autosaves were last recorded on the audit trail, per step of the intake
# it holds, with the address they came from (services.AUTOSAVE_AUDIT_SECONDS).
SESSION_AUTOSAVE_RECORDED = "patient_autosave_recorded"
IDLE_MESSAGE = gettext_lazy(
    "For your privacy, please enter your date of birth again: this questionnaire was left "
    "open for a while. Everything you typed is saved."
)


def patient_rate(group, request) -> str:
    """Rate limit for the patient's unauthenticated entry points (settings.RATE_LIMIT_PATIENT)."""
    return settings.RATE_LIMIT_PATIENT


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/patient/home.html",
        {"public_start_enabled": settings.PUBLIC_START_ENABLED},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: the app is up and can reach its database (asked on
    a new connection each time, within HEALTH_CHECK_TIMEOUT_SECONDS: intake.health)."""
    if not health.database_reachable():
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# --- access --------------------------------------------------------------------------------


def _grant(request: HttpRequest, invitation: Invitation) -> None:
    request.session.cycle_key()  # a new session id for the newly trusted session
    request.session.pop(SESSION_PENDING, None)
    request.session.pop(SESSION_RESUME_LINK, None)  # it belonged to the intake open before
    request.session.pop(SESSION_IDLE, None)
    request.session.pop(SESSION_AUTOSAVE_RECORDED, None)
    request.session[SESSION_SEEN] = now_seconds()
    request.session[SESSION_INTAKE] = invitation.intake_id
    request.session[SESSION_INVITATION] = invitation.pk
    # The intake's language from now on: the one chosen on the page just before (the date of
    # birth), else the one chosen before (by the patient, or on the invitation), else this
    # browser's, kept as the first guess.
    chosen_here = request.session.pop(SESSION_LANGUAGE_PENDING, None) == invitation.pk
    chosen = invitation.intake.language
    if chosen_here and request.session.get(SESSION_LANGUAGE):
        services.set_intake_language(
            intake_id=invitation.intake_id, language=request.session[SESSION_LANGUAGE]
        )
    elif chosen:
        request.session[SESSION_LANGUAGE] = chosen
    else:
        services.remember_language(intake_id=invitation.intake_id, language=get_language())


class PatientIdle(Exception):
    """The browser was left for longer than PATIENT_IDLE_MINUTES: the date of birth first."""


def now_seconds() -> int:
    return int(timezone.now().timestamp())


def _left_idle(request: HttpRequest) -> bool:
    """Whether this browser was left for longer than the clinic's idle time since its last
    request (on a shared computer, the next person must not read the answers). Once it was,
    it stays so until the date of birth is given again; until then each request restarts the
    clock."""
    if request.session.get(SESSION_IDLE):
        return True
    now = now_seconds()
    seen = request.session.get(SESSION_SEEN)
    if isinstance(seen, int) and now - seen > settings.PATIENT_IDLE_MINUTES * 60:
        request.session[SESSION_IDLE] = True
        request.session[SESSION_PENDING] = request.session.get(SESSION_INVITATION)
        return True
    if not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SESSION_SEEN] = now
    return False


def session_intake(request: HttpRequest, *, saving: bool = False, lock: bool = False) -> Intake:
    """The intake this browser holds. After the idle time nothing of it is shown until the date
    of birth is given again (PatientIdle), but what the patient sends is still saved (`saving`):
    nothing typed is lost. The help page is shown either way. `lock`: read with a lock on the
    intake's row, inside the transaction of a save that follows."""
    intake = selectors.patient_intake(
        intake_id=request.session.get(SESSION_INTAKE),
        invitation_id=request.session.get(SESSION_INVITATION),
        lock=lock,
    )
    if _left_idle(request) and not saving:
        raise PatientIdle
    return intake


def ask_date_of_birth_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, IDLE_MESSAGE)
    return redirect("intake:verify")


def _link_unavailable(request: HttpRequest, refusal: Exception) -> HttpResponse:
    return render(
        request, "intake/patient/link_unavailable.html", {"message": str(refusal)}, status=404
    )


def session_link_live(view):
    """A draft whose link expired after this browser opened it is shown the same page as the
    expired link itself: the answers are kept, and the clinic can send a new link."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.InvitationUnavailable as refusal:
            return _link_unavailable(request, refusal)
        except PatientIdle:
            return ask_date_of_birth_again(request)

    return wrapped


@never_cache
@ratelimit(key="ip", rate=patient_rate, method="GET", block=True)
@require_GET
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnavailable as refusal:
        return _link_unavailable(request, refusal)
    if services.needs_date_of_birth(invitation):
        request.session.pop(SESSION_INTAKE, None)
        request.session.pop(SESSION_INVITATION, None)
        request.session[SESSION_PENDING] = invitation.pk
        return redirect("intake:verify")
    services.mark_opened(invitation=invitation, ip_address=client_ip(request))
    _grant(request, invitation)
    return redirect("intake:resume")


@never_cache
@ratelimit(key="ip", rate=patient_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    invitation = selectors.pending_invitation(invitation_id=request.session.get(SESSION_PENDING))
    carried = None if request.method == "POST" else carried_data(request)
    form = forms.DateOfBirthForm(carried if carried is not None else posted(request))
    if carried is not None:
        show_unchecked(form)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.check_date_of_birth(
                invitation=invitation,
                date_of_birth=form.cleaned_data["date_of_birth"],
                ip_address=client_ip(request),
            )
        except services.LinkLocked as refusal:
            form.add_error(None, str(refusal))
        else:
            if check.matched:
                _grant(request, invitation)
                return redirect("intake:resume")
            if check.closed:
                form.add_error(
                    "date_of_birth",
                    _(
                        "That date of birth does not match our records. For your security "
                        "this link is now closed. Please ask your clinic for a new link."
                    ),
                )
            elif check.locked:
                form.add_error(
                    "date_of_birth",
                    _(
                        "That date of birth does not match our records. For your security "
                        "the link is now locked for 15 minutes."
                    ),
                )
            else:
                form.add_error(
                    "date_of_birth",
                    ngettext(
                        "That date of birth does not match our records. You have %(count)d "
                        "more try before the link locks for 15 minutes.",
                        "That date of birth does not match our records. You have %(count)d "
                        "more tries before the link locks for 15 minutes.",
                        check.attempts_left,
                    )
                    % {"count": check.attempts_left},
                )
    # Asked before anything is answered (REQUIRE_DOB_ON_FIRST_OPEN): a first visit, not a return.
    first_open = invitation.intake.is_draft and not invitation.intake.answers
    return render(
        request,
        "intake/patient/verify.html",
        {"form": form, "first_open": first_open, "carry_form": "dob-form"},
    )


@never_cache
@ratelimit(key="ip", rate=patient_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The public "new patient" page, when the clinic enables it."""
    if not settings.PUBLIC_START_ENABLED:
        raise Http404(_("Starting without an invitation is not enabled at this clinic."))
    carried = None if request.method == "POST" else carried_data(request)
    form = forms.PatientDetailsForm(carried if carried is not None else posted(request))
    if carried is not None:
        show_unchecked(form)
    if request.method == "POST" and form.is_valid():
        invitation, token = services.create_invitation(
            **form.cleaned_data,
            via_public_start=True,
            ip_address=client_ip(request),
            language=get_language(),  # the language the patient has been reading
        )
        _grant(request, invitation)
        # Shown on the first step page until it is saved: the only way back in from another
        # device. The token itself is never stored (only its hash) and never emailed.
        request.session[SESSION_RESUME_LINK] = request.build_absolute_uri(
            reverse("intake:open_link", args=[token])
        )
        return redirect("intake:resume")
    return render(
        request, "intake/patient/start.html", {"form": form, "carry_form": "details-form"}
    )


@never_cache
@require_GET
@session_link_live
def resume(request: HttpRequest) -> HttpResponse:
    intake = session_intake(request)
    if not intake.is_draft:
        return redirect("intake:done")
    if not intake.step_revisions:
        return redirect("intake:welcome")  # nothing saved yet: who is asking, why, how long
    step = services.first_unanswered_step(intake)
    return redirect("intake:step", slug=step.slug) if step else redirect("intake:review")


@never_cache
@require_GET
@session_link_live
def welcome(request: HttpRequest) -> HttpResponse:
    """The page before the first step: who is asking and why, about how long it takes, what
    to have ready, that it can be paused, and whom to call."""
    intake = session_intake(request)
    if not intake.is_draft:
        return redirect("intake:done")
    facts = services.facts_for(intake)
    first_step = questionnaire.applicable_steps(facts)[0]
    return render(
        request,
        "intake/patient/welcome.html",
        {
            "estimate": questionnaire.time_estimate(facts),
            "started": bool(intake.step_revisions),
            "first_step_url": reverse("intake:step", args=[first_step.slug]),
            "invitation_days": settings.INVITATION_TTL_DAYS,
        },
    )


# --- reminders ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=patient_rate, method="POST", block=True)
def stop_reminders(request: HttpRequest, token: str) -> HttpResponse:
    """The "stop reminders" link in a reminder, without signing in. Following the link only
    asks (mail scanners follow links too); the button stops them. A link altered, cut short or
    too old gets a page that says so and whom to call."""
    try:
        if request.method == "POST":
            invitation = services.stop_reminders(token=token, ip_address=client_ip(request))
            stopped_at = invitation.reminders_stopped_at
        else:
            services.check_stop_link(token=token)
            stopped_at = None
    except services.BadStopLink:
        return render(request, "intake/patient/stop_reminders_invalid.html", status=400)
    return render(request, "intake/patient/stop_reminders.html", {"stopped_at": stopped_at})

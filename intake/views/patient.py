"""Views anyone may reach without signing in: the patient's pages and the health check.

A patient gets in only through their invitation link (or the public start page when the clinic
enables it). Opening a link puts that one intake into the browser session; once answers exist,
the date of birth is asked first. Every view below then reads the intake from the session, so
a patient can never address another patient's intake by number.
"""

from __future__ import annotations

import copy
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from intake import forms, health, questionnaire, selectors, services
from intake.http import client_ip
from intake.languages import SESSION_LANGUAGE
from intake.models import Intake, Invitation
from intake.questionnaire import StepKind
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

# Steps whose typing is saved as the patient goes (static/js/autosave.js). Not the mood step:
# its nine questions are stored all together or not at all, so nothing could be saved before
# the last one, and that save would store answers that may meet the crisis rule without the
# crisis page or the clinic being told, which only the full save does. Consent is one click.
AUTOSAVE_KINDS = frozenset({StepKind.QUESTIONS, StepKind.LABS, StepKind.IRLS})


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
    request.session[SESSION_SEEN] = _now_seconds()
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


def _now_seconds() -> int:
    return int(timezone.now().timestamp())


def _left_idle(request: HttpRequest) -> bool:
    """Whether this browser was left for longer than the clinic's idle time since its last
    request (on a shared computer, the next person must not read the answers). Once it was,
    it stays so until the date of birth is given again; until then each request restarts the
    clock."""
    if request.session.get(SESSION_IDLE):
        return True
    now = _now_seconds()
    seen = request.session.get(SESSION_SEEN)
    if isinstance(seen, int) and now - seen > settings.PATIENT_IDLE_MINUTES * 60:
        request.session[SESSION_IDLE] = True
        request.session[SESSION_PENDING] = request.session.get(SESSION_INVITATION)
        return True
    if not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION_SECONDS:
        request.session[SESSION_SEEN] = now
    return False


def _session_intake(request: HttpRequest, *, saving: bool = False, lock: bool = False) -> Intake:
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


def _ask_date_of_birth_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, IDLE_MESSAGE)
    return redirect("intake:verify")


def _link_unavailable(request: HttpRequest, refusal: Exception) -> HttpResponse:
    return render(
        request, "intake/patient/link_unavailable.html", {"message": str(refusal)}, status=404
    )


def _session_link_live(view):
    """A draft whose link expired after this browser opened it is shown the same page as the
    expired link itself: the answers are kept, and the clinic can send a new link."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.InvitationUnavailable as refusal:
            return _link_unavailable(request, refusal)
        except PatientIdle:
            return _ask_date_of_birth_again(request)

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
@_session_link_live
def resume(request: HttpRequest) -> HttpResponse:
    intake = _session_intake(request)
    if not intake.is_draft:
        return redirect("intake:done")
    if not intake.step_revisions:
        return redirect("intake:welcome")  # nothing saved yet: who is asking, why, how long
    step = services.first_unanswered_step(intake)
    return redirect("intake:step", slug=step.slug) if step else redirect("intake:review")


@never_cache
@require_GET
@_session_link_live
def welcome(request: HttpRequest) -> HttpResponse:
    """The page before the first step: who is asking and why, about how long it takes, what
    to have ready, that it can be paused, and whom to call."""
    intake = _session_intake(request)
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


# --- the steps -----------------------------------------------------------------------------


def _next_url(intake: Intake, step: questionnaire.Step) -> str:
    # The last step leads to the check page, where consent is signed as the answers are sent.
    steps = questionnaire.applicable_steps(services.facts_for(intake))
    slugs = [candidate.slug for candidate in steps if candidate.kind != StepKind.CONSENT]
    if step.slug in slugs and slugs.index(step.slug) + 1 < len(slugs):
        return reverse("intake:step", args=[slugs[slugs.index(step.slug) + 1]])
    return reverse("intake:review")


def _previous_url(intake: Intake, step: questionnaire.Step) -> str | None:
    slugs = [s.slug for s in questionnaire.applicable_steps(services.facts_for(intake))]
    if step.slug in slugs and slugs.index(step.slug) > 0:
        return reverse("intake:step", args=[slugs[slugs.index(step.slug) - 1]])
    return None


def _question_rows(form: forms.StepForm, step: questionnaire.Step) -> list[tuple]:
    """Each question's field with the data attributes static/js/show-if.js reads, and whether
    it starts hidden: the page arrives as it should look (no question appears or goes once
    it has loaded), and the script only follows the patient's changes."""
    on_step = {question.key for question in step.questions}
    page_facts = form.page_facts()
    rows = []
    for question in step.questions:
        if not questionnaire.may_show_on_page(step, question, form.facts):
            # A fact the server holds rules it out (a child-only question for an adult): the
            # browser could only show it wrongly once the answer on the page is chosen.
            continue
        condition = question.show_if
        attrs = getattr(condition, "html_attrs", dict)() if condition else {}
        if attrs.get("data-show-if-field") not in on_step:
            attrs = {}  # controlled by an earlier step: the server already decided
        if step.kind == StepKind.MOOD:
            attrs = questionnaire.mood_fallback_attrs()
        # A question with an error is always shown, so the patient can put it right. On the labs
        # step the gluten question stays on the page: whether it applies depends on the rows
        # being typed on that same page.
        errors = form[question.key].errors
        hidden = not questionnaire.field_shown(step, question, form.facts)
        if hidden and not attrs and not errors and step.kind != StepKind.LABS:
            continue
        starts_hidden = bool(attrs) and not errors
        starts_hidden = starts_hidden and not questionnaire.field_shown(step, question, page_facts)
        rows.append((form[question.key], flatatt(attrs), starts_hidden))
    return rows


def _step_or_404(slug: str) -> questionnaire.Step:
    step = questionnaire.STEPS_BY_SLUG.get(slug)
    if step is None:
        raise Http404(_("No such step."))
    return step


@never_cache
@require_http_methods(["GET", "POST"])
@_session_link_live
def step(request: HttpRequest, slug: str) -> HttpResponse:
    intake = _session_intake(request, saving=request.method == "POST")
    if request.method == "POST" and request.session.get(SESSION_IDLE):
        return _save_left_idle(request, intake, slug)
    if not intake.is_draft:
        return redirect("intake:done")
    step = _step_or_404(slug)
    if step.kind == StepKind.CONSENT:
        return redirect("intake:review")  # signed on the check page, after the answers
    if not services.may_open_step(intake, step):
        messages.info(request, _("Please answer the earlier questions first."))
        return redirect("intake:resume")
    facts = services.facts_for(intake)
    # "Change" on the review page: saving goes back there, not on through the later steps.
    from_review = request.GET.get("from") == "review"
    form_class = forms.step_form_class(step)
    revision = int(intake.step_revisions.get(step.slug, 0))
    extra = {"instrument": selectors.irls_instrument()} if step.kind == StepKind.IRLS else {}
    carried = None if request.method == "POST" else carried_data(request)
    form = form_class(carried if carried is not None else posted(request), facts=facts, **extra)
    if carried is not None:
        show_unchecked(form)  # typed before switching language: shown again, not yet saved
    stale_message = None
    if request.method == "POST" and form.is_valid():
        before = intake
        try:
            intake, _revision = services.save_step(
                intake_id=intake.pk,
                step=step,
                values=form.answers(),
                base_revision=form.cleaned_data.get("base_revision"),
                ip_address=client_ip(request),
            )
        except services.StaleSave as refusal:
            stale_message = str(refusal)
        else:
            request.session.pop(SESSION_RESUME_LINK, None)
            _forget_autosave_recorded(request, step)
            if _needs_help_now(request, before=before, after=intake):
                return redirect("intake:support")
            if from_review:
                return redirect("intake:review")
            return redirect(_next_url(intake, step))
    if request.method == "GET":
        form.initial["base_revision"] = revision
    elif "base_revision" in form.errors:
        # Sent without a revision, or a tampered one: nothing was saved. The page comes back
        # with the patient's answers and the revision it shows now, so that saving again
        # stores what they see.
        form.data = form.data.copy()
        form.data["base_revision"] = str(revision)
    return render(
        request,
        "intake/patient/step.html",
        {
            "intake": intake,
            "step": step,
            "StepKind": StepKind,
            "form": form,
            "rows": _question_rows(form, step),
            "progress": questionnaire.section_progress(step.slug),
            "previous_url": _previous_url(intake, step),
            "stale_message": stale_message,
            "autosave": step.kind in AUTOSAVE_KINDS,
            "revision": revision,
            "from_review": from_review,
            "resume_link": request.session.get(SESSION_RESUME_LINK),
            "invitation_days": settings.INVITATION_TTL_DAYS,
            "carry_form": "step-form",
        },
    )


def _needs_help_now(request: HttpRequest, *, before: Intake, after: Intake) -> bool:
    """After a save: any step may hold an answer that needs help now (R3-23). The clinic is told
    once per kind, and the patient is shown the help whenever this save changed it. The answers
    from before the save are evaluated only when there is help to show and the save changed
    them: most saves cost one evaluation, not two."""
    alert = services.contact_alert(after)
    if alert is None:
        return False
    reported = services.report_contact_needed(
        intake_id=after.pk, reasons=alert.reasons, ip_address=client_ip(request)
    )
    if reported:
        return True
    return after.answers != before.answers and alert != services.contact_alert(before)


def _save_left_idle(request: HttpRequest, intake: Intake, slug: str) -> HttpResponse:
    """A step sent from a page left open past the idle time: what is valid is saved as it would
    be while typing (the whole step when it is complete), nothing is shown, and the date of
    birth comes next. The help page still comes first when the answers call for it."""
    step = questionnaire.STEPS_BY_SLUG.get(slug)
    if (
        step is None
        or step.kind == StepKind.CONSENT
        or not intake.is_draft
        or not services.may_open_step(intake, step)
    ):
        return _ask_date_of_birth_again(request)
    form = forms.step_form_class(step)(request.POST, facts=services.facts_for(intake))
    complete = form.is_valid()
    # Saved only against the revision the page showed, as every save is.
    known_revision = form.cleaned_data.get("base_revision") is not None
    if known_revision and (complete or step.kind in AUTOSAVE_KINDS):
        before = intake
        try:
            intake, _revision = services.save_step(
                intake_id=intake.pk,
                step=step,
                values=form.answers() if complete else form.autosave_answers(),
                base_revision=form.cleaned_data.get("base_revision"),
                partial=not complete,
                ip_address=client_ip(request),
            )
        except (services.StaleSave, services.NotEditable):
            pass  # newer answers were saved elsewhere: they are kept
        else:
            if _needs_help_now(request, before=before, after=intake):
                return redirect("intake:support")
    return _ask_date_of_birth_again(request)


def _autosave_recorded_recently(
    request: HttpRequest, intake: Intake, step: questionnaire.Step, ip_address: str | None
) -> bool:
    """Whether an autosave of this step from this browser and address was recorded on the
    audit trail less than AUTOSAVE_AUDIT_SECONDS ago (and no full save of it since)."""
    recorded = request.session.get(SESSION_AUTOSAVE_RECORDED)
    if not isinstance(recorded, dict) or recorded.get("intake") != intake.pk:
        return False
    mark = (recorded.get("steps") or {}).get(step.slug)
    return (
        isinstance(mark, list)
        and len(mark) == 2
        and isinstance(mark[0], int)
        and mark[1] == ip_address
        and 0 <= _now_seconds() - mark[0] < services.AUTOSAVE_AUDIT_SECONDS
    )


def _note_autosave_recorded(
    request: HttpRequest, intake: Intake, step: questionnaire.Step, ip_address: str | None
) -> None:
    recorded = request.session.get(SESSION_AUTOSAVE_RECORDED)
    same_intake = isinstance(recorded, dict) and recorded.get("intake") == intake.pk
    steps = (recorded.get("steps") or {}) if same_intake else {}
    steps = {**steps, step.slug: [_now_seconds(), ip_address]}
    request.session[SESSION_AUTOSAVE_RECORDED] = {"intake": intake.pk, "steps": steps}


def _forget_autosave_recorded(request: HttpRequest, step: questionnaire.Step) -> None:
    """After a full save of the step: the next autosave of it is recorded again."""
    recorded = request.session.get(SESSION_AUTOSAVE_RECORDED)
    if isinstance(recorded, dict) and step.slug in (recorded.get("steps") or {}):
        steps = {slug: mark for slug, mark in recorded["steps"].items() if slug != step.slug}
        request.session[SESSION_AUTOSAVE_RECORDED] = {**recorded, "steps": steps}


@never_cache
@require_POST
def autosave(request: HttpRequest, slug: str) -> JsonResponse:
    """Saves what is valid so far while the patient types; never reports field errors. (Also
    after the idle time: typing is kept, and the next page asks for the date of birth.)

    One read of the intake, with the link's checks, locks its row for the save that follows."""
    try:
        with transaction.atomic():
            intake = _session_intake(request, saving=True, lock=True)
            step = _step_or_404(slug)
            if step.kind not in AUTOSAVE_KINDS or not services.may_open_step(intake, step):
                return JsonResponse(
                    {"ok": False, "message": _("This page cannot be saved.")}, status=400
                )
            try:
                base_revision = int(request.POST.get("base_revision", ""))
            except ValueError:
                return JsonResponse(
                    {"ok": False, "message": _("Reload the page to save.")}, status=400
                )
            form = forms.step_form_class(step)(request.POST, facts=services.facts_for(intake))
            form.is_valid()  # field-level cleaning; "required" errors do not matter while typing
            before = copy.copy(intake)  # the save changes `intake` in place
            ip_address = client_ip(request)
            recorded_recently = _autosave_recorded_recently(request, intake, step, ip_address)
            intake, revision = services.save_locked_step(
                intake,
                step=step,
                values=form.autosave_answers(),
                base_revision=base_revision,
                partial=True,
                ip_address=ip_address,
                record=not recorded_recently,
            )
    except services.InvitationUnavailable as refusal:
        return JsonResponse({"ok": False, "message": str(refusal)}, status=409)
    except services.StaleSave as refusal:
        return JsonResponse({"ok": False, "stale": True, "message": str(refusal)}, status=409)
    except services.NotEditable as refusal:
        return JsonResponse({"ok": False, "message": str(refusal)}, status=409)
    if not recorded_recently:  # the save and its audit row are committed
        _note_autosave_recorded(request, intake, step, ip_address)
    saved_at = timezone.localtime().strftime("%H:%M")
    body = {"ok": True, "revision": revision, "saved_at": saved_at}
    # An autosaved answer can need help now as much as a full save's (R3-23): the clinic is
    # told at once, and the page takes the patient to the help (static/js/autosave.js).
    if _needs_help_now(request, before=before, after=intake):
        body["help_url"] = reverse("intake:support")
    return JsonResponse(body)


@never_cache
@require_GET
@_session_link_live
def support(request: HttpRequest) -> HttpResponse:
    """Help now, shown the moment a saved step holds answers that call for it: the emergency
    advice, or crisis resources (services.contact_alert decides which). Shown after the idle
    time too: it holds no answers, and help must never wait for a date of birth."""
    intake = _session_intake(request, saving=True)
    alert = services.contact_alert(intake)
    if alert is None:
        return redirect("intake:resume")
    if alert.emergency_advice:
        template = "intake/patient/emergency.html"
    else:
        template = "intake/patient/support.html"
    return render(
        request,
        template,
        {
            "alert": alert,
            "next_url": reverse("intake:resume") if intake.is_draft else reverse("intake:done"),
            "clinic_told": intake.contact_needed_at is not None,
            "sent": not intake.is_draft,
        },
    )


def _review_parts(sections: list) -> list[dict]:
    """The review's answer sections (one a step) under the questionnaire's named parts, each
    with the questions left unanswered, which stay in view when the answers are folded away."""
    parts: list[dict] = []
    for section in sections:
        title = _(questionnaire.SECTION_BY_SLUG[section.step.slug].title)
        if not parts or parts[-1]["title"] != title:
            parts.append({"title": title, "steps": []})
        unanswered = [line for line in section.lines if not line.answered]
        if section.step.kind == StepKind.MOOD:
            # The nine PHQ-9 items may be left blank on purpose (the fallback question asks).
            unanswered = [line for line in unanswered if not line.key.startswith("phq9_")]
        parts[-1]["steps"].append({"section": section, "unanswered": unanswered})
    return parts


@never_cache
@require_http_methods(["GET", "POST"])
@_session_link_live
def review(request: HttpRequest) -> HttpResponse:
    """The answers by part, each with a way to change them; then the consent, signed as the
    answers are sent (after the patient has seen them, not before)."""
    intake = _session_intake(request)
    if not intake.is_draft:
        return redirect("intake:done")
    unfinished = services.first_unanswered_step(intake)
    carried = None if request.method == "POST" else carried_data(request)
    form = forms.ConsentForm(
        carried if carried is not None else posted(request),
        initial={"full_name": intake.consent_name, "agree": bool(intake.consent_name)},
    )
    if carried is not None:
        show_unchecked(form)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.sign_and_submit(
                intake_id=intake.pk,
                full_name=form.cleaned_data["full_name"],
                ip_address=client_ip(request),
            )
        except services.IntakeError as refusal:
            error = str(refusal)
        else:
            # The thank-you page repeats any help the answers call for, first.
            return redirect("intake:done")
    facts = services.facts_for(intake)
    return render(
        request,
        "intake/patient/review.html",
        {
            "parts": _review_parts(selectors.answer_sections(answers=intake.answers, facts=facts)),
            "unfinished": unfinished,
            "error": error,
            "form": form,
            "consent_text": questionnaire.CONSENT_TEXT,
            "consent_version": questionnaire.CONSENT_VERSION,
            "progress": questionnaire.section_progress("consent"),
            "carry_form": "consent-form",
        },
    )


@never_cache
@require_GET
@_session_link_live
def done(request: HttpRequest) -> HttpResponse:
    intake = _session_intake(request)
    if intake.is_draft:
        return redirect("intake:resume")
    return render(
        request,
        "intake/patient/done.html",
        {"intake": intake, "alert": services.contact_alert(intake)},
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

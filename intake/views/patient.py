"""The questionnaire itself: its steps (with autosave), the help shown when answers call for
it, the check page and the thank-you page. How a browser reaches its questionnaire, and what
its session holds, is in patient_access.py.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intake import forms, questionnaire, selectors, services
from intake.http import client_ip
from intake.models import Intake
from intake.questionnaire import StepKind
from intake.views.common import carried_data, posted, show_unchecked
from intake.views.patient_access import (
    SESSION_AUTOSAVE_RECORDED,
    SESSION_IDLE,
    SESSION_RESUME_LINK,
    ask_date_of_birth_again,
    now_seconds,
    session_intake,
    session_link_live,
)

# Steps whose typing is saved as the patient goes (static/js/autosave.js). Not the mood step:
# its nine questions are stored all together or not at all, so nothing could be saved before
# the last one, and that save would store answers that may meet the crisis rule without the
# crisis page or the clinic being told, which only the full save does. Consent is one click.
AUTOSAVE_KINDS = frozenset({StepKind.QUESTIONS, StepKind.LABS, StepKind.IRLS})


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
@session_link_live
def step(request: HttpRequest, slug: str) -> HttpResponse:
    intake = session_intake(request, saving=request.method == "POST")
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
        return ask_date_of_birth_again(request)
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
    return ask_date_of_birth_again(request)


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
        and 0 <= now_seconds() - mark[0] < services.AUTOSAVE_AUDIT_SECONDS
    )


def _note_autosave_recorded(
    request: HttpRequest, intake: Intake, step: questionnaire.Step, ip_address: str | None
) -> None:
    recorded = request.session.get(SESSION_AUTOSAVE_RECORDED)
    same_intake = isinstance(recorded, dict) and recorded.get("intake") == intake.pk
    steps = (recorded.get("steps") or {}) if same_intake else {}
    steps = {**steps, step.slug: [now_seconds(), ip_address]}
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
            intake = session_intake(request, saving=True, lock=True)
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
@session_link_live
def support(request: HttpRequest) -> HttpResponse:
    """Help now, shown the moment a saved step holds answers that call for it: the emergency
    advice, or crisis resources (services.contact_alert decides which). Shown after the idle
    time too: it holds no answers, and help must never wait for a date of birth."""
    intake = session_intake(request, saving=True)
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
@session_link_live
def review(request: HttpRequest) -> HttpResponse:
    """The answers by part, each with a way to change them; then the consent, signed as the
    answers are sent (after the patient has seen them, not before)."""
    intake = session_intake(request)
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
@session_link_live
def done(request: HttpRequest) -> HttpResponse:
    intake = session_intake(request)
    if intake.is_draft:
        return redirect("intake:resume")
    return render(
        request,
        "intake/patient/done.html",
        {"intake": intake, "alert": services.contact_alert(intake)},
    )

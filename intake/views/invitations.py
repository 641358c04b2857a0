"""Staff views of invitation links: create (and email or text the link), the list with each
message's state, revoke, a new link, a reminder sent by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from intake import forms, selectors, services
from intake.http import client_ip
from intake.languages import language_name
from intake.views.common import audit_list_view, permission_or_404, posted

if TYPE_CHECKING:
    pass


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
            "language": invitation.intake.language,
            "language_name": language_name(invitation.intake.language),
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
        # Shown by its own name ("Español"), as the form offers it; blank until chosen.
        invitation.language_name = language_name(invitation.intake.language)
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
    messages.success(
        request,
        _("The link for %(name)s was revoked.") % {"name": invitation.intake.patient.full_name},
    )
    return redirect("intake:invitations")


@never_cache
@login_required
@permission_or_404("intake.change_invitation")
@require_POST
def reissue_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.staff_invitation(user=request.user, invitation_id=pk)
    if not invitation.intake.is_draft:
        messages.error(
            request, _("That questionnaire was already submitted; no new link is needed.")
        )
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
        messages.error(request, _("No new link was made: %(reason)s") % {"reason": refusal})
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
        messages.error(request, _("No reminder was sent: %(reason)s") % {"reason": refusal})
    else:
        name = invitation.intake.patient.full_name
        when = timezone.localtime(message.next_attempt_at)
        if message.next_attempt_at > timezone.now():
            messages.success(
                request,
                _(
                    "Reminder %(number)s for %(name)s is queued for %(time)s (after the "
                    "clinic's quiet hours)."
                )
                % {"number": message.reminder_number, "name": name, "time": f"{when:%H:%M}"},
            )
        else:
            messages.success(
                request,
                _("Reminder %(number)s for %(name)s is queued.")
                % {"number": message.reminder_number, "name": name},
            )
    return redirect("intake:invitations")

"""Invitation links: the one a browser opened, and staff's list with each link's state."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from intake.models import Invitation
from intake.notifications.models import OutboxChannel
from intake.selectors.common import INVITATIONS, visible


def pending_invitation(*, invitation_id: int | None) -> Invitation:
    """The live invitation whose link this browser opened and still has to confirm, or 404
    (a link revoked or expired since it was opened no longer lets the date of birth in)."""
    invitation = (
        Invitation.objects.select_related("intake__patient")
        .filter(pk=invitation_id, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
        if invitation_id
        else None
    )
    if invitation is None:
        raise Http404("Open the link from your clinic first.")
    return invitation


INVITATIONS_PER_PAGE = 25


def invitation_list(*, user, search: str = "") -> QuerySet[Invitation]:
    """Staff's list of invitations, newest first, with what they need to show a status."""
    newer_link = Invitation.objects.filter(intake=OuterRef("intake"), pk__gt=OuterRef("pk"))
    invitations = (
        visible(Invitation.objects, user=user, permission=INVITATIONS)
        .select_related("intake__patient", "created_by")
        .prefetch_related("outbox_messages")  # each emailed link's state, in one query
        .annotate(replaced=Exists(newer_link))
        .order_by("-created_at", "-pk")
    )
    search = search.strip()
    if search:
        invitations = invitations.filter(intake__patient__full_name__icontains=search)
    return invitations


def invitation_emails(invitation: Invitation) -> list[str]:
    """The addresses this link is being emailed to (through the outbox), for its link page."""
    emails = invitation.outbox_messages.filter(channel=OutboxChannel.EMAIL)
    return list(emails.values_list("recipient", flat=True))


def invitation_texts(invitation: Invitation) -> list[str]:
    """The mobile numbers this link is being sent to by text message, for its link page."""
    texts = invitation.outbox_messages.filter(channel=OutboxChannel.SMS)
    return list(texts.values_list("recipient", flat=True))


# What staff may still do with a link in each state (the invitations page shows these buttons).
INVITATION_ACTIONS = {
    "Submitted": (),
    "Replaced by a newer link": (),
    "Revoked": ("reissue",),
    "Closed after wrong dates of birth": ("reissue",),
    "Expired": ("reissue",),
}
LIVE_LINK_ACTIONS = ("revoke", "reissue")


def invitation_status(invitation: Invitation, *, now=None) -> str:
    now = now or timezone.now()
    if not invitation.intake.is_draft:
        return "Submitted"
    if getattr(invitation, "replaced", False):
        return "Replaced by a newer link"
    if invitation.closed_at is not None:
        return "Closed after wrong dates of birth"
    if invitation.revoked_at is not None:
        return "Revoked"
    if invitation.expires_at <= now:
        return "Expired"
    if invitation.locked_until and invitation.locked_until > now:
        return "Locked (wrong date of birth)"
    if invitation.intake.answers:
        return "In progress"
    return "Opened" if invitation.last_opened_at else "Not opened yet"


def invitation_actions(status: str) -> tuple[str, ...]:
    return INVITATION_ACTIONS.get(status, LIVE_LINK_ACTIONS)


def staff_invitation(*, user, invitation_id: int) -> Invitation:
    return get_object_or_404(
        visible(Invitation.objects, user=user, permission=INVITATIONS).select_related(
            "intake__patient"
        ),
        pk=invitation_id,
    )

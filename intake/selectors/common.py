"""What every staff read shares: the permission each needs, and scoping to it."""

from __future__ import annotations

from django.db.models import QuerySet

# What each staff read needs: the role's permission (intake/roles.py). Views refuse a role
# without it first (403); the reads below return nothing to it as well, so a view that forgot
# its check would still show no record.
CASES = "intake.view_intake"
PATIENTS = "intake.view_patient"
INVITATIONS = "intake.view_invitation"
RECORDS = "intake.manage_records"


def visible(queryset: QuerySet, *, user, permission: str) -> QuerySet:
    """The rows of `queryset` that `user` may see: all with the permission, none without."""
    return queryset if user.has_perm(permission) else queryset.none()

"""Scopes: each view names the one it needs; a valid token without it gets 403."""

from __future__ import annotations

from rest_framework import permissions

from intake.models import ApiClient


class HasScope(permissions.BasePermission):
    """The view's `required_scope`, or any valid token when it names none."""

    message = "This token may not do that. Ask the clinic to add the scope it needs."

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scope = getattr(view, "required_scope", None)
        return scope is None or client.has_scope(scope)

"""API clients authenticate with `Authorization: Bearer <token>`; the token is looked up by
its SHA-256, as invitation links are, so the database never holds a usable token."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from intake.models import ApiClient
from intake.services.common import hash_token

KEYWORD = "Bearer"
# The same answer for an unknown and a revoked token: a guessed token learns nothing.
INVALID = "The token is not valid. Ask the clinic for a new one."


class ApiClientUser:
    """What request.user is for an API call: never a member of staff, never a superuser, no
    permissions; the scopes live on request.auth (the ApiClient)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, client: ApiClient):
        self.client = client

    def get_username(self) -> str:
        return f"API client {self.client.name}"

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def __str__(self) -> str:
        return self.get_username()


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            token = header[1].decode("ascii")
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(INVALID) from error
        client = ApiClient.objects.filter(token_hash=hash_token(token)).first()
        if client is None or not client.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return ApiClientUser(client), client

    def authenticate_header(self, request) -> str:
        # Present, so that a refused token answers 401 (not 403) with this challenge.
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "intake.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}

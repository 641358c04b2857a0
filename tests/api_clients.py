"""API clients for tests/test_api_*.py, registered through the real service."""

from __future__ import annotations

from django.test import Client

from intake.models import ApiClient
from intake.services import api_clients

READ = ApiClient.Scope.READ_CASES
INVITE = ApiClient.Scope.CREATE_INVITATIONS


def api_client(name: str = "Clinic EHR", scopes=(READ, INVITE)) -> tuple[ApiClient, str]:
    client = ApiClient(name=name, scopes=[str(scope) for scope in scopes])
    token = api_clients.register_api_client(client=client, by=None)
    return client, token


def caller(token: str) -> Client:
    """A test client that sends the token on every request."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

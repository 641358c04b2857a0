"""The OpenAPI schema: served at /api/v1/schema/ and checked in as docs/openapi.yaml, which
must be regenerated whenever an endpoint changes:

    manage.py spectacular --validate --file docs/openapi.yaml
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

CHECKED_IN = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
REGENERATE = "manage.py spectacular --validate --file docs/openapi.yaml"


def test_api_schema_checked_in_matches_the_endpoints(tmp_path):
    generated = tmp_path / "openapi.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))

    assert generated.read_text() == CHECKED_IN.read_text(), f"Run: {REGENERATE}"


def test_api_schema_lists_every_endpoint():
    schema = yaml.safe_load(CHECKED_IN.read_text())

    operations = {
        (path, method, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }

    assert operations == {
        ("/api/v1/cases/", "get", "cases_list"),
        ("/api/v1/cases/{id}/", "get", "cases_retrieve"),
        ("/api/v1/cases/{id}/fhir/", "get", "cases_fhir_retrieve"),
        ("/api/v1/questionnaire/", "get", "questionnaire_retrieve"),
        ("/api/v1/invitations/", "post", "invitations_create"),
    }
    assert schema["components"]["securitySchemes"] == {
        "apiToken": {"type": "http", "scheme": "bearer"}
    }


@pytest.mark.django_db
def test_api_schema_served_without_a_token_equals_the_checked_in_file():
    response = Client().get("/api/v1/schema/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert yaml.safe_load(response.content) == yaml.safe_load(CHECKED_IN.read_text())


@pytest.mark.django_db
def test_api_schema_refuses_a_post():
    response = Client().post("/api/v1/schema/", {})

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}

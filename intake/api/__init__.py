"""The REST API at /api/v1/ (Django REST framework, schema by drf-spectacular).
docs/integration.md says how a clinic's systems connect; docs/openapi.yaml is the schema."""

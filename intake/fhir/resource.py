"""Every resource the export writes passes through fhir.resources' model of it.

The R4B models build the resources used here (Questionnaire, QuestionnaireResponse, Patient,
Observation, ServiceRequest, Flag, DocumentReference, CodeSystem, Bundle) exactly as R4 4.0.1
defines them. A shape the model refuses raises here, in the app, rather than in the clinic's
FHIR server; the model does not check codes against their value sets, so the mapping keeps to
the specification's codes itself (tests/test_fhir_*.py check them).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def checked(data: dict[str, Any]) -> dict[str, Any]:
    """`data` built into its FHIR model and written back as JSON-shaped data."""
    model = get_fhir_model_class(data["resourceType"]).model_validate(data)
    return model.model_dump(mode="json")

"""FHIR R4 (4.0.1) out: pure mapping from the app's records to FHIR resources, no queries.

- codes: the code systems, the app's own code system (and its CodeSystem resource), identifiers
- questionnaire: the intake as a Questionnaire; a case's answers as QuestionnaireResponse items
- bundle: a submitted case as a transaction Bundle
- resource: every resource built through fhir.resources' R4B model of it

The callers (intake/services/fhir_exports.py; the case page's download, `manage.py
export_fhir`, and the API to come) read the records and hand them in. docs/integration.md
tells a clinic how to load the output into its FHIR server.
"""

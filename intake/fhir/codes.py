"""The code systems and identifiers the FHIR export uses, and the app's own code system.

Standard codes come first (LOINC for the results and the PHQ-9, UCUM for units, SNOMED CT for
qualitative results, HL7's category code systems). Everything the app defines itself lives in
one code system, `Site.code_system` ({SITE_URL}/fhir/CodeSystem/intake): the answer codes of the
questionnaire (each choice's stored value), the tests it suggests, its rule ids, and the few
scores and documents that have no standard code. `code_system()` builds that CodeSystem as a
FHIR resource, so a clinic can load it into its server next to the Questionnaire; the table in
docs/integration.md lists the codes that are not answer codes.

Identifiers and canonical URLs are built under SITE_URL: they name this clinic's records, so
SITE_URL must be chosen before the first export and kept (docs/integration.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from intake import questionnaire
from intake.clinical.catalogue import RULES
from intake.enums import TestKind

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ITEM_CONTROL = "http://hl7.org/fhir/questionnaire-item-control"
# HL7 v2 table 0203, identifier types: MR is a medical record number.
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"


@dataclass(frozen=True)
class Site:
    """The addresses one deployment names its records and definitions with."""

    url: str  # SITE_URL
    mrn_system: str = ""  # FHIR_MRN_SYSTEM: the clinic's own record numbers' system, if named

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", self.url.rstrip("/"))

    @property
    def code_system(self) -> str:
        return f"{self.url}/fhir/CodeSystem/intake"

    @property
    def questionnaire(self) -> str:
        return f"{self.url}/fhir/Questionnaire/intake"

    @property
    def patient_identifier(self) -> str:
        """The app's patient number (Patient.pk); the Patient's only identifier until the
        clinic's own number (MRN) is on the record."""
        return f"{self.url}/fhir/sid/patient"

    @property
    def mrn_identifier(self) -> str:
        """The clinic's own patient number (Patient.mrn): the system its record system names
        them with (FHIR_MRN_SYSTEM), else one under the site's address."""
        return self.mrn_system or f"{self.url}/fhir/sid/mrn"

    @property
    def case_identifier(self) -> str:
        """A case number, C-000123: the QuestionnaireResponse's identifier."""
        return f"{self.url}/fhir/sid/case"

    @property
    def case_record_identifier(self) -> str:
        """One resource made from a case: the case number, a slash and what it is
        (C-000123/phq9-total, C-000123/test/thyroid...). Re-sending a case updates these."""
        return f"{self.url}/fhir/sid/case-record"


# LOINC codes of the results a patient or the clinic enters (spec §2.4 prior_labs), keyed like
# questionnaire.LAB_TESTS. The text is the app's own plain name; LOINC's display is left to the
# terminology server.
LAB_LOINC = {
    "ferritin": "2276-4",  # Ferritin [Mass/volume] in Serum or Plasma
    "tsat": "2502-3",  # Iron saturation [Mass Fraction] in Serum or Plasma
    "tsh": "3016-3",  # Thyrotropin [Units/volume] in Serum or Plasma
    "ttg_iga": "31017-7",  # Tissue transglutaminase IgA Ab [Units/volume] in Serum
    "total_iga": "2458-8",  # IgA [Mass/volume] in Serum or Plasma
    "calprotectin": "38445-3",  # Calprotectin [Mass/mass] in Stool
}
# The units the questionnaire accepts, in UCUM ("µ" is "u"; international units in brackets).
UCUM_UNITS = {"ng/mL": "ng/mL", "µg/L": "ug/L", "%": "%", "mIU/L": "m[IU]/L", "µg/g": "ug/g"}
# Qualitative results: SNOMED CT qualifier values, and the matching HL7 interpretation.
QUALITATIVE_RESULTS = {
    "pos": (("10828004", "Positive"), ("POS", "Positive")),
    "neg": (("260385009", "Negative"), ("NEG", "Negative")),
    "normal": (("17621005", "Normal"), ("N", "Normal")),
    "low": (("62482003", "Low"), ("L", "Low")),
}

PHQ9_PANEL = ("44249-1", "PHQ-9 quick depression assessment panel")
PHQ9_TOTAL = ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")
# In questionnaire.PHQ9_ITEMS order.
PHQ9_ITEM_LOINC = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
# The answers 0-3, as LOINC answer list LL358-3 codes them.
PHQ9_ANSWER_LOINC = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")

# The app's own codes beside the answer codes: (code, display, definition).
IRLS_TOTAL = "irls-total"
IBS_SSS_TOTAL = "ibs-sss-total"
CASE_SUMMARY = "case-summary"
OWN_CODES: tuple[tuple[str, str, str], ...] = (
    (
        IRLS_TOTAL,
        "IRLS total score",
        "IRLSSG rating scale total, 0-40. A licensed scale without a LOINC code; asked only "
        "where the clinic holds the licence.",
    ),
    (
        IBS_SSS_TOTAL,
        "IBS-SSS total score",
        "IBS Symptom Severity Score total, 0-500 (Francis 1997).",
    ),
    (
        CASE_SUMMARY,
        "Intake case summary",
        "The app's PDF summary of one case: answers, criteria, scores, flags and red flags.",
    ),
    *((test.value, test.label, f"A test the app suggests: {test.label}.") for test in TestKind),
)
LAB_NAMES = {key: label for key, label, _units in questionnaire.LAB_TESTS}
LAB_VALUE_LABELS = {
    value: label
    for choices in questionnaire.QUALITATIVE_LAB_CHOICES.values()
    for value, label in choices
}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    data = {"system": system, "code": code}
    if display:
        data["display"] = display
    return data


def own(site: Site, code: Any, display: str | None = None) -> dict[str, Any]:
    """A Coding in the app's code system."""
    return coding(site.code_system, str(code), display)


def answer_codes() -> dict[str, list[str]]:
    """Every answer code of the questionnaire with its labels, first label first. A code shared
    by several questions means the same there ("yes", "daily"; "other" is "another answer
    than those listed"), so each is one concept, its other wordings designations."""
    labels: dict[str, list[str]] = {}

    def add(code: Any, label: str) -> None:
        known = labels.setdefault(str(code), [])
        if label not in known:
            known.append(label)

    for question in questionnaire.QUESTIONS.values():
        if question.kind in ("choice", "multi"):
            for value, label in question.choices:
                add(value, label)
    for key, label in LAB_NAMES.items():
        add(key, label)
    for value, label in LAB_VALUE_LABELS.items():
        add(value, label)
    return labels


def content_hash(data: Any) -> str:
    """A short, stable hash of JSON-shaped data: the version of what it was made from."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def code_system(*, site_url: str) -> dict[str, Any]:
    """The app's code system as a FHIR CodeSystem resource (content complete). Its version is
    a hash of its concepts: it changes when an answer, a test or a rule is added or reworded."""
    site = Site(site_url)
    concepts = []
    for code, labels in answer_codes().items():
        concept: dict[str, Any] = {"code": code, "display": labels[0]}
        if code == "other":
            concept["definition"] = "Another answer than those listed."
        if labels[1:]:
            concept["designation"] = [{"value": label} for label in labels[1:]]
        concepts.append(concept)
    for code, display, definition in OWN_CODES:
        concepts.append({"code": code, "display": display, "definition": definition})
    for rule in RULES:
        concepts.append(
            {
                "code": rule.id,
                "display": f"Rule {rule.id}",
                "definition": f"{rule.trigger} Effect: {rule.effect} Source: {rule.source}",
            }
        )
    return {
        "resourceType": "CodeSystem",
        "url": site.code_system,
        "version": content_hash(concepts),
        "name": "RlsGutIntakeCodes",
        "title": "RLS and gut health intake: the app's codes",
        "status": "active",
        "description": "Answer codes of the intake questionnaire, the tests the app suggests, "
        "its rule ids (docs/clinical-rules.md), and scores without a LOINC code.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }

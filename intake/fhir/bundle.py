"""A submitted case as a FHIR R4 transaction Bundle that a FHIR server accepts as it is.

Entries, in order (every fullUrl a `urn:uuid`, every reference to one of them):
- Patient, created only if no patient has its identifier yet (`ifNoneExist`): sending a case
  twice, or two cases of one patient, never duplicates the patient. The identifier is the
  clinic's own patient number (MRN) under FHIR_MRN_SYSTEM when the record holds one, else the
  app's patient number under {SITE_URL}/fhir/sid/patient (carried as a second identifier too).
- QuestionnaireResponse: the answers by linkId, pointing at the canonical Questionnaire|version;
  `completed`, or `in-progress` when a required question that applies was left unanswered.
- Observations: the PHQ-9 items and total (LOINC), the results the patient or the clinic entered
  (LOINC, UCUM units, SNOMED CT for positive/negative and normal/low), the IRLS and IBS-SSS
  totals (the app's code system).
- ServiceRequests: one per suggested test, intent `proposal`, the rules that fired as
  reasonCode and the answers behind each (`because`), caveats and the decision as notes.
- Flags: one per red-flag rule that fired, with the answers behind it.
- DocumentReference: the case's PDF summary.
Every entry but the Patient is a conditional update on its identifier (the case number and
what it is), so sending the case again updates these rather than adding copies.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.clinical.catalogue import TIER_LABELS
from intake.dates import age_on
from intake.enums import CaseStatus, Decision, TestKind
from intake.fhir import questionnaire as fhir_questionnaire
from intake.fhir.codes import (
    CASE_SUMMARY,
    FLAG_CATEGORY,
    IBS_SSS_TOTAL,
    IDENTIFIER_TYPE,
    INTERPRETATION,
    IRLS_TOTAL,
    LAB_LOINC,
    LAB_NAMES,
    LOINC,
    OBSERVATION_CATEGORY,
    PHQ9_ANSWER_LOINC,
    PHQ9_ITEM_LOINC,
    PHQ9_TOTAL,
    QUALITATIVE_RESULTS,
    SNOMED,
    UCUM,
    UCUM_UNITS,
    Site,
    coding,
    own,
)
from intake.fhir.resource import checked
from intake.languages import language_name
from intake.models import Intake, LabResultEntry, TestRecommendation
from intake.questionnaire import PHQ9_CHOICES, PHQ9_ITEMS

# A proposal stays active while it is pending or ordered (the order itself is the EHR's);
# declined, it is revoked; already done elsewhere, there is nothing left to do.
SERVICE_REQUEST_STATUS = {
    Decision.PENDING: "active",
    Decision.ORDERED: "active",
    Decision.ALREADY_DONE: "completed",
    Decision.DECLINED: "revoked",
}
# Languages are coded as BCP-47 tags (FHIR R4 "common languages"; settings.LANGUAGES holds them).
BCP47 = "urn:ietf:bcp:47"
# What a suggested test's detail holds besides its rules, as note lines (clinical-spec §11).
DETAIL_NOTES = {
    "interpretation": _("Interpretation"),
    "context": _("Context"),
    "caveat": _("Caveat"),
    "components": _("Components"),
    "timing_note": _("Timing"),
}


@dataclass(frozen=True)
class CaseRecords:
    """What a case's bundle is made from, read by the caller: the submitted intake (with its
    patient and current assessment), the current assessment's recommendations, the results
    the clinic entered, and the PDF summary."""

    intake: Intake
    recommendations: Sequence[TestRecommendation]
    lab_results: Sequence[LabResultEntry]
    summary_pdf: bytes
    generated_at: dt.datetime


def _instant(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def because_text(fired: dict[str, Any], ruleset_version: str) -> str:
    """The answers that made a rule fire, in words: "because rectal_bleeding = yes"; rules
    before revision 3 did not record them."""
    because = fired.get("because")
    if because is None:
        return gettext("the answers behind it were not recorded (rules %(version)s)") % {
            "version": ruleset_version
        }
    if not because:
        return gettext("no single answer recorded")
    parts = [f"{entry.get('key')} = {_value_text(entry.get('value'))}" for entry in because]
    return gettext("because %(answers)s") % {"answers": "; ".join(parts)}


def _rule_text(fired: dict[str, Any]) -> str:
    tier = TIER_LABELS.get(fired.get("tier") or "", "")
    label = f"{fired['rule']} ({tier})" if tier else fired["rule"]
    return f"{label}: {fired.get('reason') or ''}".strip()


def _detail_value(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]  # how rules 2026.2 stored the iron interpretation
    if isinstance(value, list):
        return ", ".join(_value_text(item) for item in value)
    return _value_text(value)


class _CaseBundle:
    def __init__(self, records: CaseRecords, site: Site):
        self.records = records
        self.site = site
        self.intake = records.intake
        self.assessment = records.intake.current_assessment
        self.result = self.assessment.result if self.assessment else {}
        self.entries: list[dict[str, Any]] = []

    # --- references and identifiers ---------------------------------------------------------

    def full_url(self, name: str) -> str:
        key = f"{self.site.url}/fhir/case/{self.intake.pk}/{name}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"

    def ref(self, name: str) -> dict[str, str]:
        return {"reference": self.full_url(name)}

    @property
    def patient_ref(self) -> dict[str, str]:
        return self.ref("patient")

    @property
    def response_ref(self) -> dict[str, str]:
        return self.ref("questionnaire-response")

    def record_identifier(self, name: str) -> dict[str, str]:
        return {"system": self.site.case_record_identifier, "value": f"{self.case_number}/{name}"}

    @property
    def case_number(self) -> str:
        return self.intake.case_number

    def add(self, name: str, resource: dict[str, Any], identifier: dict[str, str]) -> None:
        """An entry that updates the resource with this identifier, or creates it."""
        search = quote(f"{identifier['system']}|{identifier['value']}", safe=":/|")
        request = {"method": "PUT", "url": f"{resource['resourceType']}?identifier={search}"}
        self.entries.append(
            {"fullUrl": self.full_url(name), "resource": checked(resource), "request": request}
        )

    # --- resources --------------------------------------------------------------------------

    def patient(self) -> None:
        patient = self.intake.patient
        identifier = {"system": self.site.patient_identifier, "value": str(patient.pk)}
        identifiers = [identifier]
        if patient.mrn:
            # The clinic's own number is what its record system knows the patient by: the
            # conditional create matches on it, so the first bundle finds the existing patient.
            identifier = {"system": self.site.mrn_identifier, "value": patient.mrn}
            mrn_type = {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}]}
            identifiers = [{"use": "usual", "type": mrn_type, **identifier}, *identifiers]
        resource: dict[str, Any] = {"resourceType": "Patient", "identifier": identifiers}
        if patient.erased_at is None:
            resource["name"] = [{"text": patient.full_name}]
            telecom = []
            if patient.email:
                telecom.append({"system": "email", "value": patient.email})
            if patient.mobile_phone:
                telecom.append({"system": "phone", "value": patient.mobile_phone, "use": "mobile"})
            if telecom:
                resource["telecom"] = telecom
            resource["birthDate"] = patient.date_of_birth.isoformat()
            if self.intake.language:
                # Known only once the patient chose it (or their browser's was taken at first
                # open); the clinic's default is no statement about the patient.
                code = self.intake.language
                resource["communication"] = [
                    {
                        "language": {
                            "coding": [{"system": BCP47, "code": code}],
                            "text": language_name(code),
                        },
                        "preferred": True,
                    }
                ]
        else:
            # Erasure kept the year of birth only; the name and email are gone.
            resource["birthDate"] = f"{patient.date_of_birth.year:04d}"
        search = quote(f"{identifier['system']}|{identifier['value']}", safe=":/|")
        request = {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={search}"}
        entry = {"fullUrl": self.full_url("patient"), "resource": checked(resource)}
        self.entries.append({**entry, "request": request})

    def questionnaire_response(self) -> None:
        submitted = timezone.localtime(self.intake.submitted_at)
        age = age_on(self.intake.patient.date_of_birth, submitted.date())
        identifier = {"system": self.site.case_identifier, "value": self.case_number}
        answers = self.intake.answers
        # "completed" promises every required question that applies is answered; a case sent
        # with a gap (its assessment lists the answer as missing) says so.
        gaps = fhir_questionnaire.unanswered_required(answers=answers, age_years=age)
        resource = {
            "resourceType": "QuestionnaireResponse",
            # The language the questions were shown in (the answers are codes either way).
            "language": self.intake.language or settings.LANGUAGE_CODE,
            "identifier": identifier,
            "questionnaire": fhir_questionnaire.canonical(site_url=self.site.url),
            "status": "in-progress" if gaps else "completed",
            "subject": self.patient_ref,
            "authored": _instant(submitted),
            "source": self.patient_ref,
            "item": fhir_questionnaire.response_items(
                site_url=self.site.url, answers=answers, age_years=age
            ),
        }
        self.add("questionnaire-response", resource, identifier)

    def observation(
        self,
        name: str,
        *,
        category: str,
        code: dict[str, Any],
        value: dict[str, Any],
        effective: str,
        derived: bool,
        notes: Sequence[str] = (),
        **more: Any,
    ) -> None:
        identifier = self.record_identifier(name)
        display = {"survey": "Survey", "laboratory": "Laboratory"}[category]
        resource = {
            "resourceType": "Observation",
            "identifier": [identifier],
            "status": "final",
            "category": [{"coding": [coding(OBSERVATION_CATEGORY, category, display)]}],
            "code": code,
            "subject": self.patient_ref,
            "effectiveDateTime": effective,
            **value,
            **more,
        }
        if derived:
            resource["derivedFrom"] = [self.response_ref]
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        self.add(name, resource, identifier)

    def phq9(self) -> None:
        items = self.intake.answers.get("phq9_items")
        if not items:
            return
        submitted = _instant(timezone.localtime(self.intake.submitted_at))
        labels = dict(PHQ9_CHOICES)
        members = []
        for number, (text, loinc, score) in enumerate(
            zip(PHQ9_ITEMS, PHQ9_ITEM_LOINC, items, strict=False), start=1
        ):
            if score not in labels:
                continue
            answer = coding(LOINC, PHQ9_ANSWER_LOINC[score], labels[score])
            name = f"phq9-item-{number}"
            self.observation(
                name,
                category="survey",
                code={"coding": [coding(LOINC, loinc)], "text": text},
                value={"valueCodeableConcept": {"coding": [answer], "text": labels[score]}},
                effective=submitted,
                derived=True,
            )
            members.append(self.ref(name))
        phq9 = self.result.get("phq9") or {}
        total = phq9.get("total")
        if total is None:
            return
        band = phq9.get("band")
        self.observation(
            "phq9-total",
            category="survey",
            code={"coding": [coding(LOINC, *PHQ9_TOTAL)], "text": "PHQ-9 total score"},
            value={"valueInteger": total},
            effective=submitted,
            derived=True,
            notes=[gettext("Band: %(band)s (Kroenke 2001).") % {"band": band}] if band else (),
            hasMember=members,
        )

    def score(self, name: str, code: str, display: str, score: dict[str, Any] | None) -> None:
        total = (score or {}).get("total")
        if total is None:
            return
        band = (score or {}).get("band")
        self.observation(
            name,
            category="survey",
            code={"coding": [own(self.site, code, display)], "text": display},
            value={"valueInteger": total},
            effective=_instant(timezone.localtime(self.intake.submitted_at)),
            derived=True,
            notes=[gettext("Band: %(band)s.") % {"band": band}] if band else (),
        )

    def lab(self, name: str, row: dict[str, Any], *, note: str, derived: bool) -> None:
        test = row["test"]
        if test not in LAB_LOINC:
            return
        value, unit = row["value"], row.get("unit") or ""
        more: dict[str, Any] = {}
        if test in ("ttg_iga", "total_iga") and value in QUALITATIVE_RESULTS:
            (snomed, snomed_display), (interpretation, words) = QUALITATIVE_RESULTS[value]
            result = {
                "valueCodeableConcept": {
                    "coding": [coding(SNOMED, snomed, snomed_display)],
                    "text": words,
                }
            }
            more["interpretation"] = [{"coding": [coding(INTERPRETATION, interpretation, words)]}]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            quantity: dict[str, Any] = {"value": value}
            if unit:
                quantity["unit"] = unit
                if unit in UCUM_UNITS:
                    quantity.update(system=UCUM, code=UCUM_UNITS[unit])
            result = {"valueQuantity": quantity}
        else:
            result = {"valueString": _value_text(value)}
        self.observation(
            name,
            category="laboratory",
            code={"coding": [coding(LOINC, LAB_LOINC[test])], "text": LAB_NAMES[test]},
            value=result,
            effective=row["taken_on"],
            derived=derived,
            notes=[note],
            **more,
        )

    def labs(self) -> None:
        for index, row in enumerate(self.intake.answers.get("prior_labs") or (), start=1):
            note = gettext(
                "Copied by the patient from an earlier report, in the intake questionnaire."
            )
            self.lab(f"lab/patient-{index}", row, note=note, derived=True)
        for entry in self.records.lab_results:
            row = {
                "test": entry.test,
                "value": entry.value,
                "unit": entry.unit,
                "taken_on": entry.taken_on.isoformat(),
            }
            entered = timezone.localtime(entry.entered_at).date().isoformat()
            self.lab(
                f"lab/clinic-{entry.pk}",
                row,
                note=gettext("Entered by the clinic on %(day)s.") % {"day": entered},
                derived=False,
            )

    def service_requests(self) -> None:
        if self.assessment is None:
            return
        version = self.assessment.ruleset_version
        for rec in self.records.recommendations:
            label = TestKind(rec.test).label if rec.test in TestKind.values else rec.test
            rules = rec.rules or []
            notes = [gettext("Suggested by the app: %(flag)s.") % {"flag": rec.value}]
            notes += [f"{fired['rule']}: {because_text(fired, version)}." for fired in rules]
            for key, heading in DETAIL_NOTES.items():
                detail = (rec.detail or {}).get(key)
                if detail:
                    notes.append(f"{heading}: {_detail_value(detail)}")
            if rec.decision != Decision.PENDING:
                decided = rec.get_decision_display()
                notes.append(
                    gettext("Practitioner's decision: %(decision)s") % {"decision": decided}
                    + (f". {rec.decision_reason}" if rec.decision_reason else ".")
                )
            identifier = self.record_identifier(f"test/{rec.test}")
            resource = {
                "resourceType": "ServiceRequest",
                "identifier": [identifier],
                "status": SERVICE_REQUEST_STATUS.get(rec.decision, "active"),
                "intent": "proposal",
                "code": {"coding": [own(self.site, rec.test, label)], "text": label},
                "subject": self.patient_ref,
                "authoredOn": _instant(timezone.localtime(self.assessment.created_at)),
                "reasonCode": [
                    {"coding": [own(self.site, fired["rule"])], "text": _rule_text(fired)}
                    for fired in rules
                ],
                "supportingInfo": [self.response_ref],
                "note": [{"text": text} for text in notes],
            }
            if not resource["reasonCode"]:
                del resource["reasonCode"]
            self.add(f"test/{rec.test}", resource, identifier)

    def flags(self) -> None:
        reasons = (self.result.get("urgent") or {}).get("reasons") or []
        version = self.assessment.ruleset_version if self.assessment else ""
        closed = self.intake.status == CaseStatus.CLOSED
        for fired in reasons:
            name = f"red-flag/{fired['rule']}"
            identifier = self.record_identifier(name)
            text = f"{_rule_text(fired)} ({because_text(fired, version)})"
            resource = {
                "resourceType": "Flag",
                "identifier": [identifier],
                # A closed case's red flags have been dealt with.
                "status": "inactive" if closed else "active",
                "category": [{"coding": [coding(FLAG_CATEGORY, "clinical", "Clinical")]}],
                "code": {"coding": [own(self.site, fired["rule"])], "text": text},
                "subject": self.patient_ref,
                "period": {"start": _instant(timezone.localtime(self.intake.submitted_at))},
            }
            self.add(name, resource, identifier)

    def document(self) -> None:
        identifier = self.record_identifier("summary-pdf")
        generated = _instant(timezone.localtime(self.records.generated_at))
        title = gettext("%(case)s summary") % {"case": self.case_number}
        resource = {
            "resourceType": "DocumentReference",
            "identifier": [identifier],
            "status": "current",
            "type": {
                "coding": [own(self.site, CASE_SUMMARY, "Intake case summary")],
                "text": "Intake case summary",
            },
            "subject": self.patient_ref,
            "date": generated,
            "description": title,
            "content": [
                {
                    "attachment": {
                        "contentType": "application/pdf",
                        "data": base64.b64encode(self.records.summary_pdf).decode("ascii"),
                        "title": f"{title}.pdf",
                        "creation": generated,
                    }
                }
            ],
            "context": {"related": [self.response_ref]},
        }
        self.add("summary-pdf", resource, identifier)

    def build(self) -> dict[str, Any]:
        self.patient()
        self.questionnaire_response()
        self.phq9()
        self.labs()
        rls = self.result.get("rls") or {}
        ibs = self.result.get("ibs") or {}
        self.score("irls-total", IRLS_TOTAL, "IRLS total score", rls.get("irls"))
        self.score("ibs-sss-total", IBS_SSS_TOTAL, "IBS-SSS total score", ibs.get("ibs_sss"))
        self.service_requests()
        self.flags()
        self.document()
        return checked({"resourceType": "Bundle", "type": "transaction", "entry": self.entries})


def case_bundle(records: CaseRecords, *, site_url: str, mrn_system: str = "") -> dict[str, Any]:
    """The transaction Bundle of one submitted case. A draft has none: its answers are the
    patient's until they send them."""
    if records.intake.is_draft:
        raise ValueError(
            f"{records.intake.case_number} is a draft: only a submitted case has a bundle."
        )
    return _CaseBundle(records, Site(site_url, mrn_system)).build()

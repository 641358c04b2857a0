"""A case as a FHIR transaction Bundle (intake/fhir/bundle.py, through services.fhir_exports).

Every resource is constructed as its fhir.resources model; the transaction rules and the
response's fit to the Questionnaire are checked by tests/fhir_checks.py.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from intake import services
from intake.enums import Decision
from intake.fhir import bundle as fhir_bundle
from intake.fhir import questionnaire as fhir_questionnaire
from intake.models import Intake, Patient, TestRecommendation
from intake.services import fhir_exports
from tests.factories import (
    case_stored_under_2026_2,
    case_under_revision_3,
    open_invitation,
    submitted_case,
)
from tests.fhir_checks import check_response, check_transaction, model_of

pytestmark = pytest.mark.django_db

SITE = "https://clinic.example"
CODES = "https://clinic.example/fhir/CodeSystem/intake"
RECORD = "https://clinic.example/fhir/sid/case-record"
FROM_PATIENT = "Copied by the patient from an earlier report, in the intake questionnaire."
NOW = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)
PRIOR_LABS = [
    {"test": "ferritin", "value": 25, "unit": "µg/L", "taken_on": "2026-10-01"},
    {"test": "ttg_iga", "value": "neg", "unit": None, "taken_on": "2026-09-15"},
]


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE + "/"


def _fetched(case: Intake) -> Intake:
    return Intake.objects.select_related("patient", "current_assessment").get(pk=case.pk)


def _bundle(case: Intake) -> dict:
    return fhir_exports.case_bundle(intake=_fetched(case), now=NOW)


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _by_identifier(bundle: dict, kind: str) -> dict[str, dict]:
    return {r["identifier"][0]["value"]: r for r in _resources(bundle, kind)}


@pytest.fixture
def case_with_results(practitioner):
    case = submitted_case(
        name="Dana Results", prior_labs=PRIOR_LABS, prior_celiac_test_on_gluten="yes"
    )
    return services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[
            {"test": "tsh", "value": 2.4, "unit": "mIU/L", "taken_on": "2026-11-20"},
            {"test": "total_iga", "value": "low", "unit": None, "taken_on": "2026-11-20"},
        ],
        by=practitioner,
    )


def test_bundle_every_resource_builds_as_an_r4_model(case_with_results):
    bundle = _bundle(case_with_results)

    assert model_of(bundle).model_dump(mode="json") == bundle
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert model_of(resource).model_dump(mode="json") == resource


def test_bundle_follows_the_transaction_rules(case_with_results):
    assert check_transaction(_bundle(case_with_results)) == []


def test_bundle_entries_come_in_order(case_with_results):
    bundle = _bundle(case_with_results)
    recommendations = TestRecommendation.objects.filter(
        assessment=case_with_results.current_assessment
    ).count()

    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]

    assert kinds == [
        "Patient",
        "QuestionnaireResponse",
        *["Observation"] * 14,  # 9 PHQ-9 items, the total, 2 results from the patient, 2 entered
        *["ServiceRequest"] * recommendations,
        "DocumentReference",
    ]


def test_bundle_patient_is_a_conditional_create_on_the_app_identifier(case_with_results):
    entry = _bundle(case_with_results)["entry"][0]
    patient = case_with_results.patient

    assert entry["resource"] == {
        "resourceType": "Patient",
        "identifier": [{"system": f"{SITE}/fhir/sid/patient", "value": str(patient.pk)}],
        "name": [{"text": "Dana Results"}],
        "birthDate": "1980-04-23",
    }
    assert entry["request"] == {
        "method": "POST",
        "url": "Patient",
        "ifNoneExist": f"identifier={SITE}/fhir/sid/patient|{patient.pk}",
    }


def test_bundle_patient_with_an_mrn_is_matched_on_it(case_with_results, settings):
    settings.FHIR_MRN_SYSTEM = "urn:oid:1.2.826.0.1.999"
    patient = case_with_results.patient
    Patient.objects.filter(pk=patient.pk).update(mrn="RXH000123", mobile_phone="+447400123456")

    bundle = _bundle(case_with_results)
    entry = bundle["entry"][0]

    assert entry["resource"] == {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                    ]
                },
                "system": "urn:oid:1.2.826.0.1.999",
                "value": "RXH000123",
            },
            {"system": f"{SITE}/fhir/sid/patient", "value": str(patient.pk)},
        ],
        "name": [{"text": "Dana Results"}],
        "telecom": [{"system": "phone", "value": "+447400123456", "use": "mobile"}],
        "birthDate": "1980-04-23",
    }
    assert entry["request"] == {
        "method": "POST",
        "url": "Patient",
        "ifNoneExist": "identifier=urn:oid:1.2.826.0.1.999|RXH000123",
    }
    assert check_transaction(bundle) == []


def test_bundle_patient_mrn_without_a_named_system_is_under_the_site(case_with_results):
    Patient.objects.filter(pk=case_with_results.patient_id).update(mrn="A/1-2")

    entry = _bundle(case_with_results)["entry"][0]

    assert entry["resource"]["identifier"][0]["system"] == f"{SITE}/fhir/sid/mrn"
    assert entry["request"]["ifNoneExist"] == f"identifier={SITE}/fhir/sid/mrn|A/1-2"


def test_bundle_response_follows_the_questionnaire(case_with_results):
    bundle = _bundle(case_with_results)
    [response] = _resources(bundle, "QuestionnaireResponse")
    questionnaire = fhir_questionnaire.questionnaire(site_url=SITE)

    problems, _enabled = check_response(questionnaire, response["item"])

    assert problems == []
    assert (
        response["questionnaire"] == f"{SITE}/fhir/Questionnaire/intake|{questionnaire['version']}"
    )
    assert response["identifier"] == {
        "system": f"{SITE}/fhir/sid/case",
        "value": case_with_results.case_number,
    }
    assert (response["status"], response["subject"], response["source"]) == (
        "completed",
        {"reference": bundle["entry"][0]["fullUrl"]},
        {"reference": bundle["entry"][0]["fullUrl"]},
    )
    assert response["authored"] == timezone.localtime(case_with_results.submitted_at).isoformat(
        timespec="seconds"
    ).replace("+00:00", "Z")


def test_bundle_response_answers_by_link_id(case_with_results):
    [response] = _resources(_bundle(case_with_results), "QuestionnaireResponse")
    groups = {item["linkId"]: item for item in response["item"]}

    legs = {item["linkId"]: item["answer"] for item in groups["legs"]["item"]}
    labs = groups["labs"]["item"]

    assert groups["age_years"]["answer"] == [{"valueInteger": 46}]
    assert legs["rls_screen"] == [
        {"valueCoding": {"system": CODES, "code": "yes", "display": "Yes"}}
    ]
    assert labs[0] == {
        "linkId": "prior_labs",
        "text": "Earlier test result",
        "item": [
            {
                "linkId": "prior_labs.test",
                "text": "Test",
                "answer": [
                    {"valueCoding": {"system": CODES, "code": "ferritin", "display": "Ferritin"}}
                ],
            },
            {"linkId": "prior_labs.value", "text": "Value", "answer": [{"valueDecimal": 25.0}]},
            {
                "linkId": "prior_labs.unit",
                "text": "Unit",
                "answer": [
                    {
                        "valueCoding": {
                            "system": "http://unitsofmeasure.org",
                            "code": "ug/L",
                            "display": "µg/L",
                        }
                    }
                ],
            },
            {
                "linkId": "prior_labs.taken_on",
                "text": "Date taken",
                "answer": [{"valueDate": "2026-10-01"}],
            },
        ],
    }
    assert [item["linkId"] for item in labs] == [
        "prior_labs",
        "prior_labs",
        "prior_celiac_test_on_gluten",
    ]


def test_bundle_results_are_loinc_observations_with_ucum_and_snomed(case_with_results):
    bundle = _bundle(case_with_results)
    entered = {entry.test: entry.pk for entry in case_with_results.lab_results.all()}
    by_id = _by_identifier(bundle, "Observation")
    number = case_with_results.case_number
    laboratory = [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "laboratory",
                    "display": "Laboratory",
                }
            ]
        }
    ]
    results = {
        key: (
            r["code"]["coding"][0]["code"],
            r["code"]["text"],
            r["effectiveDateTime"],
            r.get("valueQuantity") or r.get("valueCodeableConcept"),
            r.get("interpretation"),
            r["note"],
            r.get("derivedFrom") is not None,
        )
        for key, r in by_id.items()
        if r["category"] == laboratory
    }
    entered_on = timezone.localdate().isoformat()

    assert results == {
        f"{number}/lab/patient-1": (
            "2276-4",
            "Ferritin",
            "2026-10-01",
            {"value": 25.0, "unit": "µg/L", "system": "http://unitsofmeasure.org", "code": "ug/L"},
            None,
            [{"text": FROM_PATIENT}],
            True,
        ),
        f"{number}/lab/patient-2": (
            "31017-7",
            "Coeliac blood test (tTG-IgA)",
            "2026-09-15",
            {
                "coding": [
                    {"system": "http://snomed.info/sct", "code": "260385009", "display": "Negative"}
                ],
                "text": "Negative",
            },
            [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/"
                            "v3-ObservationInterpretation",
                            "code": "NEG",
                            "display": "Negative",
                        }
                    ]
                }
            ],
            [{"text": FROM_PATIENT}],
            True,
        ),
        f"{number}/lab/clinic-{entered['tsh']}": (
            "3016-3",
            "TSH (thyroid)",
            "2026-11-20",
            {
                "value": 2.4,
                "unit": "mIU/L",
                "system": "http://unitsofmeasure.org",
                "code": "m[IU]/L",
            },
            None,
            [{"text": f"Entered by the clinic on {entered_on}."}],
            False,
        ),
        f"{number}/lab/clinic-{entered['total_iga']}": (
            "2458-8",
            "Total IgA",
            "2026-11-20",
            {
                "coding": [
                    {"system": "http://snomed.info/sct", "code": "62482003", "display": "Low"}
                ],
                "text": "Low",
            },
            [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/"
                            "v3-ObservationInterpretation",
                            "code": "L",
                            "display": "Low",
                        }
                    ]
                }
            ],
            [{"text": f"Entered by the clinic on {entered_on}."}],
            False,
        ),
    }


def test_bundle_phq9_total_and_items_are_loinc_coded(case_with_results):
    bundle = _bundle(case_with_results)
    by_id = _by_identifier(bundle, "Observation")
    number = case_with_results.case_number
    full_urls = {
        e["resource"].get("identifier", [{}])[0].get("value"): e["fullUrl"]
        for e in bundle["entry"]
        if isinstance(e["resource"].get("identifier"), list)
    }

    total = by_id[f"{number}/phq9-total"]
    first = by_id[f"{number}/phq9-item-1"]

    assert total["code"] == {
        "coding": [
            {
                "system": "http://loinc.org",
                "code": "44261-6",
                "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
            }
        ],
        "text": "PHQ-9 total score",
    }
    assert total["valueInteger"] == 3
    assert total["note"] == [{"text": "Band: none (Kroenke 2001)."}]
    assert total["hasMember"] == [
        {"reference": full_urls[f"{number}/phq9-item-{n}"]} for n in range(1, 10)
    ]
    assert first["code"] == {
        "coding": [{"system": "http://loinc.org", "code": "44250-9"}],
        "text": "Little interest or pleasure in doing things",
    }
    assert first["valueCodeableConcept"] == {
        "coding": [{"system": "http://loinc.org", "code": "LA6569-3", "display": "Several days"}],
        "text": "Several days",
    }


def test_bundle_service_request_per_suggested_test_with_rules_and_answers(monkeypatch):
    case = case_under_revision_3(monkeypatch, name="Rev Three")
    bundle = _bundle(case)
    number = case.case_number

    requests = _by_identifier(bundle, "ServiceRequest")
    thyroid = requests[f"{number}/test/thyroid"]

    assert sorted(requests) == [
        f"{number}/test/celiac",
        f"{number}/test/iron_panel",
        f"{number}/test/sibo_breath",
        f"{number}/test/thyroid",
    ]
    assert {r["intent"] for r in requests.values()} == {"proposal"}
    assert thyroid["status"] == "active"
    assert thyroid["code"] == {
        "coding": [
            {"system": CODES, "code": "thyroid", "display": "Thyroid (TSH, reflex free T4)"}
        ],
        "text": "Thyroid (TSH, reflex free T4)",
    }
    assert thyroid["reasonCode"] == [
        {
            "coding": [{"system": CODES, "code": "THY-1"}],
            "text": "THY-1 (Guideline): Chronic diarrhoea: thyroid function is part of the "
            "initial work-up (BSG 2018).",
        },
        {
            "coding": [{"system": CODES, "code": "THY-2b"}],
            "text": "THY-2b (Guideline): Higher risk of thyroid disease: case-finding TSH "
            "(ATA/AACE 2012).",
        },
    ]
    assert thyroid["note"] == [
        {"text": "Suggested by the app: order."},
        {"text": "THY-1: because chronic_diarrhea = true; loose_stools_4wk = yes."},
        {"text": "THY-2b: because fhx_thyroid = yes."},
    ]
    assert requests[f"{number}/test/iron_panel"]["note"][-2:] == [
        {"text": "Context: heavy_menstrual_bleeding, iv_iron_last_12wk"},
        {
            "text": "Caveat: IV iron in the last 12 weeks: results drawn within about 8 weeks of "
            "an infusion are falsely high, and results drawn before it are out of date. Draw at "
            "least 8 weeks after the last dose."
        },
    ]
    assert requests[f"{number}/test/celiac"]["note"][0] == {
        "text": "Suggested by the app: positive_on_file."
    }


def test_bundle_service_request_status_follows_the_decision(monkeypatch, practitioner):
    case = case_under_revision_3(monkeypatch, name="Decided Case")
    recs = {
        r.test: r for r in TestRecommendation.objects.filter(assessment=case.current_assessment)
    }
    for test, decision, reason in (
        ("thyroid", Decision.DECLINED, 'TSH done last month, "normal" <ok>'),
        ("iron_panel", Decision.ALREADY_DONE, ""),
        ("celiac", Decision.ORDERED, ""),
    ):
        services.record_decision(
            intake_id=case.pk,
            version=case.version,
            recommendation_id=recs[test].pk,
            decision=decision,
            reason=reason,
            by=practitioner,
        )
        case.refresh_from_db()
    requests = _by_identifier(_bundle(case), "ServiceRequest")
    number = case.case_number

    statuses = {key.rsplit("/", 1)[1]: r["status"] for key, r in requests.items()}

    assert statuses == {
        "thyroid": "revoked",
        "iron_panel": "completed",
        "celiac": "active",
        "sibo_breath": "active",
    }
    assert requests[f"{number}/test/thyroid"]["note"][-1] == {
        "text": 'Practitioner\'s decision: Declined. TSH done last month, "normal" <ok>'
    }
    assert requests[f"{number}/test/celiac"]["note"][-1] == {
        "text": "Practitioner's decision: Ordered."
    }


def test_bundle_red_flags_are_flags_with_the_answers_behind_them(monkeypatch):
    case = case_under_revision_3(monkeypatch, name="Red Flags")
    bundle = _bundle(case)
    number = case.case_number

    flags = _by_identifier(bundle, "Flag")

    assert sorted(flags) == [
        f"{number}/red-flag/RF-10",
        f"{number}/red-flag/RF-2",
        f"{number}/red-flag/RF-5",
    ]
    assert flags[f"{number}/red-flag/RF-10"] == {
        "resourceType": "Flag",
        "identifier": [{"system": RECORD, "value": f"{number}/red-flag/RF-10"}],
        "status": "active",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                        "code": "clinical",
                        "display": "Clinical",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": CODES, "code": "RF-10"}],
            "text": "RF-10 (Guideline): Possible cord or cauda equina compression. "
            "(because saddle_numbness = yes)",
        },
        "subject": {"reference": bundle["entry"][0]["fullUrl"]},
        "period": {
            "start": timezone.localtime(case.submitted_at)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z")
        },
    }
    assert flags[f"{number}/red-flag/RF-5"]["code"]["text"] == (
        "RF-5 (Practice-based): New bowel symptoms at 50 or over. (because gi_symptomatic = "
        "true; loose_stools_4wk = yes; gi_symptom_duration_months = null)"
    )


def test_bundle_under_rules_2026_2_says_the_answers_were_not_recorded(monkeypatch):
    case = case_stored_under_2026_2(monkeypatch, name="Old Rules")
    bundle = _bundle(case)
    number = case.case_number

    requests = _by_identifier(bundle, "ServiceRequest")
    flags = _by_identifier(bundle, "Flag")

    assert check_transaction(bundle) == []
    assert sorted(requests) == [f"{number}/test/sibo_breath", f"{number}/test/thyroid"]
    assert requests[f"{number}/test/thyroid"]["note"] == [
        {"text": "Suggested by the app: order."},
        {"text": "THY-1: the answers behind it were not recorded (rules 2026.2)."},
    ]
    assert flags[f"{number}/red-flag/RF-12"]["code"]["text"] == (
        "RF-12: Thoughts of self-harm or of being better off dead reported: crisis pathway. "
        "(the answers behind it were not recorded (rules 2026.2))"
    )


def test_bundle_document_reference_carries_the_case_pdf(case_with_results):
    bundle = _bundle(case_with_results)
    [document] = _resources(bundle, "DocumentReference")
    attachment = document["content"][0]["attachment"]
    number = case_with_results.case_number

    assert base64.b64decode(attachment["data"])[:5] == b"%PDF-"
    assert {key: value for key, value in attachment.items() if key != "data"} == {
        "contentType": "application/pdf",
        "title": f"{number} summary.pdf",
        "creation": "2026-12-10T09:30:00Z",
    }
    assert (document["status"], document["date"], document["description"]) == (
        "current",
        "2026-12-10T09:30:00Z",
        f"{number} summary",
    )
    assert document["type"] == {
        "coding": [{"system": CODES, "code": "case-summary", "display": "Intake case summary"}],
        "text": "Intake case summary",
    }


def test_bundle_full_urls_are_the_same_on_every_export(case_with_results):
    first, second = _bundle(case_with_results), _bundle(case_with_results)

    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert [e["request"] for e in first["entry"]] == [e["request"] for e in second["entry"]]


def test_bundle_hostile_name_is_plain_text():
    name = '<script>alert("x")</script> O\'Brien & "Sons" {{7*7}}'
    case = submitted_case(name=name)

    [patient] = _resources(_bundle(case), "Patient")

    assert patient["name"] == [{"text": name}]


def test_bundle_missing_answers_leave_their_items_out(monkeypatch):
    case = submitted_case(name="Gap Answers")
    answers = {
        k: v for k, v in case.answers.items() if k not in ("rls_days_per_week", "phq9_items")
    }
    Intake.objects.filter(pk=case.pk).update(answers=answers)
    bundle = _bundle(case)
    [response] = _resources(bundle, "QuestionnaireResponse")
    questionnaire = fhir_questionnaire.questionnaire(site_url=SITE)

    problems, _enabled = check_response(questionnaire, response["item"], completed=False)
    gaps, _enabled = check_response(questionnaire, response["item"])
    loinc = [
        r["code"]["coding"][0]["code"]
        for r in _resources(bundle, "Observation")
        if r["code"]["coding"][0]["system"] == "http://loinc.org"
    ]

    # Stored answers that lost a required one still export, as a response in progress. The
    # mood step, left with no answer at all, is left out whole.
    assert response["status"] == "in-progress"
    assert problems == []
    assert gaps == ["rls_days_per_week: required and enabled, but not answered"]
    assert "mood" not in [item["linkId"] for item in response["item"]]
    assert loinc == []
    assert check_transaction(bundle) == []


def test_bundle_of_an_erased_patient_keeps_the_year_of_birth_only(clinic_admin):
    case = submitted_case(name="Erin Erased")
    services.erase_patient(patient=case.patient, by=clinic_admin, reason="Patient's request")

    [patient] = _resources(_bundle(case), "Patient")

    assert patient == {
        "resourceType": "Patient",
        "identifier": [{"system": f"{SITE}/fhir/sid/patient", "value": str(case.patient_id)}],
        "birthDate": "1980",
    }


def test_bundle_of_a_draft_is_refused():
    invitation, _token = open_invitation(name="Drafty Draft")
    draft = invitation.intake
    records = fhir_bundle.CaseRecords(
        intake=draft, recommendations=[], lab_results=[], summary_pdf=b"", generated_at=NOW
    )

    with pytest.raises(ValueError) as refused:
        fhir_bundle.case_bundle(records, site_url=SITE)

    assert str(refused.value) == (
        f"{draft.case_number} is a draft: only a submitted case has a bundle."
    )

"""Staff pages speak STAFF_LANGUAGE_CODE whatever the browser asks for, and say which language
the patient answered in: the case page, its print view and PDF, the CSV export, the FHIR
bundle and the subject-access export. A patient who never chose a language answered in
LANGUAGE_CODE."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.test import Client

from intake import selectors
from intake.models import Intake
from intake.services import fhir_exports
from tests.factories import login_verified, submitted_case

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


def _case(name: str, language: str) -> Intake:
    case = submitted_case(name=name)
    Intake.objects.filter(pk=case.pk).update(language=language)
    return Intake.objects.select_related("patient", "current_assessment").get(pk=case.pk)


def _answered_in(html: str) -> list[str]:
    return re.findall(r'<p class="[^"]*answered-in">([^<]*)</p>', html)


def _pdf_text(pdf: bytes, folder) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext is missing: run scripts/ensure-chromium.sh (poppler-utils)")
    source = folder / "case.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        [pdftotext, "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(("language", "shown"), [("es", "Español"), ("", "English")])
def test_case_page_says_the_language_the_patient_answered_in(staff, language, shown):
    case = _case("Lena Lengua", language)

    response = staff.get(f"/staff/cases/{case.pk}/")

    assert _answered_in(response.content.decode()) == [f"Answered in: {shown}"]


def test_case_page_stays_in_the_staff_language_whatever_the_browser_asks(staff):
    case = _case("Lena Lengua", "es")

    response = staff.get(f"/staff/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="es")

    html = response.content.decode()
    headings = re.findall(r'<h2 class="h5" id="h-[a-z]+">([^<]*)</h2>', html)
    assert response["Content-Language"] == "en"
    assert headings[-3:] == ["Workflow", "Notes", "Timeline"]
    assert "All answers" in headings
    assert _answered_in(html) == ["Answered in: Español"]


@pytest.mark.parametrize(("language", "shown"), [("es", "Español"), ("", "English")])
def test_print_view_says_the_language(staff, language, shown):
    case = _case("Lena Lengua", language)

    response = staff.get(f"/staff/cases/{case.pk}/print/", HTTP_ACCEPT_LANGUAGE="es")

    assert _answered_in(response.content.decode()) == [f"Answered in: {shown}"]


@pytest.mark.parametrize(("language", "shown"), [("es", "Español"), ("", "English")])
def test_pdf_says_the_language(staff, tmp_path, language, shown):
    case = _case("Lena Lengua", language)

    response = staff.get(f"/staff/cases/{case.pk}/summary.pdf", HTTP_ACCEPT_LANGUAGE="es")

    lines = [line.strip() for line in _pdf_text(response.content, tmp_path).splitlines()]
    assert [line for line in lines if line.startswith("Answered in")] == [f"Answered in: {shown}"]


def test_csv_export_has_each_cases_language(staff):
    spanish = _case("Sofia Spanish", "es")
    default = _case("Dan Default", "")

    response = staff.get("/staff/export.csv", {"sort": "case"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["case_number"], row["language"]) for row in rows] == [
        (spanish.case_number, "es"),
        (default.case_number, "en"),
    ]


def test_fhir_bundle_states_the_response_language_and_the_patients(settings):
    settings.SITE_URL = "https://clinic.example/"
    case = _case("Sofia Spanish", "es")

    bundle = fhir_exports.case_bundle(intake=case, now=NOW)

    resources = {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"]}
    assert resources["QuestionnaireResponse"]["language"] == "es"
    assert resources["Patient"]["communication"] == [
        {
            "language": {
                "coding": [{"system": "urn:ietf:bcp:47", "code": "es"}],
                "text": "Español",
            },
            "preferred": True,
        }
    ]


def test_fhir_bundle_of_a_patient_who_never_chose_says_the_default_for_the_response(settings):
    settings.SITE_URL = "https://clinic.example/"
    case = _case("Dan Default", "")

    bundle = fhir_exports.case_bundle(intake=case, now=NOW)

    resources = {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"]}
    assert resources["QuestionnaireResponse"]["language"] == "en"
    assert "communication" not in resources["Patient"]


@pytest.mark.parametrize(
    ("language", "code", "label"), [("es", "es", "Español"), ("", "en", "English")]
)
def test_subject_access_data_says_the_language_of_each_questionnaire(language, code, label):
    case = _case("Lena Lengua", language)

    data = selectors.subject_access_data(patient=case.patient)

    [intake] = data["intakes"]
    assert (intake["language"], intake["language_label"]) == (code, label)

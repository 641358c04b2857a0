"""Getting FHIR out: the case page's "FHIR bundle" download and `manage.py export_fhir`.

Who may download is in tests/test_access_matrix.py; here: what is sent, that it is audited,
that its query count does not grow with the case, and the command's files and refusals.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import services
from intake.enums import AuditAction
from intake.fhir import codes
from intake.fhir import questionnaire as fhir_questionnaire
from intake.models import AuditEvent, Intake
from tests.factories import login_verified, open_invitation, submitted_case
from tests.fhir_checks import check_response, check_transaction, model_of

pytestmark = pytest.mark.django_db

SITE = "https://clinic.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def staff(client, practitioner):
    return login_verified(client, practitioner)


def _results(count: int) -> list[dict]:
    return [
        {"test": "ferritin", "value": 20 + n, "unit": "ng/mL", "taken_on": f"2026-11-{n + 1:02d}"}
        for n in range(count)
    ]


def test_fhir_download_sends_the_case_bundle_and_audits_it(staff, practitioner):
    case = submitted_case(name="Dora Download")

    response = staff.get(f"/staff/cases/{case.pk}/fhir.json")

    bundle = json.loads(response.content)
    event = AuditEvent.objects.filter(intake=case, action=AuditAction.EXPORT).get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == f'attachment; filename="{case.case_number}-fhir.json"'
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert model_of(bundle).get_resource_type() == "Bundle"
    assert check_transaction(bundle) == []
    assert bundle["entry"][0]["resource"]["name"] == [{"text": "Dora Download"}]
    assert (event.actor, event.patient_id, event.object_type, event.object_id, event.summary) == (
        practitioner,
        case.patient_id,
        "Intake",
        str(case.pk),
        "FHIR bundle",
    )


def test_fhir_case_page_offers_the_bundle_beside_the_pdf(staff):
    case = submitted_case(name="Button Case")

    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    pdf = f'href="/staff/cases/{case.pk}/summary.pdf">PDF</a>'
    fhir = (
        f'<a class="btn btn-outline-secondary btn-sm" href="/staff/cases/{case.pk}/fhir.json" '
        "download>FHIR bundle</a>"
    )
    assert page.count(fhir) == 1
    assert page.index(fhir) > page.index(pdf)


def test_fhir_download_hostile_name_arrives_as_written(staff):
    name = "\"><img src=x onerror=alert(1)> Zoë \\ O'Hara"
    case = submitted_case(name=name)

    response = staff.get(f"/staff/cases/{case.pk}/fhir.json")

    assert json.loads(response.content)["entry"][0]["resource"]["name"] == [{"text": name}]
    assert response["Content-Disposition"] == f'attachment; filename="{case.case_number}-fhir.json"'


def test_fhir_download_of_a_draft_is_not_found_and_not_audited(staff):
    invitation, _token = open_invitation(name="Drafty Draft")

    response = staff.get(f"/staff/cases/{invitation.intake.pk}/fhir.json")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 0


def test_fhir_download_query_count_does_not_grow_with_the_case(staff, practitioner):
    few = submitted_case(name="Few Results")
    few = services.record_results(
        intake_id=few.pk, version=few.version, results=_results(1), by=practitioner
    )
    many = submitted_case(name="Many Results", born=dt.date(1975, 1, 2))
    many = services.record_results(
        intake_id=many.pk, version=many.version, results=_results(6), by=practitioner
    )
    many = services.record_results(
        intake_id=many.pk, version=many.version, results=_results(3), by=practitioner
    )
    staff.get(f"/staff/cases/{few.pk}/fhir.json")  # warm the session and caches

    with CaptureQueriesContext(connection) as one:
        first = staff.get(f"/staff/cases/{few.pk}/fhir.json")
    with CaptureQueriesContext(connection) as several:
        second = staff.get(f"/staff/cases/{many.pk}/fhir.json")

    observations = [
        len(
            [
                e
                for e in json.loads(r.content)["entry"]
                if e["resource"]["resourceType"] == "Observation"
            ]
        )
        for r in (first, second)
    ]
    assert observations == [11, 19]  # PHQ-9 (10) and the results entered: 1, then 9
    assert len(several) == len(one)


# --- manage.py export_fhir ----------------------------------------------------------------


def test_export_fhir_writes_the_questionnaire_code_system_and_one_bundle_per_case(tmp_path):
    first = submitted_case(name="First Case")
    second = submitted_case(name="Second Case", born=dt.date(1971, 6, 1))
    open_invitation(name="Drafty Draft")  # a draft is the patient's: never exported
    out = tmp_path / "fhir"

    call_command("export_fhir", "--out", str(out), stdout=(log := _Log()))

    files = sorted(path.name for path in out.iterdir())
    assert files == sorted(
        [
            "questionnaire.json",
            "codesystem.json",
            f"{first.case_number}.json",
            f"{second.case_number}.json",
        ]
    )
    assert json.loads((out / "questionnaire.json").read_text()) == (
        fhir_questionnaire.questionnaire(site_url=SITE)
    )
    assert json.loads((out / "codesystem.json").read_text()) == codes.code_system(site_url=SITE)
    bundle = json.loads((out / f"{first.case_number}.json").read_text(encoding="utf-8"))
    assert check_transaction(bundle) == []
    assert bundle["entry"][0]["resource"]["name"] == [{"text": "First Case"}]
    assert log.text == f"Wrote questionnaire.json, codesystem.json and 2 case bundle(s) to {out}.\n"


def test_export_fhir_audits_each_case_written(tmp_path):
    case = submitted_case(name="Audited Case")

    call_command("export_fhir", "--out", str(tmp_path), stdout=_Log())

    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert event.actor is None
    assert event.actor_label.startswith("manage.py export_fhir (")
    assert (event.intake_id, event.patient_id, event.summary) == (
        case.pk,
        case.patient_id,
        "FHIR bundle written to a folder",
    )


def test_export_fhir_since_writes_only_cases_changed_from_that_day(tmp_path):
    old = submitted_case(name="Old Case")
    new = submitted_case(name="New Case", born=dt.date(1990, 2, 2))
    long_ago = timezone.make_aware(dt.datetime(2026, 1, 10, 12, 0))
    Intake.objects.filter(pk=old.pk).update(updated_at=long_ago)

    call_command("export_fhir", "--out", str(tmp_path), "--since", "2026-02-01", stdout=_Log())

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["questionnaire.json", "codesystem.json", f"{new.case_number}.json"]
    )


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "01/02/2026", "2026-02-01'; --"])
def test_export_fhir_refuses_a_since_that_is_not_a_date(tmp_path, since):
    with pytest.raises(CommandError) as refused:
        call_command("export_fhir", "--out", str(tmp_path), "--since", since)

    assert str(refused.value) == f"--since: enter a date as YYYY-MM-DD, not {since!r}."
    assert list(tmp_path.iterdir()) == []


def test_export_fhir_refuses_an_out_that_is_a_file(tmp_path):
    target = tmp_path / "taken.txt"
    target.write_text("keep me")

    with pytest.raises(CommandError) as refused:
        call_command("export_fhir", "--out", str(target))

    assert str(refused.value) == f"--out: {target} is a file, not a folder."
    assert target.read_text() == "keep me"


class _Log:
    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_export_fhir_every_demo_case_validates(tmp_path):
    call_command("seed_demo", force=True, stdout=_Log())
    submitted = Intake.objects.exclude(status="draft").count()

    call_command("export_fhir", "--out", str(tmp_path), stdout=_Log())

    questionnaire = json.loads((tmp_path / "questionnaire.json").read_text())
    bundles = sorted(tmp_path.glob("C-*.json"))
    assert len(bundles) == submitted
    assert model_of(questionnaire).get_resource_type() == "Questionnaire"
    statuses = Counter()
    for path in bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        [response] = [
            e["resource"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "QuestionnaireResponse"
        ]
        completed = response["status"] == "completed"
        problems, _enabled = check_response(questionnaire, response["item"], completed=completed)
        strict, _enabled = check_response(questionnaire, response["item"])
        assert (path.name, model_of(bundle).get_resource_type()) == (path.name, "Bundle")
        assert (path.name, check_transaction(bundle), problems) == (path.name, [], [])
        # Some demo cases lack an answer a form would require (made before the question was
        # asked): their response is in progress, and only for that reason.
        gaps = {problem.endswith("required and enabled, but not answered") for problem in strict}
        assert (path.name, response["status"], gaps) in (
            (path.name, "completed", set()),
            (path.name, "in-progress", {True}),
        )
        statuses[response["status"]] += 1
    assert (sum(statuses.values()), statuses["completed"] > 0) == (submitted, True)

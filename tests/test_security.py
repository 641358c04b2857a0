"""Hostile use: other people's objects, stored markup, forged requests, open redirects,
injection through the queue's filters, oversized bodies, and the holes found along the way.

tests/test_access_matrix.py has every URL × role; this file tries to get past it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pypdf
import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import services
from intake.enums import CaseStatus, Decision, Role
from intake.models import (
    Intake,
    Invitation,
    LabResultEntry,
    Note,
    Patient,
    TestRecommendation,
)
from tests.access import PAYLOADS, outcome, patient_browser
from tests.answer_sets import CONSENT
from tests.factories import (
    PATIENT_DOB,
    PatientLink,
    answer_steps,
    login_verified,
    open_invitation,
    send_answers,
    submitted_case,
)

pytestmark = pytest.mark.django_db

PASSWORD = "x-pass-12345"
MISSING = 999_999
CHILD_BORN = dt.date(timezone.localdate().year - 10, 6, 15)


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


@pytest.fixture
def admin_staff(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def _draft_with_answers() -> Intake:
    invitation, token = open_invitation(name="Dora Draft")
    client = patient_browser(token)
    client.post("/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"})
    return Intake.objects.get(pk=invitation.intake_id)


def _case_state(intake: Intake) -> tuple:
    """Everything a change to a case could touch."""
    intake.refresh_from_db()
    return (
        intake.status,
        intake.version,
        intake.assigned_to_id,
        intake.current_assessment_id,
        list(intake.notes.values_list("text", flat=True)),
        list(intake.lab_results.values_list("test", "value")),
        list(intake.recommendations.values_list("pk", "decision", "decision_reason")),
    )


# --- IDOR: every object type ---------------------------------------------------------------

CASE_CHANGES = {
    "status": {"status": CaseStatus.CLOSED},
    "assign": {"take": "1"},
    "note": {"text": "Written on the wrong case"},
    "results": {
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-0-test": "ferritin",
        "results-0-value": "12",
        "results-0-unit": "ng/mL",
        "results-0-taken_on": "2026-01-05",
    },
    "decision": {"decision": Decision.ORDERED},
}


@pytest.mark.parametrize("target", ["draft", "missing"])
@pytest.mark.parametrize("action", list(CASE_CHANGES))
def test_idor_case_change_on_a_draft_or_missing_case_not_found_and_nothing_changes(
    staff, target, action
):
    draft = _draft_with_answers()
    pk = draft.pk if target == "draft" else MISSING
    data = {"version": str(draft.version), **CASE_CHANGES[action]}
    before = _case_state(draft)

    response = staff.post(f"/staff/cases/{pk}/{action}/", data)

    assert response.status_code == 404
    assert _case_state(draft) == before
    assert (Note.objects.count(), LabResultEntry.objects.count()) == (0, 0)


@pytest.mark.parametrize("page", ["", "print/", "summary.pdf"])
@pytest.mark.parametrize("target", ["draft", "missing"])
def test_idor_case_pages_of_a_draft_or_missing_case_not_found(staff, target, page):
    draft = _draft_with_answers()
    pk = draft.pk if target == "draft" else MISSING

    response = staff.get(f"/staff/cases/{pk}/{page}")

    assert response.status_code == 404
    assert "sex_at_birth" not in response.content.decode()


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_idor_invitation_unknown_id_not_found_and_no_link_changes(staff, action):
    invitation, _token = open_invitation()

    response = staff.post(f"/staff/invitations/{MISSING}/{action}/")

    assert response.status_code == 404
    assert list(Invitation.objects.values_list("pk", "revoked_at")) == [(invitation.pk, None)]


def test_idor_decision_on_another_cases_recommendation_refused_nothing_changes(staff):
    case = submitted_case(name="Case Mine")
    other = submitted_case(name="Case Theirs")
    theirs = TestRecommendation.objects.filter(assessment=other.current_assessment).first()
    before = (_case_state(case), _case_state(other))

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {
            "version": case.version,
            "recommendation": theirs.pk,
            "decision": Decision.DECLINED,
            "reason": "Not theirs to decide",
        },
    )

    assert response.status_code == 400
    assert (
        response.context["error"] == "That test is not among this case's current recommendations."
    )
    assert (_case_state(case), _case_state(other)) == before


def test_idor_decision_on_a_superseded_recommendation_refused(staff, practitioner):
    case = submitted_case()
    old = TestRecommendation.objects.filter(assessment=case.current_assessment).first()
    case = services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[{"test": "tsh", "value": 2, "unit": "mIU/L", "taken_on": "2026-01-05"}],
        by=practitioner,
    )
    before = _case_state(case)

    response = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": case.version, "recommendation": old.pk, "decision": Decision.ORDERED},
    )

    assert response.status_code == 400
    assert (
        response.context["error"] == "That test is not among this case's current recommendations."
    )
    assert _case_state(case) == before


@pytest.mark.parametrize("assignee", ["clinic_admin", "inactive", "missing"])
def test_idor_assign_to_someone_outside_the_practitioners_refused(
    staff, clinic_admin, other_practitioner, assignee
):
    case = submitted_case()
    other_practitioner.is_active = False
    other_practitioner.save(update_fields=["is_active"])
    pk = {"clinic_admin": clinic_admin.pk, "inactive": other_practitioner.pk, "missing": MISSING}
    before = _case_state(case)

    response = staff.post(
        f"/staff/cases/{case.pk}/assign/", {"version": case.version, "assignee": pk[assignee]}
    )

    assert response.status_code == 400
    assert response.context["assign_form"].errors == {
        "assignee": ["Choose a practitioner from the list."]
    }
    assert _case_state(case) == before


def test_idor_patient_page_missing_not_found(staff):
    assert staff.get(f"/staff/patients/{MISSING}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "page"),
    [("GET", "export.json"), ("GET", "export.pdf"), ("GET", "erase/"), ("POST", "erase/")],
)
def test_idor_records_of_a_missing_patient_not_found(admin_staff, method, page):
    case = submitted_case(name="Erin Kept")
    path = f"/staff/patients/{MISSING}/{page}"
    data = {"reason": "Request", "confirm_name": "Erin Kept"}

    response = admin_staff.get(path) if method == "GET" else admin_staff.post(path, data)

    assert response.status_code == 404
    assert Patient.objects.get(pk=case.patient_id).erased_at is None


@pytest.mark.parametrize("field", ["intake", "intake_id", "pk", "patient", "patient_intake"])
def test_idor_patient_naming_another_intake_in_the_form_changes_only_their_own(patient_link, field):
    other = _draft_with_answers()
    before = dict(other.answers)
    data = {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no", field: other.pk}

    saved = patient_link.client.post("/intake/step/about-you/", data)
    autosaved = patient_link.client.post(
        "/intake/step/about-you/autosave/", {**data, "base_revision": "1", "sex_at_birth": "other"}
    )

    other.refresh_from_db()
    assert (saved.status_code, autosaved.status_code) == (302, 200)
    assert patient_link.refresh().answers == {"sex_at_birth": "other", "pregnant": "no"}
    assert other.answers == before


# --- stored XSS --------------------------------------------------------------------------------


URL_ATTRIBUTES = ("href", "src", "action", "formaction")


class _Markup(HTMLParser):
    """What a browser would make of a page: its text, its elements and their attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.script_text if self._in_script else self.text).append(data)

    def injected(self) -> list[str]:
        """Anything that would run: script bodies, event handlers, javascript: URLs, the
        payload's <img src=x>."""
        found = [text for text in self.script_text if "alert" in text]
        for tag, attrs in self.elements:
            for name, value in attrs.items():
                if name.startswith("on"):
                    found.append(f"<{tag} {name}>")
                if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                    found.append(f"<{tag} {name}={value}>")
            if tag == "img" and attrs.get("src") == "x":
                found.append("<img src=x>")
        return found

    def text_count(self, needle: str) -> int:
        return "\x00".join(self.text).count(needle)

    def attribute_values(self, name: str) -> list[str]:
        return [attrs[name] for _tag, attrs in self.elements if name in attrs]


def _hostile_case(payload: str, staff: Client) -> Intake:
    """A child's questionnaire with the payload in every free-text box a patient and a
    practitioner can fill in, each through the real pages."""
    invitation, token = open_invitation(name="Robin Child", born=CHILD_BORN)
    patient = patient_browser(token, born=CHILD_BORN)
    answer_steps(
        patient,
        {
            "about-you": {"guardian_completed": "yes"},
            "legs": {"rls_child_own_words": payload},
        },
    )
    sent = send_answers(patient, full_name=f"{payload} Guardian")
    assert outcome(sent) == (302, "/intake/done/")
    case = Intake.objects.get(pk=invitation.intake_id)
    rec = TestRecommendation.objects.filter(assessment=case.current_assessment).first()
    declined = staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {
            "version": case.version,
            "recommendation": rec.pk,
            "decision": Decision.DECLINED,
            "reason": payload,
        },
    )
    case.refresh_from_db()
    noted = staff.post(f"/staff/cases/{case.pk}/note/", {"text": payload})
    assert (declined.status_code, noted.status_code) == (302, 302)
    case.refresh_from_db()
    assert (case.answers["rls_child_own_words"], case.consent_name) == (
        payload,
        f"{payload} Guardian",
    )
    return case


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_free_text_shown_as_text_on_case_print_and_admin_pages(staff, admin_staff, payload):
    case = _hostile_case(payload, staff)

    pages = {
        "case": _Markup(staff.get(f"/staff/cases/{case.pk}/").content.decode()),
        "print": _Markup(staff.get(f"/staff/cases/{case.pk}/print/").content.decode()),
        "admin": _Markup(
            admin_staff.get(f"/admin/intake/intake/{case.pk}/change/").content.decode()
        ),
    }

    # (anything that would run, times the payload shows as text)
    assert {name: (page.injected(), page.text_count(payload)) for name, page in pages.items()} == {
        # own words, consent signature, decline reason, note
        "case": ([], 4),
        # the decline reason (in the summary's table and on the test's card), the note, and
        # in the appendix the own words and the consent signature
        "print": ([], 5),
        # the consent signature, and the answers as JSON (which keeps the payload's characters)
        "admin": ([], 2),
    }
    assert pages["case"].attribute_values("value").count(payload) == 1  # the reason's input


def _pdf_count(pdf: bytes, text: str) -> int:
    """How often `text` is drawn in the PDF; spaces and line breaks aside, as narrow table
    cells wrap long words."""
    drawn = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return "".join(drawn.split()).count("".join(text.split()))


ACTIVE_PDF_CONTENT = {"/JavaScript", "/JS", "/Launch", "/URI", "/OpenAction", "/AA"}


def _pdf_names(pdf: bytes) -> set[str]:
    """Every name in the PDF's object tree, as keys or values (e.g. /S /JavaScript), found by
    walking it from the trailer. (A scan of the raw bytes would also match compressed stream
    data that happens to spell "/AA".)"""
    from pypdf.generic import IndirectObject, NameObject

    names: set[str] = set()
    seen: set[tuple[int, int]] = set()
    todo: list = [pypdf.PdfReader(io.BytesIO(pdf)).trailer]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, dict):
            names.update(str(key) for key in item)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, NameObject):
            names.add(str(item))
    return names


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_free_text_shown_as_text_on_every_admin_page_that_holds_it(staff, admin_staff, payload):
    case = _hostile_case(payload, staff)
    note = case.notes.get()
    rec = TestRecommendation.objects.get(intake=case, decision=Decision.DECLINED)
    admin_staff.get("/staff/", {"q": payload})  # the search is on record in the audit log

    pages = {
        "note": f"/admin/intake/note/{note.pk}/change/",
        "recommendation": f"/admin/intake/testrecommendation/{rec.pk}/change/",
        "recommendations": "/admin/intake/testrecommendation/",
        "audit log": "/admin/intake/auditevent/",
        "patients": "/admin/intake/patient/",
    }
    shown = {
        name: _Markup(admin_staff.get(path).content.decode()).injected()
        for name, path in pages.items()
    }

    assert shown == {name: [] for name in pages}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_pdfs_draw_free_text_as_text_with_no_active_content(staff, admin_staff, payload):
    case = _hostile_case(payload, staff)

    summary = staff.get(f"/staff/cases/{case.pk}/summary.pdf")
    subject_access = admin_staff.get(f"/staff/patients/{case.patient_id}/export.pdf")

    for response in (summary, subject_access):
        assert (response.status_code, response.content[:5]) == (200, b"%PDF-")
        assert payload.encode() not in response.content
        assert _pdf_names(response.content) & ACTIVE_PDF_CONTENT == set()
    # The case summary shows the decline reason twice (the summary's table, the test's card),
    # the note, and in its appendix the own words and the consent signature; the
    # subject-access copy shows each once.
    assert _pdf_count(summary.content, payload) == 5
    assert _pdf_count(subject_access.content, payload) == 4


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_erasure_reason_shown_as_text_on_the_patient_page(admin_staff, payload):
    case = submitted_case(name="Erin Erase")

    erased = admin_staff.post(
        f"/staff/patients/{case.patient_id}/erase/",
        {"reason": payload, "confirm_name": "Erin Erase"},
    )
    page = _Markup(admin_staff.get(f"/staff/patients/{case.patient_id}/").content.decode())

    assert outcome(erased) == (302, f"/staff/patients/{case.patient_id}/")
    assert page.injected() == []
    assert page.text_count(payload) == 1


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ("<script>alert(1)</script>", {"full_name": ["A name cannot contain < > { or }."]}),
        ('"><img src=x onerror=alert(1)>', {"full_name": ["A name cannot contain < > { or }."]}),
        ("{{7*7}}", {"full_name": ["Enter the full name using letters."]}),
        ("{{seven times seven}}", {"full_name": ["A name cannot contain < > { or }."]}),
    ],
)
def test_xss_invitation_name_with_markup_refused(staff, payload, errors):
    response = staff.post(
        "/staff/invitations/", {"full_name": payload, "date_of_birth": "1990-02-03"}
    )

    page = _Markup(response.content.decode())
    assert response.context["form"].errors == errors
    assert page.injected() == []
    assert page.attribute_values("value").count(payload) == 1  # kept, as typed, to correct
    assert Patient.objects.count() == 0


def test_xss_invitation_name_like_a_url_stays_text(staff):
    payload = "javascript:alert(1)"

    created = staff.post(
        "/staff/invitations/", {"full_name": payload, "date_of_birth": "1990-02-03"}
    )
    listed = _Markup(staff.get("/staff/invitations/").content.decode())

    assert created.status_code == 200
    assert _Markup(created.content.decode()).injected() == []
    assert listed.injected() == []
    # the name, and the hidden labels of the live link's buttons: Revoke, Send a reminder, New link
    assert listed.text_count(payload) == 4


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_lab_value_text_refused_and_echoed_as_text(staff, patient_link, payload):
    case = submitted_case()
    data = {
        "version": case.version,
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-0-test": "ferritin",
        "results-0-value": payload,
        "results-0-unit": "ng/mL",
        "results-0-taken_on": "2026-01-05",
    }
    answer_steps(patient_link.client, stop_at="labs")

    on_case = staff.post(f"/staff/cases/{case.pk}/results/", data)
    on_labs = patient_link.client.post(
        "/intake/step/labs/",
        {"base_revision": "0", **{k.replace("results", "labs"): v for k, v in data.items()}},
    )

    for response in (on_case, on_labs):
        page = _Markup(response.content.decode())
        assert page.injected() == []
        assert page.attribute_values("value").count(payload) == 1
    assert (on_case.status_code, on_labs.status_code) == (400, 200)
    assert LabResultEntry.objects.count() == 0
    assert "prior_labs" not in patient_link.refresh().answers


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_search_boxes_echo_the_query_as_text(staff, payload):
    queue = _Markup(staff.get("/staff/", {"q": payload}).content.decode())
    invitations = _Markup(staff.get("/staff/invitations/", {"q": payload}).content.decode())

    assert (queue.injected(), invitations.injected()) == ([], [])
    assert queue.attribute_values("value").count(payload) == 1
    assert invitations.attribute_values("value").count(payload) == 1


def _csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+SUM(1,1)", "'+SUM(1,1)"),
        ("-2+3 Smith", "'-2+3 Smith"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        *[(payload, payload) for payload in PAYLOADS],
    ],
)
def test_csv_export_neutralises_formulas_and_keeps_markup_as_plain_text(staff, name, cell):
    # Names like these can come in through the admin, which does not use the invitation form.
    case = submitted_case(name="Placeholder Name")
    Patient.objects.filter(pk=case.patient_id).update(full_name=name)

    response = staff.get("/staff/export.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('attachment; filename="cases-')
    assert [row["patient_name"] for row in _csv_rows(response)] == [cell]


# --- CSRF on every POST -------------------------------------------------------------------------


def _code(device: TOTPDevice) -> str:
    return (
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    )


def _strict(client: Client | None = None) -> Client:
    """The victim's browser with CSRF checks on: it has visited the site, so it holds the CSRF
    cookie (and `client`'s session), and is made to post a form forged elsewhere, without the
    token."""
    strict = Client(enforce_csrf_checks=True)
    if client is not None:
        strict.cookies = client.cookies
    strict.get("/accounts/login/")
    return strict


def _csrf_patient_step(users):
    link = _patient()
    client = _strict(link.client)
    return (
        client,
        "/intake/step/about-you/",
        {"sex_at_birth": "female"},
        lambda: link.refresh().answers,
    )


def _patient() -> PatientLink:
    invitation, token = open_invitation()
    return PatientLink(client=patient_browser(token), intake=invitation.intake, token=token)


def _csrf_patient_autosave(users):
    link = _patient()
    client = _strict(link.client)
    data = {"base_revision": "0", "sex_at_birth": "female"}
    return client, "/intake/step/about-you/autosave/", data, lambda: link.refresh().answers


def _csrf_patient_submit(users):
    link = _patient()
    answer_steps(link.client)
    client = _strict(link.client)
    return client, "/intake/review/", dict(CONSENT), lambda: link.refresh().status


def _csrf_patient_consent(users):
    link = _patient()
    # Signed on the check page, as the answers are sent.
    answer_steps(link.client)
    client = _strict(link.client)
    data = {"agree": "on", "full_name": "Ann Example"}
    return client, "/intake/review/", data, lambda: link.refresh().consent_name


def _csrf_patient_verify(users):
    link = _patient()
    saved = link.client.post(
        "/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"}
    )
    assert saved.status_code == 302  # answers exist, so a new browser is asked the birth date
    client = _strict()
    client.get(f"/i/{link.token}/")
    data = {"date_of_birth": PATIENT_DOB.isoformat()}
    return client, "/intake/verify/", data, lambda: client.get("/intake/").status_code


def _csrf_public_start(users):
    # The test turns the public start page on.
    client = _strict()
    data = {"full_name": "Cara New", "date_of_birth": "1980-04-23"}
    return client, "/start/", data, lambda: Patient.objects.count()


def _staff_browser(user):
    return _strict(login_verified(Client(), user))


def _csrf_invitation_create(users):
    client = _staff_browser(users["practitioner"])
    data = {"full_name": "Dana New", "date_of_birth": "1990-02-03"}
    return client, "/staff/invitations/", data, lambda: Invitation.objects.count()


def _csrf_invitation_revoke(users):
    invitation, _ = open_invitation()
    client = _staff_browser(users["practitioner"])
    path = f"/staff/invitations/{invitation.pk}/revoke/"
    return client, path, {}, lambda: list(Invitation.objects.values_list("pk", "revoked_at"))


def _csrf_invitation_reissue(users):
    invitation, _ = open_invitation()
    client = _staff_browser(users["practitioner"])
    path = f"/staff/invitations/{invitation.pk}/reissue/"
    return client, path, {}, lambda: list(Invitation.objects.values_list("pk", "revoked_at"))


def _csrf_case(action):
    def setup(users):
        case = submitted_case()
        rec = TestRecommendation.objects.filter(assessment=case.current_assessment).first()
        data = {
            "version": case.version,
            "recommendation": rec.pk,
            **CASE_CHANGES[action],
            "decision": Decision.ORDERED,
        }
        client = _staff_browser(users["practitioner"])
        return client, f"/staff/cases/{case.pk}/{action}/", data, lambda: _case_state(case)

    return setup


def _csrf_keepalive(users):
    client = _staff_browser(users["practitioner"])
    return client, "/staff/keepalive/", {}, lambda: None


def _csrf_otp_setup(users):
    user = users["practitioner"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/staff/2fa/setup/")
    device = TOTPDevice.objects.get(user=user)
    data = {"token": _code(device)}
    return (
        client,
        "/staff/2fa/setup/",
        data,
        lambda: list(TOTPDevice.objects.values_list("pk", "confirmed")),
    )


def _csrf_otp_verify(users):
    user = users["practitioner"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/staff/2fa/verify/")
    return (
        client,
        "/staff/2fa/verify/",
        {"token": _code(device)},
        lambda: outcome(client.get("/staff/")),
    )


def _csrf_erase(users):
    case = submitted_case(name="Erin Erase")
    client = _staff_browser(users["clinic_admin"])
    path = f"/staff/patients/{case.patient_id}/erase/"
    data = {"reason": "Written request", "confirm_name": "Erin Erase"}
    return client, path, data, lambda: Patient.objects.get(pk=case.patient_id).erased_at


def _csrf_login(users):
    client = _strict()
    data = {"username": users["practitioner"].username, "password": PASSWORD}
    return client, "/accounts/login/", data, lambda: SESSION_KEY in client.session


def _csrf_contacted(users):
    invitation, _ = open_invitation(name="Crisis Draft")
    services.report_contact_needed(intake_id=invitation.intake_id, reasons=["crisis"])
    client = _staff_browser(users["practitioner"])
    path = f"/staff/cases/{invitation.intake_id}/contacted/"
    return client, path, {}, lambda: Intake.objects.get(pk=invitation.intake_id).contacted_at


def _csrf_password_change(users):
    user = users["practitioner"]
    user.set_password(PASSWORD)
    user.save()
    client = _staff_browser(user)
    data = {
        "old_password": PASSWORD,
        "new_password1": "a-new-pass-98765",
        "new_password2": "a-new-pass-98765",
    }
    return (
        client,
        "/accounts/password_change/",
        data,
        lambda: get_user_model().objects.get(pk=user.pk).password,
    )


def _csrf_admin_login(users):
    client = _strict()
    data = {"username": users["clinic_admin"].username, "password": PASSWORD}
    return client, "/admin/login/", data, lambda: SESSION_KEY in client.session


def _csrf_admin_change(users):
    case = submitted_case(name="Admin Edited")
    client = _staff_browser(users["clinic_admin"])
    data = {"full_name": "Forged Name", "date_of_birth": "1980-04-23", "email": ""}
    path = f"/admin/intake/patient/{case.patient_id}/change/"
    return client, path, data, lambda: Patient.objects.get(pk=case.patient_id).full_name


def _csrf_admin_action(users):
    invitation, _ = open_invitation()
    client = _staff_browser(users["clinic_admin"])
    data = {"action": "revoke_links", "_selected_action": [invitation.pk]}
    return (
        client,
        "/admin/intake/invitation/",
        data,
        lambda: list(Invitation.objects.values_list("pk", "revoked_at")),
    )


def _csrf_logout(users):
    client = _staff_browser(users["practitioner"])
    return client, "/accounts/logout/", {}, lambda: client.get("/staff/").status_code


CSRF_CASES = {
    "patient step": _csrf_patient_step,
    "patient autosave": _csrf_patient_autosave,
    "patient consent": _csrf_patient_consent,
    "patient submit": _csrf_patient_submit,
    "date of birth check": _csrf_patient_verify,
    "public start": _csrf_public_start,
    "invitation create": _csrf_invitation_create,
    "invitation revoke": _csrf_invitation_revoke,
    "invitation reissue": _csrf_invitation_reissue,
    "case status": _csrf_case("status"),
    "case assign": _csrf_case("assign"),
    "case decision": _csrf_case("decision"),
    "case note": _csrf_case("note"),
    "case results": _csrf_case("results"),
    "keepalive": _csrf_keepalive,
    "2fa setup": _csrf_otp_setup,
    "2fa verify": _csrf_otp_verify,
    "records erase": _csrf_erase,
    "login": _csrf_login,
    "logout": _csrf_logout,
    "contact recorded": _csrf_contacted,
    "password change": _csrf_password_change,
    "admin login": _csrf_admin_login,
    "admin change form": _csrf_admin_change,
    "admin action": _csrf_admin_action,
}


@pytest.fixture
def csrf_users(practitioner, clinic_admin):
    return {"practitioner": practitioner, "clinic_admin": clinic_admin}


@pytest.mark.parametrize("name", list(CSRF_CASES))
def test_csrf_post_without_token_forbidden_and_nothing_changes(csrf_users, settings, name):
    settings.PUBLIC_START_ENABLED = True
    client, path, data, state = CSRF_CASES[name](csrf_users)
    before = state()

    response = client.post(path, data)

    assert (response.status_code, response.context["reason"]) == (403, "CSRF token missing.")
    assert state() == before


@pytest.mark.parametrize("name", ["patient step", "case note", "login"])
def test_csrf_post_with_a_forged_token_forbidden_and_nothing_changes(csrf_users, name):
    client, path, data, state = CSRF_CASES[name](csrf_users)
    before = state()

    response = client.post(path, {**data, "csrfmiddlewaretoken": "x" * 64})

    assert (response.status_code, response.context["reason"]) == (
        403,
        "CSRF token from POST incorrect.",
    )
    assert state() == before


# --- open redirects -------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http://testserver.evil.example/",
    "https://testserver@evil.example/",
    " //evil.example/",
    "\t//evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def _sign_in(client: Client, user, next_url: str):
    return client.post(
        f"/accounts/login/?{urlencode({'next': next_url})}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_redirect_login_next_never_leaves_the_site(practitioner, target):
    client = Client()

    page = client.get("/accounts/login/", {"next": target})
    signed_in = _sign_in(client, practitioner, target)

    assert page.context["next"] == ""
    assert outcome(signed_in) == (302, "/staff/home/")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_redirect_second_step_verify_next_never_leaves_the_site(practitioner, target):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = Client()
    _sign_in(client, practitioner, target)

    page = client.get("/staff/2fa/verify/", {"next": target})
    verified = client.post("/staff/2fa/verify/", {"token": _code(device), "next": target})
    again = client.get("/staff/2fa/verify/", {"next": target})

    assert page.context["next"] == "/staff/home/"
    assert outcome(verified) == (302, "/staff/home/")
    assert outcome(again) == (302, "/staff/home/")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_redirect_second_step_setup_next_never_leaves_the_site(practitioner, target):
    client = Client()
    _sign_in(client, practitioner, target)
    client.get("/staff/2fa/setup/", {"next": target})
    device = TOTPDevice.objects.get(user=practitioner)

    enrolled = client.post("/staff/2fa/setup/", {"token": _code(device), "next": target})
    again = client.get("/staff/2fa/setup/", {"next": target})

    links = [
        attrs["href"] for tag, attrs in _Markup(enrolled.content.decode()).elements if tag == "a"
    ]
    assert enrolled.context["next"] == "/staff/home/"
    assert [link for link in links if not link.startswith(("/", "#")) or link[:2] == "//"] == []
    assert outcome(again) == (302, "/staff/home/")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_redirect_logout_and_admin_login_next_never_leave_the_site(clinic_admin, target):
    client = login_verified(Client(), clinic_admin)

    admin_login = client.get("/admin/login/", {"next": target})
    logged_out = client.post(f"/accounts/logout/?{urlencode({'next': target})}", {"next": target})

    assert outcome(admin_login) == (302, "/admin/")
    assert outcome(logged_out) == (302, "/")


def test_redirect_own_next_is_kept(practitioner):
    client = Client()

    signed_in = _sign_in(client, practitioner, "/staff/invitations/")

    assert outcome(signed_in) == (302, "/staff/invitations/")


# --- injection through the work queue's filters and the CSV export ----------------------------

HOSTILE_VALUES = [
    "' OR 1=1 --",
    "%",
    "_",
    "\x00",
    "x" * 5000,
    "Ünïcødé ☃ 𝔘𝔫𝔦",
    "1; DROP TABLE intake_intake",
    "C-000001' --",
]
FILTER_ERRORS = {
    "status": "Unknown status: choose one from the list.",
    "tests": "Unknown test: choose from the list.",
    "assigned": "Unknown assignment filter.",
    "submitted_from": "Enter the date as year-month-day.",
    "submitted_to": "Enter the date as year-month-day.",
    "sort": "Unknown sort order.",
}
SEARCH_ERRORS = {
    "\x00": "Null characters are not allowed.",
    "x" * 5000: "Ensure this value has at most 100 characters (it has 5000).",
}
BOTH = ["Alpha Able", "Beta Bright"]
# Which page of the queue (keyset: the cases after or before a case, the last page, the first
# row's position): anything but a whole number is ignored, and the first page shows.
PAGE_PARAMS = ["page", "after", "before", "start"]


def _expected_queue(param: str, value: str) -> tuple[dict, list[str]]:
    """(form errors, names listed): a refused filter is named and left out; a search finds
    only what matches its text, wildcards and quotes included."""
    if param in PAGE_PARAMS:
        return {}, BOTH
    if param == "q":
        if value in SEARCH_ERRORS:
            return {"q": [SEARCH_ERRORS[value]]}, BOTH
        return {}, []
    return {param: [FILTER_ERRORS[param]]}, BOTH


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize("param", ["q", *FILTER_ERRORS, *PAGE_PARAMS])
def test_injection_queue_and_csv_filters_clear_error_and_no_unexpected_rows(staff, param, value):
    for name in BOTH:
        submitted_case(name=name)

    queue = staff.get("/staff/", {param: value})
    export = staff.get("/staff/export.csv", {param: value})

    errors, names = _expected_queue(param, value)
    listed = sorted(intake.patient.full_name for intake, _t, _a in queue.context["rows"])
    assert (queue.status_code, queue.context["filter_form"].errors, listed) == (200, errors, names)
    if errors:
        # A download has nowhere to show an error: it is refused rather than widened.
        assert (export.status_code, export.content.decode()) == (400, errors[param][0])
    else:
        exported = sorted(row["patient_name"] for row in _csv_rows(export))
        assert (export.status_code, exported) == (200, names)


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("%", []),
        ("_", []),
        ("' OR 1=1 --", []),
        ("x" * 5000, []),
        ("Ünïcødé ☃", []),
        ("\x00", ["Alpha Able"]),  # nothing but a NUL: an empty search
        ("Al\x00pha", ["Alpha Able"]),
    ],
    ids=range(7),
)
def test_injection_invitations_search_no_server_error_and_no_unexpected_rows(staff, value, names):
    open_invitation(name="Alpha Able")

    response = staff.get("/staff/invitations/", {"q": value, "page": value})

    assert response.status_code == 200
    assert [invitation.intake.patient.full_name for invitation, *_ in response.context["rows"]] == (
        names
    )


def test_injection_search_matches_percent_and_underscore_literally(staff):
    submitted_case(name="Ann 100% Sure")
    submitted_case(name="Bob Plain")

    percent = staff.get("/staff/", {"q": "%"})
    underscore = staff.get("/staff/", {"q": "_"})

    assert [i.patient.full_name for i, _t, _a in percent.context["rows"]] == ["Ann 100% Sure"]
    assert underscore.context["rows"] == []


# --- oversized bodies -----------------------------------------------------------------------------


def _too_big(fields: dict[str, str]) -> dict[str, str]:
    return {**fields, "padding": "x" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}


def _too_many(fields: dict[str, str]) -> dict[str, str]:
    extra = {f"field{n}": "1" for n in range(2 * settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
    return {**fields, **extra}


def _post(client: Client, path: str, data: dict[str, str], encoding: str):
    if encoding == "multipart":
        return client.post(path, data)
    return client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")


# A body over the size limit is refused before it is read (413, intake.middleware); one within
# it but with too many fields is refused by Django as it parses them (400).
OVERSIZED = [(_too_big, 413), (_too_many, 400)]


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
@pytest.mark.parametrize(("shape", "status"), OVERSIZED, ids=["too big", "too many fields"])
@pytest.mark.parametrize("path", ["/intake/step/about-you/", "/intake/step/about-you/autosave/"])
def test_oversized_step_post_refused_and_nothing_stored(
    patient_link, path, shape, status, encoding
):
    data = shape({"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"})

    response = _post(patient_link.client, path, data, encoding)

    assert response.status_code == status
    assert (patient_link.refresh().answers, patient_link.intake.step_revisions) == ({}, {})


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
@pytest.mark.parametrize(("shape", "status"), OVERSIZED, ids=["too big", "too many fields"])
def test_oversized_start_post_refused_and_nothing_stored(
    anonymous, settings, shape, status, encoding
):
    settings.PUBLIC_START_ENABLED = True
    data = shape({"full_name": "Cara New", "date_of_birth": "1980-04-23"})

    response = _post(anonymous, "/start/", data, encoding)

    assert response.status_code == status
    assert (Patient.objects.count(), Intake.objects.count(), Invitation.objects.count()) == (
        0,
        0,
        0,
    )


# --- holes found by these tests, kept shut ----------------------------------------------------


def test_second_factor_setup_with_an_app_enrolled_asks_for_its_code_instead(practitioner):
    # With only the password, enrolling a second app would skip the real second factor.
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = Client()
    client.post("/accounts/login/", {"username": practitioner.username, "password": PASSWORD})

    setup = client.get("/staff/2fa/setup/", {"next": "/staff/invitations/"})
    posted = client.post("/staff/2fa/setup/", {"token": "123456"})
    queue = client.get("/staff/")

    assert outcome(setup) == (302, "/staff/2fa/verify/?next=%2Fstaff%2Finvitations%2F")
    assert outcome(posted) == (302, "/staff/2fa/verify/?next=%2Fstaff%2Fhome%2F")
    assert outcome(queue) == (302, "/staff/2fa/verify/?next=%2Fstaff%2F")
    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(device.pk, True)]


def test_second_factor_service_refuses_a_second_app(practitioner):
    TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    pending = TOTPDevice.objects.create(user=practitioner, name="intruder", confirmed=False)

    with pytest.raises(services.IntakeError) as refusal:
        services.confirm_authenticator(user=practitioner, token=_code(pending))

    assert str(refusal.value) == "An authenticator is already set up: enter the code it shows."
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed is False
    assert StaticToken.objects.count() == 0


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_revoked_link_shuts_out_a_browser_that_already_opened_it(staff, action):
    # A link sent to the wrong address: whoever opened it first must not keep the intake.
    invitation, token = open_invitation(name="Ann Example")
    wrong_person = patient_browser(token)

    staff.post(f"/staff/invitations/{invitation.pk}/{action}/")
    pages = [wrong_person.get(page).status_code for page in ("/intake/", "/intake/review/")]

    assert pages == [404, 404]


def test_reissued_link_works_and_the_old_browser_never_sees_the_new_answers(staff):
    invitation, token = open_invitation(name="Ann Example")
    wrong_person = patient_browser(token)
    reissued = staff.post(f"/staff/invitations/{invitation.pk}/reissue/")
    new_token = reissued.context["link"].rsplit("/i/", 1)[1].strip("/")
    patient = patient_browser(new_token)
    patient.post("/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"})

    review = wrong_person.get("/intake/review/")

    assert review.status_code == 404
    assert "sex_at_birth" not in review.content.decode()
    assert patient.get("/intake/review/").status_code == 200


@pytest.mark.parametrize("change", ["revoked", "expired"])
def test_date_of_birth_check_refused_once_the_opened_link_is_revoked_or_expired(
    practitioner, change
):
    invitation, token = open_invitation()
    saved = patient_browser(token).post(
        "/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"}
    )
    assert saved.status_code == 302
    other_device = Client()
    other_device.get(f"/i/{token}/")
    if change == "revoked":
        services.revoke_invitation(invitation=invitation, by=practitioner)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = other_device.post("/intake/verify/", {"date_of_birth": PATIENT_DOB.isoformat()})

    assert response.status_code == 404
    assert other_device.get("/intake/").status_code == 404


def test_admin_draft_intake_page_hides_the_patients_answers(admin_staff):
    draft = _draft_with_answers()
    case = submitted_case()

    draft_page = admin_staff.get(f"/admin/intake/intake/{draft.pk}/change/").content.decode()
    case_page = admin_staff.get(f"/admin/intake/intake/{case.pk}/change/").content.decode()

    assert "sex_at_birth" not in draft_page
    assert "sex_at_birth" in case_page


@pytest.mark.parametrize("status", [CaseStatus.DRAFT, CaseStatus.CLOSED])
def test_admin_intake_status_and_assignment_change_only_on_the_case_page(
    admin_staff, staff, practitioner, status
):
    # A save in the admin skipped the transitions, the case version and the audit trail; back
    # to "draft" it even reopened a submitted questionnaire to the patient's link.
    case = submitted_case()
    before = _case_state(case)

    posted = [
        client.post(
            f"/admin/intake/intake/{case.pk}/change/",
            {"status": status, "assigned_to": practitioner.pk},
        ).status_code
        for client in (admin_staff, staff)
    ]

    # A clinic admin may not change it there; a practitioner may not enter the admin at all.
    assert posted == [403, 302]
    assert _case_state(case) == before


def _user_form_data(user) -> dict[str, Any]:
    """The admin's change form for `user`, filled in as it stands."""
    return {
        "username": user.username,
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }


def test_admin_clinic_admin_cannot_make_anyone_a_superuser(admin_staff, clinic_admin, practitioner):
    grant = Permission.objects.get(codename="delete_auditevent")

    for user in (clinic_admin, practitioner):
        data = {**_user_form_data(user), "is_superuser": "on"}
        data["user_permissions"] = [grant.pk]
        response = admin_staff.post(f"/admin/auth/user/{user.pk}/change/", data)
        assert outcome(response) == (302, "/admin/auth/user/")

    clinic_admin.refresh_from_db()
    practitioner.refresh_from_db()
    assert (clinic_admin.is_superuser, practitioner.is_superuser) == (False, False)
    assert list(clinic_admin.user_permissions.all()) == []
    assert list(practitioner.user_permissions.all()) == []


def test_admin_clinic_admin_cannot_change_a_superusers_account(admin_staff):
    root = get_user_model().objects.create_superuser("root", password="root-pass-12345")

    page = admin_staff.get(f"/admin/auth/user/{root.pk}/change/")
    password = admin_staff.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "taken-over-9876", "password2": "taken-over-9876"},
    )

    root.refresh_from_db()
    assert page.context["has_change_permission"] is False
    assert password.status_code == 403
    assert root.check_password("root-pass-12345") is True


def test_admin_clinic_admin_still_gives_roles(admin_staff, practitioner):
    auditor = Group.objects.get(name=Role.AUDITOR)
    data = _user_form_data(practitioner)
    data["groups"] = [*data["groups"], auditor.pk]

    response = admin_staff.post(f"/admin/auth/user/{practitioner.pk}/change/", data)

    assert outcome(response) == (302, "/admin/auth/user/")
    assert sorted(practitioner.groups.values_list("name", flat=True)) == [
        Role.AUDITOR,
        Role.PRACTITIONER,
    ]

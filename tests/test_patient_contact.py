"""A patient's contact details (email, mobile phone, preferred channel, the clinic's own patient
number): checked and put in one stored form, edited by staff who may change records, audited
by field without the values, in the subject-access export, and erased on request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.test import Client

from intake import phones, selectors, services
from intake.enums import AuditAction, ContactChannel
from intake.models import AuditEvent, Patient
from tests.factories import login_verified, open_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient() -> Patient:
    invitation, _token = open_invitation(name="Morgan Contact", email="morgan@example.org")
    return invitation.intake.patient


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def _save(patient: Patient, by, **changes) -> Patient:
    details = {
        "email": patient.email,
        "mobile_phone": patient.mobile_phone,
        "preferred_channel": patient.preferred_channel,
        "mrn": patient.mrn,
        **changes,
    }
    return services.save_contact_details(patient=patient, **details, by=by)


# --- checking and storing what was typed ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07400 123456", "+447400123456"),
        ("07400-123-456", "+447400123456"),
        ("(07400) 123456", "+447400123456"),
        ("+44 7400 123456", "+447400123456"),
        ("0044 7400 123456", "+447400123456"),
        ("+353 85 123 4567", "+353851234567"),
        ("  ", ""),
    ],
)
def test_normalise_mobile_stores_e164(typed, stored):
    assert phones.normalise_mobile(typed, region="GB") == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("07400 12345", phones.MOBILE_ERROR),  # a digit short
        ("07400 123456 ext 2", phones.MOBILE_ERROR),
        ("call me", phones.MOBILE_ERROR),
        ("٠٧٤٠٠١٢٣٤٥٦", phones.MOBILE_ERROR),  # Arabic-Indic digits
        ("07400\x00123456", phones.MOBILE_ERROR),
        ("<script>alert(1)</script>", phones.MOBILE_ERROR),
        ("9" * 41, phones.MOBILE_ERROR),
        ("020 7946 0958", phones.NOT_MOBILE_ERROR),  # a landline cannot take a text
    ],
)
def test_normalise_mobile_refuses_with_the_reason(typed, message):
    with pytest.raises(phones.InvalidValue) as refusal:
        phones.normalise_mobile(typed, region="GB")
    assert str(refusal.value) == message


def test_normalise_mobile_reads_a_national_number_in_the_clinics_region():
    assert phones.normalise_mobile("085 123 4567", region="IE") == "+353851234567"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(" ab 123-4 ", "AB123-4"), ("RXH/000123", "RXH/000123"), ("943 476 5919", "9434765919")],
)
def test_normalise_mrn_stores_capitals_without_spaces(typed, stored):
    assert phones.normalise_mrn(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["-A1", "A1-", "ÄB1", "A_1", "<b>1</b>", "A1;DROP", "A" * 33, "12\x0034", "١٢٣"],
)
def test_normalise_mrn_refuses_other_characters_and_length(typed):
    with pytest.raises(phones.InvalidValue) as refusal:
        phones.normalise_mrn(typed)
    assert str(refusal.value) == phones.MRN_ERROR


def test_display_mobile_groups_the_stored_number():
    assert phones.display_mobile("+447400123456") == "+44 7400 123456"


# --- the service ------------------------------------------------------------------------------


def test_save_contact_details_stores_and_audits_field_names_only(patient, clinic_admin):
    _save(
        patient,
        clinic_admin,
        mobile_phone="+447400123456",
        preferred_channel=ContactChannel.SMS,
        mrn="RXH123",
    )

    patient.refresh_from_db()
    assert (patient.mobile_phone, patient.preferred_channel, patient.mrn) == (
        "+447400123456",
        "sms",
        "RXH123",
    )
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, patient=patient).get()
    assert (event.actor_label, event.summary) == (
        "clinic.admin",
        "contact details changed: mobile phone, preferred channel, clinic patient number",
    )


def test_save_contact_details_unchanged_writes_nothing(patient, clinic_admin):
    _save(patient, clinic_admin)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 0


def test_save_contact_details_mrn_of_another_record_refused(patient, clinic_admin):
    other = open_invitation(name="Other Person")[0].intake.patient
    _save(other, clinic_admin, mrn="RXH123")

    with pytest.raises(services.IntakeError) as refusal:
        _save(patient, clinic_admin, mrn="RXH123")

    assert str(refusal.value) == f"Record {other.pk} already has the clinic patient number RXH123."
    patient.refresh_from_db()
    assert patient.mrn == ""


def test_database_refuses_a_second_patient_with_one_mrn(patient):
    Patient.objects.filter(pk=patient.pk).update(mrn="RXH123")
    with pytest.raises(IntegrityError):
        Patient.objects.create(full_name="Twin", date_of_birth=dt.date(1990, 1, 1), mrn="RXH123")


def test_empty_mrn_is_shared_by_any_number_of_patients(patient):
    Patient.objects.create(full_name="No Number", date_of_birth=dt.date(1990, 1, 1))
    assert Patient.objects.filter(mrn="").count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"email": "", "preferred_channel": ContactChannel.EMAIL},
            "Add an email address to send messages by email, or choose another way.",
        ),
        (
            {"preferred_channel": ContactChannel.SMS},
            "Add a mobile phone number to send text messages, or choose another way.",
        ),
        ({"preferred_channel": "pigeon"}, "Choose email, text message or no messages."),
    ],
)
def test_save_contact_details_channel_without_its_address_refused(
    patient, clinic_admin, changes, message
):
    with pytest.raises(services.IntakeError) as refusal:
        _save(patient, clinic_admin, **changes)
    assert str(refusal.value) == message


def test_save_contact_details_record_never_given_an_email_can_take_an_mrn(clinic_admin):
    patient = open_invitation(name="No Email")[0].intake.patient

    _save(patient, clinic_admin, mrn="RXH9")

    patient.refresh_from_db()
    assert (patient.preferred_channel, patient.email, patient.mrn) == ("email", "", "RXH9")


def test_save_contact_details_removing_the_mobile_of_the_chosen_channel_refused(
    patient, clinic_admin
):
    _save(patient, clinic_admin, mobile_phone="+447400123456", preferred_channel="sms")
    patient.refresh_from_db()

    with pytest.raises(services.IntakeError) as refusal:
        _save(patient, clinic_admin, mobile_phone="")

    assert str(refusal.value) == (
        "Add a mobile phone number to send text messages, or choose another way."
    )


def test_save_contact_details_erased_record_refused(patient, clinic_admin):
    services.erase_patient(patient=patient, by=clinic_admin, reason="Written request")
    patient.refresh_from_db()
    with pytest.raises(services.IntakeError) as refusal:
        _save(patient, clinic_admin, mrn="RXH123")
    assert str(refusal.value) == "This record was erased on request and cannot be edited."


# --- subject access and erasure ---------------------------------------------------------------


def test_subject_access_export_holds_the_contact_details(patient, clinic_admin):
    _save(patient, clinic_admin, mobile_phone="+447400123456", mrn="RXH123")

    data = selectors.subject_access_data(patient=patient)

    assert {key: data["patient"][key] for key in ("email", "mobile_phone", "mrn")} == {
        "email": "morgan@example.org",
        "mobile_phone": "+447400123456",
        "mrn": "RXH123",
    }
    assert data["patient"]["preferred_channel"] == "email"


def test_subject_access_pdf_names_the_preferred_channel(patient, clinic_admin, monkeypatch):
    _save(patient, clinic_admin, mobile_phone="+447400123456", preferred_channel="sms")
    seen = {}
    monkeypatch.setattr("intake.exports.html_to_pdf", lambda html: seen.setdefault("html", html))

    services.export_subject_access(patient=patient, by=clinic_admin, fmt="pdf")

    assert "<th>Preferred way to receive messages</th><td>Text message</td>" in seen["html"]
    assert "<th>Mobile phone</th><td>+447400123456</td>" in seen["html"]


def test_erasure_removes_the_contact_details(patient, clinic_admin):
    _save(patient, clinic_admin, mobile_phone="+447400123456", mrn="RXH123")

    services.erase_patient(patient=patient, by=clinic_admin, reason="Written request")

    patient.refresh_from_db()
    assert (patient.email, patient.mobile_phone, patient.mrn, patient.preferred_channel) == (
        "",
        "",
        "",
        "none",
    )


# --- the staff page ---------------------------------------------------------------------------


def test_contact_page_shows_the_record_and_is_audited_as_a_view(patient, admin_client):
    Patient.objects.filter(pk=patient.pk).update(mobile_phone="+447400123456")

    response = admin_client.get(f"/staff/patients/{patient.pk}/contact/")

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["mobile_phone"].value(), form["email"].value()) == (
        "+44 7400 123456",
        "morgan@example.org",
    )
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, patient=patient).get()
    assert event.summary == "contact details page"


def test_contact_page_saves_normalised_details(patient, admin_client):
    response = admin_client.post(
        f"/staff/patients/{patient.pk}/contact/",
        {
            "email": " morgan.new@example.org ",
            "mobile_phone": "07400 123 456",
            "preferred_channel": "sms",
            "mrn": "rxh 000123",
        },
    )

    assert (response.status_code, response["Location"]) == (302, f"/staff/patients/{patient.pk}/")
    patient.refresh_from_db()
    assert (patient.email, patient.mobile_phone, patient.preferred_channel, patient.mrn) == (
        "morgan.new@example.org",
        "+447400123456",
        "sms",
        "RXH000123",
    )
    page = admin_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "+44 7400 123456" in page
    assert "RXH000123" in page


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"mobile_phone": "07400 12"}, "mobile_phone", phones.MOBILE_ERROR),
        ({"mobile_phone": "020 7946 0958"}, "mobile_phone", phones.NOT_MOBILE_ERROR),
        ({"mrn": "<script>"}, "mrn", phones.MRN_ERROR),
        ({"email": "not-an-address"}, "email", "Enter an email address such as name@example.org."),
        (
            {"preferred_channel": "sms"},
            "preferred_channel",
            "Add a mobile phone number to send text messages, or choose another way.",
        ),
        (
            {"email": "", "preferred_channel": "email"},
            "preferred_channel",
            "Add an email address to send messages by email, or choose another way.",
        ),
        (
            {"preferred_channel": "fax"},
            "preferred_channel",
            "Choose email, text message or no messages.",
        ),
    ],
)
def test_contact_page_refuses_bad_input_with_the_reason(
    patient, admin_client, posted, field, message
):
    data = {"email": "morgan@example.org", "preferred_channel": "email", **posted}

    response = admin_client.post(f"/staff/patients/{patient.pk}/contact/", data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    # what was typed comes back in the form, to be put right
    assert {key: response.context["form"][key].value() for key in data} == data
    patient.refresh_from_db()
    assert (patient.mobile_phone, patient.mrn) == ("", "")


def test_contact_page_hostile_input_is_escaped(patient, admin_client):
    response = admin_client.post(
        f"/staff/patients/{patient.pk}/contact/",
        {"email": "morgan@example.org", "preferred_channel": "email", "mrn": "<script>x</script>"},
    )
    page = response.content.decode()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_contact_page_mrn_taken_says_which_record(patient, admin_client, clinic_admin):
    other = open_invitation(name="Other Person")[0].intake.patient
    _save(other, clinic_admin, mrn="RXH123")

    response = admin_client.post(
        f"/staff/patients/{patient.pk}/contact/",
        {"email": "morgan@example.org", "preferred_channel": "email", "mrn": "rxh123"},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        f"Record {other.pk} already has the clinic patient number RXH123."
    ]


def test_contact_page_practitioner_gets_not_found(patient, practitioner):
    client = login_verified(Client(), practitioner)
    assert client.get(f"/staff/patients/{patient.pk}/contact/").status_code == 404
    response = client.post(
        f"/staff/patients/{patient.pk}/contact/",
        {"email": "x@example.org", "preferred_channel": "email", "mrn": "X1"},
    )
    assert response.status_code == 404
    patient.refresh_from_db()
    assert patient.mrn == ""


def test_contact_page_erased_record_not_found(patient, admin_client, clinic_admin):
    services.erase_patient(patient=patient, by=clinic_admin, reason="Written request")
    assert admin_client.get(f"/staff/patients/{patient.pk}/contact/").status_code == 404


def test_patient_page_shows_contact_details_and_the_edit_link_to_admins_only(
    patient, admin_client, practitioner
):
    Patient.objects.filter(pk=patient.pk).update(
        mobile_phone="+447400123456", preferred_channel="sms", mrn="RXH123"
    )
    as_practitioner = login_verified(Client(), practitioner)

    for_admin = admin_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    for_practitioner = as_practitioner.get(f"/staff/patients/{patient.pk}/").content.decode()

    for page in (for_admin, for_practitioner):
        assert "+44 7400 123456" in page
        assert "Text message" in page
        assert "RXH123" in page
    edit = f'href="/staff/patients/{patient.pk}/contact/"'
    assert (edit in for_admin, edit in for_practitioner) == (True, False)

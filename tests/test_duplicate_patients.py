"""One record per person: the database refuses a second patient with the same name and date of
birth, and a different person who shares both is recorded on purpose, confirmed and audited."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent, Intake, Invitation, Patient, patient_name_key
from intake.services import invitations as invitation_service
from tests.factories import PATIENT_DOB, login_verified, open_invitation

BORN = "1980-04-23"
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="simultaneous requests need a server database; SQLite runs one writer at a time",
)


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


def _patients() -> list[tuple[str, int, str]]:
    return list(Patient.objects.order_by("pk").values_list("full_name", "namesake_number", "email"))


# --- the key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "on_record"),
    [
        ("ANN   example", "Ann Example"),
        ("Ann\u00a0Example", "Ann Example"),  # a non-breaking space
        ("Ann\u200bExample", "AnnExample"),  # a zero-width space
        ("Jose\u0301 Example", "José Example"),  # é as e + combining accent
        ("\ufb01ona Example", "Fiona Example"),  # the "fi" ligature
        ("STRASSE", "straße"),
    ],
)
def test_patient_name_key_same_for_one_name_typed_differently(typed, on_record):
    assert patient_name_key(typed) == patient_name_key(on_record)


@pytest.mark.parametrize(("one", "other"), [("Ann Example", "Anne Example"), ("Ann", "Ann X")])
def test_patient_name_key_differs_for_different_names(one, other):
    assert patient_name_key(one) != patient_name_key(other)


def test_patient_name_key_fixed_length_for_a_name_that_unicode_would_lengthen(db):
    # NFKC turns U+FDFA into 18 letters: 200 of them would not fit a 400-character key.
    name = "\ufdfa" * 200

    patient = Patient.objects.create(full_name=name, date_of_birth=PATIENT_DOB)

    assert (len(patient.name_key), Patient.objects.get().name_key) == (64, patient.name_key)


# --- the database refuses a duplicate ----------------------------------------------------------


@pytest.mark.django_db
def test_database_refuses_a_second_patient_with_the_same_name_and_birth_date():
    Patient.objects.create(full_name="Ann Example", date_of_birth=PATIENT_DOB)

    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(full_name="ann  EXAMPLE", date_of_birth=PATIENT_DOB)

    assert _patients() == [("Ann Example", 0, "")]


@pytest.mark.django_db
def test_database_refuses_a_duplicate_made_by_renaming_a_patient():
    Patient.objects.create(full_name="Ann Example", date_of_birth=PATIENT_DOB)
    other = Patient.objects.create(full_name="Anne Example", date_of_birth=PATIENT_DOB)
    other.full_name = "Ann Example"

    with pytest.raises(IntegrityError), transaction.atomic():
        other.save(update_fields=["full_name"])

    assert _patients() == [("Ann Example", 0, ""), ("Anne Example", 0, "")]


@pytest.mark.django_db
def test_database_allows_the_same_name_with_another_birth_date_or_namesake_number():
    Patient.objects.create(full_name="Ann Example", date_of_birth=PATIENT_DOB)
    Patient.objects.create(full_name="Ann Example", date_of_birth=dt.date(1981, 4, 23))
    Patient.objects.create(full_name="Ann Example", date_of_birth=PATIENT_DOB, namesake_number=1)

    assert Patient.objects.count() == 3


@pytest.mark.django_db
def test_create_invitation_when_another_request_inserted_the_patient_first_joins_it(monkeypatch):
    # The race, step by step: this request read no patient; the other request then inserted
    # one and committed; this request's insert is refused and its next read finds that one.
    first, _ = open_invitation(name="Ann Example")
    real_read = invitation_service._same_name_and_birth
    reads = []

    def read_before_the_other_request_committed(name, date_of_birth):
        reads.append(name)
        return [] if len(reads) == 1 else real_read(name, date_of_birth)

    monkeypatch.setattr(
        invitation_service, "_same_name_and_birth", read_before_the_other_request_committed
    )

    second, _ = open_invitation(name="Ann Example")

    assert (len(reads), second.intake.patient_id) == (2, first.intake.patient_id)
    assert second.intake.matched_existing_patient is True
    assert _patients() == [("Ann Example", 0, "")]


@pytest.mark.django_db
def test_create_invitation_refused_insert_every_time_gives_up_with_a_message(monkeypatch):
    monkeypatch.setattr(invitation_service, "_same_name_and_birth", lambda name, born: [])
    open_invitation(name="Ann Example")

    with pytest.raises(services.IntakeError) as refusal:
        open_invitation(name="Ann Example")

    assert str(refusal.value) == "The invitation could not be created just now. Please try again."
    assert (Patient.objects.count(), Intake.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_create_invitation_different_email_numbers_the_new_record_and_audits_it():
    first, _ = open_invitation(name="Ann Example", email="ann@example.com")

    second, _ = open_invitation(name="Ann Example", email="other@example.com")
    again, _ = open_invitation(name="ANN EXAMPLE", email="OTHER@example.com")

    assert _patients() == [
        ("Ann Example", 0, "ann@example.com"),
        ("Ann Example", 1, "other@example.com"),
    ]
    assert again.intake.patient_id == second.intake.patient_id
    assert list(
        AuditEvent.objects.filter(action=AuditAction.CREATE).values_list("patient_id", "summary")
    ) == [
        (
            second.intake.patient_id,
            "patient record for a different person with the same name and date of birth as "
            f"record {first.intake.patient_id}: a different email was given",
        )
    ]


@pytest.mark.django_db
def test_create_invitation_an_erased_record_is_never_matched_again(clinic_admin):
    first, _ = open_invitation(name="Ann Example")
    services.erase_patient(patient=first.intake.patient, by=clinic_admin, reason="Request")

    second, _ = open_invitation(name="Ann Example")

    assert second.intake.patient_id != first.intake.patient_id
    assert second.intake.matched_existing_patient is False


# --- the staff form: "a different person", confirmed and audited --------------------------------


def _invite(client: Client, **extra: str):
    return client.post(
        "/staff/invitations/", {"full_name": "Ann Example", "date_of_birth": BORN, **extra}
    )


@pytest.mark.django_db
def test_invitation_form_returning_patient_joins_their_record(staff):
    first, _ = open_invitation(name="Ann Example")

    response = _invite(staff, full_name="ann   example")

    assert response.status_code == 200
    assert response.context["invitation"].intake.patient_id == first.intake.patient_id
    assert _patients() == [("Ann Example", 0, "")]


@pytest.mark.django_db
def test_invitation_form_different_person_asks_to_confirm_and_creates_nothing(staff):
    first, _ = open_invitation(name="Ann Example")

    response = _invite(staff, different_person="on")

    assert response.status_code == 200
    assert [patient.pk for patient in response.context["on_record"]] == [first.intake.patient_id]
    assert response.context["form"]["new_record_number"].value() == "1"
    assert (Patient.objects.count(), Invitation.objects.count()) == (1, 1)
    page = response.content.decode()
    assert page.count('name="new_record_number" value="1"') == 1
    assert page.count(f"(record {first.intake.patient_id})") == 1


@pytest.mark.django_db
def test_invitation_form_confirmed_different_person_gets_a_record_of_their_own(staff, practitioner):
    first, _ = open_invitation(name="Ann Example")

    response = _invite(staff, different_person="on", new_record_number="1")

    invitation = response.context["invitation"]
    assert invitation.intake.patient_id != first.intake.patient_id
    assert invitation.intake.matched_existing_patient is False
    assert _patients() == [("Ann Example", 0, ""), ("Ann Example", 1, "")]
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert (event.actor_id, event.patient_id, event.ip_address, event.summary) == (
        practitioner.pk,
        invitation.intake.patient_id,
        "127.0.0.1",
        "patient record for a different person with the same name and date of birth as "
        f"record {first.intake.patient_id}: confirmed by staff",
    )


@pytest.mark.django_db
def test_invitation_form_confirmation_sent_twice_makes_one_new_record(staff):
    open_invitation(name="Ann Example")

    one = _invite(staff, different_person="on", new_record_number="1")
    two = _invite(staff, different_person="on", new_record_number="1")

    assert _patients() == [("Ann Example", 0, ""), ("Ann Example", 1, "")]
    assert (
        two.context["invitation"].intake.patient_id == one.context["invitation"].intake.patient_id
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


@pytest.mark.django_db
def test_invitation_form_different_person_with_nobody_on_record_is_created_at_once(staff):
    response = _invite(staff, different_person="on")

    assert response.context["invitation"].intake.matched_existing_patient is False
    assert _patients() == [("Ann Example", 0, "")]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 0


@pytest.mark.django_db
def test_invitation_form_unticked_after_the_question_joins_the_record_on_file(staff):
    first, _ = open_invitation(name="Ann Example")

    response = _invite(staff, new_record_number="1")

    assert response.context["invitation"].intake.patient_id == first.intake.patient_id
    assert Patient.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("tampered", ["0", "-1", "abc", "99999", "１", "1.5", "1 OR 1=1"])
def test_invitation_form_tampered_record_number_refused_and_nothing_created(staff, tampered):
    open_invitation(name="Ann Example")

    response = _invite(staff, different_person="on", new_record_number=tampered)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["The confirmation could not be read: tick the box and send the form again."]
    }
    assert (Patient.objects.count(), Invitation.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_public_start_page_offers_no_different_person_choice(anonymous, settings):
    settings.PUBLIC_START_ENABLED = True
    open_invitation(name="Ann Example")

    page = anonymous.get("/start/")
    anonymous.post(
        "/start/",
        {
            "full_name": "Ann Example",
            "date_of_birth": BORN,
            "different_person": "on",
            "new_record_number": "1",
        },
    )

    assert "different_person" not in page.context["form"].fields
    assert _patients() == [("Ann Example", 0, "")]


# --- the admin -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_adding_a_patient_already_on_record_is_refused_with_a_message(clinic_admin):
    first, _ = open_invitation(name="Ann Example")
    client = login_verified(Client(), clinic_admin)

    response = client.post(
        "/admin/intake/patient/add/", {"full_name": "ANN EXAMPLE", "date_of_birth": BORN}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        f"A patient with this name and date of birth is already on record (record "
        f"{first.intake.patient_id}). Use that record; a different person who shares both is "
        "added from the Invitations page, which asks to confirm it."
    ]
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_admin_lists_numbered_records_for_review(clinic_admin):
    open_invitation(name="Ann Example", email="ann@example.com")
    second, _ = open_invitation(name="Ann Example", email="other@example.com")
    open_invitation(name="Bob Other")
    client = login_verified(Client(), clinic_admin)

    everyone = client.get("/admin/intake/patient/")
    numbered = client.get("/admin/intake/patient/", {"namesake": "yes"})

    assert everyone.context["cl"].result_count == 3
    assert [p.pk for p in numbered.context["cl"].result_list] == [second.intake.patient_id]


# --- real simultaneous requests (PostgreSQL) ------------------------------------------------


def _simultaneous_posts(clients: list[Client], data: dict[str, str], monkeypatch) -> list[int]:
    """Each client POSTs `data` from its own thread. Each request waits, right before it inserts
    the patient, until all have read: the worst interleaving, every time (no timing involved)."""
    ready = threading.Barrier(len(clients))
    waited: set[int] = set()
    real_save = Patient.save

    def save_after_everyone_read(patient, *args, **kwargs):
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            ready.wait(timeout=30)
        return real_save(patient, *args, **kwargs)

    monkeypatch.setattr(Patient, "save", save_after_everyone_read)
    statuses: list[int] = []

    def post(client: Client) -> None:
        try:
            statuses.append(client.post("/staff/invitations/", data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_simultaneous_invitations_for_one_patient_make_one_record(practitioner, monkeypatch):
    clients = [login_verified(Client(), practitioner) for _ in range(3)]

    statuses = _simultaneous_posts(
        clients, {"full_name": "Ann Example", "date_of_birth": BORN}, monkeypatch
    )

    assert statuses == [200, 200, 200]
    assert _patients() == [("Ann Example", 0, "")]
    assert sorted(Intake.objects.values_list("matched_existing_patient", flat=True)) == [
        False,
        True,
        True,
    ]


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_simultaneous_confirmations_of_a_different_person_make_one_new_record(
    practitioner, monkeypatch
):
    open_invitation(name="Ann Example")
    clients = [login_verified(Client(), practitioner) for _ in range(2)]

    statuses = _simultaneous_posts(
        clients,
        {
            "full_name": "Ann Example",
            "date_of_birth": BORN,
            "different_person": "on",
            "new_record_number": "1",
        },
        monkeypatch,
    )

    assert statuses == [200, 200]
    assert _patients() == [("Ann Example", 0, ""), ("Ann Example", 1, "")]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


# --- the migration: records already duplicated are numbered, never merged --------------------


@pytest.fixture
def executor(transactional_db):
    # Migrating backwards changes the schema, which SQLite refuses inside the test's
    # transaction: a transactional test, put back at the newest migrations afterwards.
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_migration_numbers_patients_that_already_share_a_name_and_birth_date(executor):
    from django.db.migrations.executor import MigrationExecutor

    before = ("intake", "0013_contact_needed")
    after = ("intake", "0014_one_patient_per_name_and_birth_date")
    executor.loader.build_graph()
    executor.migrate([before])
    old = (
        MigrationExecutor(connection)
        .loader.project_state([before])
        .apps.get_model("intake", "Patient")
    )
    first = old.objects.create(full_name="Ann Example", date_of_birth=PATIENT_DOB)
    twin = old.objects.create(full_name="ann  EXAMPLE", date_of_birth=PATIENT_DOB)
    other_day = old.objects.create(full_name="Ann Example", date_of_birth=dt.date(1981, 1, 1))
    third = old.objects.create(full_name="ANN EXAMPLE", date_of_birth=PATIENT_DOB)
    erased = old.objects.create(
        full_name="Ann Example", date_of_birth=PATIENT_DOB, erased_at=dt.datetime.now(dt.UTC)
    )

    executor.loader.build_graph()
    executor.migrate([after])

    new = (
        MigrationExecutor(connection)
        .loader.project_state([after])
        .apps.get_model("intake", "Patient")
    )
    rows = dict(new.objects.values_list("pk", "namesake_number"))
    keys = dict(new.objects.values_list("pk", "name_key"))
    assert [rows[p.pk] for p in (first, twin, other_day, third, erased)] == [0, 1, 0, 2, 0]
    assert keys[first.pk] == keys[twin.pk] == keys[third.pk] == patient_name_key("Ann Example")

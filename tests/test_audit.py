"""The audit log is append-only: no code path edits or deletes it, and neither can the database."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return services.record_event(action=AuditAction.EXPORT, summary="test export")


def test_audit_event_cannot_be_saved_again(event):
    event.summary = "changed"

    with pytest.raises(PermissionError):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).summary == "test export"


def test_audit_event_cannot_be_deleted_through_the_model(event):
    with pytest.raises(PermissionError):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "bulk_write",
    [
        lambda rows: rows.update(summary="rewritten"),
        lambda rows: rows.delete(),
        lambda rows: AuditEvent.objects.bulk_update(list(rows), ["summary"]),
        lambda rows: AuditEvent.objects.update_or_create(pk=rows[0].pk, defaults={"summary": "x"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_audit_rows_cannot_be_changed_or_deleted_in_bulk(event, bulk_write):
    with pytest.raises(PermissionError):
        bulk_write(AuditEvent.objects.filter(pk=event.pk))

    assert AuditEvent.objects.get(pk=event.pk).summary == "test export"


def test_database_refuses_updates_to_audit_rows(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE intake_auditevent SET summary = 'rewritten' WHERE id = %s", [event.pk]
            )

    assert AuditEvent.objects.get(pk=event.pk).summary == "test export"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_deleting_audit_rows(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM intake_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_truncating_the_audit_log(event):
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE intake_auditevent")

    assert str(refusal.value).splitlines()[0] == (
        "intake_auditevent is append-only: TRUNCATE refused"
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_user_keeps_their_audit_rows_untouched(db):
    user = get_user_model().objects.create_user("leaver", password="x-pass-12345")
    event = services.record_event(action=AuditAction.LOGIN, actor=user, summary="signed in")
    user_id = user.pk

    user.delete()

    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.actor_id, kept.actor_label, kept.summary) == (user_id, "leaver", "signed in")


def test_admin_offers_no_way_to_change_audit_rows(clinic_admin, client, event):
    from tests.factories import login_verified

    login_verified(client, clinic_admin)
    clinic_admin.is_staff = True
    clinic_admin.save()

    change = client.post(f"/admin/intake/auditevent/{event.pk}/change/", {"summary": "x"})
    delete = client.post(f"/admin/intake/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).summary == "test export"


def test_patient_step_saves_autosaves_and_consent_are_audited_without_answers(patient_link):
    client = patient_link.client
    client.post("/intake/step/about-you/autosave/", {"base_revision": "0", "sex_at_birth": "male"})
    client.post("/intake/step/about-you/", {"base_revision": "1", "sex_at_birth": "male"})

    events = list(
        AuditEvent.objects.filter(intake=patient_link.intake, action=AuditAction.UPDATE)
        .order_by("pk")
        .values_list("actor_label", "summary", "ip_address")
    )

    assert events == [
        ("patient link", "autosaved: about-you", "127.0.0.1"),
        ("patient link", "answers saved: about-you", "127.0.0.1"),
    ]


def test_list_pages_are_audited_with_what_was_asked_for(practitioner, clinic_admin):
    from django.test import Client

    from tests.factories import login_verified, submitted_case

    submitted_case(name="Listed Person")
    staff = login_verified(Client(), practitioner)
    admin = login_verified(Client(), clinic_admin)

    staff.get("/staff/", {"urgent": "on", "q": "Listed"})
    staff.get("/staff/invitations/")
    staff.get("/staff/export.csv", {"status": "new"})
    admin.get("/staff/retention/")
    admin.get("/admin/intake/patient/")

    def summaries(user):
        return list(
            AuditEvent.objects.filter(actor=user)
            .exclude(action=AuditAction.LOGIN)
            .order_by("pk")
            .values_list("action", "summary")
        )

    assert summaries(practitioner) == [
        (AuditAction.VIEW, "work queue: 0 shown; urgent=on&q=Listed"),
        (AuditAction.VIEW, "invitations list: 1 shown"),
        (AuditAction.EXPORT, "work queue CSV: status=new"),
    ]
    assert summaries(clinic_admin) == [
        (AuditAction.VIEW, "retention review: 0 shown"),
        (AuditAction.VIEW, "admin list of patients: 1 shown"),
    ]

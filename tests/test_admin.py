"""The Django admin for clinic admins: lists, filters, read-only records, actions via services."""

from __future__ import annotations

import pytest
from django.test import Client

from intake.enums import AuditAction
from intake.models import AuditEvent, Invitation
from tests.factories import login_verified, open_invitation, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(clinic_admin) -> Client:
    return login_verified(Client(), clinic_admin)


def test_admin_intake_list_and_filters(admin_client):
    case = submitted_case(name="Listed Patient", rectal_bleeding="yes")
    submitted_case(name="Routine Patient")

    listing = admin_client.get("/admin/intake/intake/", {"urgent__exact": "1"})

    assert listing.status_code == 200
    assert [str(i) for i in listing.context["cl"].result_list] == [str(case)]
    assert str(case).endswith("· Listed Patient")
    page = listing.content.decode()
    assert "delete_selected" not in page  # erasure goes through its own audited page
    assert '<td class="field-rls_result">Criteria met</td>' in page and ">met<" not in page
    assert (
        admin_client.post(f"/admin/intake/intake/{case.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_admin_intake_answers_are_read_only_and_viewing_is_audited(admin_client, clinic_admin):
    case = submitted_case()

    page = admin_client.get(f"/admin/intake/intake/{case.pk}/change/")

    assert page.status_code == 200
    assert "answers" not in page.context["adminform"].form.fields
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEW, actor=clinic_admin, intake=case).count()
        == 1
    )


def test_admin_audit_log_filters_by_user_patient_action_and_date(admin_client, clinic_admin):
    case = submitted_case(name="Audited Patient")
    admin_client.get(f"/staff/cases/{case.pk}/")

    by_actor = admin_client.get("/admin/intake/auditevent/", {"actor__id__exact": clinic_admin.pk})
    by_patient = admin_client.get(
        "/admin/intake/auditevent/", {"patient__id__exact": case.patient_id, "action": "view"}
    )
    by_date = admin_client.get("/admin/intake/auditevent/", {"at__year": "1999"})

    assert {e.action for e in by_actor.context["cl"].result_list} >= {"view", "login"}
    assert [e.action for e in by_patient.context["cl"].result_list] == ["view"]
    assert list(by_date.context["cl"].result_list) == []


def test_admin_invitation_actions_go_through_services(admin_client, clinic_admin):
    invitation, _ = open_invitation()

    revoked = admin_client.post(
        "/admin/intake/invitation/",
        {"action": "revoke_links", "_selected_action": [invitation.pk]},
        follow=True,
    )
    reissued = admin_client.post(
        "/admin/intake/invitation/",
        {"action": "reissue_links", "_selected_action": [invitation.pk]},
        follow=True,
    )

    invitation.refresh_from_db()
    messages = [str(m) for m in reissued.context["messages"]]
    assert revoked.status_code == 200
    assert invitation.revoked_at is not None
    assert messages[0].startswith("New links (copy them now): Ann Example: http://testserver/i/")
    assert Invitation.objects.filter(intake=invitation.intake, revoked_at__isnull=True).count() == 1
    assert list(
        AuditEvent.objects.filter(actor=clinic_admin)
        .exclude(action__in=[AuditAction.LOGIN, AuditAction.VIEW])
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["invitation_revoked", "invitation_reissued"]


def test_admin_adds_invitations_on_the_staff_page_and_never_deletes_patients(admin_client):
    case = submitted_case()

    add = admin_client.get("/admin/intake/invitation/add/")
    delete = admin_client.post(f"/admin/intake/patient/{case.patient_id}/delete/", {"post": "yes"})

    # The staff page runs the duplicate-patient check and shows the new link once.
    assert (add.status_code, add["Location"]) == (302, "/staff/invitations/")
    assert delete.status_code == 403
    assert Invitation.objects.count() == 1


def test_admin_is_closed_to_practitioners_even_with_staff_status(practitioner):
    client = login_verified(Client(), practitioner)
    practitioner.is_staff = True
    practitioner.save()

    response = client.get("/admin/auth/user/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/admin/login/?next=/admin/auth/user/",
    )


def test_admin_auditor_without_staff_status_reads_the_audit_log(db):
    from django.contrib.auth.models import Group, Permission

    from intake.enums import Role
    from intake.roles import apply_role_permissions
    from tests.access import make_user

    apply_role_permissions(Group, Permission)
    auditor = make_user("audit.only", Role.AUDITOR, is_staff=False)
    client = login_verified(Client(), auditor)

    log = client.get("/admin/intake/auditevent/")
    patients = client.get("/admin/intake/patient/")

    assert (log.status_code, patients.status_code) == (200, 403)


def test_admin_user_list_shows_each_accounts_roles(admin_client, practitioner, clinic_admin):
    listing = admin_client.get("/admin/auth/user/")

    rows = {user.username: user for user in listing.context["cl"].result_list}
    page = listing.content.decode()
    assert set(rows) == {practitioner.username, clinic_admin.username}
    assert '<td class="field-roles">Practitioner</td>' in page
    assert '<td class="field-roles">Clinic admin</td>' in page


@pytest.mark.parametrize(
    "url",
    ["/admin/intake/note/", "/admin/intake/labresultentry/", "/admin/intake/licensedinstrument/"],
)
def test_admin_clinic_admin_without_superuser_opens_notes_results_and_settings(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_admin_index_names_each_section_for_what_it_holds(admin_client):
    page = admin_client.get("/admin/").content.decode()

    for name in ("Patient records", "Sign-in lockouts", "Authenticator apps", "Recovery codes"):
        assert name in page
    assert "RLS &amp; Gut Health Intake: administration" in page
    assert "Django administration" not in page


def test_admin_patient_change_goes_through_the_service_and_is_audited(admin_client, clinic_admin):
    case = submitted_case(name="Old Name")
    patient = case.patient

    saved = admin_client.post(
        f"/admin/intake/patient/{patient.pk}/change/",
        {
            "full_name": "New Name",
            "date_of_birth": patient.date_of_birth.isoformat(),
            "email": "",
        },
    )

    patient.refresh_from_db()
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, actor=clinic_admin).get()
    assert saved.status_code == 302
    assert patient.full_name == "New Name"
    assert (event.actor, event.summary) == (clinic_admin, "changed in the admin: full_name")
    assert "New Name" not in event.summary and "Old Name" not in event.summary


def test_admin_patient_added_is_audited(admin_client, clinic_admin):
    added = admin_client.post(
        "/admin/intake/patient/add/",
        {"full_name": "Added Person", "date_of_birth": "1990-02-03", "email": ""},
    )

    event = AuditEvent.objects.filter(action=AuditAction.CREATE).get()
    assert added.status_code == 302
    assert (event.actor, event.object_type, event.summary) == (
        clinic_admin,
        "Patient",
        "added in the admin",
    )


def test_admin_patient_with_a_bad_date_is_refused_and_nothing_is_audited(admin_client):
    case = submitted_case(name="Kept Name")

    refused = admin_client.post(
        f"/admin/intake/patient/{case.patient_id}/change/",
        {"full_name": "<b>x</b>", "date_of_birth": "31/31/1990", "email": "not-an-email"},
    )

    errors = refused.context["adminform"].form.errors
    assert refused.status_code == 200
    assert sorted(errors) == ["date_of_birth", "email"]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, actor__isnull=False).count() == 0

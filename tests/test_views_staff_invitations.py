"""Staff create, revoke and re-issue invitation links."""

from __future__ import annotations

import pytest
from django.test import Client

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent, Invitation
from tests.factories import login_verified, open_invitation, submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(practitioner) -> Client:
    client = Client()
    login_verified(client, practitioner)
    return client


def test_invitations_anonymous_is_sent_to_sign_in(anonymous):
    response = anonymous.get("/staff/invitations/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/staff/invitations/",
    )


def test_invitations_staff_without_role_is_forbidden(db):
    from django.contrib.auth import get_user_model

    client = Client()
    login_verified(client, get_user_model().objects.create_user("nobody", password="x-pass-12345"))

    assert client.get("/staff/invitations/").status_code == 403


def test_invitations_create_shows_the_link_once(staff_client, practitioner):
    response = staff_client.post(
        "/staff/invitations/", {"full_name": "Dana New", "date_of_birth": "1990-02-03"}
    )

    link = response.context["link"]
    token = link.rsplit("/i/", 1)[1].strip("/")
    invitation = Invitation.objects.get()
    assert response.status_code == 200
    assert services.invitation_for_token(token).pk == invitation.pk
    assert invitation.created_by == practitioner
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_CREATED).count() == 1
    assert token not in staff_client.get("/staff/invitations/").content.decode()


def test_invitations_create_bad_input_keeps_what_was_typed(staff_client):
    response = staff_client.post(
        "/staff/invitations/", {"full_name": "Dana New", "date_of_birth": "2999-01-01"}
    )

    form = response.context["form"]
    assert form.errors == {"date_of_birth": ["The date of birth cannot be in the future."]}
    assert form["full_name"].value() == "Dana New"
    assert Invitation.objects.count() == 0


def test_invitations_list_searches_by_name_and_shows_status(staff_client):
    open_invitation(name="Alma Search")
    revoked, _ = open_invitation(name="Bert Other")
    services.revoke_invitation(invitation=revoked, by=None)

    everyone = staff_client.get("/staff/invitations/")
    found = staff_client.get("/staff/invitations/", {"q": "alma"})

    assert [(i.intake.patient.full_name, s, a) for i, s, a in everyone.context["rows"]] == [
        ("Bert Other", "Revoked", ("reissue",)),
        ("Alma Search", "Not opened yet", ("revoke", "reissue")),
    ]
    assert [i.intake.patient.full_name for i, *_ in found.context["rows"]] == ["Alma Search"]


def test_invitations_a_replaced_or_submitted_link_offers_no_action(staff_client, practitioner):
    replaced, _ = open_invitation(name="Cleo Replaced")
    services.reissue_invitation(invitation=replaced, by=practitioner)
    submitted = submitted_case(name="Sam Submitted")

    rows = staff_client.get("/staff/invitations/").context["rows"]

    by_status = {(i.intake.patient.full_name, s): a for i, s, a in rows}
    assert by_status[("Cleo Replaced", "Replaced by a newer link")] == ()
    assert by_status[("Cleo Replaced", "Not opened yet")] == ("revoke", "reissue")
    assert by_status[("Sam Submitted", "Submitted")] == ()
    assert submitted.invitations.count() == 1


def test_invitations_revoke_and_reissue(staff_client):
    invitation, old_token = open_invitation()

    revoked = staff_client.post(f"/staff/invitations/{invitation.pk}/revoke/")
    reissued = staff_client.post(f"/staff/invitations/{invitation.pk}/reissue/")

    new_token = reissued.context["link"].rsplit("/i/", 1)[1].strip("/")
    assert revoked["Location"] == "/staff/invitations/"
    assert services.invitation_for_token(new_token).intake_id == invitation.intake_id
    with pytest.raises(services.InvitationUnavailable):
        services.invitation_for_token(old_token)


@pytest.mark.parametrize("path", ["revoke", "reissue"])
def test_invitations_actions_unknown_id_is_404_and_get_is_refused(staff_client, path):
    assert staff_client.post(f"/staff/invitations/999999/{path}/").status_code == 404
    assert staff_client.get(f"/staff/invitations/999999/{path}/").status_code == 405


def test_invitations_revoke_without_csrf_token_is_refused(practitioner):
    invitation, _ = open_invitation()
    client = Client(enforce_csrf_checks=True)
    login_verified(client, practitioner)

    response = client.post(f"/staff/invitations/{invitation.pk}/revoke/")

    invitation.refresh_from_db()
    assert response.status_code == 403
    assert invitation.revoked_at is None

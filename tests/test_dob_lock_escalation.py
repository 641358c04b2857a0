"""Guessing a date of birth does not go on for ever: five wrong answers lock a link for 15 minutes,
and the third lock in a row (DOB_LOCKOUTS_BEFORE_CLOSING) closes it until staff issue a new one.
The clinic's alert address is told, in words that say nothing about the patient or their health."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake import services
from intake.enums import AuditAction
from intake.models import AuditEvent, Invitation
from tests.access import patient_browser
from tests.factories import PATIENT_DOB, login_verified, open_invitation

# Staff alerts go through the outbox: delivered at once here, to be read from mail.outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]

WRONG = dt.date(1999, 1, 1)
UNAVAILABLE = "This link has expired or is no longer valid. Please ask your clinic for a new one."


@pytest.fixture(autouse=True)
def _alerts(settings):
    settings.CLINIC_ALERT_EMAIL = "on-call@clinic.example"
    settings.SITE_URL = "https://intake.clinic.example"
    settings.DOB_LOCKOUTS_BEFORE_CLOSING = 3
    settings.RATE_LIMIT_PATIENT = "1000/h"


def _lock_out(invitation: Invitation) -> services.DobCheck:
    """Five wrong answers, then the lock lifts (as if 15 minutes had passed)."""
    for _ in range(5):
        check = services.check_date_of_birth(invitation=invitation, date_of_birth=WRONG)
    Invitation.objects.filter(pk=invitation.pk).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    return check


def test_third_lockout_closes_the_link(django_capture_on_commit_callbacks):
    invitation, token = open_invitation()

    with django_capture_on_commit_callbacks(execute=True):
        checks = [_lock_out(invitation) for _ in range(3)]

    invitation.refresh_from_db()
    assert [(c.locked, c.closed) for c in checks] == [(True, False), (True, False), (True, True)]
    assert (invitation.lockouts, invitation.closed_at is not None) == (3, True)
    assert invitation.revoked_at == invitation.closed_at
    with pytest.raises(services.InvitationUnavailable) as refusal:
        services.invitation_for_token(token)
    assert str(refusal.value) == UNAVAILABLE


def test_closed_link_is_on_record_and_the_clinic_is_told_neutrally(
    django_capture_on_commit_callbacks,
):
    invitation, _token = open_invitation(name="Ann Example")

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _lock_out(invitation)

    locks = list(
        AuditEvent.objects.filter(action=AuditAction.LOCKED)
        .order_by("pk")
        .values_list("summary", "object_id")
    )
    assert locks == [
        ("lock 1 of 3", str(invitation.pk)),
        ("lock 2 of 3", str(invitation.pk)),
        ("lock 3 of 3: link closed until staff issue a new one", str(invitation.pk)),
    ]
    case_number = invitation.intake.case_number
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (
            ["on-call@clinic.example"],
            f"Invitation link closed: {case_number}",
            f"The invitation link for questionnaire {case_number} was closed after the date of "
            "birth was entered wrongly too many times. It stays closed until a new link is "
            "issued.\n\nSign in to issue a new link if the patient asks for one: "
            "https://intake.clinic.example/staff/invitations/\n\n"
            "This message holds no patient information by design.",
        )
    ]


def test_no_alert_address_closes_the_link_without_email(
    settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = ""
    invitation, _token = open_invitation()

    with django_capture_on_commit_callbacks(execute=True):
        checks = [_lock_out(invitation) for _ in range(3)]

    assert (checks[-1].closed, mail.outbox) == (True, [])


@pytest.mark.parametrize("limit", [1, 5])
def test_the_number_of_lockouts_before_closing_is_the_clinics_setting(settings, limit):
    settings.DOB_LOCKOUTS_BEFORE_CLOSING = limit
    invitation, _token = open_invitation()

    closed = [_lock_out(invitation).closed for _ in range(limit)]

    assert closed == [False] * (limit - 1) + [True]


def test_right_date_of_birth_between_lockouts_starts_the_count_again():
    invitation, _token = open_invitation()
    _lock_out(invitation)
    _lock_out(invitation)

    right = services.check_date_of_birth(invitation=invitation, date_of_birth=PATIENT_DOB)
    after = [_lock_out(invitation).closed for _ in range(2)]

    invitation.refresh_from_db()
    assert (right.matched, after, invitation.lockouts, invitation.closed_at) == (
        True,
        [False, False],
        2,
        None,
    )


def test_wrong_answers_while_locked_do_not_count_towards_closing():
    invitation, _token = open_invitation()
    for _ in range(5):
        services.check_date_of_birth(invitation=invitation, date_of_birth=WRONG)

    for _ in range(20):
        with pytest.raises(services.LinkLocked):
            services.check_date_of_birth(invitation=invitation, date_of_birth=WRONG)

    invitation.refresh_from_db()
    assert (invitation.lockouts, invitation.closed_at) == (1, None)


# --- through the pages -------------------------------------------------------------------------


def _guessing_browser(token: str) -> Client:
    client = Client()
    response = client.get(f"/i/{token}/")
    assert response["Location"] == "/intake/verify/"
    return client


def _draft_with_answers() -> tuple[Invitation, str, Client]:
    invitation, token = open_invitation()
    patient = patient_browser(token)
    saved = patient.post("/intake/step/about-you/", {"base_revision": "0", "sex_at_birth": "male"})
    assert saved.status_code == 302
    return invitation, token, patient


def test_verify_page_says_the_link_is_closed_then_refuses_it(django_capture_on_commit_callbacks):
    invitation, token, _patient = _draft_with_answers()
    guesser = _guessing_browser(token)
    _lock_out(invitation)
    _lock_out(invitation)
    for _ in range(4):
        guesser.post("/intake/verify/", {"date_of_birth": WRONG.isoformat()})

    with django_capture_on_commit_callbacks(execute=True):
        last = guesser.post("/intake/verify/", {"date_of_birth": WRONG.isoformat()})
    right_after = guesser.post("/intake/verify/", {"date_of_birth": PATIENT_DOB.isoformat()})
    link_again = Client().get(f"/i/{token}/")

    assert last.context["form"].errors == {
        "date_of_birth": [
            "That date of birth does not match our records. For your security this link is "
            "now closed. Please ask your clinic for a new link."
        ]
    }
    assert right_after.status_code == 404
    assert (link_again.status_code, link_again.context["message"]) == (404, UNAVAILABLE)
    assert len(mail.outbox) == 1


def test_closing_shuts_out_a_browser_that_had_the_questionnaire_open():
    invitation, _token, patient = _draft_with_answers()

    for _ in range(3):
        _lock_out(invitation)

    assert patient.get("/intake/").status_code == 404


def test_staff_see_the_closed_link_and_a_new_one_works_with_the_answers_kept(practitioner):
    invitation, _token, _patient = _draft_with_answers()
    for _ in range(3):
        _lock_out(invitation)
    staff = login_verified(Client(), practitioner)

    rows = staff.get("/staff/invitations/").context["rows"]
    reissued = staff.post(f"/staff/invitations/{invitation.pk}/reissue/")
    new_token = reissued.context["link"].rsplit("/i/", 1)[1].strip("/")
    patient = patient_browser(new_token)

    assert [(i.pk, status, actions) for i, status, actions in rows] == [
        (invitation.pk, "Closed after wrong dates of birth", ("reissue",))
    ]
    assert patient.get("/intake/step/about-you/").context["form"].initial["sex_at_birth"] == "male"
    assert Invitation.objects.get(pk=invitation.pk).closed_at is not None

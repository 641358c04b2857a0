"""Autosave, the small write made while a patient types: one read of the intake (with the link's
checks) that also locks its row, the same refusals as a full save, and an audit trail that lists
a step's autosaves from one browser once per AUTOSAVE_AUDIT_SECONDS while every full save is
listed."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import questionnaire, selectors, services
from intake.enums import AuditAction, CaseStatus
from intake.models import AuditEvent, Intake, Invitation, Patient
from intake.views import patient as patient_views
from intake.views import patient_access
from tests.answer_sets import STEP_DATA
from tests.factories import PatientLink, answer_steps, open_invitation

pytestmark = pytest.mark.django_db

LEGS = "/intake/step/legs/autosave/"


@pytest.fixture
def started(patient_link) -> PatientLink:
    """Past the first step: the legs step is open and autosaves."""
    about_you = {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"}
    response = patient_link.client.post("/intake/step/about-you/", about_you)
    assert response["Location"] == "/intake/step/legs/"
    return patient_link


def _autosave(link: PatientLink, revision: int, path: str = LEGS, **answers):
    return link.client.post(path, {"base_revision": str(revision), **answers})


def _listed(link: PatientLink) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(intake=link.intake, action=AuditAction.UPDATE)
        .order_by("pk")
        .values_list("summary", "ip_address")
    )


# --- one read, locked --------------------------------------------------------------------------


def _statements(captured) -> list[str]:
    """What reached the database, without the session's rows and the test's savepoints."""
    return [
        query["sql"].strip()
        for query in captured.captured_queries
        if "django_session" not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]


def test_autosave_reads_the_intake_once_with_the_link_and_locks_it(started):
    _autosave(started, 0, rls_screen="yes")  # listed on the audit trail

    with CaptureQueriesContext(connection) as captured:
        saved = _autosave(started, 1, rls_screen="no")

    statements = _statements(captured)
    assert saved.json()["ok"] is True
    assert [sql.split()[0] for sql in statements] == ["SELECT", "UPDATE"]
    read, update = statements
    assert "intake_invitation" in read and "revoked_at" in read and "intake_patient" in read
    if connection.features.has_select_for_update_of:
        assert "FOR UPDATE OF" in read
    assert update.startswith('UPDATE "intake_intake"') and '"answers"' in update
    assert '"completed_steps"' not in update  # only the columns that changed
    assert started.refresh().answers["rls_screen"] == "no"


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"invitation": {"revoked_at": timezone.now()}},
        {"invitation": {"expires_at": timezone.now()}},
        {"intake": {"status": CaseStatus.NEW, "submitted_at": timezone.now()}},
        {
            "intake": {"status": CaseStatus.NEW, "submitted_at": timezone.now()},
            "invitation": {"expires_at": timezone.now()},
        },
        {"other_invitation": True},
        {"other_intake": True},
    ],
    ids=["live", "revoked", "expired", "sent", "sent-expired", "other-link", "other-intake"],
)
def test_the_locked_read_admits_and_refuses_as_the_page_read_does(started, change):
    invitation = Invitation.objects.get(intake=started.intake)
    Invitation.objects.filter(pk=invitation.pk).update(**change.get("invitation", {}))
    Intake.objects.filter(pk=started.intake.pk).update(**change.get("intake", {}))
    intake_id, invitation_id = started.intake.pk, invitation.pk
    if change.get("other_invitation") or change.get("other_intake"):
        other, _token = open_invitation(name="Bea Example")
        if change.get("other_invitation"):
            invitation_id = other.pk
        else:
            intake_id = other.intake_id

    def outcome(**lock):
        try:
            with transaction.atomic():
                intake = selectors.patient_intake(
                    intake_id=intake_id, invitation_id=invitation_id, **lock
                )
        except Exception as refusal:  # noqa: BLE001 (the kind of refusal is compared)
            return type(refusal).__name__
        return (intake.pk, intake.status, intake.answers, intake.patient.date_of_birth)

    assert outcome(lock=True) == outcome()


@pytest.mark.django_db(transaction=True)
def test_the_locked_read_needs_a_transaction():
    with pytest.raises(TransactionManagementError):
        selectors.answers._locked_intake(intake_id=1, invitation_id=1)


def test_the_locked_reads_tables_are_the_models():
    for model, table in ((Intake, "intake_intake"), (Invitation, "intake_invitation")):
        assert f" {table} " in selectors.answers.LOCKED_INTAKE_SQL
        assert model._meta.db_table == table
    assert Patient._meta.db_table == "intake_patient"


def test_autosave_with_the_answers_unchanged_writes_only_the_steps_count(started):
    _autosave(started, 0, rls_screen="yes")

    with CaptureQueriesContext(connection) as captured:
        again = _autosave(started, 1, rls_screen="yes")

    updates = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "intake_intake"')
    ]
    assert again.json()["revision"] == 2
    assert len(updates) == 1 and '"answers"' not in updates[0]


def test_save_locked_step_refuses_to_leave_a_full_save_off_the_record(started):
    intake = Intake.objects.select_related("patient").get(pk=started.intake.pk)
    legs = questionnaire.STEPS_BY_SLUG["legs"]

    with transaction.atomic(), pytest.raises(ValueError):
        services.save_locked_step(
            intake, step=legs, values={"rls_screen": "yes"}, base_revision=0, record=False
        )

    assert "rls_screen" not in started.refresh().answers


# --- refusals: nothing saved, nothing listed ---------------------------------------------------


def _nothing_saved(link: PatientLink, listed_before: list) -> None:
    assert "rls_screen" not in link.refresh().answers
    assert "legs" not in link.intake.step_revisions
    assert _listed(link) == listed_before


def test_autosave_from_a_revoked_link_is_refused(started):
    listed = _listed(started)
    Invitation.objects.filter(intake=started.intake).update(revoked_at=timezone.now())

    refused = _autosave(started, 0, rls_screen="yes")

    assert refused.status_code == 404
    _nothing_saved(started, listed)


def test_autosave_from_an_expired_link_is_refused_and_says_so(started):
    listed = _listed(started)
    Invitation.objects.filter(intake=started.intake).update(expires_at=timezone.now())

    refused = _autosave(started, 0, rls_screen="yes")

    assert (refused.status_code, refused.json()["ok"]) == (409, False)
    assert "expired" in refused.json()["message"]
    _nothing_saved(started, listed)


def test_autosave_of_a_sent_questionnaire_is_refused(started):
    listed = _listed(started)
    Intake.objects.filter(pk=started.intake.pk).update(
        status=CaseStatus.NEW, submitted_at=timezone.now()
    )

    refused = _autosave(started, 0, rls_screen="yes")

    assert (refused.status_code, refused.json()["ok"]) == (409, False)
    _nothing_saved(started, listed)


@pytest.mark.parametrize("revision", ["1", "-1", "7", "", "one", "1e3"])
def test_autosave_against_another_revision_is_refused(started, revision):
    listed = _listed(started)

    refused = started.client.post(LEGS, {"base_revision": revision, "rls_screen": "yes"})

    assert refused.status_code in (400, 409)
    assert refused.json()["ok"] is False
    if refused.status_code == 409:
        assert refused.json()["stale"] is True
    _nothing_saved(started, listed)


def test_a_refused_autosave_leaves_the_next_one_listed(started):
    listed = _listed(started)

    _autosave(started, 5, rls_screen="yes")  # stale: refused
    _autosave(started, 0, rls_screen="yes")

    assert _listed(started) == [*listed, ("autosaved: legs", "127.0.0.1")]


def test_autosave_of_a_step_not_yet_open_is_refused(started):
    listed = _listed(started)

    refused = _autosave(started, 0, "/intake/step/bowel/autosave/", abd_pain_freq="1_per_week")

    assert refused.status_code == 400
    assert "abd_pain_freq" not in started.refresh().answers
    assert _listed(started) == listed


def test_autosave_of_an_oversized_body_is_refused_unread(started):
    listed = _listed(started)
    body = "base_revision=0&rls_screen=" + "y" * (300 * 1024)

    refused = started.client.post(LEGS, body, content_type="application/x-www-form-urlencoded")

    assert refused.status_code == 413
    _nothing_saved(started, listed)


def test_autosave_of_an_oversized_answer_keeps_the_saved_one(started):
    _autosave(started, 0, rls_screen="yes")

    saved = _autosave(started, 1, rls_screen="y" * (200 * 1024))

    assert saved.json()["ok"] is True
    assert started.refresh().answers["rls_screen"] == "yes"


def test_autosave_without_a_session_is_refused(db):
    refused = Client().post(LEGS, {"base_revision": "0", "rls_screen": "yes"})

    assert refused.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


# --- the body: urlencoded, or multipart from pages cached before ------------------------------

# static/js/autosave.js sends the fields urlencoded (fetch and beacon alike: what both put on a
# URLSearchParams body); pages cached before it did may go on sending multipart for a while.
URLENCODED = "application/x-www-form-urlencoded;charset=UTF-8"
LEGS_ANSWERS = {
    "rls_on_treatment": "yes",
    "rls_treatment_meds": ["dopamine_agonist", "levodopa"],
    "rls_screen": "yes",
}


@pytest.fixture
def started_with_csrf(started) -> PatientLink:
    """On the legs step with a browser's CSRF checks, the token taken from the step's page."""
    page = started.client.get("/intake/step/legs/").content.decode()
    started.token_in_page = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    started.client.handler.enforce_csrf_checks = True
    return started


def _post_encoded(link: PatientLink, encoding: str, fields: dict):
    if encoding == "urlencoded":
        return link.client.post(LEGS, urlencode(fields, doseq=True), content_type=URLENCODED)
    return link.client.post(LEGS, fields, content_type=MULTIPART_CONTENT)  # encoded by the client


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_autosave_saves_a_urlencoded_or_multipart_body(started_with_csrf, encoding):
    link = started_with_csrf
    fields = {"csrfmiddlewaretoken": link.token_in_page, "base_revision": "0", **LEGS_ANSWERS}

    saved = _post_encoded(link, encoding, fields)

    assert saved.status_code == 200
    assert (saved.json()["ok"], saved.json()["revision"]) == (True, 1)
    answers = link.refresh().answers
    assert {key: answers[key] for key in LEGS_ANSWERS} == LEGS_ANSWERS


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_autosave_without_the_csrf_token_in_the_body_is_refused(started_with_csrf, encoding):
    refused = _post_encoded(started_with_csrf, encoding, {"base_revision": "0", **LEGS_ANSWERS})

    assert refused.status_code == 403
    assert "rls_screen" not in started_with_csrf.refresh().answers


# --- the audit trail ---------------------------------------------------------------------------


def test_a_steps_autosaves_are_listed_once_per_window_and_full_saves_always(started, monkeypatch):
    start = patient_access.now_seconds()
    clock = {"now": start}
    for module in (patient_views, patient_access):  # the idle clock's and the audit window's
        monkeypatch.setattr(module, "now_seconds", lambda: clock["now"])
    listed = _listed(started)

    _autosave(started, 0, rls_screen="yes")
    _autosave(started, 1, rls_screen="no")
    _autosave(started, 2, rls_screen="yes")
    clock["now"] = start + services.AUTOSAVE_AUDIT_SECONDS - 1
    _autosave(started, 3, rls_screen="no")
    clock["now"] = start + services.AUTOSAVE_AUDIT_SECONDS
    _autosave(started, 4, rls_screen="yes")

    assert _listed(started)[len(listed) :] == [("autosaved: legs", "127.0.0.1")] * 2
    assert started.refresh().answers["rls_screen"] == "yes"
    assert started.intake.step_revisions["legs"] == 5


def test_a_full_save_is_listed_and_the_next_autosave_is_listed_again(started):
    listed = _listed(started)

    _autosave(started, 0, rls_screen="yes")
    full = started.client.post("/intake/step/legs/", {**STEP_DATA["legs"], "base_revision": "1"})
    _autosave(started, 2, rls_screen="yes")
    _autosave(started, 3, rls_screen="no")

    assert full.status_code == 302
    assert _listed(started)[len(listed) :] == [
        ("autosaved: legs", "127.0.0.1"),
        ("answers saved: legs", "127.0.0.1"),
        ("autosaved: legs", "127.0.0.1"),
    ]


def test_autosaves_from_another_address_or_step_are_listed_apart(started):
    listed = _listed(started)

    _autosave(started, 0, rls_screen="yes")
    started.client.post(LEGS, {"base_revision": "1", "rls_screen": "no"}, REMOTE_ADDR="192.0.2.9")
    _autosave(started, 2, rls_screen="no")
    _autosave(started, 1, "/intake/step/about-you/autosave/", pregnant="no")

    assert _listed(started)[len(listed) :] == [
        ("autosaved: legs", "127.0.0.1"),
        ("autosaved: legs", "192.0.2.9"),
        ("autosaved: legs", "127.0.0.1"),
        ("autosaved: about-you", "127.0.0.1"),
    ]


def test_another_intake_opened_in_the_browser_lists_its_own_autosaves(started):
    _autosave(started, 0, rls_screen="yes")
    invitation, token = open_invitation(name="Bea Example")
    assert started.client.get(f"/i/{token}/").status_code == 302
    other = PatientLink(client=started.client, intake=invitation.intake, token=token)
    about_you = {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"}
    started.client.post("/intake/step/about-you/", about_you)

    _autosave(other, 0, rls_screen="yes")

    assert ("autosaved: legs", "127.0.0.1") in _listed(other)


def test_an_unlisted_autosave_still_shows_help_and_tells_the_clinic_at_once(started):
    answers_before_help = {"rls_screen": "no"}
    _autosave(started, 0, **answers_before_help)  # listed
    path = "/intake/step/warning-signs/autosave/"
    # Steps open in order: make the warning-signs step reachable as the app would.
    answer_steps(started.client, stop_at="warning-signs")
    revision = int(started.refresh().step_revisions.get("warning-signs", 0))
    _autosave(started, revision, path, saddle_numbness="no")  # listed
    listed = _listed(started)

    saved = _autosave(started, revision + 1, path, saddle_numbness="yes")  # not listed

    assert saved.json()["help_url"] == "/intake/support/"
    assert _listed(started) == listed
    assert AuditEvent.objects.filter(
        intake=started.intake, action=AuditAction.CONTACT_NEEDED
    ).exists()
    assert started.refresh().contact_needed_at is not None

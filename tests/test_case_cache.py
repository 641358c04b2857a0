"""Kept case pages (intake/selectors/case_cache.py): a second view is served from the cache and
still audited; every kind of change to what a case page shows is on the next view; a kept page
reaches only the person it was made for, never carries another request's CSRF token, and a page
shown again with what was typed is never kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import auth_backends, middleware, services, signals
from intake.enums import AuditAction, CaseStatus, Decision
from intake.models import (
    AuditEvent,
    Intake,
    LabResultEntry,
    LicensedInstrument,
    Note,
    TestRecommendation,
)
from intake.selectors import case_cache, queue_cache
from tests.factories import login_verified, open_invitation, submitted_case

pytestmark = pytest.mark.django_db

# What a kept view costs: session, user, second factor, two permission reads (kept in Redis
# only, not in these tests' memory cache), the case row (the permission check and its stamp),
# the audit event of the view. Computing the page reads its rows as well.
KEPT_VIEW_QUERIES = 5 + 2


@pytest.fixture(autouse=True)
def _kept(memory_cache, settings, monkeypatch):
    # Sessions in the database, as the settings have them with any cache but Redis: counted.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.CASE_CACHE = True
    settings.QUEUE_CACHE = True
    settings.PERMISSION_CACHE = False  # counted: the permissions are read from the tables
    # The idle clock is written once a minute; not in the middle of a counted view.
    monkeypatch.setattr(middleware, "IDLE_CLOCK_STEP_SECONDS", 24 * 60 * 60)


def _client(user, **options) -> Client:
    return login_verified(Client(**options), user)


def _url(case: Intake) -> str:
    return f"/staff/cases/{case.pk}/"


def _html(response) -> str:
    return response.content.decode()


def _view(client, case: Intake, query: str = "") -> tuple[str, int]:
    """The page and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(case) + query)
    assert response.status_code == 200
    return _html(response), len(queries)


def _kept_view(client, case: Intake, query: str = "") -> str:
    html, queries = _view(client, case, query)
    assert queries == KEPT_VIEW_QUERIES
    return html


def _computed_view(client, case: Intake, query: str = "") -> str:
    html, queries = _view(client, case, query)
    assert queries > KEPT_VIEW_QUERIES
    return html


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


def _fresh(case: Intake) -> Intake:
    return Intake.objects.get(pk=case.pk)


def _another_questionnaire(case: Intake, by) -> Intake:
    """A new questionnaire for the patient of `case` (matched by name and date of birth)."""
    invitation, _token = services.create_invitation(
        full_name=case.patient.full_name, date_of_birth=case.patient.date_of_birth, created_by=by
    )
    assert invitation.intake.patient_id == case.patient_id
    return invitation.intake


def test_case_cache_second_view_is_the_same_page_and_still_audited(practitioner):
    case = submitted_case(name="Kept Case Patient")
    client = _client(practitioner)
    first = _computed_view(client, case)
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=practitioner, intake=case)

    second = _kept_view(client, case)

    assert views.count() == 2
    assert "Kept Case Patient" in second
    assert re.sub(r'value="[^"]{64}"', "", second) == re.sub(r'value="[^"]{64}"', "", first)


def test_case_cache_kept_page_carries_this_requests_csrf_token(practitioner):
    case = submitted_case(name="Token Patient")
    client = _client(practitioner, enforce_csrf_checks=True)
    client.get(_url(case))

    kept = _kept_view(client, case)
    tokens = _tokens(kept)

    assert "csrfplaceholder" not in kept
    assert len(tokens) >= 1 and all(len(token) == 64 for token in tokens)
    added = client.post(
        f"/staff/cases/{case.pk}/note/",
        {"text": "Sent with the kept page's token", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert added.status_code == 302
    assert Note.objects.filter(intake=case, text="Sent with the kept page's token").exists()


def test_case_cache_text_like_a_placeholder_is_shown_as_typed(practitioner):
    # Each kept page has a placeholder of its own: a note cannot be made to show a token.
    case = submitted_case(name="Placeholder Patient")
    typed = "csrfplaceholder" + "0" * 32
    services.add_note(intake_id=case.pk, text=typed, by=practitioner)
    client = _client(practitioner)
    client.get(_url(case))

    kept = _kept_view(client, case)

    assert typed in kept
    assert all(token not in typed for token in _tokens(kept))


def test_case_cache_is_off_without_the_queues_pages(settings):
    # A case page follows the queue's version, which is replaced only while the queue's pages
    # are kept.
    settings.QUEUE_CACHE = False

    assert case_cache.enabled() is False


def test_case_cache_never_serves_another_sessions_token(practitioner):
    # Signing in again gives a new CSRF secret: the kept page must carry the new one.
    case = submitted_case(name="Two Sessions Patient")
    first_session = _client(practitioner, enforce_csrf_checks=True)
    first_session.get(_url(case))
    second_session = _client(practitioner, enforce_csrf_checks=True)
    second_session.get("/staff/")  # a new session's first request writes it

    kept = _kept_view(second_session, case)
    posted = second_session.post(
        f"/staff/cases/{case.pk}/note/",
        {"text": "From the second session", "csrfmiddlewaretoken": _tokens(kept).pop()},
    )

    assert posted.status_code == 302


def test_case_cache_note_shows_at_once(practitioner):
    case = submitted_case(name="Note Patient")
    client = _client(practitioner)
    client.get(_url(case))

    services.add_note(intake_id=case.pk, text="Called the patient back", by=practitioner)

    assert "Called the patient back" in _computed_view(client, case)


def test_case_cache_status_and_assignment_show_at_once(practitioner, other_practitioner):
    case = submitted_case(name="Workflow Patient")
    client = _client(practitioner)
    assert "<strong>New</strong>" in _html(client.get(_url(case)))

    services.assign_case(
        intake_id=case.pk, version=case.version, assignee=other_practitioner, by=practitioner
    )
    services.change_status(
        intake_id=case.pk, version=case.version + 1, status=CaseStatus.CLOSED, by=practitioner
    )
    html = _computed_view(client, case)

    assert "<strong>Closed</strong>" in html
    assert f"assigned to {other_practitioner.username}" in html


def test_case_cache_decision_shows_at_once(practitioner):
    case = submitted_case(name="Decision Patient")
    client = _client(practitioner)
    client.get(_url(case))
    recommendation = TestRecommendation.objects.get(
        assessment_id=case.current_assessment_id, test="iron_panel"
    )

    services.record_decision(
        intake_id=case.pk,
        version=case.version,
        recommendation_id=recommendation.pk,
        decision=Decision.DECLINED,
        reason="Tested last month elsewhere",
        by=practitioner,
    )

    assert "Tested last month elsewhere" in _computed_view(client, case)


def test_case_cache_results_show_at_once(practitioner):
    case = submitted_case(name="Results Patient")
    client = _client(practitioner)
    client.get(_url(case))

    services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[
            {
                "test": "ferritin",
                "value": 17,
                "unit": "ng/mL",
                "taken_on": dt.date.today().isoformat(),
            }
        ],
        by=practitioner,
    )
    html = _computed_view(client, case)

    assert "What changed with the latest results" in html
    assert "17" in html.split('id="h-results"', 1)[1].split("</table>", 1)[0]


def test_case_cache_result_changed_on_its_own_shows_at_once(practitioner):
    # A result corrected without the case being saved (the admin, a script): still retired.
    case = submitted_case(name="Corrected Result Patient")
    services.record_results(
        intake_id=case.pk,
        version=case.version,
        results=[
            {
                "test": "ferritin",
                "value": 17,
                "unit": "ng/mL",
                "taken_on": dt.date.today().isoformat(),
            }
        ],
        by=practitioner,
    )
    client = _client(practitioner)
    client.get(_url(case))

    entry = LabResultEntry.objects.get(intake=case)
    entry.value = "19"
    entry.save(update_fields=["value"])
    html = _computed_view(client, case)

    assert "19" in html.split('id="h-results"', 1)[1].split("</table>", 1)[0]


def test_case_cache_print_shows_in_the_timeline_at_once(practitioner):
    case = submitted_case(name="Printed Patient")
    client = _client(practitioner)
    client.get(_url(case))

    client.get(f"/staff/cases/{case.pk}/print/")
    timeline = _computed_view(client, case).split('id="h-timeline"', 1)[1]

    assert "print view" in timeline


def test_case_cache_views_do_not_retire_the_page(practitioner, other_practitioner):
    case = submitted_case(name="Viewed Patient")
    client = _client(practitioner)
    client.get(_url(case))

    _client(other_practitioner).get(_url(case))  # another person's view: an audit row

    _kept_view(client, case)


def test_case_cache_new_questionnaire_of_the_patient_shows_at_once(practitioner):
    case = submitted_case(name="Returning Patient")
    client = _client(practitioner)
    assert 'id="h-history"' not in _html(client.get(_url(case)))

    _another_questionnaire(case, practitioner)
    html = _computed_view(client, case)

    assert 'id="h-history"' in html
    assert "(not submitted)" in html


def test_case_cache_patient_name_change_shows_at_once(practitioner, clinic_admin):
    case = submitted_case(name="Before Rename")
    client = _client(practitioner)
    client.get(_url(case))

    patient = case.patient
    patient.full_name = "After Rename"
    services.save_patient_record(patient=patient, changed_fields=["full_name"], by=clinic_admin)
    html = _computed_view(client, case)

    assert re.search(r"<h1[^>]*>C-\d+ · After Rename</h1>", html)


def test_case_cache_recorded_contact_shows_at_once(practitioner):
    case = submitted_case(name="Contact Patient", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2])
    client = _client(practitioner)
    assert "Contact this patient today" in _html(client.get(_url(case)))

    services.record_contact(intake_id=case.pk, by=practitioner)

    assert "Patient contacted" in _computed_view(client, case)


def test_case_cache_row_written_without_a_signal_is_still_seen(practitioner):
    # QuerySet.update() sends no signal; the case row's own stamp, read on every view, differs.
    case = submitted_case(name="Quiet Write Patient")
    client = _client(practitioner)
    client.get(_url(case))

    Intake.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now(), updated_at=timezone.now()
    )

    assert "<strong>Closed</strong>" in _computed_view(client, case)


def test_case_cache_evicted_version_is_never_an_old_one(practitioner):
    case = submitted_case(name="Evicted Case Patient")
    client = _client(practitioner)
    client.get(_url(case))
    cache.delete(case_cache.VERSION_KEY)
    Note.objects.bulk_create([Note(intake=case, author=practitioner, text="Written in bulk")])

    assert "Written in bulk" in _computed_view(client, case)


def test_case_cache_each_person_has_their_own_page(practitioner, other_practitioner):
    case = submitted_case(name="Shared Case Patient")
    services.assign_case(
        intake_id=case.pk, version=case.version, assignee=practitioner, by=practitioner
    )
    mine = _client(practitioner)
    mine.get(_url(case))

    theirs = _html(_client(other_practitioner).get(_url(case)))

    # "Take this case" is offered to whoever does not hold it.
    assert "Take this case" in theirs
    assert "Take this case" not in _kept_view(mine, case)


def test_case_cache_timeline_pages_are_kept_apart(practitioner):
    case = submitted_case(name="Paged Timeline Patient")
    for number in range(3):
        services.add_note(intake_id=case.pk, text=f"Note {number}", by=practitioner)
    oldest = AuditEvent.objects.filter(intake=case).exclude(action=AuditAction.VIEW).last()
    client = _client(practitioner)
    client.get(_url(case))
    query = f"?timeline_before={oldest.pk}"
    client.get(_url(case) + query)

    latest, earlier = _kept_view(client, case), _kept_view(client, case, query)

    assert "Showing earlier events." in earlier
    assert "Showing earlier events." not in latest


def test_case_cache_removed_permission_is_refused_at_once(practitioner):
    case = submitted_case(name="Guarded Case Patient")
    client = _client(practitioner)
    client.get(_url(case))

    practitioner.groups.clear()
    response = client.get(_url(case))

    assert response.status_code in (403, 404)
    assert "Guarded Case Patient" not in _html(response)


def test_case_cache_lost_change_permission_removes_the_forms_at_once(practitioner):
    case = submitted_case(name="Read Only Patient")
    client = _client(practitioner)
    assert 'id="h-workflow"' in _html(client.get(_url(case)))

    change = practitioner.groups.first().permissions.get(codename="change_intake")
    practitioner.groups.first().permissions.remove(change)
    html = _computed_view(client, case)

    assert 'id="h-workflow"' not in html
    assert "Add note" not in html


def test_case_cache_page_with_errors_is_never_kept(practitioner):
    case = submitted_case(name="Typed Patient")
    client = _client(practitioner)
    client.get(_url(case))

    refused = client.post(f"/staff/cases/{case.pk}/note/", {"text": "   "})
    html = _kept_view(client, case)

    assert refused.status_code == 400
    assert "The note was not added" in _html(refused)
    assert "The note was not added" not in html


def test_case_cache_erased_patient_is_never_served_again(practitioner, clinic_admin):
    case = submitted_case(name="Erin Casepage")
    client = _client(practitioner)
    assert "Erin Casepage" in _html(client.get(_url(case)))

    services.erase_patient(patient=case.patient, by=clinic_admin, reason="asked in writing")
    response = client.get(_url(case))

    assert "Erin Casepage" not in _html(response)


def test_case_cache_version_changes_with_each_kind_of_row(practitioner):
    case = submitted_case(name="Rows Case Patient")
    note = Note.objects.create(intake=case, author=practitioner, text="A note")
    writes = {
        "note saved": lambda: note.save(update_fields=["text"]),
        "note deleted": note.delete,
        "timeline event": lambda: services.record_event(
            action=AuditAction.EXPORT, actor=practitioner, intake=case, summary="FHIR bundle"
        ),
        "new questionnaire": lambda: _another_questionnaire(case, practitioner),
        "permission": lambda: practitioner.groups.first().permissions.remove(
            practitioner.groups.first().permissions.first()
        ),
        "licensed instrument": lambda: LicensedInstrument.objects.create(
            name="IRLS",
            version="test",
            licence_ref="L-1",
            items=[f"Item {n}" for n in range(10)],
            choice_labels=["0", "1", "2", "3", "4"],
        ),
        "migrate": lambda: signals.kept_pages_after_migrate(sender=apps.get_app_config("intake")),
    }
    changed = {}

    for kind, write in writes.items():
        before = cache.get(case_cache.VERSION_KEY)
        write()
        changed[kind] = cache.get(case_cache.VERSION_KEY) != before

    assert changed == dict.fromkeys(writes, True)


def test_case_cache_views_and_patient_saves_keep_the_version(practitioner):
    case = submitted_case(name="Quiet Rows Patient")
    invitation, _token = open_invitation(name="Drafting Patient")
    cache.set(case_cache.VERSION_KEY, "before", None)

    services.record_event(action=AuditAction.VIEW, actor=practitioner, intake=case)
    services.record_event(action=AuditAction.UPDATE, intake=invitation.intake, summary="step saved")
    draft = _fresh(invitation.intake)
    draft.save(update_fields=["updated_at"])

    assert cache.get(case_cache.VERSION_KEY) == "before"


def test_case_cache_migrate_retires_the_queue_and_the_permissions_too(settings):
    settings.PERMISSION_CACHE = True
    before = {key: cache.get(key) for key in (queue_cache.VERSION_KEY, auth_backends.VERSION_KEY)}

    signals.kept_pages_after_migrate(sender=apps.get_app_config("intake"))

    assert all(cache.get(key) not in (None, old) for key, old in before.items())


def test_case_cache_other_apps_migrations_keep_the_version():
    cache.set(case_cache.VERSION_KEY, "before", None)

    signals.kept_pages_after_migrate(sender=apps.get_app_config("sessions"))

    assert cache.get(case_cache.VERSION_KEY) == "before"

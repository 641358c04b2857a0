"""Contact today (clinical-spec §9, R3-1, R3-16, R3-23): a crisis, an emergency, or "Not sure"
to one of their questions. The patient sees help the moment the step is saved and again after
sending; the clinic is told at once (work queue, one email per kind, no health information);
the draft or case stays at the top of the queue until someone records the contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake import demo, selectors, services
from intake.enums import AssessmentKind, AuditAction, CaseStatus, ContactReason, Role
from intake.models import AuditEvent, Intake, Patient
from intake.services.contact import UNSURE_LEAD, ContactAlert, HelpText, contact_alert_for
from tests.access import make_user
from tests.answer_sets import NO_RED_FLAGS, RLS_AND_DIARRHOEA
from tests.factories import (
    answer_steps,
    login_verified,
    open_invitation,
    send_answers,
    staff_user,
    submitted_case,
)

# Staff alerts go through the outbox: delivered at once here, to be read from mail.outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]

CRISIS, EMERGENCY, UNSURE = ContactReason.CRISIS, ContactReason.EMERGENCY, ContactReason.UNSURE
ADVICE = "Go to an emergency department or call your emergency number now."
RESOURCES = "Call 999 or Samaritans on 116 123."


@pytest.fixture(autouse=True)
def _texts(settings):
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    settings.SITE_URL = "https://intake.clinic.example/"
    settings.EMERGENCY_ADVICE_TEXT = ADVICE
    settings.CRISIS_RESOURCES_TEXT = RESOURCES


@pytest.fixture
def staff(practitioner) -> Client:
    return login_verified(Client(), practitioner)


def _draft(name: str = "Dana Draft") -> Intake:
    invitation, _token = open_invitation(name=name)
    return invitation.intake


def _case(name: str = "Sam Sent", *, days_ago: int = 0, **fields) -> Intake:
    """A submitted case made directly, so that queue tests set its flags exactly."""
    patient = Patient.objects.create(full_name=name, date_of_birth=dt.date(1970, 1, 1))
    submitted = timezone.now() - dt.timedelta(days=days_ago)
    return Intake.objects.create(
        patient=patient, **{"status": CaseStatus.NEW, "submitted_at": submitted, **fields}
    )


def _report(intake: Intake, *reasons: str, on_commit=None) -> list[str]:
    if on_commit is None:
        return services.report_contact_needed(intake_id=intake.pk, reasons=reasons)
    with on_commit(execute=True):
        return services.report_contact_needed(intake_id=intake.pk, reasons=reasons)


def _events(intake: Intake, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(intake=intake, action=action).order_by("pk"))


# --- what the patient is shown: one place decides (services.contact_alert) ----------------


@dataclass
class Result:
    """The engine's red flags as clinical.urgent gives them (only what contact_alert reads)."""

    crisis: bool = False
    emergency: bool = False
    unsure_emergency: bool = False
    unsure_crisis: bool = False
    rules: tuple[str, ...] = field(default=())

    @property
    def reasons(self) -> list[dict]:
        return [{"rule": rule, "tier": "G", "reason": "", "because": []} for rule in self.rules]


EMERGENCY_WHY = (
    "One of your answers can be a sign of a problem that needs a doctor straight away. "
    "Please do not wait for your clinic to read your questionnaire."
)
CRISIS_WHY = "Thank you for telling us. You do not have to go through this alone."
UNSURE_WHY = (
    "You answered “Not sure” to a question about something that can need help straight away."
)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (Result(), None),
        # Urgent but not "now" (rectal bleeding): a review within a working day, no alert.
        (Result(rules=("RF-1",)), None),
        (
            Result(emergency=True, rules=("RF-10",)),
            ContactAlert(
                (EMERGENCY,), "Get emergency care now", EMERGENCY_WHY, (HelpText("", ADVICE),), True
            ),
        ),
        (
            Result(emergency=True, rules=("RF-11", "RF-15")),
            ContactAlert(
                (EMERGENCY,),
                "Call your emergency number now",
                EMERGENCY_WHY,
                (HelpText("", ADVICE),),
                True,
            ),
        ),
        (
            Result(crisis=True, rules=("RF-12",)),
            ContactAlert(
                (CRISIS,), "Help is available now", CRISIS_WHY, (HelpText("", RESOURCES),), False
            ),
        ),
        (
            Result(unsure_emergency=True, rules=("RF-U",)),
            ContactAlert(
                (UNSURE,),
                "Get help now if you need it",
                UNSURE_WHY,
                (HelpText(UNSURE_LEAD, ADVICE),),
                True,
            ),
        ),
        (
            Result(unsure_crisis=True, rules=("RF-U",)),
            ContactAlert(
                (UNSURE,),
                "Get help now if you need it",
                UNSURE_WHY,
                (HelpText(UNSURE_LEAD, RESOURCES),),
                False,
            ),
        ),
        # Everything at once: each text once, the firm answers' texts without the lead.
        (
            Result(
                crisis=True,
                emergency=True,
                unsure_emergency=True,
                unsure_crisis=True,
                rules=("RF-10", "RF-12", "RF-U"),
            ),
            ContactAlert(
                (CRISIS, EMERGENCY, UNSURE),
                "Get emergency care now",
                EMERGENCY_WHY,
                (HelpText("", ADVICE), HelpText("", RESOURCES)),
                True,
            ),
        ),
        # An emergency and "Not sure" about self-harm: both texts, the second after the lead.
        (
            Result(emergency=True, unsure_crisis=True, rules=("RF-13", "RF-U")),
            ContactAlert(
                (EMERGENCY, UNSURE),
                "Get emergency care now",
                EMERGENCY_WHY,
                (HelpText("", ADVICE), HelpText(UNSURE_LEAD, RESOURCES)),
                True,
            ),
        ),
    ],
)
def test_contact_alert_for_each_kind_and_their_mixes(result, expected):
    assert contact_alert_for(result) == expected


def test_contact_alert_waits_for_the_sex_at_birth():
    # Every rule needs it; before the first step is saved there is nothing to evaluate.
    assert services.contact_alert(_draft()) is None


@pytest.mark.parametrize("min_age", [6, 18])
@pytest.mark.parametrize(
    "answers",
    [
        {**RLS_AND_DIARRHOEA, **NO_RED_FLAGS},
        {**RLS_AND_DIARRHOEA, **NO_RED_FLAGS, "rectal_bleeding": "yes", "vomiting_blood": "yes"},
        {**RLS_AND_DIARRHOEA, **NO_RED_FLAGS, "self_harm_thoughts": "unsure"},
    ],
    ids=["none", "urgent and emergency", "not sure"],
)
def test_the_save_time_check_finds_what_the_stored_assessment_finds(settings, answers, min_age):
    # The help-now check asks for the red flags alone, with the answers and settings the
    # stored assessment is evaluated with (services.evaluation).
    settings.MIN_AGE = min_age
    intake = _draft()
    Intake.objects.filter(pk=intake.pk).update(answers=answers)
    intake.refresh_from_db()
    today = timezone.localdate()

    red = services.urgent_for_intake(intake, on=today)
    assessment = services.store_assessment(intake, kind=AssessmentKind.SUBMISSION, on=today)

    assert {
        "value": bool(red.reasons),
        "reasons": red.reasons,
        "crisis": red.crisis,
        "emergency": red.emergency,
    } == assessment.result["urgent"]


# --- telling the clinic: once per kind, no health information -------------------------------


def test_report_lists_the_draft_audits_and_emails_once_per_kind(
    django_capture_on_commit_callbacks,
):
    draft = _draft()

    first = _report(draft, EMERGENCY, on_commit=django_capture_on_commit_callbacks)
    again = _report(draft, EMERGENCY, on_commit=django_capture_on_commit_callbacks)
    both = _report(draft, UNSURE, EMERGENCY, on_commit=django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert (first, again, both) == ([EMERGENCY], [], [UNSURE])
    assert draft.contact_reasons == [EMERGENCY, UNSURE]
    assert draft.needs_contact and draft.is_draft
    assert len(_events(draft, AuditAction.CONTACT_NEEDED)) == 2
    assert [event.summary for event in _events(draft, AuditAction.CONTACT_NEEDED)] == ["", ""]
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (f"Prompt contact needed: {draft.case_number}", ["alerts@clinic.example"])
    ] * 2
    assert mail.outbox[0].body == (
        f"A patient filling in questionnaire {draft.case_number} needs prompt contact by the "
        "clinic. The questionnaire has not been sent yet.\n\n"
        "Sign in to see who: https://intake.clinic.example/staff/\n\n"
        "This message holds no patient information by design."
    )


def test_report_for_a_submitted_case_links_the_case_and_says_nothing_more(
    django_capture_on_commit_callbacks,
):
    case = _case(name="Sam Sent")

    _report(case, CRISIS, on_commit=django_capture_on_commit_callbacks)

    [alert] = mail.outbox
    assert alert.subject == f"Prompt contact needed: {case.case_number}"
    assert alert.body == (
        f"The patient of case {case.case_number} needs prompt contact by the clinic.\n\n"
        f"Sign in to see who: https://intake.clinic.example/staff/cases/{case.pk}/\n\n"
        "This message holds no patient information by design."
    )


def test_report_without_an_alert_address_still_lists_the_patient(
    settings, django_capture_on_commit_callbacks
):
    settings.CLINIC_ALERT_EMAIL = ""
    draft = _draft()

    _report(draft, CRISIS, on_commit=django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert mail.outbox == []
    assert draft.needs_contact


@pytest.mark.parametrize("reasons", [("danger",), ("crisis", ""), ("<script>",)])
def test_report_refuses_an_unknown_kind_and_changes_nothing(reasons):
    draft = _draft()

    with pytest.raises(ValueError):
        services.report_contact_needed(intake_id=draft.pk, reasons=reasons)

    draft.refresh_from_db()
    assert (draft.contact_needed_at, draft.contact_reasons) == (None, [])


def test_report_with_no_kind_does_nothing():
    draft = _draft()

    assert services.report_contact_needed(intake_id=draft.pk, reasons=()) == []
    assert _events(draft, AuditAction.CONTACT_NEEDED) == []


def test_a_new_kind_after_contact_was_recorded_lists_the_patient_again(
    practitioner, django_capture_on_commit_callbacks
):
    draft = _draft()
    _report(draft, UNSURE, on_commit=django_capture_on_commit_callbacks)
    services.record_contact(intake_id=draft.pk, by=practitioner)

    same = _report(draft, UNSURE, on_commit=django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    still_contacted = draft.needs_contact
    new = _report(draft, EMERGENCY, on_commit=django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert (same, still_contacted) == ([], False)
    assert new == [EMERGENCY]
    assert draft.needs_contact
    assert (draft.contacted_at, draft.contacted_by) == (None, None)
    assert len(mail.outbox) == 2


# --- recording the contact --------------------------------------------------------------------


def test_record_contact_is_idempotent_and_audited_with_who_and_when(
    practitioner, other_practitioner
):
    draft = _draft()
    _report(draft, EMERGENCY)

    first = services.record_contact(intake_id=draft.pk, by=practitioner, ip_address="10.0.0.5")
    second = services.record_contact(intake_id=draft.pk, by=other_practitioner)

    [event] = _events(draft, AuditAction.CONTACTED)
    assert first.contacted_by == practitioner
    assert (second.contacted_by, second.contacted_at) == (practitioner, first.contacted_at)
    assert (event.actor, event.actor_label, event.ip_address) == (
        practitioner,
        "pat.practitioner",
        "10.0.0.5",
    )
    assert not second.needs_contact


def test_record_contact_without_a_report_is_refused(practitioner):
    draft = _draft()

    with pytest.raises(services.IntakeError) as refusal:
        services.record_contact(intake_id=draft.pk, by=practitioner)

    assert str(refusal.value) == "Nothing in this questionnaire called for contacting the patient."


def test_queue_lists_a_draft_until_contact_is_recorded(staff, practitioner):
    draft = _draft("Dana Draft")
    _report(draft, CRISIS)

    before = staff.get("/staff/")
    recorded = staff.post(f"/staff/cases/{draft.pk}/contacted/")
    after = staff.get("/staff/")
    again = staff.post(f"/staff/cases/{draft.pk}/contacted/")

    draft.refresh_from_db()
    page = before.content.decode()
    assert [intake.pk for intake in before.context["needing_contact"].rows] == [draft.pk]
    assert '<span class="badge text-bg-danger me-1">Crisis</span>' in page
    assert f'<span class="text-nowrap">{draft.case_number}</span> (not sent yet)' in page
    assert f'href="/staff/patients/{draft.patient_id}/"' in page
    assert recorded["Location"] == "/staff/"
    assert after.context["needing_contact"].rows == []
    assert "Contact these patients today" not in after.content.decode()
    assert again["Location"] == "/staff/"
    assert draft.contacted_by == practitioner
    assert len(_events(draft, AuditAction.CONTACTED)) == 1
    # The answers themselves stay private until the patient sends them.
    assert staff.get(f"/staff/cases/{draft.pk}/").status_code == 404


def test_queue_lists_a_submitted_case_with_each_marker_and_a_link_to_it(staff):
    case = _case("Sam Sent", emergency=True, urgent=True)
    _report(case, EMERGENCY, UNSURE)

    response = staff.get("/staff/")

    page = response.content.decode()
    assert [intake.pk for intake in response.context["needing_contact"].rows] == [case.pk]
    assert (
        '<span class="badge text-bg-danger me-1">Emergency</span>'
        '<span class="badge text-bg-danger me-1">Not sure: contact today</span>'
    ) in page
    assert (
        f'<a class="alert-link text-nowrap" href="/staff/cases/{case.pk}/">{case.case_number}</a>'
        in page
    )
    assert f'action="/staff/cases/{case.pk}/contacted/"' in page
    assert '<span class="badge text-bg-warning text-wrap">Contact today</span>' in page


def test_queue_priority_needing_contact_first_then_crisis_emergency_urgent_oldest(
    staff, practitioner
):
    old_calm = _case("Old Calm", days_ago=9)
    urgent = _case("Urgent", days_ago=8, urgent=True)
    emergency_contacted = _case("Emergency Contacted", days_ago=7, urgent=True, emergency=True)
    crisis = _case("Crisis", days_ago=6, urgent=True, crisis=True)
    closed_waiting = _case(
        "Closed Waiting", days_ago=5, status=CaseStatus.CLOSED, closed_at=timezone.now()
    )
    unsure_waiting = _case("Unsure Waiting", days_ago=1, urgent=True)
    closed_urgent = _case(
        "Closed Urgent",
        days_ago=10,
        urgent=True,
        status=CaseStatus.CLOSED,
        closed_at=timezone.now(),
    )
    _report(emergency_contacted, EMERGENCY)
    services.record_contact(intake_id=emergency_contacted.pk, by=practitioner)
    _report(closed_waiting, CRISIS)
    _report(unsure_waiting, UNSURE)

    response = staff.get("/staff/")

    assert [intake.pk for intake, _tests, _age in response.context["rows"]] == [
        unsure_waiting.pk,  # needing contact, open before closed
        closed_waiting.pk,
        crisis.pk,
        emergency_contacted.pk,
        urgent.pk,
        old_calm.pk,
        closed_urgent.pk,
    ]
    assert [intake.pk for intake in response.context["needing_contact"].rows] == [
        closed_waiting.pk,
        unsure_waiting.pk,
    ]
    assert response.context["sort_label"] == (
        "needing contact first, then open: crisis, emergency, urgent, oldest"
    )


def test_queue_query_count_does_not_grow_with_patients_needing_contact(
    nothing_kept, staff, monkeypatch
):
    monkeypatch.setattr("intake.selectors.queue.CONTACT_LIST_LIMIT", 6)
    _report(_draft("Only Draft"), CRISIS)
    _report(_case("Only Case"), EMERGENCY)
    staff.get("/staff/")  # restarts the idle clock: the session is not written again for a minute
    with CaptureQueriesContext(connection) as few:
        staff.get("/staff/")
    for number in range(2):
        _report(_draft(f"Draft {number}"), UNSURE)
        _report(_case(f"Case {number}"), EMERGENCY)

    with CaptureQueriesContext(connection) as as_many_as_listed:
        response = staff.get("/staff/")

    assert (
        len(response.context["needing_contact"].rows),
        response.context["needing_contact"].more,
    ) == (6, 0)
    assert len(as_many_as_listed.captured_queries) == len(few.captured_queries)


def test_queue_lists_the_oldest_patients_needing_contact_and_counts_the_rest(
    nothing_kept, staff, monkeypatch
):
    # However many are waiting, the box stays the same size: the oldest, then how many more
    # (each of them is also first in the queue itself), at one more query (the count).
    monkeypatch.setattr("intake.selectors.queue.CONTACT_LIST_LIMIT", 3)
    waiting = [_case(f"Waiting {number}") for number in range(5)]
    for intake in waiting[:3]:
        _report(intake, EMERGENCY)
    staff.get("/staff/")  # restarts the idle clock: the session is not written again for a minute
    with CaptureQueriesContext(connection) as as_many_as_listed:
        staff.get("/staff/")
    for intake in waiting[3:]:
        _report(intake, EMERGENCY)

    with CaptureQueriesContext(connection) as more_than_listed:
        response = staff.get("/staff/")

    assert [intake.pk for intake in response.context["needing_contact"].rows] == [
        intake.pk for intake in waiting[:3]
    ]
    assert response.context["needing_contact"].total == 5
    assert (
        "And 2 more waiting for contact, oldest first: they are at the top of the queue below."
        in response.content.decode()
    )
    assert len(more_than_listed.captured_queries) == len(as_many_as_listed.captured_queries) + 1


def test_record_contact_from_the_case_page_returns_there_and_the_marker_stays(staff, practitioner):
    # Submitted through the services: the case page shows the assessment every real case has.
    case = submitted_case(name="Sam Sent")
    _report(case, EMERGENCY)

    waiting = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    recorded = staff.post(f"/staff/cases/{case.pk}/contacted/", {"return_to": "case"})
    contacted = staff.get(f"/staff/cases/{case.pk}/").content.decode()

    case.refresh_from_db()
    assert '<h2 class="h5 mb-1" id="h-contact">Contact this patient today</h2>' in waiting
    assert '<input type="hidden" name="return_to" value="case">' in waiting
    assert recorded["Location"] == f"/staff/cases/{case.pk}/"
    assert '<h2 class="h5 mb-1" id="h-contact">Patient contacted</h2>' in contacted
    assert '<span class="badge text-bg-danger me-1">Emergency</span>' in contacted
    stamp = timezone.localtime(case.contacted_at).strftime("%Y-%m-%d %H:%M")
    assert f"{stamp}</time> by pat.practitioner</p>" in contacted
    assert 'name="return_to"' not in contacted


@pytest.mark.parametrize("return_to", ["https://evil.example/", "//evil.example", "queue", ""])
def test_record_contact_goes_back_to_the_queue_unless_asked_for_the_case(staff, return_to):
    case = _case()
    _report(case, CRISIS)

    response = staff.post(f"/staff/cases/{case.pk}/contacted/", {"return_to": return_to})

    assert response["Location"] == "/staff/"


def test_record_contact_for_a_draft_never_opens_its_answers(staff):
    draft = _draft()
    _report(draft, CRISIS)

    response = staff.post(f"/staff/cases/{draft.pk}/contacted/", {"return_to": "case"})

    assert response["Location"] == "/staff/"


def test_record_contact_is_a_post_with_a_csrf_token(practitioner):
    draft = _draft()
    _report(draft, EMERGENCY)
    strict = login_verified(Client(enforce_csrf_checks=True), practitioner)

    as_get = strict.get(f"/staff/cases/{draft.pk}/contacted/")
    without_token = strict.post(f"/staff/cases/{draft.pk}/contacted/")

    draft.refresh_from_db()
    assert (as_get.status_code, without_token.status_code) == (405, 403)
    assert draft.contacted_at is None


@pytest.mark.parametrize("role", [Role.AUDITOR, None])
def test_record_contact_by_a_role_without_the_permission_is_a_404(role):
    draft = _draft()
    _report(draft, EMERGENCY)
    user = staff_user("audit.only", role) if role else make_user("no.role.user")
    client = login_verified(Client(), user)

    response = client.post(f"/staff/cases/{draft.pk}/contacted/")

    draft.refresh_from_db()
    assert response.status_code == 404
    assert draft.contacted_at is None
    assert _events(draft, AuditAction.CONTACTED) == []


@pytest.mark.parametrize("target", ["not_reported", "missing"])
def test_record_contact_where_none_was_needed_is_a_404(staff, target):
    draft = _draft()
    pk = draft.pk if target == "not_reported" else draft.pk + 1000

    response = staff.post(f"/staff/cases/{pk}/contacted/")

    assert response.status_code == 404


# --- the patient's pages, with what contact_alert returns -----------------------------------

HOSTILE = '<script>alert("x")</script> Call 999 <b>now</b>'


def _alert(
    *reasons: str, heading="Get emergency care now", lead="", text=ADVICE, emergency=True
) -> ContactAlert:
    return ContactAlert(
        reasons=reasons or (EMERGENCY,),
        heading=heading,
        why=EMERGENCY_WHY,
        texts=(HelpText(lead, text),),
        emergency_advice=emergency,
    )


def test_help_page_shows_the_emergency_advice_with_tap_to_call(patient_link, monkeypatch):
    monkeypatch.setattr(services, "contact_alert", lambda intake: _alert(text=HOSTILE))

    response = patient_link.client.get("/intake/support/")

    page = response.content.decode()
    assert response.templates[0].name == "intake/patient/emergency.html"
    assert '<h1 tabindex="-1" data-focus-on-load>Get emergency care now</h1>' in page
    assert (
        '<p class="mb-0">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Call '
        '<a class="alert-link tel-link" href="tel:999">999</a> &lt;b&gt;now&lt;/b&gt;</p>'
    ) in page
    assert "<script>alert" not in page
    assert "Continue the questionnaire" in page


def test_help_page_for_not_sure_puts_the_lead_before_the_text(patient_link, monkeypatch):
    alert = _alert(UNSURE, heading="Get help now if you need it", lead=UNSURE_LEAD)
    monkeypatch.setattr(services, "contact_alert", lambda intake: alert)

    page = patient_link.client.get("/intake/support/").content.decode()

    assert (
        '<p class="mb-0"><strong>If you are not sure, or if this is happening now:</strong> '
        "Go to an emergency department or call your emergency number now.</p>"
    ) in page


def test_help_page_for_a_crisis_shows_the_crisis_resources(patient_link, monkeypatch):
    alert = _alert(CRISIS, heading="Help is available now", text=RESOURCES, emergency=False)
    monkeypatch.setattr(services, "contact_alert", lambda intake: alert)
    _report(patient_link.intake, CRISIS)

    response = patient_link.client.get("/intake/support/")

    page = response.content.decode()
    assert response.templates[0].name == "intake/patient/support.html"
    assert (
        '<p class="mb-0">Call <a class="alert-link tel-link" href="tel:999">999</a> or '
        'Samaritans on <a class="alert-link tel-link" href="tel:116123">116 123</a>.</p>'
    ) in page
    assert "We have let your clinic know that you may need support" in page


def test_help_page_without_an_alert_goes_back_to_the_questionnaire(patient_link, monkeypatch):
    monkeypatch.setattr(services, "contact_alert", lambda intake: None)

    response = patient_link.client.get("/intake/support/")

    assert response["Location"] == "/intake/"


def test_thank_you_page_repeats_the_help_first(patient_link, monkeypatch):
    monkeypatch.setattr(services, "contact_alert", lambda intake: _alert(text="Call 911."))
    Intake.objects.filter(pk=patient_link.intake.pk).update(
        status=CaseStatus.NEW, submitted_at=timezone.now()
    )

    response = patient_link.client.get("/intake/done/")

    page = response.content.decode()
    heading = page.index('<h2 class="h4" id="h-help-now">Get emergency care now</h2>')
    assert heading < page.index("Your reference is")
    assert (
        '<p class="mb-0">Call <a class="alert-link tel-link" href="tel:911">911</a>.</p>'
    ) in page
    assert f"{EMERGENCY_WHY} Your clinic has been asked to contact you.</p>" in page


def test_thank_you_page_without_an_alert_has_no_help_block(patient_link, monkeypatch):
    monkeypatch.setattr(services, "contact_alert", lambda intake: None)
    Intake.objects.filter(pk=patient_link.intake.pk).update(
        status=CaseStatus.NEW, submitted_at=timezone.now()
    )

    page = patient_link.client.get("/intake/done/").content.decode()

    assert 'id="h-help-now"' not in page
    assert 'role="alert"' not in page


def test_contact_needed_selector_gives_a_role_without_cases_nothing():
    _report(_draft(), CRISIS)
    auditor = staff_user("audit.only", Role.AUDITOR)

    assert selectors.contact_needed(user=auditor) == selectors.WaitingForContact(rows=[], total=0)


# --- the whole path, through the engine ------------------------------------------------------


def _warning_signs(patient_link, revision: int = 0, **answers: str):
    return patient_link.client.post(
        "/intake/step/warning-signs/",
        {**NO_RED_FLAGS, **answers, "base_revision": str(revision)},
    )


def test_saddle_numbness_shows_the_emergency_page_the_moment_the_step_is_saved(
    patient_link, django_capture_on_commit_callbacks
):
    answer_steps(patient_link.client, stop_at="warning-signs")
    with django_capture_on_commit_callbacks(execute=True):
        saved = _warning_signs(patient_link, saddle_numbness="yes")
        page = patient_link.client.get("/intake/support/")
        # Saving the same answers again (back, then forward) does not ask twice or email twice.
        again = _warning_signs(patient_link, revision=1, saddle_numbness="yes")

    intake = patient_link.refresh()
    html = page.content.decode()
    assert saved["Location"] == "/intake/support/"
    assert page.templates[0].name == "intake/patient/emergency.html"
    assert '<h1 tabindex="-1" data-focus-on-load>Get emergency care now</h1>' in html
    assert f'<p class="mb-0">{ADVICE}</p>' in html
    assert again["Location"] == "/intake/step/mood/"
    assert (intake.is_draft, intake.contact_reasons, intake.needs_contact) == (
        True,
        [EMERGENCY],
        True,
    )
    assert [m.subject for m in mail.outbox] == [f"Prompt contact needed: {intake.case_number}"]


def test_not_sure_about_saddle_numbness_shows_the_advice_after_the_lead(patient_link):
    answer_steps(patient_link.client, stop_at="warning-signs")

    saved = _warning_signs(patient_link, saddle_numbness="unsure")
    html = patient_link.client.get("/intake/support/").content.decode()

    assert saved["Location"] == "/intake/support/"
    assert '<h1 tabindex="-1" data-focus-on-load>Get help now if you need it</h1>' in html
    assert f'<p class="mb-0"><strong>{UNSURE_LEAD}</strong> {ADVICE}</p>' in html
    assert patient_link.refresh().contact_reasons == [UNSURE]


def test_chest_symptoms_with_a_swollen_calf_say_call_your_emergency_number(patient_link):
    answer_steps(patient_link.client, stop_at="warning-signs")

    _warning_signs(patient_link, unilateral_calf_swelling_pain="yes", clot_chest_symptoms="yes")
    html = patient_link.client.get("/intake/support/").content.decode()

    assert '<h1 tabindex="-1" data-focus-on-load>Call your emergency number now</h1>' in html


def test_a_step_save_without_such_answers_reports_nothing(patient_link):
    answer_steps(patient_link.client, stop_at="labs")

    assert patient_link.refresh().contact_needed_at is None
    assert mail.outbox == []
    assert patient_link.client.get("/intake/support/")["Location"] == "/intake/"


CRISIS_MOOD = {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "2"}


def test_crisis_answer_on_the_mood_step_shows_the_crisis_resources_once_reported(
    patient_link, django_capture_on_commit_callbacks
):
    answer_steps(patient_link.client, stop_at="mood")
    with django_capture_on_commit_callbacks(execute=True):
        saved = patient_link.client.post(
            "/intake/step/mood/", {**CRISIS_MOOD, "base_revision": "0"}
        )
        patient_link.client.post("/intake/step/mood/", {**CRISIS_MOOD, "base_revision": "1"})

    intake = patient_link.refresh()
    page = patient_link.client.get("/intake/support/")
    html = page.content.decode()
    assert saved["Location"] == "/intake/support/"
    assert page.templates[0].name == "intake/patient/support.html"
    assert '<h1 tabindex="-1" data-focus-on-load>Help is available now</h1>' in html
    assert "We have let your clinic know that you may need support" in html
    assert intake.contact_reasons == [CRISIS]
    assert len(_events(intake, AuditAction.CONTACT_NEEDED)) == 1
    assert len(mail.outbox) == 1
    for word in ("crisis", "harm", "suicid", "mood", "phq", "emergency", "sure"):
        assert word not in f"{mail.outbox[0].subject} {mail.outbox[0].body}".lower()


def test_not_sure_about_self_harm_shows_the_crisis_resources_after_the_lead(patient_link):
    answers = {**RLS_AND_DIARRHOEA, "self_harm_thoughts": "unsure"}
    answers.pop("phq9_items")  # the question is asked when the PHQ-9 is not complete
    intake = demo.answer_all(patient_link.intake, answers, until_step="labs")

    alert = services.contact_alert(intake)

    assert (alert.reasons, alert.texts, alert.emergency_advice) == (
        (UNSURE,),
        (HelpText(UNSURE_LEAD, RESOURCES),),
        False,
    )


def test_the_thank_you_page_repeats_the_emergency_advice_and_the_case_heads_the_queue(
    patient_link, staff, django_capture_on_commit_callbacks
):
    answer_steps(patient_link.client, stop_at="warning-signs")
    with django_capture_on_commit_callbacks(execute=True):
        _warning_signs(patient_link, saddle_numbness="yes")
        answer_steps(patient_link.client)
        sent = send_answers(patient_link.client)
    calm = submitted_case(name="Calm Case")

    done = patient_link.client.get("/intake/done/").content.decode()
    queue = staff.get("/staff/")

    intake = patient_link.refresh()
    assert sent["Location"] == "/intake/done/"
    assert '<h2 class="h4" id="h-help-now">Get emergency care now</h2>' in done
    assert f'<p class="mb-0">{ADVICE}</p>' in done
    assert (intake.status, intake.emergency, intake.urgent, intake.crisis) == (
        CaseStatus.NEW,
        True,
        True,
        False,
    )
    assert [i.pk for i in queue.context["needing_contact"].rows] == [intake.pk]
    assert [row[0].pk for row in queue.context["rows"]] == [intake.pk, calm.pk]
    # Reported once, from the draft; sending adds the new-case alert only.
    assert [m.subject for m in mail.outbox] == [
        f"Prompt contact needed: {intake.case_number}",
        f"New intake submitted: {intake.case_number}",
    ]


def test_a_case_sent_without_a_step_report_is_reported_when_sent(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(name="Crisis Case", phq9_items=[0, 0, 0, 0, 0, 0, 0, 0, 2])

    assert (case.crisis, case.contact_reasons, case.needs_contact) == (True, [CRISIS], True)
    assert sorted(m.subject for m in mail.outbox) == [
        f"New intake submitted: {case.case_number}",
        f"Prompt contact needed: {case.case_number}",
    ]
    assert mail.outbox[-1].body == (
        f"The patient of case {case.case_number} needs prompt contact by the clinic.\n\n"
        f"Sign in to see who: https://intake.clinic.example/staff/cases/{case.pk}/\n\n"
        "This message holds no patient information by design."
    )


# --- autosave: an answer saved while typing needs help as much as a full save's ---------------


def _autosave_warning_signs(patient_link, revision: int = 0, **answers: str):
    return patient_link.client.post(
        "/intake/step/warning-signs/autosave/", {**answers, "base_revision": str(revision)}
    )


def test_autosaved_emergency_answer_tells_the_clinic_and_sends_the_patient_to_help(
    patient_link, django_capture_on_commit_callbacks
):
    answer_steps(patient_link.client, stop_at="warning-signs")
    with django_capture_on_commit_callbacks(execute=True):
        saved = _autosave_warning_signs(patient_link, saddle_numbness="yes")

    intake = patient_link.refresh()
    body = saved.json()
    assert (saved.status_code, body["ok"], body["help_url"]) == (200, True, "/intake/support/")
    assert (intake.contact_reasons, intake.needs_contact) == ([EMERGENCY], True)
    assert [m.subject for m in mail.outbox] == [f"Prompt contact needed: {intake.case_number}"]


def test_autosave_reports_once_and_sends_to_help_only_when_the_help_changes(patient_link):
    answer_steps(patient_link.client, stop_at="warning-signs")
    first = _autosave_warning_signs(patient_link, saddle_numbness="yes")

    again = _autosave_warning_signs(
        patient_link, revision=first.json()["revision"], saddle_numbness="yes", dysphagia="no"
    )

    assert "help_url" not in again.json()
    assert patient_link.refresh().contact_reasons == [EMERGENCY]


def test_autosave_without_such_answers_sends_nowhere(patient_link):
    answer_steps(patient_link.client, stop_at="warning-signs")

    saved = _autosave_warning_signs(patient_link, saddle_numbness="no", dysphagia="unsure")

    assert (saved.json()["ok"], "help_url" in saved.json()) == (True, False)
    assert patient_link.refresh().contact_needed_at is None

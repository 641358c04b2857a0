import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from intake import selectors, services
from intake.enums import CaseStatus
from intake.models import Intake, Patient


@pytest.mark.django_db
def test_seed_demo_twice_creates_each_account_once():
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)

    users = get_user_model().objects.order_by("username")
    assert [(u.username, u.is_staff, u.is_superuser) for u in users] == [
        ("admin", True, False),
        ("auditor", True, False),
        ("practitioner", True, False),
        ("practitioner2", True, False),
    ]
    assert [list(u.groups.values_list("name", flat=True)) for u in users[:2]] == [
        ["Clinic admin"],
        ["Auditor"],
    ]
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "Auditor",
        "Clinic admin",
        "Practitioner",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["practitioner", "practitioner2"])
def test_seed_demo_practitioner_is_in_practitioner_group(username):
    call_command("seed_demo", force=True)

    practitioner = get_user_model().objects.get(username=username)
    assert list(practitioner.groups.values_list("name", flat=True)) == ["Practitioner"]
    assert practitioner.check_password("demo-pass-1234") is True


@pytest.mark.django_db
def test_seed_demo_without_debug_refuses(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as excinfo:
        call_command("seed_demo")

    assert str(excinfo.value) == (
        "seed_demo creates accounts with a published password, so it runs only with "
        "DEBUG=true (or --force on a database that is not a live clinic's)."
    )
    assert get_user_model().objects.count() == 0


def _link_line(out: StringIO) -> str:
    return next(line for line in out.getvalue().splitlines() if "/i/" in line)


@pytest.mark.django_db
def test_seed_demo_makes_cases_and_a_working_invitation_link(client):
    call_command("seed_demo", force=True)
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)

    line = _link_line(out)
    link = line.split("8000")[1].split()[0]
    opened = client.get(link)
    assert opened["Location"] == "/intake/"
    assert line.endswith(
        " (date of birth 1985-02-11, asked when the link is opened in another browser)"
    )
    # Patients whose answers call for contact today head the work queue: two who stopped
    # filling in (a crisis; "Not sure" to an emergency question) and two who sent theirs.
    waiting = Intake.objects.filter(contact_needed_at__isnull=False, contacted_at__isnull=True)
    assert sorted((i.patient.full_name, i.is_draft, i.contact_reasons) for i in waiting) == [
        ("Owen Price", True, ["unsure"]),
        ("Priya Nair", True, ["crisis"]),
        ("Priya Natarajan", False, ["crisis"]),
        ("Rhys Morgan", False, ["emergency"]),
    ]


@pytest.mark.django_db
def test_seed_demo_printed_date_of_birth_opens_the_link_in_another_browser(client):
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    line = _link_line(out)
    link, born = line.split("8000")[1].split()[0], line.split("date of birth ")[1].split(",")[0]

    client.get(link)
    saved = client.post(
        "/intake/step/about-you/",
        {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"},
    )
    # Once answers exist, another browser opening the same link is asked for the date of birth.
    other = Client()
    asked = other.get(link)
    answer = other.post("/intake/verify/", {"date_of_birth": born})

    assert born == "1985-02-11"
    assert saved.status_code == 302
    assert asked["Location"] == "/intake/verify/"
    assert answer["Location"] == "/intake/"


@pytest.mark.django_db
def test_seed_demo_queue_spreads_over_statuses_assignees_and_two_pages():
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)  # a second run adds nothing

    submitted = Intake.objects.exclude(status=CaseStatus.DRAFT)
    statuses = Counter(submitted.values_list("status", flat=True))
    assignees = Counter(submitted.values_list("assigned_to__username", flat=True))
    assert statuses == {"new": 14, "in_review": 8, "tests_ordered": 6, "closed": 9}
    assert assignees == {"practitioner": 17, None: 15, "practitioner2": 5}
    assert submitted.count() > selectors.QUEUE_PER_PAGE  # the queue has a second page
    practitioner = get_user_model().objects.get(username="practitioner")
    assert selectors.queue_counts(user=practitioner) == {
        "new": 14,
        "urgent": 8,
        "awaiting_tests": 6,
        "closed_this_week": 3,
    }
    assert submitted.filter(urgent=True).count() == 9
    assert submitted.filter(status=CaseStatus.CLOSED, closed_at__lt=_week_start()).count() == 6
    assert Patient.objects.count() == 42
    assert Intake.objects.count() == 43


@pytest.mark.django_db
def test_seed_demo_has_a_returning_patient_and_a_case_with_results():
    call_command("seed_demo", force=True)

    [returning] = Patient.objects.annotate(n=Count("intakes")).filter(n=2)
    later, earlier = returning.intakes.order_by("-submitted_at")
    [with_results] = Intake.objects.filter(lab_results__isnull=False).distinct()
    detail = selectors.case_detail(intake=with_results, facts=services.facts_for(with_results))

    assert returning.full_name == "Margaret O'Neill"
    assert (earlier.status, later.status) == (CaseStatus.CLOSED, CaseStatus.NEW)
    assert later.matched_existing_patient is True
    assert with_results.patient.full_name == "Rosa Delgado"
    assert detail.flag_changes == [("Iron panel with ferritin", "order", "on_file")]
    assert len(detail.earlier_assessments) == 1
    # The decisions made before the results carried over to the re-evaluated case.
    assert [(r.test, r.decision) for r in detail.recommendations] == [
        ("thyroid", "ordered"),
        ("celiac", "declined"),
    ]


def _week_start():
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time.min))


@pytest.mark.django_db
def test_seed_demo_prints_second_step_codes_that_work(client):
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("  practitioner:"))
    code = line.split()[1]

    client.post("/accounts/login/", {"username": "practitioner", "password": "demo-pass-1234"})
    verified = client.post("/staff/2fa/verify/", {"token": code, "next": "/staff/"})

    assert verified["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_treated_patient_shows_augmentation_and_iron_3():
    # The demo's patient on pramipexole for RLS (R3-19): the augmentation screen and IRON-3.
    call_command("seed_demo", force=True)

    intake = Intake.objects.get(patient__full_name="Oliver Brandt")
    result = intake.current_assessment.result
    iron_rules = [rule["rule"] for rule in result["flags"]["iron_panel"]["rules_fired"]]
    assert (result["rls"]["augmentation_suspected"], iron_rules) == (True, ["IRON-1", "IRON-3"])


@pytest.mark.django_db
def test_seed_demo_submitted_cases_answer_every_required_question_they_are_asked():
    # The demo shows what a real submission looks like: nothing the questionnaire requires is
    # left out (an unanswered required question would also make its FHIR response in-progress).
    from intake import questionnaire

    call_command("seed_demo", force=True)

    gaps = {}
    for intake in Intake.objects.exclude(status=CaseStatus.DRAFT).select_related("patient"):
        facts = services.facts_for(intake)
        required = {
            question.key
            for step in questionnaire.applicable_steps(facts)
            for question in step.questions
            if question.required and questionnaire.field_shown(step, question, facts)
        }
        missing = sorted(key for key in required if intake.answers.get(key) in (None, "", []))
        if missing:
            gaps[intake.patient.full_name] = missing
    assert gaps == {}

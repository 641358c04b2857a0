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

from intake import demo, selectors, services
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


# --- running it again: nobody signed out, a link nobody opened ----------------------------


def _codes(out: StringIO, username: str) -> list[str]:
    line = next(line for line in out.getvalue().splitlines() if line.startswith(f"  {username}:"))
    return line.split()[1:]


def _signed_in(code: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": "practitioner", "password": "demo-pass-1234"})
    verified = client.post("/staff/2fa/verify/", {"token": code, "next": "/staff/"})
    assert verified["Location"] == "/staff/"
    return client


def _link(out: StringIO) -> str:
    return _link_line(out).split("8000")[1].split()[0]


@pytest.mark.django_db
def test_seed_demo_again_keeps_staff_signed_in_and_the_first_codes_working():
    first = StringIO()
    call_command("seed_demo", force=True, stdout=first)
    codes = _codes(first, "practitioner")
    staff = _signed_in(codes[0])
    password = get_user_model().objects.get(username="practitioner").password

    again = StringIO()
    call_command("seed_demo", force=True, stdout=again)

    assert staff.get("/staff/").status_code == 200
    assert get_user_model().objects.get(username="practitioner").password == password
    assert [line for line in again.getvalue().splitlines() if "code" in line] == [
        "Second step: the one-time codes printed the first time still work; for new ones run: "
        "python manage.py demo_codes"
    ]
    assert _signed_in(codes[1]).get("/staff/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_again_after_the_link_was_used_prints_a_new_questionnaire():
    first = StringIO()
    call_command("seed_demo", force=True, stdout=first)
    patient = Client()
    patient.get(_link(first))
    patient.post(
        "/intake/step/about-you/",
        {"base_revision": "0", "sex_at_birth": "female", "pregnant": "no"},
    )
    used = Intake.objects.filter(patient__full_name="Maria Lopez").get()

    again = StringIO()
    call_command("seed_demo", force=True, stdout=again)
    fresh = Client()
    opened = fresh.get(_link(again))

    mine = Intake.objects.filter(patient__full_name="Maria Lopez").order_by("pk")
    assert [(i.pk == used.pk, i.is_draft, bool(i.answers)) for i in mine] == [
        (True, True, True),
        (False, True, False),
    ]
    assert mine[1].patient_id == used.patient_id  # the same patient record
    assert opened["Location"] == "/intake/"  # not the date-of-birth check: nothing answered
    # The browser in the middle of the first questionnaire still has it.
    assert patient.get("/intake/step/legs/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_again_after_the_questionnaire_was_sent_never_prints_its_link():
    first = StringIO()
    call_command("seed_demo", force=True, stdout=first)
    sent = Intake.objects.get(patient__full_name="Maria Lopez")
    from intake import demo

    demo.answer_all(sent, {**demo.SUBMITTED_CASES[0][2]})
    services.submit_intake(intake_id=sent.pk)

    again = StringIO()
    call_command("seed_demo", force=True, stdout=again)
    opened = Client().get(_link(again))

    newest = Intake.objects.filter(patient__full_name="Maria Lopez").latest("pk")
    assert newest.pk != sent.pk and newest.is_draft
    assert opened["Location"] == "/intake/"  # straight in: nothing answered on it yet


@pytest.mark.django_db
def test_seed_demo_again_with_the_link_unopened_issues_it_again_for_the_same_questionnaire():
    first = StringIO()
    call_command("seed_demo", force=True, stdout=first)
    count = Intake.objects.count()

    again = StringIO()
    call_command("seed_demo", force=True, stdout=again)

    assert Intake.objects.count() == count
    assert Client().get(_link(first)).status_code == 404  # replaced: it was never opened
    assert Client().get(_link(again))["Location"] == "/intake/"


@pytest.mark.django_db
def test_demo_codes_prints_new_codes_and_keeps_everyone_signed_in():
    first = StringIO()
    call_command("seed_demo", force=True, stdout=first)
    old = _codes(first, "practitioner")
    staff = _signed_in(old[0])

    out = StringIO()
    call_command("demo_codes", "practitioner", force=True, stdout=out)

    new = _codes(out, "practitioner")
    assert out.getvalue().splitlines()[0] == (
        "Second step: one-time codes (each works once; the earlier ones no longer do)"
    )
    assert [line.split(":")[0] for line in out.getvalue().splitlines()[1:]] == ["  practitioner"]
    assert len(new) == 5 and not set(new) & set(old)
    assert staff.get("/staff/").status_code == 200
    assert _signed_in(new[0]).get("/staff/").status_code == 200
    stale = Client()
    stale.post("/accounts/login/", {"username": "practitioner", "password": "demo-pass-1234"})
    refused = stale.post("/staff/2fa/verify/", {"token": old[1], "next": "/staff/"})
    assert refused.status_code == 200  # the form again, with its error


@pytest.mark.django_db
def test_demo_codes_for_every_demo_account_by_default():
    call_command("seed_demo", force=True)

    out = StringIO()
    call_command("demo_codes", force=True, stdout=out)

    assert [line.split(":")[0].strip() for line in out.getvalue().splitlines()[1:]] == [
        "practitioner",
        "practitioner2",
        "admin",
        "auditor",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["root", "<script>"],
            "Not a demo account: <script>, root. The demo accounts are practitioner, "
            "practitioner2, admin, auditor.",
        ),
        (["practitioner"], "No account practitioner yet: run seed_demo (make run) first."),
    ],
)
def test_demo_codes_refuses_other_accounts_and_an_empty_database(args, message):
    with pytest.raises(CommandError) as excinfo:
        call_command("demo_codes", *args, force=True)

    assert str(excinfo.value) == message


@pytest.mark.django_db
def test_demo_codes_without_debug_refuses(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as excinfo:
        call_command("demo_codes")

    assert str(excinfo.value) == (
        "demo_codes is for the demo accounts, so it runs only with DEBUG=true (or --force on "
        "a database that is not a live clinic's)."
    )


def test_demo_has_cases_answered_in_spanish(db):
    demo.seed(created_by=None)

    spanish = Intake.objects.filter(language="es").values_list("patient__full_name", flat=True)
    assert set(spanish) == set(demo.SPANISH_SPEAKERS)

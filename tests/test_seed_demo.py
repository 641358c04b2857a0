from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from intake.models import Intake, Patient


@pytest.mark.django_db
def test_seed_demo_twice_creates_each_account_once():
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)

    users = get_user_model().objects.order_by("username")
    assert [(u.username, u.is_staff, u.is_superuser) for u in users] == [
        ("admin", True, True),
        ("practitioner", True, False),
    ]
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "Auditor",
        "Clinic admin",
        "Practitioner",
    ]


@pytest.mark.django_db
def test_seed_demo_practitioner_is_in_practitioner_group():
    call_command("seed_demo", force=True)

    practitioner = get_user_model().objects.get(username="practitioner")
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


@pytest.mark.django_db
def test_seed_demo_makes_cases_and_a_working_invitation_link(client):
    call_command("seed_demo", force=True)
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)

    link = next(line for line in out.getvalue().splitlines() if "/i/" in line).split("8000")[1]
    opened = client.get(link)
    statuses = sorted(Intake.objects.values_list("status", flat=True))
    assert opened["Location"] == "/intake/"
    assert statuses.count("new") == 6
    assert Intake.objects.filter(urgent=True).count() == 3  # RF-5, RF-1 + RF-7, RF-12
    assert Patient.objects.count() == 11
    # One patient stopped after a crisis answer: the work queue asks staff to contact them.
    [draft] = Intake.objects.filter(crisis_reported_at__isnull=False)
    assert draft.is_draft and draft.patient.full_name == "Priya Nair"


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

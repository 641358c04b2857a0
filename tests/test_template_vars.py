"""The suite fails on a template variable that does not resolve (pytest-django's
--fail-on-template-vars in pyproject.toml), and the pages that may legitimately lack a value
test for it instead of relying on `|default:`, which that option never lets through."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.template import engines
from django.test import Client
from django.utils import timezone

from intake.enums import Decision, Role
from intake.models import Intake, LabResultEntry, Note, TestRecommendation
from tests.factories import login_verified, staff_user, submitted_case


def test_template_variable_missing_fails_the_test():
    template = engines["django"].from_string("Assigned to {{ intake.assigned_to.username }}")

    with pytest.raises(pytest.fail.Exception) as failure:
        template.render({})

    assert str(failure.value).startswith(
        "Undefined template variable 'intake.assigned_to.username'"
    )


def test_case_and_patient_pages_name_nobody_for_a_deleted_member_of_staff(practitioner):
    # Notes, results, decisions and contacts keep their row when the account that made them
    # is deleted (SET_NULL); the pages then show a dash where the name was.
    case = submitted_case()
    gone = staff_user("left.the.clinic", Role.PRACTITIONER)
    now = timezone.now()
    Note.objects.create(intake=case, author=gone, text="Rang back")
    LabResultEntry.objects.create(
        intake=case,
        test="ferritin",
        value=40,
        unit="ng/mL",
        taken_on=dt.date(2026, 11, 1),
        entered_by=gone,
    )
    TestRecommendation.objects.filter(assessment=case.current_assessment).update(
        decision=Decision.ORDERED, decided_by=gone, decided_at=now
    )
    Intake.objects.filter(pk=case.pk).update(
        contact_needed_at=now, contacted_at=now, contacted_by=gone
    )
    get_user_model().objects.filter(pk=gone.pk).delete()
    client = login_verified(Client(), practitioner)

    case_page = client.get(f"/staff/cases/{case.pk}/")
    patient_page = client.get(f"/staff/patients/{case.patient_id}/")

    assert case_page.status_code == 200
    assert patient_page.status_code == 200
    case_html = case_page.content.decode()
    assert "left.the.clinic" not in case_html
    assert "Ordered by —, " in case_html
    assert '<p class="text-body-secondary mb-0">—, ' in case_html
    assert "left.the.clinic" not in patient_page.content.decode()
    assert " by —</span>" in patient_page.content.decode()

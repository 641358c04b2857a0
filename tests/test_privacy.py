"""No health information in application logs or emails: a marker typed into every free-text
answer must never reach them."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.test import Client

from intake.models import TestRecommendation
from tests.factories import answer_steps, login_verified, open_invitation, send_answers

# Staff alerts go through the outbox: delivered at once here, to be read from mail.outbox.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]
MARKER = "ZQX-PRIVATE-MARKER-7781"


def test_free_text_never_reaches_logs_or_mail(
    caplog, settings, practitioner, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    settings.CLINIC_ALERT_EMAIL = "alerts@clinic.example"
    invitation, token = open_invitation(name="Kid Example", born=dt.date(2015, 5, 5))
    patient = Client()
    patient.get(f"/i/{token}/")
    answer_steps(
        patient,
        {
            "about-you": {"guardian_completed": "yes"},
            "legs": {"rls_child_own_words": f"fizzy {MARKER}"},
            "warning-signs": {"rectal_bleeding": "yes"},
        },
    )
    patient.post("/intake/step/about-you/", {"base_revision": "x", "sex_at_birth": MARKER})
    with django_capture_on_commit_callbacks(execute=True):
        send_answers(patient)
    staff = login_verified(Client(), practitioner)
    case = invitation.intake
    case.refresh_from_db()
    rec = TestRecommendation.objects.filter(intake=case).first()
    staff.post(f"/staff/cases/{case.pk}/note/", {"text": f"note {MARKER}"})
    case.refresh_from_db()
    staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {
            "version": case.version,
            "recommendation": rec.pk,
            "decision": "declined",
            "reason": f"reason {MARKER}",
        },
    )
    staff.post(
        f"/staff/cases/{case.pk}/decision/",
        {"version": "1", "recommendation": rec.pk, "decision": "nonsense", "reason": MARKER},
    )

    rec.refresh_from_db()
    assert rec.decision_reason == f"reason {MARKER}"  # the text did go through the app
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    assert len(mail.outbox) == 1
    assert MARKER not in caplog.text
    assert MARKER not in mails
    assert "Kid Example" not in mails
    assert "bleeding" not in mails.lower()
    # The case is urgent (rectal bleeding): the subject must not say so.
    case.refresh_from_db()
    assert case.urgent is True
    assert [m.subject for m in mail.outbox] == [f"New intake submitted: {case.case_number}"]
    for word in ("urgent", "priority", "red flag", "crisis", "prompt"):
        assert word not in mail.outbox[0].subject.lower()

"""Choices shared by models, services and views, and the case workflow they follow."""

from django.db import models


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft (patient answering)"
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    TESTS_ORDERED = "tests_ordered", "Tests ordered"
    CLOSED = "closed", "Closed"


class TestKind(models.TextChoices):
    # The five test flags of clinical-spec §8, keyed as in the assessment's "flags".
    THYROID = "thyroid", "Thyroid (TSH, reflex free T4)"
    IRON_PANEL = "iron_panel", "Iron panel with ferritin"
    CELIAC = "celiac", "Coeliac serology"
    STOOL = "stool", "Stool testing"
    SIBO_BREATH = "sibo_breath", "SIBO breath test"


# A case's workflow: new -> in review -> tests ordered -> closed, with reopen (closed -> in
# review). Here beside the statuses because the services enforce it and the selectors offer it.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.IN_REVIEW, CaseStatus.CLOSED}),
    CaseStatus.IN_REVIEW: frozenset({CaseStatus.TESTS_ORDERED, CaseStatus.CLOSED}),
    CaseStatus.TESTS_ORDERED: frozenset({CaseStatus.IN_REVIEW, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.IN_REVIEW}),
}


class Decision(models.TextChoices):
    PENDING = "pending", "Not decided yet"
    ORDERED = "ordered", "Ordered"
    DECLINED = "declined", "Declined"
    ALREADY_DONE = "already_done", "Already done"


class AssessmentKind(models.TextChoices):
    SUBMISSION = "submission", "Patient submission"
    RESULTS = "results", "Re-evaluated with results"


class Role(models.TextChoices):
    # Django auth groups; permissions are attached to them by a data migration.
    PRACTITIONER = "Practitioner"
    CLINIC_ADMIN = "Clinic admin"
    AUDITOR = "Auditor"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    SUBMIT = "submit", "Submitted"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    INVITATION_CREATED = "invitation_created", "Invitation created"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    INVITATION_REISSUED = "invitation_reissued", "Invitation re-issued"
    INVITATION_OPENED = "invitation_opened", "Invitation opened"
    DOB_FAILED = "dob_failed", "Wrong date of birth"
    LOCKED = "locked", "Link locked"
    STATUS = "status", "Status changed"
    ASSIGN = "assign", "Assigned"
    DECISION = "decision", "Test decision"
    NOTE = "note", "Note added"
    RESULTS = "results", "Results entered"
    SECOND_FACTOR = "second_factor", "Second factor"
    ERASE = "erase", "Erased"
    CONTACT_NEEDED = "contact_needed", "Contact needed: clinic alerted"
    CONTACTED = "contacted", "Patient contacted"
    # Written before crisis, emergency and "Not sure" shared one contact path; kept so that the
    # append-only audit rows of that time still read as they did.
    CRISIS_REPORTED = "crisis_reported", "Crisis reported in a draft"
    CRISIS_CONTACTED = "crisis_contacted", "Patient contacted after a crisis report"


class ContactChannel(models.TextChoices):
    """How a patient prefers the clinic's messages (invitations, reminders, the confirmation):
    a choice on their record, kept by staff."""

    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    NONE = "none", "No messages (the clinic passes on links itself)"


class ContactReason(models.TextChoices):
    """Why a patient must be contacted today (clinical-spec §9, R3-23), in the order markers
    are shown. The same actions for each: help shown to the patient at once, the top of the work
    queue until contact is recorded, one alert email per kind."""

    CRISIS = "crisis", "Crisis"
    EMERGENCY = "emergency", "Emergency"
    # RF-U: "Not sure" to an emergency-level question, or to the self-harm question.
    UNSURE = "unsure", "Not sure: contact today"

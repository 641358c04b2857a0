"""The intake's tables: fields, constraints, indexes and __str__; no workflow (see services)."""

from __future__ import annotations

import hashlib
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from intake.enums import (
    AssessmentKind,
    AuditAction,
    CaseStatus,
    ContactChannel,
    ContactReason,
    Decision,
    TestKind,
)
from intake.languages import language_choices
from intake.phones import E164, MOBILE_MAX_LENGTH, MRN, MRN_ERROR, MRN_MAX_LENGTH


def patient_name_key(full_name: str) -> str:
    """The name as the duplicate guard compares it: case, spacing, invisible formatting
    characters and the different Unicode spellings of one letter (a composed or a decomposed
    "é", a ligature) aside. Stored as a SHA-256 so that it has a fixed length whatever was
    typed and never keeps a second copy of the name (erasure changes the name, and so this)."""
    text = unicodedata.normalize("NFKC", full_name)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = " ".join(unicodedata.normalize("NFKC", text.casefold()).split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Patient(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True)
    # Contact details kept by staff (services.save_contact_details): the mobile in E.164 form
    # (intake.phones), how the patient prefers messages, and the clinic's own patient number,
    # the identifier its other systems know the patient by (the FHIR Patient's, when set).
    mobile_phone = models.CharField(
        _("mobile phone"),
        max_length=MOBILE_MAX_LENGTH,
        blank=True,
        validators=[RegexValidator(E164, "Enter the number in international form: +447400123456.")],
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=ContactChannel, default=ContactChannel.EMAIL
    )
    mrn = models.CharField(
        _("clinic patient number (MRN)"),
        max_length=MRN_MAX_LENGTH,
        blank=True,
        validators=[RegexValidator(MRN, MRN_ERROR)],
        help_text=_("Capitals and digits, as the clinic's own system shows it; unique."),
    )
    # One record per person: the database refuses a second patient with the same name key and
    # date of birth (the constraint below), so two requests at the same moment cannot create
    # one each. A different person who shares both is told apart on purpose, by a number that
    # staff confirm (services.create_invitation; audited).
    name_key = models.CharField(max_length=64, editable=False, default="")
    namesake_number = models.PositiveSmallIntegerField(
        _("namesake number"),
        default=0,
        editable=False,
        help_text=_(
            "0 for the first patient with this name and date of birth; 1, 2, ... for "
            "each different person with both the same."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set once by services.erase_patient; an erased record keeps its de-identified clinical
    # data and audit trail (docs/data-protection.md).
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erasure_reason = models.TextField(_("erasure reason"), blank=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        indexes = [
            models.Index(fields=["date_of_birth", "full_name"]),
            # The work queue sorted by name (A to Z and back), as it compares names.
            models.Index(Lower("full_name"), name="patient_name_lower"),
        ]
        permissions = [("manage_records", "Can export and erase patient records")]
        constraints = [
            # An erased record's name is replaced, but it is left out all the same: it is
            # never matched to anyone again.
            models.UniqueConstraint(
                fields=["name_key", "date_of_birth", "namesake_number"],
                condition=Q(erased_at__isnull=True),
                name="one_patient_per_name_and_birth_date",
            ),
            # One clinic number is one person (this database serves one clinic).
            models.UniqueConstraint(
                fields=["mrn"], condition=~Q(mrn=""), name="one_patient_per_mrn"
            ),
            models.CheckConstraint(
                condition=Q(preferred_channel__in=ContactChannel.values),
                name="patient_preferred_channel_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.date_of_birth:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # The key follows the name wherever it is written (invitations, the admin, erasure).
        self.name_key = patient_name_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The admin's form leaves the key fields out, so Django would not check the
        # constraint there: a clash is said here rather than failing on save.
        if self.erased_at is not None or not self.full_name or self.date_of_birth is None:
            return
        clash = (
            Patient.objects.filter(
                name_key=patient_name_key(self.full_name),
                date_of_birth=self.date_of_birth,
                namesake_number=self.namesake_number,
                erased_at__isnull=True,
            )
            .exclude(pk=self.pk)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                f"A patient with this name and date of birth is already on record "
                f"(record {clash.pk}). Use that record; a different person who shares both "
                "is added from the Invitations page, which asks to confirm it."
            )


def _rank(condition: Q, weight: int) -> models.Case:
    return models.Case(models.When(condition, then=models.Value(weight)), default=models.Value(0))


QUEUE_RANK = (
    _rank(~Q(contact_needed_at__isnull=False, contacted_at__isnull=True), 16)
    + _rank(Q(status=CaseStatus.CLOSED), 8)
    + _rank(Q(crisis=False), 4)
    + _rank(Q(emergency=False), 2)
    + _rank(Q(urgent=False), 1)
)


class Intake(models.Model):
    """One questionnaire and, once submitted, one case in the practitioners' queue."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="intakes"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus, default=CaseStatus.DRAFT
    )
    # The patient's answers under the clinical-spec §2 keys; lab rows carry a date taken
    # (turned into days_ago at evaluation) and the age comes from the patient's date of birth.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # Per step, how many times it was saved: a save based on an older count is stale.
    step_revisions = models.JSONField(_("step revisions"), default=dict, blank=True)
    # The steps finished with their own button, each slug mapped to true (an object rather than
    # a list, so that "finished this step" is a key lookup on SQLite and PostgreSQL alike).
    # A step changed by an answer elsewhere is taken off again (services.save_step).
    completed_steps = models.JSONField(_("completed steps"), default=dict, blank=True)
    matched_existing_patient = models.BooleanField(
        _("matched existing patient"),
        default=False,
        help_text=_("Name and date of birth matched a patient already on record."),
    )
    # The patient's language for this intake (a code of settings.LANGUAGES): chosen on the
    # invitation or by the patient on any page, else guessed from the browser at first open.
    # Blank until then. Reminders and the resumed questionnaire use it; answers never depend on it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20, blank=True)
    consent_name = models.CharField(_("consent name"), max_length=200, blank=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Copied from the latest assessment so the work queue can filter and sort in SQL.
    urgent = models.BooleanField(_("urgent"), default=False)
    crisis = models.BooleanField(_("crisis"), default=False)
    emergency = models.BooleanField(_("emergency"), default=False)
    rls_status = models.CharField(_("RLS status"), max_length=20, blank=True)
    ibs_status = models.CharField(_("IBS status"), max_length=20, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_intakes",
    )
    # The assessment the case page shows: the submission's, then the latest re-evaluation.
    current_assessment = models.ForeignKey(
        "Assessment",
        verbose_name=_("current assessment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Optimistic locking for practitioners: every change bumps it; a form based on an older
    # value is refused with a conflict message.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Answers that call for contact today (crisis, emergency, or "Not sure" to one of their
    # questions; clinical-spec §9, R3-23), in a draft or at submission: staff see the patient at
    # the top of the work queue at once, before the answers are sent, until someone records
    # that they contacted the patient. Each kind is reported (and emailed) once per intake; a
    # kind reported after contact was recorded opens the need again.
    contact_needed_at = models.DateTimeField(_("contact needed at"), null=True, blank=True)
    contact_reasons = models.JSONField(
        _("contact reasons"),
        default=list,
        blank=True,
        help_text=_("The kinds reported, each once (ContactReason)."),
    )
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contacted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The work queue's usual order in one number, kept by the database: waiting for contact
    # first, closed cases last, then crisis, emergency, urgent (lower comes first). With
    # submitted_at and id it is the key of the queue's index and of its pages (keyset).
    queue_rank = models.GeneratedField(
        expression=QUEUE_RANK,
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-urgent", "submitted_at", "pk"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        indexes = [
            # The queue in its usual order (submitted cases only), and by status in that order.
            models.Index(
                fields=["queue_rank", "submitted_at", "id"],
                condition=~Q(status=CaseStatus.DRAFT),
                name="intake_queue_order",
            ),
            models.Index(
                fields=["status", "queue_rank", "submitted_at", "id"], name="intake_status_queue"
            ),
            # The count strip: urgent open cases, and cases closed by date.
            models.Index(
                fields=["submitted_at"],
                condition=Q(urgent=True) & ~Q(status__in=[CaseStatus.DRAFT, CaseStatus.CLOSED]),
                name="intake_urgent_open",
            ),
            models.Index(
                fields=["closed_at"], condition=Q(status=CaseStatus.CLOSED), name="intake_closed_at"
            ),
            models.Index(fields=["submitted_at"]),
            # The top of the work queue: the few patients still waiting for contact.
            models.Index(
                fields=["contact_needed_at"],
                condition=Q(contact_needed_at__isnull=False, contacted_at__isnull=True),
                name="intake_contact_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CaseStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="intake_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="intake_status_known"
            ),
            # Closing stamps the time and reopening clears it (services.change_status).
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="intake_closed_iff_closed_at",
            ),
            # Contact is recorded only where it was called for, and who recorded it only with
            # when. (Not the other way round: deleting a user leaves contacted_by empty.)
            models.CheckConstraint(
                condition=Q(contacted_at__isnull=True) | Q(contact_needed_at__isnull=False),
                name="intake_contacted_after_need",
            ),
            models.CheckConstraint(
                condition=Q(contacted_by__isnull=True) | Q(contacted_at__isnull=False),
                name="intake_contacted_by_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} · {self.patient.full_name}"

    @property
    def case_number(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-new"

    @property
    def is_draft(self) -> bool:
        return self.status == CaseStatus.DRAFT

    @property
    def needs_contact(self) -> bool:
        return self.contact_needed_at is not None and self.contacted_at is None

    def get_contact_reasons_display(self) -> list[str]:
        """The reported kinds' labels, in ContactReason's order."""
        return [label for value, label in ContactReason.choices if value in self.contact_reasons]


class Invitation(models.Model):
    """A link to one intake. Only a hash of its token is stored."""

    intake = models.ForeignKey(
        Intake, verbose_name=_("intake"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via_public_start = models.BooleanField(_("via public start"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # Locks since the date of birth was last given right: at DOB_LOCKOUTS_BEFORE_CLOSING the
    # link is closed (revoked, with closed_at set) until staff issue a new one.
    lockouts = models.PositiveSmallIntegerField(_("lockouts"), default=0)
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        help_text=_("Closed after repeated wrong dates of birth."),
    )
    last_opened_at = models.DateTimeField(_("last opened at"), null=True, blank=True)
    # The patient followed "stop reminders" in a reminder (services.stop_reminders): no more are
    # sent for this questionnaire, even for a link issued after it.
    reminders_stopped_at = models.DateTimeField(_("reminders stopped at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One link at a time opens an intake: re-issuing revokes the others first
            # (services.reissue_invitation). An expired link not revoked still counts, since
            # expiry is a matter of the clock, which a constraint cannot read.
            models.UniqueConstraint(
                fields=["intake"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_invitation_per_intake",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} for {self.intake.case_number}"


class Assessment(models.Model):
    """One run of the clinical engine, kept for good: a case shows the rules that produced it."""

    intake = models.ForeignKey(
        Intake, verbose_name=_("intake"), on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssessmentKind)
    ruleset_version = models.CharField(_("ruleset version"), max_length=20)
    engine_answers = models.JSONField(
        _("engine answers"), help_text=_("Exactly what the engine was given.")
    )
    result = models.JSONField(_("result"), help_text=_("The engine's output (clinical-spec §11)."))
    notes = models.JSONField(_("notes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} of {self.intake.case_number} (rules {self.ruleset_version})"
        )


class TestRecommendation(models.Model):
    """A raised test flag of one assessment, and the practitioner's decision on it."""

    __test__ = False  # not a pytest test class, despite the name

    intake = models.ForeignKey(
        Intake, verbose_name=_("intake"), on_delete=models.CASCADE, related_name="recommendations"
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    test = models.CharField(_("test"), max_length=20, choices=TestKind)
    value = models.CharField(_("value"), max_length=40)
    rules = models.JSONField(
        _("rules"), default=list, help_text=_("The rules that fired, with their reasons.")
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("test recommendation")
        verbose_name_plural = _("test recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "test"], name="one_recommendation_per_test"
            ),
            models.CheckConstraint(
                condition=Q(test__in=TestKind.values), name="recommendation_test_known"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="recommendation_decision_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_test_display()}: {self.value}"


class LabResultEntry(models.Model):
    """A result the practitioner entered on the case; the case is re-evaluated with it."""

    intake = models.ForeignKey(
        Intake, verbose_name=_("intake"), on_delete=models.CASCADE, related_name="lab_results"
    )
    test = models.CharField(_("test"), max_length=20)
    value = models.JSONField(_("value"), help_text=_("A number, or pos/neg, normal/low."))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    taken_on = models.DateField(_("taken on"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-pk"]
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")

    def __str__(self) -> str:
        return f"{self.test} {self.value} {self.unit} ({self.taken_on})"


class Note(models.Model):
    intake = models.ForeignKey(
        Intake, verbose_name=_("intake"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.intake.case_number}"


class AuditEventQuerySet(models.QuerySet):
    """Bulk writes refused too, so no code path can edit or delete audit rows in one go."""

    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed.")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("Audit events cannot be changed.")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise PermissionError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """Append-only: who did what to which record, when, from where. Never edited or deleted."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # No database constraints and no cascades on these keys: deleting a user or a record must
    # never touch an audit row (the database refuses UPDATE and DELETE on this table).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor label"), max_length=150, help_text=_("Username, or 'patient' for a link.")
    )
    action = models.CharField(_("action"), max_length=30, choices=AuditAction)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    intake = models.ForeignKey(
        Intake,
        verbose_name=_("intake"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("No health information.")
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["intake", "at"]),
            models.Index(fields=["actor", "at"]),
            # A case's timeline, newest first: views, and the patient's own saves while filling
            # in, are left out by the index itself, so a much-viewed case pages as fast.
            models.Index(
                fields=["intake", "-at", "-id"],
                condition=~Q(action=AuditAction.VIEW)
                & ~Q(action=AuditAction.UPDATE, actor__isnull=True),
                name="audit_case_timeline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        # Append-only: an audit row is written once. (The database enforces the same.)
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class LicensedInstrument(models.Model):
    """A licensed questionnaire's item text, uploaded by the clinic that holds the licence.

    The IRLS item text never enters the repository (clinical-spec §4.6): with IRLS_LICENSED on
    and an active IRLS instrument here, the intake asks its ten items.
    """

    name = models.CharField(_("name"), max_length=20, choices=[("IRLS", "IRLS rating scale")])
    version = models.CharField(_("version"), max_length=40)
    licence_ref = models.CharField(
        _("licence reference"), max_length=200, help_text=_("Licence number or agreement.")
    )
    instructions = models.TextField(_("instructions"), blank=True)
    items = models.JSONField(_("items"), help_text=_("The item texts, in order (10 for the IRLS)."))
    choice_labels = models.JSONField(
        _("choice labels"), help_text=_("Labels for the scores 0 to 4, in order.")
    )
    # The language of this licensed version: a patient answering in another language for which
    # the clinic holds no licensed version is not asked the instrument.
    language = models.CharField(_("language"), max_length=8, default="en", choices=language_choices)
    active = models.BooleanField(_("active"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-uploaded_at"]
        verbose_name = _("licensed instrument")
        verbose_name_plural = _("licensed instruments")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def clean(self) -> None:
        if (
            not isinstance(self.items, list)
            or len(self.items) != 10
            or not all(isinstance(item, str) and item.strip() for item in self.items)
        ):
            raise ValidationError({"items": "Enter a list of exactly 10 item texts."})
        if not isinstance(self.choice_labels, list) or len(self.choice_labels) != 5:
            raise ValidationError({"choice_labels": "Enter 5 labels, for the scores 0 to 4."})


class ApiClient(models.Model):
    """A system that calls the API (an EHR, a booking system), registered by a clinic admin.
    Only the SHA-256 of its token is stored: the token is shown once, when the client is added.
    Revoked rather than deleted, so the audit trail's "API client <name>" keeps its meaning."""

    class Scope(models.TextChoices):
        READ_CASES = "read_cases", "Read submitted cases (JSON and FHIR)"
        CREATE_INVITATIONS = "create_invitations", "Create invitations"

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("Which system this is.")
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, so that an admin can tell which token a system holds.
    token_prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


# The outbox lives with the rest of reaching patients; imported here so the app registers it.
from intake.notifications.models import (  # noqa: E402, F401
    ClinicSettings,
    ClinicText,
    OutboxMessage,
)
from intake.notifications.webhook_models import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401

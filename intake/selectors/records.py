"""Data protection: a patient's record for the records pages, records due for review."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from intake.models import Patient
from intake.selectors.common import RECORDS, visible

RETENTION_PER_PAGE = 25


def staff_patient(*, user, patient_id: int) -> Patient:
    """A patient's record for the records pages (subject access, erasure), or 404."""
    return get_object_or_404(
        visible(Patient.objects, user=user, permission=RECORDS).select_related("erased_by"),
        pk=patient_id,
    )


def contact_patient(*, user, patient_id: int) -> Patient:
    """A patient's record for the contact details page (staff who may change records), or 404."""
    return get_object_or_404(
        visible(Patient.objects, user=user, permission="intake.change_patient"), pk=patient_id
    )


def retention_due(*, user, today: dt.date | None = None) -> QuerySet[Patient]:
    """Patients not erased whose latest activity (the record's creation or a change to any of
    their questionnaires) is older than RECORD_RETENTION_DAYS, oldest first, for review.
    Each carries `last_activity` and `intake_count`."""
    today = today or timezone.localdate()
    cutoff_day = today - dt.timedelta(days=settings.RECORD_RETENTION_DAYS)
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    return (
        visible(Patient.objects, user=user, permission=RECORDS)
        .filter(erased_at__isnull=True)
        .annotate(
            # Coalesce: a patient without questionnaires has no latest change to compare.
            last_activity=Greatest(
                "created_at", Coalesce(Max("intakes__updated_at"), "created_at")
            ),
            intake_count=Count("intakes"),
        )
        .filter(last_activity__lt=cutoff)
        .order_by("last_activity", "pk")
    )

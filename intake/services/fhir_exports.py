"""FHIR exports: one case's transaction Bundle (the case page's download, and the API to come)
and every submitted case into a folder (`manage.py export_fhir`). Each case exported is an
export on the audit trail. The mapping itself is intake/fhir; docs/integration.md says how a
clinic loads the files.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from intake import exports, selectors
from intake.clinical.catalogue import TIER_LABELS
from intake.enums import AuditAction, CaseStatus
from intake.fhir import bundle, codes
from intake.fhir import questionnaire as fhir_questionnaire
from intake.models import AuditEvent, Intake
from intake.services.common import facts_for, record_event

__all__ = [
    "FHIR_JSON",
    "case_bundle",
    "export_case_bundle",
    "export_to_folder",
    "to_json",
]

FHIR_JSON = "application/fhir+json"
SUMMARY = "FHIR bundle"


def to_json(resource: dict[str, Any]) -> bytes:
    return json.dumps(resource, ensure_ascii=False, indent=2).encode("utf-8")


def _summary_pdf(detail: selectors.CaseDetail) -> bytes:
    # The same template and renderer as the case page's PDF button, with what it reads.
    context = {
        "case": detail,
        "result": detail.result,
        "tier_labels": TIER_LABELS,
        "decision_errors": {},
        "unsaved_decision": None,
    }
    return exports.html_to_pdf(render_to_string("intake/staff/case_pdf.html", context))


def case_bundle(*, intake: Intake, now: dt.datetime | None = None) -> dict[str, Any]:
    """The Bundle of one submitted case (fetched with its patient and current assessment).
    Not audited: the callers record the export."""
    detail = selectors.case_detail(intake=intake, facts=facts_for(intake))
    records = bundle.CaseRecords(
        intake=intake,
        recommendations=detail.recommendations,
        lab_results=detail.lab_results,
        summary_pdf=_summary_pdf(detail),
        generated_at=now or timezone.now(),
    )
    return bundle.case_bundle(
        records, site_url=settings.SITE_URL, mrn_system=settings.FHIR_MRN_SYSTEM
    )


def export_case_bundle(*, intake: Intake, by, ip_address: str | None = None) -> tuple[bytes, str]:
    """One case's Bundle as a file for a member of staff: (JSON, file name), audited."""
    content = to_json(case_bundle(intake=intake))
    record_event(
        action=AuditAction.EXPORT,
        actor=by,
        intake=intake,
        obj=intake,
        ip_address=ip_address,
        summary=SUMMARY,
    )
    return content, f"{intake.case_number}-fhir.json"


def _changed_since(since: dt.date | None):
    cases = (
        Intake.objects.exclude(status=CaseStatus.DRAFT)
        .select_related("patient", "current_assessment", "assigned_to", "contacted_by")
        .order_by("pk")
    )
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        cases = cases.filter(updated_at__gte=start)
    return cases


def export_to_folder(*, out: Path, since: dt.date | None = None) -> list[Path]:
    """questionnaire.json, codesystem.json and one C-000123.json Bundle per submitted case
    (changed on or after `since`, in the clinic's time zone) into `out`. Each case written is
    audited as an export by the command and the system user who ran it."""
    out.mkdir(parents=True, exist_ok=True)
    site_url = settings.SITE_URL
    written = []
    for name, resource in (
        ("questionnaire.json", fhir_questionnaire.questionnaire(site_url=site_url)),
        ("codesystem.json", codes.code_system(site_url=site_url)),
    ):
        (out / name).write_bytes(to_json(resource))
        written.append(out / name)
    # A command has no signed-in user: the audit row names the command and who ran it.
    actor_label = f"manage.py export_fhir ({getpass.getuser()})"[:150]
    for intake in _changed_since(since).iterator(chunk_size=100):
        path = out / f"{intake.case_number}.json"
        path.write_bytes(to_json(case_bundle(intake=intake)))
        written.append(path)
        AuditEvent.objects.create(
            actor=None,
            actor_label=actor_label,
            action=AuditAction.EXPORT,
            object_type="Intake",
            object_id=str(intake.pk),
            patient=intake.patient,
            intake=intake,
            summary=f"{SUMMARY} written to a folder",
        )
    return written

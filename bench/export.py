"""CSV export memory and speed: stream the whole queue at 10,000 and 100,000 cases.

    .venv/bin/python bench/export.py [--cases 100000]

Builds a throwaway SQLite database (bench/.export.sqlite3, removed afterwards unless --keep),
fills it with submitted cases that carry a real assessment, its recommendations (half of them
decided) and, for a third of the cases, two results entered, then consumes the export exactly
as the view streams it (selectors.export_rows -> exports.queue_csv_lines) and reports rows per
second and the peak Python memory while streaming (tracemalloc). Flat memory means the peak at
100,000 cases is about the peak at 10,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "bench" / ".export.sqlite3"
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{DB}",
        "SECRET_KEY": "bench-only",
        "DEBUG": "false",
        "STATIC_MANIFEST": "false",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")


def build(cases: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from intake import clinical
    from intake.enums import AssessmentKind, CaseStatus, Decision
    from intake.models import (
        Assessment,
        Intake,
        LabResultEntry,
        Patient,
        TestRecommendation,
        patient_name_key,
    )
    from intake.services.evaluation import RAISED_FLAG_VALUES

    call_command("migrate", verbosity=0)
    answers = {"age_years": 50, "sex_at_birth": "female", "loose_stools_4wk": "yes"}
    result = clinical.evaluate(answers).as_dict()
    now = timezone.now()
    batch = 5_000
    for start in range(0, cases, batch):
        size = min(batch, cases - start)
        # bulk_create skips Patient.save(), which keys the name for the duplicate guard.
        patients = Patient.objects.bulk_create(
            Patient(
                full_name=f"Bench Patient {start + n}",
                name_key=patient_name_key(f"Bench Patient {start + n}"),
                date_of_birth=dt.date(1970, 1, 1),
            )
            for n in range(size)
        )
        intakes = Intake.objects.bulk_create(
            Intake(
                patient=patient,
                status=CaseStatus.NEW,
                submitted_at=now - dt.timedelta(minutes=start + n),
                urgent=n % 7 == 0,
                rls_status="not_met",
                ibs_status="incomplete",
            )
            for n, patient in enumerate(patients)
        )
        assessments = Assessment.objects.bulk_create(
            Assessment(
                intake=intake,
                kind=AssessmentKind.SUBMISSION,
                ruleset_version=clinical.RULESET_VERSION,
                engine_answers=answers,
                result=result,
            )
            for intake in intakes
        )
        for intake, assessment in zip(intakes, assessments, strict=True):
            intake.current_assessment = assessment
        Intake.objects.bulk_update(intakes, ["current_assessment"])
        # What the CSV reads beside each case: a recommendation per raised test, half of them
        # decided, and for every third case two results entered.
        TestRecommendation.objects.bulk_create(
            TestRecommendation(
                intake=intake,
                assessment=assessment,
                test=test,
                value=flag["value"],
                rules=flag["rules_fired"],
                decision=Decision.ORDERED if n % 2 else Decision.PENDING,
                decided_at=now if n % 2 else None,
            )
            for n, (intake, assessment) in enumerate(zip(intakes, assessments, strict=True))
            for test, flag in result["flags"].items()
            if flag["value"] in RAISED_FLAG_VALUES
        )
        LabResultEntry.objects.bulk_create(
            LabResultEntry(intake=intake, test=test, value=value, unit=unit, taken_on=now.date())
            for n, intake in enumerate(intakes)
            if n % 3 == 0
            for test, value, unit in (("ferritin", 38, "ng/mL"), ("tsat", 19, "%"))
        )


def stream(limit: int) -> tuple[int, float, int, int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from intake import exports, selectors
    from intake.enums import Role

    # The export as a practitioner gets it (the selectors show nothing to an account without
    # the role).
    reader, _ = get_user_model().objects.get_or_create(username="bench.reader")
    reader.groups.add(Group.objects.get(name=Role.PRACTITIONER))
    reader = get_user_model().objects.get(pk=reader.pk)  # a fresh permission cache
    filters = selectors.QueueFilters()
    tracemalloc.start()
    started = time.perf_counter()
    rows = size = 0
    for line in exports.queue_csv_lines(selectors.export_rows(user=reader, filters=filters)):
        rows += 1
        size += len(line)
        if rows > limit:
            break
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows - 1, elapsed, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database for another run")
    args = parser.parse_args()

    reuse = args.keep and DB.exists()
    if not reuse and DB.exists():
        DB.unlink()
    import django

    django.setup()
    from intake.models import Intake

    if not reuse or Intake.objects.count() < args.cases:
        started = time.perf_counter()
        build(args.cases)
        print(f"built {args.cases:,} cases in {time.perf_counter() - started:.0f} s")

    for limit in (args.cases // 10, args.cases):
        rows, elapsed, peak, size = stream(limit)
        print(
            f"{rows:>7,} rows: {rows / elapsed:>8,.0f} rows/s, {size / 1e6:6.1f} MB of CSV, "
            f"peak Python memory while streaming {peak / 1e6:5.1f} MB"
        )
    if not args.keep:
        DB.unlink()


if __name__ == "__main__":
    main()

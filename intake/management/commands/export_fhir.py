"""Write the FHIR Questionnaire, the app's CodeSystem and one transaction Bundle per submitted
case into a folder, for a clinic's batch transfer to its FHIR server (docs/integration.md)."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from intake.services import fhir_exports


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since: enter a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Write questionnaire.json, codesystem.json and one FHIR transaction Bundle per "
        "submitted case (C-000123.json) into --out. Each case written is on the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The folder to write to (created).")
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="Only cases changed on or after this day (YYYY-MM-DD, the clinic's time zone).",
        )

    def handle(self, *args, out: str, since: str | None = None, **options):
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"--out: {folder} is a file, not a folder.")
        # The export's human-readable notes in the staff's language, as the staff pages' are.
        with translation.override(settings.STAFF_LANGUAGE_CODE):
            written = fhir_exports.export_to_folder(
                out=folder, since=_date(since) if since else None
            )
        cases = len(written) - 2
        self.stdout.write(
            f"Wrote questionnaire.json, codesystem.json and {cases} case bundle(s) to {folder}."
        )

"""Regenerate the rules table in docs/clinical-rules.md from intake/clinical/catalogue.py."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.clinical.catalogue import render_markdown

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rules_doc_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "clinical-rules.md"


def with_table(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    if not rest or END not in rest:
        raise CommandError(f"docs/clinical-rules.md must contain {START} and {END}")
    return f"{head}{START}\n{render_markdown()}{END}{tail}"


class Command(BaseCommand):
    help = "Regenerate the rules table in docs/clinical-rules.md (--check only compares)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the table is stale")

    def handle(self, *args, check=False, **options):
        path = rules_doc_path()
        current = path.read_text(encoding="utf-8")
        updated = with_table(current)
        if check:
            if updated != current:
                raise CommandError("docs/clinical-rules.md is stale: run make docs")
            self.stdout.write("docs/clinical-rules.md is up to date")
            return
        path.write_text(updated, encoding="utf-8")
        self.stdout.write(f"wrote {path}")

"""The translation catalogues: every patient-facing string has its Spanish, none is fuzzy, the
placeholders agree, and the compiled catalogue Django reads is the one the .po holds.

`makemessages` runs here over a copy of locale/, as scripts/messages.sh runs it, so a string
added to the code without its Spanish fails this test (and CI) until the catalogue has it.
Staff pages stay in STAFF_LANGUAGE_CODE: strings used only by them may stay untranslated
(STAFF_ONLY), so a clinic can still translate them to add its language.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ("django", "djangojs")
# The same folders as scripts/messages.sh leaves out.
IGNORE = [
    "tests/*",
    "bench/*",
    "test-artifacts/*",
    "staticfiles/*",
    "static/vendor/*",
    "locale/*",
    "scripts/*",
    "docs/*",
]
# Files only staff read (their pages, the admin, the API, exports and staff alerts).
STAFF_ONLY = (
    "clinic/",
    "templates/admin/",
    "templates/registration/",
    "templates/intake/staff/",
    "templates/intake/emails/alert_",
    "intake/admin",
    "intake/api/",
    "intake/fhir/",
    "intake/management/",
    "intake/exports.py",
    "intake/explain_answers.py",
    "intake/models.py",
    "intake/notifications/models.py",
    "intake/notifications/webhook",
    "intake/templatetags/intake_labels.py",
    "intake/forms/staff.py",
    "intake/forms/records.py",
    "intake/forms/accounts.py",
    "intake/selectors/cases.py",
    "intake/selectors/exports.py",
    "intake/selectors/overview.py",
    "intake/selectors/queue",
    "intake/selectors/records.py",
    "intake/selectors/subject_access.py",
    "intake/services/accounts.py",
    "intake/services/api_clients.py",
    "intake/services/cases.py",
    "intake/services/fhir_exports.py",
    "intake/services/records.py",
    "intake/services/webhooks.py",
    "intake/views/cases.py",
    "intake/views/fhir.py",
    "intake/views/invitations.py",
    "intake/views/overview.py",
    "intake/views/queue.py",
    "intake/views/records.py",
    "intake/views/staff_auth.py",
    "static/js/session-timeout.js",
)

MSGFMT = shutil.which("msgfmt") or "msgfmt"

pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="needs GNU gettext (scripts/ensure-chromium.sh installs it)",
)


@dataclass
class Entry:
    msgid: str = ""
    references: list[str] = field(default_factory=list)
    fuzzy: bool = False
    translations: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.translations) and all(self.translations)

    @property
    def patient_facing(self) -> bool:
        files = [reference.rsplit(":", 1)[0] for reference in self.references]
        return not files or not all(file.startswith(STAFF_ONLY) for file in files)


def _unquote(line: str) -> str:
    text = line[line.index('"') + 1 : line.rindex('"')]
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (enough of the format for these checks)."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry.msgid or entry.translations or entry.references:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            target = None
        elif line.startswith("msgid "):
            entry.msgid, target = _unquote(line), "msgid"
        elif line.startswith("msgstr"):
            entry.translations.append(_unquote(line))
            target = "msgstr"
        elif line.startswith('"') and target == "msgid":
            entry.msgid += _unquote(line)
        elif line.startswith('"') and target == "msgstr":
            entry.translations[-1] += _unquote(line)
    return [e for e in entries if e.msgid and not e.obsolete]


@pytest.fixture(scope="module")
def fresh_catalogues() -> Iterator[Path]:
    """locale/ as makemessages leaves it after reading today's code. makemessages writes each
    source file's strings to the first locale path whose parent folder holds that file, so the
    copy sits in the repository's root (a hidden folder, which makemessages does not read),
    ahead of locale/ itself: the real catalogues are never written."""
    copy = ROOT / f".locale-check-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    shutil.copytree(LOCALE, copy, ignore=shutil.ignore_patterns("parts", "*.mo"))
    try:
        with override_settings(LOCALE_PATHS=[copy]):
            for domain in DOMAINS:
                call_command(
                    "makemessages",
                    locale=LANGUAGES,
                    domain=domain,
                    ignore_patterns=IGNORE,
                    no_wrap=True,
                    verbosity=0,
                )
        yield copy
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _describe(entries: list[Entry]) -> str:
    return "\n".join(f"  {e.msgid[:80]!r}  ({' '.join(e.references[:3])})" for e in entries[:40])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_patient_facing_string_has_its_translation(fresh_catalogues, language, domain):
    po = fresh_catalogues / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        pytest.skip(f"no string is marked in the {domain} domain")
    entries = read_po(po)
    missing = [e for e in entries if e.patient_facing and not e.translated]
    fuzzy = [e for e in entries if e.fuzzy]

    assert not missing, (
        f"{len(missing)} patient-facing strings have no {language} translation in "
        f"{po.relative_to(fresh_catalogues.parent)}; add them to "
        f"locale/{language}/LC_MESSAGES/{domain}.po and run scripts/messages.sh:\n"
        + _describe(missing)
    )
    assert not fuzzy, "fuzzy (unchecked) translations:\n" + _describe(fuzzy)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_compiles_with_matching_placeholders(language, domain, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        pytest.skip(f"no {domain} catalogue")
    # --check-format: a translation whose %(name)s placeholders differ from the original's
    # would fail when shown (KeyError) or show the wrong value.
    result = subprocess.run(
        [MSGFMT, "--check-format", "--check-header", "-o", str(tmp_path / "out.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_is_the_one_the_po_holds(language, domain, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        pytest.skip(f"no {domain} catalogue")
    compiled = po.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run scripts/messages.sh"
    fresh = tmp_path / "fresh.mo"
    subprocess.run([MSGFMT, "-o", str(fresh), str(po)], check=True)

    def catalogue(path: Path) -> dict:
        with path.open("rb") as handle:
            return gettext.GNUTranslations(handle)._catalog

    assert catalogue(compiled) == catalogue(fresh), (
        f"{compiled} is older than {po}: run scripts/messages.sh"
    )


def test_the_reader_sees_untranslated_and_fuzzy_entries(tmp_path):
    """The checks above read .po files with read_po: it must see what they look for."""
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: templates/intake/patient/done.html:3\nmsgid "Thank you"\nmsgstr ""\n\n'
        '#: templates/intake/staff/case.html:9\nmsgid "Case"\nmsgstr ""\n\n'
        '#: intake/forms/patient.py:5\n#, fuzzy, python-format\nmsgid "%(n)s left"\n'
        'msgstr "quedan %(n)s"\n\n'
        '#: intake/views/patient.py:7\nmsgid "one"\nmsgid_plural "many"\n'
        'msgstr[0] "uno"\nmsgstr[1] ""\n\n'
        '#: intake/views/patient.py:9\nmsgid ""\n"Long "\n"text"\nmsgstr "Texto "\n"largo"\n',
        encoding="utf-8",
    )

    entries = {entry.msgid: entry for entry in read_po(po)}

    assert not entries["Thank you"].translated and entries["Thank you"].patient_facing
    assert not entries["Case"].patient_facing
    assert entries["%(n)s left"].fuzzy
    assert not entries["one"].translated  # one plural form missing
    assert entries["Long text"].translations == ["Texto largo"]

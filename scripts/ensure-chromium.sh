#!/usr/bin/env bash
# Installs the Debian packages the tests drive, when they are missing (needs root and apt):
# - chromium, for the browser tests (through Playwright's Python package; no browser is ever
#   downloaded). Set SKIP_E2E=1 to run the suite without them (they then report as skipped).
# - poppler-utils (pdftoppm, pdftotext), to turn the case PDF into text and page images that the
#   PDF tests read and that people look at (test-artifacts/pdf/).
# - gettext (xgettext, msgmerge, msgfmt), for the translation catalogues' checks
#   (tests/test_translations.py) and scripts/messages.sh.
set -euo pipefail

missing=()
if [ "${SKIP_E2E:-0}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium chromium-driver)
fi
if ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null; then
  missing+=(poppler-utils)
fi
if ! command -v msgfmt >/dev/null || ! command -v xgettext >/dev/null; then
  missing+=(gettext)
fi
if [ "${#missing[@]}" = "0" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "The tests need these Debian packages: ${missing[*]}." >&2
  echo "Install them (sudo apt-get install ${missing[*]}), or set SKIP_E2E=1 for chromium." >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian for the tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

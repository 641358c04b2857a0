#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (needs root and apt).
# The tests drive it through Playwright's Python package; no browser is ever downloaded.
# Set SKIP_E2E=1 to run the suite without browser tests (they then report as skipped).
set -euo pipefail

if [ "${SKIP_E2E:-0}" = "1" ] || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "Browser tests need Debian's chromium package at /usr/bin/chromium." >&2
  echo "Install it (sudo apt-get install chromium chromium-driver) or set SKIP_E2E=1." >&2
  exit 1
fi
echo "Installing chromium and chromium-driver from Debian for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null

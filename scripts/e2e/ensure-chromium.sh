#!/usr/bin/env bash
# The e2e tests drive Debian's Chromium through playwright-core: no browser download from Playwright.
# Installs the distribution's package when it is missing (the CI machine runs as root).
set -euo pipefail

CHROMIUM="${MUSTER_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "${MUSTER_CHROMIUM:-}" != "" ]; then
  echo "MUSTER_CHROMIUM=$CHROMIUM is not an executable." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing at $CHROMIUM and apt-get is not available: install Chromium, or point MUSTER_CHROMIUM at it." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "Installing Debian's chromium package for the e2e tests…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version

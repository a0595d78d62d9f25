#!/usr/bin/env bash
# Debian packages the portal needs: Tesseract for the MRZ, gettext for the translations, DejaVu for
# the destruction acts' Cyrillic, OCR-B for
# the specimen passports of the demo and the tests; with --tests also Chromium, which the browser
# tests drive through Playwright (Debian's build: Playwright's own browser download is not used)
# and redis-server for the shared-cache test, and a small Chinese font for their screenshots.
# Installs what is missing when run as root; otherwise says which packages to install.
set -euo pipefail

missing=()
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ -f /usr/share/fonts/opentype/ocr-b/OCRB.otf ] || missing+=(fonts-ocr-b)
# Cyrillic glyphs for the destruction acts (PDF, uploads/papers/acts.py).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "${1:-}" = "--tests" ]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the cache test
    # Chinese glyphs for the screenshots of the Chinese pages (phones bring their own fonts).
    [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them first, e.g.: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi

#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, if any is missing:
#   chromium (browser tests), fonts-noto-cjk and fonts-noto-core (Chinese and Arabic glyphs),
#   postgresql-15 (binaries for the throwaway test cluster; no service is started),
#   libreoffice-writer-nogui and libreoffice-draw-nogui (the tests open the DOCX and PDF exports),
#   tesseract-ocr with the six UN language packs and poppler-utils (OCR of scanned PDF pages in
#   the library, docs/library.md), and wrk (the load generator of benchmarks/workers.py: `make
#   benchmark`).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
for package in fonts-noto-cjk fonts-noto-core libreoffice-writer-nogui libreoffice-draw-nogui \
  tesseract-ocr tesseract-ocr-ara tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-fra \
  tesseract-ocr-rus tesseract-ocr-spa poppler-utils wrk; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql-15)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: need root (or sudo) to install ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

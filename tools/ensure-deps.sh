#!/usr/bin/env bash
# Make sure the system programs cardscan needs are present.
#   tools/ensure-deps.sh          tesseract with eng, spa and osd (what `cardscan scan` needs), and
#                                 por, fra, deu, ita (cards from Brazil, France, Germany, Italy...)
#   tools/ensure-deps.sh test     the above, plus what the tests use: chromium, zbar, fonts
#   tools/ensure-deps.sh bench    tesseract and the fonts the sample generator draws with
# Installs through apt-get when missing and running as root; otherwise prints one line
# saying what to install on this platform and exits non-zero. Fast when nothing is missing.
set -euo pipefail

missing=()
have_lang() { tesseract --list-langs 2>/dev/null | grep -qx "$1"; }

if ! command -v tesseract >/dev/null 2>&1; then
  missing+=(tesseract-ocr)
  for lang in eng spa osd por fra deu ita; do missing+=("tesseract-ocr-$lang"); done
else
  for lang in eng spa osd por fra deu ita; do have_lang "$lang" || missing+=("tesseract-ocr-$lang"); done
fi
if [ "${1:-}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  ldconfig -p 2>/dev/null | grep -q 'libzbar\.so\.0' || missing+=(libzbar0)
fi
if [ "${1:-}" = "test" ] || [ "${1:-}" = "bench" ]; then  # the card generator draws with these
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  [ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  hint="sudo apt-get install ${missing[*]}"
elif command -v brew >/dev/null 2>&1; then
  hint="brew install tesseract tesseract-lang"
elif command -v dnf >/dev/null 2>&1; then
  hint="sudo dnf install tesseract tesseract-langpack-spa tesseract-langpack-eng tesseract-osd"
else
  hint="install Tesseract 5 with the eng, spa and osd language data (https://tesseract-ocr.github.io/tessdoc/Installation.html)"
fi
echo "cardscan needs: ${missing[*]}. Run: $hint" >&2
exit 1

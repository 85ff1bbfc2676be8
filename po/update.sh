#!/usr/bin/env bash
# Refreshes po/minping.pot from the sources and merges it into every
# catalogue (po/<lang>.po): new messages appear untranslated, changed ones
# fuzzy, for a translator to fill in.  tests/i18n/check_catalogue.sh fails
# until every message of zh_CN.po is translated.
set -euo pipefail
cd "$(dirname "$0")/.."
bash po/extract.sh po/minping.pot
for po in po/*.po; do
  msgmerge --quiet --update --backup=none --no-location --sort-output "$po" po/minping.pot
done

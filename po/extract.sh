#!/usr/bin/env bash
# Extracts every translatable message of the programs into the template OUT
# (default po/minping.pot): the _(), N_() and P_() marks of i18n.h, and the
# formats of the functions that translate their own (mp_fail, mp_wrap,
# office_fail, office_usage, and the config and unit-registry readers'
# fail_at and fail_line, csvrows_fail).  Log lines (log_*) are not extracted: they stay
# English.  Usage: po/extract.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-po/minping.pot}
find app -name '*.c' | LC_ALL=C sort > "$out.files"
xgettext --from-code=UTF-8 --language=C --package-name=minping --no-location --sort-output \
  --keyword=_ --keyword=N_ --keyword=P_:1,2 \
  --keyword=mp_fail:2 --flag=mp_fail:2:c-format \
  --keyword=mp_wrap:2 --flag=mp_wrap:2:c-format \
  --keyword=office_fail:1 --flag=office_fail:1:c-format \
  --keyword=office_usage:2 --flag=office_usage:2:c-format \
  --keyword=fail_at:3 --flag=fail_at:3:c-format \
  --keyword=fail_line:3 --flag=fail_line:3:c-format \
  --keyword=csvrows_fail:3 --flag=csvrows_fail:3:c-format \
  --files-from="$out.files" -o "$out"
rm -f "$out.files"

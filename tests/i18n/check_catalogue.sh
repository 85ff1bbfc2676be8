#!/usr/bin/env bash
# Fails when a message in the sources has no zh_CN translation (or only a
# fuzzy one), naming each, and when a translation's printf conversions do not
# match its message's.  Fix with po/update.sh, then translate po/zh_CN.po.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$src/po/extract.sh" "$tmp/minping.pot"
n=$(grep -c '^msgid ' "$tmp/minping.pot")
if [ "$n" -lt 50 ]; then
  echo "check_catalogue: only $n messages extracted: is the keyword list broken?" >&2
  exit 1
fi
msgfmt --check --output-file=/dev/null "$src/po/zh_CN.po"
if ! msgcmp "$src/po/zh_CN.po" "$tmp/minping.pot" 2> "$tmp/missing"; then
  echo "check_catalogue: messages without a zh_CN translation (run po/update.sh, translate po/zh_CN.po):" >&2
  cat "$tmp/missing" >&2
  exit 1
fi
echo "check_catalogue: all $n messages have a zh_CN translation"

#!/usr/bin/env bash
# Runs every benchmark and prints one table: each figure, its baseline
# measured in the same run, the ratio, the target, and the command that
# reproduces it.  Usage: tests/bench/run.sh [BUILD_DIR] (default build).
# The part scripts print their rows as "ROW|figure|value|baseline|ratio|target|command"
# on standard output; everything else they say goes to standard error.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
parts="kiosk sleep bulk survey"
# The scale benchmark builds a ten-million-vote office database: on request.
[ "${MINPING_BENCH_SCALE:-}" = 1 ] && parts="$parts scale"
for part in $parts; do
  if [ -f "$here/$part.sh" ]; then
    bash "$here/$part.sh" "$build" | tee -a "$rows"
  fi
done
echo
echo "| figure | value | baseline (same run) | ratio | target | command |"
echo "| --- | --- | --- | --- | --- | --- |"
sed -n 's/^ROW|//p' "$rows" | awk -F'|' '{printf "| %s | %s | %s | %s | %s | `%s` |\n", $1, $2, $3, $4, $5, $6}'

#!/usr/bin/env bash
# scale.sh - report and assess must not slow down as votes pile up: each
# command with 10,000,000 votes in the office ledger against the same command
# with 10,000, in the same run.  Heavy (building the large database takes
# about ten minutes and 2-3 GB of disk), so tests/bench/run.sh runs it only
# with MINPING_BENCH_SCALE=1.
#
# Usage: bash tests/bench/scale.sh BUILD_DIR
#   MINPING_BENCH_SCALE_VOTES  votes in the large ledger (default 10000000)
#   MINPING_BENCH_SMALL_VOTES  votes in the small ledger (default 10000)
#   MINPING_BENCH_REPEAT       runs of each command; the median counts (default 5)
#   MINPING_BENCH_KEEP=1       keep the scratch folder (its path goes to stderr)
#
# Set-up (not timed), in a scratch folder inside BUILD_DIR: kiosk bench-01
# provisioned with 200 units, its first provisioning dated to December of the
# year before the measured year Y (last year), so no vote is a clock warning;
# 5,000 votes made by bench_votes through the kiosk's store, exported by
# minping-kiosk and imported by minping-office import (the real path, which
# keeps the tallies) into both databases; then bench_ledger adds the rest of
# each ledger's votes in year Y with plain SQL and rebuilds the tallies with
# the migration's statements (tally_rebuild).
#
# The figures, each command alternating between the two databases:
#   report --year Y (the default table), report --year Y --format html (with
#   the month-by-month score and the spread of 不满意), assess --year Y (with
#   the shipped rubric copied as year Y).  The two reports' tables must hold
#   the same columns for every unit, and the large one must count every vote
#   of year Y.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -ne 1 ] || [ "$1" = "--help" ] || [ "$1" = "-h" ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  [ $# -eq 1 ] && exit 0 || exit 2
fi
build=$(cd "$1" && pwd)
big=${MINPING_BENCH_SCALE_VOTES:-10000000}
small=${MINPING_BENCH_SMALL_VOTES:-10000}
repeat=${MINPING_BENCH_REPEAT:-5}
sample=5000
units=200
kiosk_bin=$build/minping-kiosk
office_bin=$build/minping-office
bench_votes=$build/tests/bench/bench_votes
bench_ledger=$build/tests/bench/bench_ledger
for f in "$kiosk_bin" "$office_bin" "$bench_votes" "$bench_ledger"; do
  [ -x "$f" ] || { echo "scale.sh: $f is missing: build first" >&2; exit 1; }
done
[ "$small" -gt "$sample" ] && [ "$big" -gt "$small" ] ||
  { echo "scale.sh: need $sample < SMALL < SCALE votes" >&2; exit 2; }
case $build in
  "$root"/*) shown_build=${build#"$root"/} ;;
  *) shown_build=$build ;;
esac
rerun="MINPING_BENCH_SCALE=1 bash tests/bench/scale.sh $shown_build"
scratch=$(mktemp -d "$build/bench-scale.XXXXXX")
if [ "${MINPING_BENCH_KEEP:-}" = 1 ]; then
  echo "scale: scratch folder $scratch (kept)" >&2
else
  trap 'rm -rf "$scratch"' EXIT
fi
say() { echo "scale: $*" >&2; }
grouped() { echo "$1" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
year=$(( $(date +%Y) - 1 ))

# ---- set-up ----
say "provisioning kiosk bench-01 with $units units; year $year"
kdir=$scratch/kiosk
unit_args=()
while IFS= read -r u; do unit_args+=(--unit "$u"); done < <("$bench_votes" --list-units "$units")
echo 1234 | "$office_bin" --db "$scratch/small.db" provision --kiosk bench-01 "${unit_args[@]}" \
  --survey-url 'https://s.example/q?k={kiosk}&u={unit}' --pin - --out "$kdir" >&2
first=$(date -d "$((year - 1))-12-01 00:00:00Z" +%s)
sqlite3 "$scratch/small.db" "UPDATE kiosks SET provisioned_utc = $first;
  UPDATE kiosk_first_provisioned SET utc = $first;" >&2
"$bench_votes" "$kdir/kiosk.db" "$sample" "$units"
mkdir "$scratch/out"
"$kiosk_bin" export --config "$kdir/kiosk.ini" --out "$scratch/out" >&2
"$office_bin" --db "$scratch/small.db" import "$scratch"/out/minping-*.csv >&2
cp "$scratch/small.db" "$scratch/big.db"
t0=$EPOCHREALTIME
"$bench_ledger" "$scratch/small.db" $((small - sample)) "$units" "$year"
"$bench_ledger" "$scratch/big.db" $((big - sample)) "$units" "$year"
say "ledgers made in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s;" \
  "sizes $(du -h "$scratch/small.db" | cut -f1) and $(du -h "$scratch/big.db" | cut -f1)"
mkdir "$scratch/rubric"
sed "s/^year = 2011\$/year = $year/" "$root/assets/rubric/hengshan-2011.ini" \
  >"$scratch/rubric/hengshan-$year.ini"
export MINPING_RUBRIC_DIR=$scratch/rubric LANG=C LANGUAGE=C

# ---- timing ----
# timed NAME DB ARGS...: runs minping-office --db DB ARGS..., output in
# $scratch/NAME.out, appends its time (s) to $scratch/NAME.times.
timed() {
  local name=$1 db=$2 t0 t1
  shift 2
  t0=$EPOCHREALTIME
  "$office_bin" --db "$db" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err" ||
    { echo "scale.sh: $name failed:" >&2; cat "$scratch/$name.err" >&2; exit 1; }
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >>"$scratch/$name.times"
}
median() { sort -g "$scratch/$1.times" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
row() {
  local ours base ratio
  ours=$(median "$2")
  base=$(median "$3")
  ratio=$(awk -v a="$ours" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
  say "$1: $(grouped "$big") votes $ours s, $(grouped "$small") votes $base s"
  printf 'ROW|%s|%.3f s|%.3f s (%s votes in the ledger)|%s×|≤ 2×|%s\n' "$1" "$ours" "$base" \
    "$(grouped "$small")" "$ratio" "$rerun"
}
for run in $(seq "$repeat"); do
  timed report-small "$scratch/small.db" report --year "$year"
  timed report-big "$scratch/big.db" report --year "$year"
  timed html-small "$scratch/small.db" report --year "$year" --format html
  timed html-big "$scratch/big.db" report --year "$year" --format html
  timed assess-small "$scratch/small.db" assess --year "$year"
  timed assess-big "$scratch/big.db" assess --year "$year"
done
# The large report counts every vote of the year: 有效票数 + 疑似刷票 + 已排除.
in_year=$(sqlite3 "$scratch/big.db" "SELECT count(*) FROM votes
  WHERE date(cast_utc + utc_offset, 'unixepoch') BETWEEN '$year-01-01' AND '$year-12-31'")
counted=$(awk 'NR > 3 && $1 ~ /^U[0-9]+$/ { n += $7 + $8 + $12 } END { print n + 0 }' "$scratch/report-big.out")
[ "$counted" = "$in_year" ] ||
  { echo "scale.sh: the report counts $counted votes of $year, the ledger has $in_year" >&2; exit 1; }
say "the large report counts all $(grouped "$in_year") votes of $year"
row "report --year, $(grouped "$big") votes in the ledger" report-big report-small
row "report --year --format html, $(grouped "$big") votes" html-big html-small
row "assess --year, $(grouped "$big") votes in the ledger" assess-big assess-small

#!/usr/bin/env bash
# bulk.sh - the bulk benchmarks: export, import and report of a million votes,
# each against the sqlite3 command-line tool doing the nearest plain job on
# the same data, in the same run.
#
# Usage: bash tests/bench/bulk.sh BUILD_DIR
#   MINPING_BENCH_VOTES   votes to make (default 1000000)
#   MINPING_BENCH_REPEAT  runs of each command; the median counts (default 3)
#   MINPING_BENCH_KEEP=1  keep the scratch folder (its path goes to stderr)
#
# Set-up (not timed), in a scratch folder inside BUILD_DIR (the same disk as
# the build, never tmpfs): `minping-office provision` of kiosk bench-01 with
# 200 units (tests/bench/bench_votes --list-units), so that kiosk.ini,
# kiosk.key and the office database agree; the kiosk's provisioning is then
# dated a year back (the votes are a year old, and would otherwise all be
# clock warnings); bench_votes makes the votes through the core's store.
#
# The figures, each command run MINPING_BENCH_REPEAT times, alternating with
# its baseline:
#   export  minping-kiosk export --config kiosk.ini --out DIR (a new DIR each
#           run) vs sqlite3 -csv writing the same 13 columns of every vote,
#           in seq order, computed in SQL (times, offset, rating label), to a
#           file.  Once, untimed, the two outputs are compared: the vote
#           lines must hold the same values.
#   import  minping-office import FILE (the export) into a fresh copy of the
#           provisioned, empty office database (copying untimed) vs sqlite3
#           NEWDB ".import --csv FILE t" of the same file into a new database
#           (which checks nothing; its signature line becomes a short row).
#   report  minping-office report --format csv on the imported database vs
#           the one GROUP BY query (unit, points, flagged) its counts need,
#           written as CSV.
# Standard output: one line per figure, "ROW|figure|value|baseline|ratio|
# target|command" (tests/bench/run.sh makes the table).  Everything else,
# including each run's time and peak RSS, goes to standard error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -ne 1 ] || [ "$1" = "--help" ] || [ "$1" = "-h" ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  [ $# -eq 1 ] && exit 0 || exit 2
fi
build=$(cd "$1" && pwd)
votes=${MINPING_BENCH_VOTES:-1000000}
repeat=${MINPING_BENCH_REPEAT:-3}
units=200
kiosk_bin=$build/minping-kiosk
office_bin=$build/minping-office
bench_votes=$build/tests/bench/bench_votes
for f in "$kiosk_bin" "$office_bin" "$bench_votes"; do
  [ -x "$f" ] || { echo "bulk.sh: $f is missing: build first" >&2; exit 1; }
done
command -v sqlite3 >/dev/null || { echo "bulk.sh: the sqlite3 tool is missing (apt install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bulk.sh: /usr/bin/time is missing (apt install time)" >&2; exit 1; }
case $votes in ''|*[!0-9]*) echo "bulk.sh: MINPING_BENCH_VOTES must be a number" >&2; exit 2;; esac
case $repeat in ''|*[!0-9]*|0) echo "bulk.sh: MINPING_BENCH_REPEAT must be a number from 1" >&2; exit 2;; esac

# How to rerun: the build folder as the caller would type it.
case $build in
  "$root"/*) shown_build=${build#"$root"/} ;;
  *) shown_build=$build ;;
esac
rerun="bash tests/bench/bulk.sh $shown_build"

scratch=$(mktemp -d "$build/bench-bulk.XXXXXX")
if [ "${MINPING_BENCH_KEEP:-}" = 1 ]; then
  echo "bulk: scratch folder $scratch (kept)" >&2
else
  trap 'rm -rf "$scratch"' EXIT
fi
say() { echo "bulk: $*" >&2; }

# 1,000,000 with commas.
grouped() { echo "$1" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }

# ---- set-up ----
say "provisioning kiosk bench-01 with $units units"
office_db=$scratch/office-empty.db
kdir=$scratch/kiosk
unit_args=()
while IFS= read -r u; do unit_args+=(--unit "$u"); done < <("$bench_votes" --list-units "$units")
echo 1234 | "$office_bin" --db "$office_db" provision --kiosk bench-01 "${unit_args[@]}" \
  --survey-url 'https://s.example/q?k={kiosk}&u={unit}' --pin - --out "$kdir" >&2
year_ago=$(( $(date +%s) - 400 * 86400 ))
sqlite3 "$office_db" "UPDATE kiosks SET provisioned_utc = $year_ago;
  UPDATE kiosk_first_provisioned SET utc = $year_ago;" >&2
[ ! -e "$office_db-wal" ] || { echo "bulk.sh: $office_db-wal left behind" >&2; exit 1; }

say "making $(grouped "$votes") votes"
t0=$EPOCHREALTIME
"$bench_votes" "$kdir/kiosk.db" "$votes" "$units"
say "made in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

# ---- timing ----
# run_timed NAME FN: runs FN (a function of this script, which uses $run),
# its output in $scratch/NAME.out/.err; appends its time (s) to
# $scratch/NAME.times and its peak RSS (KiB, /usr/bin/time) to NAME.rss.
run=0
run_timed() {
  local name=$1 fn=$2 t0 t1
  t0=$EPOCHREALTIME
  if ! /usr/bin/time -f %M -o "$scratch/$name.rss1" bash -c "$(declare -f "$fn"); $fn" \
       >"$scratch/$name.out" 2>"$scratch/$name.err"; then
    t1=$EPOCHREALTIME
    echo "bulk.sh: $name failed:" >&2
    cat "$scratch/$name.err" >&2
    exit 1
  fi
  t1=$EPOCHREALTIME
  local t
  t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  echo "$t" >>"$scratch/$name.times"
  tail -n 1 "$scratch/$name.rss1" >>"$scratch/$name.rss"
  say "$name, run $run: $t s, peak RSS $(tail -n 1 "$scratch/$name.rss1") KiB"
}

median() { sort -g "$scratch/$1.times" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max_rss() { sort -n "$scratch/$1.rss" | tail -n 1; }

# row FIGURE NAME BASE_NAME BASE_TEXT TARGET
row() {
  local ours base ratio
  ours=$(median "$2")
  base=$(median "$3")
  ratio=$(awk -v a="$ours" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
  say "$1: ours $ours s (peak RSS $(max_rss "$2") KiB), baseline $base s (peak RSS $(max_rss "$3") KiB)"
  printf 'ROW|%s|%.2f s|%.2f s (%s)|%s×|≤ %s×|%s\n' "$1" "$ours" "$base" "$4" "$ratio" "$5" "$rerun"
}

export scratch kiosk_bin office_bin kdir office_db
export -n run

# ---- export ----
# The 13 columns of the export, computed by SQLite itself.
export export_sql="SELECT 'bench-01', instance, seq, uuid,
  strftime('%Y-%m-%dT%H:%M:%SZ', cast_utc, 'unixepoch'),
  strftime('%Y-%m-%d %H:%M:%S', cast_utc + utc_offset, 'unixepoch'),
  printf('%s%02d:%02d', CASE WHEN utc_offset < 0 THEN '-' ELSE '+' END,
         abs(utc_offset) / 3600, abs(utc_offset) % 3600 / 60),
  unit_code, unit_name,
  CASE points WHEN 10 THEN '非常满意' WHEN 8 THEN '基本满意' WHEN 6 THEN '一般' ELSE '不满意' END,
  points, channel, flagged FROM votes ORDER BY seq"
ours_export() { "$kiosk_bin" export --config "$kdir/kiosk.ini" --out "$scratch/out.$run"; }
base_export() { sqlite3 -csv "$kdir/kiosk.db" "$export_sql" >"$scratch/baseline.csv"; }
for run in $(seq "$repeat"); do
  export run
  mkdir "$scratch/out.$run"
  run_timed export ours_export
  run_timed export-sqlite3 base_export
  # Keep the first export for the import; the others go.
  [ "$run" = 1 ] || rm -rf "$scratch/out.$run"
done
csv=$(ls "$scratch"/out.1/minping-*.csv)
say "export: $csv, $(stat -c %s "$csv") bytes; baseline $(stat -c %s "$scratch/baseline.csv") bytes"
# The vote lines must hold what the baseline wrote (sqlite3 quotes every
# field with a space or a non-ASCII character, and ends lines with LF).
if ! cmp -s <(tail -n +2 "$csv" | head -n -1 | tr -d '\r') <(tr -d '"' <"$scratch/baseline.csv"); then
  echo "bulk.sh: the export's vote lines differ from what sqlite3 wrote" >&2
  exit 1
fi
row "export, $(grouped "$votes") votes" export export-sqlite3 "sqlite3 -csv, same rows" 1.5

# ---- import ----
export csv
ours_import() { "$office_bin" --db "$scratch/office.db" import "$csv"; }
base_import() { sqlite3 "$scratch/plain.db" ".import --csv $csv t"; }
for run in $(seq "$repeat"); do
  export run
  rm -f "$scratch/office.db" "$scratch/office.db-wal" "$scratch/office.db-shm"
  cp "$office_db" "$scratch/office.db"
  run_timed import ours_import
  rm -f "$scratch/plain.db"
  run_timed import-sqlite3 base_import
done
grep -q " $votes new" "$scratch/import.out" ||
  { echo "bulk.sh: the import did not say $votes new votes:" >&2; cat "$scratch/import.out" >&2; exit 1; }
row "import, $(grouped "$votes") votes" import import-sqlite3 "sqlite3 .import --csv, no checks" 2

# ---- report ----
ours_report() { "$office_bin" --db "$scratch/office.db" report --format csv; }
base_report() { sqlite3 -csv "$scratch/office.db" "SELECT unit_code, points, flagged, count(*) FROM votes GROUP BY unit_code, points, flagged"; }
for run in $(seq "$repeat"); do
  export run
  run_timed report ours_report
  run_timed report-sqlite3 base_report
done
# Every vote is in the report: the sum of 有效票数 and 疑似刷票 is the votes made.
sum=$(tail -n +2 "$scratch/report.out" | awk -F, '{ n += $7 + $8 } END { print n + 0 }')
[ "$sum" = "$votes" ] || { echo "bulk.sh: the report counts $sum votes, not $votes" >&2; exit 1; }
row "report, $(grouped "$votes") votes, $units units" report report-sqlite3 "sqlite3 GROUP BY" 2

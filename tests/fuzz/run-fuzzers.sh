#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz for a bounded time each, starting
# from the seed corpora in tests/fuzz/corpus/<target>/ (left unchanged: new
# inputs go to a scratch folder).  Any crash, sanitizer report, leak,
# timeout (10 s for one input) or memory blow-up (2 GB) fails it, and the
# input that did it is kept and named.
#
#   tests/fuzz/run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET [TARGET...]]
#
# BUILD_DIR was configured with -DCMAKE_C_COMPILER=clang -DMINPING_FUZZ=ON and
# the targets built.  SECONDS_PER_TARGET defaults to 60; TARGET to all of
# fuzz_export fuzz_units fuzz_config fuzz_salvage fuzz_survey fuzz_wjx
# fuzz_rubric fuzz_arecord.  FUZZ_WORK names the scratch folder
# (default: a new temporary one, removed when everything passed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS_PER_TARGET [TARGET...]]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_export fuzz_units fuzz_config fuzz_salvage fuzz_survey fuzz_wjx fuzz_rubric
           fuzz_arecord)
fi
work=${FUZZ_WORK:-}
keep_work=1
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/minping-fuzz.XXXXXX")
  keep_work=0
fi

# The longest input each target is given: an export of a few hundred votes,
# a registry of a few hundred units, a kiosk.ini of 200 units, a kiosk
# database of a few dozen votes with a WAL of a few commits, a rubric a few
# times the shipped one's size, a record file of a few hundred rows.  (Larger files
# are tried once each by check_hostile: a 10 MB line, a 10 MB field.)
max_len() {
  case $1 in
    fuzz_config) echo 16384 ;;
    fuzz_salvage) echo 131072 ;;
    *) echo 65536 ;;
  esac
}

failed=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  if [ ! -x "$bin" ]; then
    echo "run-fuzzers: $bin is missing (build it first)" >&2
    exit 2
  fi
  mkdir -p "$work/$t"
  log="$work/$t.log"
  start=$(date +%s)
  set +e
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len="$(max_len "$t")" -dict="$here/$t.dict" \
      -artifact_prefix="$work/$t-" -print_final_stats=1 \
      "$work/$t" "$here/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9A-Za-z]+' || true)
  if [ "$rc" -eq 0 ]; then
    echo "$t: ${runs:-?} inputs in ${took} s, ${last:-no stats}: no crash, leak or timeout"
  else
    failed=1
    echo "$t: FAILED (exit status $rc) after ${runs:-?} inputs in ${took} s; the end of its log:"
    tail -n 60 "$log" | sed 's/^/  /'
    for a in "$work/$t"-*; do
      [ -e "$a" ] && echo "  input kept: $a (reproduce: $bin $a)"
    done
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "run-fuzzers: failed; logs and inputs in $work" >&2
  exit 1
fi
if [ "$keep_work" -eq 0 ]; then
  rm -rf "$work"
fi

#!/usr/bin/env bash
# Online survey part of tests/bench/run.sh: durable votes per second and p99
# at 1, 16 and 64 clients, minping-survey against a bare libmicrohttpd
# handler doing one durable commit per request (bench_survey).
# Usage: tests/bench/survey.sh BUILD_DIR
set -euo pipefail
build=$1
"$build/tests/bench/bench_survey" "$build/minping-survey" "$build/minping-office" |
  tee /dev/stderr | grep '^ROW|'

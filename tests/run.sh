#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is needed,
# builds in build/ and runs every test through ctest; then builds again in
# build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the whole suite a second time; then builds the libFuzzer targets with clang
# in build-fuzz/ and runs each for 30 s (tests/fuzz/run-fuzzers.sh).  Any
# failure, sanitizer report, fuzzer crash, leak or timeout fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/deps.sh --test
jobs=$(nproc)
passed=0

# Runs ctest with the given arguments and adds the number of tests it ran to
# $passed (it stops the script, through pipefail, when any fails).
run_ctest() {
  local log n
  log=$(mktemp)
  ctest "$@" 2>&1 | tee "$log"
  n=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
  rm -f "$log"
  passed=$((passed + ${n:-0}))
}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
run_ctest --test-dir build --output-on-failure -j2

echo "== the same suite under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMINPING_SANITIZE=ON
cmake --build build-asan -j"$jobs"
# SDL's software path keeps Mesa (loaded and unloaded at run time, so its
# allocations cannot be attributed) out of the sanitized processes.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0 \
  run_ctest --test-dir build-asan --output-on-failure -j2

echo "== fuzzing: each libFuzzer target for 30 s (clang, AddressSanitizer + UndefinedBehaviorSanitizer)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINPING_FUZZ=ON
fuzzers=(fuzz_export fuzz_units fuzz_config fuzz_salvage fuzz_survey fuzz_wjx fuzz_rubric
         fuzz_arecord)
cmake --build build-fuzz -j"$jobs" --target "${fuzzers[@]}"
tests/fuzz/run-fuzzers.sh build-fuzz 30 "${fuzzers[@]}"
passed=$((passed + ${#fuzzers[@]}))

echo "run.sh: $passed passed, 0 failed"

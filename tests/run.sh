#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is needed,
# builds in build/ and runs every test through ctest; then builds again in
# build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the whole suite a second time; then builds the libFuzzer targets with clang
# in build-fuzz/ and runs each for 60 s (tests/fuzz/run-fuzzers.sh).  Any
# failure, sanitizer report, fuzzer crash, leak or timeout fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/deps.sh --test
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j2

echo "== the same suite under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMINPING_SANITIZE=ON
cmake --build build-asan -j"$jobs"
# SDL's software path keeps Mesa (loaded and unloaded at run time, so its
# allocations cannot be attributed) out of the sanitized processes.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0 \
  ctest --test-dir build-asan --output-on-failure -j2

echo "== fuzzing: each libFuzzer target for 60 s (clang, AddressSanitizer + UndefinedBehaviorSanitizer)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINPING_FUZZ=ON
cmake --build build-fuzz -j"$jobs" --target fuzz_export fuzz_units fuzz_config
tests/fuzz/run-fuzzers.sh build-fuzz 60

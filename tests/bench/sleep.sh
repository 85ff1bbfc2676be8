#!/usr/bin/env bash
# Sleep-hours benchmark: the CPU a kiosk costs asleep outside its open hours
# (sleep screen: a black frame, backlight off where there is one) against
# the same kiosk resting on the units screen, both running at the same time
# on one Xvfb display for the same seconds, with the service's watchdog
# settings (WatchdogSec=30: WATCHDOG_USEC set, pinged every 15 s; no
# NOTIFY_SOCKET, so the pings go nowhere).
#
#   tests/bench/sleep.sh BUILD_DIR
#
# CPU time is the kernel's run time of each process (/proc/PID/schedstat,
# nanoseconds; utime + stime of /proc/PID/stat only counts 10 ms ticks),
# and wake-ups are its voluntary context switches (/proc/PID/status).
# Prints "ROW|figure|value|baseline|ratio|target|command" lines (see
# run.sh); progress goes to standard error.  Environment:
# MINPING_BENCH_SLEEP_SECONDS (60).
set -euo pipefail
build=$(cd "${1:?usage: sleep.sh BUILD_DIR}" && pwd)
KIOSK=$build/minping-kiosk
OFFICE=$build/minping-office
secs=${MINPING_BENCH_SLEEP_SECONDS:-60}
cmd="bash tests/bench/sleep.sh build"
for tool in Xvfb jq; do
  command -v "$tool" >/dev/null || { echo "sleep.sh: $tool is missing (bash tests/deps.sh --test)" >&2; exit 1; }
done
work=$(mktemp -d "$build/bench-sleep-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "sleep.sh: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

fifo=$work/display
exec 5>"$fifo"
Xvfb -displayfd 5 -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$fifo" ] && break; sleep 0.1; done
exec 5>&-
[ -s "$fifo" ] || fail "Xvfb did not start"
export DISPLAY=":$(head -1 "$fifo")"

# provision NAME [OPTIONS]: a kiosk with six units in $work/NAME.
provision() {
  local name=$1
  shift
  "$OFFICE" --db "$work/office.db" provision --kiosk "bench-$name" \
    --unit TS01=城关镇人民政府 --unit TS02=河口乡人民政府 --unit GA01=县公安局 \
    --unit RS01=县人力资源和社会保障局 --unit MZ01=县民政局 --unit ZJ01=县住房和城乡建设局 \
    --survey-url 'https://survey.example.org/q?k={kiosk}&u={unit}' --pin 2468 \
    --out "$work/$name" "$@" >/dev/null
}
# Asleep: open only on the day after tomorrow, so not during the run; it
# goes to sleep once left alone for 5 s.
open_day=$(( ($(date +%u) + 1) % 7 + 1 ))
provision resting
provision asleep --open-days "$open_day" --idle-seconds 5

# start NAME: the kiosk of $work/NAME; prints its pid.
start() {
  WATCHDOG_USEC=30000000 "$KIOSK" --config "$work/$1/kiosk.ini" --ui-dump "$work/$1/ui.json" \
    >/dev/null 2>>"$work/$1.log" &
  echo $!
}
# wait_for NAME SCREEN PID
wait_for() {
  for _ in $(seq 400); do
    [ -s "$work/$1/ui.json" ] && [ "$(jq -r .screen "$work/$1/ui.json" 2>/dev/null)" = "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || fail "kiosk $1 exited: $(tail -3 "$work/$1.log")"
    sleep 0.05
  done
  fail "kiosk $1 never showed screen $2"
}
rpid=$(start resting)
pids+=("$rpid")
apid=$(start asleep)
pids+=("$apid")
wait_for resting units "$rpid"
wait_for asleep sleep "$apid"
sleep 2

run_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wakeups() { awk '/^voluntary_ctxt_switches:/ {print $2}' "/proc/$1/status"; }
say "measuring both for $secs s"
r0=$(run_ns "$rpid"); a0=$(run_ns "$apid")
rt0=$(ticks "$rpid"); at0=$(ticks "$apid")
rw0=$(wakeups "$rpid"); aw0=$(wakeups "$apid")
sleep "$secs"
r1=$(run_ns "$rpid"); a1=$(run_ns "$apid")
rt1=$(ticks "$rpid"); at1=$(ticks "$apid")
rw1=$(wakeups "$rpid"); aw1=$(wakeups "$apid")
[ "$(jq -r .screen "$work/asleep/ui.json")" = sleep ] || say "warning: the asleep kiosk woke during the run"
[ "$(jq -r .screen "$work/resting/ui.json")" = units ] || say "warning: the resting kiosk left the units screen"

hz=$(getconf CLK_TCK)
ms() { awk -v n="$1" 'BEGIN {printf "%.2f", n / 1e6}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f×", a / b; else print "—"}'; }
rms=$(ms $((r1 - r0))); ams=$(ms $((a1 - a0)))
say "resting: $rms ms CPU ($((rt1 - rt0)) ticks of 1/$hz s), $((rw1 - rw0)) wake-ups"
say "asleep:  $ams ms CPU ($((at1 - at0)) ticks of 1/$hz s), $((aw1 - aw0)) wake-ups"
echo "ROW|CPU time over $secs s asleep outside the open hours (sleep screen, software, 1920×1080)|$ams ms|$rms ms: the same kiosk resting on the units screen, same seconds|$(ratio $((a1 - a0)) $((r1 - r0)))|< 1×|$cmd"
echo "ROW|wake-ups over $secs s asleep (voluntary context switches)|$((aw1 - aw0))|$((rw1 - rw0)): resting on the units screen|$(ratio $((aw1 - aw0)) $((rw1 - rw0)))|< 1×|$cmd"
say "done"

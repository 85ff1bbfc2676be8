#!/usr/bin/env bash
# Kiosk benchmarks (issue "Fast on a 20-dollar board"): tap to thanks frame,
# start-up, idle cost and peak memory of the real minping-kiosk, each against
# a baseline measured in the same run, under Xvfb, with both renderers
# (software: SDL's software renderer; gpu: OpenGL through Mesa here).  First,
# as context for the p99 figures, the machine's own spread on a fixed job
# (bench_noise).
#
#   tests/bench/kiosk.sh BUILD_DIR
#
# Prints its figures on standard output as
#   ROW|figure|value|baseline|ratio|target|command
# (tests/bench/run.sh turns them into the table of docs/performance.md); progress goes to
# standard error.  Environment: MINPING_BENCH_TAPS (500), MINPING_BENCH_STARTS
# (10), MINPING_BENCH_IDLE_SECONDS (60), MINPING_BENCH_RENDERERS ("software gpu").
set -euo pipefail
build=$(cd "${1:?usage: kiosk.sh BUILD_DIR}" && pwd)
KIOSK=$build/minping-kiosk
OFFICE=$build/minping-office
BENCH=$build/tests/bench
taps=${MINPING_BENCH_TAPS:-500}
starts=${MINPING_BENCH_STARTS:-10}
idle_s=${MINPING_BENCH_IDLE_SECONDS:-60}
renderers=${MINPING_BENCH_RENDERERS:-software gpu}
cmd="bash tests/bench/kiosk.sh build"
for tool in Xvfb xdotool jq; do
  command -v "$tool" >/dev/null || { echo "kiosk.sh: $tool is missing (bash tests/deps.sh --test)" >&2; exit 1; }
done
# Scratch space on the disk the build is on (tap latency includes its fsync).
work=$(mktemp -d "$build/bench-kiosk-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "kiosk.sh: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

# start_xvfb WxH: starts a display of that size and exports DISPLAY.
start_xvfb() {
  local fifo=$work/display.$1
  exec 5>"$fifo"
  Xvfb -displayfd 5 -screen 0 "${1}x24" -nolisten tcp >"$work/xvfb.$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$fifo" ] && break; sleep 0.1; done
  exec 5>&-
  [ -s "$fifo" ] || fail "Xvfb did not start"
  export DISPLAY=":$(head -1 "$fifo")"
}

# provision DIR RENDERER [EXTRA OPTIONS]: a kiosk with six units, PIN 2468.
provision() {
  local dir=$1 renderer=$2
  shift 2
  "$OFFICE" --db "$work/office.db" provision --kiosk "bench-$RANDOM" --force \
    --unit TS01=城关镇人民政府 --unit TS02=河口乡人民政府 --unit GA01=县公安局 \
    --unit RS01=县人力资源和社会保障局 --unit MZ01=县民政局 --unit ZJ01=县住房和城乡建设局 \
    --survey-url 'https://survey.example.org/q?k={kiosk}&u={unit}' --pin 2468 \
    --renderer "$renderer" --export-dir "$dir/exports" --out "$dir" "$@" >/dev/null
  mkdir -p "$dir/exports"
}

# The kiosk being driven: start_kiosk CONFIG; its pid in $kiosk_pid, dump in $dump.
dump=$work/ui.json
kiosk_pid=
start_kiosk() {
  rm -f "$dump"
  "$KIOSK" --config "$1" --ui-dump "$dump" 2>>"$work/kiosk.log" &
  kiosk_pid=$!
  pids+=("$kiosk_pid")
}
stop_kiosk() {
  kill -TERM "$kiosk_pid" 2>/dev/null || true
  wait "$kiosk_pid" 2>/dev/null || true
  kiosk_pid=
}
# wait_screen, centre, click, hold_hotspot
# shellcheck source=tests/ui/drive.sh
. "$(dirname "$0")/../ui/drive.sh"
# Every screen in turn: units, rating, a vote, thanks, back, the PIN pad,
# admin, an export, and back to units.
visit_all() {
  wait_screen units
  click unit.RS01; wait_screen rating
  click rate.8; wait_screen thanks
  sleep 3.2; click thanks.done; wait_screen units  # after the 3 s cooldown
  hold_hotspot; wait_screen pin
  local dg
  for dg in 2 4 6 8; do click "pin.$dg"; done
  click pin.ok; wait_screen admin
  click admin.export; sleep 1
  click admin.close; wait_screen units
}
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a / b}'; }

start_xvfb 1920x1080
say "display $DISPLAY at 1920x1080"

# 0. The machine's own spread: a fixed job's p99 against its median, the
# context for the p99 figures (no target).
say "machine noise: a fixed job, $taps runs"
out=$("$BENCH/bench_noise" --runs "$taps" 2>>"$work/tap.log") || fail "bench_noise failed"
read -r nmed np99 < <(sed -n 's/^noise_ms median=\([^ ]*\) p99=\(.*\)/\1 \2/p' <<<"$out")
echo "ROW|machine noise: one fixed job (8 MiB fill + 2 MiB copy), p99 of $taps runs|$np99 ms (median $nmed)|its own median|$(ratio "$np99" "$nmed")|— (context)|$cmd"

# 1. Tap to thanks frame, vote durable, against its floor (same process,
# same window, same disk, interleaved), with the spoken prompts on (the
# kiosk's default; SDL's dummy audio driver stands in for a sound card: it
# takes the samples at the card's pace); then the same taps with voice off,
# the baseline of the voice's cost.
export SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy}
for r in $renderers; do
  for voice in on off; do
    d=$work/tap-$r-$voice
    mkdir -p "$d"
    say "tap latency, $r renderer, voice $voice, $taps taps"
    out=$("$BENCH/bench_tap" "$d" --taps "$taps" --renderer "$r" --voice "$voice" 2>>"$work/tap.log") ||
      fail "bench_tap failed: $(tail -3 "$work/tap.log")"
    read -r tmed tp99 < <(sed -n 's/^tap_ms median=\([^ ]*\) p99=\(.*\)/\1 \2/p' <<<"$out")
    read -r fmed fp99 < <(sed -n 's/^floor_ms median=\([^ ]*\) p99=\(.*\)/\1 \2/p' <<<"$out")
    if [ "$voice" = on ]; then
      vp99=$tp99
      echo "ROW|tap → thanks frame, vote durable, p99 ($r, voice on, reasons offered after 一般/不满意, 1920×1080, $taps taps)|$tp99 ms (median $tmed)|$fp99 ms (median $fmed): one insert+commit, same pragmas and disk, + one bare present|$(ratio "$tp99" "$fp99")|≤ 1.5×|$cmd"
      read -r rmed rp99 rn < <(sed -n 's/^reason_ms median=\([^ ]*\) p99=\([^ ]*\) n=\(.*\)/\1 \2 \3/p' <<<"$out")
      [ -n "$rp99" ] &&
        echo "ROW|tap on a reason → shown recorded, follow-up durable, p99 ($r, voice on, $rn taps)|$rp99 ms (median $rmed)|$fp99 ms (median $fmed): the same floor|$(ratio "$rp99" "$fp99")|≤ 1.5×|$cmd"
    else
      echo "ROW|tap → thanks frame with voice on, p99 ($r, $taps taps)|$vp99 ms|$tp99 ms (median $tmed): the same taps with voice off (floor $fp99 ms)|$(ratio "$vp99" "$tp99")|— (the voice's cost)|$cmd"
    fi
  done
done
out=$("$BENCH/bench_voice" --runs "$taps" 2>>"$work/tap.log") || fail "bench_voice failed"
read -r vmed vp99 < <(sed -n 's/^voice_ms median=\([^ ]*\) p99=\(.*\)/\1 \2/p' <<<"$out")
echo "ROW|the voice's own work in a tap (voice_say + voice_say_next), p99 of $taps|$vp99 ms (median $vmed)|— (measured alone)|—|— (context)|$cmd"

# 2. Start-up: exec to the first frame (ui-dump written), median of N, full
# screen, against bench_bare opening the same window with the same renderer.
for r in $renderers; do
  d=$work/start-$r
  mkdir -p "$d"
  provision "$d" "$r"
  say "start-up, $r renderer, median of $starts"
  k=$("$BENCH/bench_startup" "$starts" "$d/ui.json" -- "$KIOSK" --config "$d/kiosk.ini" \
      --ui-dump "$d/ui.json" 2>>"$work/kiosk.log") || fail "kiosk start-up failed"
  b=$("$BENCH/bench_startup" "$starts" "$d/bare.json" -- "$BENCH/bench_bare" --renderer "$r" \
      --mark "$d/bare.json") || fail "bare start-up failed"
  km=$(sed -n 's/.*median=\([^ ]*\).*/\1/p' <<<"$k")
  bm=$(sed -n 's/.*median=\([^ ]*\).*/\1/p' <<<"$b")
  echo "ROW|start-up to first interactive frame, median of $starts ($r)|$km ms|$bm ms: bare SDL program, same window and renderer, one frame|$(ratio "$km" "$bm")|≤ 1.5×|$cmd"
done

# 3. Memory: peak RSS after a vote and a visit to every screen, at two sizes,
# against the bare program's peak with the same renderer.
for size in 1920x1080 3840x2160; do
  [ "$size" = 1920x1080 ] || start_xvfb "$size"
  for r in $renderers; do
    d=$work/mem-$size-$r
    mkdir -p "$d"
    provision "$d" "$r"
    say "memory, $size, $r renderer"
    start_kiosk "$d/kiosk.ini"
    visit_all
    k=$(hwm_kb "$kiosk_pid")
    stop_kiosk
    "$BENCH/bench_bare" --renderer "$r" --mark "$d/bare.json" --stay &
    bpid=$!
    pids+=("$bpid")
    for _ in $(seq 200); do [ -s "$d/bare.json" ] && break; sleep 0.05; done
    sleep 0.5
    b=$(hwm_kb "$bpid")
    kill -TERM "$bpid"; wait "$bpid" || true
    echo "ROW|peak RSS after a vote and every screen ($r, ${size/x/×})|$(mb "$k")|$(mb "$b"): bare SDL program, same renderer|+$(awk -v a="$k" -v b="$b" 'BEGIN {printf "%.1f MB", (a - b) / 1024}')|≤ +32 MB|$cmd"
  done
done

# 4. Idle cost: CPU time over idle_s seconds resting on each screen (the
# default renderer, 1920x1080), against the bare program sleeping in
# SDL_WaitEvent over the same seconds.
start_xvfb 1920x1080
d=$work/idle
mkdir -p "$d"
provision "$d" software --thanks-seconds 600 --idle-seconds 3600
# A kiosk whose database cannot be opened rests on the out-of-service screen.
mkdir -p "$d/broken"
sed 's|^db = .*|db = /nonexistent/minping-bench/kiosk.db|' "$d/kiosk.ini" >"$d/broken/kiosk.ini"
cp "$d/kiosk.key" "$d/broken/"
hz=$(getconf CLK_TCK)
pct() { awk -v t="$1" -v hz="$hz" -v s="$idle_s" 'BEGIN {printf "%.3f", 100 * t / hz / s}'; }
idle_row() { # idle_row PID: percent of one core over idle_s seconds
  local t0
  sleep 2
  t0=$(cpu_ticks "$1")
  sleep "$idle_s"
  pct $(($(cpu_ticks "$1") - t0))
}
"$BENCH/bench_bare" --renderer software --stay --mark "$d/bare.json" &
bpid=$!
pids+=("$bpid")
start_kiosk "$d/kiosk.ini"
wait_screen units
say "idle: units screen, and the bare program beside it, $idle_s s"
sleep 2
k0=$(cpu_ticks "$kiosk_pid"); b0=$(cpu_ticks "$bpid")
sleep "$idle_s"
units_pct=$(pct $(($(cpu_ticks "$kiosk_pid") - k0)))
bare_pct=$(pct $(($(cpu_ticks "$bpid") - b0)))
kill -TERM "$bpid"; wait "$bpid" || true
emit_idle() {
  echo "ROW|idle CPU over ${idle_s} s, $1 screen (software, 1920×1080)|$2 % of one core|$bare_pct %: bare SDL program asleep in SDL_WaitEvent|—|< 0.5 %|$cmd"
}
emit_idle units "$units_pct"
click unit.RS01; wait_screen rating
say "idle: rating screen"; emit_idle rating "$(idle_row "$kiosk_pid")"
click rate.8; wait_screen thanks
say "idle: thanks screen (counting down)"; emit_idle "thanks (countdown)" "$(idle_row "$kiosk_pid")"
sleep 3; click thanks.done; wait_screen units
hold_hotspot; wait_screen pin
say "idle: PIN pad"; emit_idle pin "$(idle_row "$kiosk_pid")"
for dg in 2 4 6 8; do click "pin.$dg"; done
click pin.ok; wait_screen admin
say "idle: admin screen"; emit_idle admin "$(idle_row "$kiosk_pid")"
stop_kiosk
start_kiosk "$d/broken/kiosk.ini"
wait_screen error
say "idle: out-of-service screen (probing storage every 5 s)"
emit_idle "out-of-service" "$(idle_row "$kiosk_pid")"
stop_kiosk
# Asleep outside the open hours: open only on another weekday than today
# (a run that crosses midnight measures an awake kiosk: it says so).
mkdir -p "$d/asleep"
other_day=$(( $(date +%u) % 7 + 1 ))
sed "s|^\[kiosk\]\$|[kiosk]\nopen_days = $other_day|; s|^idle_seconds = .*|idle_seconds = 5|" \
  "$d/kiosk.ini" >"$d/asleep/kiosk.ini"
cp "$d/kiosk.key" "$d/asleep/"
start_kiosk "$d/asleep/kiosk.ini"
wait_screen sleep
say "idle: asleep outside the open hours (black frame, no redraws)"
emit_idle "sleep" "$(idle_row "$kiosk_pid")"
[ "$(jq -r .screen "$dump")" = sleep ] || say "warning: the kiosk woke during the measurement"
stop_kiosk
say "done"

#!/usr/bin/env bash
# Crash the real kiosk again and again: minping-kiosk, full screen on Xvfb,
# votes cast by xdotool clicks at the rectangles of its --ui-dump, killed with
# SIGKILL by a timer of its own at a random moment (up to 1.5 s after the
# first screen; one trial in eight while it is still starting),
# and started again as a service manager would.  After every trial:
#   - every vote the kiosk acknowledged is in the database with its unit and
#     points: "vote stored: seq=N" is logged after the commit returns and
#     before the thanks frame is drawn or the ui-dump says "thanks", so a
#     logged vote or a thanks seen by this script is a committed vote;
#   - each thanks screen seen here has its log line;
#   - the database was never seen as damaged (no kiosk.db.damaged-*).
# At the end: PRAGMA integrity_check is ok, seq runs 1..N without a gap, the
# kiosk comes back to its first screen by itself and stops on SIGTERM.
# Before the trials, the lockdown in a real window: Escape, Alt+F4, Ctrl+Q,
# Ctrl+C, Ctrl+W and a WM_DELETE_WINDOW close request leave it running.
#   sigkill_xvfb.sh KIOSK_BIN OFFICE_BIN XCLOSE_BIN [TRIALS]
# TRIALS (default 100) can also come from $MINPING_SIGKILL_TRIALS.
set -euo pipefail
KIOSK=$1
OFFICE=$2
XCLOSE=$3
TRIALS=${MINPING_SIGKILL_TRIALS:-${4:-100}}
for tool in Xvfb xdotool sqlite3 jq; do
  command -v "$tool" >/dev/null || { echo "sigkill: $tool is missing (bash tests/deps.sh --test)"; exit 1; }
done
work=$(mktemp -d /tmp/minping-sigkill-XXXXXX)
xvfb_pid=
kiosk_pid=
cleanup() {
  [ -n "$kiosk_pid" ] && kill -KILL "$kiosk_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "sigkill: FAIL: $*"; echo "--- last kiosk log"; cat "$log" 2>/dev/null || true; exit 1; }

exec 5>"$work/display"
Xvfb -displayfd 5 -screen 0 800x480x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$work/display")"
export SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0

"$OFFICE" --db "$work/office.db" provision --kiosk crash-room --unit GA01=县公安局 \
  --survey-url 'https://survey.example.org/q?k={kiosk}&u={unit}' --pin 2468 --out "$work/kiosk" \
  --thanks-seconds 3 --cooldown-seconds 0 --burst-votes 10000 >/dev/null
cfg="$work/kiosk/kiosk.ini"
db="$work/kiosk/kiosk.db"
dump="$work/ui.json"
log="$work/kiosk.log"

start_kiosk() {
  rm -f "$dump"
  "$KIOSK" --config "$cfg" --ui-dump "$dump" 2>"$log" &
  kiosk_pid=$!
}

# "screen serial x y" of the dump, x y being the centre of element $1 if present.
look() {
  jq -r --arg id "$1" '"\(.screen) \(.serial) " +
    ((.elements[] | select(.id == $id) | "\(.x + (.w/2|floor)) \(.y + (.h/2|floor))") // "- -")' \
    "$dump" 2>/dev/null | head -1
}

wait_first_screen() {
  for _ in $(seq 400); do
    if [ -s "$dump" ] && [ "$(jq -r .screen "$dump" 2>/dev/null)" = rating ]; then return 0; fi
    kill -0 "$kiosk_pid" 2>/dev/null || fail "kiosk exited while starting"
    sleep 0.025
  done
  fail "the kiosk did not come back to its first screen (dump: $(cat "$dump" 2>/dev/null))"
}

# --- lockdown in a real window
start_kiosk
wait_first_screen
win=$(xdotool search --pid "$kiosk_pid" 2>/dev/null | head -1 || true)
[ -n "$win" ] || fail "no window for the kiosk"
xdotool key Escape key alt+F4 key ctrl+q key ctrl+c key ctrl+w key alt+Tab
"$XCLOSE" "$win" || fail "could not send WM_DELETE_WINDOW"
sleep 0.7
kill -0 "$kiosk_pid" 2>/dev/null || fail "a key or a close request ended the kiosk"
[ "$(jq -r .screen "$dump")" = rating ] || fail "keys changed the screen"
kill -KILL "$kiosk_pid"; wait "$kiosk_pid" 2>/dev/null || true; kiosk_pid=
echo "sigkill: lockdown: Escape, Alt+F4, Ctrl+Q, Ctrl+C, Ctrl+W, Alt+Tab, WM_DELETE_WINDOW ignored"

# --- the trials
RANDOM=20261127
: >"$work/acked"
startup_kills=0; voting_kills=0; thanks_seen_total=0; clicks=0
for trial in $(seq "$TRIALS"); do
  start_kiosk
  if [ $((RANDOM % 8)) = 0 ]; then
    # Killed while starting (opening the database, recovering the WAL, ...).
    sleep "0.$(printf '%03d' $((RANDOM % 400)))"
    startup_kills=$((startup_kills + 1))
  else
    wait_first_screen
    # The kill comes from its own timer, so that it lands anywhere in the
    # kiosk's work, not just after a click has been delivered.
    delay=$((RANDOM % 1500))
    ( sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"; kill -KILL "$kiosk_pid" 2>/dev/null ) &
    killer=$!
    last_serial=0; thanks_seen=0
    while kill -0 "$kiosk_pid" 2>/dev/null; do
      rate="rate.$(echo 10 8 6 0 | cut -d' ' -f$((RANDOM % 4 + 1)))"
      read -r screen serial x y < <(look "$rate"; true) || true
      case "$screen" in
        rating) ;;
        thanks)
          if [ "$serial" != "$last_serial" ]; then thanks_seen=$((thanks_seen + 1)); fi
          read -r screen serial x y < <(look thanks.done; true) || true ;;
        "") continue ;;
        *) fail "trial $trial: unexpected screen $screen" ;;
      esac
      last_serial=$serial
      if [ "$x" != - ] && [ -n "$x" ]; then
        xdotool mousemove "$x" "$y" click 1 2>/dev/null || true
        clicks=$((clicks + 1))
      fi
    done
    wait "$killer" 2>/dev/null || true
    voting_kills=$((voting_kills + 1))
  fi
  kill -KILL "$kiosk_pid" 2>/dev/null || true
  wait "$kiosk_pid" 2>/dev/null || true
  kiosk_pid=
  grep -o 'vote stored: seq=[0-9]* unit=[A-Za-z0-9_-]* points=[0-9]*' "$log" >>"$work/acked" || true
  logged=$(grep -c 'vote stored' "$log" || true)
  if [ "${thanks_seen:-0}" -gt "$logged" ]; then
    fail "trial $trial: $thanks_seen thanks screens seen but only $logged votes logged"
  fi
  thanks_seen_total=$((thanks_seen_total + ${thanks_seen:-0})); thanks_seen=0
  if grep -q damaged "$log" || ls "$db".damaged-* >/dev/null 2>&1; then
    fail "trial $trial: the database was found damaged after SIGKILL"
  fi
  if [ $((trial % 10)) = 0 ]; then
    ok=$(sqlite3 -readonly "$db" "PRAGMA integrity_check" 2>&1)
    [ "$ok" = ok ] || fail "trial $trial: integrity_check: $ok"
  fi
done

# --- afterwards: every acknowledged vote is there, nothing else is wrong
start_kiosk
wait_first_screen
kill -TERM "$kiosk_pid"
wait "$kiosk_pid" || fail "kiosk exited non-zero on SIGTERM"
kiosk_pid=
acked=$(wc -l <"$work/acked")
[ "$acked" -gt 0 ] || fail "no vote was acknowledged in $TRIALS trials"
values=$(sed -E 's/vote stored: seq=([0-9]+) unit=([^ ]+) points=([0-9]+)/(\1,'"'"'\2'"'"',\3)/' "$work/acked" | paste -sd,)
present=$(sqlite3 -readonly "$db" "SELECT count(*) FROM votes WHERE (seq, unit_code, points) IN (VALUES $values)")
ok=$(sqlite3 -readonly "$db" "PRAGMA integrity_check")
read -r count max min < <(sqlite3 -readonly -separator ' ' "$db" "SELECT count(*), coalesce(max(seq),0), coalesce(min(seq),1) FROM votes")
[ "$ok" = ok ] || fail "integrity_check: $ok"
[ "$present" = "$acked" ] || fail "$((acked - present)) acknowledged votes lost ($present of $acked found)"
[ "$count" = "$max" ] && [ "$min" = 1 ] || fail "seq has gaps: $count votes, seq $min..$max"
echo "sigkill: $TRIALS SIGKILLs ($startup_kills while starting, $voting_kills while voting; $clicks clicks); $acked votes acknowledged, $thanks_seen_total thanks screens seen; $count in the database ($((count - acked)) stored but killed before acknowledging); 0 lost; integrity_check ok; seq 1..$max without a gap; back on the first screen by itself after every restart"

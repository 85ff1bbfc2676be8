#!/usr/bin/env bash
# End-to-end: a real kiosk window, full screen on Xvfb, provisioned by the
# office tool and clicked with xdotool at the rectangles its --ui-dump reports.
# Checks the stored vote with sqlite3, reads the QR code back from a screenshot
# with zbarimg, opens the admin screen with the hold + PIN path, and checks
# that keys and SIGTERM behave.
#   e2e_xvfb.sh KIOSK_BIN OFFICE_BIN
set -euo pipefail
KIOSK=$1
OFFICE=$2
for tool in Xvfb xdotool import zbarimg sqlite3 jq; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (bash tests/deps.sh --test)"; exit 1; }
done
work=$(mktemp -d /tmp/minping-e2e-XXXXXX)
xvfb_pid=
kiosk_pid=
cleanup() {
  [ -n "$kiosk_pid" ] && kill "$kiosk_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "e2e: FAIL: $*"; echo "--- kiosk log"; cat "$work/kiosk.log" 2>/dev/null || true; exit 1; }

# A display of our own.
exec 5>"$work/display"
Xvfb -displayfd 5 -screen 0 1024x600x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$work/display")"
echo "e2e: Xvfb on $DISPLAY"

"$OFFICE" --db "$work/office.db" provision --kiosk e2e-room --unit GA01=县公安局 \
  --unit RS01=县人力资源和社会保障局 --unit TS01=城关镇人民政府 \
  --survey-url 'https://survey.example.org/q?k={kiosk}&u={unit}' --pin 2468 --out "$work/kiosk" \
  >/dev/null
cfg="$work/kiosk/kiosk.ini"
dump="$work/ui.json"

start_kiosk() {
  rm -f "$dump"
  "$KIOSK" --config "$cfg" --ui-dump "$dump" 2>"$work/kiosk.log" &
  kiosk_pid=$!
}

# wait_screen, centre, click, hold_hotspot
# shellcheck source=tests/ui/drive.sh
. "$(dirname "$0")/drive.sh"

votes() { sqlite3 "$work/kiosk/kiosk.db" "SELECT count(*) FROM votes WHERE $1"; }

start_kiosk
wait_screen units
[ "$(jq -r .window.w "$dump")x$(jq -r .window.h "$dump")" = "1024x600" ] || fail "not full screen"
click unit.RS01
wait_screen rating
click rate.8
wait_screen thanks
[ "$(votes "seq = 1 AND unit_code = 'RS01' AND points = 8 AND flagged = 0")" = 1 ] ||
  fail "vote not stored as expected"
import -window root "$work/thanks.png"
want='https://survey.example.org/q?k=e2e-room&u=RS01'
got=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$work/thanks.png" 2>/dev/null || true)
[ "$got" = "$want" ] || fail "QR code reads \"$got\", want \"$want\""
echo "e2e: QR code read back from the screen: $got"

# Keys and close requests do not end the kiosk.
xdotool key Escape key alt+F4 key ctrl+q key ctrl+c
sleep 0.5
kill -0 "$kiosk_pid" || fail "a key press ended the kiosk"

# Staff: hold the top-left corner, then the PIN.
sleep 8  # thanks screen counts down to the first screen
wait_screen units
hold_hotspot
wait_screen pin
for d in 2 4 6 8; do click "pin.$d"; done
click pin.ok
wait_screen admin
click admin.quit
for _ in $(seq 100); do kill -0 "$kiosk_pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$kiosk_pid" 2>/dev/null; then fail "admin.quit did not end the kiosk"; fi
wait "$kiosk_pid" || fail "kiosk exited non-zero after admin.quit"
kiosk_pid=
grep -q "PIN accepted" "$work/kiosk.log" || fail "no log line for the staff login"
if grep -q 2468 "$work/kiosk.log"; then fail "the PIN appears in the log"; fi

# SIGTERM ends it cleanly; the votes survive.
start_kiosk
wait_screen units
kill -TERM "$kiosk_pid"
wait "$kiosk_pid" || fail "kiosk exited non-zero on SIGTERM"
kiosk_pid=
grep -q "shutting down" "$work/kiosk.log" || fail "no shutdown log line"
[ "$(votes 1)" = 1 ] || fail "vote lost across restart"

# The staff export from the command line, then the office's import and report.
mkdir "$work/stick"
export_out=$("$KIOSK" export --config "$cfg" --out "$work/stick") || fail "export failed"
file=$(printf '%s\n' "$export_out" | tail -1)
[ -s "$file" ] || fail "export printed \"$file\", which is not a file"
"$OFFICE" --db "$work/office.db" import "$file" >"$work/import.log" 2>&1 ||
  { cat "$work/import.log"; fail "import of $file failed"; }
"$OFFICE" --db "$work/office.db" import "$file" >"$work/import2.log" 2>&1 ||
  { cat "$work/import2.log"; fail "second import of the same file failed"; }
"$OFFICE" --db "$work/office.db" report --format csv --out "$work/report.csv" ||
  fail "report failed"
# RS01: one 基本满意 (8 points) -> valid 1, score 8.00; the others: no votes.
grep -q '^RS01,县人力资源和社会保障局,0,1,0,0,1,0,8.00' "$work/report.csv" ||
  { cat "$work/report.csv"; fail "report row for RS01 is wrong"; }
grep -q '^GA01,县公安局,0,0,0,0,0,0,' "$work/report.csv" ||
  { cat "$work/report.csv"; fail "report row for GA01 is wrong"; }
echo "e2e: exported, imported twice, reported: $(grep '^RS01' "$work/report.csv" | tr -d '\r')"
echo "e2e: passed"

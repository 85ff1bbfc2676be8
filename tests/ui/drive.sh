# drive.sh - drives a kiosk window on Xvfb through its --ui-dump, with xdotool.
# Sourced by tests/ui/e2e_xvfb.sh and tests/bench/kiosk.sh.  The sourcing
# script sets $dump (the --ui-dump file) and $kiosk_pid (the kiosk), and
# defines `fail MESSAGE` (which must not return).

# Waits until the dump shows screen $1 (20 s at most).
wait_screen() {
  for _ in $(seq 400); do
    if [ -s "$dump" ] && [ "$(jq -r .screen "$dump" 2>/dev/null)" = "$1" ]; then return 0; fi
    kill -0 "$kiosk_pid" 2>/dev/null || fail "kiosk exited while waiting for screen $1"
    sleep 0.05
  done
  fail "screen $1 did not appear (dump: $(cat "$dump" 2>/dev/null))"
}

# Prints "x y" of the centre of element $1.
centre() {
  jq -r --arg id "$1" '.elements[] | select(.id == $id) | "\(.x + (.w/2|floor)) \(.y + (.h/2|floor))"' "$dump"
}

# Clicks the centre of element $1.
click() {
  local xy
  xy=$(centre "$1")
  [ -n "$xy" ] || fail "no element $1 on screen $(jq -r .screen "$dump")"
  # shellcheck disable=SC2086
  xdotool mousemove $xy click 1
}

# Holds the staff hotspot long enough to open the PIN pad.
hold_hotspot() {
  local xy
  xy=$(centre admin.hotspot)
  [ -n "$xy" ] || fail "no staff hotspot on screen $(jq -r .screen "$dump")"
  # shellcheck disable=SC2086
  xdotool mousemove $xy mousedown 1
  sleep 3.4
  xdotool mouseup 1
}

#!/usr/bin/env bash
# Renders every kiosk screen headless at sizes from 800x480 to 3840x2160 and
# reads the thanks screen's QR code back with zbarimg, in both text modes.   qr_readback.sh SHOOT_BIN
set -euo pipefail
shoot=$1
out=$(mktemp -d /tmp/minping-qr-XXXXXX)
trap 'rm -rf "$out"' EXIT
want='https://survey.example.org/minping?kiosk=demo-reading-room&unit=RS01'
for size in 800x480 480x800 1024x600 1280x800 1920x1080 1080x1920 3840x2160; do
  "$shoot" "$out" "$size" >/dev/null 2>"$out/log" || { cat "$out/log"; exit 1; }
  for mode in "" large-; do
    for screen in units rating thanks pin admin error; do
      [ -s "$out/$size-$mode$screen.bmp" ] || { echo "qr_readback: no $mode$screen screen at $size"; exit 1; }
    done
    got=$(zbarimg -q --raw "$out/$size-${mode}thanks.bmp" 2>/dev/null || true)
    if [ "$got" != "$want" ]; then
      echo "qr_readback: $size ${mode:-normal}: QR reads \"$got\", want \"$want\""
      exit 1
    fi
  done
  echo "qr_readback: $size ok"
done
echo "qr_readback: passed"

#!/usr/bin/env bash
# Renders every kiosk screen headless at sizes from 800x480 to 3840x2160 and
# reads the thanks screen's QR code back with zbarimg, in both text modes
# (normal and 大字), also beside the reason buttons after 一般; then again with
# {token} in survey_url, where the link read back must carry a token that
# verifies (fu_verify) and names the vote just cast (its seq from the
# kiosk's log, unit RS01, 非常满意 = 10 points).
#   qr_readback.sh SHOOT_BIN FU_VERIFY_BIN
set -euo pipefail
shoot=$1
verify=$2
out=$(mktemp -d /tmp/minping-qr-XXXXXX)
# zbarimg looks for QR codes only (-Sdisable -Sqrcode.enable): with every
# symbology on, it once also read a one-dimensional code ("417065") in the
# text and stripes beside the QR code, and printed both.
trap 'rm -rf "$out"' EXIT
sizes="800x480 480x800 1024x600 1280x800 1920x1080 1080x1920 3840x2160"
want='https://survey.example.org/minping?kiosk=demo-reading-room&unit=RS01'
for size in $sizes; do
  "$shoot" "$out" "$size" >/dev/null 2>"$out/log" || { cat "$out/log"; exit 1; }
  for mode in "" large-; do
    for screen in units rating thanks pin admin error; do
      [ -s "$out/$size-$mode$screen.bmp" ] || { echo "qr_readback: no $mode$screen screen at $size"; exit 1; }
    done
    got=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$out/$size-${mode}thanks.bmp" 2>/dev/null || true)
    if [ "$got" != "$want" ]; then
      echo "qr_readback: $size ${mode:-normal}: QR reads \"$got\", want \"$want\""
      exit 1
    fi
    # After 一般 (unit GA01), beside the reason buttons, and once one is stored.
    for screen in thanks-reasons thanks-reason-stored; do
      got=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$out/$size-$mode$screen.bmp" 2>/dev/null || true)
      if [ "$got" != "${want%RS01}GA01" ]; then
        echo "qr_readback: $size ${mode:-normal} $screen: QR reads \"$got\", want \"${want%RS01}GA01\""
        exit 1
      fi
    done
  done
  echo "qr_readback: $size ok"
done

tok="$out/token"
mkdir "$tok"
prefix='https://survey.example.org/f/'
for size in $sizes; do
  MINPING_SHOOT_SURVEY_URL="${prefix}{token}" "$shoot" "$tok" "$size" >/dev/null 2>"$tok/log" ||
    { cat "$tok/log"; exit 1; }
  # As presented after the vote (drawn ahead, the code drawn over it), and as
  # drawn again (the countdown's redraws) must both read the same.
  got=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$tok/$size-thanks-presented.bmp" 2>/dev/null || true)
  again=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$tok/$size-thanks.bmp" 2>/dev/null || true)
  if [ "$got" != "$again" ]; then
    echo "qr_readback: $size with {token}: presented \"$got\", redrawn \"$again\""
    exit 1
  fi
  case $got in
    "$prefix"*) ;;
    *) echo "qr_readback: $size with {token}: QR reads \"$got\""; exit 1 ;;
  esac
  # The vote the thanks screen is for: the first one this run stored.
  seq=$(sed -n 's/.*vote stored: seq=\([0-9]*\) unit=RS01 points=10.*/\1/p' "$tok/log" | head -1)
  [ -n "$seq" ] || { echo "qr_readback: $size: no vote logged"; cat "$tok/log"; exit 1; }
  fields=$("$verify" "$tok/shoot.key" "$got") ||
    { echo "qr_readback: $size: the token read back does not verify: $got"; exit 1; }
  read -r kiosk instance tseq unit points cast <<<"$fields"
  if [ "$kiosk $tseq $unit $points" != "demo-reading-room $seq RS01 10" ]; then
    echo "qr_readback: $size: the token names \"$fields\", want seq $seq of unit RS01, 10 points"
    exit 1
  fi
  echo "qr_readback: $size with {token} ok (seq $seq, ${#got} characters)"
done
echo "qr_readback: passed"

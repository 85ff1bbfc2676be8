#!/usr/bin/env bash
# Installs what Minping needs on Debian 12: the build tools and libraries
# (and espeak-ng, which speaks the kiosk's prompts at build time), and
# with --test also what the test suite drives (Xvfb, xdotool, ImageMagick,
# zbar, sqlite3, curl, headless Chromium, poppler-utils for pdfinfo, LibreOffice
# Calc without a GUI to read the xlsx scorecard back, dbus-daemon for the USB
# export test) and clang with libFuzzer
# (libclang-rt-14-dev) for the fuzzing pass.  Uses sudo when not run as root.
set -euo pipefail
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
packages=(build-essential cmake pkg-config
          libsdl2-dev libsdl2-ttf-dev libsqlite3-dev libqrencode-dev libsodium-dev libinih-dev
          libcsv-dev libmicrohttpd-dev check gettext libxlsxwriter-dev libsystemd-dev
          espeak-ng)
if [ "${1:-}" = "--test" ]; then
  packages+=(locales xvfb xauth xdotool imagemagick zbar-tools sqlite3 jq clang libclang-rt-14-dev unzip
            curl chromium chromium-driver poppler-utils libreoffice-calc-nogui python3 lintian systemd
            dpkg-dev fakeroot dbus-daemon)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The tests read the Chinese messages under LANG=zh_CN.UTF-8.
if [ "${1:-}" = "--test" ] && ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  echo "deps.sh: generating the zh_CN.UTF-8 locale"
  $SUDO localedef -i zh_CN -f UTF-8 zh_CN.UTF-8
fi

#!/usr/bin/env bash
# check-deb.sh BUILD_DIR INSTALL_PREFIX - the Debian packages, as staff get
# them: `cpack -G DEB` from the build into a scratch folder, then
#  - four packages: minping-kiosk, minping-office, minping-survey (arch) and
#    minping-common (all);
#  - each holds what it must (binaries, font, spoken prompts, unit, rubrics,
#    catalogues, docs)
#    and its dependencies come from dpkg-shlibdeps;
#  - the maintainer scripts parse and make the minping system user;
#  - each program has its manual page (share/man/man1, gzip -9n);
#  - lintian reports neither errors nor warnings (both are printed);
#  - the packaged kiosk binary runs (--version) from the extracted tree.
# Exit 77 (ctest: skipped, with the reason) only for a build whose install
# prefix is not /usr: its binaries would look for their files elsewhere.
set -euo pipefail
build=$1
prefix=$2
if [ "$prefix" != /usr ]; then
  echo "check-deb: SKIPPED: this build installs under $prefix, the packages need /usr" \
       "(configure a fresh build dir, or pass -DCMAKE_INSTALL_PREFIX=/usr)"
  exit 77
fi
for tool in cpack dpkg-deb dpkg-shlibdeps lintian; do
  command -v "$tool" >/dev/null || { echo "check-deb: $tool is missing: bash tests/deps.sh --test" >&2; exit 1; }
done
out=$(mktemp -d "${TMPDIR:-/tmp}/minping-deb-XXXXXX")
trap 'rm -rf "$out"' EXIT
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }

( cd "$out" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" ) > "$out/cpack.log" 2>&1 ||
  { cat "$out/cpack.log"; fail "cpack failed"; }
kiosk=$(ls "$out"/minping-kiosk_*_*.deb 2>/dev/null) || fail "no minping-kiosk_*.deb"
office=$(ls "$out"/minping-office_*_*.deb 2>/dev/null) || fail "no minping-office_*.deb"
survey=$(ls "$out"/minping-survey_*_*.deb 2>/dev/null) || fail "no minping-survey_*.deb"
common=$(ls "$out"/minping-common_*_all.deb 2>/dev/null) || fail "no minping-common_*_all.deb"
echo "check-deb: built $(basename "$kiosk") $(basename "$office") $(basename "$survey") $(basename "$common")"

# has DEB PATH: the package lists PATH.
has() { dpkg-deb -c "$1" | awk '{print $6}' | grep -qx "./$2" || fail "$(basename "$1") lacks /$2"; }
has "$kiosk" usr/bin/minping-kiosk
has "$kiosk" usr/share/minping/fonts/NotoSansSC-Bold.otf
has "$kiosk" usr/share/minping/fonts/LICENSE-OFL.txt
has "$kiosk" usr/lib/systemd/system/minping-kiosk.service
has "$kiosk" usr/lib/udev/rules.d/60-minping-backlight.rules
has "$kiosk" usr/share/doc/minping-kiosk/copyright
has "$kiosk" usr/share/polkit-1/rules.d/50-minping-kiosk-udisks.rules
# The spoken prompts (assets/voice/voice.cmake), as app/kiosk/voice.c names them.
for prompt in units rating thanks rate_10 rate_8 rate_6 rate_0; do
  has "$kiosk" "usr/share/minping/voice/$prompt.wav"
done
has "$office" usr/bin/minping-office
has "$office" usr/share/minping/rubric/hengshan-2011.ini
has "$office" usr/share/doc/minping-office/copyright
has "$survey" usr/bin/minping-survey
has "$survey" usr/share/doc/minping-survey/copyright
has "$common" usr/share/locale/zh_CN/LC_MESSAGES/minping.mo
has "$kiosk" usr/share/man/man1/minping-kiosk.1.gz
has "$office" usr/share/man/man1/minping-office.1.gz
has "$survey" usr/share/man/man1/minping-survey.1.gz
dpkg-deb -c "$survey" | grep -q 'minping-kiosk\|minping-office\|fonts/' && fail "the survey package holds other programs' files"
dpkg-deb -c "$kiosk" | grep -q 'minping-office\|rubric' && fail "the kiosk package holds office files"
dpkg-deb -c "$office" | grep -q 'minping-kiosk\|fonts/\|voice/' && fail "the office package holds kiosk files"

# Dependencies: from shlibdeps (the libraries the binaries link), plus the
# catalogues and adduser for postinst.
kdeps=$(dpkg-deb -f "$kiosk" Depends)
odeps=$(dpkg-deb -f "$office" Depends)
echo "check-deb: minping-kiosk Depends: $kdeps"
echo "check-deb: minping-office Depends: $odeps"
for d in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsystemd0 libsqlite3-0 libsodium23 adduser minping-common; do
  grep -q "\b$d\b" <<<"$kdeps" || fail "minping-kiosk does not depend on $d"
done
# udisks2 mounts and ejects the export stick with nobody logged in.
krec=$(dpkg-deb -f "$kiosk" Recommends)
echo "check-deb: minping-kiosk Recommends: $krec"
grep -q '\budisks2\b' <<<"$krec" || fail "minping-kiosk does not recommend udisks2"
for d in libxlsxwriter libsqlite3-0 libsodium23 minping-common; do
  grep -q "\b$d" <<<"$odeps" || fail "minping-office does not depend on $d"
done
grep -q libsdl2 <<<"$odeps" && fail "minping-office depends on SDL"
sdeps=$(dpkg-deb -f "$survey" Depends)
echo "check-deb: minping-survey Depends: $sdeps"
for d in libmicrohttpd libsqlite3-0 libsodium23 minping-common; do
  grep -q "\b$d" <<<"$sdeps" || fail "minping-survey does not depend on $d"
done
grep -q libsdl2 <<<"$sdeps" && fail "minping-survey depends on SDL"

# Maintainer scripts: parse, and postinst makes the system user.
mkdir "$out/ctrl" "$out/root"
dpkg-deb -e "$kiosk" "$out/ctrl"
[ -x "$out/ctrl/postinst" ] || fail "postinst missing or not executable"
sh -n "$out/ctrl/postinst" && sh -n "$out/ctrl/postrm" || fail "a maintainer script does not parse"
grep -q 'adduser --system .*minping' "$out/ctrl/postinst" || fail "postinst makes no minping system user"

# lintian: no errors and no warnings (its informational tags are shown).
lintian --fail-on error,warning "$kiosk" "$office" "$survey" "$common" \
  > "$out/lintian.log" 2>&1 || { cat "$out/lintian.log"; fail "lintian reports errors or warnings"; }
echo "check-deb: lintian: $(grep -c '^E:' "$out/lintian.log" || true) errors," \
     "$(grep -c '^W:' "$out/lintian.log" || true) warnings"
sed 's/^/  /' "$out/lintian.log"
grep -q '^[EW]:' "$out/lintian.log" && fail "lintian reports errors or warnings"

# The packaged binary runs.
dpkg-deb -x "$kiosk" "$out/root"
"$out/root/usr/bin/minping-kiosk" --version | grep -q '^minping-kiosk ' || fail "packaged minping-kiosk does not run"
# The packaged prompts are the WAV files the kiosk reads: 16-bit mono PCM.
for wav in "$out"/root/usr/share/minping/voice/*.wav; do
  head -c 44 "$wav" | od -An -tx1 | tr -d ' \n' | grep -q '^52494646.\{8\}57415645666d7420100000000100010022560000' ||
    fail "$(basename "$wav") is not a 22050 Hz 16-bit mono WAV file"
done
echo "check-deb: ok"

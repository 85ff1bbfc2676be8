#!/usr/bin/env bash
# verify-unit.sh UNIT KIOSK_BIN - the kiosk's systemd unit as shipped, checked
# with systemd-analyze verify (its ExecStart pointed at the built binary,
# since none is installed here).  Any complaint fails, warnings included
# (verify exits 0 on an unknown key or a bad value).  Also the settings the
# service depends on.  Skipped (77) only when systemd-analyze is absent.
set -euo pipefail
unit=$1
bin=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "verify-unit: SKIPPED: systemd-analyze is absent (Debian package systemd; bash tests/deps.sh --test)"
  exit 77
fi
fail() { echo "verify-unit: FAIL: $*" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/minping-unit-XXXXXX")
trap 'rm -rf "$dir"' EXIT
grep -q '^ExecStart=/usr/bin/minping-kiosk ' "$unit" || fail "ExecStart is not /usr/bin/minping-kiosk"
sed "s|^ExecStart=/usr/bin/minping-kiosk |ExecStart=$bin |" "$unit" > "$dir/minping-kiosk.service"
for want in '^Type=notify$' '^WatchdogSec=[1-9]' '^Restart=always$' '^StateDirectory=minping$' \
            '^User=minping$' '^ProtectSystem=strict$' '^ReadWritePaths=.*/media' \
            '^NotifyAccess=main$' '^WantedBy=multi-user.target$'; do
  grep -q "$want" "$dir/minping-kiosk.service" || fail "the unit has no line matching $want"
done
set +e
msgs=$(systemd-analyze verify "$dir/minping-kiosk.service" 2>&1)
rc=$?
set -e
if [ $rc -ne 0 ] || [ -n "$msgs" ]; then
  echo "$msgs"
  fail "systemd-analyze verify: exit $rc"
fi
echo "verify-unit: ok ($(systemd-analyze --version | head -1))"

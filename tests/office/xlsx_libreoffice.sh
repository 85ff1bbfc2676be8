#!/usr/bin/env bash
# xlsx_libreoffice.sh - the scorecard workbook (`minping-office assess
# --format xlsx`) opened by LibreOffice itself: LibreOffice headless converts
# every sheet of it to CSV, and the figures must be those of `assess --format
# csv` for the same year: the 汇总 sheet cell by cell (numbers compared as
# numbers: the workbook holds 9.5 where the CSV file writes 9.50; text as
# text), and each unit's sheet its 总分, 折合, 名次, 类型内名次 and 等级意见
# and the 五 working with its 95 % interval.
#
#   xlsx_libreoffice.sh MINPING_OFFICE RUBRIC_FILE
#
# Needs soffice (Debian libreoffice-calc-nogui, tests/deps.sh --test) and python3.
set -euo pipefail
office=$(realpath "$1")
rubric=$(realpath "$2")
tallies=$(ls "$(dirname "$(realpath "$0")")"/../../db/office/*-tallies.sql)
work=$(mktemp -d "${TMPDIR:-/tmp}/minping-xlsx-lo.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "xlsx_libreoffice: $*" >&2; exit 1; }
command -v soffice >/dev/null || fail "soffice is missing (tests/deps.sh --test installs libreoffice-calc-nogui)"
cd "$work"

# The year 2026 under the shipped rubric; three units; a year's records;
# GA01's votes (33 × 10, 13 × 8, 2 × 6, 3 × 0: 五 = 446 / 51 = 8.75).
sed 's/^year = 2011$/year = 2026/' "$rubric" > hengshan-2026.ini
export MINPING_RUBRIC_DIR=$work
unset MINPING_OFFICE_DB
printf '代码,名称,类型\nGA01,县公安局,县直机关\nTS01,城关镇人民政府,乡镇\nGD01,县供电公司,公共企事业单位\n' \
  > units.csv
cat > records.csv <<'CSV'
日期,单位代码,项目,类别,分值,数量,事项编号,理由,依据,录入人
2026-12-20,GA01,一.1.1,评分,1,,,领导机构健全,山公〔2026〕1号,
2026-12-20,GA01,一.2.4,评分,0.5,,,回复不够及时,,
2026-12-20,GA01,二.1.2,评分,1.5,,,年度报告未在查阅场所公开,,
2026/3/31,GA01,二.2.1,计数,,450,,主动公开,直报系统统计,
2026-05-08,GA01,二.4,扣分,,,TS-7,群众投诉信息未公开，调查属实,投诉件TS-7,
2026-05-20,GA01,二.5,扣分,,2,TS-7,整改任务未按期完成,山政公〔2026〕9号,
2026-12-31,GA01,三.1.2,计数,,21,,全年报送动态信息,门户网站统计,
2026-12-20,GA01,四.5.1,评分,3,,,部分许可事项仍线下办理,,
2026-06-01,GA01,加分,加分,2,,,“警务公开”专栏获市级表彰,市政办〔2026〕12号,
2026/12/31,TS01,二.2.1,计数,,250,,全年主动公开,直报系统统计,
2026-12-20,TS01,一.1.1,评分,1,,,"领导机构健全,有文件",,
2026/12/31,GD01,二.2.1,计数,,999,,全年主动公开,直报系统统计,
CSV
"$office" --db o.db units import units.csv >/dev/null
"$office" --db o.db record import --by 汪洋 records.csv >/dev/null
{
  echo "BEGIN;"
  echo "INSERT INTO kiosks(id, survey_url, provisioned_utc) VALUES ('room-01', 'https://x', 0);"
  echo "INSERT INTO imports(id, file_name, file_sha256, kiosk_id, instance, exported_utc, rows,"
  echo " new_rows, first_seq, last_seq, key_id, imported_utc)"
  echo " VALUES (1, 'f.csv', 'x', 'room-01', 'i1', 0, 0, 0, 0, 0, 'k', 0);"
  seq=0
  for spec in 10:33 8:13 6:2 0:3; do
    points=${spec%%:*}
    for _ in $(seq "${spec##*:}"); do
      seq=$((seq + 1))
      echo "INSERT INTO votes VALUES ('room-01', 'i1', $seq, 'u$seq', $((1780000000 + seq * 60)),"
      echo " 28800, 'GA01', '县公安局', $points, 'kiosk', 0, 1);"
    done
  done
  # The votes went in by SQL, not through an import: fill the tallies the
  # reports read as the migration does.
  sed -n '/^-- ---- fill ----/,$p' "$tallies"
  echo "COMMIT;"
} | sqlite3 o.db

"$office" --db o.db assess --year 2026 --format csv --out a.csv
"$office" --db o.db assess --year 2026 --format xlsx --out a.xlsx

# Every sheet to CSV (UTF-8, comma, the cells as shown): a-<sheet>.csv.
# Field 12 of the filter options (-1) asks for all sheets.
soffice -env:UserInstallation="file://$work/profile" --headless \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
  --outdir out a.xlsx > soffice.log 2>&1 || { cat soffice.log; fail "soffice failed"; }
ls out/a-汇总.csv out/a-GA01.csv out/a-TS01.csv out/a-GD01.csv >/dev/null ||
  { cat soffice.log; ls out; fail "LibreOffice did not write every sheet"; }

python3 - a.csv out <<'PY'
import csv, sys
ours, out = sys.argv[1], sys.argv[2]

def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.reader(f)]

def same(a, b):
    try:
        return abs(float(a) - float(b)) < 0.005
    except ValueError:
        return a == b

want = rows(ours)
got = [r[:len(want[0])] for r in rows(f"{out}/a-汇总.csv") if any(r)]
if len(got) != len(want):
    sys.exit(f"汇总: {len(got)} rows in LibreOffice, {len(want)} in the CSV file")
for i, (w, g) in enumerate(zip(want, got)):
    for j, (a, b) in enumerate(zip(w, g)):
        if not same(a, b):
            sys.exit(f"汇总 row {i + 1} column {want[0][j]}: CSV {a!r}, LibreOffice {b!r}")
head = want[0]
for w in want[1:]:
    code = w[0]
    sheet = rows(f"{out}/a-{code}.csv")
    if not sheet[0][0].startswith(w[1]) or sheet[1][:5] != ["总分", "折合", "名次", "类型内名次", "等级意见"]:
        sys.exit(f"sheet {code}: unexpected head {sheet[:2]}")
    for k, name in enumerate(sheet[1][:5]):
        if not same(w[head.index(name)], sheet[2][k]):
            sys.exit(f"sheet {code} {name}: CSV {w[head.index(name)]!r}, LibreOffice {sheet[2][k]!r}")
    five = [r for r in sheet if r and r[0] == "五"]
    if len(five) != 1 or not same(five[0][3], w[head.index("五")]):
        sys.exit(f"sheet {code} 五: {five} against {w[head.index('五')]!r}")
    if code == "GA01" and "95%区间 7.16–9.65" not in five[0][4]:
        sys.exit(f"sheet GA01 五 working: {five[0][4]!r}")
print(f"xlsx_libreoffice: {len(want) - 1} units, 汇总 and every unit sheet match the CSV file")
PY

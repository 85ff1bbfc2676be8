/* check_scorecard.c - `minping-office assess` end to end: the worked example
 * of docs/assessment.md (records imported from a filled-in template, votes in
 * the ledger) gives the hand-computed CSV row; the CSV is as the contract
 * says (BOM, CRLF, header, two decimals); the xlsx workbook read back (its
 * zip opened with unzip, the sheet XML parsed) holds the same figures as
 * numbers; the HTML page shows the working, the dropped 从重 deduction. */
#define _GNU_SOURCE /* memmem */
#include "tally.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif
#define SHIPPED MINPING_SOURCE_DIR "/assets/rubric/hengshan-2011.ini"

static char *dir;

static void run(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_OFFICE_BIN, dir, NULL, r, ap);
    va_end(ap);
}

static void write_in_dir(const char *name, const char *text)
{
    char *p = tu_path(dir, name);
    tu_write_file(p, text, strlen(text));
    free(p);
}

/* The worked example's records (docs/assessment.md), as the office fills in
 * the template. */
static const char RECORDS[] =
    "日期,单位代码,项目,类别,分值,数量,事项编号,理由,依据,录入人\r\n"
    "2026-12-20,GA01,一.1.1,评分,1,,,领导机构健全,山公〔2026〕1号,\r\n"
    "2026-12-20,GA01,一.1.2,评分,1,,,工作网络健全,,\r\n"
    "2026-12-20,GA01,一.1.3,评分,1,,,资料已上报,,\r\n"
    "2026-12-20,GA01,一.1.4,评分,2,,,三项制度齐全,,\r\n"
    "2026-12-20,GA01,一.2.1,评分,2,,,查阅场所三落实,,\r\n"
    "2026-12-20,GA01,一.2.2,评分,2,,,有专题网页,,\r\n"
    "2026-12-20,GA01,一.2.3,评分,1,,,专栏、入口、意见箱齐全,,\r\n"
    "2026-12-20,GA01,一.2.4,评分,0.5,,,回复不够及时,,\r\n"
    "2026-12-20,GA01,二.1.1,评分,2,,,指南目录已更新,,\r\n"
    "2026-12-20,GA01,二.1.2,评分,1.5,,,年度报告未在查阅场所公开,,\r\n"
    "2026/3/31,GA01,二.2.1,计数,,120,,第一季度主动公开,直报系统统计,\r\n"
    "2026/6/30,GA01,二.2.1,计数,,130,,第二季度主动公开,直报系统统计,\r\n"
    "2026/9/30,GA01,二.2.1,计数,,95,,第三季度主动公开,直报系统统计,\r\n"
    "2026/12/31,GA01,二.2.1,计数,,105,,第四季度主动公开,直报系统统计,\r\n"
    "2026-12-20,GA01,二.2.2,评分,2,,,发布及时,,\r\n"
    "2026-12-20,GA01,二.2.3,评分,2,,,内容一致,,\r\n"
    "2026-12-20,GA01,二.3.1,评分,2,,,受理机制健全,,\r\n"
    "2026-12-20,GA01,二.3.2,评分,2,,,文本规范,,\r\n"
    "2026-12-20,GA01,二.3.3,评分,1,,,一件申请超期答复,,\r\n"
    "2026-05-08,GA01,二.4,扣分,,,TS-7,群众投诉信息未公开，调查属实,投诉件TS-7,\r\n"
    "2026-05-20,GA01,二.5,扣分,,2,TS-7,TS-7整改两项任务未按期完成,山政公〔2026〕9号,\r\n"
    "2026-08-02,GA01,二.4,扣分,,,TS-9,群众投诉办事指南有误，调查属实,投诉件TS-9,\r\n"
    "2026-12-20,GA01,三.1.1,评分,4,,,内容保障信息报送及时,,\r\n"
    "2026-12-31,GA01,三.1.2,计数,,21,,全年报送动态信息,门户网站统计,\r\n"
    "2026-12-20,GA01,三.2.1,评分,2,,,联络员已报备,,\r\n"
    "2026-12-20,GA01,三.2.2,评分,4,,,按时限回复,,\r\n"
    "2026-10-11,GA01,三.2.3,扣分,,,,县长信箱来信超期回复,信箱编号2026-311,\r\n"
    "2026-12-20,GA01,四.1.1,评分,3,,,领导小组已成立,,\r\n"
    "2026-12-20,GA01,四.1.2,评分,3,,,设备落实,,\r\n"
    "2026-12-20,GA01,四.2.1,评分,4,,,事项梳理完成,,\r\n"
    "2026-12-20,GA01,四.2.2,评分,4,,,维护及时,,\r\n"
    "2026-12-20,GA01,四.3.1,评分,5,,,审核制度健全,,\r\n"
    "2026-12-20,GA01,四.4.1,评分,3,,,参加培训,,\r\n"
    "2026-12-20,GA01,四.4.2,评分,3,,,配合部署,,\r\n"
    "2026-12-20,GA01,四.5.1,评分,3,,,部分许可事项仍线下办理,,\r\n"
    "2026-06-01,GA01,加分,加分,2,,,“警务公开”专栏获市级表彰,市政办〔2026〕12号,\r\n"
    "2026-11-15,GA01,加分,加分,4,,,依申请公开办理经验在全县推广,县政府会议纪要,\r\n"
    "2026/12/31,TS01,二.2.1,计数,,250,,全年主动公开,直报系统统计,\r\n"
    "2026/12/31,GD01,二.2.1,计数,,999,,全年主动公开,直报系统统计,\r\n";

/* GA01's votes: 33 非常满意, 13 基本满意, 2 一般, 3 不满意 and 2 flagged. */
static void add_votes(void)
{
    char *path = tu_path(dir, "o.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    free(path);
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "INSERT INTO kiosks(id, survey_url, provisioned_utc) VALUES ('room-01',"
                     " 'https://x', 0);"
                     "INSERT INTO imports(id, file_name, file_sha256, kiosk_id, instance,"
                     " exported_utc, rows, new_rows, first_seq, last_seq, key_id, imported_utc)"
                     " VALUES (1, 'f.csv', 'x', 'room-01', 'i1', 0, 0, 0, 0, 0, 'k', 0)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    static const struct { int points, n, flagged; } v[] = {{10, 33, 0}, {8, 13, 0}, {6, 2, 0},
                                                           {0, 3, 0}, {0, 2, 1}};
    int seq = 0;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        for (int k = 0; k < v[i].n; k++) {
            char sql[256];
            seq++;
            snprintf(sql, sizeof sql,
                     "INSERT INTO votes VALUES ('room-01', 'i1', %d, 'u%d', %d, 28800, 'GA01',"
                     " '县公安局', %d, 'kiosk', %d, 1)",
                     seq, seq, 1780000000 + seq * 60, v[i].points, v[i].flagged);
            ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        }
    /* Written with SQL, past the import that keeps the tallies. */
    mp_err err = {{0}};
    ck_assert_msg(tally_rebuild(db, &err) == 0, "%s", err.msg);
    sqlite3_close(db);
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
    setenv("MINPING_RUBRIC_DIR", dir, 1);
    setenv("USER", "汪洋", 1);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "sed 's/^year = 2011$/year = 2026/' '%s' > '%s/hengshan-2026.ini'",
             SHIPPED, dir);
    ck_assert_int_eq(system(cmd), 0);
    write_in_dir("units.csv", "代码,名称,类型\r\nGA01,县公安局,县直机关\r\nTS01,城关镇人民政府,乡镇\r\n"
                              "GD01,县供电公司,公共企事业单位\r\n");
    write_in_dir("records.csv", RECORDS);
    tu_result r;
    run(&r, "--db", "o.db", "units", "import", "units.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "import", "records.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    add_votes();
}

static void teardown(void)
{
    unsetenv("MINPING_RUBRIC_DIR");
    free(dir);
}

static const char EXPECTED_CSV[] =
    "\xEF\xBB\xBF"
    "单位代码,单位名称,单位类型,一,二,三,四,五,加分,总分,折合,名次,等级意见,类型内名次\r\n"
    "GA01,县公安局,县直机关,9.50,24.30,14.60,28.00,8.75,5.00,90.15,4.51,1,优秀,1\r\n"
    "TS01,城关镇人民政府,乡镇,0.00,14.00,0.00,0.00,0.00,0.00,14.00,0.70,2,不合格,1\r\n"
    "GD01,县供电公司,公共企事业单位,0.00,4.00,0.00,0.00,0.00,0.00,4.00,0.20,3,不合格,1\r\n";

START_TEST(test_csv_worked_example)
{
    tu_result r;
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--format", "csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, EXPECTED_CSV);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--format", "csv", "--out", "a.csv", NULL);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    char *p = tu_path(dir, "a.csv");
    char *text = tu_read_file(p, NULL);
    ck_assert_str_eq(text, EXPECTED_CSV);
    free(text);
    free(p);
}
END_TEST

START_TEST(test_table_and_working)
{
    tu_result r;
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--unit", "GA01", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    static const char *const want[] = {
        "二.2.1  10.80 / 12  全年 450条，目标 500条：12 × 450 ÷ 500 = 10.8000，四舍五入得 10.80",
        "三.1.2  5.60 / 8  全年 21篇，目标 30篇：8 × 21 ÷ 30 = 5.6000，四舍五入得 5.60",
        "[从重未计（同一事项按 #21 扣分）]",
        "三.2  5.00 / 8  小项合计 6；扣 1，得 5.00",
        "五  8.75 / 10  (10×33 + 8×13 + 6×2 + 0×3) ÷ 51 = 446 ÷ 51 = 8.7450…，四舍五入得 8.75",
        "加分  5.00  加分合计 6，超过上限 5，计 5.00（100分之外）",
        "一.1  4.00 / 4  小项合计 5，超过本项分值，计 4"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(r.out, want[i]), "no \"%s\" in the working", want[i]);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_html)
{
    tu_result r;
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--format", "html", "--out", "a.html",
        NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    char *p = tu_path(dir, "a.html");
    char *html = tu_read_file(p, NULL);
    ck_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    ck_assert(strstr(html, "从重未计（同一事项按 #21 扣分）"));
    ck_assert(strstr(html, "<tr class=\"rec off\"><td class=\"c\">#20</td>"));
    ck_assert(strstr(html, "446 ÷ 51 = 8.7450…，四舍五入得 8.75；95%区间 7.16–9.65"));
    ck_assert(strstr(html, "@page{size:A4"));
    /* Self-contained: nothing loaded from elsewhere. */
    ck_assert(!strstr(html, "http://") && !strstr(html, "https://") && !strstr(html, "<script"));
    free(html);
    free(p);
}
END_TEST

/* The text of every cell of row `row` (1-based) of a sheet's XML, as
 * "v1|v2|…", numbers as written; *numeric gets a bit per numeric cell. */
static void sheet_row(const char *xml, int row, char *out, size_t len, unsigned *numeric)
{
    char tag[32];
    snprintf(tag, sizeof tag, "<row r=\"%d\"", row);
    const char *p = strstr(xml, tag);
    ck_assert_msg(p != NULL, "no row %d", row);
    const char *end = strstr(p, "</row>");
    out[0] = '\0';
    *numeric = 0;
    int col = 0;
    for (const char *c = strstr(p, "<c "); c && c < end; c = strstr(c + 1, "<c "), col++) {
        const char *close = strchr(c, '>');
        int is_text = memmem(c, (size_t)(close - c), "t=\"inlineStr\"", 13) != NULL;
        const char *v = strstr(c, is_text ? "<t>" : "<v>");
        const char *ve = strstr(v, is_text ? "</t>" : "</v>");
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%.*s", col ? "|" : "", (int)(ve - v - 3), v + 3);
        if (!is_text)
            *numeric |= 1u << col;
    }
}

START_TEST(test_xlsx_reads_back)
{
    tu_result r;
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--format", "xlsx", "--out", "a.xlsx",
        NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && unzip -p a.xlsx xl/worksheets/sheet1.xml > s1.xml && "
             "unzip -p a.xlsx xl/workbook.xml > wb.xml && unzip -p a.xlsx "
             "xl/worksheets/sheet2.xml > s2.xml",
             dir);
    ck_assert_int_eq(system(cmd), 0);
    char *p = tu_path(dir, "wb.xml");
    char *wb = tu_read_file(p, NULL);
    free(p);
    ck_assert(strstr(wb, "name=\"汇总\"") && strstr(wb, "name=\"GA01\"") &&
              strstr(wb, "name=\"TS01\"") && strstr(wb, "name=\"GD01\""));
    free(wb);
    p = tu_path(dir, "s1.xml");
    char *xml = tu_read_file(p, NULL);
    free(p);
    /* Compare every cell with the CSV, numbers as numbers. */
    char csv[sizeof EXPECTED_CSV];
    memcpy(csv, EXPECTED_CSV + 3, sizeof EXPECTED_CSV - 3);
    int row = 1;
    char *save = NULL;
    for (char *line = strtok_r(csv, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save),
              row++) {
        char got[1024];
        unsigned numeric;
        sheet_row(xml, row, got, sizeof got, &numeric);
        char *s2 = NULL, *g2 = NULL;
        char *want_cell = strtok_r(line, ",", &s2);
        char *got_cell = strtok_r(got, "|", &g2);
        for (int col = 0; want_cell; col++) {
            ck_assert_msg(got_cell, "row %d: no cell %d", row, col);
            if (row > 1 && col >= 3 && col != 12) {
                ck_assert_msg(numeric & (1u << col), "row %d col %d is not a number", row, col);
                ck_assert_msg(fabs(strtod(got_cell, NULL) - strtod(want_cell, NULL)) < 0.0001,
                              "row %d col %d: %s, not %s", row, col, got_cell, want_cell);
            } else {
                ck_assert_msg(!(numeric & (1u << col)), "row %d col %d is a number", row, col);
                ck_assert_str_eq(got_cell, want_cell);
            }
            want_cell = strtok_r(NULL, ",", &s2);
            got_cell = strtok_r(NULL, "|", &g2);
        }
        ck_assert_msg(!got_cell, "row %d has more cells than the CSV", row);
    }
    ck_assert_int_eq(row, 5);
    free(xml);
    /* GA01's sheet: the working and the records, the dropped one marked. */
    p = tu_path(dir, "s2.xml");
    xml = tu_read_file(p, NULL);
    free(p);
    ck_assert(strstr(xml, "县公安局（GA01，县直机关）"));
    ck_assert(strstr(xml, "从重未计（同一事项按 #21 扣分）"));
    ck_assert(strstr(xml, "<v>90.15"));
    free(xml);
}
END_TEST

START_TEST(test_refusals)
{
    tu_result r;
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--format", "xlsx", NULL);
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "assess", "--year", "2026", "--unit", "XX", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "unknown unit XX"));
    tu_result_free(&r);
    run(&r, "--db", "o.db", "assess", "--format", "csv", NULL);
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
}
END_TEST

static Suite *scorecard_suite(void)
{
    Suite *s = suite_create("scorecard");
    TCase *tc = tcase_create("assess");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_csv_worked_example);
    tcase_add_test(tc, test_table_and_working);
    tcase_add_test(tc, test_html);
    tcase_add_test(tc, test_xlsx_reads_back);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(scorecard_suite());
}

/* check_record.c - the assessment's year-round records through
 * `minping-office record`: what is refused (one line, exit 1, nothing
 * stored), corrections as new records, the append-only table, the CSV
 * template and its import (all or nothing, line and column named). */
#include "testutil.h"

#include <check.h>
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

/* A unit registry and the 2011 rubric copied as 2026's, in dir/rubric. */
static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
    unsetenv("MINPING_RUBRIC_DIR");
    setenv("USER", "tester", 1);
    char *units = tu_path(dir, "units.csv");
    const char *u = "代码,名称,类型\r\nGA01,县公安局,县直机关\r\nTS01,城关镇人民政府,乡镇\r\n";
    tu_write_file(units, u, strlen(u));
    free(units);
    char *rdir = tu_path(dir, "rubric");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && sed 's/^year = 2011$/year = 2026/' '%s' > '%s/r.ini'",
             rdir, SHIPPED, rdir);
    ck_assert_int_eq(system(cmd), 0);
    free(rdir);
    const char *args[] = {"--db", "o.db", "units", "import", "units.csv", NULL};
    tu_result r;
    tu_run_list(MINPING_OFFICE_BIN, dir, args, NULL, &r);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
}

static void teardown(void)
{
    free(dir);
}

static void run(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_OFFICE_BIN, dir, NULL, r, ap);
    va_end(ap);
}

static long long query_int(const char *sql)
{
    char *path = tu_path(dir, "o.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(path);
    return v;
}

static long long records(void)
{
    return query_int("SELECT count(*) FROM assess_records");
}

/* Exit 1, one line on stderr containing want, nothing stored. */
static void refused(const tu_result *r, const char *want)
{
    ck_assert_msg(r->status == 1, "status %d, stderr %s", r->status, r->err);
    ck_assert_msg(strstr(r->err, want) != NULL, "\"%s\" lacks \"%s\"", r->err, want);
    const char *nl = strchr(r->err, '\n');
    ck_assert_msg(nl && nl[1] == '\0', "more than one line: %s", r->err);
    ck_assert_int_eq(records(), 0);
}

/* The last line of out, as a number. */
static long long last_id(const char *out)
{
    size_t n = strlen(out);
    ck_assert(n > 1 && out[n - 1] == '\n');
    const char *p = out + n - 1;
    while (p > out && p[-1] != '\n')
        p--;
    return atoll(p);
}

START_TEST(test_add_prints_id_last)
{
    tu_result r;
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "二.4",
        "--kind", "deduct", "--matter", "M1", "--reason", "群众投诉属实", "--evidence",
        "山政电〔2026〕3号", "--date", "2026-03-05", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    long long id = last_id(r.out);
    ck_assert_int_eq(id, query_int("SELECT max(id) FROM assess_records"));
    tu_result_free(&r);
    /* A deduction without --points takes per_event × events: 1 × 1 point. */
    ck_assert_int_eq(query_int("SELECT points FROM assess_records"), 100);
    ck_assert_int_eq(query_int("SELECT entered_by = 'tester' FROM assess_records"), 1);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "TS01", "--item", "二.5",
        "--kind", "deduct", "--count", "3", "--reason", "三项工作未及时完成", "--date",
        "2026-12-31", "--by", "汪洋", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(last_id(r.out), id + 1);
    tu_result_free(&r);
    ck_assert_int_eq(query_int("SELECT points FROM assess_records WHERE id = 2"), 300);
    ck_assert_int_eq(query_int("SELECT entered_by = '汪洋' FROM assess_records WHERE id = 2"), 1);
}
END_TEST

START_TEST(test_refusals)
{
    tu_result r;
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "XX01", "--item", "二.4",
        "--kind", "deduct", "--reason", "x", "--date", "2026-03-05", NULL);
    refused(&r, "unknown unit XX01");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "二.9",
        "--kind", "deduct", "--reason", "x", "--date", "2026-03-05", NULL);
    refused(&r, "unknown item 二.9");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "二.4",
        "--kind", "score", "--points", "1", "--reason", "x", "--date", "2026-03-05", NULL);
    refused(&r, "item 二.4 takes records of kind deduct, not score");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "五",
        "--kind", "score", "--points", "1", "--reason", "x", "--date", "2026-03-05", NULL);
    refused(&r, "item 五 is computed from the votes");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "二.2",
        "--kind", "score", "--points", "1", "--reason", "x", "--date", "2026-03-05", NULL);
    refused(&r, "item 二.2 is made of sub-items");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "二.4",
        "--kind", "deduct", "--reason", "x", "--date", "2027-01-01", NULL);
    refused(&r, "the date 2027-01-01 is outside the assessment year 2026");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "二.4",
        "--kind", "deduct", "--reason", "x", "--date", "2025-12-31", NULL);
    refused(&r, "outside the assessment year 2026");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item",
        "一.1.1", "--kind", "score", "--points", "1.5", "--reason", "x", "--date", "2026-03-05",
        NULL);
    refused(&r, "一.1.1 is worth at most 1 points");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item",
        "一.1.1", "--kind", "score", "--points", "1", "--matter", "M", "--reason", "x", "--date",
        "2026-03-05", NULL);
    refused(&r, "--matter is for deductions");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item",
        "二.2.1", "--kind", "count", "--reason", "x", "--date", "2026-03-05", NULL);
    refused(&r, "a count needs --count");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "加分",
        "--kind", "bonus", "--points", "2", "--reason", "=HYPERLINK()", "--date", "2026-03-05",
        NULL);
    refused(&r, "formula");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "add", "--year", "2031", "--unit", "GA01", "--item", "加分",
        "--kind", "bonus", "--points", "2", "--reason", "x", "--date", "2031-03-05", NULL);
    refused(&r, "no rubric for 2031");
    tu_result_free(&r);
    /* A malformed command line is exit 2. */
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item", "加分",
        "--kind", "bonus", "--points", "2.345", "--reason", "x", NULL);
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_corrections_and_audit)
{
    tu_result r;
    run(&r, "--db", "o.db", "record", "add", "--year", "2026", "--unit", "GA01", "--item",
        "二.2.1", "--kind", "count", "--count", "120", "--reason", "第一季度", "--date",
        "2026-03-31", NULL);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "replace", "1", "--count", "130", "--reason", "复核更正", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(last_id(r.out), 2);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "replace", "1", "--count", "140", "--reason", "又改", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "already corrected by record 2"));
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "reverse", "2", "--reason", "统计有误", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(last_id(r.out), 3);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "record", "reverse", "3", "--reason", "x", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "record 3 is a reversal"));
    tu_result_free(&r);
    ck_assert_int_eq(query_int("SELECT count(*) FROM assess_records WHERE corrects = 2 AND "
                               "correction = 'reverse'"),
                     1);
    ck_assert_int_eq(query_int("SELECT count FROM assess_records WHERE id = 2"), 130);

    run(&r, "--db", "o.db", "record", "list", "--year", "2026", "--unit", "GA01", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "已更正 #2") && strstr(r.out, "已撤销 #3") &&
                      strstr(r.out, "撤销 #2") && strstr(r.out, "第一季度"),
                  "%s", r.out);
    tu_result_free(&r);

    /* The table refuses change and deletion outright. */
    char *path = tu_path(dir, "o.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE assess_records SET count = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert(strstr(sqlite3_errmsg(db), "never changed"));
    ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM assess_records", NULL, NULL, NULL), SQLITE_OK);
    ck_assert(strstr(sqlite3_errmsg(db), "never deleted"));
    sqlite3_close(db);
    free(path);
    ck_assert_int_eq(records(), 3);
}
END_TEST

START_TEST(test_template_and_import)
{
    tu_result r;
    run(&r, "--db", "o.db", "record", "template", "--year", "2026", "--out", "t.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    char *t = tu_path(dir, "t.csv");
    size_t len;
    char *text = tu_read_file(t, &len);
    ck_assert(strncmp(text, "\xEF\xBB\xBF日期,单位代码,项目,类别,分值,数量,事项编号,理由,依据,录入人\r\n",
                      strlen("\xEF\xBB\xBF日期,单位代码,项目,类别,分值,数量,事项编号,理由,依据,录入人\r\n")) == 0);
    ck_assert(strstr(text, "# 二.2.1 计数 12分 按条计") != NULL);
    /* Rows appended to the template, as Excel saves them (CRLF), import. */
    const char *rows = "2026/4/1,TS01,二.2.1,计数,,80,,第一季度主动公开,直报系统统计,\r\n"
                       "2026-04-02,TS01,一.1.1,评分,1,,,领导机构健全,\"山政办〔2026〕1号, 附件\",张三\r\n"
                       "2026-05-06,GA01,二.4,扣分,,,M7,投诉属实,,\r\n";
    size_t rl = strlen(rows);
    text = realloc(text, len + rl + 1);
    memcpy(text + len, rows, rl + 1);
    tu_write_file(t, text, len + rl);
    run(&r, "--db", "o.db", "record", "import", "t.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strstr(r.out, "3 records stored"));
    tu_result_free(&r);
    ck_assert_int_eq(records(), 3);
    ck_assert_int_eq(query_int("SELECT count FROM assess_records WHERE item = '二.2.1'"), 80);
    ck_assert_int_eq(query_int("SELECT date = '2026-04-01' FROM assess_records WHERE item = '二.2.1'"), 1);
    ck_assert_int_eq(query_int("SELECT entered_by = '张三' FROM assess_records WHERE item = '一.1.1'"), 1);
    ck_assert_int_eq(query_int("SELECT entered_by = 'tester' FROM assess_records WHERE item = '二.4'"), 1);
    ck_assert_int_eq(query_int("SELECT source LIKE 't.csv, line %' FROM assess_records LIMIT 1"), 1);
    free(text);
    free(t);
}
END_TEST

/* A bad cell anywhere: nothing of the file is stored; line and column named. */
START_TEST(test_import_all_or_nothing)
{
    static const struct { const char *csv, *want; } cases[] = {
        {"日期,单位代码,项目,类别,分值,数量,理由\n2026-04-01,TS01,一.1.1,评分,1,,x\n"
         "2026-04-01,TS01,一.1.1,评分,3,,x\n",
         "line 3: column 分值: 一.1.1 is worth at most 1 points"},
        {"日期,单位代码,项目,类别,分值,数量,理由\n2026-04-01,TS01,一.1.1,评分,1,,x\n"
         "2026-04-01,XX,一.1.1,评分,1,,x\n",
         "line 3: column 单位代码: unknown unit XX"},
        {"日期,单位代码,项目,类别,分值,数量,理由\n2026-04-01,TS01,一.1.1,评分,1,,x\n"
         "2027-01-01,TS01,一.1.1,评分,1,,x\n",
         "line 3: column 日期: no rubric for 2027"},
        {"日期,单位代码,项目,类别,分值,数量,理由\n2026-04-01,TS01,一.1.1,评分,1,,x\n"
         "2026-04-31,TS01,一.1.1,评分,1,,x\n",
         "line 3: column 日期: 2026-04-31: month 4 has no day 31"},
        {"日期,单位代码,项目,类别,分值,数量,理由\n2026-04-01,TS01,一.1.1,评分,1,,x\n"
         "2026-04-01,TS01,二.4,评分,1,,x\n",
         "line 3: column 类别: item 二.4 takes records of kind deduct, not score"},
        {"日期,单位代码,项目,类别,分值,数量,理由\n2026-04-01,TS01,一.1.1,评分,1,,x\n"
         "2026-04-01,TS01,一.1.1,评分,abc,,x\n",
         "line 3: column 分值: \"abc\" is not a number"},
        {"日期,单位代码,项目,类别,分值,理由\n2026-04-01,TS01,一.1.1,评分,1,\"unclosed\n",
         "line 2: a quoted field opened here is never closed"},
        {"日期,单位,项目,类别,分值,理由\n", "line 1: unknown column \"单位\""},
        {"日期,单位代码,项目,类别,分值\n", "line 1: the column 理由 is missing"},
        /* A field more than the header: once stored under 日期, now refused. */
        {"日期,单位代码,项目,类别,分值,理由\n2026-04-01,TS01,一.1.1,评分,1,x\n"
         "2026-04-01,TS01,一.1.1,评分,1,x,2026-05-01\n",
         "line 3: 7 fields, but the header names 6 columns"},
        {"\xC8\xD5\xC6\xDA,x\n", "line 1: not UTF-8 text"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = tu_path(dir, "in.csv");
        tu_write_file(p, cases[i].csv, strlen(cases[i].csv));
        free(p);
        tu_result r;
        run(&r, "--db", "o.db", "record", "import", "in.csv", NULL);
        refused(&r, cases[i].want);
        ck_assert_msg(strstr(r.err, "in.csv, line"), "%s", r.err);
        tu_result_free(&r);
    }
}
END_TEST

/* Hostile files: a 1 MB field, a NUL byte, a byte-order mark in the middle
 * (two files joined), a CR alone inside a field: refused, nothing stored. */
START_TEST(test_import_hostile)
{
    const char *head = "日期,单位代码,项目,类别,分值,理由\n2026-04-01,TS01,一.1.1,评分,1,";
    size_t hl = strlen(head), big = 1 << 20;
    char *buf = malloc(hl + big + 2);
    memcpy(buf, head, hl);
    memset(buf + hl, 'a', big);
    memcpy(buf + hl + big, "\n", 2);
    char *p = tu_path(dir, "in.csv");
    tu_write_file(p, buf, hl + big + 1);
    tu_result r;
    run(&r, "--db", "o.db", "record", "import", "in.csv", NULL);
    refused(&r, "line 2: a field of more than 16384 bytes");
    tu_result_free(&r);

    memcpy(buf + hl, "x\0y\n", 4);
    tu_write_file(p, buf, hl + 4);
    run(&r, "--db", "o.db", "record", "import", "in.csv", NULL);
    refused(&r, "line 2: the file contains a NUL byte");
    tu_result_free(&r);

    const char *joined = "日期,单位代码,项目,类别,分值,理由\n2026-04-01,TS01,一.1.1,评分,1,x\n"
                         "\xEF\xBB\xBF日期,单位代码,项目,类别,分值,理由\n";
    tu_write_file(p, joined, strlen(joined));
    run(&r, "--db", "o.db", "record", "import", "in.csv", NULL);
    refused(&r, "line 3: a byte-order mark after the start");
    tu_result_free(&r);

    const char *cr = "日期,单位代码,项目,类别,分值,理由\n2026-04-01,TS01,一.1.1,评分,1,\"a\rb\"\n";
    tu_write_file(p, cr, strlen(cr));
    run(&r, "--db", "o.db", "record", "import", "in.csv", NULL);
    refused(&r, "column 理由: the reason is not UTF-8 text without control characters");
    tu_result_free(&r);
    free(p);
    free(buf);
}
END_TEST

static Suite *record_suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("record");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_add_prints_id_last);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_corrections_and_audit);
    tcase_add_test(tc, test_template_and_import);
    tcase_add_test(tc, test_import_all_or_nothing);
    tcase_add_test(tc, test_import_hostile);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(record_suite());
}

/* check_wjx.c - the 问卷星 reader (app/core/wjx.h) and `minping-office
 * import-wjx`: encodings (UTF-8 with and without a byte-order mark,
 * GB18030), the answers' points, the ≤ 2 s flag, refusals naming line and
 * column, the unit by --unit and --unit-from, a re-import counted once, and
 * a bad file storing nothing. */
#include "testutil.h"
#include "wjx.h"

#include <check.h>
#include <iconv.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您办理业务的单位," \
               "2、您对该单位的服务满意吗？,3、意见建议\r\n"
#define ROW1 "1,2026/12/5 10:23:45,1分3秒,手机提交,直接访问,1.2.3.4(浙江-杭州),县公安局,非常满意,\"很好,谢谢\"\r\n"
#define ROW2 "2,2026/12/5 10:25:01,2秒,微信,N/A,5.6.7.8(北京),RS01,不满意,(跳过)\r\n"
#define ROW3 "3,2026-12-05 11:00:00,3秒,微信,N/A,5.6.7.8(北京),县人力资源和社会保障局,一般,\r\n"
#define ROW4 "4,2026/12/5 11:02:00,1小时0分1秒,链接,N/A,9.9.9.9,GA01,基本满意,\r\n"
#define SAMPLE HEADER ROW1 ROW2 ROW3 ROW4
#define BOM "\xEF\xBB\xBF"

static wjx_file *parse_ok(const char *text, size_t len, const char *unit_column)
{
    wjx_file *f = NULL;
    mp_err err = {{0}};
    ck_assert_msg(wjx_parse(text, len, "t.csv", unit_column, &f, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(f);
    return f;
}

static void parse_fails(const char *text, const char *unit_column, const char *want)
{
    wjx_file *f = NULL;
    mp_err err = {{0}};
    ck_assert_int_eq(wjx_parse(text, strlen(text), "t.csv", unit_column, &f, &err), -1);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(err.msg, want), "\"%s\" lacks \"%s\"", err.msg, want);
}

static char *to_gb18030(const char *utf8, size_t *len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    size_t in_left = strlen(utf8), cap = 2 * in_left + 4, out_left = cap;
    char *out = malloc(cap), *in = (char *)utf8, *o = out;
    ck_assert(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(o - out);
    return out;
}

static void check_sample(const wjx_file *f)
{
    ck_assert_uint_eq(f->n_rows, 4);
    ck_assert_str_eq(f->rating_title, "2、您对该单位的服务满意吗？");
    ck_assert_uint_eq(f->rating_col, 8);
    ck_assert_uint_eq(f->unit_col, 7);
    static const int points[] = {10, 0, 6, 8}, flagged[] = {0, 1, 0, 0};
    static const int64_t secs[] = {63, 2, 3, 3601};
    static const char *units[] = {"县公安局", "RS01", "县人力资源和社会保障局", "GA01"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(f->rows[i].seq, (int64_t)i + 1);
        ck_assert_int_eq(f->rows[i].points, points[i]);
        ck_assert_int_eq(f->rows[i].flagged, flagged[i]);
        ck_assert_int_eq(f->rows[i].seconds, secs[i]);
        ck_assert_str_eq(f->rows[i].unit, units[i]);
        ck_assert_uint_eq(f->rows[i].line, i + 2);
    }
    /* 2026-12-05 10:23:45 in Beijing is 02:23:45 UTC. */
    ck_assert_int_eq(f->rows[0].submitted_utc, 1796437425);
}

START_TEST(test_encodings)
{
    wjx_file *plain = parse_ok(SAMPLE, strlen(SAMPLE), "1");
    check_sample(plain);
    wjx_file *bom = parse_ok(BOM SAMPLE, strlen(BOM SAMPLE), "1");
    check_sample(bom);
    size_t len;
    char *gb = to_gb18030(SAMPLE, &len);
    ck_assert(len != strlen(SAMPLE)); /* really another encoding */
    wjx_file *g = parse_ok(gb, len, "1");
    check_sample(g);
    /* The same survey, whatever the encoding. */
    ck_assert_str_eq(plain->questions, bom->questions);
    ck_assert_str_eq(plain->questions, g->questions);
    wjx_free(plain);
    wjx_free(bom);
    wjx_free(g);
    free(gb);
    /* Another survey's questions: another survey. */
    const char *other = "序号,提交答卷时间,所用时间,1、单位,2、您对办事满意吗\n1,2026/1/1 8:00:00,9秒,GA01,一般\n";
    wjx_file *o = parse_ok(other, strlen(other), NULL);
    wjx_file *s = parse_ok(SAMPLE, strlen(SAMPLE), NULL);
    ck_assert_str_ne(o->questions, s->questions);
    ck_assert_ptr_null(o->rows[0].unit);
    ck_assert_uint_eq(o->unit_col, 0);
    wjx_free(o);
    wjx_free(s);
}
END_TEST

START_TEST(test_unit_column_names)
{
    const char *names[] = {"1", "您办理业务的单位", "1、您办理业务的单位"};
    for (size_t i = 0; i < 3; i++) {
        wjx_file *f = parse_ok(SAMPLE, strlen(SAMPLE), names[i]);
        ck_assert_uint_eq(f->unit_col, 7);
        wjx_free(f);
    }
    parse_fails(SAMPLE, "9", "no question is titled \"9\"");
    /* A title over two lines (quoted) is one line in messages. */
    const char *two = "序号,提交答卷时间,所用时间,\"1、您对\r\n服务\x01满意吗\"\n1,2026/1/1 8:00,5秒,一般\n";
    wjx_file *f = parse_ok(two, strlen(two), NULL);
    ck_assert_str_eq(f->rating_title, "1、您对  服务?满意吗");
    ck_assert_uint_eq(f->rows[0].line, 3);
    wjx_free(f);
    /* Lines ended by a lone CR are counted as lines. */
    const char *cr = "序号,提交答卷时间,所用时间,1、满意吗\r1,2026/1/1 8:00,5秒,一般\r2,x,5秒,一般\r";
    parse_fails(cr, NULL, "line 3: column 2 (提交答卷时间)");
    parse_fails(HEADER "1,2026/12/5 10:23:45,1分3秒,a,b,c,\"县公\n安局\",一般,\r\n", "1",
                "line 2: column 7 (1、您办理业务的单位): the unit is not one line of text");
    parse_fails(SAMPLE, "来自IP", "no question is titled");
}
END_TEST

START_TEST(test_refusals_name_line_and_column)
{
    parse_fails(HEADER ROW1 "2,2026/12/5 10:25:01,2秒,微信,N/A,x,RS01,很满意,\r\n",
                NULL, "t.csv, line 3: column 8 (2、您对该单位的服务满意吗？): \"很满意\" is not one of");
    parse_fails(HEADER ROW1 "2,2026/12/5 10:25:01,2秒,微信,N/A,x,RS01,(跳过),\r\n", NULL,
                "line 3: column 8");
    parse_fails(HEADER ROW1 "2,2026/13/5 10:25:01,2秒,微信,N/A,x,RS01,一般,\r\n", NULL,
                "line 3: column 2 (提交答卷时间)");
    parse_fails(HEADER ROW1 "2,2026/2/30 10:25:01,2秒,微信,N/A,x,RS01,一般,\r\n", NULL,
                "line 3: column 2 (提交答卷时间)");
    parse_fails(HEADER ROW1 "2,2026/12/5 10:25:01,两秒,微信,N/A,x,RS01,一般,\r\n", NULL,
                "line 3: column 3 (所用时间)");
    parse_fails(HEADER ROW1 "x,2026/12/5 10:25:01,2秒,微信,N/A,x,RS01,一般,\r\n", NULL,
                "line 3: column 1 (序号)");
    parse_fails(HEADER ROW1 ROW2 "1,2026/12/5 10:25:01,2秒,微信,N/A,x,RS01,一般,\r\n", NULL,
                "line 4: column 1 (序号): answer 1 is also on line 2");
    parse_fails(HEADER ROW1 "2,2026/12/5 10:25:01,2秒\r\n", NULL,
                "line 3: 3 fields, but the header names 9 columns");
    parse_fails(HEADER ROW1 "2,2026/12/5 10:25:01,2秒,\"微信,N/A\r\n", NULL,
                "line 3: malformed CSV");
    parse_fails(HEADER ROW1 "2,2026/12/5 10:25:01,2秒,微信,N/A,x,,一般,\r\n", "1",
                "line 3: column 7 (1、您办理业务的单位): no unit given");
    parse_fails("序号,提交答卷时间,来源,1、单位满意吗\n", NULL, "line 1: the header has no column 所用时间");
    parse_fails("序号,提交答卷时间,所用时间,1、单位\n", NULL, "no satisfaction question");
    parse_fails(HEADER, NULL, "has no answers");
    parse_fails("", NULL, "is empty");
    /* Neither UTF-8 nor GB18030 (0x80 alone is no GB18030 byte): the line. */
    parse_fails(HEADER "1,2026/12/5 10:23:45,1分3秒,\x80,", NULL, "line 2: neither UTF-8 nor GB18030");
    parse_fails(BOM HEADER "1,\xff", NULL, "line 2: not UTF-8 text although");
}
END_TEST

START_TEST(test_durations_and_times)
{
    static const struct {
        const char *text;
        int64_t secs;
    } ok[] = {{"0秒", 0}, {"2秒", 2}, {"1分3秒", 63}, {"1分钟", 60}, {"1小时2分3秒", 3723},
              {" 12 秒 ", 12}, {"1天", 86400}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t s = -1;
        ck_assert_msg(wjx_duration(ok[i].text, &s) == 0, "%s", ok[i].text);
        ck_assert_int_eq(s, ok[i].secs);
    }
    const char *bad[] = {"", "秒", "2", "2s", "3秒1分", "1分1分", "-1秒", "1234567890123秒"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t s;
        ck_assert_msg(wjx_duration(bad[i], &s) == -1, "\"%s\" accepted", bad[i]);
    }
    int64_t t;
    ck_assert_int_eq(wjx_time("1970/1/1 8:00:00", &t), 0);
    ck_assert_int_eq(t, 0);
    ck_assert_int_eq(wjx_time("2024-02-29 23:59", &t), 0);
    ck_assert_int_eq(wjx_time("2023-02-29 10:00:00", &t), -1);
    ck_assert_int_eq(wjx_time("2026/12/5", &t), -1);
    ck_assert_int_eq(wjx_time("2026/12-5 10:00:00", &t), -1);
    ck_assert_int_eq(wjx_time("2026/12/5 24:00:00", &t), -1);
    ck_assert_int_eq(wjx_time("2026/12/5 10:00:00 x", &t), -1);
}
END_TEST

/* ---- the command ---- */

static char *dir;

static void office(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_OFFICE_BIN, dir, NULL, r, ap);
    va_end(ap);
}

static void setup(void)
{
    dir = tu_mkdtemp();
    char *units = tu_path(dir, "units.csv");
    const char *u = "代码,名称,类型\nGA01,县公安局,县直机关\nRS01,县人力资源和社会保障局,县直机关\n";
    tu_write_file(units, u, strlen(u));
    free(units);
    tu_result r;
    office(&r, "--db", "o.db", "units", "import", "units.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
}

static void teardown(void)
{
    tu_rm_rf(dir);
    free(dir);
}

static void write(const char *name, const void *data, size_t len)
{
    char *p = tu_path(dir, name);
    tu_write_file(p, data, len);
    free(p);
}

static int64_t q(const char *sql)
{
    char *p = tu_path(dir, "o.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(p, &db), SQLITE_OK);
    int64_t v = tu_sql_int(db, sql);
    sqlite3_close(db);
    free(p);
    return v;
}

START_TEST(test_import_unit_from_and_reimport)
{
    write("a.csv", BOM SAMPLE, strlen(BOM SAMPLE));
    tu_result r;
    office(&r, "--db", "o.db", "import-wjx", "--unit-from", "1", "a.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "4 answers, 4 new, 1 flagged"), "%s", r.out);
    tu_result_free(&r);
    ck_assert_int_eq(q("SELECT count(*) FROM votes WHERE kiosk_id = 'wjx' AND channel = 'online'"), 4);
    ck_assert_int_eq(q("SELECT count(*) FROM votes WHERE unit_code = 'GA01'"), 2);
    ck_assert_int_eq(q("SELECT sum(points) FROM votes WHERE unit_code = 'RS01'"), 6);
    ck_assert_int_eq(q("SELECT flagged FROM votes WHERE seq = 2"), 1);
    ck_assert_int_eq(q("SELECT count(*) FROM votes WHERE flagged = 1"), 1);
    ck_assert_int_eq(q("SELECT cast_utc FROM votes WHERE seq = 1"), 1796437425);
    /* Nothing personal: the address is nowhere in the database. */
    ck_assert_int_eq(q("SELECT count(*) FROM votes WHERE unit_name LIKE '%1.2.3.4%' OR "
                       "uuid LIKE '%1.2.3.4%'"), 0);
    /* Again, and the same survey in GB18030: counted once. */
    size_t len;
    char *gb = to_gb18030(SAMPLE, &len);
    write("g.csv", gb, len);
    free(gb);
    office(&r, "--db", "o.db", "import-wjx", "--unit-from", "您办理业务的单位", "a.csv", "g.csv",
           NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "4 answers, 0 new"), "%s", r.out);
    tu_result_free(&r);
    ck_assert_int_eq(q("SELECT count(*) FROM votes"), 4);
    ck_assert_int_eq(q("SELECT count(*) FROM imports"), 3);
    /* The report counts them as online votes (网上票数). */
    office(&r, "--db", "o.db", "report", "--channel", "online", "--format", "csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "GA01"), "%s", r.out);
    tu_result_free(&r);
    office(&r, "--db", "o.db", "report", "--channel", "kiosk", "--format", "csv", NULL);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_import_fixed_unit)
{
    const char *one = "\xEF\xBB\xBF序号,提交答卷时间,所用时间,来源,来源详情,来自IP,1、您对县公安局的服务满意吗？\n"
                      "1,2026/12/5 9:00:00,1秒,微信,N/A,1.1.1.1,一般\n"
                      "2,2026/12/5 9:01:00,40秒,微信,N/A,1.1.1.2,非常满意\n";
    write("one.csv", one, strlen(one));
    tu_result r;
    office(&r, "--db", "o.db", "import-wjx", "--unit", "GA01", "one.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(q("SELECT count(*) FROM votes WHERE unit_code = 'GA01'"), 2);
    ck_assert_int_eq(q("SELECT flagged FROM votes WHERE seq = 1"), 1);
    /* An unregistered unit, or neither/both options: nothing stored. */
    office(&r, "--db", "o.db", "import-wjx", "--unit", "XX99", "one.csv", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "unit XX99 is not in the unit registry"), "%s", r.err);
    tu_result_free(&r);
    office(&r, "--db", "o.db", "import-wjx", "one.csv", NULL);
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
    office(&r, "--db", "o.db", "import-wjx", "--unit", "GA01", "--unit-from", "1", "one.csv",
           NULL);
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
    /* The same 序号 as another unit now: a conflict, the file refused whole. */
    office(&r, "--db", "o.db", "import-wjx", "--unit", "RS01", "one.csv", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "conflict"), "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(q("SELECT count(*) FROM votes"), 2);
    /* --survey keys it as another survey. */
    office(&r, "--db", "o.db", "import-wjx", "--unit", "RS01", "--survey", "2026-second", "one.csv",
           NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(q("SELECT count(DISTINCT instance) FROM votes"), 2);
    /* kiosks lists the source as what it is, with its two surveys. */
    office(&r, "--db", "o.db", "kiosks", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "answers from 问卷星 (wjx.cn), source wjx:\n") &&
                      !strstr(r.out, "kiosk wjx"),
                  "%s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_bad_file_imports_nothing)
{
    /* Rows 1-3 good, row 4 bad: nothing at all. */
    const char *bad = HEADER ROW1 ROW2 ROW3 "4,2026/12/5 11:02:00,9秒,链接,N/A,9.9.9.9,GA01,满意,\r\n";
    write("bad.csv", bad, strlen(bad));
    tu_result r;
    office(&r, "--db", "o.db", "import-wjx", "--unit-from", "1", "bad.csv", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "bad.csv, line 5: column 8 (2、您对该单位的服务满意吗？): \"满意\""),
                  "%s", r.err);
    tu_result_free(&r);
    /* A unit answer that is not a registered unit: its line and column. */
    const char *unk = HEADER ROW1 "2,2026/12/5 10:25:01,9秒,微信,N/A,x,县教育局,不满意,\r\n";
    write("unk.csv", unk, strlen(unk));
    office(&r, "--db", "o.db", "import-wjx", "--unit-from", "1", "unk.csv", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "unk.csv, line 3, column 7 (1、您办理业务的单位): \"县教育局\""),
                  "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(q("SELECT count(*) FROM votes"), 0);
    ck_assert_int_eq(q("SELECT count(*) FROM imports"), 0);
}
END_TEST

static Suite *wjx_suite(void)
{
    Suite *s = suite_create("wjx");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, test_encodings);
    tcase_add_test(tc, test_unit_column_names);
    tcase_add_test(tc, test_refusals_name_line_and_column);
    tcase_add_test(tc, test_durations_and_times);
    suite_add_tcase(s, tc);
    tc = tcase_create("command");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_import_unit_from_and_reimport);
    tcase_add_test(tc, test_import_fixed_unit);
    tcase_add_test(tc, test_bad_file_imports_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(wjx_suite());
}

/* check_unitform.c - `minping-office units form`: the registration form of
 * annex 2 filled from the unit registry.  The HTML holds the notice's title
 * and boxes and every registered detail, escaped (a name or department with
 * < & > " ' stays text); --all gives one form per unit; errors are refused
 * with exit 1 or 2; and headless Chromium prints it to a PDF of exactly one
 * A4 page per unit (counted by pdfinfo), also for a unit with every detail
 * at its longest. */
#include "testutil.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif

static char *dir;

static void run(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_OFFICE_BIN, dir, NULL, r, ap);
    va_end(ap);
}

#define L8 "长长长长长长长长"
#define L24 L8 L8 L8
#define L32 L24 L8
#define L64 L32 L32
#define PHONE "0734-5000001转111111111111111"
#define A60 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define EMAIL A60 "." A60 "." A60 "." "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
              "@example.org" /* 254 bytes: the longest accepted */

static const char UNITS[] =
    "代码,名称,类型,分管领导,分管领导职务,分管领导电话,责任科室,科室负责人,科室负责人职务,"
    "科室负责人电话,联系人1姓名,联系人1办公电话,联系人1手机,联系人1电子邮箱,联系人1QQ,"
    "联系人2姓名,联系人2办公电话,联系人2手机,联系人2电子邮箱,联系人2QQ\r\n"
    "GA01,县公安局,县直机关,张示例,副局长,0734-5000001,办公室,李示例,主任,0734-5000002,"
    "王示例,0734-5000003,13800000001,wang@example.org,10001,赵示例,0734-5000004,13800000002,"
    "zhao@example.org,10002\r\n"
    "X1,<b>甲&乙</b>,乡镇,,,,\"<script>'科'&\"\"室\"\"\",,,,,,,,,,,,,\r\n"
    "TS01,城关镇人民政府,乡镇,,,,,,,,,,,,,,,,,\r\n"
    /* Every detail at the registry's longest: the form still keeps to one page. */
    "LONG," L24 ",乡镇," L32 "," L64 "," PHONE "," L64 "," L32 "," L64 "," PHONE "," L32 "," PHONE
    "," PHONE "," EMAIL ",123456789012," L32 "," PHONE "," PHONE "," EMAIL ",123456789012\r\n";

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
    char *p = tu_path(dir, "units.csv");
    tu_write_file(p, UNITS, sizeof UNITS - 1);
    free(p);
    tu_result r;
    run(&r, "--db", "o.db", "units", "import", "units.csv", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
}

static void teardown(void)
{
    free(dir);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(test_one_unit)
{
    tu_result r;
    run(&r, "--db", "o.db", "units", "form", "--unit", "GA01", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    const char *h = r.out;
    ck_assert(strncmp(h, "<!DOCTYPE html>", 15) == 0);
    ck_assert(strstr(h, "@page{size:A4"));
    ck_assert(strstr(h, "<h1>政府信息公开工作的主管部门、工作机构登记表</h1>"));
    ck_assert(strstr(h, "附件2"));
    ck_assert(strstr(h, "单位（盖章）：<b>县公安局</b>"));
    ck_assert_uint_eq(count(h, "<section class=\"form\">"), 1);
    /* The notice's boxes, each with its value. */
    static const char *const want[] = {
        "<th class=\"sec\" rowspan=\"2\">分管领导</th><th>姓名</th><td>张示例</td>"
        "<th>职务</th><td>副局长</td>",
        "<th>联系电话</th><td colspan=\"3\">0734-5000001</td>",
        "<th class=\"sec\" rowspan=\"3\">主管部门</th><th>名称</th><td colspan=\"3\">办公室</td>",
        "<th>负责人</th><td>李示例</td><th>职务</th><td>主任</td>",
        "<td colspan=\"3\">0734-5000002</td>",
        "<th class=\"sec\" rowspan=\"3\">联系人1</th><th>姓名</th><td>王示例</td>"
        "<th>办公室电话</th><td>0734-5000003</td>",
        "<th>手机</th><td>13800000001</td><th>电子邮箱</th><td>wang@example.org</td>",
        "<th>QQ</th><td colspan=\"3\">10001</td>",
        "<th class=\"sec\" rowspan=\"3\">联系人2</th><th>姓名</th><td>赵示例</td>"
        "<th>办公室电话</th><td>0734-5000004</td>",
        "<th>手机</th><td>13800000002</td><th>电子邮箱</th><td>zhao@example.org</td>",
        "<th>QQ</th><td colspan=\"3\">10002</td>",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(h, want[i]), "no \"%s\" in\n%s", want[i], h);
    /* Self-contained. */
    ck_assert(!strstr(h, "http://") && !strstr(h, "https://") && !strstr(h, "<script"));
    tu_result_free(&r);
}
END_TEST

START_TEST(test_escaped)
{
    tu_result r;
    run(&r, "--db", "o.db", "units", "form", "--unit", "X1", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "单位（盖章）：<b>&lt;b&gt;甲&amp;乙&lt;/b&gt;</b>"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "<td colspan=\"3\">&lt;script&gt;&#39;科&#39;&amp;&quot;室&quot;"
                                "</td>"),
                  "%s", r.out);
    ck_assert(!strstr(r.out, "<script") && !strstr(r.out, "<b>甲"));
    /* Nothing registered: empty boxes to fill in by hand. */
    ck_assert(strstr(r.out, "<th>负责人</th><td></td><th>职务</th><td></td>"));
    tu_result_free(&r);
}
END_TEST

START_TEST(test_all_and_errors)
{
    tu_result r;
    run(&r, "--db", "o.db", "units", "form", "--all", "--out", "forms.html", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "");
    tu_result_free(&r);
    char *p = tu_path(dir, "forms.html");
    char *h = tu_read_file(p, NULL);
    free(p);
    ck_assert_uint_eq(count(h, "<section class=\"form\">"), 4);
    /* By code: GA01, LONG, TS01, X1. */
    const char *a = strstr(h, "<b>县公安局</b>"), *b = strstr(h, "<b>城关镇人民政府</b>"),
               *c = strstr(h, "<b>&lt;b&gt;甲");
    ck_assert(a && b && c && a < b && b < c);
    free(h);

    run(&r, "--db", "o.db", "units", "form", "--unit", "NOPE", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "NOPE") && strstr(r.err, "not in the unit registry"), "%s", r.err);
    ck_assert_str_eq(r.out, "");
    tu_result_free(&r);
    run(&r, "--db", "o.db", "units", "form", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--unit CODE or --all"), "%s", r.err);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "units", "form", "--unit", "GA01", "--all", NULL);
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
    run(&r, "--db", "missing.db", "units", "form", "--all", NULL);
    ck_assert_int_eq(r.status, 1);
    tu_result_free(&r);
    run(&r, "--db", "o.db", "units", "form", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "units form (--unit CODE | --all)"));
    tu_result_free(&r);
}
END_TEST

/* Headless Chromium prints the forms: one A4 page per unit. */
START_TEST(test_prints_on_a4)
{
    tu_result r;
    run(&r, "--db", "o.db", "units", "form", "--all", "--out", "forms.html", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    char *html = tu_path(dir, "forms.html"), *pdf = tu_path(dir, "forms.pdf"),
         *profile = tu_path(dir, "chromium-profile");
    char url[4096], out[4096], prof[4096];
    snprintf(url, sizeof url, "file://%s", html);
    snprintf(out, sizeof out, "--print-to-pdf=%s", pdf);
    snprintf(prof, sizeof prof, "--user-data-dir=%s", profile);
    const char *const chromium[] = {"--headless",        "--no-sandbox", "--disable-gpu",
                                    "--no-pdf-header-footer", prof,      out,
                                    url,                 NULL};
    tu_run_list("/usr/bin/chromium", dir, chromium, NULL, &r);
    ck_assert_msg(r.status == 0, "chromium: %s", r.err);
    tu_result_free(&r);
    const char *const pdfinfo[] = {pdf, NULL};
    tu_run_list("/usr/bin/pdfinfo", dir, pdfinfo, NULL, &r);
    ck_assert_msg(r.status == 0, "pdfinfo: %s", r.err);
    ck_assert_msg(strstr(r.out, "Pages:           4\n"), "%s", r.out);
    /* pdfinfo names the paper size it recognises. */
    ck_assert_msg(strstr(r.out, " pts (A4)\n"), "%s", r.out);
    tu_result_free(&r);
    free(html);
    free(pdf);
    free(profile);
}
END_TEST

static Suite *unitform_suite(void)
{
    Suite *s = suite_create("unitform");
    TCase *tc = tcase_create("form");
    tcase_set_timeout(tc, 90);
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_one_unit);
    tcase_add_test(tc, test_escaped);
    tcase_add_test(tc, test_all_and_errors);
    tcase_add_test(tc, test_prints_on_a4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(unitform_suite());
}

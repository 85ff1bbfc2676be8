/* check_rubric.c - the assessment rubric as data: the shipped 2011 rubric
 * holds annex 1 as the notice writes it, the places where the notice's own
 * numbers disagree are found and not guessed away, malformed files are
 * refused with their line, and `minping-office rubric` prints it. */
#include "rubric.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MINPING_SOURCE_DIR
#error "MINPING_SOURCE_DIR must name the source tree"
#endif
#define SHIPPED MINPING_SOURCE_DIR "/assets/rubric/hengshan-2011.ini"

static rubric *shipped(void)
{
    rubric *r = NULL;
    mp_err err = {{0}};
    ck_assert_msg(rubric_load(SHIPPED, &r, &err) == 0, "%s", err.msg);
    return r;
}

static int64_t points_of(const rubric *r, const char *id)
{
    const rubric_item *it = rubric_find(r, id);
    ck_assert_msg(it != NULL, "no item %s", id);
    return it->points;
}

START_TEST(test_shipped_categories)
{
    rubric *r = shipped();
    ck_assert_int_eq(rubric_year(r), 2011);
    ck_assert_int_eq(rubric_total(r), 10000);
    static const struct { const char *id, *name; int64_t points; } cats[] = {
        {"一", "基础工作情况", 1000}, {"二", "政府信息公开工作情况", 3000},
        {"三", "网站内容保障和网上来信办理情况", 2000},
        {"四", "行政审批及电子监察系统建设工作情况", 3000}, {"五", "民主测评", 1000}};
    for (size_t i = 0; i < 5; i++) {
        const rubric_item *it = rubric_find(r, cats[i].id);
        ck_assert_ptr_nonnull(it);
        ck_assert_int_eq(it->depth, 1);
        ck_assert_str_eq(it->name, cats[i].name);
        ck_assert_int_eq(it->points, cats[i].points);
    }
    ck_assert_int_eq(rubric_find(r, "五")->kind, RUBRIC_VOTES);
    ck_assert_int_eq(rubric_find(r, "加分")->kind, RUBRIC_BONUS);
    rubric_destroy(r);
}
END_TEST

/* Every item and sub-item of annex 1 with its points and kind. */
START_TEST(test_shipped_items)
{
    rubric *r = shipped();
    static const struct { const char *id; int64_t points; rubric_kind kind; } items[] = {
        {"一.1", 400, RUBRIC_GROUP}, {"一.1.1", 100, RUBRIC_SCORE}, {"一.1.2", 100, RUBRIC_SCORE},
        {"一.1.3", 100, RUBRIC_SCORE}, {"一.1.4", 200, RUBRIC_SCORE}, {"一.2", 600, RUBRIC_GROUP},
        {"一.2.1", 200, RUBRIC_SCORE}, {"一.2.2", 200, RUBRIC_SCORE}, {"一.2.3", 100, RUBRIC_SCORE},
        {"一.2.4", 100, RUBRIC_SCORE}, {"二.1", 400, RUBRIC_GROUP}, {"二.1.1", 200, RUBRIC_SCORE},
        {"二.1.2", 200, RUBRIC_SCORE}, {"二.2", 1600, RUBRIC_GROUP}, {"二.2.1", 1200, RUBRIC_COUNT},
        {"二.2.2", 200, RUBRIC_SCORE}, {"二.2.3", 200, RUBRIC_SCORE}, {"二.3", 600, RUBRIC_GROUP},
        {"二.3.1", 200, RUBRIC_SCORE}, {"二.3.2", 200, RUBRIC_SCORE}, {"二.3.3", 200, RUBRIC_SCORE},
        {"二.4", 200, RUBRIC_DEDUCT}, {"二.5", 200, RUBRIC_DEDUCT}, {"三.1", 1200, RUBRIC_GROUP},
        {"三.1.1", 400, RUBRIC_SCORE}, {"三.1.2", 800, RUBRIC_COUNT}, {"三.2", 800, RUBRIC_GROUP},
        {"三.2.1", 200, RUBRIC_SCORE}, {"三.2.2", 400, RUBRIC_SCORE},
        {"三.2.3", RUBRIC_NO_POINTS, RUBRIC_DEDUCT}, {"四.1", 600, RUBRIC_GROUP},
        {"四.1.1", 300, RUBRIC_SCORE}, {"四.1.2", 300, RUBRIC_SCORE}, {"四.2", 800, RUBRIC_GROUP},
        {"四.2.1", 400, RUBRIC_SCORE}, {"四.2.2", 400, RUBRIC_SCORE}, {"四.3", 500, RUBRIC_GROUP},
        {"四.3.1", 500, RUBRIC_SCORE}, {"四.4", 600, RUBRIC_GROUP}, {"四.4.1", 300, RUBRIC_SCORE},
        {"四.4.2", 300, RUBRIC_SCORE}, {"四.5", 500, RUBRIC_GROUP}, {"四.5.1", 500, RUBRIC_SCORE},
    };
    size_t n = sizeof items / sizeof items[0];
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(points_of(r, items[i].id) == items[i].points, "%s", items[i].id);
        ck_assert_msg(rubric_find(r, items[i].id)->kind == items[i].kind, "%s", items[i].id);
        ck_assert_msg(*rubric_find(r, items[i].id)->text, "%s has no wording", items[i].id);
    }
    /* 5 categories + the items above + 加分: nothing more, nothing less. */
    ck_assert_uint_eq(rubric_count(r), n + 6);
    ck_assert_int_eq(rubric_find(r, "二.4")->per_event, 100);
    ck_assert_int_eq(rubric_find(r, "三.2.3")->per_event, 100);
    ck_assert(strstr(rubric_find(r, "二.4")->text, "每次扣1分") != NULL);
    rubric_destroy(r);
}
END_TEST

START_TEST(test_targets_by_unit_type)
{
    rubric *r = shipped();
    const rubric_item *it = rubric_find(r, "二.2.1");
    ck_assert_int_eq(rubric_target(it, "县直机关"), 500);
    ck_assert_int_eq(rubric_target(it, "乡镇"), 300);
    ck_assert_int_eq(rubric_target(it, "垂直管理单位"), 200);
    ck_assert_int_eq(rubric_target(it, "公共企事业单位"), -1);
    ck_assert_int_eq(rubric_target(it, NULL), -1);
    ck_assert_str_eq(it->unit, "条");
    it = rubric_find(r, "三.1.2");
    for (int t = 0; t < UNITREG_TYPES; t++)
        ck_assert_int_eq(rubric_target(it, UNITREG_TYPE_NAMES[t]), 30);
    ck_assert_str_eq(it->unit, "篇");
    rubric_destroy(r);
}
END_TEST

START_TEST(test_settings_and_grades)
{
    rubric *r = shipped();
    const rubric_settings *s = rubric_get_settings(r);
    ck_assert_int_eq(s->ratio, 500);
    ck_assert_int_eq(s->bonus_max, 500);
    ck_assert_int_eq(s->n_grades, 4);
    ck_assert_str_eq(rubric_grade_of(r, 9000), "优秀");
    ck_assert_str_eq(rubric_grade_of(r, 8999), "良好");
    ck_assert_str_eq(rubric_grade_of(r, 6000), "合格");
    ck_assert_str_eq(rubric_grade_of(r, 5999), "不合格");
    ck_assert(!s->include_flagged);
    ck_assert(s->all_channels);
    rubric_destroy(r);
}
END_TEST

/* The notice's own numbers that disagree, found and kept as they are. */
START_TEST(test_check_findings)
{
    rubric *r = shipped();
    rubric_finding *v = NULL;
    size_t n = 0;
    mp_err err = {{0}};
    ck_assert_int_eq(rubric_check(r, &v, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0].id, "一.1");
    ck_assert_msg(strstr(v[0].msg, "add up to 5 (1 + 1 + 1 + 2)") != NULL, "%s", v[0].msg);
    ck_assert_str_eq(v[1].id, "三.2");
    ck_assert_msg(strstr(v[1].msg, "2 + 4 = 6") && strstr(v[1].msg, "三.2.3"), "%s", v[1].msg);
    ck_assert_str_eq(v[2].id, "二.2.1");
    ck_assert(strstr(v[2].msg, "公共企事业单位") != NULL);
    free(v);
    /* Kept, not guessed: 一.1 still 4, 三.2 still 8; attainable 4 and 6. */
    ck_assert_int_eq(points_of(r, "一.1"), 400);
    ck_assert_int_eq(points_of(r, "三.2"), 800);
    ck_assert_int_eq(rubric_attainable(r, (size_t)rubric_index(r, "一.1")), 400);
    ck_assert_int_eq(rubric_attainable(r, (size_t)rubric_index(r, "三.2")), 600);
    ck_assert_int_eq(rubric_attainable(r, (size_t)rubric_index(r, "三")), 1800);
    rubric_destroy(r);
}
END_TEST

START_TEST(test_takes)
{
    rubric *r = shipped();
    ck_assert(rubric_takes(rubric_find(r, "一.1.1"), "score"));
    ck_assert(!rubric_takes(rubric_find(r, "一.1.1"), "deduct"));
    ck_assert(rubric_takes(rubric_find(r, "二.4"), "deduct"));
    ck_assert(rubric_takes(rubric_find(r, "二.2.1"), "count"));
    ck_assert(rubric_takes(rubric_find(r, "加分"), "bonus"));
    ck_assert(!rubric_takes(rubric_find(r, "二.2"), "score"));
    ck_assert(!rubric_takes(rubric_find(r, "五"), "score"));
    rubric_destroy(r);
}
END_TEST

static const char MINIMAL[] = "[rubric]\ntitle = t\nyear = 2026\ntotal = 10\n"
                              "[settings]\nratio = 0.1\nbonus_max = 1\ngrades = A >= 5, B >= 0\n"
                              "[一]\nname = n\npoints = 10\nkind = score\n[加分]\nkind = bonus\n";

static void refused(const char *text, const char *want)
{
    rubric *r = NULL;
    mp_err err = {{0}};
    ck_assert_msg(rubric_parse("x.ini", text, strlen(text), &r, &err) < 0, "accepted: %s", text);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, want) != NULL, "\"%s\" lacks \"%s\"", err.msg, want);
}

START_TEST(test_malformed)
{
    rubric *r = NULL;
    mp_err err = {{0}};
    ck_assert_msg(rubric_parse("x.ini", MINIMAL, strlen(MINIMAL), &r, &err) == 0, "%s", err.msg);
    rubric_destroy(r);
    char buf[1024];
    snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", MINIMAL);
    ck_assert_msg(rubric_parse("x.ini", buf, strlen(buf), &r, &err) == 0, "%s", err.msg);
    rubric_destroy(r);

    snprintf(buf, sizeof buf, "%s[一.1.1]\npoints = 1\nkind = score\n", MINIMAL);
    refused(buf, "line 15: entry [一.1.1] comes before its parent [一.1]");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 1\npoints = 2\nkind = score\n", MINIMAL);
    refused(buf, "line 18: points is given twice");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 1.234\nkind = score\n", MINIMAL);
    refused(buf, "line 17: points: \"1.234\" has more than 2 decimals");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 1\nkind = guess\n", MINIMAL);
    refused(buf, "line 18: kind \"guess\"");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 1\nkind = score\ncolour = red\n", MINIMAL);
    refused(buf, "line 19: an entry has no key \"colour\"");
    snprintf(buf, sizeof buf, "%s[二.x]\n", MINIMAL);
    refused(buf, "line 15: entry [二.x]: not an id");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 3\nkind = count\n", MINIMAL);
    refused(buf, "[二] is a count: give target");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 3\nkind = deduct\n", MINIMAL);
    refused(buf, "[二] is a deduction: give per_event");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 3\n", MINIMAL);
    refused(buf, "[二] needs a kind");
    snprintf(buf, sizeof buf, "%s[二]\nname = x\npoints = 3\nkind = count\ntarget.村 = 3\n",
             MINIMAL);
    refused(buf, "target.村: the unit type");
    snprintf(buf, sizeof buf, "%s[五]\nname = x\npoints = 3\nkind = votes\nlevels = 好 10\n",
             MINIMAL);
    refused(buf, "levels: the votes are scored 非常满意 10, 基本满意 8, 一般 6, 不满意 0");
    snprintf(buf, sizeof buf, "%s", MINIMAL);
    char *g = strstr(buf, "A >= 5, B >= 0");
    memcpy(g, "A >= 0, B >= 5", 14);
    refused(buf, "grades: list them from the highest threshold down");
    refused("[rubric]\ntitle = t\n", "needs title, year and total");
    refused("just text\n", "line 1: not \"key = value\"");
    snprintf(buf, sizeof buf, "%s[settings]\nratio = 9\n", MINIMAL);
    refused(buf, "line 15: entry [settings] is given twice");
}
END_TEST

/* `minping-office rubric check` exits 0 and prints each category's total and
 * every disagreement; `show` prints every item. */
START_TEST(test_cli)
{
    char *dir = tu_mkdtemp_in(tu_root);
    tu_result res;
    const char *check_args[] = {"--db", "none.db", "rubric", "check", "--year", "2011", NULL};
    setenv("MINPING_RUBRIC_DIR", MINPING_SOURCE_DIR "/assets/rubric", 1);
    tu_run_list(MINPING_OFFICE_BIN, dir, check_args, NULL, &res);
    ck_assert_msg(res.status == 0, "status %d: %s", res.status, res.err);
    static const char *const want[] = {"一 基础工作情况 10\n", "二 政府信息公开工作情况 30\n",
                                       "三 网站内容保障和网上来信办理情况 20\n",
                                       "四 行政审批及电子监察系统建设工作情况 30\n",
                                       "五 民主测评 10\n", "总分 100\n", "一.1 is 4 points",
                                       "三.2 is 8 points", "At most 98 of 100"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(res.out, want[i]), "no \"%s\" in:\n%s", want[i], res.out);
    tu_result_free(&res);

    const char *show_args[] = {"--db", "none.db", "rubric", "show", "--year", "2011", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, show_args, NULL, &res);
    ck_assert_int_eq(res.status, 0);
    ck_assert(strstr(res.out, "二.2.1 [计数 12分，目标：乡镇 300条，县直机关 500条，垂直管理单位 200条"));
    ck_assert(strstr(res.out, "折合 = 总分 × 0.0500"));
    tu_result_free(&res);

    const char *none_args[] = {"--db", "none.db", "rubric", "show", "--year", "2031", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, none_args, NULL, &res);
    ck_assert_int_eq(res.status, 1);
    ck_assert_msg(strstr(res.err, "no rubric for 2031"), "%s", res.err);
    tu_result_free(&res);
    unsetenv("MINPING_RUBRIC_DIR");
    free(dir);
}
END_TEST

static Suite *rubric_suite(void)
{
    Suite *s = suite_create("rubric");
    TCase *tc = tcase_create("rubric");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_test(tc, test_shipped_categories);
    tcase_add_test(tc, test_shipped_items);
    tcase_add_test(tc, test_targets_by_unit_type);
    tcase_add_test(tc, test_settings_and_grades);
    tcase_add_test(tc, test_check_findings);
    tcase_add_test(tc, test_takes);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(rubric_suite());
}

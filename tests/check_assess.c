/* check_assess.c - the scorecard engine, one test per rule of the notice,
 * each against figures computed by hand: 扣完为止, 从重, the bonus cap, the
 * year window, targets by unit type, 折合, grades; and 民主测评 equal to the
 * report's score of the same votes, ranks with ties, corrections. */
#include "arecord.h"
#include "assess.h"
#include "tally.h"
#include "registry.h"
#include "rubric.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHIPPED MINPING_SOURCE_DIR "/assets/rubric/hengshan-2011.ini"

static char *dir;
static registry *reg;
static sqlite3 *db;
static rubric *rb;
static int seq;

/* The shipped rubric as 2026's, with the settings line `key` replaced. */
static rubric *rubric_2026(const char *key, const char *line)
{
    size_t len;
    char *text = tu_read_file(SHIPPED, &len);
    ck_assert_ptr_nonnull(text);
    char *y = strstr(text, "year = 2011");
    memcpy(y, "year = 2026", 11);
    if (key) {
        char *k = strstr(text, key);
        ck_assert_ptr_nonnull(k);
        char *end = strchr(k, '\n');
        size_t nl = strlen(line);
        char *edited = malloc(len + nl + 1);
        size_t head = (size_t)(k - text);
        memcpy(edited, text, head);
        memcpy(edited + head, line, nl);
        strcpy(edited + head + nl, end);
        free(text);
        text = edited;
        len = strlen(text);
    }
    rubric *r = NULL;
    mp_err err = {{0}};
    ck_assert_msg(rubric_parse("test.ini", text, len, &r, &err) == 0, "%s", err.msg);
    free(text);
    return r;
}

static void exec(const char *sql)
{
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    char *path = tu_path(dir, "o.db");
    mp_err err = {{0}};
    ck_assert_msg(registry_open(path, &reg, &err) == 0, "%s", err.msg);
    free(path);
    db = registry_sqlite(reg);
    exec("INSERT INTO units(code, name, type) VALUES ('GA01', '县公安局', '县直机关'),"
         " ('TS01', '城关镇人民政府', '乡镇'), ('DS01', '县地税局', '垂直管理单位'),"
         " ('GD01', '县供电公司', '公共企事业单位');"
         "INSERT INTO kiosks(id, survey_url, provisioned_utc) VALUES ('room-01', 'https://x', 0);"
         "INSERT INTO imports(id, file_name, file_sha256, kiosk_id, instance, exported_utc, rows,"
         " new_rows, first_seq, last_seq, key_id, imported_utc) VALUES (1, 'f.csv', 'x',"
         " 'room-01', 'i1', 0, 0, 0, 0, 0, 'k', 0)");
    rb = rubric_2026(NULL, NULL);
    seq = 0;
}

static void teardown(void)
{
    rubric_destroy(rb);
    registry_close(reg);
    free(dir);
}

/* Stores a record; points in hundredths (-1 none). */
static int64_t rec(const char *date, const char *unit, const char *item, const char *kind,
                   int64_t points, int64_t count, const char *matter)
{
    arecord_input in = {.year = atoi(date), .date = date, .unit = unit, .item = item,
                        .kind = kind, .points = points, .count = count, .matter = matter,
                        .reason = "理由", .evidence = "", .by = "tester"};
    int64_t id;
    mp_err err = {{0}};
    ck_assert_msg(arecord_add(db, rb, &in, 1700000000, &id, &err) == 0, "%s", err.msg);
    return id;
}

/* n votes of `points` for unit at Unix time t with UTC offset off. */
static void votes(const char *unit, int points, int n, long long t, int off, int flagged)
{
    for (int i = 0; i < n; i++) {
        char sql[512];
        seq++;
        snprintf(sql, sizeof sql,
                 "INSERT INTO votes VALUES ('room-01', 'i1', %d, 'u%d', %lld, %d, '%s', 'n', %d,"
                 " 'kiosk', %d, 1)",
                 seq, seq, t, off, unit, points, flagged);
        exec(sql);
    }
}

static assess_result *compute(const char *only)
{
    assess_result *res = NULL;
    mp_err err = {{0}};
    /* The fixture writes votes with SQL, past the import that keeps the tallies. */
    ck_assert_msg(tally_rebuild(db, &err) == 0, "%s", err.msg);
    ck_assert_msg(assess_compute(db, rb, 2026, only, &res, &err) == 0, "%s", err.msg);
    return res;
}

static const assess_unit *unit_of(const assess_result *res, const char *code)
{
    for (size_t i = 0; i < res->n_units; i++)
        if (strcmp(res->units[i].code, code) == 0)
            return &res->units[i];
    ck_abort_msg("no unit %s", code);
    return NULL;
}

static int64_t item(const assess_unit *u, const char *id)
{
    int k = rubric_index(rb, id);
    ck_assert_msg(k >= 0, "no item %s", id);
    return u->items[k].earned;
}

static const assess_rec *rec_of(const assess_unit *u, int64_t id)
{
    for (size_t i = 0; i < u->n_recs; i++)
        if (u->recs[i].id == id)
            return &u->recs[i];
    ck_abort_msg("no record %lld", (long long)id);
    return NULL;
}

/* 扣完为止: 二.4 (2 points, 1 a complaint) with three complaints is 0, not -1;
 * 三.2.3's five late replies come off 三.2 (2 + 4 = 6), which stops at 0. */
START_TEST(test_floor_at_zero)
{
    rec("2026-02-01", "GA01", "二.4", "deduct", -1, -1, "A");
    rec("2026-03-01", "GA01", "二.4", "deduct", -1, -1, "B");
    rec("2026-04-01", "GA01", "二.4", "deduct", -1, -1, "C");
    rec("2026-01-10", "GA01", "三.2.1", "score", 200, -1, NULL);
    rec("2026-01-10", "GA01", "三.2.2", "score", 400, -1, NULL);
    rec("2026-05-01", "GA01", "三.2.3", "deduct", -1, 5, NULL);
    rec("2026-06-01", "GA01", "三.2.3", "deduct", -1, 2, NULL);
    rec("2026-01-10", "TS01", "三.2.1", "score", 200, -1, NULL);
    rec("2026-01-10", "TS01", "三.2.2", "score", 400, -1, NULL);
    rec("2026-05-01", "TS01", "三.2.3", "deduct", -1, 2, NULL);
    assess_result *res = compute(NULL);
    const assess_unit *u = unit_of(res, "GA01");
    ck_assert_int_eq(u->items[rubric_index(rb, "二.4")].deducted, 300);
    ck_assert_int_eq(item(u, "二.4"), 0);
    ck_assert_int_eq(item(u, "二.5"), 200);   /* untouched: starts full */
    ck_assert_int_eq(item(u, "二"), 200);     /* 二.5 alone */
    ck_assert_int_eq(item(u, "三.2"), 0);     /* 6 - 7 stops at 0 */
    ck_assert_int_eq(item(u, "三"), 0);
    /* TS01: 6 - 2 = 4. */
    ck_assert_int_eq(item(unit_of(res, "TS01"), "三.2"), 400);
    assess_free(res);
}
END_TEST

/* 从重: one matter deducted in 二.4 (1), 二.5 (2) and 三.2.3 (1) counts once,
 * the heaviest (二.5's 2); the others are kept, dropped, naming it. */
START_TEST(test_heaviest_of_a_matter)
{
    int64_t a = rec("2026-02-01", "GA01", "二.4", "deduct", -1, -1, "TS-7");
    int64_t b = rec("2026-02-02", "GA01", "二.5", "deduct", 200, -1, "TS-7");
    int64_t c = rec("2026-02-03", "GA01", "三.2.3", "deduct", -1, -1, "TS-7");
    int64_t d = rec("2026-02-04", "GA01", "二.4", "deduct", -1, -1, "other");
    /* Two equal deductions of one matter: the earlier counts. */
    int64_t e = rec("2026-03-01", "TS01", "二.4", "deduct", -1, -1, "M");
    int64_t f = rec("2026-03-02", "TS01", "二.5", "deduct", -1, -1, "M");
    assess_result *res = compute(NULL);
    const assess_unit *u = unit_of(res, "GA01");
    ck_assert_int_eq(rec_of(u, a)->state, ASSESS_DROPPED);
    ck_assert_int_eq(rec_of(u, a)->other, b);
    ck_assert_int_eq(rec_of(u, b)->state, ASSESS_COUNTED);
    ck_assert_int_eq(rec_of(u, c)->state, ASSESS_DROPPED);
    ck_assert_int_eq(rec_of(u, c)->other, b);
    ck_assert_int_eq(rec_of(u, d)->state, ASSESS_COUNTED);
    ck_assert_int_eq(item(u, "二.4"), 100); /* 2 - 1 (matter "other") */
    ck_assert_int_eq(item(u, "二.5"), 0);   /* 2 - 2 */
    const assess_unit *t = unit_of(res, "TS01");
    ck_assert_int_eq(rec_of(t, e)->state, ASSESS_COUNTED);
    ck_assert_int_eq(rec_of(t, f)->state, ASSESS_DROPPED);
    ck_assert_int_eq(item(t, "二.4"), 100);
    ck_assert_int_eq(item(t, "二.5"), 200);
    assess_free(res);
}
END_TEST

/* 加分: 3 + 4 claimed, at most 5 (bonus_max): 5, outside the 100. */
START_TEST(test_bonus_cap)
{
    rec("2026-06-01", "GA01", "加分", "bonus", 300, -1, NULL);
    rec("2026-07-01", "GA01", "加分", "bonus", 400, -1, NULL);
    rec("2026-06-01", "TS01", "加分", "bonus", 150, -1, NULL);
    for (int k = 0; k < (int)rubric_count(rb); k++) {
        const rubric_item *it = rubric_at(rb, k);
        if (it->kind == RUBRIC_SCORE)
            rec("2026-12-01", "GA01", it->id, "score", it->points, -1, NULL);
    }
    rec("2026-12-01", "GA01", "二.2.1", "count", -1, 500, NULL);
    rec("2026-12-01", "GA01", "三.1.2", "count", -1, 30, NULL);
    votes("GA01", 10, 3, 1770000000, 28800, 0);
    assess_result *res = compute(NULL);
    const assess_unit *u = unit_of(res, "GA01");
    ck_assert_int_eq(u->bonus_claimed, 700);
    ck_assert_int_eq(u->bonus, 500);
    /* Everything met: 一 4 + 6 (一.1's sub-items name 5 of its 4), 二 30, 三 12 + 6
     * (三.2: 2 + 4), 四 30, 五 10: 98, and 5 more outside the 100. */
    ck_assert_int_eq(item(u, "一"), 1000);
    ck_assert_int_eq(item(u, "三"), 1800);
    ck_assert_int_eq(u->base, 9800);
    ck_assert_int_eq(u->total, 10300);
    ck_assert_int_eq(unit_of(res, "TS01")->bonus, 150);
    assess_free(res);
}
END_TEST

/* The year is 1 January - 31 December: records dated in 2025 do not count
 * for 2026, and votes go by the kiosk's local date. */
START_TEST(test_year_window)
{
    rec("2025-12-31", "GA01", "加分", "bonus", 100, -1, NULL);
    rec("2026-01-01", "GA01", "加分", "bonus", 200, -1, NULL);
    rec("2026-12-31", "GA01", "二.2.1", "count", -1, 100, NULL);
    /* Refused outright: a 2027 date for 2026. */
    arecord_input in = {.year = 2026, .date = "2027-01-01", .unit = "GA01", .item = "加分",
                        .kind = "bonus", .points = 100, .count = -1, .reason = "r", .by = "t"};
    int64_t id;
    mp_err err = {{0}};
    ck_assert_int_eq(arecord_add(db, rb, &in, 0, &id, &err), -1);
    /* UTC+8: 2025-12-31 15:59:59Z is 23:59:59 local (2025): out;
     * 2025-12-31 16:00:00Z is 2026-01-01 00:00 local: in;
     * 2026-12-31 15:59:59Z is 23:59:59 local: in; 16:00:00Z is 2027: out. */
    votes("GA01", 0, 1, 1767196799LL, 28800, 0);
    votes("GA01", 10, 1, 1767196800LL, 28800, 0);
    votes("GA01", 8, 1, 1798732799LL, 28800, 0);
    votes("GA01", 0, 1, 1798732800LL, 28800, 0);
    assess_result *res = compute(NULL);
    const assess_unit *u = unit_of(res, "GA01");
    ck_assert_int_eq(u->bonus, 200);
    ck_assert_int_eq(u->n_recs, 2);
    ck_assert_int_eq(u->items[rubric_index(rb, "二.2.1")].count, 100);
    ck_assert_int_eq(u->votes.s.votes, 2);
    ck_assert_int_eq(u->votes.counts[0], 1);
    ck_assert_int_eq(u->votes.counts[1], 1);
    ck_assert_int_eq(item(u, "五"), 900); /* (10 + 8) / 2 */
    assess_free(res);
}
END_TEST

/* 二.2.1 (12 points): 250 items a year against 500 (县直机关) is 6.00, against
 * 300 (乡镇) 10.00, against 200 (垂直管理单位) the full 12; 公共企事业单位 has no
 * target in the notice: 0.  三.1.2 (8 points, 30 for all): 7 items 1.866… ->
 * 1.87. */
START_TEST(test_targets_by_unit_type)
{
    const char *units[] = {"GA01", "TS01", "DS01", "GD01"};
    for (int i = 0; i < 4; i++) {
        rec("2026-03-31", units[i], "二.2.1", "count", -1, 100, NULL);
        rec("2026-06-30", units[i], "二.2.1", "count", -1, 150, NULL);
        rec("2026-06-30", units[i], "三.1.2", "count", -1, 7, NULL);
    }
    assess_result *res = compute(NULL);
    ck_assert_int_eq(item(unit_of(res, "GA01"), "二.2.1"), 600);
    ck_assert_int_eq(unit_of(res, "GA01")->items[rubric_index(rb, "二.2.1")].target, 500);
    ck_assert_int_eq(item(unit_of(res, "TS01"), "二.2.1"), 1000);
    ck_assert_int_eq(item(unit_of(res, "DS01"), "二.2.1"), 1200);
    ck_assert_int_eq(item(unit_of(res, "GD01"), "二.2.1"), 0);
    ck_assert_int_eq(unit_of(res, "GD01")->items[rubric_index(rb, "二.2.1")].target, -1);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(item(unit_of(res, units[i]), "三.1.2"), 187);
    assess_free(res);
}
END_TEST

/* 折合 = 总分 × ratio, half up: 86.50 × 0.05 = 4.325 -> 4.33; with ratio 0.3,
 * 86.50 × 0.3 = 25.95. */
START_TEST(test_scaling)
{
    /* Every score in full but 四.5.1 (5) and 一.2.4 (1): 一 4 + 5 = 9, 四 25;
     * 二.2.1 450 of 500 × 12 = 10.80, so 二 = 4 + 14.80 + 6 + 2 + 2 = 28.80;
     * 三.1.2 21 of 30 × 8 = 5.60, so 三 = 9.60 + 6 = 15.60; 五 (10 + 10 + 8 + 0)
     * ÷ 4 = 7.00; 加分 1.10.  总分 9 + 28.80 + 15.60 + 25 + 7 + 1.10 = 86.50. */
    for (int k = 0; k < (int)rubric_count(rb); k++) {
        const rubric_item *it = rubric_at(rb, k);
        if (it->kind == RUBRIC_SCORE && strcmp(it->id, "四.5.1") && strcmp(it->id, "一.2.4"))
            rec("2026-12-01", "GA01", it->id, "score", it->points, -1, NULL);
    }
    rec("2026-12-01", "GA01", "二.2.1", "count", -1, 450, NULL);
    rec("2026-12-01", "GA01", "三.1.2", "count", -1, 21, NULL);
    rec("2026-12-01", "GA01", "加分", "bonus", 110, -1, NULL);
    votes("GA01", 10, 2, 1780000000, 28800, 0);
    votes("GA01", 8, 1, 1780000000, 28800, 0);
    votes("GA01", 0, 1, 1780000000, 28800, 0);
    assess_result *res = compute("GA01");
    ck_assert_uint_eq(res->n_units, 1);
    const assess_unit *u = &res->units[0];
    ck_assert_int_eq(item(u, "二.2.1"), 1080);
    ck_assert_int_eq(item(u, "三.1.2"), 560);
    ck_assert_int_eq(item(u, "五"), 700);
    ck_assert_int_eq(item(u, "一"), 900);
    ck_assert_int_eq(item(u, "四"), 2500);
    ck_assert_int_eq(u->total, 8650);
    ck_assert_int_eq(u->scaled, 433);
    assess_free(res);
    rubric_destroy(rb);
    rb = rubric_2026("ratio = 0.05", "ratio = 0.3");
    res = compute("GA01");
    ck_assert_int_eq(res->units[0].scaled, 2595);
    assess_free(res);
}
END_TEST

/* Grades by 总分: 90.00 优秀, 89.99 良好 (default thresholds 90/80/60); an
 * office's own thresholds apply as set. */
START_TEST(test_grades)
{
    /* Both: 四 30, 二 30 (二.2.1 at its target), 一 10, 三.1.1 4, 五 10 and 加分 5;
     * 三.2.1 is 1.00 for GA01 (总分 90.00) and 0.99 for TS01 (89.99). */
    const char *full[] = {"四.1.1", "四.1.2", "四.2.1", "四.2.2", "四.3.1", "四.4.1", "四.4.2",
                          "四.5.1", "二.1.1", "二.1.2", "二.2.2", "二.2.3", "二.3.1", "二.3.2",
                          "二.3.3", "一.1.1", "一.1.2", "一.1.3", "一.1.4", "一.2.1", "一.2.2",
                          "一.2.3", "一.2.4", "三.1.1"};
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        const rubric_item *it = rubric_find(rb, full[i]);
        rec("2026-12-01", "GA01", it->id, "score", it->points, -1, NULL);
        rec("2026-12-01", "TS01", it->id, "score", it->points, -1, NULL);
    }
    rec("2026-12-01", "GA01", "二.2.1", "count", -1, 500, NULL);
    rec("2026-12-01", "TS01", "二.2.1", "count", -1, 300, NULL);
    rec("2026-12-01", "GA01", "三.2.1", "score", 100, -1, NULL);
    rec("2026-12-01", "TS01", "三.2.1", "score", 99, -1, NULL);
    rec("2026-12-01", "GA01", "加分", "bonus", 500, -1, NULL);
    rec("2026-12-01", "TS01", "加分", "bonus", 500, -1, NULL);
    votes("GA01", 10, 3, 1780000000, 28800, 0);
    votes("TS01", 10, 3, 1780000000, 28800, 0);
    assess_result *res = compute(NULL);
    const assess_unit *g = unit_of(res, "GA01"), *t = unit_of(res, "TS01");
    ck_assert_int_eq(g->total, 9000);
    ck_assert_str_eq(g->grade, "优秀");
    ck_assert_int_eq(t->total, 8999);
    ck_assert_str_eq(t->grade, "良好");
    ck_assert_str_eq(unit_of(res, "DS01")->grade, "不合格");
    /* Ranks: GA01 1st overall and in 县直机关; TS01 2nd overall, 1st in 乡镇. */
    ck_assert_int_eq(g->rank, 1);
    ck_assert_int_eq(g->rank_in_type, 1);
    ck_assert_int_eq(t->rank, 2);
    ck_assert_int_eq(t->rank_in_type, 1);
    /* DS01 and GD01 both 0: they share 3rd. */
    ck_assert_int_eq(unit_of(res, "DS01")->rank, 3);
    ck_assert_int_eq(unit_of(res, "GD01")->rank, 3);
    assess_free(res);
    rubric_destroy(rb);
    rb = rubric_2026("grades = ", "grades = 好 >= 89.99, 差 >= 0");
    res = compute(NULL);
    ck_assert_str_eq(unit_of(res, "TS01")->grade, "好");
    assess_free(res);
}
END_TEST

/* 五 is the report's 民主测评得分: 10 非常满意, 5 基本满意, 1 一般 -> 146 / 16
 * = 9.125 -> 9.13 (README), flagged votes left out unless the rubric says
 * include. */
START_TEST(test_votes_are_the_reports_score)
{
    votes("GA01", 10, 10, 1780000000, 28800, 0);
    votes("GA01", 8, 5, 1780000000, 28800, 0);
    votes("GA01", 6, 1, 1780000000, 28800, 0);
    votes("GA01", 0, 4, 1780000000, 28800, 1);
    assess_result *res = compute(NULL);
    const assess_unit *u = unit_of(res, "GA01");
    ck_assert_int_eq(u->votes.s.hundredths, 913);
    ck_assert_int_eq(u->votes.flagged_left_out, 4);
    ck_assert_int_eq(item(u, "五"), 913);
    ck_assert_int_eq(item(unit_of(res, "TS01"), "五"), 0); /* no votes */
    assess_free(res);
    rubric_destroy(rb);
    rb = rubric_2026("votes_flagged = ", "votes_flagged = include");
    res = compute(NULL);
    /* 146 / 20 = 7.30 */
    ck_assert_int_eq(item(unit_of(res, "GA01"), "五"), 730);
    assess_free(res);
    rubric_destroy(rb);
    rb = rubric_2026("votes_channels = ", "votes_channels = web");
    res = compute(NULL);
    ck_assert_int_eq(item(unit_of(res, "GA01"), "五"), 0);
    ck_assert_int_eq(unit_of(res, "GA01")->votes.channel_left_out, 20);
    assess_free(res);
}
END_TEST

/* Corrections: a replaced count and a reversed deduction count as corrected;
 * of two scores of one entry the later counts. */
START_TEST(test_corrections)
{
    int64_t a = rec("2026-03-31", "GA01", "二.2.1", "count", -1, 100, NULL);
    int64_t b = rec("2026-04-01", "GA01", "二.4", "deduct", -1, -1, NULL);
    int64_t s1 = rec("2026-05-01", "GA01", "一.1.4", "score", 100, -1, NULL);
    int64_t s2 = rec("2026-06-01", "GA01", "一.1.4", "score", 200, -1, NULL);
    arecord_input in = {.points = -1, .count = 250, .reason = "复核", .by = "t"};
    int64_t c, d;
    mp_err err = {{0}};
    ck_assert_msg(arecord_correct(db, rb, a, "replace", &in, 0, &c, &err) == 0, "%s", err.msg);
    arecord_input rv = {.points = -1, .count = -1, .reason = "不属实", .by = "t"};
    ck_assert_msg(arecord_correct(db, rb, b, "reverse", &rv, 0, &d, &err) == 0, "%s", err.msg);
    assess_result *res = compute(NULL);
    const assess_unit *u = unit_of(res, "GA01");
    ck_assert_int_eq(rec_of(u, a)->state, ASSESS_CORRECTED);
    ck_assert_int_eq(rec_of(u, a)->other, c);
    ck_assert_int_eq(rec_of(u, b)->state, ASSESS_CORRECTED);
    ck_assert_int_eq(rec_of(u, d)->state, ASSESS_REVERSAL);
    ck_assert_int_eq(rec_of(u, s1)->state, ASSESS_SUPERSEDED);
    ck_assert_int_eq(rec_of(u, s2)->state, ASSESS_COUNTED);
    ck_assert_int_eq(u->items[rubric_index(rb, "二.2.1")].count, 250);
    ck_assert_int_eq(item(u, "二.2.1"), 600);
    ck_assert_int_eq(item(u, "二.4"), 200);
    ck_assert_int_eq(item(u, "一.1.4"), 200);
    assess_free(res);
}
END_TEST

static Suite *assess_suite(void)
{
    Suite *s = suite_create("assess");
    TCase *tc = tcase_create("rules");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_floor_at_zero);
    tcase_add_test(tc, test_heaviest_of_a_matter);
    tcase_add_test(tc, test_bonus_cap);
    tcase_add_test(tc, test_year_window);
    tcase_add_test(tc, test_targets_by_unit_type);
    tcase_add_test(tc, test_scaling);
    tcase_add_test(tc, test_grades);
    tcase_add_test(tc, test_votes_are_the_reports_score);
    tcase_add_test(tc, test_corrections);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(assess_suite());
}

/* check_ui_reasons.c - the thank-you screen's reason buttons: offered after
 * 一般 and 不满意 only, reason.1 ... reason.N in kiosk.ini's order in the
 * ui-dump, one tap = one follow-up of that vote (never a vote), every button
 * disabled once it is stored, nothing stored without a tap or when the
 * write fails (and the Chinese error shown), the countdown still running
 * out, and the buttons within the window at the 15 % rule at every size in
 * both text modes. */
#include "uitest.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const DEFAULT_REASONS[] = {"办事效率低", "服务态度差", "信息不全或难找",
                                              "多次跑腿", "其他"};

static char *last_dump;

static const char *dump(void)
{
    free(last_dump);
    last_dump = tu_read_file(dump_path, NULL);
    ck_assert_ptr_nonnull(last_dump);
    return last_dump;
}

/* The dump's object for element id (from its "{"id" to its "}"). */
static char *dump_element(const char *id, char *buf, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "{\"id\": \"%s\",", id);
    const char *d = dump();
    const char *p = strstr(d, key);
    if (!p)
        return NULL;
    const char *end = strchr(p, '}');
    ck_assert_ptr_nonnull(end);
    snprintf(buf, n, "%.*s", (int)(end - p + 1), p);
    return buf;
}

static void assert_dump_enabled(const char *id, int on)
{
    char buf[1024];
    ck_assert_msg(dump_element(id, buf, sizeof buf), "no %s in the dump: %s", id, last_dump);
    ck_assert_msg(strstr(buf, on ? "\"enabled\": true}" : "\"enabled\": false}"),
                  "%s should be %s: %s", id, on ? "enabled" : "disabled", buf);
}

/* One number from the kiosk database. */
static int64_t query_int(const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static int64_t followups(const char *where)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followups WHERE %s", where);
    return query_int(sql);
}

static void assert_no_reasons(void)
{
    char buf[1024];
    ck_assert_int_eq(find("reason.1"), -1);
    ck_assert_int_eq(find("thanks.note"), -1);
    ck_assert_ptr_null(dump_element("reason.1", buf, sizeof buf));
    ck_assert_ptr_null(strstr(dump(), "\"id\": \"reason."));
}

START_TEST(unsatisfied_then_reason_2_stores_one_followup)
{
    start(1, 800, 480);
    tap("rate.0");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("1"), 1);
    int64_t seq = query_int("SELECT seq FROM votes");
    /* reason.1 ... reason.5, the default labels in order, all enabled. */
    for (int i = 0; i < 5; i++) {
        char id[16], buf[1024], want[128];
        snprintf(id, sizeof id, "reason.%d", i + 1);
        ck_assert_msg(dump_element(id, buf, sizeof buf), "no %s: %s", id, last_dump);
        snprintf(want, sizeof want, "\"label\": \"%s\"", DEFAULT_REASONS[i]);
        ck_assert_msg(strstr(buf, want), "%s: %s", want, buf);
        assert_dump_enabled(id, 1);
    }
    ck_assert_int_eq(find("reason.6"), -1);
    ck_assert_int_lt(find("reason.1"), find("reason.5"));
    ck_assert_int_eq(followups("1"), 0); /* no tap, no record */

    tap("reason.2");
    assert_screen("thanks");
    for (int i = 1; i <= 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "reason.%d", i);
        assert_dump_enabled(id, 0);
    }
    char buf[1024];
    ck_assert_ptr_nonnull(dump_element("thanks.note", buf, sizeof buf));
    ck_assert_msg(strstr(buf, "已记录：服务态度差"), "%s", buf);
    /* Exactly one follow-up, of that vote, with that label; no second vote. */
    ck_assert_int_eq(followups("1"), 1);
    char where[300];
    snprintf(where, sizeof where,
             "vote_kiosk = '' AND vote_seq = %lld AND reasons = '服务态度差' AND points = 0 AND "
             "unit_code = 'U01' AND channel = 'kiosk' AND comment = '' AND "
             "vote_instance = (SELECT instance FROM votes WHERE seq = %lld)",
             (long long)seq, (long long)seq);
    ck_assert_int_eq(followups(where), 1);
    ck_assert_int_eq(count_rows("1"), 1);

    /* Another tap changes nothing. */
    tap("reason.3");
    tap("reason.2");
    ck_assert_int_eq(followups("1"), 1);
    ck_assert_int_eq(followups("reasons = '服务态度差'"), 1);
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(satisfied_ratings_offer_no_reasons)
{
    start(1, 800, 480);
    tap("rate.10");
    assert_screen("thanks");
    assert_no_reasons();
    advance(6000);
    assert_screen("rating");
    tap("rate.8");
    assert_screen("thanks");
    assert_no_reasons();
    advance(6000);
    tap("rate.6"); /* 一般 offers them */
    assert_screen("thanks");
    ck_assert_int_ge(find("reason.1"), 0);
    ck_assert_int_eq(followups("1"), 0);
}
END_TEST

START_TEST(no_tap_no_record_and_the_countdown_still_ends)
{
    start(1, 800, 480);
    tap("rate.6");
    assert_screen("thanks");
    advance(6000);
    assert_screen("rating");
    ck_assert_int_eq(followups("1"), 0);
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(a_reason_late_in_the_countdown_lengthens_it_a_little)
{
    start(1, 800, 480);
    tap("rate.0");
    advance(5000); /* 1 s of the 6 left */
    tap("reason.1");
    ck_assert_int_eq(followups("reasons = '办事效率低'"), 1);
    advance(3000);
    assert_screen("thanks"); /* still there to say it is recorded */
    advance(3000);
    assert_screen("rating"); /* and then it goes */
}
END_TEST

START_TEST(failed_write_stores_nothing_and_says_so)
{
    ck_assert_int_eq(faultvfs_install(), 0);
    start(1, 800, 480);
    tap("rate.0");
    assert_screen("thanks");
    faultvfs_set_failure(SQLITE_FULL);
    tap("reason.4");
    ck_assert(faultvfs_failures() > 0);
    faultvfs_set_failure(0);
    assert_screen("thanks"); /* the vote is stored and stays thanked */
    ck_assert_int_eq(followups("1"), 0);
    ck_assert_int_eq(count_rows("1"), 1);
    char buf[1024];
    ck_assert_ptr_nonnull(dump_element("thanks.note", buf, sizeof buf));
    ck_assert_msg(strstr(buf, "原因未能保存"), "%s", buf);
    assert_dump_enabled("reason.4", 1); /* not shown as recorded */
    /* Once the disk works, a tap stores it. */
    tap("reason.4");
    ck_assert_int_eq(followups("reasons = '多次跑腿'"), 1);
    assert_dump_enabled("reason.4", 0);
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(configured_reasons_in_order)
{
    mp_err err;
    ck_assert_msg(start_app(1, 800, 480, "reasons = 排队太久|其他", &err) == 0, "%s", err.msg);
    app_render(a);
    tap("rate.0");
    char buf[1024];
    ck_assert_ptr_nonnull(dump_element("reason.1", buf, sizeof buf));
    ck_assert_msg(strstr(buf, "\"label\": \"排队太久\""), "%s", buf);
    ck_assert_ptr_nonnull(dump_element("reason.2", buf, sizeof buf));
    ck_assert_msg(strstr(buf, "\"label\": \"其他\""), "%s", buf);
    ck_assert_int_eq(find("reason.3"), -1);
    tap("reason.1");
    ck_assert_int_eq(followups("reasons = '排队太久'"), 1);
}
END_TEST

START_TEST(empty_reasons_turn_them_off)
{
    mp_err err;
    ck_assert_msg(start_app(1, 800, 480, "reasons =", &err) == 0, "%s", err.msg);
    app_render(a);
    tap("rate.0");
    assert_screen("thanks");
    assert_no_reasons();
}
END_TEST

static int overlap(ui_rect p, ui_rect q)
{
    return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
}

static const int SIZES[][2] = {{800, 480}, {480, 800}, {1024, 600}, {1280, 800},
                               {1920, 1080}, {1080, 1920}};

START_TEST(buttons_fit_at_every_size_in_both_modes)
{
    int w = SIZES[_i / 2][0], h = SIZES[_i / 2][1], large = _i % 2;
    start(1, w, h);
    if (large)
        tap("mode.large");
    tap("rate.0");
    assert_screen("thanks");
    int s = w < h ? w : h, min = (int)(s * 0.15);
    int n;
    const ui_element *el = app_elements(a, &n);
    int reasons = 0;
    for (int i = 0; i < n; i++) {
        const ui_element *e = &el[i];
        ck_assert_msg(e->r.x >= 0 && e->r.y >= 0 && e->r.x + e->r.w <= w && e->r.y + e->r.h <= h,
                      "%dx%d: %s outside the window", w, h, e->id);
        if (strncmp(e->id, "reason.", 7) != 0)
            continue;
        reasons++;
        ck_assert_msg(e->r.w >= min && e->r.h >= min, "%dx%d: %s is %dx%d, under 15%% of %d", w,
                      h, e->id, e->r.w, e->r.h, s);
        for (int j = 0; j < n; j++)
            if (j != i && (el[j].touch || strcmp(el[j].id, "qr.card") == 0 ||
                           strcmp(el[j].id, "thanks.note") == 0 ||
                           strcmp(el[j].id, "thanks.text") == 0))
                ck_assert_msg(!overlap(e->r, el[j].r), "%dx%d: %s overlaps %s", w, h, e->id,
                              el[j].id);
    }
    ck_assert_int_eq(reasons, 5);
    ck_assert_int_ge(find("qr"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui_reasons");
    TCase *tc = tcase_create("reasons");
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_add_test(tc, unsatisfied_then_reason_2_stores_one_followup);
    tcase_add_test(tc, satisfied_ratings_offer_no_reasons);
    tcase_add_test(tc, no_tap_no_record_and_the_countdown_still_ends);
    tcase_add_test(tc, a_reason_late_in_the_countdown_lengthens_it_a_little);
    tcase_add_test(tc, failed_write_stores_nothing_and_says_so);
    tcase_add_test(tc, configured_reasons_in_order);
    tcase_add_test(tc, empty_reasons_turn_them_off);
    tcase_add_loop_test(tc, buttons_fit_at_every_size_in_both_modes, 0,
                        (int)(sizeof SIZES / sizeof SIZES[0]) * 2);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

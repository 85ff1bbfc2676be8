/* check_ui_screens.c - the kiosk's screens, driven by taps and a fake
 * clock: the way from unit to rating to thanks, the votes stored, the
 * timers, the staff PIN pad and admin screen (totals, export), out of
 * service and back, the ui-dump, and each screen's frame drawn from the
 * caches equal to a fresh one. */
#include "uitest.h"

#include "export.h"
#include "pin.h"
#include "rating.h"
#include "sign.h"
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The dump file's text; freed at the next call. */
static const char *slurp(const char *path)
{
    static char *last;
    free(last);
    last = tu_read_file(path, NULL);
    ck_assert_ptr_nonnull(last);
    return last;
}

/* Export from the admin screen into export_dir, signed with the kiosk key. */
static sign_key test_key;

static void make_key(void)
{
    mp_err err;
    char path[400];
    snprintf(path, sizeof path, "%s/kiosk.key", dir);
    ck_assert_int_eq(sign_keygen(&test_key, &err), 0);
    ck_assert_msg(sign_key_save(path, &test_key, &err) == 0, "%s", err.msg);
}

static int key_of_test(void *user, const char *kiosk, const char *key_id,
                       unsigned char pk[SIGN_PK_BYTES], mp_err *err)
{
    (void)user;
    (void)err;
    if (strcmp(kiosk, "test-kiosk") != 0 || strcmp(key_id, test_key.id) != 0)
        return 0;
    memcpy(pk, test_key.pk, SIGN_PK_BYTES);
    return 1;
}

static int count_row(void *user, const export_row *row, mp_err *err)
{
    (void)row;
    (void)err;
    ++*(int *)user;
    return 0;
}

static const char *admin_message(void)
{
    int i = find("admin.message"), n;
    ck_assert_int_ge(i, 0);
    return app_elements(a, &n)[i].label;
}

static void open_admin(void)
{
    hold_hotspot(3100);
    enter_pin("1234");
    assert_screen("admin");
}

START_TEST(vote_through_units_and_rating)
{
    start(3, 800, 480);
    assert_screen("units");
    tap("unit.U02");
    assert_screen("rating");
    ck_assert_int_eq(count_rows("1"), 0);
    tap("rate.8");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("seq = 1 AND unit_code = 'U02' AND points = 8 AND channel = "
                                "'kiosk' AND flagged = 0 AND unit_name = '县人力资源和社会保障局'"),
                     1);
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(each_rating_button_stores_its_points)
{
    start(2, 1920, 1080);
    for (int i = 0; i < RATING_COUNT; i++) {
        tap("unit.U01");
        tap(RATINGS[i].id);
        assert_screen("thanks");
        advance(6000);
        assert_screen("units");
    }
    ck_assert_int_eq(count_rows("points = 10"), 1);
    ck_assert_int_eq(count_rows("points = 8"), 1);
    ck_assert_int_eq(count_rows("points = 6"), 1);
    ck_assert_int_eq(count_rows("points = 0"), 1);
    ck_assert_int_eq(count_rows("seq BETWEEN 1 AND 4"), 4);
}
END_TEST

START_TEST(single_unit_starts_on_rating)
{
    start(1, 800, 480);
    assert_screen("rating");
    ui_rect r;
    ck_assert(!app_element(a, "back", &r));
    tap("rate.0");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 0 AND unit_code = 'U01'"), 1);
    advance(6000);
    assert_screen("rating");
}
END_TEST

START_TEST(back_returns_to_units)
{
    start(2, 800, 480);
    tap("unit.U01");
    tap("back");
    assert_screen("units");
    ck_assert_int_eq(count_rows("1"), 0);
}
END_TEST

START_TEST(thanks_cooldown_and_countdown)
{
    start(2, 800, 480);
    tap("unit.U01");
    tap("rate.10");
    assert_screen("thanks");
    /* During cooldown (3 s) the done button is disabled and taps do nothing. */
    tap("thanks.done");
    assert_screen("thanks");
    ck_assert(!enabled("thanks.done"));
    ck_assert_int_eq(find("rate.10"), -1);
}
END_TEST

START_TEST(thanks_done_after_cooldown)
{
    start(2, 800, 480);
    tap("unit.U01");
    tap("rate.10");
    tap("thanks.done");
    assert_screen("thanks");
    advance(3000);
    tap("thanks.done");
    assert_screen("units");
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(thanks_returns_by_itself)
{
    start(2, 800, 480);
    tap("unit.U01");
    tap("rate.10");
    advance(5000);
    assert_screen("thanks");
    advance(1000);
    assert_screen("units");
}
END_TEST

START_TEST(taps_on_thanks_during_cooldown_do_not_vote)
{
    start(1, 800, 480);
    ui_rect r = rect_of("rate.10");
    tap("rate.10");
    /* Hammer where the rating buttons were, all through the cooldown. */
    for (int i = 0; i < 20; i++) {
        mouse(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2, 0);
        mouse(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2, 0);
        advance(100);
    }
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(burst_votes_are_flagged_not_dropped)
{
    start(1, 800, 480);
    for (int i = 0; i < 7; i++) {
        tap("rate.10");
        assert_screen("thanks");
        advance(3000);
        tap("thanks.done");
        assert_screen("rating");
    }
    /* 7 votes within ~25 s, burst_votes = 5: the 6th and 7th are flagged. */
    ck_assert_int_eq(count_rows("1"), 7);
    ck_assert_int_eq(count_rows("flagged = 1"), 2);
    ck_assert_int_eq(count_rows("flagged = 1 AND seq IN (6, 7)"), 2);
    /* After a quiet minute, votes are not flagged again. */
    advance(61000);
    tap("rate.8");
    ck_assert_int_eq(count_rows("flagged = 0 AND seq = 8"), 1);
}
END_TEST

START_TEST(idle_returns_to_first_screen)
{
    start(2, 800, 480);
    tap("unit.U02");
    assert_screen("rating");
    advance(29000);
    assert_screen("rating");
    advance(1100);
    assert_screen("units");
    ck_assert_int_eq(count_rows("1"), 0);
}
END_TEST

START_TEST(staff_pin_opens_admin_and_quit)
{
    start(2, 800, 480);
    tap("unit.U01");
    tap("rate.10");
    advance(6000);
    hold_hotspot(3100);
    assert_screen("pin");
    enter_pin("1234");
    assert_screen("admin");
    ck_assert(!app_quit_requested(a));
    tap("admin.close");
    assert_screen("units");
    hold_hotspot(3100);
    enter_pin("1234");
    tap("admin.quit");
    ck_assert(app_quit_requested(a));
}
END_TEST

START_TEST(wrong_pins_lock_the_pad)
{
    start(2, 800, 480);
    hold_hotspot(3100);
    assert_screen("pin");
    for (int i = 0; i < 5; i++) {
        enter_pin("9999");
        assert_screen("pin");
    }
    /* Locked: keys are disabled, even the right PIN does nothing. */
    ui_rect r;
    ck_assert(app_element(a, "pin.1", &r));
    enter_pin("1234");
    assert_screen("pin");
    /* Leaving and coming back keeps the lock. */
    tap("pin.cancel");
    assert_screen("units");
    hold_hotspot(3100);
    enter_pin("1234");
    assert_screen("pin");
    /* Five minutes later the pad opens again (the idle timeout has long
     * taken the screen back to the start meanwhile). */
    advance(5 * 60 * 1000);
    assert_screen("units");
    hold_hotspot(3100);
    enter_pin("1234");
    assert_screen("admin");
}
END_TEST

START_TEST(admin_idles_back_to_first_screen)
{
    start(2, 800, 480);
    hold_hotspot(3100);
    enter_pin("1234");
    assert_screen("admin");
    advance(31000);
    assert_screen("units");
}
END_TEST

START_TEST(storage_failure_shows_out_of_service_then_recovers)
{
    ck_assert_int_eq(faultvfs_install(), 0);
    start(1, 800, 480);
    tap("rate.10");
    ck_assert_int_eq(count_rows("1"), 1);
    advance(6000);
    faultvfs_set_failure(SQLITE_FULL);
    tap("rate.8");
    /* No thank-you for a vote that was not stored. */
    assert_screen("error");
    ck_assert(faultvfs_failures() > 0);
    advance(20000);
    assert_screen("error");
    faultvfs_set_failure(0);
    ck_assert_int_eq(count_rows("1"), 1);
    advance(5000);
    assert_screen("rating");
    tap("rate.6");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("1"), 2);
    ck_assert_int_eq(count_rows("seq = 2 AND points = 6"), 1);
}
END_TEST

START_TEST(unopenable_database_starts_out_of_service)
{
    write_config(1, "db = no-such-dir/kiosk.db");
    kiosk_config *cfg;
    mp_err err;
    ck_assert_int_eq(config_load(cfg_path, &cfg, &err), 0);
    open_window(800, 480);
    app_options opt = {.font_path = MINPING_FONT_BUILD, .dump_path = dump_path};
    now_ms = 5000;
    ck_assert_msg(app_create(cfg, ren, 800, 480, &opt, now_ms, &a, &err) == 0, "%s", err.msg);
    app_render(a);
    assert_screen("error");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/no-such-dir", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    advance(5000);
    assert_screen("rating");
}
END_TEST

START_TEST(ui_dump_follows_screens)
{
    start(2, 800, 480);
    const char *d = slurp(dump_path);
    ck_assert_msg(strstr(d, "\"screen\": \"units\""), "%s", d);
    ck_assert(strstr(d, "\"id\": \"unit.U01\", \"label\": \"县公安局\""));
    ck_assert(strstr(d, "\"id\": \"admin.hotspot\""));
    tap("unit.U01");
    d = slurp(dump_path);
    ck_assert(strstr(d, "\"screen\": \"rating\""));
    for (int i = 0; i < RATING_COUNT; i++) {
        char want[80];
        snprintf(want, sizeof want, "\"id\": \"%s\", \"label\": \"%s\"", RATINGS[i].id,
                 RATINGS[i].label);
        ck_assert_msg(strstr(d, want), "missing %s", want);
    }
    tap("rate.10");
    d = slurp(dump_path);
    ck_assert(strstr(d, "\"screen\": \"thanks\""));
    ck_assert(strstr(d, "\"id\": \"qr\", \"label\": "
                        "\"https://survey.example.org/s?k=test-kiosk&u=U01\""));
}
END_TEST

/* The admin screen reads the totals when it opens, not for every frame: a
 * vote that reaches the database while it shows (here written through a
 * second connection) changes its frame only once it is opened again. */
START_TEST(admin_totals_are_read_when_the_screen_opens)
{
    start(1, 800, 480);
    tap("rate.8");
    advance(6000);
    open_admin();
    long n_before, n_same, n_after;
    unsigned char *before = frame("admin-before", &n_before);
    store *s;
    mp_err err;
    ck_assert_msg(store_open(db_path, &s, &err) == 0, "%s", err.msg);
    store_vote v;
    ck_assert_msg(store_add_vote(s, "U01", "县公安局", 10, 0, 1700000000, 0, &v, &err) == 0, "%s",
                  err.msg);
    store_close(s);
    ck_assert_int_eq(count_rows("1"), 2);
    app_resize(a, 801, 480); /* laid out and drawn anew */
    app_resize(a, 800, 480);
    unsigned char *same = frame("admin-same", &n_same);
    ck_assert_int_eq(n_same, n_before);
    ck_assert_msg(memcmp(same, before, (size_t)n_same) == 0,
                  "the admin frame changed without the screen being opened again");
    tap("admin.close");
    open_admin();
    unsigned char *after = frame("admin-after", &n_after);
    ck_assert_int_eq(n_after, n_before);
    ck_assert_msg(memcmp(after, before, (size_t)n_after) != 0,
                  "the admin screen opened again shows the old totals");
    free(before);
    free(same);
    free(after);
}
END_TEST

START_TEST(admin_export_writes_a_signed_file)
{
    make_key();
    char out[400];
    snprintf(out, sizeof out, "%s/stick", dir);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    mp_err err;
    ck_assert_msg(start_app(2, 800, 480, "signing_key = kiosk.key\nexport_dir = stick", &err) == 0,
                  "%s", err.msg);
    app_render(a);
    tap("unit.U01");
    tap("rate.10");
    advance(6000);
    tap("unit.U02");
    tap("rate.0");
    advance(6000);
    open_admin();
    tap("admin.export");
    assert_screen("admin");
    const char *msg = admin_message();
    ck_assert_msg(strstr(msg, "已导出 2 票") && strstr(msg, out), "%s", msg);
    /* The file named on screen verifies with the kiosk's key. */
    const char *p = strstr(msg, out);
    size_t len;
    char *buf = tu_read_file(p, &len);
    ck_assert_msg(buf != NULL, "no file at %s", p);
    export_meta meta;
    int rows = 0;
    ck_assert_msg(export_read(buf, len, key_of_test, NULL, &meta, count_row, &rows, &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(rows, 2);
    ck_assert_int_eq(meta.rows, 2);
    free(buf);
}
END_TEST

START_TEST(admin_export_failure_is_explained)
{
    make_key();
    mp_err err;
    ck_assert_msg(start_app(1, 800, 480, "signing_key = kiosk.key\nexport_dir = no-stick-here",
                            &err) == 0,
                  "%s", err.msg);
    app_render(a);
    tap("rate.8");
    advance(6000);
    open_admin();
    tap("admin.export");
    const char *msg = admin_message();
    ck_assert_msg(strstr(msg, "导出失败") && strstr(msg, "找不到"), "%s", msg);
    ck_assert_int_eq(count_rows("1"), 1); /* nothing changed on the kiosk */
}
END_TEST

START_TEST(admin_export_without_key_is_explained)
{
    mp_err err;
    ck_assert_msg(start_app(1, 800, 480, "export_dir = .", &err) == 0, "%s", err.msg);
    app_render(a);
    open_admin();
    tap("admin.export");
    const char *msg = admin_message();
    ck_assert_msg(strstr(msg, "签名密钥"), "%s", msg);
}
END_TEST

/* Each screen drawn from empty caches, then again once the caches hold what
 * every screen left there (the same strings in other boxes, sizes and
 * colours): the same pixels, so no cache entry ever serves a wrong key. */
START_TEST(cached_frames_equal_fresh_ones)
{
    long n_units, n_rating, n_thanks;
    start(3, 800, 480);
    unsigned char *units = cold_frame("units-cold", &n_units);
    tap("unit.U02");
    unsigned char *rated = cold_frame("rating-cold", &n_rating);
    tap("rate.8");
    unsigned char *thanks = cold_frame("thanks-cold", &n_thanks);
    advance(7000); /* the thanks screen times out */
    assert_screen("units");
    assert_same_frame("units", units, n_units);
    tap("unit.U02");
    assert_same_frame("rating", rated, n_rating);
    tap("rate.8");
    assert_same_frame("thanks", thanks, n_thanks);
}
END_TEST

/* Opening the PIN pad drops what the citizens' screens left in the caches:
 * then the pad holds only its own textures, as when drawn from empty ones. */
START_TEST(pin_pad_drops_the_citizens_caches)
{
    start(3, 800, 480);
    tap("unit.U02");
    tap("rate.8");
    advance(7000);
    assert_screen("units");
    size_t citizens = app_cached_bytes(a);
    hold_hotspot(3100);
    assert_screen("pin");
    size_t pad = app_cached_bytes(a);
    long n;
    free(cold_frame("pin-cold", &n));
    size_t fresh = app_cached_bytes(a);
    ck_assert_msg(citizens > 200000, "only %zu bytes cached after three screens", citizens);
    ck_assert_msg(fresh > 0 && pad == fresh, "the pad holds %zu bytes, %zu of its own", pad, fresh);
}
END_TEST

/* The thank-you frame after a vote is drawn from the caches alone: the
 * rating screen, once shown, has drawn each rating's thanks unseen (with the
 * unit's name in it, so for each unit anew).  The same for a second unit;
 * and what the warming drew never shows (the frames equal fresh drawings:
 * cached_frames_equal_fresh_ones). */
START_TEST(thanks_frame_needs_no_rendering)
{
    start(3, 800, 480);
    const char *units[] = {"unit.U02", "unit.U03"}, *rates[] = {"rate.0", "rate.10"};
    for (int k = 0; k < 2; k++) {
        tap(units[k]);
        assert_screen("rating");
        ui_rect r = rect_of(rates[k]);
        mouse(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2, 0);
        advance(80); /* the button drawn held down */
        unsigned before = app_cache_misses(a);
        ck_assert_uint_gt(before, 0);
        mouse(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2, 0);
        advance(20);
        assert_screen("thanks");
        ck_assert_msg(app_cache_misses(a) == before, "%s, %s: the thanks frame made %u textures",
                      units[k], rates[k], app_cache_misses(a) - before);
        advance(7000);
        assert_screen("units");
    }
}
END_TEST

static Suite *ui_screens_suite(void)
{
    Suite *s = suite_create("ui_screens");
    TCase *tc = tcase_create("screens");
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, vote_through_units_and_rating);
    tcase_add_test(tc, each_rating_button_stores_its_points);
    tcase_add_test(tc, single_unit_starts_on_rating);
    tcase_add_test(tc, back_returns_to_units);
    tcase_add_test(tc, thanks_cooldown_and_countdown);
    tcase_add_test(tc, thanks_done_after_cooldown);
    tcase_add_test(tc, thanks_returns_by_itself);
    tcase_add_test(tc, taps_on_thanks_during_cooldown_do_not_vote);
    tcase_add_test(tc, burst_votes_are_flagged_not_dropped);
    tcase_add_test(tc, idle_returns_to_first_screen);
    tcase_add_test(tc, staff_pin_opens_admin_and_quit);
    tcase_add_test(tc, wrong_pins_lock_the_pad);
    tcase_add_test(tc, admin_idles_back_to_first_screen);
    tcase_add_test(tc, storage_failure_shows_out_of_service_then_recovers);
    tcase_add_test(tc, unopenable_database_starts_out_of_service);
    tcase_add_test(tc, ui_dump_follows_screens);
    tcase_add_test(tc, admin_totals_are_read_when_the_screen_opens);
    tcase_add_test(tc, admin_export_writes_a_signed_file);
    tcase_add_test(tc, admin_export_failure_is_explained);
    tcase_add_test(tc, admin_export_without_key_is_explained);
    tcase_add_test(tc, cached_frames_equal_fresh_ones);
    tcase_add_test(tc, pin_pad_drops_the_citizens_caches);
    tcase_add_test(tc, thanks_frame_needs_no_rendering);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(ui_screens_suite());
}

/* check_ui_sleep.c - sleep hours (kiosk.ini open_hours, open_days): outside
 * them the first screen, left alone for idle_seconds, becomes "sleep" (a
 * black frame, no elements, nothing redrawn); a touch wakes it and a vote
 * then is stored; the opening time wakes it by itself; within the hours,
 * or without them, it never sleeps.  Asleep, the backlight (a fake
 * /sys/class/backlight) is off, the display server's screen saver is let
 * work, and the kiosk waits for the opening time, not a short tick.  The wall clock is the test's (UTC). */
#include "uitest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* 2026-12-07, a Monday, at hh:mm UTC, plus day days. */
static int64_t at(int day, int hh, int mm)
{
    return 1796601600LL + day * 86400LL + hh * 3600 + mm * 60;
}

/* Starts a kiosk of n units with extra [kiosk] lines at wall time t. */
static void start_at(int n, const char *extra, int64_t t)
{
    ui_wall = t;
    mp_err err;
    ck_assert_msg(start_app(n, 800, 480, extra, &err) == 0, "%s", err.msg);
    app_set_utc_clock(a, ui_wall_clock);
    app_render(a);
}

/* Moves both clocks on by ms. */
static void pass(int64_t ms)
{
    ui_wall += ms / 1000;
    advance(ms);
}

static const char *HOURS = "open_hours = 08:00-17:30\nopen_days = 1-5\n";

START_TEST(closed_and_left_alone_it_sleeps_dark_and_still)
{
    start_at(2, HOURS, at(0, 18, 0)); /* Monday evening */
    assert_screen("units");
    pass(29000);
    assert_screen("units");
    pass(1100);
    assert_screen("sleep");
    int n;
    app_elements(a, &n);
    ck_assert_int_eq(n, 0);
    ck_assert_uint_eq(pixel_at(ren, 400, 240), 0x000000u);
    ck_assert_uint_eq(pixel_at(ren, 5, 5), 0x000000u);
    /* Nothing is drawn again while it sleeps. */
    for (int i = 0; i < 20; i++) {
        now_ms += 500;
        ui_wall += 60;
        app_tick(a, now_ms);
        ck_assert_int_eq(app_render(a), 0);
    }
    assert_screen("sleep");
}
END_TEST

START_TEST(a_touch_wakes_it_and_a_vote_then_counts)
{
    start_at(2, HOURS, at(5, 10, 0)); /* Saturday morning: closed all day */
    pass(30100);
    assert_screen("sleep");
    touch_at(400, 300);
    assert_screen("units"); /* the touch only woke it */
    ck_assert_int_eq(count_rows("1"), 0);
    tap("unit.U01");
    tap("rate.8");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 8"), 1);
    pass(7000); /* the countdown */
    assert_screen("units");
    pass(30100);
    assert_screen("sleep");
}
END_TEST

START_TEST(the_opening_time_wakes_it)
{
    start_at(2, HOURS, at(1, 7, 58)); /* Tuesday */
    pass(30100);
    assert_screen("sleep");
    pass(60000);
    assert_screen("sleep"); /* 07:59:30 */
    pass(31000);
    assert_screen("units"); /* 08:00:01 */
    pass(60000);
    assert_screen("units"); /* open: left alone, it stays awake */
}
END_TEST

START_TEST(without_hours_it_never_sleeps)
{
    start_at(1, NULL, at(6, 3, 0)); /* Sunday, 3 in the morning */
    for (int i = 0; i < 5; i++)
        pass(60000);
    assert_screen("rating");
}
END_TEST

START_TEST(mid_vote_it_waits_for_the_first_screen)
{
    start_at(2, HOURS, at(0, 17, 29));
    tap("unit.U02");
    assert_screen("rating");
    pass(60000); /* closed now; the idle return comes first */
    assert_screen("units");
    advance(100);
    assert_screen("sleep");
}
END_TEST

/* dir/backlight/panel with a lit bl_power; returns the file's path. */
static char *fake_backlight(void)
{
    static char class_dir[400], file[500];
    snprintf(class_dir, sizeof class_dir, "%s/backlight", dir);
    ck_assert_int_eq(mkdir(class_dir, 0755), 0);
    snprintf(file, sizeof file, "%s/panel", class_dir);
    ck_assert_int_eq(mkdir(file, 0755), 0);
    snprintf(file, sizeof file, "%s/panel/bl_power", class_dir);
    tu_write_file(file, "0\n", 2);
    ui_backlight_dir = class_dir;
    return file;
}

static long read_number(const char *path)
{
    char *s = tu_read_file(path, NULL);
    ck_assert_ptr_nonnull(s);
    long v = strtol(s, NULL, 10);
    free(s);
    return v;
}

START_TEST(asleep_the_backlight_is_off)
{
    const char *bl_power = fake_backlight();
    start_at(2, HOURS, at(0, 18, 0));
    ck_assert_int_eq(read_number(bl_power), 0);
    ck_assert(!SDL_IsScreenSaverEnabled()); /* serving: held off */
    pass(30100);
    assert_screen("sleep");
    ck_assert_int_eq(read_number(bl_power), 4);
    ck_assert(SDL_IsScreenSaverEnabled()); /* the display server may blank it */
    touch_at(400, 300);
    assert_screen("units");
    ck_assert_int_eq(read_number(bl_power), 0);
    ck_assert(!SDL_IsScreenSaverEnabled());
    pass(30100);
    assert_screen("sleep");
    ck_assert_int_eq(read_number(bl_power), 4);
    app_destroy(a); /* the kiosk stopped asleep: lit again */
    a = NULL;
    ck_assert_int_eq(read_number(bl_power), 0);
}
END_TEST

START_TEST(the_opening_time_lights_it)
{
    const char *bl_power = fake_backlight();
    start_at(2, HOURS, at(1, 7, 59));
    pass(30100);
    assert_screen("sleep");
    ck_assert_int_eq(read_number(bl_power), 4);
    pass(31000);
    assert_screen("units");
    ck_assert_int_eq(read_number(bl_power), 0);
}
END_TEST

/* Asleep, the loop waits until the opening time (at most 5 minutes, so a
 * clock set meanwhile is noticed); awake on the first screen, 500 ms. */
START_TEST(asleep_it_waits_long)
{
    start_at(2, HOURS, at(1, 7, 58)); /* Tuesday */
    ck_assert_int_le(app_wait_ms(a, now_ms), 500);
    pass(30100);
    assert_screen("sleep");
    ck_assert_int_eq(app_wait_ms(a, now_ms), 90 * 1000); /* 07:58:30 to 08:00 */
    pass(60000);
    ck_assert_int_eq(app_wait_ms(a, now_ms), 30 * 1000);
    pass(31000);
    assert_screen("units");
    ck_assert_int_le(app_wait_ms(a, now_ms), 500);
    ui_teardown();
    ui_setup();
    start_at(2, HOURS, at(0, 20, 0)); /* Monday night: 12 hours to go */
    pass(30100);
    assert_screen("sleep");
    ck_assert_int_eq(app_wait_ms(a, now_ms), 5 * 60 * 1000);
}
END_TEST

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    Suite *s = suite_create("ui_sleep");
    TCase *tc = tcase_create("sleep");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_add_test(tc, closed_and_left_alone_it_sleeps_dark_and_still);
    tcase_add_test(tc, a_touch_wakes_it_and_a_vote_then_counts);
    tcase_add_test(tc, the_opening_time_wakes_it);
    tcase_add_test(tc, without_hours_it_never_sleeps);
    tcase_add_test(tc, mid_vote_it_waits_for_the_first_screen);
    tcase_add_test(tc, asleep_the_backlight_is_off);
    tcase_add_test(tc, the_opening_time_lights_it);
    tcase_add_test(tc, asleep_it_waits_long);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

/* check_ui_health.c - the admin screen's health block (admin.health): its
 * label is the text shown, read when the screen opens; the clock's sanity
 * (red, with the reason, when the clock is before the latest vote). */
#include "uitest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *health_label(void)
{
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(el[i].id, "admin.health") == 0)
            return el[i].label;
    ck_abort_msg("no admin.health on %s", app_screen_name(a));
    return NULL;
}

static void open_admin(void)
{
    hold_hotspot(3100);
    enter_pin("1234");
    assert_screen("admin");
}

START_TEST(health_block_shows_the_figures)
{
    start(2, 800, 480);
    tap("unit.U01");
    tap("rate.10");
    advance(6500);
    open_admin();
    const char *l = health_label();
    ck_assert_msg(strstr(l, "从未导出（共 1 票未导出）"), "%s", l);
    ck_assert_msg(strstr(l, "今日 1 票 · 本月 1 票 · 共 1 票"), "%s", l);
    ck_assert_msg(strstr(l, "时钟正常"), "%s", l);
    ck_assert_msg(strstr(l, "剩余空间 "), "%s", l);
    ck_assert_msg(strstr(l, "版本 "), "%s", l);
}
END_TEST

START_TEST(a_clock_behind_the_latest_vote_is_red)
{
    start(2, 800, 480);
    tap("unit.U02");
    tap("rate.6"); /* cast at the real time */
    advance(6500);
    ui_wall = time(NULL) - 2 * 86400; /* the clock then jumps two days back */
    app_set_utc_clock(a, ui_wall_clock);
    open_admin();
    const char *l = health_label();
    ck_assert_msg(strstr(l, "时钟异常：早于最近一票的时间"), "%s", l);
    /* Drawn in red: some pixel of the block is the palette's red. */
    ui_rect r = rect_of("admin.health");
    int red = 0;
    for (int y = r.y; y < r.y + r.h && !red; y++)
        for (int x = r.x; x < r.x + r.w && !red; x++) {
            uint32_t p = pixel_at(ren, x, y);
            red = ((p >> 16) & 0xFF) > 0xA0 && ((p >> 8) & 0xFF) < 0x70 && (p & 0xFF) < 0x70;
        }
    ck_assert_msg(red, "no red in the health block");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui_health");
    TCase *tc = tcase_create("health");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_add_test(tc, health_block_shows_the_figures);
    tcase_add_test(tc, a_clock_behind_the_latest_vote_is_red);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

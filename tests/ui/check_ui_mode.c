/* check_ui_mode.c - 大字 mode (large text, high contrast): the mode.large
 * switch on the first screen only, the ui-dump's "mode", the black
 * background, votes in that mode, and the return to the normal mode at the
 * next idle reset (left alone, or the thank-you's countdown run out). */
#include "uitest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dump(void)
{
    static char *last;
    free(last);
    last = tu_read_file(dump_path, NULL);
    ck_assert_ptr_nonnull(last);
    return last;
}

static void assert_mode(const char *mode)
{
    char want[64];
    snprintf(want, sizeof want, "\"mode\": \"%s\"", mode);
    const char *d = dump();
    ck_assert_msg(strstr(d, want), "want %s in %s", want, d);
}

/* The label of element id in the dump. */
static void assert_label(const char *id, const char *label)
{
    char want[128];
    snprintf(want, sizeof want, "\"id\": \"%s\", \"label\": \"%s\"", id, label);
    const char *d = dump();
    ck_assert_msg(strstr(d, want), "want %s in %s", want, d);
}

/* A point of the background below the last button. */
static uint32_t background(int w, int h)
{
    (void)w;
    return pixel_at(ren, 2, h - 2);
}

START_TEST(switch_on_the_first_screen_turns_the_kiosk_black_and_large)
{
    start(2, 800, 480);
    assert_mode("normal");
    assert_label("mode.large", "大字");
    ui_rect r = rect_of("mode.large");
    ck_assert_int_ge(r.h, (int)(480 * 0.15));
    ck_assert_int_ge(r.w, (int)(480 * 0.15));
    ck_assert_uint_ne(background(800, 480), 0x000000u);
    tap("mode.large");
    assert_screen("units");
    assert_mode("large");
    assert_label("mode.large", "标准字");
    ck_assert_uint_eq(background(800, 480), 0x000000u);
    /* It lasts through the vote, and the vote counts as any other. */
    tap("unit.U01");
    assert_screen("rating");
    assert_mode("large");
    ck_assert_int_eq(find("mode.large"), -1); /* not the first screen */
    tap("rate.6");
    assert_screen("thanks");
    assert_mode("large");
    ck_assert_int_eq(count_rows("points = 6 AND unit_code = 'U01'"), 1);
    /* Tapping the switch again goes back. */
    advance(6500); /* the countdown: back to units, in the normal mode */
    assert_screen("units");
    assert_mode("normal");
    tap("mode.large");
    tap("mode.large");
    assert_mode("normal");
    ck_assert_uint_ne(background(800, 480), 0x000000u);
}
END_TEST

START_TEST(left_alone_the_kiosk_returns_to_the_normal_mode)
{
    start(2, 1080, 1920);
    tap("mode.large");
    assert_mode("large");
    advance(29000);
    assert_mode("large");
    advance(1200);
    assert_screen("units");
    assert_mode("normal");
    /* From another screen: the idle return to the first one ends it too. */
    tap("mode.large");
    tap("unit.U02");
    assert_mode("large");
    advance(30200);
    assert_screen("units");
    assert_mode("normal");
}
END_TEST

START_TEST(one_unit_kiosk_has_the_switch_on_the_rating_screen)
{
    start(1, 800, 480);
    assert_screen("rating");
    ck_assert_int_ge(find("mode.large"), 0);
    tap("mode.large");
    assert_mode("large");
    tap("rate.10");
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 10"), 1);
    ck_assert_uint_eq(background(800, 480), 0x000000u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui_mode");
    TCase *tc = tcase_create("large");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_add_test(tc, switch_on_the_first_screen_turns_the_kiosk_black_and_large);
    tcase_add_test(tc, left_alone_the_kiosk_returns_to_the_normal_mode);
    tcase_add_test(tc, one_unit_kiosk_has_the_switch_on_the_rating_screen);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

/* check_ui_input.c - the kiosk's pointer input: mouse and finger events made
 * into one stream of taps, a press honoured when it is lifted on its button
 * (and only then), whatever the kiosk does in between (the first frame, its
 * warm-up, a relayout, a window event), and events that must do nothing. */
#include "uitest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tap at once on a fresh screen ----------------------------------------
 * A press that lands on an enabled button while it is shown is honoured
 * whatever the kiosk does between the press and the release: the first
 * frame presented (and the warm-up it starts), a window resized or exposed
 * at start (each a relayout). */

/* Presses element id now (no frame drawn since the screen changed); the
 * kiosk then presents its frame, gets a window event and a resize (two
 * relayouts) and the finger is lifted where it went down. */
static void tap_through_relayouts(const char *id, int w, int h)
{
    ui_rect r = rect_of(id);
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    app_render(a); /* the screen's first frame, and its warm-up */
    SDL_Event ev = {0};
    ev.type = SDL_WINDOWEVENT;
    ev.window.event = SDL_WINDOWEVENT_SHOWN;
    app_sdl_event(a, &ev, now_ms);
    app_resize(a, w + 2, h);
    app_render(a);
    app_resize(a, w, h);
    mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    advance(20);
}

/* The rating screen's warm-up (the thank-you frames drawn unseen after its
 * first frame) slowed: 40 ms more for each frame, and a finger that goes
 * down after the first of them and comes up after the third. */
typedef struct warm_tap {
    ui_rect r;
    int frames;
} warm_tap;

static void slow_warm_with_a_tap(app *ap, void *user)
{
    warm_tap *t = user;
    now_ms += 40;
    SDL_Delay(40);
    int x = t->r.x + t->r.w / 2, y = t->r.y + t->r.h / 2;
    t->frames++;
    if (t->frames == 1)
        mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    else if (t->frames == 3)
        mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    ck_assert_ptr_eq(ap, a);
}

static const char *WARM_RATES[] = {"rate.10", "rate.8", "rate.6", "rate.0"};

/* The same at start on a one-unit kiosk: the press during the warm-up,
 * the release once it is over. */
static void slow_warm_press(app *ap, void *user)
{
    warm_tap *t = user;
    (void)ap;
    now_ms += 40;
    SDL_Delay(40);
    if (++t->frames == 2)
        mouse(SDL_MOUSEBUTTONDOWN, t->r.x + t->r.w / 2, t->r.y + t->r.h / 2, 0);
}

START_TEST(press_and_slide_off_does_not_vote)
{
    start(1, 800, 480);
    ui_rect r = rect_of("rate.10");
    mouse(SDL_MOUSEBUTTONDOWN, r.x + 5, r.y + 5, 0);
    advance(50);
    mouse(SDL_MOUSEBUTTONUP, r.x + r.w + 40, r.y + 5, 0);
    advance(50);
    assert_screen("rating");
    ck_assert_int_eq(count_rows("1"), 0);
}
END_TEST

/* A touch screen delivers the finger events and, for the same touch, mouse
 * events: SDL's synthesized ones (which = SDL_TOUCH_MOUSEID) or the X server's
 * emulated pointer (which = 0).  One touch must make one vote. */
START_TEST(one_touch_is_one_vote)
{
    start(1, 800, 480);
    ui_rect r = rect_of("rate.6");
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    finger(SDL_FINGERDOWN, x, y, 800, 480);
    mouse(SDL_MOUSEBUTTONDOWN, x, y, SDL_TOUCH_MOUSEID);
    mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    advance(60);
    finger(SDL_FINGERUP, x, y, 800, 480);
    mouse(SDL_MOUSEBUTTONUP, x, y, SDL_TOUCH_MOUSEID);
    mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    advance(10);
    ck_assert_int_eq(count_rows("1"), 1);
    assert_screen("thanks");
    /* The mouse copy of the same touch arriving late does nothing either. */
    mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    advance(6000);
    assert_screen("rating");
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(finger_alone_votes)
{
    start(1, 1080, 1920);
    ui_rect r = rect_of("rate.10");
    finger(SDL_FINGERDOWN, r.x + r.w / 2, r.y + r.h / 2, 1080, 1920);
    advance(50);
    finger(SDL_FINGERUP, r.x + r.w / 2, r.y + r.h / 2, 1080, 1920);
    advance(10);
    ck_assert_int_eq(count_rows("points = 10"), 1);
}
END_TEST

START_TEST(short_tap_on_hotspot_does_nothing)
{
    start(2, 800, 480);
    hold_hotspot(1000);
    assert_screen("units");
}
END_TEST

START_TEST(keys_and_quit_requests_are_ignored)
{
    start(2, 800, 480);
    SDL_Event ev = {0};
    ev.type = SDL_QUIT;
    app_sdl_event(a, &ev, now_ms);
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = SDLK_ESCAPE;
    app_sdl_event(a, &ev, now_ms);
    ev.key.keysym.sym = SDLK_F4;
    ev.key.keysym.mod = KMOD_LALT;
    app_sdl_event(a, &ev, now_ms);
    ev.type = SDL_WINDOWEVENT;
    ev.window.event = SDL_WINDOWEVENT_CLOSE;
    app_sdl_event(a, &ev, now_ms);
    advance(10);
    ck_assert(!app_quit_requested(a));
    assert_screen("units");
}
END_TEST

START_TEST(tap_at_once_on_every_screen_is_honoured)
{
    int w = 800, h = 480;
    mp_err err;
    /* The units screen, before its first frame. */
    ck_assert_msg(start_app(3, w, h, NULL, &err) == 0, "%s", err.msg);
    assert_screen("units");
    tap_through_relayouts("unit.U03", w, h);
    assert_screen("rating");
    /* The rating screen, at once after the unit was chosen. */
    tap_through_relayouts("rate.6", w, h);
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 6 AND unit_code = 'U03'"), 1);
    /* The thanks screen, at once when its button comes on. */
    now_ms += 3000;
    app_tick(a, now_ms);
    ck_assert(enabled("thanks.done"));
    tap_through_relayouts("thanks.done", w, h);
    assert_screen("units");
    /* The PIN pad, at once after it opened; a digit enables pin.del. */
    hold_hotspot(3100);
    assert_screen("pin");
    ck_assert(!enabled("pin.del"));
    tap_through_relayouts("pin.7", w, h);
    ck_assert(enabled("pin.del"));
    tap("pin.del");
    enter_pin("1234");
    /* The admin screen, at once after the PIN was accepted. */
    assert_screen("admin");
    tap_through_relayouts("admin.close", w, h);
    assert_screen("units");
}
END_TEST

/* A one-unit kiosk starts on the rating screen: a tap before its first
 * frame, through the window events of start, is one vote. */
START_TEST(tap_at_start_is_one_vote)
{
    mp_err err;
    ck_assert_msg(start_app(1, 480, 800, NULL, &err) == 0, "%s", err.msg);
    assert_screen("rating");
    tap_through_relayouts("rate.10", 480, 800);
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 10"), 1);
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

START_TEST(tap_during_a_slow_warm_up_is_honoured)
{
    const char *id = WARM_RATES[_i];
    mp_err err;
    ck_assert_msg(start_app(2, 800, 480, NULL, &err) == 0, "%s", err.msg);
    app_render(a);
    ui_rect u = rect_of("unit.U02");
    mouse(SDL_MOUSEBUTTONDOWN, u.x + u.w / 2, u.y + u.h / 2, 0);
    advance(80);
    mouse(SDL_MOUSEBUTTONUP, u.x + u.w / 2, u.y + u.h / 2, 0);
    /* The rating screen is laid out but not yet shown: its first frame
     * starts the warm-up, the tap comes in the middle of it. */
    assert_screen("rating");
    warm_tap t = {rect_of(id), 0};
    app_set_warm_hook(a, slow_warm_with_a_tap, &t);
    app_render(a);
    ck_assert_int_ge(t.frames, 3);
    assert_screen("thanks");
    char where[80];
    snprintf(where, sizeof where, "unit_code = 'U02' AND points = %s", id + 5);
    ck_assert_int_eq(count_rows(where), 1);
    ck_assert_int_eq(count_rows("1"), 1);
    app_set_warm_hook(a, NULL, NULL);
    advance(20);
    assert_screen("thanks");
}
END_TEST

START_TEST(press_during_the_warm_up_at_start_is_one_vote)
{
    mp_err err;
    ck_assert_msg(start_app(1, 480, 800, NULL, &err) == 0, "%s", err.msg);
    warm_tap t = {rect_of("rate.8"), 0};
    app_set_warm_hook(a, slow_warm_press, &t);
    app_render(a);
    ck_assert_int_eq(t.frames, 4);
    assert_screen("rating");
    advance(30); /* the button is drawn held down */
    mouse(SDL_MOUSEBUTTONUP, t.r.x + t.r.w / 2, t.r.y + t.r.h / 2, 0);
    advance(20);
    assert_screen("thanks");
    ck_assert_int_eq(count_rows("points = 8"), 1);
    ck_assert_int_eq(count_rows("1"), 1);
}
END_TEST

static Suite *ui_input_suite(void)
{
    Suite *s = suite_create("ui_input");
    TCase *tc = tcase_create("input");
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, press_and_slide_off_does_not_vote);
    tcase_add_test(tc, one_touch_is_one_vote);
    tcase_add_test(tc, finger_alone_votes);
    tcase_add_test(tc, short_tap_on_hotspot_does_nothing);
    tcase_add_test(tc, keys_and_quit_requests_are_ignored);
    tcase_add_test(tc, tap_at_once_on_every_screen_is_honoured);
    tcase_add_test(tc, tap_at_start_is_one_vote);
    tcase_add_loop_test(tc, tap_during_a_slow_warm_up_is_honoured, 0,
                        (int)(sizeof WARM_RATES / sizeof WARM_RATES[0]));
    tcase_add_test(tc, press_during_the_warm_up_at_start_is_one_vote);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(ui_input_suite());
}

/* check_ui.c - headless kiosk tests: SDL's offscreen video driver and the
 * software renderer, a fake monotonic clock, and taps made of real SDL mouse
 * and finger events pressed and released at an element's rectangle.  Each test
 * asserts the screen shown and the rows stored. */
#include "app.h"
#include "draw.h"
#include "faultvfs.h"
#include "layout.h"
#include "export.h"
#include "pin.h"
#include "sign.h"
#include "qr.h"
#include "rating.h"
#include "testutil.h"
#include "text.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char pin_hash_1234[PIN_HASH_MAX];
static char *dir;
static char cfg_path[300], db_path[300], dump_path[300];
static SDL_Window *win;
static SDL_Renderer *ren;
static app *a;
static int64_t now_ms;

/* ---- fixtures ------------------------------------------------------------ */

static void suite_setup(void)
{
    mp_err err;
    if (pin_hash("1234", pin_hash_1234, &err) < 0)
        abort();
    tu_root_setup();
}

static void write_config(int n_units, const char *extra)
{
    FILE *f = fopen(cfg_path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "[kiosk]\nid = test-kiosk\nsurvey_url = https://survey.example.org/s?k={kiosk}&u={unit}\n"
            "pin_hash = %s\nthanks_seconds = 6\ncooldown_seconds = 3\nidle_seconds = 30\n"
            "burst_votes = 5\nburst_seconds = 60\n%s\n[units]\n",
            pin_hash_1234, extra ? extra : "");
    static const char *names[] = {"县公安局", "县人力资源和社会保障局", "城关镇人民政府",
                                  "县住房和城乡建设局", "国家税务总局某某县税务局"};
    for (int i = 0; i < n_units; i++)
        fprintf(f, "U%02d = %s\n", i + 1, names[i % 5]);
    ck_assert_int_eq(fclose(f), 0);
}

static void open_window(int w, int h)
{
    win = SDL_CreateWindow("test", 0, 0, w, h, 0);
    ck_assert_msg(win != NULL, "window: %s", SDL_GetError());
    ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    ck_assert_msg(ren != NULL, "renderer: %s", SDL_GetError());
}

static int start_app(int n_units, int w, int h, const char *extra, mp_err *err)
{
    write_config(n_units, extra);
    kiosk_config *cfg;
    ck_assert_msg(config_load(cfg_path, &cfg, err) == 0, "%s", err->msg);
    open_window(w, h);
    app_options opt = {.font_path = MINPING_FONT_BUILD, .dump_path = dump_path};
    now_ms = 1000000;
    return app_create(cfg, ren, w, h, &opt, now_ms, &a, err);
}

static void start(int n_units, int w, int h)
{
    mp_err err;
    ck_assert_msg(start_app(n_units, w, h, NULL, &err) == 0, "%s", err.msg);
    app_render(a);
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    snprintf(cfg_path, sizeof cfg_path, "%s/kiosk.ini", dir);
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    snprintf(dump_path, sizeof dump_path, "%s/ui.json", dir);
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
    setenv("SDL_FRAMEBUFFER_ACCELERATION", "0", 0); /* no GL behind the window */
    ck_assert_msg(SDL_Init(SDL_INIT_VIDEO) == 0, "%s", SDL_GetError());
    ck_assert_int_eq(TTF_Init(), 0);
    a = NULL;
}

static void teardown(void)
{
    app_destroy(a);
    if (ren)
        SDL_DestroyRenderer(ren);
    if (win)
        SDL_DestroyWindow(win);
    ren = NULL;
    win = NULL;
    TTF_Quit();
    SDL_Quit();
    tu_rm_rf(dir);
    free(dir);
}

/* ---- input helpers -------------------------------------------------------- */

static void advance(int64_t ms)
{
    now_ms += ms;
    app_tick(a, now_ms);
    app_render(a);
}

static ui_rect rect_of(const char *id)
{
    ui_rect r;
    ck_assert_msg(app_element(a, id, &r), "no element %s on screen %s", id, app_screen_name(a));
    return r;
}

static void mouse(Uint32 type, int x, int y, Uint32 which)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.button.which = which;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.x = x;
    ev.button.y = y;
    app_sdl_event(a, &ev, now_ms);
}

static void finger(Uint32 type, int x, int y, int w, int h)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.tfinger.touchId = 1;
    ev.tfinger.fingerId = 7;
    ev.tfinger.x = ((float)x + 0.5f) / (float)w;
    ev.tfinger.y = ((float)y + 0.5f) / (float)h;
    app_sdl_event(a, &ev, now_ms);
}

/* A mouse click in the middle of element id: press, 80 ms, release. */
static void tap(const char *id)
{
    ui_rect r = rect_of(id);
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    advance(80);
    mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    advance(20);
}

static int64_t count_rows(const char *where)
{
    sqlite3 *db;
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM votes WHERE %s", where);
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Index of element id on the current screen, or -1. */
static int find(const char *id)
{
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(el[i].id, id) == 0)
            return i;
    return -1;
}

static int enabled(const char *id)
{
    int n, i = find(id);
    return i >= 0 && app_elements(a, &n)[i].enabled;
}

static void assert_screen(const char *name)
{
    ck_assert_str_eq(app_screen_name(a), name);
}

/* ---- tests ---------------------------------------------------------------- */

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

static void hold_hotspot(int64_t ms)
{
    ui_rect r = rect_of("admin.hotspot");
    mouse(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2, 0);
    advance(ms);
    mouse(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2, 0);
    advance(10);
}

static void enter_pin(const char *digits)
{
    for (const char *d = digits; *d; d++) {
        char id[8] = {'p', 'i', 'n', '.', *d, 0};
        tap(id);
    }
    tap("pin.ok");
}

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

START_TEST(short_tap_on_hotspot_does_nothing)
{
    start(2, 800, 480);
    hold_hotspot(1000);
    assert_screen("units");
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

START_TEST(missing_glyph_is_refused)
{
    write_config(0, NULL);
    FILE *f = fopen(cfg_path, "a");
    fputs("X1 = 县\xF0\x9F\x98\x80局\n", f); /* U+1F600, not in a CJK text font */
    fclose(f);
    kiosk_config *cfg;
    mp_err err;
    ck_assert_msg(config_load(cfg_path, &cfg, &err) == 0, "%s", err.msg);
    open_window(800, 480);
    app_options opt = {.font_path = MINPING_FONT_BUILD, .dump_path = NULL};
    ck_assert_int_ne(app_create(cfg, ren, 800, 480, &opt, 0, &a, &err), 0);
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(err.msg, "U+1F600") && strstr(err.msg, "X1"), "%s", err.msg);
}
END_TEST

/* The dump file's text; freed at the next call. */
static const char *slurp(const char *path)
{
    static char *last;
    free(last);
    last = tu_read_file(path, NULL);
    ck_assert_ptr_nonnull(last);
    return last;
}

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

/* ---- layout across window sizes ------------------------------------------ */

static const int SIZES[][2] = {{800, 480},   {480, 800},   {1024, 600}, {1280, 800},
                               {1920, 1080}, {1080, 1920}, {3840, 2160}, {2160, 3840}};

/* Every touch target inside the window and none overlapping another. */
static void check_geometry(int w, int h)
{
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++) {
        ui_rect r = el[i].r;
        ck_assert_msg(r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h && r.w > 0 &&
                          r.h > 0,
                      "%dx%d %s: %s outside the window", w, h, app_screen_name(a), el[i].id);
        if (!el[i].touch)
            continue;
        for (int j = i + 1; j < n; j++) {
            if (!el[j].touch)
                continue;
            ui_rect q = el[j].r;
            int overlap = r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h;
            ck_assert_msg(!overlap, "%dx%d %s: %s overlaps %s", w, h, app_screen_name(a),
                          el[i].id, el[j].id);
        }
    }
}

/* Each touch target's label fits inside it at a readable size. */
static void check_labels(int w, int h, text_ctx *t)
{
    layout_metrics m = layout_metrics_for(w, h);
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++) {
        if (!el[i].touch || strcmp(el[i].id, "admin.hotspot") == 0)
            continue;
        int dx = m.radius > 6 ? m.radius : 6, dy = m.radius / 2 > 4 ? m.radius / 2 : 4;
        ui_rect box = {el[i].r.x + dx, el[i].r.y + dy, el[i].r.w - 2 * dx, el[i].r.h - 2 * dy};
        text_layout lay;
        ck_assert_msg(text_fit(t, el[i].label, box.w, box.h, m.min_px, m.min_px * 4, 2, &lay) > 0,
                      "%dx%d %s: label of %s (\"%s\") does not fit %dx%d", w, h,
                      app_screen_name(a), el[i].id, el[i].label, box.w, box.h);
    }
}

/* ---- drawing: caches and opaque shortcuts ------------------------------- */

static unsigned char *read_file_all(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    *len = ftell(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    unsigned char *buf = malloc((size_t)*len);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t)*len, f), (size_t)*len);
    fclose(f);
    return buf;
}

/* Saves the current frame as dir/NAME.bmp and returns its bytes. */
static unsigned char *frame(const char *name, long *len)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.bmp", dir, name);
    mp_err err;
    ck_assert_msg(app_screenshot(a, path, &err) == 0, "%s", err.msg);
    return read_file_all(path, len);
}

/* The current frame drawn from empty caches (a resize empties them). */
static unsigned char *cold_frame(const char *name, long *len)
{
    app_resize(a, 801, 480);
    app_resize(a, 800, 480);
    return frame(name, len);
}

static void assert_same_frame(const char *what, unsigned char *cold, long n_cold)
{
    long n;
    unsigned char *warm = frame(what, &n);
    ck_assert_int_eq(n, n_cold);
    ck_assert_msg(memcmp(warm, cold, (size_t)n) == 0,
                  "%s: drawn from the caches it differs from a fresh drawing", what);
    free(warm);
    free(cold);
}

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

/* Drawing the thank-you frames unseen leaves the rating screen as it was:
 * its frame afterwards equals one laid out and drawn afresh (a long name
 * in a narrow header shows the header's margins). */
static const int WARM_SIZES[][2] = {{480, 800}, {800, 480}, {1024, 600}};

START_TEST(warming_leaves_the_screen_as_it_was)
{
    int w = WARM_SIZES[_i][0], h = WARM_SIZES[_i][1];
    start(5, w, h);
    tap("unit.U05");
    assert_screen("rating");
    long n_warm, n_cold;
    unsigned char *warm = frame("rating-warm", &n_warm);
    app_resize(a, w + 1, h);
    app_resize(a, w, h);
    unsigned char *cold = frame("rating-cold", &n_cold);
    ck_assert_int_eq(n_warm, n_cold);
    ck_assert_msg(memcmp(warm, cold, (size_t)n_warm) == 0,
                  "%dx%d: the rating frame changed after the thanks frames were warmed", w, h);
    free(warm);
    free(cold);
}
END_TEST

/* The caches' keys: a layout or a rendered line asked for with any one
 * parameter changed is never served from another's entry.  Each result from
 * one text_ctx, asked everything in turn (twice), equals a fresh text_ctx's. */
static void draw_variant(text_ctx *t, SDL_Renderer *r, const char *s, int px, uint32_t ink,
                         uint32_t bg)
{
    SDL_SetRenderDrawColor(r, 0x20, 0xC0, 0x40, 255); /* neither bg nor ink */
    SDL_RenderClear(r);
    ck_assert_int_gt(text_box(t, r, s, (ui_rect){0, 0, 300, 60}, px, px, 1, ink, bg, TEXT_LEFT),
                     0);
}

START_TEST(text_caches_never_mix_keys)
{
    static const struct {
        int w, h, min_px, max_px, lines;
    } fits[] = {{400, 80, 10, 48, 1}, {150, 80, 10, 48, 1}, {400, 30, 10, 48, 1},
                {400, 80, 10, 20, 1}, {400, 80, 30, 48, 1}, {150, 80, 10, 48, 2}};
    static const struct {
        int px;
        uint32_t ink, bg;
    } runs[] = {{24, 0x000000, 0xFFFFFF}, {24, 0x000000, 0xD93F3F}, {24, 0xFFFFFF, 0xD93F3F},
                {24, 0x000000, TEXT_ON_ANY}, {30, 0x000000, 0xFFFFFF}};
    const char *str = "县人力资源和社会保障局";
    mp_err err;
    text_ctx *t;
    ck_assert_msg(text_open(MINPING_FONT_BUILD, &t, &err) == 0, "%s", err.msg);
    SDL_Surface *surf[2];
    SDL_Renderer *sr[2];
    for (int i = 0; i < 2; i++) {
        surf[i] = SDL_CreateRGBSurfaceWithFormat(0, 300, 60, 32, SDL_PIXELFORMAT_RGB888);
        ck_assert_ptr_nonnull(surf[i]);
        sr[i] = SDL_CreateSoftwareRenderer(surf[i]);
        ck_assert_ptr_nonnull(sr[i]);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
            text_ctx *fresh;
            ck_assert_msg(text_open(MINPING_FONT_BUILD, &fresh, &err) == 0, "%s", err.msg);
            text_layout got, want;
            int px = text_fit(t, str, fits[i].w, fits[i].h, fits[i].min_px, fits[i].max_px,
                              fits[i].lines, &got);
            ck_assert_int_eq(px, text_fit(fresh, str, fits[i].w, fits[i].h, fits[i].min_px,
                                          fits[i].max_px, fits[i].lines, &want));
            ck_assert_msg(got.px == want.px && got.n_lines == want.n_lines &&
                              got.line_h == want.line_h,
                          "fit %zu: a cached layout differs", i);
            for (int l = 0; l < got.n_lines; l++)
                ck_assert_msg(got.start[l] == want.start[l] && got.len[l] == want.len[l] &&
                                  got.width[l] == want.width[l],
                              "fit %zu, line %d: a cached layout differs", i, l);
            text_close(fresh);
        }
        for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
            text_ctx *fresh;
            ck_assert_msg(text_open(MINPING_FONT_BUILD, &fresh, &err) == 0, "%s", err.msg);
            draw_variant(t, sr[0], str, runs[i].px, runs[i].ink, runs[i].bg);
            draw_variant(fresh, sr[1], str, runs[i].px, runs[i].ink, runs[i].bg);
            ck_assert_msg(memcmp(surf[0]->pixels, surf[1]->pixels, (size_t)surf[0]->pitch * 60) ==
                              0,
                          "line %zu: a cached line differs", i);
            text_close(fresh);
        }
    }
    for (int i = 0; i < 2; i++) {
        SDL_DestroyRenderer(sr[i]);
        SDL_FreeSurface(surf[i]);
    }
    text_close(t);
}
END_TEST

/* Reads the pixel at (x, y) of the renderer's target as 0xRRGGBB. */
static uint32_t pixel_at(SDL_Renderer *r, int x, int y)
{
    uint32_t px = 0;
    ck_assert_int_eq(SDL_RenderReadPixels(r, &(SDL_Rect){x, y, 1, 1}, SDL_PIXELFORMAT_RGB888, &px,
                                          4),
                     0);
    return px & 0xFFFFFFu;
}

static int channel_diff(uint32_t p, uint32_t q)
{
    int worst = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int d = abs((int)((p >> sh) & 0xFF) - (int)((q >> sh) & 0xFF));
        if (d > worst)
            worst = d;
    }
    return worst;
}

/* draw_mix gives the colour the renderer makes of a translucent fill, so
 * cards drawn opaque in that colour look as the translucent ones did. */
START_TEST(draw_mix_matches_the_renderer)
{
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 4, 4, 32, SDL_PIXELFORMAT_RGB888);
    ck_assert_ptr_nonnull(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    ck_assert_ptr_nonnull(sr);
    static const uint32_t under[] = {0xF3F5F7, 0x1F4E79, 0x000000, 0xFFFFFF};
    static const uint32_t over[] = {0xFFFFFF, 0x000000, 0x1F6FB2, 0xD93F3F};
    static const int alphas[] = {0, 1, 40, 50, 90, 110, 128, 254, 255};
    for (size_t u = 0; u < 4; u++)
        for (size_t o = 0; o < 4; o++)
            for (size_t k = 0; k < sizeof alphas / sizeof alphas[0]; k++) {
                SDL_SetRenderDrawBlendMode(sr, SDL_BLENDMODE_NONE);
                SDL_SetRenderDrawColor(sr, (Uint8)(under[u] >> 16), (Uint8)(under[u] >> 8),
                                       (Uint8)under[u], 255);
                SDL_RenderClear(sr);
                SDL_SetRenderDrawBlendMode(sr, SDL_BLENDMODE_BLEND);
                SDL_SetRenderDrawColor(sr, (Uint8)(over[o] >> 16), (Uint8)(over[o] >> 8),
                                       (Uint8)over[o], (Uint8)alphas[k]);
                SDL_RenderFillRect(sr, NULL);
                uint32_t got = pixel_at(sr, 1, 1), want = draw_mix(under[u], over[o], alphas[k]);
                ck_assert_msg(channel_diff(got, want) <= 1,
                              "%06X over %06X at %d: renderer %06X, draw_mix %06X", over[o],
                              under[u], alphas[k], got, want);
            }
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
}
END_TEST

/* draw_rect and draw_rrect's fills are split at a 16-pixel column for
 * speed: every start column and width still fills exactly its pixels. */
START_TEST(fills_cover_exactly_their_pixels)
{
    enum { W = 96, H = 4 };
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    ck_assert_ptr_nonnull(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    ck_assert_ptr_nonnull(sr);
    draw_ctx *d = draw_create(sr);
    ck_assert_ptr_nonnull(d);
    static uint32_t px[W * H];
    for (int x = 0; x < 40; x++)
        for (int w = 1; x + w <= W; w++) {
            draw_clear(d, 0x000000);
            draw_rect(d, (ui_rect){x, 1, w, 2}, 0xFFFFFF);
            /* Square corners (radius 0): the rounded rectangle is its fills. */
            draw_rrect(d, (ui_rect){x, 3, w, 1}, 0, 0x00FF00, 255);
            ck_assert_int_eq(SDL_RenderReadPixels(sr, NULL, SDL_PIXELFORMAT_RGB888, px, W * 4), 0);
            for (int yy = 0; yy < H; yy++)
                for (int xx = 0; xx < W; xx++) {
                    int inside = xx >= x && xx < x + w;
                    uint32_t want = !inside || yy == 0 ? 0 : yy == 3 ? 0x00FF00 : 0xFFFFFF;
                    ck_assert_msg((px[yy * W + xx] & 0xFFFFFF) == want,
                                  "fill from x %d, %d wide: pixel (%d, %d) is %06X, not %06X", x,
                                  w, xx, yy, px[yy * W + xx] & 0xFFFFFF, want);
                }
        }
    draw_destroy(d);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
}
END_TEST

/* Text rendered onto its known background looks as text blended over it. */
START_TEST(text_on_known_background_matches_blended_text)
{
    SDL_Surface *surf[2];
    SDL_Renderer *sr[2];
    text_ctx *t;
    mp_err err;
    ck_assert_msg(text_open(MINPING_FONT_BUILD, &t, &err) == 0, "%s", err.msg);
    const uint32_t bg = 0x1F4E79, ink = 0xFFFFFF;
    for (int i = 0; i < 2; i++) {
        surf[i] = SDL_CreateRGBSurfaceWithFormat(0, 400, 80, 32, SDL_PIXELFORMAT_RGB888);
        ck_assert_ptr_nonnull(surf[i]);
        sr[i] = SDL_CreateSoftwareRenderer(surf[i]);
        ck_assert_ptr_nonnull(sr[i]);
        SDL_SetRenderDrawColor(sr[i], (Uint8)(bg >> 16), (Uint8)(bg >> 8), (Uint8)bg, 255);
        SDL_RenderClear(sr[i]);
        ck_assert_int_gt(text_box(t, sr[i], "县人力资源和社会保障局 8", (ui_rect){0, 0, 400, 80}, 10,
                                  48, 1, ink, i ? bg : TEXT_ON_ANY, TEXT_CENTER),
                         0);
    }
    int worst = 0, inked = 0;
    for (int y = 0; y < 80; y++)
        for (int x = 0; x < 400; x++) {
            uint32_t p = pixel_at(sr[0], x, y), q = pixel_at(sr[1], x, y);
            int d = channel_diff(p, q);
            if (d > worst)
                worst = d;
            inked += q == ink;
        }
    ck_assert_msg(inked > 500, "only %d pixels in the ink colour: text missing?", inked);
    ck_assert_msg(worst <= 8, "text on its background differs from blended text by %d", worst);
    for (int i = 0; i < 2; i++) {
        SDL_DestroyRenderer(sr[i]);
        SDL_FreeSurface(surf[i]);
    }
    text_close(t);
}
END_TEST

/* Counts the lines of /proc/self/maps that map path. */
static int mappings_of(const char *path)
{
    char *real = realpath(path, NULL);
    ck_assert_ptr_nonnull(real);
    FILE *f = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        size_t rl = strlen(real);
        n += len >= rl && strcmp(line + len - rl, real) == 0;
    }
    fclose(f);
    free(real);
    return n;
}

/* The font is read through a stream, never mapped (a mapping of this font
 * kept 6 MB resident), and glyphs loaded after opening still render; a
 * path that is no font is refused with its name. */
START_TEST(font_is_read_not_mapped)
{
    text_ctx *t;
    mp_err err;
    ck_assert_msg(text_open(MINPING_FONT_BUILD, &t, &err) == 0, "%s", err.msg);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 600, 100, 32, SDL_PIXELFORMAT_RGB888);
    ck_assert_ptr_nonnull(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    ck_assert_ptr_nonnull(sr);
    SDL_SetRenderDrawColor(sr, 0, 0, 0, 255);
    SDL_RenderClear(sr);
    ck_assert_int_gt(text_box(t, sr, "鄱阳湖畔婺源县龘", (ui_rect){0, 0, 600, 100}, 10, 60, 1,
                              0xFFFFFF, 0x000000, TEXT_CENTER),
                     0);
    int inked = 0;
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 600; x++)
            inked += pixel_at(sr, x, y) == 0xFFFFFF;
    ck_assert_msg(inked > 800, "only %d pixels inked: glyphs not read?", inked);
    ck_assert_int_eq(mappings_of(MINPING_FONT_BUILD), 0);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
    text_close(t);

    char *missing = tu_path(dir, "no-such-font.otf"), *empty = tu_path(dir, "empty.otf"),
         *junk = tu_path(dir, "junk.otf");
    const char *bad[] = {missing, dir, empty, junk};
    const char *why[] = {"No such file", "not a font file", "not a font file", "cannot open font"};
    tu_write_file(empty, "", 0);
    tu_write_file(junk, "this is not an OpenType font, just words in a file", 50);
    for (int i = 0; i < 4; i++) {
        t = NULL;
        ck_assert_int_eq(text_open(bad[i], &t, &err), -1);
        ck_assert_ptr_null(t);
        ck_assert_msg(strstr(err.msg, bad[i]) && strstr(err.msg, why[i]), "%s", err.msg);
    }
    free(missing);
    free(empty);
    free(junk);
}
END_TEST

START_TEST(layout_holds_at_every_size)
{
    int w = SIZES[_i][0], h = SIZES[_i][1];
    int s = w < h ? w : h;
    mp_err err;
    text_ctx *t;
    ck_assert_int_eq(text_open(MINPING_FONT_BUILD, &t, &err), 0);
    ck_assert_msg(start_app(40, w, h, NULL, &err) == 0, "%s", err.msg);
    app_render(a);

    /* Units: 40 units, paged; every one reachable, each target large. */
    int seen = 0, pages = 0;
    for (;;) {
        assert_screen("units");
        check_geometry(w, h);
        check_labels(w, h, t);
        int n;
        const ui_element *el = app_elements(a, &n);
        for (int i = 0; i < n; i++)
            if (strncmp(el[i].id, "unit.", 5) == 0) {
                seen++;
                ck_assert_int_ge(el[i].r.h, (int)(s * 0.15));
            }
        pages++;
        if (!enabled("page.next"))
            break;
        tap("page.next");
        ck_assert_int_lt(pages, 40);
    }
    ck_assert_int_eq(seen, 40);

    while (enabled("page.prev"))
        tap("page.prev");
    tap("unit.U01");
    assert_screen("rating");
    check_geometry(w, h);
    check_labels(w, h, t);
    for (int i = 0; i < RATING_COUNT; i++) {
        ui_rect r = rect_of(RATINGS[i].id);
        ck_assert_msg(r.w >= s * 0.15 && r.h >= s * 0.15, "%dx%d: %s is %dx%d", w, h,
                      RATINGS[i].id, r.w, r.h);
    }
    /* Left to right (landscape) or top to bottom (portrait): 10, 8, 6, 0. */
    for (int i = 1; i < RATING_COUNT; i++) {
        ui_rect p = rect_of(RATINGS[i - 1].id), q = rect_of(RATINGS[i].id);
        ck_assert(h > w ? q.y > p.y : q.x > p.x);
    }

    tap("rate.10");
    assert_screen("thanks");
    check_geometry(w, h);
    int n;
    const ui_element *el = app_elements(a, &n);
    int qi = find("qr");
    ck_assert_int_ge(qi, 0);
    qr_code *qr;
    ck_assert_int_eq(qr_encode(el[qi].label, &qr, &err), 0);
    int cells = qr->width + 2 * QR_QUIET_MODULES;
    qr_free(qr);
    ck_assert_int_eq(el[qi].r.w, el[qi].r.h);
    ck_assert_msg(el[qi].r.w % cells == 0, "QR side %d is not whole modules of %d", el[qi].r.w,
                  cells);
    ck_assert_msg(el[qi].r.w * 3 >= s, "QR side %d below a third of %d", el[qi].r.w, s);
    advance(3000);
    check_labels(w, h, t);

    advance(3000);
    hold_hotspot(3100);
    assert_screen("pin");
    check_geometry(w, h);
    check_labels(w, h, t);
    enter_pin("1234");
    assert_screen("admin");
    check_geometry(w, h);
    check_labels(w, h, t);
    text_close(t);
}
END_TEST

static Suite *ui_suite(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("kiosk");
    tcase_add_unchecked_fixture(tc, suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, vote_through_units_and_rating);
    tcase_add_test(tc, each_rating_button_stores_its_points);
    tcase_add_test(tc, single_unit_starts_on_rating);
    tcase_add_test(tc, back_returns_to_units);
    tcase_add_test(tc, press_and_slide_off_does_not_vote);
    tcase_add_test(tc, one_touch_is_one_vote);
    tcase_add_test(tc, finger_alone_votes);
    tcase_add_test(tc, thanks_cooldown_and_countdown);
    tcase_add_test(tc, thanks_done_after_cooldown);
    tcase_add_test(tc, thanks_returns_by_itself);
    tcase_add_test(tc, taps_on_thanks_during_cooldown_do_not_vote);
    tcase_add_test(tc, burst_votes_are_flagged_not_dropped);
    tcase_add_test(tc, idle_returns_to_first_screen);
    tcase_add_test(tc, tap_at_once_on_every_screen_is_honoured);
    tcase_add_test(tc, tap_at_start_is_one_vote);
    tcase_add_loop_test(tc, tap_during_a_slow_warm_up_is_honoured, 0, 4);
    tcase_add_test(tc, press_during_the_warm_up_at_start_is_one_vote);
    tcase_add_test(tc, short_tap_on_hotspot_does_nothing);
    tcase_add_test(tc, staff_pin_opens_admin_and_quit);
    tcase_add_test(tc, wrong_pins_lock_the_pad);
    tcase_add_test(tc, admin_idles_back_to_first_screen);
    tcase_add_test(tc, keys_and_quit_requests_are_ignored);
    tcase_add_test(tc, storage_failure_shows_out_of_service_then_recovers);
    tcase_add_test(tc, unopenable_database_starts_out_of_service);
    tcase_add_test(tc, missing_glyph_is_refused);
    tcase_add_test(tc, ui_dump_follows_screens);
    tcase_add_test(tc, admin_export_writes_a_signed_file);
    tcase_add_test(tc, admin_export_failure_is_explained);
    tcase_add_test(tc, admin_export_without_key_is_explained);
    tcase_add_test(tc, cached_frames_equal_fresh_ones);
    tcase_add_test(tc, pin_pad_drops_the_citizens_caches);
    tcase_add_test(tc, thanks_frame_needs_no_rendering);
    tcase_add_loop_test(tc, warming_leaves_the_screen_as_it_was, 0,
                        (int)(sizeof WARM_SIZES / sizeof WARM_SIZES[0]));
    tcase_add_test(tc, text_caches_never_mix_keys);
    tcase_add_test(tc, draw_mix_matches_the_renderer);
    tcase_add_test(tc, fills_cover_exactly_their_pixels);
    tcase_add_test(tc, text_on_known_background_matches_blended_text);
    tcase_add_test(tc, font_is_read_not_mapped);
    suite_add_tcase(s, tc);

    TCase *lay = tcase_create("layout");
    tcase_add_unchecked_fixture(lay, suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(lay, setup, teardown);
    tcase_set_timeout(lay, 120);
    tcase_add_loop_test(lay, layout_holds_at_every_size, 0, (int)(sizeof SIZES / sizeof SIZES[0]));
    suite_add_tcase(s, lay);
    return s;
}

int main(void)
{
    return tu_run_suite(ui_suite());
}

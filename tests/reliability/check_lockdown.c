/* check_lockdown.c - a citizen cannot end or escape the kiosk.
 *
 * On every screen (units, rating, thanks, pin, admin, error): the keys a
 * desktop would obey (Escape, Alt+F4, Ctrl+Q, Ctrl+C, Ctrl+W, Alt+Tab,
 * Ctrl+Alt+Delete, F11, Super), SDL_QUIT and a window close request change
 * nothing; a press at every point of a 40-pixel grid (every
 * target is larger) keeps the kiosk up, on
 * its own screens, with a stored vote for every thank-you and no admin screen
 * without the PIN; a thousand random taps, holds and drags (mouse and
 * finger, with random pauses) do the same.  Five wrong PINs lock the pad
 * (even the right one is refused until the lock ends), and no PIN entered
 * ever appears in the log, the ui-dump, the configuration or the database.
 * Only the hotspot + PIN path leads to admin.quit. */
#define _GNU_SOURCE /* memmem */
#include "faultvfs.h"
#include "harness.h"
#include "testutil.h"

#include <SDL.h>
#include <check.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static int64_t thanked; /* thank-you screens entered */
static long taps;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    kh_mount_tmpfs(dir, "size=64m"); /* cheap syncs: the test is about input */
    kh_setup(dir);
    char *stick = tu_path(dir, "stick");
    ck_assert_int_eq(mkdir(stick, 0755), 0);
    free(stick);
    thanked = 0;
}

static void teardown(void)
{
    kh_teardown();
    umount2(dir, MNT_DETACH);
    free(dir);
}

static void start(void)
{
    mp_err err;
    ck_assert_int_eq(faultvfs_install(), 0);
    ck_assert_msg(kh_start(2, 800, 480, "export_dir = stick", &err) == 0, "%s", err.msg);
}

static int64_t stored(void)
{
    int64_t n = -1;
    mp_err err;
    store *s = app_store(kh_app);
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(store_vote_count(s, &n, &err) == 0, "%s", err.msg);
    return n;
}

static int valid_screen(const char *s)
{
    static const char *ok[] = {"units", "rating", "thanks", "pin", "admin", "error"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(s, ok[i]) == 0)
            return 1;
    return 0;
}

/* After any input or timer step: still running, on one of its screens; a
 * thank-you only for a stored vote; admin only through the PIN.  A vote is
 * made only by a release on the rating screen, which shows thanks at once,
 * so calling this after every event and every clock step sees each one. */
static void check_after(const char *before, int pin_entered)
{
    const char *now = kh_screen();
    ck_assert_msg(!app_quit_requested(kh_app), "the kiosk quit after input on %s", before);
    ck_assert_msg(valid_screen(now), "unknown screen %s", now);
    if (strcmp(now, "thanks") == 0 && strcmp(before, "thanks") != 0)
        thanked++;
    if (strcmp(now, "admin") == 0 && strcmp(before, "admin") != 0)
        ck_assert_msg(pin_entered, "admin screen reached from %s without the PIN", before);
    if (app_store(kh_app))
        ck_assert_msg(stored() == thanked, "%lld votes stored, %lld thank-you screens",
                      (long long)stored(), (long long)thanked);
}

/* check_after for the random test: remembers the screen between steps. */
static const char *last_screen;
static void observe(void)
{
    check_after(last_screen, 0);
    last_screen = kh_screen();
}

static void key(SDL_Keycode sym, Uint16 mod)
{
    SDL_Event ev = {0};
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = sym;
    ev.key.keysym.mod = mod;
    ev.key.state = SDL_PRESSED;
    app_sdl_event(kh_app, &ev, kh_now);
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    app_sdl_event(kh_app, &ev, kh_now);
}

static void every_key_and_close_request(void)
{
    static const struct {
        SDL_Keycode sym;
        Uint16 mod;
    } keys[] = {{SDLK_ESCAPE, 0},        {SDLK_F4, KMOD_LALT},     {SDLK_q, KMOD_LCTRL},
                {SDLK_c, KMOD_LCTRL},    {SDLK_w, KMOD_LCTRL},     {SDLK_TAB, KMOD_LALT},
                {SDLK_DELETE, KMOD_LCTRL | KMOD_LALT},              {SDLK_F11, 0},
                {SDLK_LGUI, KMOD_LGUI},  {SDLK_AC_BACK, 0},        {SDLK_RETURN, 0},
                {SDLK_1, 0},             {SDLK_SPACE, 0}};
    const char *before = kh_screen();
    int64_t votes = thanked;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        key(keys[i].sym, keys[i].mod);
    SDL_Event ev = {0};
    ev.type = SDL_QUIT;
    app_sdl_event(kh_app, &ev, kh_now);
    ev.type = SDL_WINDOWEVENT;
    ev.window.event = SDL_WINDOWEVENT_CLOSE;
    app_sdl_event(kh_app, &ev, kh_now);
    ev.type = SDL_APP_TERMINATING;
    app_sdl_event(kh_app, &ev, kh_now);
    kh_advance(10);
    ck_assert(!app_quit_requested(kh_app));
    ck_assert_str_eq(kh_screen(), before);
    ck_assert_int_eq(thanked, votes);
}

START_TEST(keys_and_close_requests_on_every_screen)
{
    start();
    ck_assert_str_eq(kh_screen(), "units");
    every_key_and_close_request();
    kh_tap("unit.U01");
    every_key_and_close_request();
    kh_tap("rate.10");
    thanked++;
    ck_assert_str_eq(kh_screen(), "thanks");
    every_key_and_close_request();
    kh_tap("thanks.done");
    kh_hold_hotspot(3100);
    ck_assert_str_eq(kh_screen(), "pin");
    every_key_and_close_request();
    kh_enter_pin(KH_PIN);
    ck_assert_str_eq(kh_screen(), "admin");
    every_key_and_close_request();
    kh_tap("admin.close");
    faultvfs_set_failure(SQLITE_IOERR_WRITE);
    kh_tap("unit.U02");
    kh_tap("rate.6");
    ck_assert_str_eq(kh_screen(), "error");
    every_key_and_close_request();
    faultvfs_set_failure(0);
    kh_advance(5100);
    ck_assert_str_eq(kh_screen(), "units");
    ck_assert_int_eq(kh_count(kh_db, "1"), 1);
}
END_TEST

/* Brings the kiosk to screen `name` from wherever it is. */
static void go_to(const char *name)
{
    for (int guard = 0; strcmp(kh_screen(), name) != 0; guard++) {
        ck_assert_msg(guard < 20, "cannot reach %s (on %s)", name, kh_screen());
        const char *s = kh_screen();
        if (strcmp(s, "thanks") == 0) {
            kh_advance(3100);
        } else if (strcmp(s, "pin") == 0 || strcmp(s, "admin") == 0) {
            kh_tap(strcmp(s, "pin") == 0 ? "pin.cancel" : "admin.close");
        } else if (strcmp(s, "error") == 0) {
            faultvfs_set_failure(0);
            kh_advance(5100);
        } else if (strcmp(name, "rating") == 0 || strcmp(name, "thanks") == 0) {
            if (strcmp(s, "units") == 0)
                kh_tap("unit.U01");
            if (strcmp(name, "thanks") == 0) {
                kh_tap("rate.8");
                check_after("rating", 0);
            }
        } else if (strcmp(name, "units") == 0) {
            kh_tap("back");
        } else if (strcmp(name, "pin") == 0 || strcmp(name, "admin") == 0) {
            if (strcmp(s, "units") != 0) {
                kh_tap("back");
                continue;
            }
            kh_hold_hotspot(3100);
            if (strcmp(name, "admin") == 0)
                kh_enter_pin(KH_PIN);
        } else if (strcmp(name, "error") == 0) {
            if (strcmp(s, "units") == 0)
                kh_tap("unit.U01");
            faultvfs_set_failure(SQLITE_IOERR_WRITE);
            kh_tap("rate.0");
        }
    }
}

START_TEST(press_everywhere_on_every_screen)
{
    static const char *screens[] = {"units", "rating", "thanks", "admin", "error", "pin"};
    start();
    long per_screen[6] = {0};
    for (int si = 0; si < 6; si++) {
        const char *target = screens[si];
        for (int y = 10; y < 480; y += 40) {
            for (int x = 10; x < 800; x += 40) {
                go_to(target);
                if (strcmp(target, "admin") == 0) {
                    ui_rect q = kh_rect("admin.quit");
                    if (ui_rect_contains(q, x, y))
                        continue; /* the one way out, for staff */
                }
                kh_tap_at(x, y);
                taps++;
                per_screen[si]++;
                check_after(target, 0);
            }
        }
    }
    faultvfs_set_failure(0);
    kh_advance(5100);
    ck_assert_int_eq(kh_count(kh_db, "1"), thanked);
    ck_assert(kh_integrity_ok(kh_db));
    printf("lockdown: pressed at every point of a 40-px grid on units (%ld), rating (%ld), "
           "thanks (%ld), admin (%ld, quit excluded), error (%ld), pin (%ld): still running, "
           "%lld votes stored for %lld thank-you screens\n",
           per_screen[0], per_screen[1], per_screen[2], per_screen[3], per_screen[4],
           per_screen[5], (long long)kh_count(kh_db, "1"), (long long)thanked);
}
END_TEST

static void finger(Uint32 type, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.tfinger.touchId = 1;
    ev.tfinger.fingerId = 3;
    ev.tfinger.x = ((float)x + 0.5f) / 800.0f;
    ev.tfinger.y = ((float)y + 0.5f) / 480.0f;
    app_sdl_event(kh_app, &ev, kh_now);
}

static void mouse(Uint32 type, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = x;
    ev.button.y = y;
    ev.motion.x = x;
    ev.motion.y = y;
    ev.motion.state = SDL_BUTTON_LMASK;
    app_sdl_event(kh_app, &ev, kh_now);
}

START_TEST(a_thousand_random_taps)
{
    start();
    last_screen = kh_screen();
    unsigned seed = 4242;
    long screens_seen[6] = {0};
    static const char *names[] = {"units", "rating", "thanks", "pin", "admin", "error"};
    for (int i = 0; i < 1000; i++) {
        const char *before = kh_screen();
        int x = (int)(rand_r(&seed) % 800), y = (int)(rand_r(&seed) % 480);
        unsigned kind = rand_r(&seed) % 10;
        int64_t hold = kind == 0 ? 3000 + rand_r(&seed) % 2000 : 10 + rand_r(&seed) % 300;
        int use_finger = kind >= 7;
        if (kind == 1) { /* a corner hold now and then, then random pad keys */
            x = (int)(rand_r(&seed) % 60);
            y = (int)(rand_r(&seed) % 60);
            hold = 3200;
        }
        if (use_finger)
            finger(SDL_FINGERDOWN, x, y);
        else
            mouse(SDL_MOUSEBUTTONDOWN, x, y);
        observe();
        kh_advance(hold / 2);
        observe();
        if (kind == 2) { /* drag */
            x = (int)(rand_r(&seed) % 800);
            y = (int)(rand_r(&seed) % 480);
            if (use_finger)
                finger(SDL_FINGERMOTION, x, y);
            else
                mouse(SDL_MOUSEMOTION, x, y);
        }
        observe();
        kh_advance(hold - hold / 2);
        observe();
        if (use_finger)
            finger(SDL_FINGERUP, x, y);
        else
            mouse(SDL_MOUSEBUTTONUP, x, y);
        observe();
        /* Pauses: mostly short, sometimes long enough for timers. */
        unsigned p = rand_r(&seed) % 20;
        kh_advance(p == 0 ? 31000 : p == 1 ? 3100 : 30 + rand_r(&seed) % 400);
        taps++;
        (void)before;
        observe();
        for (int k = 0; k < 6; k++)
            if (strcmp(kh_screen(), names[k]) == 0)
                screens_seen[k]++;
    }
    ck_assert_int_eq(kh_count(kh_db, "1"), thanked);
    ck_assert(kh_integrity_ok(kh_db));
    printf("lockdown: 1000 random taps, holds and drags: still running; screens after each: "
           "units %ld, rating %ld, thanks %ld, pin %ld, admin %ld, error %ld; %lld votes stored "
           "for %lld thank-you screens\n",
           screens_seen[0], screens_seen[1], screens_seen[2], screens_seen[3], screens_seen[4],
           screens_seen[5], (long long)kh_count(kh_db, "1"), (long long)thanked);
}
END_TEST

/* Does the file at path contain s? (a missing file does not) */
static int file_has(const char *path, const char *s)
{
    size_t len;
    char *p = tu_read_file(path, &len);
    if (!p)
        return 0;
    int found = memmem(p, len, s, strlen(s)) != NULL;
    free(p);
    return found;
}

START_TEST(wrong_pins_lock_and_no_pin_is_kept)
{
    /* Everything the kiosk logs goes to a file we read afterwards. */
    char *log = tu_path(dir, "kiosk.log");
    fflush(stderr);
    int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    start();
    const char *wrong = "13572468";
    kh_hold_hotspot(3100);
    ck_assert_str_eq(kh_screen(), "pin");
    for (int i = 0; i < 5; i++) {
        for (const char *d = wrong; *d; d++) {
            char id[8] = {'p', 'i', 'n', '.', *d, 0};
            kh_tap(id);
            ck_assert(!file_has(kh_dump, "1357"));
        }
        kh_tap("pin.ok");
        ck_assert_str_eq(kh_screen(), "pin");
    }
    /* Locked: the keys are disabled, the right PIN does nothing. */
    ck_assert(!kh_enabled("pin.1"));
    kh_enter_pin(KH_PIN);
    ck_assert_str_eq(kh_screen(), "pin");
    kh_tap("pin.cancel");
    kh_hold_hotspot(3100);
    kh_enter_pin(KH_PIN);
    ck_assert_str_eq(kh_screen(), "pin");
    /* After the lock, the right PIN opens the admin screen; quit works from
     * there, and only from there. */
    kh_advance(5 * 60 * 1000);
    kh_hold_hotspot(3100);
    for (const char *d = KH_PIN; *d; d++) {
        char id[8] = {'p', 'i', 'n', '.', *d, 0};
        kh_tap(id);
        ck_assert(!file_has(kh_dump, "8042"));
    }
    kh_tap("pin.ok");
    ck_assert_str_eq(kh_screen(), "admin");
    kh_tap("admin.quit");
    ck_assert(app_quit_requested(kh_app));
    kh_stop();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    const char *pins[] = {KH_PIN, wrong};
    char *db_wal = tu_path(dir, "kiosk.db-wal");
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(!file_has(log, pins[i]), "a PIN is in the log");
        ck_assert_msg(!file_has(kh_dump, pins[i]), "a PIN is in the ui-dump");
        ck_assert_msg(!file_has(kh_cfg, pins[i]), "a PIN is in kiosk.ini");
        ck_assert_msg(!file_has(kh_db, pins[i]) && !file_has(db_wal, pins[i]),
                      "a PIN is in the database");
    }
    ck_assert(file_has(log, "pad locked"));
    ck_assert(file_has(log, "PIN accepted"));
    free(db_wal);
    free(log);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lockdown");
    TCase *tc = tcase_create("lockdown");
    tcase_add_unchecked_fixture(tc, kh_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, keys_and_close_requests_on_every_screen);
    tcase_add_test(tc, press_everywhere_on_every_screen);
    tcase_add_test(tc, a_thousand_random_taps);
    tcase_add_test(tc, wrong_pins_lock_and_no_pin_is_kept);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

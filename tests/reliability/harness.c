/* harness.c - the headless kiosk for the reliability tests (harness.h). */
#include "harness.h"
#include "pin.h"
#include "testutil.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

app *kh_app;
int64_t kh_now;
char kh_cfg[512], kh_db[512], kh_dump[512];
static char pin_hash_value[PIN_HASH_MAX];
static SDL_Window *win;
static SDL_Renderer *ren;

void kh_suite_setup(void)
{
    mp_err err;
    if (pin_hash(KH_PIN, pin_hash_value, &err) < 0)
        abort();
    tu_root_setup();
}

void kh_setup(const char *dir)
{
    snprintf(kh_cfg, sizeof kh_cfg, "%s/kiosk.ini", dir);
    snprintf(kh_db, sizeof kh_db, "%s/kiosk.db", dir);
    snprintf(kh_dump, sizeof kh_dump, "%s/ui.json", dir);
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
    setenv("SDL_FRAMEBUFFER_ACCELERATION", "0", 0);
    ck_assert_msg(SDL_Init(SDL_INIT_VIDEO) == 0, "%s", SDL_GetError());
    ck_assert_int_eq(TTF_Init(), 0);
    kh_app = NULL;
}

void kh_stop(void)
{
    app_destroy(kh_app);
    kh_app = NULL;
    if (ren)
        SDL_DestroyRenderer(ren);
    if (win)
        SDL_DestroyWindow(win);
    ren = NULL;
    win = NULL;
}

void kh_teardown(void)
{
    kh_stop();
    TTF_Quit();
    SDL_Quit();
}

void kh_write_config(int n_units, const char *extra)
{
    FILE *f = fopen(kh_cfg, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "[kiosk]\nid = test-kiosk\nsurvey_url = https://survey.example.org/s?k={kiosk}&u={unit}\n"
            "pin_hash = %s\nthanks_seconds = 3\ncooldown_seconds = 0\nidle_seconds = 30\n"
            "burst_votes = 10000\nburst_seconds = 60\n%s\n[units]\n",
            pin_hash_value, extra ? extra : "");
    static const char *names[] = {"县公安局", "县人力资源和社会保障局", "城关镇人民政府"};
    for (int i = 0; i < n_units; i++)
        fprintf(f, "U%02d = %s\n", i + 1, names[i % 3]);
    ck_assert_int_eq(fclose(f), 0);
}

int kh_restart(int w, int h, mp_err *err)
{
    kiosk_config *cfg;
    ck_assert_msg(config_load(kh_cfg, &cfg, err) == 0, "%s", err->msg);
    win = SDL_CreateWindow("test", 0, 0, w, h, 0);
    ck_assert_msg(win != NULL, "window: %s", SDL_GetError());
    ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    ck_assert_msg(ren != NULL, "renderer: %s", SDL_GetError());
    app_options opt = {.font_path = MINPING_FONT_BUILD, .dump_path = kh_dump};
    kh_now = 1000000;
    int rc = app_create(cfg, ren, w, h, &opt, kh_now, &kh_app, err);
    if (rc == 0)
        app_render(kh_app);
    else
        config_free(cfg);
    return rc;
}

int kh_start(int n_units, int w, int h, const char *extra, mp_err *err)
{
    kh_write_config(n_units, extra);
    return kh_restart(w, h, err);
}

void kh_advance(int64_t ms)
{
    kh_now += ms;
    app_tick(kh_app, kh_now);
    app_render(kh_app);
}

const char *kh_screen(void)
{
    return app_screen_name(kh_app);
}

int kh_has(const char *id)
{
    ui_rect r;
    return app_element(kh_app, id, &r);
}

ui_rect kh_rect(const char *id)
{
    ui_rect r;
    ck_assert_msg(app_element(kh_app, id, &r), "no element %s on screen %s", id, kh_screen());
    return r;
}

static const ui_element *element(const char *id)
{
    int n;
    const ui_element *el = app_elements(kh_app, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(el[i].id, id) == 0)
            return &el[i];
    return NULL;
}

const char *kh_label(const char *id)
{
    const ui_element *e = element(id);
    return e ? e->label : "";
}

int kh_enabled(const char *id)
{
    const ui_element *e = element(id);
    return e && e->enabled;
}

static void mouse(Uint32 type, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.button.which = 0;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.x = x;
    ev.button.y = y;
    app_sdl_event(kh_app, &ev, kh_now);
}

void kh_tap_at(int x, int y)
{
    mouse(SDL_MOUSEBUTTONDOWN, x, y);
    kh_advance(60);
    mouse(SDL_MOUSEBUTTONUP, x, y);
    kh_advance(20);
}

void kh_tap(const char *id)
{
    ui_rect r = kh_rect(id);
    kh_tap_at(r.x + r.w / 2, r.y + r.h / 2);
}

void kh_hold_hotspot(int64_t ms)
{
    ui_rect r = kh_rect("admin.hotspot");
    mouse(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2);
    kh_advance(ms);
    mouse(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2);
    kh_advance(10);
}

void kh_enter_pin(const char *digits)
{
    for (const char *d = digits; *d; d++) {
        char id[8] = {'p', 'i', 'n', '.', *d, 0};
        kh_tap(id);
    }
    kh_tap("pin.ok");
}

void kh_open_admin(void)
{
    kh_hold_hotspot(3100);
    ck_assert_str_eq(kh_screen(), "pin");
    kh_enter_pin(KH_PIN);
    ck_assert_str_eq(kh_screen(), "admin");
}

int64_t kh_count(const char *db_path, const char *where)
{
    sqlite3 *db;
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM votes WHERE %s", where);
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

int kh_integrity_ok(const char *db_path)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    int ok = sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}

void kh_mount_tmpfs(const char *path, const char *opts)
{
    ck_assert_msg(mount("none", path, "tmpfs", 0, opts) == 0, "mount tmpfs at %s: %m", path);
}

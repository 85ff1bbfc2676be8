/* uitest.c - what the kiosk UI tests share (uitest.h): the fixtures that
 * start a kiosk on SDL's offscreen driver with the software renderer and a
 * fake monotonic clock, taps made of real SDL mouse and finger events, and
 * reads of the stored votes and of the frames drawn. */
#include "uitest.h"

#include <SDL_ttf.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char pin_hash_1234[PIN_HASH_MAX];
char *dir;
char cfg_path[300], db_path[300], dump_path[300];
SDL_Window *win;
SDL_Renderer *ren;
app *a;
int64_t now_ms;
const char *ui_voice_dir;
const char *ui_backlight_dir;

/* ---- fixtures ------------------------------------------------------------ */

void ui_suite_setup(void)
{
    mp_err err;
    if (pin_hash("1234", pin_hash_1234, &err) < 0)
        abort();
    tu_root_setup();
}

void write_config(int n_units, const char *extra)
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

void open_window(int w, int h)
{
    win = SDL_CreateWindow("test", 0, 0, w, h, 0);
    ck_assert_msg(win != NULL, "window: %s", SDL_GetError());
    ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    ck_assert_msg(ren != NULL, "renderer: %s", SDL_GetError());
}

int start_app(int n_units, int w, int h, const char *extra, mp_err *err)
{
    write_config(n_units, extra);
    kiosk_config *cfg;
    ck_assert_msg(config_load(cfg_path, &cfg, err) == 0, "%s", err->msg);
    open_window(w, h);
    app_options opt = {.font_path = MINPING_FONT_BUILD, .dump_path = dump_path,
                       .voice_dir = ui_voice_dir, .backlight_dir = ui_backlight_dir};
    now_ms = 1000000;
    int rc = app_create(cfg, ren, w, h, &opt, now_ms, &a, err);
    if (rc < 0)
        config_free(cfg); /* still ours after a failure */
    return rc;
}

void start(int n_units, int w, int h)
{
    mp_err err;
    ck_assert_msg(start_app(n_units, w, h, NULL, &err) == 0, "%s", err.msg);
    app_render(a);
}

void ui_setup(void)
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
    ui_backlight_dir = NULL;
}

void ui_teardown(void)
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

void advance(int64_t ms)
{
    now_ms += ms;
    app_tick(a, now_ms);
    app_render(a);
}

ui_rect rect_of(const char *id)
{
    ui_rect r;
    ck_assert_msg(app_element(a, id, &r), "no element %s on screen %s", id, app_screen_name(a));
    return r;
}

void mouse(Uint32 type, int x, int y, Uint32 which)
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

void finger(Uint32 type, int x, int y, int w, int h)
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
void tap(const char *id)
{
    ui_rect r = rect_of(id);
    int x = r.x + r.w / 2, y = r.y + r.h / 2;
    mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    advance(80);
    mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    advance(20);
}

void touch_at(int x, int y)
{
    mouse(SDL_MOUSEBUTTONDOWN, x, y, 0);
    now_ms += 80;
    mouse(SDL_MOUSEBUTTONUP, x, y, 0);
    app_tick(a, now_ms);
    app_render(a);
}

int64_t ui_wall;

int64_t ui_wall_clock(void)
{
    return ui_wall;
}

int64_t count_rows(const char *where)
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
int find(const char *id)
{
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(el[i].id, id) == 0)
            return i;
    return -1;
}

int enabled(const char *id)
{
    int n, i = find(id);
    return i >= 0 && app_elements(a, &n)[i].enabled;
}

void assert_screen(const char *name)
{
    ck_assert_str_eq(app_screen_name(a), name);
}

void hold_hotspot(int64_t ms)
{
    ui_rect r = rect_of("admin.hotspot");
    mouse(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2, 0);
    advance(ms);
    mouse(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2, 0);
    advance(10);
}

void enter_pin(const char *digits)
{
    for (const char *d = digits; *d; d++) {
        char id[8] = {'p', 'i', 'n', '.', *d, 0};
        tap(id);
    }
    tap("pin.ok");
}

/* ---- frames and pixels --------------------------------------------------- */

unsigned char *read_file_all(const char *path, long *len)
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
unsigned char *frame(const char *name, long *len)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.bmp", dir, name);
    mp_err err;
    ck_assert_msg(app_screenshot(a, path, &err) == 0, "%s", err.msg);
    return read_file_all(path, len);
}

/* The current frame drawn from empty caches (a resize empties them). */
unsigned char *cold_frame(const char *name, long *len)
{
    app_resize(a, 801, 480);
    app_resize(a, 800, 480);
    return frame(name, len);
}

void assert_same_frame(const char *what, unsigned char *cold, long n_cold)
{
    long n;
    unsigned char *warm = frame(what, &n);
    ck_assert_int_eq(n, n_cold);
    ck_assert_msg(memcmp(warm, cold, (size_t)n) == 0,
                  "%s: drawn from the caches it differs from a fresh drawing", what);
    free(warm);
    free(cold);
}

/* Reads the pixel at (x, y) of the renderer's target as 0xRRGGBB. */
uint32_t pixel_at(SDL_Renderer *r, int x, int y)
{
    uint32_t px = 0;
    ck_assert_int_eq(SDL_RenderReadPixels(r, &(SDL_Rect){x, y, 1, 1}, SDL_PIXELFORMAT_RGB888, &px,
                                          4),
                     0);
    return px & 0xFFFFFFu;
}

int channel_diff(uint32_t p, uint32_t q)
{
    int worst = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int d = abs((int)((p >> sh) & 0xFF) - (int)((q >> sh) & 0xFF));
        if (d > worst)
            worst = d;
    }
    return worst;
}

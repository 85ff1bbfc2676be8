/* shoot.c - screenshots of every kiosk screen at given window sizes, made
 * headless (SDL offscreen driver, software renderer) with the demo
 * configuration.  Used for the README and for looking at layouts:
 *   shoot OUTDIR WxH [WxH ...]   ->  OUTDIR/WxH-<screen>.bmp
 * and the same in 大字 mode (large text, high contrast) as
 * OUTDIR/WxH-large-<screen>.bmp.
 * The thanks screen after 一般 is saved with its reason buttons
 * (WxH-thanks-reasons.bmp) and once reason.2 is stored
 * (WxH-thanks-reason-stored.bmp).
 * MINPING_SHOOT_CONFIG names a kiosk.ini to use instead of the demo's (it
 * must serve units RS01 and GA01; its own signing key is kept, its votes go
 * to its db).  MINPING_SHOOT_SURVEY_URL replaces the survey_url (to show a
 * {token} code: signed with OUTDIR/shoot.key, made on the first run); the
 * thanks screen is then also saved as the kiosk presented it after the vote
 * (WxH-thanks-presented.bmp: the frame drawn ahead, code drawn over it),
 * not drawn again for the screenshot.
 */
#include "app.h"
#include "app_int.h"
#include "embed.h"
#include "sign.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t now = 1000000;

static void click(app *a, const char *id)
{
    ui_rect r;
    if (!app_element(a, id, &r)) {
        fprintf(stderr, "shoot: no %s on %s\n", id, app_screen_name(a));
        exit(1);
    }
    app_pointer(a, (ui_pointer){UI_PRESS, r.x + r.w / 2, r.y + r.h / 2}, now);
    now += 50;
    app_pointer(a, (ui_pointer){UI_RELEASE, r.x + r.w / 2, r.y + r.h / 2}, now);
    app_tick(a, now);
}

static int large; /* the screenshots of 大字 mode */

static void shot(app *a, const char *out, int w, int h, const char *suffix)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%dx%d-%s%s.bmp", out, w, h, large ? "large-" : "", suffix);
    mp_err err;
    if (app_screenshot(a, path, &err) < 0) {
        fprintf(stderr, "shoot: %s\n", err.msg);
        exit(1);
    }
    printf("%s\n", path);
}

/* The frame last presented, read back as it is (software renderer: the
 * window's surface). */
static void shot_presented(app *a, SDL_Renderer *ren, const char *out, int w, int h)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%dx%d-thanks-presented.bmp", out, w, h);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s || app_render(a) < 0 ||
        SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0 ||
        SDL_SaveBMP(s, path) != 0) {
        fprintf(stderr, "shoot: %s: %s\n", path, SDL_GetError());
        exit(1);
    }
    SDL_FreeSurface(s);
    printf("%s\n", path);
}

static app *make(const char *dir, int w, int h, SDL_Renderer *ren, const char *db)
{
    kiosk_config *cfg;
    mp_err err;
    const char *text = demo_config[0].text;
    const char *ini = getenv("MINPING_SHOOT_CONFIG");
    if (ini && *ini ? config_load(ini, &cfg, &err) < 0
                    : config_parse(text, strlen(text), "demo", dir, &cfg, &err) < 0) {
        fprintf(stderr, "shoot: %s\n", err.msg);
        exit(1);
    }
    const char *url = getenv("MINPING_SHOOT_SURVEY_URL");
    if (url && *url) {
        free(cfg->survey_url);
        cfg->survey_url = strdup(url);
    }
    if (db) {
        free(cfg->db_path);
        cfg->db_path = strdup(db);
    }
    /* Exports go to OUTDIR, signed with a key made there (or with the
     * configuration's own). */
    char key_path[2048];
    snprintf(key_path, sizeof key_path, "%s/shoot.key", dir);
    if (access(key_path, F_OK) != 0) {
        sign_key key;
        if (sign_keygen(&key, &err) < 0 || sign_key_save(key_path, &key, &err) < 0) {
            fprintf(stderr, "shoot: %s\n", err.msg);
            exit(1);
        }
        sign_key_wipe(&key);
    }
    if (!cfg->signing_key_path)
        cfg->signing_key_path = strdup(key_path);
    free(cfg->export_dir);
    cfg->export_dir = strdup(dir);
    app *a;
    app_options opt = {.font_path = MINPING_FONT_BUILD};
    if (app_create(cfg, ren, w, h, &opt, now, &a, &err) < 0) {
        fprintf(stderr, "shoot: %s\n", err.msg);
        exit(1);
    }
    return a;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: shoot OUTDIR WxH [WxH ...]\n", stderr);
        return 2;
    }
    const char *out = argv[1];
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "shoot: %s\n", SDL_GetError());
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        int w, h;
        if (sscanf(argv[i], "%dx%d", &w, &h) != 2)
            return 2;
        SDL_Window *win = SDL_CreateWindow("shoot", 0, 0, w, h, 0);
        SDL_Renderer *ren = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
        if (!ren) {
            fprintf(stderr, "shoot: %s\n", SDL_GetError());
            return 1;
        }
        for (large = 0; large < 2; large++) {
            app *a = make(out, w, h, ren, NULL);
            if (large)
                click(a, "mode.large");
            shot(a, out, w, h, "units");
            click(a, "unit.RS01");
            shot(a, out, w, h, "rating");
            click(a, "rate.10");
            if (getenv("MINPING_SHOOT_SURVEY_URL") && !large)
                shot_presented(a, ren, out, w, h);
            shot(a, out, w, h, "thanks");
            now += 3000;
            app_tick(a, now);
            click(a, "thanks.done");
            click(a, "unit.GA01");
            click(a, "rate.6");
            shot(a, out, w, h, "thanks-reasons"); /* after 一般: the reason buttons */
            click(a, "reason.2");
            shot(a, out, w, h, "thanks-reason-stored");
            while (strcmp(app_screen_name(a), "thanks") == 0) { /* countdown */
                now += 500;
                app_tick(a, now);
            }
            if (large) /* the countdown's end returned to the normal mode */
                click(a, "mode.large");
            ui_rect r;
            app_element(a, "admin.hotspot", &r);
            app_pointer(a, (ui_pointer){UI_PRESS, r.x + 5, r.y + 5}, now);
            now += 3100;
            app_tick(a, now);
            app_pointer(a, (ui_pointer){UI_RELEASE, r.x + 5, r.y + 5}, now);
            click(a, "pin.1");
            click(a, "pin.2");
            shot(a, out, w, h, "pin");
            click(a, "pin.3");
            click(a, "pin.4");
            click(a, "pin.ok");
            click(a, "admin.export");
            shot(a, out, w, h, "admin");
            app_destroy(a);
            a = make(out, w, h, ren, "/nonexistent-folder/kiosk.db");
            app_set_large(a, large); /* as when a vote fails in 大字 mode */
            shot(a, out, w, h, "error");
            app_destroy(a);
        }
        SDL_DestroyRenderer(ren);
        SDL_DestroyWindow(win);
    }
    TTF_Quit();
    SDL_Quit();
    return 0;
}

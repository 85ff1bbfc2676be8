/* bench_tap.c - tap to thanks frame, vote durable, against its floor.
 *
 * Runs the kiosk's app (the code minping-kiosk runs) in a real window with
 * the chosen renderer and times, for each of N taps: the press and release
 * events fed in -> the vote committed (WAL fsync) -> the thanks frame drawn
 * and presented.  Between taps the app's clock is moved on so the thanks
 * screen times out (untimed).  Interleaved with the taps, in the same folder
 * and window, it times the floor: one SQLite insert + commit into a table of
 * the same columns with the same pragmas (WAL, synchronous=FULL), plus one
 * bare clear + present.  Prints
 *
 *   tap_ms median=M p99=P
 *   floor_ms median=M p99=P
 *   reason_ms median=M p99=P n=N
 *
 * The demo configuration offers the default reasons after 一般 and 不满意
 * (half the taps), so the thank-you frames timed carry the reason buttons;
 * after each of those, a reason is tapped too and timed on its own (tap ->
 * follow-up committed -> the frame showing it recorded presented): the
 * third line.  --no-reasons turns them off (as `reasons =`), for a
 * comparison.
 *   bench_tap DIR [--taps N] [--renderer software|gpu] [--window WxH] [--samples FILE]
 *             [--survey-url URL] [--voice on|off] [--no-reasons]
 * DIR (on the disk to measure) gets the databases; it must exist.
 * --survey-url replaces the demo's; with {token} in it, the QR code is made
 * after each commit, signed with DIR/bench.key (made when absent).  --samples
 * writes every tap's and floor's time, one "tap floor" pair of ms a line.
 * --voice on speaks the prompts (the build's WAV files) on SDL's audio
 * device, as SDL_AUDIODRIVER chooses: the rating's name on each tap, the
 * thank-you when its frame is presented, both inside the timed span; off
 * (the default) is silent.
 */
#include "app.h"
#include "benchutil.h"
#include "clock.h"
#include "config.h"
#include "embed.h"
#include "followup.h"
#include "sign.h"
#include "window.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t fake_now;

static void mouse(app *a, Uint32 type, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    ev.button.x = x;
    ev.button.y = y;
    app_sdl_event(a, &ev, fake_now);
}

static int tap(app *a, const char *id)
{
    ui_rect r;
    if (!app_element(a, id, &r)) {
        fprintf(stderr, "bench_tap: no element %s on screen %s\n", id, app_screen_name(a));
        return -1;
    }
    mouse(a, SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2);
    fake_now += 80;
    mouse(a, SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2);
    return 0;
}

static int sql(sqlite3 *db, const char *s)
{
    char *msg = NULL;
    if (sqlite3_exec(db, s, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_tap: floor database: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int taps = 500, renderer = CONFIG_RENDERER_DEFAULT, w = 0, h = 0, voice = 0;
    const char *dir = NULL, *samples = NULL, *url = NULL;
    int no_reasons = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--taps") == 0 && i + 1 < argc)
            taps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--renderer") == 0 && i + 1 < argc)
            renderer = config_renderer_by_name(argv[++i]);
        else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc)
            sscanf(argv[++i], "%dx%d", &w, &h);
        else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
            samples = argv[++i];
        else if (strcmp(argv[i], "--survey-url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(argv[i], "--voice") == 0 && i + 1 < argc)
            voice = strcmp(argv[++i], "on") == 0 ? 1 : strcmp(argv[i], "off") == 0 ? 0 : -1;
        else if (strcmp(argv[i], "--no-reasons") == 0)
            no_reasons = 1;
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else
            dir = NULL, taps = 0;
    }
    if (!dir || taps < 1 || renderer < 0 || voice < 0) {
        fprintf(stderr, "usage: bench_tap DIR [--taps N] [--renderer software|gpu] "
                        "[--window WxH] [--samples FILE] [--survey-url URL] [--voice on|off] "
                        "[--no-reasons]\n");
        return 2;
    }
    mp_err err;
    kiosk_config *cfg = NULL;
    const char *text = demo_config[0].text;
    if (sodium_init() < 0 || config_parse(text, strlen(text), "demo", dir, &cfg, &err) < 0 ||
        config_set_number(cfg, "burst_votes", 10000, &err) < 0) {
        fprintf(stderr, "bench_tap: %s\n", err.msg);
        config_free(cfg);
        return 1;
    }
    cfg->renderer = renderer;
    cfg->voice = voice;
    cfg->volume = 80;
    if (no_reasons)
        cfg->n_reasons = 0; /* as `reasons =` in kiosk.ini */
    if (url) {
        char key_path[4200];
        snprintf(key_path, sizeof key_path, "%s/bench.key", dir);
        sign_key key;
        if (access(key_path, F_OK) != 0 &&
            (sign_keygen(&key, &err) < 0 || sign_key_save(key_path, &key, &err) < 0)) {
            fprintf(stderr, "bench_tap: %s\n", err.msg);
            return 1;
        }
        sign_key_wipe(&key);
        free(cfg->survey_url);
        free(cfg->signing_key_path);
        cfg->survey_url = strdup(url);
        cfg->signing_key_path = strdup(key_path);
        if (!cfg->survey_url || !cfg->signing_key_path)
            return 1;
    }

    /* The floor's database: the same pragmas as the vote store. */
    char floor_path[4200];
    snprintf(floor_path, sizeof floor_path, "%s/floor.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    if (sqlite3_open(floor_path, &db) != SQLITE_OK || sql(db, "PRAGMA journal_mode = WAL") < 0 ||
        sql(db, "PRAGMA synchronous = FULL") < 0 ||
        sql(db, "CREATE TABLE IF NOT EXISTS votes (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                "instance TEXT NOT NULL, uuid TEXT NOT NULL UNIQUE, cast_utc INTEGER NOT NULL, "
                "utc_offset INTEGER NOT NULL, unit_code TEXT NOT NULL, unit_name TEXT NOT NULL, "
                "points INTEGER NOT NULL, channel TEXT NOT NULL, flagged INTEGER NOT NULL) "
                "STRICT") < 0 ||
        sqlite3_prepare_v2(db, "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, "
                               "unit_code, unit_name, points, channel, flagged) VALUES "
                               "('0123456789abcdef0123456789abcdef', ?1, ?2, 28800, 'RS01', "
                               "'县人力资源和社会保障局', 8, 'kiosk', 0)",
                           -1, &ins, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_tap: %s: %s\n", floor_path, db ? sqlite3_errmsg(db) : "?");
        return 1;
    }

    SDL_Window *win;
    SDL_Renderer *ren;
    if (window_video_start(&err) < 0 || TTF_Init() != 0 ||
        window_open(renderer, w, h, &win, &ren, &err) < 0) {
        fprintf(stderr, "bench_tap: %s\n", err.msg);
        return 1;
    }
    int ow, oh;
    SDL_GetRendererOutputSize(ren, &ow, &oh);
    fake_now = clock_mono_ms();
    app *a = NULL;
    app_options opt = {.font_path = MINPING_FONT_BUILD,
                       .voice_dir = voice ? MINPING_VOICE_BUILD : NULL};
    if (app_create(cfg, ren, ow, oh, &opt, fake_now, &a, &err) < 0) {
        fprintf(stderr, "bench_tap: %s\n", err.msg);
        return 1;
    }
    app_render(a);

    double *tap_ms = calloc((size_t)taps, sizeof *tap_ms);
    double *floor_ms = calloc((size_t)taps, sizeof *floor_ms);
    double *reason_ms = calloc((size_t)taps, sizeof *reason_ms);
    int reasons = 0;
    if (!tap_ms || !floor_ms || !reason_ms)
        return 1;
    static const char *const faces[] = {"rate.10", "rate.8", "rate.6", "rate.0"};
    for (int i = 0; i < taps; i++) {
        /* Floor: one durable insert, one bare present. */
        unsigned char rnd[16];
        char uuid[33];
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(uuid, sizeof uuid, rnd, sizeof rnd);
        int64_t t0 = bench_now_ns();
        sqlite3_bind_text(ins, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, 1700000000 + i);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        SDL_SetRenderDrawColor(ren, 0xF3, 0xF5, 0xF7, 255);
        SDL_RenderClear(ren);
        SDL_RenderPresent(ren);
        floor_ms[i] = (double)(bench_now_ns() - t0) / 1e6;
        if (rc != SQLITE_DONE) {
            fprintf(stderr, "bench_tap: floor insert: %s\n", sqlite3_errmsg(db));
            return 1;
        }

        /* To the rating screen (untimed), then the timed tap. */
        if (strcmp(app_screen_name(a), "units") == 0) {
            if (tap(a, "unit.RS01") < 0)
                return 1;
            fake_now += 500;
            app_render(a);
        }
        int64_t t1 = bench_now_ns();
        if (tap(a, faces[i % 4]) < 0)
            return 1;
        int presented = app_render(a);
        tap_ms[i] = (double)(bench_now_ns() - t1) / 1e6;
        if (!presented || strcmp(app_screen_name(a), "thanks") != 0) {
            fprintf(stderr, "bench_tap: tap %d did not reach the thanks screen (on %s)\n", i,
                    app_screen_name(a));
            return 1;
        }
        /* A reason, where offered: tap -> durable -> shown recorded. */
        char rid[32];
        ui_rect rr;
        if (cfg->n_reasons > 0)
            snprintf(rid, sizeof rid, "reason.%zu", (size_t)(i / 2) % cfg->n_reasons + 1);
        if (cfg->n_reasons > 0 && app_element(a, rid, &rr)) {
            fake_now += 1000;
            app_tick(a, fake_now);
            app_render(a);
            int64_t t2 = bench_now_ns();
            if (tap(a, rid) < 0)
                return 1;
            int shown = app_render(a);
            reason_ms[reasons++] = (double)(bench_now_ns() - t2) / 1e6;
            if (!shown) {
                fprintf(stderr, "bench_tap: reason tap %d presented nothing\n", i);
                return 1;
            }
        }
        /* Let the thanks screen time out. */
        fake_now += (int64_t)cfg->thanks_seconds * 1000 + 1000;
        app_tick(a, fake_now);
        app_render(a);
    }
    int64_t stored = 0;
    if (store_vote_count(app_store(a), &stored, &err) < 0 || stored < taps) {
        fprintf(stderr, "bench_tap: %lld votes stored for %d taps\n", (long long)stored, taps);
        return 1;
    }
    if (samples) {
        FILE *f = fopen(samples, "w");
        for (int i = 0; f && i < taps; i++)
            fprintf(f, "%.4f %.4f\n", tap_ms[i], floor_ms[i]);
        if (!f || fclose(f) != 0) {
            fprintf(stderr, "bench_tap: cannot write %s\n", samples);
            return 1;
        }
    }
    int64_t fu = 0;
    if (reasons > 0 && (followup_count(app_store(a), &fu, &err) < 0 || fu != reasons)) {
        fprintf(stderr, "bench_tap: %lld reasons stored for %d taps\n", (long long)fu, reasons);
        return 1;
    }
    printf("tap_ms median=%.3f p99=%.3f\n", bench_percentile(tap_ms, taps, 50),
           bench_percentile(tap_ms, taps, 99));
    printf("floor_ms median=%.3f p99=%.3f\n", bench_percentile(floor_ms, taps, 50),
           bench_percentile(floor_ms, taps, 99));
    if (reasons > 0)
        printf("reason_ms median=%.3f p99=%.3f n=%d\n", bench_percentile(reason_ms, reasons, 50),
               bench_percentile(reason_ms, reasons, 99), reasons);
    free(reason_ms);
    free(tap_ms);
    free(floor_ms);
    app_destroy(a); /* cfg is the app's */
    sqlite3_finalize(ins);
    sqlite3_close(db);
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    return 0;
}

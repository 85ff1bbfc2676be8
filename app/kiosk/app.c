/* app.c - the screen manager, pointer handling, timers and rendering. */
#include "app_int.h"
#include "clock.h"
#include "dump.h"
#include "fu_token.h"
#include "log.h"
#include "theme.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int app_open_store(app *a)
{
    mp_err err, damage, warning;
    if (a->store)
        return 0;
    const char *path = a->cfg->db_path;
    char moved[sizeof a->damaged_note];
    if (store_open_replacing(path, clock_utc_now(), &a->store, moved, sizeof moved, &damage,
                             &warning, &err) < 0) {
        snprintf(a->status, sizeof a->status, "%s", err.msg);
        log_error("%s", err.msg);
        return -1;
    }
    if (moved[0]) {
        log_error("%s", damage.msg);
        log_error("damaged database %s set aside as %s; a new database is started; "
                  "export its readable votes with: minping-kiosk export --config FILE --db %s "
                  "--out DIR",
                  path, moved, moved);
        snprintf(a->damaged_note, sizeof a->damaged_note, "%s", moved);
        if (warning.msg[0])
            log_error("%s", warning.msg); /* the note still shows until the kiosk restarts */
    }
    mp_err why;
    char note[sizeof a->damaged_note];
    if (store_predecessor(a->store, note, sizeof note, &why) < 0)
        log_error("%s", why.msg);
    else if (note[0])
        snprintf(a->damaged_note, sizeof a->damaged_note, "%s", note);
    return 0;
}

void app_damaged_notice(const app *a, char *buf, size_t len)
{
    if (!a->damaged_note[0]) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, len,
             "发现损坏的数据库，已原样另存为 %.400s，本机已启用新数据库继续服务。"
             "其中仍可读取的评价可用 minping-kiosk export --db 该文件 导出。",
             a->damaged_note);
}

int app_create(kiosk_config *cfg, SDL_Renderer *ren, int w, int h, const app_options *opt,
               int64_t now_ms, app **out, mp_err *err)
{
    app *a = calloc(1, sizeof *a);
    if (!a)
        return mp_fail(err, "out of memory");
    a->cfg = cfg;
    a->ren = ren;
    a->now = a->last_input = now_ms;
    a->frame.pressed = -1;
    a->qr_unit = -1;
    input_init(&a->input);
    if (text_open(opt->font_path, &a->text, err) < 0)
        goto fail;
    for (size_t i = 0; i < cfg->n_units; i++) {
        uint32_t cp;
        if (!text_covers(a->text, cfg->units[i].name, &cp)) {
            mp_fail(err, "%s: unit %s: the font has no glyph for U+%04X in \"%s\"", cfg->path,
                    cfg->units[i].code, (unsigned)cp, cfg->units[i].name);
            goto fail;
        }
    }
    a->draw = draw_create(ren);
    a->burst = vote_burst_create(cfg->burst_votes, cfg->burst_seconds);
    if (!a->draw || !a->burst) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    if (opt->dump_path && !(a->dump_path = strdup(opt->dump_path))) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    if (opt->backlight_dir && !(a->backlight = backlight_create(opt->backlight_dir))) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    a->pal = &THEME_NORMAL;
    a->utc_now = clock_utc_now;
    a->m = layout_metrics_for(w, h);
    if (qr_wants_token(cfg->survey_url)) {
        mp_err why;
        if (!cfg->signing_key_path)
            log_error("%s: survey_url has {token} but no signing_key is set: the QR codes "
                      "carry no follow-up token", cfg->path);
        else if (sign_key_load(cfg->signing_key_path, &a->fu_key, &why) < 0)
            log_error("survey QR code: %s: the QR codes carry no follow-up token", why.msg);
        else
            a->fu_on = 1;
    }
    /* Before the worker thread starts: voice_open quiets standard error
     * for a moment. */
    if (cfg->voice && opt->voice_dir)
        a->voice = voice_open(opt->voice_dir, cfg->volume);
    else if (!cfg->voice)
        log_info("voice: off (kiosk.ini)");
    vote_worker_start(&a->worker);
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
    if (app_open_store(a) < 0)
        app_go(a, &screen_error);
    else
        app_go(a, app_first_screen(a));
    *out = a;
    return 0;
fail:
    a->cfg = NULL; /* still the caller's */
    app_destroy(a);
    return -1;
}

void app_destroy(app *a)
{
    if (!a)
        return;
    if (a->screen && a->screen->leave)
        a->screen->leave(a);
    backlight_destroy(a->backlight);
    vote_worker_stop(&a->worker);
    usb_worker_destroy(a->usb);
    voice_close(a->voice);
    store_close(a->store);
    vote_burst_destroy(a->burst);
    qr_free(a->qr);
    free(a->qr_url);
    sign_key_wipe(&a->fu_key);
    draw_destroy(a->draw);
    text_close(a->text);
    config_free(a->cfg);
    free(a->dump_path);
    sodium_memzero(&a->pin, sizeof a->pin);
    free(a);
}

/* The token of a vote at a->unit with seq `seq`, in out. */
static int vote_token(const app *a, int64_t seq, int points, int64_t cast_utc,
                      char out[FU_TOKEN_MAX], mp_err *err)
{
    fu_token t = {.seq = seq, .points = points, .cast_utc = cast_utc};
    snprintf(t.kiosk, sizeof t.kiosk, "%s", a->cfg->id);
    snprintf(t.instance, sizeof t.instance, "%s", a->store ? store_instance(a->store) : "");
    snprintf(t.unit, sizeof t.unit, "%s", a->cfg->units[a->unit].code);
    return fu_token_make(&t, &a->fu_key, out, err);
}

static int make_qr(const app *a, const char *token, char **url, qr_code **qr, mp_err *err)
{
    *url = NULL;
    *qr = NULL;
    if (qr_payload(a->cfg->survey_url, a->cfg->id, a->cfg->units[a->unit].code, token, url,
                   err) < 0 ||
        qr_encode(*url, qr, err) < 0) {
        free(*url);
        *url = NULL;
        return -1;
    }
    return 0;
}

void app_prepare_qr(app *a)
{
    if (a->qr && a->qr_unit == a->unit)
        return;
    qr_free(a->qr);
    free(a->qr_url);
    a->qr = NULL;
    a->qr_url = NULL;
    a->qr_unit = -1;
    mp_err err;
    /* With tokens, a stand-in the length of the next vote's token, so that
     * the code (sized by its length) is the size of the real one in nearly
     * every case.  Its signature is blanked: never a valid token. */
    char tok[FU_TOKEN_MAX];
    if (a->fu_on) {
        if (vote_token(a, a->fu_last_seq + 1, 10, clock_utc_now(), tok, &err) < 0) {
            log_error("survey QR code: %s", err.msg);
            return;
        }
        for (char *sig = strrchr(tok, '.') + 1; *sig; sig++)
            *sig = 'A';
    }
    if (make_qr(a, a->fu_on ? tok : NULL, &a->qr_url, &a->qr, &err) < 0) {
        log_error("survey QR code: %s", err.msg);
        return;
    }
    a->qr_unit = a->unit;
}

void app_vote_qr(app *a, const store_vote *v)
{
    if (!a->fu_on)
        return;
    a->fu_last_seq = v->seq;
    char tok[FU_TOKEN_MAX], *url;
    qr_code *qr;
    mp_err err;
    int ok = vote_token(a, v->seq, v->points, v->cast_utc, tok, &err) == 0 &&
             make_qr(a, tok, &url, &qr, &err) == 0;
    int same = ok && a->qr && a->qr->width == qr->width;
    qr_free(a->qr);
    free(a->qr_url);
    a->qr = ok ? qr : NULL;
    a->qr_url = ok ? url : NULL;
    a->qr_unit = ok ? a->unit : -1;
    if (!ok)
        log_error("survey QR code: %s", err.msg);
    int qi = app_find_tag(&a->frame, TAG_QR);
    if (same && a->drawn_ahead && a->screen == &screen_thanks && qi >= 0) {
        ui_element *e = &a->frame.el[qi];
        int module = e->r.w / (a->qr->width + 2 * QR_QUIET_MODULES);
        draw_qr_runs(a->draw, a->qr, e->r.x, e->r.y, module);
        snprintf(e->label, sizeof e->label, "%s", a->qr_url);
        a->dump_pending = 1;
    } else if (a->screen == &screen_thanks) {
        app_relayout(a);
    }
}

const screen_class *app_first_screen(const app *a)
{
    return a->cfg->n_units > 1 ? &screen_units : &screen_rating;
}

ui_element *app_add(ui_frame *f, int tag, int arg, const char *id, const char *label, ui_rect r,
                    int touch)
{
    assert(f->n_el < APP_MAX_ELEMENTS);
    ui_element *e = &f->el[f->n_el++];
    e->tag = tag;
    e->arg = arg;
    snprintf(e->id, sizeof e->id, "%s", id);
    snprintf(e->label, sizeof e->label, "%s", label);
    e->r = r;
    e->touch = touch;
    e->enabled = 1;
    return e;
}

int app_find_tag(const ui_frame *f, int tag)
{
    for (int i = 0; i < f->n_el; i++)
        if (f->el[i].tag == tag)
            return i;
    return -1;
}

static int find_id(const app *a, const char *id)
{
    for (int i = 0; i < a->frame.n_el; i++)
        if (strcmp(a->frame.el[i].id, id) == 0)
            return i;
    return -1;
}

/* The live state of screen s. */
static const void *state_of(const app *a, const screen_class *s)
{
    return s->state ? (const char *)a + s->state : NULL;
}

void app_layout_frame(const app *a, const screen_class *s, const void *st, ui_frame *f)
{
    f->state = st;
    f->n_el = 0;
    f->pressed = -1;
    f->header_side = a->m.hotspot > a->m.pad ? a->m.hotspot : a->m.pad;
    if (s->hotspot)
        app_add(f, TAG_HOTSPOT, 0, "admin.hotspot", "工作人员入口（长按3秒）",
                (ui_rect){0, 0, a->m.hotspot, a->m.hotspot}, 1);
    if (s == app_first_screen(a)) {
        /* The 大字 switch: the header's right end, as tall as the band. */
        int bw = a->m.header_h * 3 / 2;
        app_add(f, TAG_MODE_LARGE, 0, "mode.large", a->large ? "标准字" : "大字",
                (ui_rect){a->m.w - bw, 0, bw, a->m.header_h}, 1);
        if (bw + a->m.pad > f->header_side)
            f->header_side = bw + a->m.pad;
    }
    s->layout(a, f);
}

/* The element of the current frame the held press is on, or -1 (and the
 * press dropped) when that button is gone or disabled. */
static int press_target(app *a)
{
    if (!a->press.held)
        return -1;
    for (int i = 0; i < a->frame.n_el; i++) {
        const ui_element *e = &a->frame.el[i];
        if (e->tag == a->press.tag && e->arg == a->press.arg && e->touch && e->enabled)
            return i;
    }
    a->press.held = 0;
    return -1;
}

void app_relayout(app *a)
{
    app_layout_frame(a, a->screen, state_of(a, a->screen), &a->frame);
    a->frame.pressed = press_target(a);
    app_redraw(a);
    a->dump_pending = 1;
}

static void draw_frame(app *a)
{
    draw_clear(a->draw, a->pal->bg);
    a->screen->draw(a, &a->frame);
}

void app_redraw(app *a)
{
    a->dirty = 1;
    a->drawn_ahead = 0;
}

void app_draw_ahead(app *a)
{
    draw_frame(a);
    /* SDL batches draw calls until the present: carry them out now, while
     * there is time.  Should it fail, the calls stay queued and the present
     * carries them out instead, so the frame is the same either way. */
    (void)SDL_RenderFlush(a->ren);
    a->drawn_ahead = 1;
}

void app_warm(app *a, const screen_class *s, const void *st)
{
    ui_frame *f = malloc(sizeof *f);
    if (!f)
        return; /* warming is only ever a head start */
    app_layout_frame(a, s, st, f);
    if (SDL_RenderSetClipRect(a->ren, &(SDL_Rect){0, 0, 1, 1}) == 0) {
        s->draw(a, f);
        SDL_RenderSetClipRect(a->ren, NULL);
        /* Carried out now, not queued until the next frame's. */
        (void)SDL_RenderFlush(a->ren);
    }
    free(f);
    if (a->warm_hook)
        a->warm_hook(a, a->warm_user);
}

void app_set_warm_hook(app *a, void (*hook)(app *a, void *user), void *user)
{
    a->warm_hook = hook;
    a->warm_user = user;
}

void app_go(app *a, const screen_class *s)
{
    if (a->screen && a->screen->leave)
        a->screen->leave(a);
    a->press.held = 0;
    a->screen = s;
    a->warmed = 0;
    a->hold_deadline = 0;
    a->wake_at = 0;
    a->screen_since = a->now;
    a->cue_pending = a->tapping;
    s->enter(a);
    app_relayout(a);
}

static void go_first(app *a)
{
    if (!a->store && app_open_store(a) < 0)
        app_go(a, &screen_error);
    else
        app_go(a, app_first_screen(a));
}

void app_set_utc_clock(app *a, int64_t (*utc_now)(void))
{
    a->utc_now = utc_now ? utc_now : clock_utc_now;
}

int app_is_open(const app *a)
{
    if (!config_has_hours(a->cfg))
        return 1;
    int64_t utc = a->utc_now();
    return config_is_open(a->cfg, utc + clock_utc_offset(utc));
}

void app_pointer(app *a, ui_pointer p, int64_t now_ms)
{
    a->now = now_ms;
    a->last_input = now_ms;
    if (a->screen == &screen_sleep) {
        /* A touch wakes it; the touch itself does nothing more. */
        if (p.kind == UI_RELEASE) {
            log_info("touched outside open hours: awake until left alone");
            a->tapping = 1;
            app_go(a, app_first_screen(a));
            a->tapping = 0;
        }
        return;
    }
    const ui_frame *f = &a->frame;
    int hot = a->screen->hotspot ? app_find_tag(f, TAG_HOTSPOT) : -1;
    switch (p.kind) {
    case UI_PRESS:
        a->swallow_release = 0;
        a->press_beside = 0;
        if (hot >= 0 && ui_rect_contains(f->el[hot].r, p.x, p.y)) {
            a->hold_deadline = now_ms + THEME_HOLD_MS;
            return;
        }
        for (int i = f->n_el - 1; i >= 0; i--) {
            const ui_element *e = &f->el[i];
            if (e->touch && e->enabled && i != hot && ui_rect_contains(e->r, p.x, p.y)) {
                a->press = (app_press){.held = 1, .tag = e->tag, .arg = e->arg, .at = e->r};
                a->frame.pressed = i;
                app_redraw(a); /* pressed feedback */
                return;
            }
        }
        a->press_beside = 1;
        return;
    case UI_MOVE:
        if (a->hold_deadline && hot >= 0 && !ui_rect_contains(f->el[hot].r, p.x, p.y))
            a->hold_deadline = 0;
        return;
    case UI_RELEASE: {
        a->hold_deadline = 0;
        if (a->swallow_release) {
            a->swallow_release = 0;
            return;
        }
        int i = press_target(a);
        ui_rect at = a->press.at;
        a->press.held = 0;
        if (a->frame.pressed >= 0) {
            a->frame.pressed = -1;
            app_redraw(a);
        }
        /* Lifted on the button, where it is now or where it was pressed
         * (a relayout since may have moved it under the finger). */
        if (i >= 0 && (ui_rect_contains(f->el[i].r, p.x, p.y) || ui_rect_contains(at, p.x, p.y))) {
            ui_element e = f->el[i]; /* activate may relayout */
            a->tapping = 1;
            app_cue_tap(a, &e);
            if (e.tag == TAG_MODE_LARGE)
                app_set_large(a, !a->large);
            else
                a->screen->activate(a, &e);
            a->tapping = 0;
        } else if (a->press_beside) {
            app_cue_tap(a, NULL);
        }
        a->press_beside = 0;
        return;
    }
    }
}

void app_sdl_event(app *a, const SDL_Event *ev, int64_t now_ms)
{
    ui_pointer p;
    if (input_translate(&a->input, ev, a->m.w, a->m.h, now_ms, &p)) {
        app_pointer(a, p, now_ms);
        return;
    }
    if (ev->type == SDL_WINDOWEVENT && (ev->window.event == SDL_WINDOWEVENT_EXPOSED ||
                                        ev->window.event == SDL_WINDOWEVENT_RESTORED ||
                                        ev->window.event == SDL_WINDOWEVENT_SHOWN))
        a->dirty = 1; /* the same frame again: one drawn ahead still serves */
    /* Keys, quit requests and window closing are deliberately ignored: only
     * staff (hotspot + PIN) or SIGTERM end the kiosk. */
}

void app_health_tick(app *a)
{
    if (!a->store || a->now < a->next_health_log)
        return;
    a->next_health_log = a->now + 3600 * 1000;
    health h;
    mp_err err;
    int64_t utc = a->utc_now();
    if (health_read(a->store, a->cfg, utc, clock_utc_offset(utc), &h, &err) < 0) {
        log_warn("health: cannot be read: %s", err.msg);
        return;
    }
    char line[4096];
    health_log_line(&h, a->cfg, MINPING_VERSION, line, sizeof line);
    health_free(&h);
    if (h.clock != HEALTH_CLOCK_OK)
        log_warn("%s", line);
    else
        log_info("%s", line);
}

void app_tick(app *a, int64_t now_ms)
{
    a->now = now_ms;
    app_health_tick(a);
    if (a->hold_deadline && now_ms >= a->hold_deadline) {
        a->hold_deadline = 0;
        a->swallow_release = 1;
        log_info("staff hotspot held: PIN pad opened");
        app_go(a, &screen_pin);
        return;
    }
    int idle = now_ms - a->last_input >= (int64_t)a->cfg->idle_seconds * 1000;
    if (a->screen->idle_return && a->screen != app_first_screen(a) && idle) {
        go_first(a);
        app_set_large(a, 0);
        return;
    }
    /* 大字 lasts until the kiosk is left alone, wherever it is. */
    if (a->large && idle && a->screen->idle_return)
        app_set_large(a, 0);
    /* Outside the open hours, the first screen left alone goes dark. */
    if (idle && a->screen == app_first_screen(a) && !app_is_open(a)) {
        log_info("outside open hours: sleeping");
        app_go(a, &screen_sleep);
        return;
    }
    if (a->screen->tick)
        a->screen->tick(a);
}

int app_wait_ms(const app *a, int64_t now_ms)
{
    if (a->screen == &screen_sleep)
        return sleep_wait_ms(a, now_ms); /* nothing but the clock to wait for */
    int64_t next = now_ms + 500; /* also bounds how late SIGTERM is noticed */
    if (a->hold_deadline && a->hold_deadline < next)
        next = a->hold_deadline;
    if (a->wake_at && a->wake_at < next)
        next = a->wake_at;
    if (a->screen->idle_return && (a->screen != app_first_screen(a) || a->large)) {
        int64_t idle = a->last_input + (int64_t)a->cfg->idle_seconds * 1000;
        if (idle < next)
            next = idle;
    }
    int64_t d = next - now_ms;
    return d < 0 ? 0 : (int)d;
}

void app_set_large(app *a, int on)
{
    on = !!on;
    if (on == a->large)
        return;
    a->large = on;
    a->pal = on ? &THEME_LARGE : &THEME_NORMAL;
    a->m = layout_metrics_text(a->m.w, a->m.h, on ? THEME_LARGE_TEXT_PERCENT : 100);
    /* The cached text and shapes are of the other palette and sizes. */
    app_drop_caches(a);
    app_relayout(a);
    log_info("text mode: %s", on ? "large" : "normal");
}

void app_drop_caches(app *a)
{
    draw_flush(a->draw);
    text_flush(a->text);
}

void app_resize(app *a, int w, int h)
{
    if (w == a->m.w && h == a->m.h)
        return;
    a->m = layout_metrics_text(w, h, a->large ? THEME_LARGE_TEXT_PERCENT : 100);
    app_drop_caches(a);
    app_relayout(a); /* a press held stays on its button */
}

int app_render(app *a)
{
    if (!a->dirty)
        return 0;
    if (!a->drawn_ahead)
        draw_frame(a);
    SDL_RenderPresent(a->ren);
    if (a->cue_pending) {
        a->cue_pending = 0;
        app_cue_shown(a);
    }
    a->dirty = 0;
    a->drawn_ahead = 0;
    if (a->dump_pending && a->dump_path) {
        mp_err err;
        if (dump_write(a->dump_path, a->screen->name, a->large ? "large" : "normal",
                       ++a->dump_serial, a->m.w, a->m.h,
                       a->frame.el, a->frame.n_el, &err) < 0)
            log_warn("ui-dump: %s", err.msg);
    }
    a->dump_pending = 0;
    if (a->screen->presented && !a->warmed) {
        a->warmed = 1;
        a->screen->presented(a);
    }
    return 1;
}

int app_screenshot(app *a, const char *bmp_path, mp_err *err)
{
    draw_frame(a);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, a->m.w, a->m.h, 32,
                                                    SDL_PIXELFORMAT_ARGB8888);
    if (!s)
        return mp_fail(err, "screenshot: %s", SDL_GetError());
    int rc = SDL_RenderReadPixels(a->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch);
    if (rc == 0)
        rc = SDL_SaveBMP(s, bmp_path);
    SDL_FreeSurface(s);
    app_redraw(a);
    if (rc != 0)
        return mp_fail(err, "screenshot %s: %s", bmp_path, SDL_GetError());
    return 0;
}

int app_quit_requested(const app *a)
{
    return a->quit;
}

const char *app_screen_name(const app *a)
{
    return a->screen->name;
}

size_t app_cached_bytes(const app *a)
{
    return draw_cached_bytes(a->draw) + text_cached_bytes(a->text);
}

unsigned app_cache_misses(const app *a)
{
    return draw_cache_misses(a->draw) + text_cache_misses(a->text);
}

int app_element(const app *a, const char *id, ui_rect *out)
{
    int i = find_id(a, id);
    if (i < 0)
        return 0;
    *out = a->frame.el[i].r;
    return 1;
}

const ui_element *app_elements(const app *a, int *n)
{
    *n = a->frame.n_el;
    return a->frame.el;
}

store *app_store(app *a)
{
    return a->store;
}

void app_draw_header(const app *a, const ui_frame *f, const char *title, const char *subtitle)
{
    const layout_metrics *m = &a->m;
    draw_rect(a->draw, (ui_rect){0, 0, m->w, m->header_h}, a->pal->header);
    /* Leave the hotspot corner and a matching right margin free. */
    int side = f->header_side;
    ui_rect box = {side, 0, m->w - 2 * side, m->header_h};
    if (subtitle) {
        ui_rect top = {box.x, box.y + m->header_h / 10, box.w, m->header_h * 5 / 10};
        ui_rect bot = {box.x, top.y + top.h, box.w, m->header_h * 3 / 10};
        text_box(a->text, a->ren, title, top, m->min_px, m->title_px, 1, a->pal->header_text, a->pal->header,
                 TEXT_CENTER);
        text_box(a->text, a->ren, subtitle, bot, m->min_px, m->small_px, 1, a->pal->header_subtext, a->pal->header,
                 TEXT_CENTER);
    } else {
        text_box(a->text, a->ren, title, ui_rect_inset(box, m->header_h / 8), m->min_px,
                 m->title_px, 1, a->pal->header_text, a->pal->header, TEXT_CENTER);
    }
    int t = app_find_tag(f, TAG_MODE_LARGE);
    if (t >= 0) {
        /* A pill inside its touch area, which is the band's full height. */
        const ui_element *e = &f->el[t];
        ui_rect r = ui_rect_inset(e->r, m->header_h / 8);
        uint32_t fill = f->pressed == t ? draw_mix(a->pal->toggle, 0x000000, THEME_PRESSED_MIX)
                                        : a->pal->toggle;
        draw_rrect(a->draw, r, r.h / 2, fill, 255);
        text_box(a->text, a->ren, e->label, ui_rect_inset(r, r.h / 6), m->min_px, m->title_px, 1,
                 a->pal->toggle_text, fill, TEXT_CENTER);
    }
}

void app_draw_button(const app *a, const ui_frame *f, int i, uint32_t fill, uint32_t ink,
                     int max_px)
{
    const ui_element *e = &f->el[i];
    int pressed = f->pressed == i;
    if (!pressed && e->enabled) /* a disabled or pressed card lies flat */
        draw_shadow(a->draw, e->r, a->m.radius, a->pal->bg);
    /* Every card is opaque (a disabled one is its colour faded into the
     * background, a pressed one darkened), so its label is drawn onto a
     * known colour: a plain copy rather than a blend. */
    uint32_t bg = fill;
    if (!e->enabled)
        bg = draw_mix(a->pal->bg, fill, THEME_DISABLED_MIX);
    else if (pressed)
        bg = fill == a->pal->card ? a->pal->card_pressed : draw_mix(fill, 0x000000, THEME_PRESSED_MIX);
    draw_rrect(a->draw, e->r, a->m.radius, bg, 255);
    int dx = a->m.radius > 6 ? a->m.radius : 6, dy = a->m.radius / 2 > 4 ? a->m.radius / 2 : 4;
    ui_rect box = {e->r.x + dx, e->r.y + dy, e->r.w - 2 * dx, e->r.h - 2 * dy};
    text_box(a->text, a->ren, e->label, box, a->m.min_px, max_px, 2,
             e->enabled ? ink : a->pal->text_soft, bg, TEXT_CENTER);
}

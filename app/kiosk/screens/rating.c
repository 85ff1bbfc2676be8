/* screens/rating.c - "rating": four large buttons, 非常满意 to 不满意, green to
 * red, each with a face.  A tap stores the vote durably, then thanks: the
 * vote is committed on a worker thread (votejob.h) while the thank-you frame
 * is drawn, and that frame is presented only once the commit has returned. */
#include "app_int.h"
#include "clock.h"
#include "log.h"
#include "theme.h"

#include <stdio.h>
#include <string.h>

static void enter(app *a)
{
    /* The thank-you's QR code depends only on the unit: encode it now, not
     * between the tap and the thanks (with {token}, a stand-in of its size:
     * app_vote_qr). */
    app_prepare_qr(a);
}

static void layout(const app *a, ui_frame *f)
{
    const layout_metrics *m = &a->m;
    if (a->cfg->n_units > 1) {
        int bh = m->header_h * 62 / 100;
        int bw = bh * 5 / 2;
        ui_rect r = {m->w - m->pad - bw, (m->header_h - bh) / 2, bw, bh};
        app_add(f, TAG_BACK, 0, "back", "‹ 重选单位", r, 1);
        if (bw + 2 * m->pad > f->header_side)
            f->header_side = bw + 2 * m->pad;
    }
    int top = m->header_h + m->pad;
    ui_rect area = {m->pad, top, m->w - 2 * m->pad, m->h - top - m->pad};
    for (int i = 0; i < RATING_COUNT; i++) {
        ui_rect r;
        if (!m->portrait) {
            int bw = (area.w - (RATING_COUNT - 1) * m->gap) / RATING_COUNT;
            int bh = area.h;
            if (bh > bw * 8 / 5)
                bh = bw * 8 / 5;
            r = (ui_rect){area.x + i * (bw + m->gap), area.y + (area.h - bh) / 2, bw, bh};
        } else {
            int bh = (area.h - (RATING_COUNT - 1) * m->gap) / RATING_COUNT;
            int bw = area.w;
            if (bh > bw * 2 / 5)
                bh = bw * 2 / 5;
            int total = RATING_COUNT * bh + (RATING_COUNT - 1) * m->gap;
            r = (ui_rect){area.x, area.y + (area.h - total) / 2 + i * (bh + m->gap), bw, bh};
        }
        app_add(f, TAG_RATE, i, RATINGS[i].id, RATINGS[i].label, r, 1);
    }
}

static void vote(app *a, const rating *rt)
{
    const config_unit *u = &a->cfg->units[a->unit];
    if (!a->store && app_open_store(a) < 0) {
        app_go(a, &screen_error);
        return;
    }
    int flagged = vote_burst_check(a->burst, a->now);
    int64_t utc = clock_utc_now();
    vote_job job = {.store = a->store, .unit_code = u->code, .unit_name = u->name,
                    .points = rt->points, .flagged = flagged, .cast_utc = utc,
                    .utc_offset = clock_utc_offset(utc)};
    vote_job_start(&a->worker, &job);
    /* While the disk syncs: the thank-you frame, drawn but not shown. */
    a->last_points = rt->points;
    app_go(a, &screen_thanks);
    app_draw_ahead(a);
    store_vote v;
    mp_err err;
    if (vote_job_finish(&a->worker, &job, &v, &err) < 0) {
        /* Not stored: no thank-you (the frame drawn is never presented).
         * The error screen probes until storage works again. */
        log_error("unit %s: %s", u->code, err.msg);
        snprintf(a->status, sizeof a->status, "%s", err.msg);
        app_go(a, &screen_error);
        return;
    }
    vote_burst_record(a->burst, a->now);
    a->thanks.vote_seq = v.seq; /* the vote its reason buttons follow up */
    log_info("vote stored: seq=%lld unit=%s points=%d%s", (long long)v.seq, u->code, rt->points,
             flagged ? " flagged=1 (burst: suspected ballot stuffing)" : "");
    /* With {token}: the code naming this vote, only now that it is stored. */
    app_vote_qr(a, &v);
}

/* Once the rating screen is shown: the thank-you frame for each rating is
 * laid out into a scratch frame and drawn unseen (app_warm), so the shapes and
 * text it shows (the face, the rating with the unit's name) are cached when
 * the vote comes, and the thank-you costs no rendering of text.  Without it
 * the first vote for each rating of a unit took 8-17 ms instead of 2.  The
 * shown frame and a press held on it are not touched; a tap that leaves the
 * screen meanwhile (app_set_warm_hook) ends the warm-up. */
static void presented(app *a)
{
    app_prepare_qr(a);
    for (int i = 0; i < RATING_COUNT && a->screen == &screen_rating; i++) {
        thanks_state t;
        thanks_state_init(a, &t, RATINGS[i].points);
        app_warm(a, &screen_thanks, &t);
    }
}

static void activate(app *a, const ui_element *e)
{
    if (e->tag == TAG_BACK)
        app_go(a, &screen_units);
    else if (e->tag == TAG_RATE && e->arg >= 0 && e->arg < RATING_COUNT)
        vote(a, &RATINGS[e->arg]);
}

static void draw_rating(const app *a, const ui_frame *f, int idx)
{
    const ui_element *e = &f->el[idx];
    const layout_metrics *m = &a->m;
    int i = e->arg;
    int pressed = f->pressed == idx;
    if (!pressed)
        draw_shadow(a->draw, e->r, m->radius, a->pal->bg);
    ui_rect r = e->r;
    if (pressed) /* sink a little */
        r = ui_rect_inset(r, m->s / 150 + 1);
    uint32_t fill = pressed ? a->pal->rating_dark[i] : a->pal->rating[i];
    draw_rrect(a->draw, r, m->radius, fill, 255);
    ui_rect face, label;
    if (!m->portrait) {
        int side = r.w * 62 / 100;
        if (side > r.h * 55 / 100)
            side = r.h * 55 / 100;
        int label_h = r.h * 22 / 100;
        int block = side + label_h;
        int y0 = r.y + (r.h - block) / 2;
        face = (ui_rect){r.x + (r.w - side) / 2, y0, side, side};
        label = (ui_rect){r.x + r.w / 16, y0 + side, r.w - r.w / 8, label_h};
    } else {
        int side = r.h * 74 / 100;
        face = (ui_rect){r.x + r.h * 13 / 100 + m->pad / 2, r.y + (r.h - side) / 2, side, side};
        int lx = face.x + side + m->pad;
        label = (ui_rect){lx, r.y + r.h / 6, r.x + r.w - lx - m->pad, r.h * 2 / 3};
    }
    draw_face(a->draw, face, RATINGS[i].points, a->pal->on_colour, a->pal->rating_dark[i], fill);
    text_box(a->text, a->ren, e->label, label, m->min_px, (int)(m->s * THEME_RATE_LABEL_PX), 1, a->pal->on_colour, fill,
             m->portrait ? TEXT_LEFT : TEXT_CENTER);
}

static void draw(const app *a, const ui_frame *f)
{
    const config_unit *u = &a->cfg->units[a->unit];
    app_draw_header(a, f, u->name, "请您对本单位的服务作出评价，点击一项即可");
    for (int idx = 0; idx < f->n_el; idx++) {
        const ui_element *e = &f->el[idx];
        if (e->tag == TAG_BACK) {
            int pressed = f->pressed == idx;
            /* White glass over the header band, as one opaque colour. */
            uint32_t pill = draw_mix(a->pal->header, a->pal->on_colour, pressed ? THEME_GLASS_PRESSED_MIX : THEME_GLASS_MIX);
            draw_rrect(a->draw, e->r, e->r.h / 2, pill, 255);
            ui_rect box = {e->r.x + a->m.radius, e->r.y + e->r.h / 6, e->r.w - 2 * a->m.radius,
                           e->r.h - e->r.h / 3};
            text_box(a->text, a->ren, e->label, box, a->m.min_px,
                     a->m.body_px, 1, a->pal->on_colour, pill, TEXT_CENTER);
            continue;
        }
        if (e->tag == TAG_RATE)
            draw_rating(a, f, idx);
    }
}

const screen_class screen_rating = {
    .name = "rating", .enter = enter, .layout = layout, .activate = activate,
    .draw = draw, .presented = presented, .hotspot = 1, .idle_return = 1,
};

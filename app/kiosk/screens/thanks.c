/* screens/thanks.c - "thanks": shown only after the vote is durably stored.
 * A thank-you, the rating given, the survey QR code with an invitation to
 * scan it, and a countdown back to the first screen; after 一般 or 不满意,
 * the reason buttons (screens/reasons.c).  thanks.done does nothing during
 * cooldown_seconds; after it, it returns at once. */
#include "app_int.h"
#include "log.h"
#include "theme.h"

#include <stddef.h>
#include <stdio.h>

void thanks_state_init(const app *a, thanks_state *t, int points)
{
    t->points = points;
    t->since = a->now;
    t->shown_secs = a->cfg->thanks_seconds;
    t->extra_ms = 0;
    t->vote_seq = 0;
    t->reason = REASON_OPEN;
    t->chosen = -1;
}

static int elapsed_s(const app *a, const thanks_state *t)
{
    return (int)((a->now - t->since) / 1000);
}

static int done_enabled(const app *a, const thanks_state *t)
{
    return elapsed_s(a, t) >= a->cfg->cooldown_seconds;
}

static void enter(app *a)
{
    app_prepare_qr(a); /* normally done already, when the unit was chosen */
    thanks_state_init(a, &a->thanks, a->last_points);
    a->wake_at = a->thanks.since + 1000;
}

/* The QR side (quiet zone included) in whole modules of at least S/3. */
static int qr_side(const app *a, int *module)
{
    int cells = a->qr->width + 2 * QR_QUIET_MODULES;
    int need = (int)(a->m.s * THEME_QR_MIN + 0.999);
    *module = (need + cells - 1) / cells;
    return *module * cells;
}

static void layout(const app *a, ui_frame *f)
{
    const thanks_state *st = f->state;
    const layout_metrics *m = &a->m;
    int top = m->header_h + m->pad;
    ui_rect body = {m->pad, top, m->w - 2 * m->pad, m->h - top - m->pad};
    ui_rect text_col = body, qr_card = {0, 0, 0, 0};
    int bh = (int)(m->s * THEME_BUTTON), bw = (int)(m->s * 0.5);
    int offered = reasons_offered(a, st);
    ui_rect done_r = {0, 0, 0, 0};
    int done_placed = 0;
    if (a->qr) {
        int module, side = qr_side(a, &module);
        int cap_h = m->body_px * 2 + m->pad;
        int card_w = side + 2 * m->pad, card_h = side + cap_h + 2 * m->pad;
        if (!m->portrait && offered) {
            /* The reasons take the text column's foot: the done button goes
             * under the code. */
            int dw = card_w < bw ? card_w : bw;
            int y0 = body.y + (body.h - card_h - m->gap - bh) / 2;
            qr_card = (ui_rect){body.x + body.w - card_w, y0, card_w, card_h};
            done_r = (ui_rect){qr_card.x + (card_w - dw) / 2, y0 + card_h + m->gap, dw, bh};
            done_placed = 1;
            text_col.w = body.w - card_w - m->pad;
        } else if (!m->portrait) {
            qr_card = (ui_rect){body.x + body.w - card_w, body.y + (body.h - card_h) / 2, card_w,
                                card_h};
            text_col.w = body.w - card_w - m->pad;
        } else {
            qr_card = (ui_rect){body.x + (body.w - card_w) / 2, body.y + body.h - card_h, card_w,
                                card_h};
            text_col.h = body.h - card_h - m->pad;
        }
        app_add(f, TAG_QR, 0, "qr", a->qr_url,
                (ui_rect){qr_card.x + (card_w - side) / 2, qr_card.y + m->pad, side, side}, 0);
        app_add(f, TAG_QR_CARD, 0, "qr.card", "手机扫一扫，参加网上问卷调查", qr_card, 0);
    }
    /* The done button sits at the bottom of the text column (unless it went
     * under the code). */
    if (bw > text_col.w)
        bw = text_col.w;
    if (!done_placed) {
        done_r = (ui_rect){text_col.x + (text_col.w - bw) / 2, text_col.y + text_col.h - bh, bw, bh};
        text_col.h -= bh + m->gap;
    }
    ui_element *done = app_add(f, TAG_THANKS_DONE, 0, "thanks.done", "返回首页", done_r, 1);
    done->enabled = done_enabled(a, st);
    int rows = reasons_rows(a, st, text_col.w, text_col.h);
    if (rows > 0) {
        /* From the foot up: the buttons, then the line about them. */
        int band_h = rows * bh + (rows - 1) * m->gap;
        int note_h = m->body_px * 3 / 2;
        ui_rect band = {text_col.x, text_col.y + text_col.h - band_h, text_col.w, band_h};
        ui_rect note = {text_col.x, band.y - m->gap / 2 - note_h, text_col.w, note_h};
        reasons_layout(a, st, band, rows, note, f);
        text_col.h = note.y - m->gap / 2 - text_col.y;
    }
    app_add(f, TAG_THANKS_TEXT, 0, "thanks.text", "谢谢您的评价！", text_col, 0);
}

static void activate(app *a, const ui_element *e)
{
    /* thanks.done is disabled (and so never activated) during cooldown. */
    if (e->tag == TAG_THANKS_DONE)
        app_go(a, app_first_screen(a));
    else if (e->tag == TAG_REASON)
        reasons_tap(a, e->arg);
}

static void tick(app *a)
{
    thanks_state *st = &a->thanks;
    int el = elapsed_s(a, st);
    int left = a->cfg->thanks_seconds - el + (int)((st->extra_ms + 999) / 1000);
    if (left <= 0) {
        /* The citizen has gone: the next one starts in the normal mode. */
        app_set_large(a, 0);
        app_go(a, app_first_screen(a));
        return;
    }
    int i = app_find_tag(&a->frame, TAG_THANKS_DONE);
    if (i >= 0 && a->frame.el[i].enabled != done_enabled(a, st))
        app_relayout(a);
    if (left != st->shown_secs) {
        st->shown_secs = left;
        app_redraw(a);
    }
    a->wake_at = st->since + (int64_t)(el + 1) * 1000;
}

static void draw(const app *a, const ui_frame *f)
{
    const thanks_state *st = f->state;
    const layout_metrics *m = &a->m;
    app_draw_header(a, f, "评价已提交", NULL);
    int ti = app_find_tag(f, TAG_THANKS_TEXT);
    int ci = app_find_tag(f, TAG_QR_CARD);
    int qi = app_find_tag(f, TAG_QR);
    if (ti >= 0) {
        ui_rect r = f->el[ti].r;
        int ri = 0;
        for (int i = 0; i < RATING_COUNT; i++)
            if (RATINGS[i].points == st->points)
                ri = i;
        /* Face, thank-you, what was chosen, countdown: stacked, centred. */
        int face = r.h * 30 / 100;
        if (face > r.w / 3)
            face = r.w / 3;
        int title_h = r.h * 24 / 100, line_h = r.h * 14 / 100;
        int block = face + title_h + 2 * line_h;
        int y = r.y + (r.h - block) / 2;
        draw_face(a->draw, (ui_rect){r.x + (r.w - face) / 2, y, face, face}, RATINGS[ri].points,
                  a->pal->rating[ri], a->pal->on_colour, a->pal->bg);
        y += face;
        text_box(a->text, a->ren, "谢谢您的评价！", (ui_rect){r.x, y, r.w, title_h}, m->min_px,
                 (int)(m->s * THEME_THANKS_PX), 1, a->pal->text, a->pal->bg, TEXT_CENTER);
        y += title_h;
        char line[160];
        snprintf(line, sizeof line, "您的评价：%s · %s", RATINGS[ri].label,
                 a->cfg->units[a->unit].name);
        text_box(a->text, a->ren, line, (ui_rect){r.x, y, r.w, line_h}, m->min_px, m->body_px, 1,
                 a->pal->rating_ink[ri], a->pal->bg, TEXT_CENTER);
        y += line_h;
        snprintf(line, sizeof line, "%d 秒后自动返回首页", st->shown_secs);
        text_box(a->text, a->ren, line, (ui_rect){r.x, y, r.w, line_h}, m->min_px, m->small_px,
                 1, a->pal->text_soft, a->pal->bg, TEXT_CENTER);
    }
    if (ci >= 0 && qi >= 0 && a->qr) {
        ui_rect c = f->el[ci].r, q = f->el[qi].r;
        draw_shadow(a->draw, c, m->radius, a->pal->bg);
        draw_rrect(a->draw, c, m->radius, a->pal->panel, 255);
        int module = q.w / (a->qr->width + 2 * QR_QUIET_MODULES);
        draw_qr(a->draw, a->qr, q.x, q.y, module);
        ui_rect cap = {c.x + m->pad / 2, q.y + q.h, c.w - m->pad, c.y + c.h - q.y - q.h - m->pad / 2};
        ui_rect l1 = {cap.x, cap.y, cap.w, cap.h / 2}, l2 = {cap.x, cap.y + cap.h / 2, cap.w, cap.h / 2};
        text_box(a->text, a->ren, "手机扫一扫", l1, m->min_px, m->body_px, 1, a->pal->text, a->pal->panel, TEXT_CENTER);
        text_box(a->text, a->ren, "参加网上问卷调查", l2, m->min_px, m->body_px, 1, a->pal->text, a->pal->panel,
                 TEXT_CENTER);
    }
    int di = app_find_tag(f, TAG_THANKS_DONE);
    if (di >= 0)
        app_draw_button(a, f, di, a->pal->accent, a->pal->on_colour, m->body_px);
    reasons_draw(a, f);
}

const screen_class screen_thanks = {
    .name = "thanks", .enter = enter, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .state = offsetof(struct app, thanks), .hotspot = 0,
    .idle_return = 0,
};

/* screens/thanks.c - "thanks": shown only after the vote is durably stored.
 * A thank-you, the rating given, the survey QR code with an invitation to
 * scan it, and a countdown back to the first screen.  Taps do nothing during
 * cooldown_seconds; after it, thanks.done returns at once. */
#include "app_int.h"
#include "log.h"
#include "theme.h"

#include <stdio.h>
#include <string.h>

static int elapsed_s(const app *a)
{
    return (int)((a->now - a->screen_since) / 1000);
}

static void enter(app *a)
{
    app_prepare_qr(a); /* normally done already, when the unit was chosen */
    a->shown_secs = a->cfg->thanks_seconds;
    a->wake_at = a->screen_since + 1000;
}

/* The QR side (quiet zone included) in whole modules of at least S/3. */
static int qr_side(const app *a, int *module)
{
    int cells = a->qr->width + 2 * QR_QUIET_MODULES;
    int need = (int)(a->m.s * THEME_QR_MIN + 0.999);
    *module = (need + cells - 1) / cells;
    return *module * cells;
}

static void layout(app *a)
{
    const layout_metrics *m = &a->m;
    int top = m->header_h + m->pad;
    ui_rect body = {m->pad, top, m->w - 2 * m->pad, m->h - top - m->pad};
    ui_rect text_col = body, qr_card = {0, 0, 0, 0};
    if (a->qr) {
        int module, side = qr_side(a, &module);
        int cap_h = m->body_px * 2 + m->pad;
        int card_w = side + 2 * m->pad, card_h = side + cap_h + 2 * m->pad;
        if (!m->portrait) {
            qr_card = (ui_rect){body.x + body.w - card_w, body.y + (body.h - card_h) / 2, card_w,
                                card_h};
            text_col.w = body.w - card_w - m->pad;
        } else {
            qr_card = (ui_rect){body.x + (body.w - card_w) / 2, body.y + body.h - card_h, card_w,
                                card_h};
            text_col.h = body.h - card_h - m->pad;
        }
        app_add(a, "qr", a->qr_url,
                (ui_rect){qr_card.x + (card_w - side) / 2, qr_card.y + m->pad, side, side}, 0);
        app_add(a, "qr.card", "手机扫一扫，参加网上问卷调查", qr_card, 0);
    }
    /* The done button sits at the bottom of the text column. */
    int bh = (int)(m->s * THEME_BUTTON), bw = (int)(m->s * 0.5);
    if (bw > text_col.w)
        bw = text_col.w;
    ui_element *done = app_add(a, "thanks.done", "返回首页",
                               (ui_rect){text_col.x + (text_col.w - bw) / 2,
                                         text_col.y + text_col.h - bh, bw, bh}, 1);
    done->enabled = elapsed_s(a) >= a->cfg->cooldown_seconds;
    app_add(a, "thanks.text", "谢谢您的评价！",
            (ui_rect){text_col.x, text_col.y, text_col.w, text_col.h - bh - m->gap}, 0);
}

static void activate(app *a, const ui_element *e)
{
    /* thanks.done is disabled (and so never activated) during cooldown. */
    if (strcmp(e->id, "thanks.done") == 0)
        app_go(a, app_first_screen(a));
}

static void tick(app *a)
{
    int el = elapsed_s(a);
    int left = a->cfg->thanks_seconds - el;
    if (left <= 0) {
        app_go(a, app_first_screen(a));
        return;
    }
    int i = app_find(a, "thanks.done");
    int enabled = el >= a->cfg->cooldown_seconds;
    if (i >= 0 && a->el[i].enabled != enabled)
        app_relayout(a);
    if (left != a->shown_secs) {
        a->shown_secs = left;
        app_redraw(a);
    }
    a->wake_at = a->screen_since + (int64_t)(el + 1) * 1000;
}

static void draw(app *a)
{
    const layout_metrics *m = &a->m;
    app_draw_header(a, "评价已提交", NULL);
    int ti = app_find(a, "thanks.text");
    int ci = app_find(a, "qr.card");
    int qi = app_find(a, "qr");
    if (ti >= 0) {
        ui_rect r = a->el[ti].r;
        int ri = 0;
        for (int i = 0; i < RATING_COUNT; i++)
            if (RATINGS[i].points == a->last_points)
                ri = i;
        /* Face, thank-you, what was chosen, countdown: stacked, centred. */
        int face = r.h * 30 / 100;
        if (face > r.w / 3)
            face = r.w / 3;
        int title_h = r.h * 24 / 100, line_h = r.h * 14 / 100;
        int block = face + title_h + 2 * line_h;
        int y = r.y + (r.h - block) / 2;
        draw_face(a->draw, (ui_rect){r.x + (r.w - face) / 2, y, face, face}, RATINGS[ri].points,
                  THEME_RATING[ri], THEME_ON_COLOUR, THEME_BG);
        y += face;
        text_box(a->text, a->ren, "谢谢您的评价！", (ui_rect){r.x, y, r.w, title_h}, m->min_px,
                 (int)(m->s * THEME_THANKS_PX), 1, THEME_TEXT, THEME_BG, TEXT_CENTER);
        y += title_h;
        char line[160];
        snprintf(line, sizeof line, "您的评价：%s · %s", RATINGS[ri].label,
                 a->cfg->units[a->unit].name);
        text_box(a->text, a->ren, line, (ui_rect){r.x, y, r.w, line_h}, m->min_px, m->body_px, 1,
                 THEME_RATING_DARK[ri], THEME_BG, TEXT_CENTER);
        y += line_h;
        snprintf(line, sizeof line, "%d 秒后自动返回首页", a->shown_secs);
        text_box(a->text, a->ren, line, (ui_rect){r.x, y, r.w, line_h}, m->min_px, m->small_px,
                 1, THEME_TEXT_SOFT, THEME_BG, TEXT_CENTER);
    }
    if (ci >= 0 && qi >= 0 && a->qr) {
        ui_rect c = a->el[ci].r, q = a->el[qi].r;
        draw_shadow(a->draw, c, m->radius, THEME_BG);
        draw_rrect(a->draw, c, m->radius, THEME_PANEL, 255);
        int module = q.w / (a->qr->width + 2 * QR_QUIET_MODULES);
        draw_qr(a->draw, a->qr, q.x, q.y, module);
        ui_rect cap = {c.x + m->pad / 2, q.y + q.h, c.w - m->pad, c.y + c.h - q.y - q.h - m->pad / 2};
        ui_rect l1 = {cap.x, cap.y, cap.w, cap.h / 2}, l2 = {cap.x, cap.y + cap.h / 2, cap.w, cap.h / 2};
        text_box(a->text, a->ren, "手机扫一扫", l1, m->min_px, m->body_px, 1, THEME_TEXT, THEME_PANEL, TEXT_CENTER);
        text_box(a->text, a->ren, "参加网上问卷调查", l2, m->min_px, m->body_px, 1, THEME_TEXT, THEME_PANEL,
                 TEXT_CENTER);
    }
    int di = app_find(a, "thanks.done");
    if (di >= 0)
        app_draw_button(a, di, THEME_ACCENT, THEME_ON_COLOUR, m->body_px);
}

const screen_class screen_thanks = {
    .name = "thanks", .enter = enter, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .hotspot = 0, .idle_return = 0,
};

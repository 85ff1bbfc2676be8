/* screens/error.c - "error": out of service.  Shown instead of a thank-you
 * when a vote could not be stored (disk full, I/O error) or the database
 * cannot be opened.  It re-checks storage every few seconds and returns to
 * the first screen by itself once storage works again. */
#include "app_int.h"
#include "log.h"
#include "theme.h"

#include <stddef.h>
#include <stdio.h>

static void enter(app *a)
{
    a->error.next_probe = a->now + THEME_PROBE_MS;
    a->wake_at = a->error.next_probe;
}

static void layout(const app *a, ui_frame *f)
{
    (void)a;
    (void)f;
}

static void activate(app *a, const ui_element *e)
{
    (void)a;
    (void)e;
}

static void tick(app *a)
{
    if (a->now < a->error.next_probe) {
        a->wake_at = a->error.next_probe;
        return;
    }
    mp_err err;
    /* Reopen from scratch: after an I/O error the old handle may be stale. */
    store_close(a->store);
    a->store = NULL;
    if (app_open_store(a) == 0 && store_probe(a->store, &err) == 0) {
        log_info("storage works again: voting resumed");
        a->status[0] = '\0';
        app_go(a, app_first_screen(a));
        return;
    }
    if (a->store) {
        log_error("%s", err.msg);
        snprintf(a->status, sizeof a->status, "%s", err.msg);
    }
    a->error.next_probe = a->now + THEME_PROBE_MS;
    a->wake_at = a->error.next_probe;
}

static void draw(const app *a, const ui_frame *f)
{
    const layout_metrics *m = &a->m;
    app_draw_header(a, f, "暂停服务", NULL);
    int top = m->header_h + m->pad;
    ui_rect body = {m->pad, top, m->w - 2 * m->pad, m->h - top - m->pad};
    int icon = body.h * 30 / 100;
    int y = body.y + body.h / 10;
    ui_rect ir = {body.x + (body.w - icon) / 2, y, icon, icon};
    draw_rrect(a->draw, ir, icon / 2, a->pal->danger, 255);
    text_box(a->text, a->ren, "!", ui_rect_inset(ir, icon / 6), m->min_px, icon, 1, a->pal->on_colour, a->pal->danger,
             TEXT_CENTER);
    y += icon + m->pad;
    text_box(a->text, a->ren, "评价系统暂时无法保存评价", (ui_rect){body.x, y, body.w, body.h / 5},
             m->min_px, m->title_px, 1, a->pal->text, a->pal->bg, TEXT_CENTER);
    y += body.h / 5;
    text_box(a->text, a->ren, "请稍后再试，恢复后将自动继续服务。给您带来不便，敬请谅解。",
             (ui_rect){body.x, y, body.w, body.h / 5}, m->min_px, m->body_px, 2, a->pal->text_soft, a->pal->bg,
             TEXT_CENTER);
}

const screen_class screen_error = {
    .name = "error", .enter = enter, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .state = offsetof(struct app, error), .hotspot = 1, .idle_return = 0,
};

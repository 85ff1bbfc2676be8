/* screens/units.c - "units": the citizen picks the unit they dealt with.
 * Shown only when the kiosk serves more than one unit; paged when the units
 * do not fit (elements page.prev / page.next). */
#include "app_int.h"
#include "theme.h"

#include <stddef.h>
#include <stdio.h>

static void enter(app *a)
{
    a->units.page = 0;
}

/* The area for the unit grid, and the paging bar below it when needed. */
static void areas(const app *a, int paged, ui_rect *grid, ui_rect *bar)
{
    const layout_metrics *m = &a->m;
    int bar_h = paged ? (int)(m->s * THEME_BUTTON) : 0;
    int top = m->header_h + m->pad;
    *grid = (ui_rect){m->pad, top, m->w - 2 * m->pad,
                      m->h - top - m->pad - (paged ? bar_h + m->gap : 0)};
    *bar = (ui_rect){m->pad, m->h - m->pad - bar_h, m->w - 2 * m->pad, bar_h};
}

static void fit(const app *a, int paged, layout_grid *g, ui_rect *grid, ui_rect *bar)
{
    areas(a, paged, grid, bar);
    layout_grid_fit(*grid, (int)a->cfg->n_units, (int)(a->m.s * THEME_UNIT_MIN_W),
                    (int)(a->m.s * THEME_UNIT_MIN_H), a->m.gap, g);
}

/* The grid and the page shown: the one asked for, or the last there is
 * (a larger window holds more units a page). */
static int grid_and_page(const app *a, const units_state *st, layout_grid *g, ui_rect *grid,
                         ui_rect *bar)
{
    fit(a, 0, g, grid, bar);
    if (g->pages > 1)
        fit(a, 1, g, grid, bar);
    return st->page < g->pages ? st->page : g->pages - 1;
}

static void layout(const app *a, ui_frame *f)
{
    layout_grid g;
    ui_rect grid, bar;
    int page = grid_and_page(a, f->state, &g, &grid, &bar);
    int first = page * g.per_page;
    for (int i = 0; i < g.per_page && first + i < (int)a->cfg->n_units; i++) {
        const config_unit *u = &a->cfg->units[first + i];
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "unit.%s", u->code);
        app_add(f, TAG_UNIT, first + i, id, u->name, layout_grid_cell(&g, grid, a->m.gap, i), 1);
    }
    if (g.pages > 1) {
        int bw = bar.w / 3 < (int)(a->m.s * 0.5) ? bar.w / 3 : (int)(a->m.s * 0.5);
        ui_element *prev = app_add(f, TAG_PAGE_PREV, 0, "page.prev", "‹ 上一页",
                                   (ui_rect){bar.x, bar.y, bw, bar.h}, 1);
        ui_element *next = app_add(f, TAG_PAGE_NEXT, 0, "page.next", "下一页 ›",
                                   (ui_rect){bar.x + bar.w - bw, bar.y, bw, bar.h}, 1);
        prev->enabled = page > 0;
        next->enabled = page < g.pages - 1;
        char label[64];
        snprintf(label, sizeof label, "第 %d / %d 页", page + 1, g.pages);
        app_add(f, TAG_PAGE_LABEL, 0, "page.label", label,
                (ui_rect){bar.x + bw, bar.y, bar.w - 2 * bw, bar.h}, 0);
    }
}

static void activate(app *a, const ui_element *e)
{
    layout_grid g;
    ui_rect grid, bar;
    switch (e->tag) {
    case TAG_PAGE_PREV:
    case TAG_PAGE_NEXT:
        /* Each is enabled only when there is such a page. */
        a->units.page = grid_and_page(a, &a->units, &g, &grid, &bar) +
                        (e->tag == TAG_PAGE_NEXT ? 1 : -1);
        app_relayout(a);
        return;
    case TAG_UNIT:
        if (e->arg >= 0 && (size_t)e->arg < a->cfg->n_units) {
            a->unit = e->arg;
            app_go(a, &screen_rating);
        }
        return;
    default:
        return;
    }
}

/* Back to the first page when left alone. */
static void tick(app *a)
{
    int64_t idle_at = a->last_input + (int64_t)a->cfg->idle_seconds * 1000;
    if (a->units.page == 0)
        return;
    if (a->now >= idle_at) {
        a->units.page = 0;
        app_relayout(a);
    } else {
        a->wake_at = idle_at;
    }
}

static void draw(const app *a, const ui_frame *f)
{
    app_draw_header(a, f, "请选择您要评价的单位", "点击单位名称后进行满意度评价 · 匿名评价");
    int unit_px = a->m.body_px * 5 / 4;
    for (int i = 0; i < f->n_el; i++) {
        const ui_element *e = &f->el[i];
        switch (e->tag) {
        case TAG_UNIT:
            app_draw_button(a, f, i, a->pal->card, a->pal->card_text, unit_px);
            break;
        case TAG_PAGE_PREV:
        case TAG_PAGE_NEXT:
            app_draw_button(a, f, i, a->pal->accent, a->pal->on_colour, a->m.body_px);
            break;
        case TAG_PAGE_LABEL:
            text_box(a->text, a->ren, e->label, e->r, a->m.min_px, a->m.body_px, 1,
                     a->pal->text_soft, a->pal->bg, TEXT_CENTER);
            break;
        default:
            break;
        }
    }
}

const screen_class screen_units = {
    .name = "units", .enter = enter, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .state = offsetof(struct app, units), .hotspot = 1,
    .idle_return = 1,
};

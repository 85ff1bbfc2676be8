/* screens/admin.c - "admin": after the right PIN.  Vote totals per unit and
 * rating (flagged votes counted apart), the kiosk's identity, any storage
 * problem, and (admin.notice, red) a damaged database set aside; close (admin.close) or quit the kiosk (admin.quit).  Votes cannot
 * be changed or removed from here or anywhere else. */
#include "app_int.h"
#include "clock.h"
#include "exporter.h"
#include "log.h"
#include "theme.h"

#include <stdio.h>
#include <string.h>

static void enter(app *a)
{
    a->admin_page = 0;
    a->admin_msg[0] = '\0';
    a->admin_msg_bad = 0;
}

/* Rows of the table that fit on one page. */
static int rows_per_page(ui_rect table, int row_h)
{
    int rows = table.h / row_h - 1; /* minus the heading row */
    return rows < 1 ? 1 : rows;
}

/* The table, the button bar, the row height, and (when a damaged database
 * was set aside) the notice above the table. */
static void geometry(const app *a, ui_rect *table, ui_rect *bar, int *row_h, ui_rect *notice)
{
    const layout_metrics *m = &a->m;
    int bh = (int)(m->s * THEME_BUTTON);
    int top = m->header_h + m->pad;
    *row_h = m->body_px * 17 / 10;
    if (*row_h < 28)
        *row_h = 28;
    *notice = (ui_rect){m->pad, top, m->w - 2 * m->pad, 0};
    if (a->damaged_note[0]) {
        notice->h = *row_h * 2;
        top += notice->h + m->gap / 2;
    }
    *bar = (ui_rect){m->pad, m->h - m->pad - bh, m->w - 2 * m->pad, bh};
    /* The export message line sits between the table and the bar. */
    int msg_h = *row_h * 3 / 2;
    *table = (ui_rect){m->pad, top, m->w - 2 * m->pad, bar->y - m->gap - msg_h - top};
}

static void layout(app *a)
{
    ui_rect table, bar, notice;
    int row_h;
    geometry(a, &table, &bar, &row_h, &notice);
    int per = rows_per_page(table, row_h);
    int pages = ((int)a->cfg->n_units + per - 1) / per;
    if (a->admin_page >= pages)
        a->admin_page = pages - 1;
    int n = pages > 1 ? 5 : 3;
    int bw = (bar.w - (n - 1) * a->m.gap) / n;
    if (bw > (int)(a->m.s * 0.55))
        bw = (int)(a->m.s * 0.55);
    int x = bar.x;
    app_add(a, "admin.close", "关闭", (ui_rect){x, bar.y, bw, bar.h}, 1);
    x += bw + a->m.gap;
    ui_element *ex = app_add(a, "admin.export", a->cfg->export_dir ? "导出" : "导出到U盘",
                             (ui_rect){x, bar.y, bw, bar.h}, 1);
    ex->enabled = a->store != NULL;
    x += bw + a->m.gap;
    if (pages > 1) {
        ui_element *p = app_add(a, "admin.prev", "上一页", (ui_rect){x, bar.y, bw, bar.h}, 1);
        p->enabled = a->admin_page > 0;
        x += bw + a->m.gap;
        ui_element *q = app_add(a, "admin.next", "下一页", (ui_rect){x, bar.y, bw, bar.h}, 1);
        q->enabled = a->admin_page < pages - 1;
    }
    app_add(a, "admin.quit", "退出程序", (ui_rect){bar.x + bar.w - bw, bar.y, bw, bar.h}, 1);
    app_add(a, "admin.table", "", table, 0);
    if (notice.h > 0) {
        char text[UI_LABEL_MAX];
        app_damaged_notice(a, text, sizeof text);
        app_add(a, "admin.notice", text, notice, 0);
    }
    app_add(a, "admin.message", a->admin_msg,
            (ui_rect){table.x, table.y + table.h, table.w, bar.y - table.y - table.h}, 0);
}

static void export_now(app *a)
{
    /* Show that work is under way before the (possibly long) write. */
    snprintf(a->admin_msg, sizeof a->admin_msg, "正在导出，请勿拔出U盘……");
    a->admin_msg_bad = 0;
    app_relayout(a);
    app_render(a);
    exporter_result res;
    mp_err err;
    int rc = exporter_run(a->cfg, a->store, NULL, clock_utc_now(), &res, &err);
    snprintf(a->admin_msg, sizeof a->admin_msg, "%s", res.zh);
    a->admin_msg_bad = rc < 0;
    if (rc < 0)
        log_error("staff export failed: %s", err.msg);
    app_relayout(a);
}

static void activate(app *a, const ui_element *e)
{
    if (strcmp(e->id, "admin.close") == 0) {
        log_info("admin screen closed");
        app_go(a, app_first_screen(a));
    } else if (strcmp(e->id, "admin.quit") == 0) {
        log_info("staff quit the kiosk from the admin screen");
        a->quit = 1;
    } else if (strcmp(e->id, "admin.export") == 0) {
        export_now(a);
    } else if (strcmp(e->id, "admin.prev") == 0 || strcmp(e->id, "admin.next") == 0) {
        a->admin_page += e->id[6] == 'n' ? 1 : -1;
        app_relayout(a);
    }
}

static void cell(app *a, int px, const char *s, int x, int y, int w, int h, uint32_t c,
                 uint32_t bg, text_align al)
{
    text_box(a->text, a->ren, s, (ui_rect){x, y, w, h}, a->m.min_px, px, 1, c, bg, al);
}

/* The largest size at which s fits w x h, capped at cap. */
static int fit_px(app *a, const char *s, int w, int h, int cap)
{
    text_layout lay;
    int px = text_fit(a->text, s, w, h, a->m.min_px, cap, 1, &lay);
    return px > 0 && px < cap ? px : px > 0 ? cap : a->m.min_px;
}

static void draw(app *a)
{
    const layout_metrics *m = &a->m;
    char sub[200];
    int64_t total = 0;
    mp_err err;
    if (a->store && store_vote_count(a->store, &total, &err) < 0)
        total = -1;
    if (a->store)
        snprintf(sub, sizeof sub, "终端 %s · 共 %lld 票 · 数据库 %.8s", a->cfg->id,
                 (long long)total, store_instance(a->store));
    else
        snprintf(sub, sizeof sub, "终端 %s · 存储不可用", a->cfg->id);
    app_draw_header(a, "管理", sub);

    ui_rect table, bar, notice;
    int row_h;
    geometry(a, &table, &bar, &row_h, &notice);
    int ni = app_find(a, "admin.notice");
    if (ni >= 0) /* a damaged database was set aside: staff must know */
        text_box(a->text, a->ren, a->el[ni].label, notice, m->min_px, m->body_px, 2, THEME_DANGER, THEME_BG,
                 TEXT_LEFT);
    if (a->status[0] && !a->store) {
        /* A storage problem takes the table's first rows. */
        cell(a, m->body_px, a->status, table.x, table.y, table.w, row_h, THEME_DANGER, THEME_BG,
             TEXT_LEFT);
        table.y += row_h;
        table.h -= row_h;
    }
    static const char *heads[] = {"单位", "非常满意", "基本满意", "一般", "不满意", "疑似刷票"};
    int name_w = table.w * 34 / 100, col_w = (table.w - name_w) / 5;
    draw_rrect(a->draw, table, m->radius, THEME_PANEL, 255);
    int table_px = a->m.body_px; /* one size for the whole table */
    for (int c = 1; c < 6; c++)
        table_px = fit_px(a, heads[c], col_w - m->pad / 2, row_h, table_px);
    for (size_t ui = 0; ui < a->cfg->n_units; ui++)
        table_px = fit_px(a, a->cfg->units[ui].name, name_w - m->pad / 2, row_h, table_px);
    int y = table.y;
    cell(a, table_px, heads[0], table.x + m->pad / 2, y, name_w - m->pad / 2, row_h, THEME_TEXT_SOFT,
         THEME_PANEL, TEXT_LEFT);
    for (int c = 1; c < 6; c++)
        cell(a, table_px, heads[c], table.x + name_w + (c - 1) * col_w, y, col_w - m->pad / 2, row_h,
             THEME_TEXT_SOFT, THEME_PANEL, TEXT_RIGHT);
    y += row_h;
    int per = rows_per_page(table, row_h);
    for (int r = 0; r < per; r++) {
        size_t ui = (size_t)(a->admin_page * per + r);
        if (ui >= a->cfg->n_units)
            break;
        const config_unit *u = &a->cfg->units[ui];
        store_totals t = {0};
        if (a->store && store_unit_totals(a->store, u->code, &t, &err) < 0)
            log_error("admin totals: %s", err.msg);
        uint32_t row_bg = r % 2 == 0 ? THEME_ROW_STRIPE : THEME_PANEL;
        if (r % 2 == 0)
            draw_rect(a->draw, (ui_rect){table.x, y, table.w, row_h}, row_bg);
        cell(a, table_px, u->name, table.x + m->pad / 2, y, name_w - m->pad / 2, row_h, THEME_TEXT,
             row_bg, TEXT_LEFT);
        for (int c = 0; c < 5; c++) {
            char num[32];
            snprintf(num, sizeof num, "%lld", (long long)(c < 4 ? t.counts[c] : t.flagged));
            cell(a, table_px, num, table.x + name_w + c * col_w, y, col_w - m->pad / 2, row_h,
                 c == 4 && t.flagged ? THEME_DANGER : THEME_TEXT, row_bg, TEXT_RIGHT);
        }
        y += row_h;
    }
    int mi = app_find(a, "admin.message");
    if (mi >= 0 && a->admin_msg[0])
        text_box(a->text, a->ren, a->admin_msg, a->el[mi].r, m->min_px, m->body_px, 2,
                 a->admin_msg_bad ? THEME_DANGER : THEME_OK, THEME_BG, TEXT_LEFT);
    for (int i = 0; i < a->n_el; i++) {
        const ui_element *e = &a->el[i];
        if (!e->touch)
            continue;
        uint32_t fill = strcmp(e->id, "admin.quit") == 0    ? THEME_DANGER
                        : strcmp(e->id, "admin.close") == 0 ? THEME_ACCENT
                        : strcmp(e->id, "admin.export") == 0 ? THEME_OK
                                                             : THEME_CARD;
        app_draw_button(a, i, fill, fill == THEME_CARD ? THEME_TEXT : THEME_ON_COLOUR, m->body_px);
    }
}

const screen_class screen_admin = {
    .name = "admin", .enter = enter, .layout = layout, .activate = activate,
    .draw = draw, .hotspot = 0, .idle_return = 1,
};

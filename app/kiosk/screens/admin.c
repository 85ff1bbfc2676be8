/* screens/admin.c - "admin": after the right PIN.  Vote totals per unit and
 * rating (flagged votes counted apart), the kiosk's identity, any storage
 * problem, and (admin.notice, red) a damaged database set aside; close
 * (admin.close) or quit the kiosk (admin.quit).  Without export_dir, the
 * USB stick (admin.usb: its label and free space, as the USB worker finds
 * and mounts it while this screen shows); an export to it is followed by
 * its eject, and only once that is done does admin.message say
 * 可以拔出U盘 (the screen cannot be left meanwhile).  The totals are read once,
 * when the screen is entered (no votes are cast while it shows).  Votes
 * cannot be changed or removed from here or anywhere else. */
#include "app_int.h"
#include "clock.h"
#include "exporter.h"
#include "log.h"
#include "media.h"
#include "theme.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void load(app *a)
{
    admin_state *st = &a->admin;
    mp_err err;
    free(st->totals);
    st->totals = NULL;
    st->have_store = a->store != NULL;
    st->have_health = 0;
    st->total = -1;
    st->instance[0] = '\0';
    if (!a->store)
        return;
    if (store_vote_count(a->store, &st->total, &err) < 0) {
        log_error("admin totals: %s", err.msg);
        st->total = -1;
    }
    snprintf(st->instance, sizeof st->instance, "%.8s", store_instance(a->store));
    st->totals = calloc(a->cfg->n_units ? a->cfg->n_units : 1, sizeof *st->totals);
    if (!st->totals) {
        log_error("admin totals: out of memory");
        return;
    }
    for (size_t i = 0; i < a->cfg->n_units; i++)
        if (store_unit_totals(a->store, a->cfg->units[i].code, &st->totals[i], &err) < 0) {
            log_error("admin totals: %s", err.msg);
            st->totals[i] = (store_totals){0};
        }
    int64_t utc = a->utc_now();
    st->have_health = health_read(a->store, a->cfg, utc, clock_utc_offset(utc), &st->health,
                                  &err) == 0;
    if (!st->have_health)
        log_error("admin health: %s", err.msg);
}

/* "2026-12-05 06:30", local time. */
static void local_time(int64_t utc, char *buf, size_t n)
{
    time_t t = (time_t)utc;
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(buf, n, "%lld", (long long)utc);
}

void admin_health_text(const app *a, const health *h, char *buf, size_t n, int *bad)
{
    char when[40], clock_s[120], space[120];
    *bad = h->clock != HEALTH_CLOCK_OK;
    if (h->clock == HEALTH_CLOCK_OK) {
        snprintf(clock_s, sizeof clock_s, "时钟正常");
    } else {
        local_time(h->clock_ref_utc, when, sizeof when);
        snprintf(clock_s, sizeof clock_s, "时钟异常：早于%s %s，请校准时间",
                 h->clock == HEALTH_CLOCK_BEFORE_DB ? "数据库建立时间" : "最近一票的时间", when);
    }
    if (h->free_bytes < 0)
        snprintf(space, sizeof space, "剩余空间未知");
    else if (h->days_left < 0)
        snprintf(space, sizeof space, "剩余空间 %.1f GB（近 %d 天无投票）",
                 (double)h->free_bytes / 1e9, HEALTH_RATE_DAYS);
    else if (h->days_left > 36500)
        snprintf(space, sizeof space, "剩余空间 %.1f GB，可用 100 年以上",
                 (double)h->free_bytes / 1e9);
    else
        snprintf(space, sizeof space, "剩余空间 %.1f GB，约可用 %lld 天",
                 (double)h->free_bytes / 1e9, (long long)h->days_left);
    char export_s[120];
    if (h->last_export_utc) {
        local_time(h->last_export_utc, when, sizeof when);
        snprintf(export_s, sizeof export_s, "上次导出 %s，之后 %lld 票", when,
                 (long long)h->since_export);
    } else {
        snprintf(export_s, sizeof export_s, "从未导出（共 %lld 票未导出）",
                 (long long)h->since_export);
    }
    snprintf(buf, n, "%s · %s · %s\n今日 %lld 票 · 本月 %lld 票 · 共 %lld 票 · 数据库 %.8s · 版本 %s",
             export_s, space, clock_s, (long long)h->today, (long long)h->month,
             (long long)h->total, h->instance, MINPING_VERSION);
    (void)a;
}

/* Exports go to a USB stick the worker looks after. */
static int usb_mode(const app *a)
{
    return a->usb && !a->cfg->export_dir;
}

/* "1.2 GB" / "350 MB". */
static void bytes_text(int64_t n, char *buf, size_t len)
{
    if (n >= 1000000000)
        snprintf(buf, len, "%.1f GB", (double)n / 1e9);
    else
        snprintf(buf, len, "%lld MB", (long long)(n / 1000000));
}

/* admin.usb's text; *bad when the stick cannot be used. */
static void usb_text(const usb_status *u, char *buf, size_t len, int *bad)
{
    char fr[40], sz[40];
    *bad = 0;
    switch (u->state) {
    case USB_LOOKING:
        snprintf(buf, len, "正在查找U盘……");
        return;
    case USB_NONE:
        snprintf(buf, len, "未检测到U盘：请插入U盘");
        return;
    case USB_REFUSED:
        *bad = 1;
        snprintf(buf, len, "U盘无法使用：系统不能打开（挂载）这个U盘，请换一个U盘");
        return;
    case USB_EJECTING:
        snprintf(buf, len, "正在安全弹出U盘，请勿拔出……");
        return;
    case USB_READY:
        break;
    }
    const usbdrive_stick *s = &u->stick;
    char name[200];
    if (s->label[0])
        snprintf(name, sizeof name, "U盘“%.120s”", s->label);
    else
        snprintf(name, sizeof name, "U盘（无卷标）");
    if (s->free_bytes < 0) {
        snprintf(buf, len, "%s：剩余空间未知%s", name, s->read_only ? "（只读，不能导出）" : "");
        *bad = s->read_only;
        return;
    }
    bytes_text(s->free_bytes, fr, sizeof fr);
    bytes_text(s->size_bytes, sz, sizeof sz);
    snprintf(buf, len, "%s：可用 %s，共 %s%s", name, fr, sz, s->read_only ? "（只读，不能导出）" : "");
    *bad = s->read_only;
}

static void enter(app *a)
{
    a->admin.page = 0;
    a->admin.msg[0] = '\0';
    a->admin.msg_bad = 0;
    a->admin.eject_ticket = 0;
    load(a);
    if (!a->cfg->export_dir) {
        if (!a->usb)
            a->usb = usb_worker_create(MEDIA_ROOTS);
        if (a->usb) {
            usb_worker_watch(a->usb, 1);
            usb_worker_status(a->usb, &a->admin.usb);
            a->wake_at = a->now + 250;
        }
    }
}

static void leave(app *a)
{
    if (a->usb)
        usb_worker_watch(a->usb, 0);
    free(a->admin.totals);
    a->admin.totals = NULL;
    health_free(&a->admin.health);
    a->admin.have_health = 0;
}

/* Rows of the table that fit on one page. */
static int rows_per_page(ui_rect table, int row_h)
{
    int rows = table.h / row_h - 1; /* minus the heading row */
    return rows < 1 ? 1 : rows;
}

/* The table, the button bar, the row height, and (when a damaged database
 * was set aside) the notice above the table. */
static void geometry(const app *a, ui_rect *table, ui_rect *bar, int *row_h, ui_rect *notice,
                     ui_rect *health_r)
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
    /* The health block (two lines) above the table. */
    *health_r = (ui_rect){m->pad, top, m->w - 2 * m->pad, a->admin.have_health ? *row_h * 2 : 0};
    top += health_r->h;
    *bar = (ui_rect){m->pad, m->h - m->pad - bh, m->w - 2 * m->pad, bh};
    /* The export message line sits between the table and the bar; the USB
     * stick's line (one row) above it. */
    int msg_h = *row_h * 3 / 2 + (usb_mode(a) ? *row_h : 0);
    *table = (ui_rect){m->pad, top, m->w - 2 * m->pad, bar->y - m->gap - msg_h - top};
}

/* The page shown (the one asked for, or the last there is) and the count. */
static int page_shown(const app *a, const admin_state *st, int *pages)
{
    ui_rect table, bar, notice, health_r;
    int row_h;
    geometry(a, &table, &bar, &row_h, &notice, &health_r);
    int per = rows_per_page(table, row_h);
    *pages = ((int)a->cfg->n_units + per - 1) / per;
    if (*pages < 1)
        *pages = 1;
    return st->page < *pages ? st->page : *pages - 1;
}

static void layout(const app *a, ui_frame *f)
{
    const admin_state *st = f->state;
    ui_rect table, bar, notice, health_r;
    int row_h, pages;
    geometry(a, &table, &bar, &row_h, &notice, &health_r);
    int page = page_shown(a, st, &pages);
    int n = pages > 1 ? 5 : 3;
    int bw = (bar.w - (n - 1) * a->m.gap) / n;
    if (bw > (int)(a->m.s * 0.55))
        bw = (int)(a->m.s * 0.55);
    int x = bar.x;
    /* While a stick is ejected the screen stays: it says when to pull it. */
    ui_element *cl = app_add(f, TAG_ADMIN_CLOSE, 0, "admin.close", "关闭",
                             (ui_rect){x, bar.y, bw, bar.h}, 1);
    cl->enabled = !st->eject_ticket;
    x += bw + a->m.gap;
    ui_element *ex = app_add(f, TAG_ADMIN_EXPORT, 0, "admin.export",
                             a->cfg->export_dir ? "导出" : "导出到U盘",
                             (ui_rect){x, bar.y, bw, bar.h}, 1);
    ex->enabled = a->store != NULL && !st->eject_ticket;
    x += bw + a->m.gap;
    if (pages > 1) {
        ui_element *p = app_add(f, TAG_ADMIN_PREV, 0, "admin.prev", "上一页",
                                (ui_rect){x, bar.y, bw, bar.h}, 1);
        p->enabled = page > 0;
        x += bw + a->m.gap;
        ui_element *q = app_add(f, TAG_ADMIN_NEXT, 0, "admin.next", "下一页",
                                (ui_rect){x, bar.y, bw, bar.h}, 1);
        q->enabled = page < pages - 1;
    }
    ui_element *qu = app_add(f, TAG_ADMIN_QUIT, 0, "admin.quit", "退出程序",
                             (ui_rect){bar.x + bar.w - bw, bar.y, bw, bar.h}, 1);
    qu->enabled = !st->eject_ticket;
    app_add(f, TAG_ADMIN_TABLE, 0, "admin.table", "", table, 0);
    if (notice.h > 0) {
        char text[UI_LABEL_MAX];
        app_damaged_notice(a, text, sizeof text);
        app_add(f, TAG_ADMIN_NOTICE, 0, "admin.notice", text, notice, 0);
    }
    if (health_r.h > 0) {
        char text[UI_LABEL_MAX];
        int bad;
        admin_health_text(a, &st->health, text, sizeof text, &bad);
        app_add(f, TAG_ADMIN_HEALTH, bad, "admin.health", text, health_r, 0);
    }
    int my = table.y + table.h;
    if (usb_mode(a)) {
        char text[UI_LABEL_MAX];
        int bad;
        usb_text(&st->usb, text, sizeof text, &bad);
        app_add(f, TAG_ADMIN_USB, bad, "admin.usb", text, (ui_rect){table.x, my, table.w, row_h},
                0);
        my += row_h;
    }
    app_add(f, TAG_ADMIN_MESSAGE, 0, "admin.message", st->msg,
            (ui_rect){table.x, my, table.w, bar.y - my}, 0);
}

static void export_now(app *a)
{
    admin_state *st = &a->admin;
    /* Show that work is under way before the (possibly long) write. */
    snprintf(st->msg, sizeof st->msg, "正在导出，请勿拔出U盘……");
    st->msg_bad = 0;
    app_relayout(a);
    app_render(a);
    exporter_result res;
    mp_err err;
    int rc = exporter_run(a->cfg, a->store, NULL, clock_utc_now(), &res, &err);
    snprintf(st->msg, sizeof st->msg, "%s", res.zh);
    st->msg_bad = rc < 0;
    /* The health block shows the export just made. */
    health_free(&st->health);
    load(a);
    if (rc < 0)
        log_error("staff export failed: %s", err.msg);
    app_relayout(a);
}

/* The export to the stick the worker found: written here (as export_now),
 * then ejected by the worker; tick says how that ended. */
static void export_to_stick(app *a)
{
    admin_state *st = &a->admin;
    usb_worker_status(a->usb, &st->usb);
    if (st->usb.state != USB_READY) {
        if (st->usb.state == USB_REFUSED)
            snprintf(st->msg, sizeof st->msg,
                     "导出失败：系统不能打开（挂载）这个U盘。请换一个U盘后再试。");
        else
            snprintf(st->msg, sizeof st->msg,
                     "未找到U盘。请插入U盘，稍等几秒后再点“导出到U盘”。");
        st->msg_bad = 1;
        log_error("staff export: no usable USB stick%s%s", st->usb.why[0] ? ": " : "",
                  st->usb.why);
        app_relayout(a);
        return;
    }
    snprintf(st->msg, sizeof st->msg, "正在导出，请勿拔出U盘……");
    st->msg_bad = 0;
    app_relayout(a);
    app_render(a);
    const usbdrive_stick *stick = &st->usb.stick;
    exporter_result res;
    mp_err err;
    int rc, gone = !usbdrive_present(stick);
    if (gone) {
        memset(&res, 0, sizeof res);
        snprintf(res.zh, sizeof res.zh, "导出失败：找不到U盘（可能已拔出）。请重新插入U盘后再试。");
        rc = mp_fail(&err, "the USB stick at %s is gone", stick->path);
    } else {
        rc = exporter_run(a->cfg, a->store, stick->path, clock_utc_now(), &res, &err);
        gone = !usbdrive_present(stick);
    }
    if (rc < 0)
        log_error("staff export failed: %s", err.msg);
    health_free(&st->health);
    load(a);
    st->export_rc = rc;
    snprintf(st->export_zh, sizeof st->export_zh, "%s", res.zh);
    st->eject_fallback = !stick->object[0];
    /* A stick pulled meanwhile cannot be ejected; any other is, written or
     * not, so that it can be pulled safely. */
    st->eject_ticket = gone ? 0 : usb_worker_eject(a->usb);
    if (st->eject_ticket) {
        snprintf(st->msg, sizeof st->msg, "%.450s\n正在安全弹出U盘，请勿拔出……", res.zh);
        st->msg_bad = rc < 0;
        a->last_input = a->now;
        a->wake_at = a->now + 250;
    } else {
        snprintf(st->msg, sizeof st->msg, "%s", res.zh);
        st->msg_bad = 1;
    }
    app_relayout(a);
}

/* The eject asked for by export_to_stick is done: say how it ended. */
static void eject_done(app *a, const usb_status *u)
{
    admin_state *st = &a->admin;
    st->eject_ticket = 0;
    if (u->eject_rc == 0) {
        snprintf(st->msg, sizeof st->msg, "%.450s\nU盘已安全弹出，可以拔出U盘。", st->export_zh);
        st->msg_bad = st->export_rc < 0;
    } else if (st->eject_fallback) {
        snprintf(st->msg, sizeof st->msg,
                 "%.450s\n本机不能自动弹出这个U盘（它由其他程序挂载）：请先在系统中弹出，再拔出。",
                 st->export_zh);
        st->msg_bad = 1;
    } else {
        snprintf(st->msg, sizeof st->msg,
                 "%.450s\nU盘未能安全弹出，请先不要拔出：稍等片刻后再点“导出到U盘”重试。",
                 st->export_zh);
        st->msg_bad = 1;
    }
    log_info("staff export: the USB stick %s", u->eject_rc == 0 ? "is ejected" : "was not ejected");
}

/* Follows the USB worker: the stick's line, and the eject under way. */
static void tick(app *a)
{
    admin_state *st = &a->admin;
    if (!usb_mode(a))
        return;
    usb_status u;
    usb_worker_status(a->usb, &u);
    int changed = u.serial != st->usb.serial;
    st->usb = u;
    if (st->eject_ticket) {
        a->last_input = a->now; /* no idle return before staff are told */
        if (u.ejects_done >= st->eject_ticket) {
            eject_done(a, &u);
            changed = 1;
        }
    }
    if (changed)
        app_relayout(a);
    a->wake_at = a->now + 250;
}

static void activate(app *a, const ui_element *e)
{
    int pages;
    switch (e->tag) {
    case TAG_ADMIN_CLOSE:
        log_info("admin screen closed");
        app_go(a, app_first_screen(a));
        return;
    case TAG_ADMIN_QUIT:
        log_info("staff quit the kiosk from the admin screen");
        a->quit = 1;
        return;
    case TAG_ADMIN_EXPORT:
        if (usb_mode(a))
            export_to_stick(a);
        else
            export_now(a);
        return;
    case TAG_ADMIN_PREV:
    case TAG_ADMIN_NEXT:
        /* Each is enabled only when there is such a page. */
        a->admin.page = page_shown(a, &a->admin, &pages) + (e->tag == TAG_ADMIN_NEXT ? 1 : -1);
        app_relayout(a);
        return;
    default:
        return;
    }
}

static void cell(const app *a, int px, const char *s, int x, int y, int w, int h, uint32_t c,
                 uint32_t bg, text_align al)
{
    text_box(a->text, a->ren, s, (ui_rect){x, y, w, h}, a->m.min_px, px, 1, c, bg, al);
}

/* The largest size at which s fits w x h, capped at cap. */
static int fit_px(const app *a, const char *s, int w, int h, int cap)
{
    text_layout lay;
    int px = text_fit(a->text, s, w, h, a->m.min_px, cap, 1, &lay);
    return px > 0 && px < cap ? px : px > 0 ? cap : a->m.min_px;
}

static void draw(const app *a, const ui_frame *f)
{
    const admin_state *st = f->state;
    const layout_metrics *m = &a->m;
    char sub[200];
    if (st->have_store)
        snprintf(sub, sizeof sub, "终端 %s · 共 %lld 票 · 数据库 %s", a->cfg->id,
                 (long long)st->total, st->instance);
    else
        snprintf(sub, sizeof sub, "终端 %s · 存储不可用", a->cfg->id);
    app_draw_header(a, f, "管理", sub);

    ui_rect table, bar, notice, health_r;
    int row_h, pages;
    geometry(a, &table, &bar, &row_h, &notice, &health_r);
    int page = page_shown(a, st, &pages);
    int ni = app_find_tag(f, TAG_ADMIN_NOTICE);
    if (ni >= 0) /* a damaged database was set aside: staff must know */
        text_box(a->text, a->ren, f->el[ni].label, notice, m->min_px, m->body_px, 2, a->pal->danger_text,
                 a->pal->bg, TEXT_LEFT);
    int hi = app_find_tag(f, TAG_ADMIN_HEALTH);
    if (hi >= 0) /* arg 1: the clock is wrong, in red */
        text_box(a->text, a->ren, f->el[hi].label, health_r, m->min_px, m->small_px, 2,
                 f->el[hi].arg ? a->pal->danger_text : a->pal->text, a->pal->bg, TEXT_LEFT);
    if (a->status[0] && !a->store) {
        /* A storage problem takes the table's first rows. */
        cell(a, m->body_px, a->status, table.x, table.y, table.w, row_h, a->pal->danger_text, a->pal->bg,
             TEXT_LEFT);
        table.y += row_h;
        table.h -= row_h;
    }
    static const char *heads[] = {"单位", "非常满意", "基本满意", "一般", "不满意", "疑似刷票"};
    int name_w = table.w * 34 / 100, col_w = (table.w - name_w) / 5;
    draw_rrect(a->draw, table, m->radius, a->pal->panel, 255);
    int table_px = a->m.body_px; /* one size for the whole table */
    for (int c = 1; c < 6; c++)
        table_px = fit_px(a, heads[c], col_w - m->pad / 2, row_h, table_px);
    for (size_t ui = 0; ui < a->cfg->n_units; ui++)
        table_px = fit_px(a, a->cfg->units[ui].name, name_w - m->pad / 2, row_h, table_px);
    int y = table.y;
    cell(a, table_px, heads[0], table.x + m->pad / 2, y, name_w - m->pad / 2, row_h, a->pal->text_soft,
         a->pal->panel, TEXT_LEFT);
    for (int c = 1; c < 6; c++)
        cell(a, table_px, heads[c], table.x + name_w + (c - 1) * col_w, y, col_w - m->pad / 2, row_h,
             a->pal->text_soft, a->pal->panel, TEXT_RIGHT);
    y += row_h;
    int per = rows_per_page(table, row_h);
    for (int r = 0; r < per; r++) {
        size_t ui = (size_t)(page * per + r);
        if (ui >= a->cfg->n_units)
            break;
        const config_unit *u = &a->cfg->units[ui];
        store_totals t = st->totals ? st->totals[ui] : (store_totals){0};
        uint32_t row_bg = r % 2 == 0 ? a->pal->row_stripe : a->pal->panel;
        if (r % 2 == 0)
            draw_rect(a->draw, (ui_rect){table.x, y, table.w, row_h}, row_bg);
        cell(a, table_px, u->name, table.x + m->pad / 2, y, name_w - m->pad / 2, row_h, a->pal->text,
             row_bg, TEXT_LEFT);
        for (int c = 0; c < 5; c++) {
            char num[32];
            snprintf(num, sizeof num, "%lld", (long long)(c < 4 ? t.counts[c] : t.flagged));
            cell(a, table_px, num, table.x + name_w + c * col_w, y, col_w - m->pad / 2, row_h,
                 c == 4 && t.flagged ? a->pal->danger_text : a->pal->text, row_bg, TEXT_RIGHT);
        }
        y += row_h;
    }
    int ui = app_find_tag(f, TAG_ADMIN_USB);
    if (ui >= 0) /* arg 1: the stick cannot be used, in red */
        text_box(a->text, a->ren, f->el[ui].label, f->el[ui].r, m->min_px, m->body_px, 1,
                 f->el[ui].arg ? a->pal->danger_text : a->pal->text, a->pal->bg, TEXT_LEFT);
    int mi = app_find_tag(f, TAG_ADMIN_MESSAGE);
    if (mi >= 0 && st->msg[0])
        text_box(a->text, a->ren, st->msg, f->el[mi].r, m->min_px, m->body_px, 2,
                 st->msg_bad ? a->pal->danger_text : a->pal->ok_text, a->pal->bg, TEXT_LEFT);
    for (int i = 0; i < f->n_el; i++) {
        const ui_element *e = &f->el[i];
        if (!e->touch)
            continue;
        uint32_t fill = e->tag == TAG_ADMIN_QUIT    ? a->pal->danger
                        : e->tag == TAG_ADMIN_CLOSE  ? a->pal->accent
                        : e->tag == TAG_ADMIN_EXPORT ? a->pal->ok
                                                     : a->pal->card;
        app_draw_button(a, f, i, fill, fill == a->pal->card ? a->pal->card_text : a->pal->on_colour,
                        m->body_px);
    }
}

const screen_class screen_admin = {
    .name = "admin", .enter = enter, .leave = leave, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .state = offsetof(struct app, admin), .hotspot = 0, .idle_return = 1,
};

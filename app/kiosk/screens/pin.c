/* screens/pin.c - "pin": the staff PIN pad, opened by holding the top-left
 * corner for 3 seconds.  Five wrong PINs lock the pad for five minutes.  The
 * PIN entered is kept only in memory, wiped after each try, never logged. */
#include "app_int.h"
#include "log.h"
#include "theme.h"

#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void clear_entry(app *a)
{
    sodium_memzero(a->pin, sizeof a->pin);
    a->pin_len = 0;
}

static int locked(const app *a)
{
    return pin_guard_locked_ms(&a->guard, a->now) > 0;
}

static void enter(app *a)
{
    /* Staff seldom come: the cached shapes and text of the citizens'
     * screens are dropped when the pad opens (they are redrawn on the way
     * back), so the kiosk's peak memory is not their sum plus the pad's
     * plus the PIN check's. */
    app_drop_caches(a);
    clear_entry(a);
    a->pin_state = locked(a) ? 2 : 0;
    if (a->pin_state == 2)
        a->wake_at = a->now + 1000;
}

static void layout(app *a)
{
    const layout_metrics *m = &a->m;
    int top = m->header_h + m->pad;
    ui_rect body = {m->pad, top, m->w - 2 * m->pad, m->h - top - m->pad};
    ui_rect pad_area = body, info = body;
    if (!m->portrait) {
        pad_area.w = body.w * 55 / 100;
        pad_area.x = body.x + body.w - pad_area.w;
        info.w = body.w - pad_area.w - m->pad;
    } else {
        info.h = body.h * 30 / 100;
        pad_area.y = body.y + info.h + m->pad;
        pad_area.h = body.h - info.h - m->pad;
    }
    int kh = (pad_area.h - 3 * m->gap) / 4;
    int kw = (pad_area.w - 2 * m->gap) / 3;
    if (kw > kh * 2)
        kw = kh * 2;
    int gw = 3 * kw + 2 * m->gap;
    int x0 = pad_area.x + (pad_area.w - gw) / 2;
    static const char *keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"};
    int is_locked = a->pin_state == 2;
    for (int i = 0; i < 12; i++) {
        char id[16];
        snprintf(id, sizeof id, "pin.%s", keys[i]);
        const char *label = i == 9 ? "删除" : i == 11 ? "确定" : keys[i];
        ui_rect r = {x0 + (i % 3) * (kw + m->gap), pad_area.y + (i / 3) * (kh + m->gap), kw, kh};
        ui_element *e = app_add(a, id, label, r, 1);
        e->enabled = !is_locked && (i != 11 || a->pin_len >= PIN_MIN_DIGITS) &&
                     (i != 9 || a->pin_len > 0);
    }
    int bh = (int)(m->s * THEME_BUTTON), bw = info.w * 2 / 3;
    app_add(a, "pin.cancel", "取消", (ui_rect){info.x + (info.w - bw) / 2,
                                               info.y + info.h - bh, bw, bh}, 1);
    app_add(a, "pin.info", "", (ui_rect){info.x, info.y, info.w, info.h - bh - m->gap}, 0);
}

static void try_pin(app *a)
{
    /* Checking the PIN takes the memory its hash asks for (7 MiB for
     * hashes made by minping-office): the pad's own cached shapes and text
     * go first. */
    app_drop_caches(a);
    malloc_trim(0);
    int ok = pin_verify(a->cfg->pin_hash, a->pin);
    clear_entry(a);
    pin_guard_record(&a->guard, ok, a->now);
    if (ok) {
        log_info("staff PIN accepted: admin screen opened");
        app_go(a, &screen_admin);
        return;
    }
    if (locked(a)) {
        log_warn("staff PIN wrong %d times: pad locked for %d minutes", PIN_MAX_FAILURES,
                 PIN_LOCK_MS / 60000);
        a->pin_state = 2;
        a->wake_at = a->now + 1000;
    } else {
        log_warn("staff PIN wrong (%d tries left before the pad locks)",
                 pin_guard_tries_left(&a->guard));
        a->pin_state = 1;
    }
    app_relayout(a);
}

static void activate(app *a, const ui_element *e)
{
    const char *k = e->id + 4;
    if (strcmp(e->id, "pin.cancel") == 0) {
        clear_entry(a);
        app_go(a, app_first_screen(a));
    } else if (strcmp(k, "del") == 0) {
        if (a->pin_len > 0)
            a->pin[--a->pin_len] = '\0';
        app_relayout(a);
    } else if (strcmp(k, "ok") == 0) {
        try_pin(a);
    } else if (k[0] >= '0' && k[0] <= '9' && k[1] == '\0') {
        if (a->pin_len < PIN_MAX_DIGITS) {
            a->pin[a->pin_len++] = k[0];
            a->pin[a->pin_len] = '\0';
        }
        if (a->pin_state == 1)
            a->pin_state = 0;
        app_relayout(a);
    }
}

static void tick(app *a)
{
    if (a->pin_state != 2)
        return;
    if (!locked(a)) {
        a->pin_state = 0;
        app_relayout(a);
        return;
    }
    app_redraw(a); /* the countdown */
    a->wake_at = a->now + 1000;
}

static void draw(app *a)
{
    const layout_metrics *m = &a->m;
    app_draw_header(a, "工作人员验证", "请输入管理密码");
    int ii = app_find(a, "pin.info");
    if (ii >= 0) {
        ui_rect r = a->el[ii].r;
        /* Dots for digits entered. */
        int dot = m->body_px, n = a->pin_len > 0 ? a->pin_len : 0;
        int slots = n > 4 ? n : 4;
        int step = dot * 2;
        if (step * slots > r.w)
            step = r.w / slots;
        int x0 = r.x + (r.w - step * slots) / 2;
        int y = r.y + r.h * 30 / 100;
        for (int i = 0; i < slots; i++) {
            ui_rect d = {x0 + i * step + (step - dot) / 2, y, dot, dot};
            draw_rrect(a->draw, d, dot / 2, i < n ? THEME_TEXT : THEME_DOT_EMPTY, 255);
        }
        char msg[160];
        uint32_t colour = THEME_TEXT_SOFT;
        if (a->pin_state == 2) {
            int64_t s = (pin_guard_locked_ms(&a->guard, a->now) + 999) / 1000;
            snprintf(msg, sizeof msg, "密码错误次数过多，已锁定，请 %d:%02d 后再试", (int)(s / 60),
                     (int)(s % 60));
            colour = THEME_DANGER;
        } else if (a->pin_state == 1) {
            snprintf(msg, sizeof msg, "密码错误，还可尝试 %d 次", pin_guard_tries_left(&a->guard));
            colour = THEME_DANGER;
        } else {
            snprintf(msg, sizeof msg, "仅限本阅览室工作人员使用");
        }
        text_box(a->text, a->ren, msg, (ui_rect){r.x, y + dot * 2, r.w, r.h - (y - r.y) - dot * 2},
                 m->min_px, m->body_px, 3, colour, THEME_BG, TEXT_CENTER);
    }
    for (int i = 0; i < a->n_el; i++) {
        const ui_element *e = &a->el[i];
        if (strcmp(e->id, "pin.cancel") == 0)
            app_draw_button(a, i, THEME_QUIET_KEY, THEME_TEXT, m->body_px);
        else if (strcmp(e->id, "pin.ok") == 0)
            app_draw_button(a, i, THEME_ACCENT, THEME_ON_COLOUR, m->body_px);
        else if (e->touch && strncmp(e->id, "pin.", 4) == 0)
            app_draw_button(a, i, THEME_CARD, THEME_TEXT, m->title_px);
    }
}

const screen_class screen_pin = {
    .name = "pin", .enter = enter, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .hotspot = 0, .idle_return = 1,
};

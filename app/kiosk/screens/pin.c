/* screens/pin.c - "pin": the staff PIN pad, opened by holding the top-left
 * corner for 3 seconds.  Five wrong PINs lock the pad for five minutes.  The
 * PIN entered is kept only in memory, wiped after each try and when the pad
 * is left, never logged. */
#include "app_int.h"
#include "log.h"
#include "theme.h"

#include <malloc.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>

static void clear_entry(pinpad_state *st)
{
    sodium_memzero(st->digits, sizeof st->digits);
    st->len = 0;
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
    clear_entry(&a->pin);
    a->pin.mode = locked(a) ? PINPAD_LOCKED : PINPAD_ENTERING;
    if (a->pin.mode == PINPAD_LOCKED)
        a->wake_at = a->now + 1000;
}

static void leave(app *a)
{
    clear_entry(&a->pin);
}

/* The keys, in reading order: digits 1-9, delete, 0, OK. */
static const struct {
    int tag, arg;
    const char *id, *label;
} KEYS[12] = {
    {TAG_PIN_DIGIT, 1, "pin.1", "1"}, {TAG_PIN_DIGIT, 2, "pin.2", "2"},
    {TAG_PIN_DIGIT, 3, "pin.3", "3"}, {TAG_PIN_DIGIT, 4, "pin.4", "4"},
    {TAG_PIN_DIGIT, 5, "pin.5", "5"}, {TAG_PIN_DIGIT, 6, "pin.6", "6"},
    {TAG_PIN_DIGIT, 7, "pin.7", "7"}, {TAG_PIN_DIGIT, 8, "pin.8", "8"},
    {TAG_PIN_DIGIT, 9, "pin.9", "9"}, {TAG_PIN_DEL, 0, "pin.del", "删除"},
    {TAG_PIN_DIGIT, 0, "pin.0", "0"}, {TAG_PIN_OK, 0, "pin.ok", "确定"},
};

static void layout(const app *a, ui_frame *f)
{
    const pinpad_state *st = f->state;
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
    int is_locked = st->mode == PINPAD_LOCKED;
    for (int i = 0; i < 12; i++) {
        ui_rect r = {x0 + (i % 3) * (kw + m->gap), pad_area.y + (i / 3) * (kh + m->gap), kw, kh};
        ui_element *e = app_add(f, KEYS[i].tag, KEYS[i].arg, KEYS[i].id, KEYS[i].label, r, 1);
        e->enabled = !is_locked && (KEYS[i].tag != TAG_PIN_OK || st->len >= PIN_MIN_DIGITS) &&
                     (KEYS[i].tag != TAG_PIN_DEL || st->len > 0);
    }
    int bh = (int)(m->s * THEME_BUTTON), bw = info.w * 2 / 3;
    app_add(f, TAG_PIN_CANCEL, 0, "pin.cancel", "取消",
            (ui_rect){info.x + (info.w - bw) / 2, info.y + info.h - bh, bw, bh}, 1);
    app_add(f, TAG_PIN_INFO, 0, "pin.info", "",
            (ui_rect){info.x, info.y, info.w, info.h - bh - m->gap}, 0);
}

static void try_pin(app *a)
{
    /* Checking the PIN takes the memory its hash asks for (7 MiB for
     * hashes made by minping-office): the pad's own cached shapes and text
     * go first. */
    app_drop_caches(a);
    malloc_trim(0);
    int ok = pin_verify(a->cfg->pin_hash, a->pin.digits);
    clear_entry(&a->pin);
    pin_guard_record(&a->guard, ok, a->now);
    if (ok) {
        log_info("staff PIN accepted: admin screen opened");
        app_go(a, &screen_admin);
        return;
    }
    if (locked(a)) {
        log_warn("staff PIN wrong %d times: pad locked for %d minutes", PIN_MAX_FAILURES,
                 PIN_LOCK_MS / 60000);
        a->pin.mode = PINPAD_LOCKED;
        a->wake_at = a->now + 1000;
    } else {
        log_warn("staff PIN wrong (%d tries left before the pad locks)",
                 pin_guard_tries_left(&a->guard));
        a->pin.mode = PINPAD_WRONG;
    }
    app_relayout(a);
}

static void activate(app *a, const ui_element *e)
{
    pinpad_state *st = &a->pin;
    switch (e->tag) {
    case TAG_PIN_CANCEL:
        app_go(a, app_first_screen(a));
        return;
    case TAG_PIN_DEL:
        if (st->len > 0)
            st->digits[--st->len] = '\0';
        app_relayout(a);
        return;
    case TAG_PIN_OK:
        try_pin(a);
        return;
    case TAG_PIN_DIGIT:
        if (e->arg < 0 || e->arg > 9)
            return;
        if (st->len < PIN_MAX_DIGITS) {
            st->digits[st->len++] = (char)('0' + e->arg);
            st->digits[st->len] = '\0';
        }
        if (st->mode == PINPAD_WRONG)
            st->mode = PINPAD_ENTERING;
        app_relayout(a);
        return;
    default:
        return;
    }
}

static void tick(app *a)
{
    if (a->pin.mode != PINPAD_LOCKED)
        return;
    if (!locked(a)) {
        a->pin.mode = PINPAD_ENTERING;
        app_relayout(a);
        return;
    }
    app_redraw(a); /* the countdown */
    a->wake_at = a->now + 1000;
}

static void draw(const app *a, const ui_frame *f)
{
    const pinpad_state *st = f->state;
    const layout_metrics *m = &a->m;
    app_draw_header(a, f, "工作人员验证", "请输入管理密码");
    int ii = app_find_tag(f, TAG_PIN_INFO);
    if (ii >= 0) {
        ui_rect r = f->el[ii].r;
        /* Dots for digits entered. */
        int dot = m->body_px, n = st->len > 0 ? st->len : 0;
        int slots = n > 4 ? n : 4;
        int step = dot * 2;
        if (step * slots > r.w)
            step = r.w / slots;
        int x0 = r.x + (r.w - step * slots) / 2;
        int y = r.y + r.h * 30 / 100;
        for (int i = 0; i < slots; i++) {
            ui_rect d = {x0 + i * step + (step - dot) / 2, y, dot, dot};
            draw_rrect(a->draw, d, dot / 2, i < n ? a->pal->text : a->pal->dot_empty, 255);
        }
        char msg[160];
        uint32_t colour = a->pal->text_soft;
        switch (st->mode) {
        case PINPAD_LOCKED: {
            int64_t s = (pin_guard_locked_ms(&a->guard, a->now) + 999) / 1000;
            snprintf(msg, sizeof msg, "密码错误次数过多，已锁定，请 %d:%02d 后再试", (int)(s / 60),
                     (int)(s % 60));
            colour = a->pal->danger_text;
            break;
        }
        case PINPAD_WRONG:
            snprintf(msg, sizeof msg, "密码错误，还可尝试 %d 次", pin_guard_tries_left(&a->guard));
            colour = a->pal->danger_text;
            break;
        case PINPAD_ENTERING:
        default:
            snprintf(msg, sizeof msg, "仅限本阅览室工作人员使用");
            break;
        }
        text_box(a->text, a->ren, msg, (ui_rect){r.x, y + dot * 2, r.w, r.h - (y - r.y) - dot * 2},
                 m->min_px, m->body_px, 3, colour, a->pal->bg, TEXT_CENTER);
    }
    for (int i = 0; i < f->n_el; i++) {
        switch (f->el[i].tag) {
        case TAG_PIN_CANCEL:
            app_draw_button(a, f, i, a->pal->quiet_key, a->pal->card_text, m->body_px);
            break;
        case TAG_PIN_OK:
            app_draw_button(a, f, i, a->pal->accent, a->pal->on_colour, m->body_px);
            break;
        case TAG_PIN_DIGIT:
        case TAG_PIN_DEL:
            app_draw_button(a, f, i, a->pal->card, a->pal->card_text, m->title_px);
            break;
        default:
            break;
        }
    }
}

const screen_class screen_pin = {
    .name = "pin", .enter = enter, .leave = leave, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .state = offsetof(struct app, pin), .hotspot = 0,
    .idle_return = 1,
};

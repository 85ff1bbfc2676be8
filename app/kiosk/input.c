/* input.c - one pointer stream out of mouse and finger events. */
#include "input.h"

void input_init(input_state *in)
{
    in->down = INPUT_NONE;
    in->finger = 0;
    in->last_touch_ms = -1;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int touch_recent(const input_state *in, int64_t now_ms)
{
    return in->down == INPUT_FINGER ||
           (in->last_touch_ms >= 0 && now_ms - in->last_touch_ms < INPUT_TOUCH_QUIET_MS);
}

int input_translate(input_state *in, const SDL_Event *ev, int w, int h, int64_t now_ms,
                    ui_pointer *out)
{
    switch (ev->type) {
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
        const SDL_TouchFingerEvent *f = &ev->tfinger;
        int x = clampi((int)(f->x * (float)w), 0, w - 1);
        int y = clampi((int)(f->y * (float)h), 0, h - 1);
        in->last_touch_ms = now_ms;
        if (ev->type == SDL_FINGERDOWN) {
            if (in->down != INPUT_NONE)
                return 0; /* a second finger, or a mouse press already held */
            in->down = INPUT_FINGER;
            in->finger = f->fingerId;
            *out = (ui_pointer){UI_PRESS, x, y};
            return 1;
        }
        if (in->down != INPUT_FINGER || f->fingerId != in->finger)
            return 0;
        if (ev->type == SDL_FINGERUP) {
            in->down = INPUT_NONE;
            *out = (ui_pointer){UI_RELEASE, x, y};
        } else {
            *out = (ui_pointer){UI_MOVE, x, y};
        }
        return 1;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        const SDL_MouseButtonEvent *b = &ev->button;
        if (b->which == SDL_TOUCH_MOUSEID || b->button != SDL_BUTTON_LEFT)
            return 0;
        if (ev->type == SDL_MOUSEBUTTONDOWN) {
            if (in->down != INPUT_NONE || touch_recent(in, now_ms))
                return 0;
            in->down = INPUT_MOUSE;
            *out = (ui_pointer){UI_PRESS, b->x, b->y};
            return 1;
        }
        if (in->down != INPUT_MOUSE)
            return 0;
        in->down = INPUT_NONE;
        *out = (ui_pointer){UI_RELEASE, b->x, b->y};
        return 1;
    }
    case SDL_MOUSEMOTION:
        if (ev->motion.which == SDL_TOUCH_MOUSEID || in->down != INPUT_MOUSE)
            return 0;
        *out = (ui_pointer){UI_MOVE, ev->motion.x, ev->motion.y};
        return 1;
    default:
        return 0;
    }
}

/* screens/sleep.c - "sleep": outside the open hours of kiosk.ini
 * (open_hours, open_days) the kiosk shows a black frame and draws nothing
 * more.  It is entered from the first screen once nobody has touched the
 * kiosk for idle_seconds (app_tick), left at the opening time, and left on
 * a touch: the first screen then serves as always (a vote cast at night is
 * stored and counted like any other) until it is left alone again.
 * The screen has no elements: any release wakes it (app_pointer). */
#include "app_int.h"
#include "log.h"

#include <stddef.h>

static void enter(app *a)
{
    a->wake_at = 0;
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

/* At the opening time: awake. */
static void tick(app *a)
{
    if (app_is_open(a)) {
        log_info("open hours begin: awake");
        app_go(a, app_first_screen(a));
    }
}

static void draw(const app *a, const ui_frame *f)
{
    (void)f;
    draw_rect(a->draw, (ui_rect){0, 0, a->m.w, a->m.h}, 0x000000u);
}

const screen_class screen_sleep = {
    .name = "sleep", .enter = enter, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .hotspot = 0, .idle_return = 0,
};

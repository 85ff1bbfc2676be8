/* screens/sleep.c - "sleep": outside the open hours of kiosk.ini
 * (open_hours, open_days) the kiosk shows a black frame and draws nothing
 * more.  While it shows, the display goes dark where the system offers a
 * way: the backlight is switched off (backlight.h), and the display
 * server's own power saving (X's DPMS, a compositor's idle blanking), which
 * SDL holds off while the kiosk serves, is let work; the audio device of
 * the spoken prompts is closed (voice.h).  All are undone on leaving.  It is entered from the first screen once nobody has touched the
 * kiosk for idle_seconds (app_tick), left at the opening time, and left on
 * a touch: the first screen then serves as always (a vote cast at night is
 * stored and counted like any other) until it is left alone again.
 * The screen has no elements: any release wakes it (app_pointer). */
#include "app_int.h"
#include "clock.h"
#include "log.h"

#include <SDL.h>
#include <stddef.h>

static void enter(app *a)
{
    a->wake_at = 0;
    backlight_off(a->backlight);
    SDL_EnableScreenSaver();
    voice_suspend(a->voice);
}

static void leave(app *a)
{
    voice_resume(a->voice);
    SDL_DisableScreenSaver();
    backlight_on(a->backlight);
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

/* The longest sleep between two looks at the wall clock: a clock set
 * forward (or a change of the local offset) while asleep is noticed
 * within it. */
enum { SLEEP_MAX_WAIT_MS = 5 * 60 * 1000 };

int sleep_wait_ms(const app *a, int64_t now_ms)
{
    int64_t next = now_ms + SLEEP_MAX_WAIT_MS;
    int64_t utc = a->utc_now();
    int64_t open = now_ms + config_seconds_until_open(a->cfg, utc + clock_utc_offset(utc)) * 1000;
    if (open < next)
        next = open;
    if (a->store && a->next_health_log < next)
        next = a->next_health_log;
    int64_t d = next - now_ms;
    return d < 0 ? 0 : (int)d;
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
    .name = "sleep", .enter = enter, .leave = leave, .layout = layout, .activate = activate,
    .tick = tick, .draw = draw, .hotspot = 0, .idle_return = 0,
};

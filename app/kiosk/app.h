/* app.h - the kiosk application: screens, timers and votes on top of an SDL
 * renderer.  main.c owns the window and the event loop; tests drive an app
 * directly with synthesized events and a fake monotonic clock.
 *
 * Architecture: SDL events -> input_translate (one pointer stream) ->
 * app_pointer (hit test, press-and-hold hotspot) -> the current screen's
 * activate().  Screens are constant tables (app_int.h, screens/) that lay
 * out touch targets into a frame, react to taps and draw from const state;
 * they never see an SDL_Event.  A press on an enabled button is honoured
 * when it is lifted on it, whatever happened meanwhile (a relayout, a resize,
 * the caches warmed).  The frame is redrawn only when something changed, and
 * the ui-dump is rewritten after every screen change.
 */
#ifndef MINPING_APP_H
#define MINPING_APP_H

#include "config.h"
#include "err.h"
#include "store.h"
#include "ui.h"

#include <SDL.h>
#include <stdint.h>

typedef struct app app;

typedef struct app_options {
    const char *font_path;  /* required */
    const char *dump_path;  /* --ui-dump FILE, or NULL */
    const char *voice_dir;  /* the spoken prompts' folder (voice.h), or NULL:
                               silent whatever kiosk.ini's voice says */
    const char *backlight_dir; /* switched off while asleep (backlight.h), or
                                  NULL: the sleep screen is a black frame only */
} app_options;

/* Creates the app on ren (output w x h), taking ownership of cfg when it
 * succeeds (on failure cfg is still the caller's to free).  With voice on
 * in cfg and opt->voice_dir set, opens the audio device (without one, the
 * kiosk runs silent after a warning line).  Opens the vote store; if that fails the app starts on the out-of-service screen and
 * keeps retrying.  Fails only for problems staff must fix (font, glyphs). */
int app_create(kiosk_config *cfg, SDL_Renderer *ren, int w, int h, const app_options *opt,
               int64_t now_ms, app **out, mp_err *err);
void app_destroy(app *a);

/* Feeds one SDL event (pointer, window) at monotonic time now_ms. */
void app_sdl_event(app *a, const SDL_Event *ev, int64_t now_ms);
/* Feeds one pointer event directly. */
void app_pointer(app *a, ui_pointer p, int64_t now_ms);
/* Runs timers (idle return, hold, countdowns, storage probe). */
void app_tick(app *a, int64_t now_ms);
/* Milliseconds the event loop may sleep before app_tick is due. */
int app_wait_ms(const app *a, int64_t now_ms);
/* The output size changed. */
void app_resize(app *a, int w, int h);
/* Draws and presents the frame if anything changed, then writes the ui-dump
 * if the screen changed.  Returns 1 when a frame was presented. */
int app_render(app *a);
/* Draws the current screen and saves it as a BMP file (for tests/docs). */
int app_screenshot(app *a, const char *bmp_path, mp_err *err);

int app_quit_requested(const app *a);
const char *app_screen_name(const app *a);
/* The pixel bytes of the textures the drawing caches hold. */
size_t app_cached_bytes(const app *a);
/* How many text layouts, rendered lines and shape textures the drawing has
 * had to make so far (the caches' misses). */
unsigned app_cache_misses(const app *a);
/* Finds a current element by id; returns 1 and its rectangle, or 0. */
int app_element(const app *a, const char *id, ui_rect *out);
/* The current elements (touch targets and listed items); *n receives the count. */
const ui_element *app_elements(const app *a, int *n);
/* For tests: hook(a, user) is called after each frame drawn unseen to
 * warm the caches (to slow the warm-up, or feed events in the middle of
 * it); NULL removes it. */
void app_set_warm_hook(app *a, void (*hook)(app *a, void *user), void *user);
/* For tests: the wall clock the open hours are checked against (NULL: the
 * system's, clock_utc_now). */
void app_set_utc_clock(app *a, int64_t (*utc_now)(void));
/* The vote store, or NULL while storage is unavailable. */
store *app_store(app *a);

#endif

/* uitest.h - what the kiosk UI tests (check_ui_*.c) share: one kiosk app
 * per test on SDL's offscreen video driver with the software renderer, a
 * fake monotonic clock (now_ms), and taps made of real SDL mouse and finger
 * events pressed and released at an element's rectangle.  Tests assert the
 * screen shown, the rows stored and the pixels drawn.  Nothing here depends
 * on file permissions, so the tests mean the same run as root. */
#ifndef MINPING_UITEST_H
#define MINPING_UITEST_H

#include "app.h"
#include "faultvfs.h"
#include "pin.h"
#include "testutil.h"

#include <SDL.h>
#include <check.h>
#include <stdint.h>

/* The test's kiosk and what it was started with (ui_setup, start_app). */
extern char pin_hash_1234[PIN_HASH_MAX]; /* the PIN 1234, hashed once */
extern char *dir;                        /* the test's own folder */
extern char cfg_path[300], db_path[300], dump_path[300];
extern SDL_Window *win;
extern SDL_Renderer *ren;
extern app *a;
extern int64_t now_ms;
/* The spoken prompts' folder start_app passes (app_options.voice_dir);
 * NULL (the default): the kiosk is silent. */
extern const char *ui_voice_dir;
/* The backlight class folder start_app gives the app (NULL, the default:
 * none); ui_setup resets it. */
extern const char *ui_backlight_dir;

/* Fixtures: ui_suite_setup (unchecked, with tu_root_teardown), then
 * ui_setup / ui_teardown around each test. */
void ui_suite_setup(void);
void ui_setup(void);
void ui_teardown(void);

/* Writes dir/kiosk.ini with n_units units (U01...) and extra lines. */
void write_config(int n_units, const char *extra);
void open_window(int w, int h);
/* Starts the app in a w x h window without drawing a frame. */
int start_app(int n_units, int w, int h, const char *extra, mp_err *err);
/* start_app, asserted, then the first frame. */
void start(int n_units, int w, int h);

/* Input: now_ms moves on by ms, then a tick and a frame. */
void advance(int64_t ms);
ui_rect rect_of(const char *id);
void mouse(Uint32 type, int x, int y, Uint32 which);
void finger(Uint32 type, int x, int y, int w, int h);
/* A mouse click in the middle of element id: press, 80 ms, release. */
void tap(const char *id);
void hold_hotspot(int64_t ms);
/* A touch at (x, y), beside any button: press, 80 ms with no tick between,
 * release, then one tick and a frame (what wakes a sleeping kiosk). */
void touch_at(int x, int y);
/* Taps the digits, then pin.ok. */
void enter_pin(const char *digits);

/* A wall clock the test sets: app_set_utc_clock(a, ui_wall_clock) makes
 * the kiosk see ui_wall (UTC seconds). */
extern int64_t ui_wall;
int64_t ui_wall_clock(void);

/* Reads of the kiosk's state. */
int64_t count_rows(const char *where);
int find(const char *id);
int enabled(const char *id);
void assert_screen(const char *name);

/* Frames and pixels. */
unsigned char *read_file_all(const char *path, long *len);
/* Saves the current frame as dir/NAME.bmp and returns its bytes. */
unsigned char *frame(const char *name, long *len);
/* The current frame drawn from empty caches (a resize empties them). */
unsigned char *cold_frame(const char *name, long *len);
void assert_same_frame(const char *what, unsigned char *cold, long n_cold);
/* The pixel at (x, y) of the renderer's target as 0xRRGGBB. */
uint32_t pixel_at(SDL_Renderer *r, int x, int y);
/* The largest difference of one colour channel between p and q. */
int channel_diff(uint32_t p, uint32_t q);

#endif

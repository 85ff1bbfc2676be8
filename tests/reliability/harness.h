/* harness.h - the kiosk headless, for the reliability tests: SDL's offscreen
 * video driver and the software renderer, a fake monotonic clock, and taps
 * made of real SDL mouse events at a point or an element's centre (the same
 * pointer path a touch takes).  One app at a time, in globals, as in
 * tests/ui/check_ui.c.  Every helper aborts the test when the system fails
 * it. */
#ifndef MINPING_HARNESS_H
#define MINPING_HARNESS_H

#include "app.h"

#include <stdint.h>

extern app *kh_app;
extern int64_t kh_now;
extern char kh_cfg[512], kh_db[512], kh_dump[512];

/* The staff PIN of every harness kiosk, and its hash (made once). */
#define KH_PIN "80421357"
void kh_suite_setup(void);

/* Per test: the kiosk's folder (kiosk.ini, kiosk.db, ui.json inside it) and
 * SDL; kh_teardown destroys the app and SDL, not the folder. */
void kh_setup(const char *dir);
void kh_teardown(void);

/* Writes kiosk.ini with n_units units, thanks_seconds = 3, cooldown 0,
 * idle 30, burst 10000/60, then `extra` lines in [kiosk] (may be NULL). */
void kh_write_config(int n_units, const char *extra);
/* Writes the config and creates the app on a w x h offscreen window. */
int kh_start(int n_units, int w, int h, const char *extra, mp_err *err);
/* Creates the app from the kiosk.ini already there. */
int kh_restart(int w, int h, mp_err *err);
/* Destroys the app (and its window). */
void kh_stop(void);

void kh_advance(int64_t ms);
const char *kh_screen(void);
int kh_has(const char *id);
ui_rect kh_rect(const char *id);
/* The label of element id ("" when absent). */
const char *kh_label(const char *id);
int kh_enabled(const char *id);
/* Press, 60 ms, release at (x, y); then 20 ms. */
void kh_tap_at(int x, int y);
void kh_tap(const char *id);
void kh_hold_hotspot(int64_t ms);
void kh_enter_pin(const char *digits);
/* Hold the hotspot 3.1 s and enter KH_PIN: the admin screen. */
void kh_open_admin(void);

/* SELECT count(*) FROM votes WHERE `where`, on db (read-only). */
int64_t kh_count(const char *db, const char *where);
/* PRAGMA integrity_check on db: 1 when "ok". */
int kh_integrity_ok(const char *db);

/* Mounts a tmpfs of `opts` (e.g. "size=256k") at path (needs unshare -rm). */
void kh_mount_tmpfs(const char *path, const char *opts);

#endif

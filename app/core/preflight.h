/* preflight.h - what the kiosk needs before it can serve anyone: a display,
 * an input device it can read, a state folder it can write.  Checked once at
 * start so that staff read one log line saying what is missing and how to fix
 * it, instead of facing a blank screen.  Touches no SDL: it looks at the
 * environment and opens device files, nothing more.
 */
#ifndef MINPING_PREFLIGHT_H
#define MINPING_PREFLIGHT_H

#include <stddef.h>

typedef struct preflight_env {
    const char *display;         /* $DISPLAY, or NULL */
    const char *wayland_display; /* $WAYLAND_DISPLAY, or NULL */
    const char *video_driver;    /* $SDL_VIDEODRIVER, or NULL */
    const char *dev_dir;         /* where the device files are: "/dev" */
    const char *state_dir;       /* the folder of the vote database */
} preflight_env;

/* Fills env from the process's environment, with dev_dir "/dev" and the
 * given state folder (kept as a pointer, not copied). */
void preflight_env_from_system(preflight_env *env, const char *state_dir);

/* Checks env and returns how many things are missing (0: all is there).
 * out (n bytes, always NUL-terminated when n > 0) receives one line: either
 * "display, input and state folder ok" with what was found, or each problem
 * with its fix, separated by "; ".  The rules:
 * - SDL_VIDEODRIVER offscreen or dummy: headless, no display or input needed.
 * - A desktop or Wayland compositor (DISPLAY or WAYLAND_DISPLAY set, or
 *   SDL_VIDEODRIVER x11 or wayland): it owns the screen and the input
 *   devices; nothing to check here.
 * - Otherwise (the console, SDL's kmsdrm): a DRM device dev_dir/dri/card*
 *   that opens read-write, and an input device dev_dir/input/event* that
 *   opens read-only.
 * - Always: state_dir exists, is a folder, and a file can be made in it. */
int preflight_check(const preflight_env *env, char *out, size_t n);

#endif

/* dump.h - the --ui-dump file: after every screen change the kiosk rewrites
 * it atomically (temporary file + rename) with
 *   {"screen": NAME, "mode": "normal"|"large", "serial": N, "window": {"w": W, "h": H},
 *    "elements": [{"id", "label", "x", "y", "w", "h", "enabled"}, ...]}
 * in window pixels.  "serial" grows by one with each rewrite; "mode" is
 * "large" while 大字 (large text, high contrast) is on. */
#ifndef MINPING_DUMP_H
#define MINPING_DUMP_H

#include "err.h"
#include "ui.h"

int dump_write(const char *path, const char *screen, const char *mode, unsigned serial, int win_w, int win_h,
               const ui_element *el, int n, mp_err *err);

#endif

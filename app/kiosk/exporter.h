/* exporter.h - a staff export as the kiosk does it (admin screen and the
 * `minping-kiosk export` command): choose the folder (the given one, else
 * export_dir, else the first mounted removable drive), load the signing key,
 * write the signed export (format 2, with the follow-ups, once the kiosk
 * has any; else format 1), and explain the outcome in Chinese for the screen.
 * SDL-free. */
#ifndef MINPING_EXPORTER_H
#define MINPING_EXPORTER_H

#include "config.h"
#include "err.h"
#include "store.h"

#include <stdint.h>

typedef struct exporter_result {
    char path[4096];   /* the file written */
    int64_t rows;      /* votes in it */
    int64_t followups; /* follow-ups (reasons) in it: format 2 when > 0 */
    char zh[600];      /* one or two sentences for the admin screen */
} exporter_result;

/* dir may be NULL.  On success and on failure res->zh says what happened;
 * on failure err says why (English, for logs and the command line). */
int exporter_run(const kiosk_config *cfg, store *s, const char *dir, int64_t now_utc,
                 exporter_result *res, mp_err *err);

#endif

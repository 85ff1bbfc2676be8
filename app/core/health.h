/* health.h - how a kiosk is, for the staff: the last export and the votes
 * since, free space on the vote disk and the days it lasts at the recent
 * rate, the clock's sanity, the database instance, votes today / this month
 * / in total (all units and per unit).  Read from the store at one moment;
 * shown on the admin screen and logged once an hour. */
#ifndef MINPING_HEALTH_H
#define MINPING_HEALTH_H

#include "config.h"
#include "err.h"
#include "store.h"

#include <stdint.h>

enum { HEALTH_RATE_DAYS = 30 }; /* the rate is the votes of the last 30 days */

typedef enum health_clock {
    HEALTH_CLOCK_OK,
    HEALTH_CLOCK_BEFORE_DB,   /* now is before the database was made */
    HEALTH_CLOCK_BACKWARDS,   /* now is before the latest vote: it jumped back */
} health_clock;

typedef struct health {
    int64_t now_utc;
    int64_t last_export_utc;  /* 0: never */
    int64_t since_export;     /* votes after it (all when never) */
    int64_t free_bytes;       /* on the database's file system; -1: unknown */
    int64_t db_bytes;
    int64_t recent_votes;     /* in the last HEALTH_RATE_DAYS days */
    int64_t days_left;        /* at that rate; -1: no recent votes */
    health_clock clock;
    int64_t clock_ref_utc;    /* the time now is before (database made, latest vote) */
    char instance[33];
    int64_t today, month, total;   /* every unit */
    size_t n_units;
    int64_t (*units)[3];      /* per configured unit: today, month, total */
} health;

/* Reads the figures at now_utc (local offset: clock_utc_offset) for cfg's
 * units; db_path's folder is where free space is measured.  Free with
 * health_free. */
int health_read(store *s, const kiosk_config *cfg, int64_t now_utc, int utc_offset,
                health *out, mp_err *err);
void health_free(health *h);

/* The one log line (English, no newline): "health: ..." with every figure. */
void health_log_line(const health *h, const kiosk_config *cfg, const char *version, char *buf,
                     size_t n);

#endif

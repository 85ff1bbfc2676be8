/* tally.h - the vote tallies of the office database: counts per unit, local
 * day and channel (and per month, and the 不满意 votes per hour of day and
 * weekday), kept in step with the votes by the transactions that change
 * them, so that a report or a scorecard costs the same however many votes
 * the ledger holds (the tables: db/office/007-tallies.sql).
 *
 * Every count is split four ways, disjoint, by tally_state: not flagged and
 * not excluded, flagged, excluded, flagged and excluded.  "Local" is the
 * vote's own cast_utc + utc_offset.
 *
 * Writers (the import transaction, votes exclude/restore) collect the
 * changes of one transaction in a tally_delta and write them with
 * tally_delta_apply inside that transaction.  Readers ask for a window of
 * local dates: its whole months are read from the month tables, the days of
 * a month it covers only in part from the day table, so the answers are
 * exactly those of counting the votes one by one (tests/check_tally.c keeps
 * them so).
 */
#ifndef MINPING_TALLY_H
#define MINPING_TALLY_H

#include "err.h"
#include "rating.h"

#include <sqlite3.h>
#include <stdint.h>

enum tally_state {
    TALLY_COUNTED = 0,       /* not flagged, not excluded */
    TALLY_FLAGGED = 1,       /* flagged (疑似刷票), not excluded */
    TALLY_EXCLUDED = 2,      /* not flagged, excluded (votes exclude) */
    TALLY_EXCLUDED_FLAGGED = 3,
    TALLY_STATES = 4
};

/* The state of a vote. */
static inline int tally_state_of(int flagged, int excluded)
{
    return (flagged ? 1 : 0) + (excluded ? 2 : 0);
}

/* Counts by state and rating (RATINGS order). */
typedef struct tally_counts {
    int64_t n[TALLY_STATES][RATING_COUNT];
} tally_counts;

/* ---- writing ---- */

/* The changes of one transaction: an opaque accumulator. */
typedef struct tally_delta tally_delta;

/* A new, empty accumulator of changes to the tallies on db; NULL when out
 * of memory.  Free with tally_delta_destroy. */
tally_delta *tally_delta_create(sqlite3 *db);
void tally_delta_destroy(tally_delta *d);

/* Counts one vote `sign` (+1 or -1) times in state (tally_state_of).
 * points must be a rating's.  When it holds many changes, it writes them
 * as tally_delta_apply does (inside the caller's transaction, which must
 * then be open).  Fails when out of memory or when that write fails. */
int tally_delta_vote(tally_delta *d, const char *unit_code, const char *channel,
                     int64_t cast_utc, int utc_offset, int points, int state, int sign,
                     mp_err *err);

/* Writes the changes counted so far into the tallies on db (the one d was
 * made for), inside the caller's transaction, and empties d. */
int tally_delta_apply(tally_delta *d, sqlite3 *db, mp_err *err);

/* Empties every tally and counts them again from the votes (and
 * vote_excluded), with the migration's own statements; inside a SAVEPOINT,
 * so that a failure leaves them as they were. */
int tally_rebuild(sqlite3 *db, mp_err *err);

/* ---- reading ---- */

/* Windows: local dates "YYYY-MM-DD" (checked by the caller), from <= to,
 * NULL for unbounded.  channel NULL: every channel.  unit NULL: every unit
 * code. */

/* Calls fn once per (unit code, channel) with votes in the window, by unit
 * code then channel. */
typedef int (*tally_unit_fn)(void *user, const char *unit_code, const char *channel,
                             const tally_counts *t);
int tally_each_unit(sqlite3 *db, const char *from, const char *to, const char *channel,
                    const char *unit, tally_unit_fn fn, void *user, mp_err *err);

/* Calls fn once per (unit code, month "YYYY-MM") with votes in the window
 * (the month's days outside it left out), by unit code then month. */
typedef int (*tally_month_fn)(void *user, const char *unit_code, const char *month,
                              const tally_counts *t);
int tally_each_month(sqlite3 *db, const char *from, const char *to, const char *channel,
                     tally_month_fn fn, void *user, mp_err *err);

/* The 不满意 votes in the window of one unit code: by local hour (0-23) and
 * by weekday (0 Monday 一 .. 6 Sunday 日), by state. */
typedef struct tally_spread {
    int64_t hour[24][TALLY_STATES];
    int64_t weekday[7][TALLY_STATES];
} tally_spread;

/* Calls fn once per unit code with 不满意 votes in the window, by code. */
typedef int (*tally_spread_fn)(void *user, const char *unit_code, const tally_spread *s);
int tally_each_spread(sqlite3 *db, const char *from, const char *to, const char *channel,
                      tally_spread_fn fn, void *user, mp_err *err);

#endif

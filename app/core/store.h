/* store.h - the kiosk's vote store (SQLite, WAL, synchronous=FULL).
 *
 * A vote is durable when store_add_vote returns 0: the transaction has been
 * committed and the WAL synced.  Only then may the kiosk thank the citizen.
 */
#ifndef MINPING_STORE_H
#define MINPING_STORE_H

#include "err.h"
#include "rating.h"

#include <stdint.h>

typedef struct store store;

/* Opens (creating and migrating if needed) the database at path. */
int store_open(const char *path, store **out, mp_err *err);
void store_close(store *s);

/* The database's random instance id (32 hex digits). */
const char *store_instance(const store *s);

typedef struct store_vote {
    int64_t seq;
    char uuid[37];
    int64_t cast_utc;
    int utc_offset;
    int points;
    int flagged;
} store_vote;

/* Appends one vote and commits it durably.  `out` (may be NULL) receives the
 * stored row's seq, uuid and time.  On failure nothing is stored. */
int store_add_vote(store *s, const char *unit_code, const char *unit_name, int points,
                   int flagged, int64_t cast_utc, int utc_offset, store_vote *out, mp_err *err);

/* Totals for one unit: counts[i] for RATINGS[i], and flagged votes. */
typedef struct store_totals {
    int64_t counts[RATING_COUNT];
    int64_t flagged;
} store_totals;

/* Fills *out with the totals of unit_code (zeros if it has no votes). */
int store_unit_totals(store *s, const char *unit_code, store_totals *out, mp_err *err);

/* The connection's journal mode as SQLite reports it (e.g. "wal") and its
 * synchronous level (2 = FULL): what the durability promise above rests on. */
int store_durability(store *s, char journal_mode[16], int *synchronous, mp_err *err);

/* Number of votes stored. */
int store_vote_count(store *s, int64_t *out, mp_err *err);

/* One stored vote, every column, as store_each_vote passes it.  The strings
 * belong to the store and are valid only during the callback. */
typedef struct store_vote_row {
    int64_t seq;
    const char *instance;   /* the database's instance id, 32 hex digits */
    const char *uuid;
    int64_t cast_utc;
    int utc_offset;         /* seconds east of UTC */
    const char *unit_code;
    const char *unit_name;
    int points;
    const char *channel;    /* "kiosk" */
    int flagged;
} store_vote_row;

/* Calls fn for every vote in ascending seq, all read in one read transaction
 * so the walk sees one consistent snapshot even while votes are added on
 * another connection.  A non-zero return from fn stops the walk, and
 * store_each_vote fails with "stopped by caller" (fn keeps its own reason
 * in user). */
int store_each_vote(store *s, int (*fn)(void *user, const store_vote_row *row), void *user,
                    mp_err *err);

/* Writes and commits a small record to prove storage works again after a
 * failure (used by the kiosk's out-of-service screen). */
int store_probe(store *s, mp_err *err);

#endif

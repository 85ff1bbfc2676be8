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

/* Opens (creating and migrating if needed) the database at path.
 *
 * A new database is made whole under a temporary name beside path
 * (path + ".creating", removed first if an interrupted start left one: it
 * never held a vote) and only then given its name, so path is either absent
 * or a complete database with its instance id.  An existing database is
 * checked (PRAGMA quick_check) before anything is written to it.
 * Same as store_open_checked(path, out, NULL, err). */
int store_open(const char *path, store **out, mp_err *err);

/* store_open, and on failure *damaged (may be NULL) says whether the reason
 * is damage: 1 when path exists but is not a sound database (not a SQLite
 * file, an empty file, SQLITE_CORRUPT, quick_check not "ok"), or when
 * path-wal exists without path and without another name (a write-ahead log
 * orphaned by someone removing the database); 0 for any other failure
 * (disk full, I/O error, permissions, a newer schema), which a retry may
 * cure.  Nothing is written to a damaged file.  A damaged file is never
 * repaired, replaced or removed here: see store_set_aside. */
int store_open_checked(const char *path, store **out, int *damaged, mp_err *err);
void store_close(store *s);

/* Moves a damaged database out of the way without losing a byte of it:
 * path and path-wal get the names T and T-wal, where T is
 * path + ".damaged-YYYYMMDD-HHMMSS" (local time of now_utc), or with "-2",
 * "-3", ... appended when such a name (or its -wal) exists already; an
 * existing file is never replaced.  path-shm (an index SQLite rebuilds) is
 * removed.  The new names are linked first and the folder synced, and only
 * then are the old names removed (the -wal after the database), so a crash
 * part-way leaves the data under both names or a -wal whose other name
 * keeps it; store_open_checked removes such a leftover -wal (link count
 * above 1).  Works when only path-wal exists.  *moved_to (len bytes)
 * receives T.  Fails, changing nothing it cannot undo, when neither file
 * exists or the folder cannot be written. */
int store_set_aside(const char *path, int64_t now_utc, char *moved_to, size_t len, mp_err *err);

/* Records in s (the database that replaced a damaged one) where the damaged
 * one went, so that staff are told for as long as this database is used. */
int store_set_predecessor(store *s, const char *moved_to, mp_err *err);
/* Copies that record into buf (len bytes); "" when there is none.
 * Returns 0, or -1 when it cannot be read. */
int store_predecessor(store *s, char *buf, size_t len, mp_err *err);

/* Opens the database at path for a program that must go on serving
 * (the kiosk, the survey server): store_open_checked, and when the database
 * is damaged, sets it aside (store_set_aside), starts a new one at path and
 * records there where the old one went (store_set_predecessor).  moved_to
 * (len bytes) gets the damaged database's new name, or "" when nothing was
 * set aside; then damage says what was wrong with it.  warning gets a
 * message ("" none) when the new database could not record its
 * predecessor: it is open and usable, but the staff notice will not survive
 * a restart.  Fails when the database cannot be opened, or is damaged and
 * cannot be moved (then nothing is changed and err says both). */
int store_open_replacing(const char *path, int64_t now_utc, store **out, char *moved_to,
                         size_t len, mp_err *damage, mp_err *warning, mp_err *err);

/* What store_open_salvage could read. */
typedef struct store_salvage_info {
    int64_t rows;            /* votes read (and now in the returned store) */
    int64_t first_seq;       /* lowest and highest seq read; 0 when none */
    int64_t last_seq;
    int64_t missing;         /* seq numbers between them not found */
    int64_t other_instance;  /* records of another instance id, left out */
    int wal_frames;          /* committed frames read from path-wal */
    int page_size;           /* the page size used */
    char instance[33];       /* the instance id the rows are signed as */
} store_salvage_info;

/* Reads every vote that can still be read from the database file at path
 * (and its path-wal, committed frames only) without SQLite and without
 * writing anything: the file is opened read-only and parsed page by page,
 * so a truncated, partly zeroed or partly overwritten file yields the
 * records that survive.  A record counts as a vote only when every column
 * has the form the kiosk stores.  The votes are put, with their own seq,
 * uuid and times, into a new in-memory store whose instance id is the old
 * database's (from its meta table, else the one most of its votes carry),
 * so store_each_vote and export_write work on it as on the live store; it
 * refuses store_add_vote.  info (may be NULL) says what was read.  Fails
 * when neither path nor path-wal can be read, or when no vote can be. */
int store_open_salvage(const char *path, store **out, store_salvage_info *info, mp_err *err);

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

/* The health report's figures (store_health.c).  The last export is noted
 * in the meta table: its time and the highest seq there was before it. */
int store_note_export(store *s, int64_t utc, int64_t last_seq, mp_err *err);
/* *utc: the last export's time (0: never); *since: votes after it (all
 * votes when never). */
int store_last_export(store *s, int64_t *utc, int64_t *since, mp_err *err);
int store_max_seq(store *s, int64_t *seq, mp_err *err);
/* Votes of unit_code (NULL: every unit) cast, by the kiosk's local time,
 * since day_start_local and month_start_local, and in total: out[0..2]. */
int store_health_counts(store *s, const char *unit_code, int64_t day_start_local,
                        int64_t month_start_local, int64_t out[3], mp_err *err);
/* Votes cast at or after since_utc. */
int store_votes_since(store *s, int64_t since_utc, int64_t *n, mp_err *err);
/* When the database was made, and the latest vote's time (0: none). */
int store_time_bounds(store *s, int64_t *created_utc, int64_t *latest_vote_utc, mp_err *err);
/* The database's size (its pages), in bytes. */
int store_size_bytes(store *s, int64_t *bytes, mp_err *err);

#endif

/* store_int.h - the inside of the kiosk's vote store (store.h), shared by
 * its files (store.c, store_aside.c, store_salvage.c), by benchmark programs
 * (tests/bench/bench_votes.c wraps runs of store_add_vote in its own
 * BEGIN/COMMIT on db, so that a million votes do not take a million fsyncs)
 * and by the salvage fuzz target.  The kiosk and the office never include
 * this header: they use store.h alone. */
#ifndef MINPING_STORE_INT_H
#define MINPING_STORE_INT_H

#include "store.h"

#include <sqlite3.h>

struct store {
    sqlite3 *db;
    sqlite3_stmt *insert; /* store_add_vote's statement; NULL in a salvaged (read-only) store */
    char instance[33];
};

/* Runs sql (no result rows) on db; the message is SQLite's. */
int store_exec(sqlite3 *db, const char *sql, mp_err *err);

/* Removes path if it exists; fails for anything but "not there". */
int store_remove_if_there(const char *path, mp_err *err);

/* store_open_salvage on bytes already read: db (dblen bytes, may be NULL
 * when 0) is the database file, wal (wallen, may be NULL when 0) its
 * write-ahead log; name is only used in messages.  Reads nothing else. */
int store_salvage_bytes(const unsigned char *db, size_t dblen, const unsigned char *wal,
                        size_t wallen, const char *name, store **out, store_salvage_info *info,
                        mp_err *err);

#endif

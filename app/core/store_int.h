/* store_int.h - the inside of the kiosk's vote store (store.h), for
 * store.c and for benchmark programs only (tests/bench/bench_votes.c wraps
 * runs of store_add_vote in its own BEGIN/COMMIT on db, so that a million
 * votes do not take a million fsyncs).  The kiosk and the office never
 * include this header: they use store.h alone. */
#ifndef MINPING_STORE_INT_H
#define MINPING_STORE_INT_H

#include "store.h"

#include <sqlite3.h>

struct store {
    sqlite3 *db;
    sqlite3_stmt *insert; /* store_add_vote's statement; NULL in a salvaged (read-only) store */
    char instance[33];
};

#endif

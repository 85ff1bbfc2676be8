/* ledger_int.h - what the files of the vote ledger share (ledger_import.c,
 * ledger_query.c, ledger_ranges.c); nothing outside the ledger includes it. */
#ifndef MINPING_LEDGER_INT_H
#define MINPING_LEDGER_INT_H

#include "err.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* "office database: <SQLite's message>"; returns -1. */
int ledger_db_fail(sqlite3 *db, mp_err *err);

/* Column i of the current row as text, "" for NULL. */
const char *ledger_text_col(sqlite3_stmt *st, int i);

/* Binds s to parameter i, or NULL when s is NULL. */
void ledger_bind_opt(sqlite3_stmt *st, int i, const char *s);

/* A list of seq ranges as text, "3-4, 9, 12-20", the one form every list of
 * seqs the ledger writes takes: absent votes, gaps, clock warnings.  Ranges
 * come in ascending order (a range that continues the one before joins
 * it); a head ("; 1a2b3c4d: ") starts a group.  The text lives in a buffer
 * of the caller's; when the next piece would not fit, " …" ends it and the
 * rest is left out.  With max_ranges > 0, ranges after that many are
 * counted instead, and ledger_ranges_end says ", … and N more ranges". */
typedef struct ledger_ranges {
    char *buf;
    size_t cap, len;
    int max_ranges;
    int64_t shown, more;  /* ranges written, ranges left out by max_ranges */
    int in_group;         /* ranges written since the list or its last head began */
    int full;             /* cut: " …" written */
    int64_t from, to;     /* the range being collected; from == 0 when none */
} ledger_ranges;

/* Starts an empty list in buf (cap bytes, at least 8). */
void ledger_ranges_init(ledger_ranges *r, char *buf, size_t cap, int max_ranges);
/* Adds the seqs from..to (1 <= from <= to), above any added before. */
void ledger_ranges_add(ledger_ranges *r, int64_t from, int64_t to);
/* Ends the range being collected: the next one is not joined to it. */
void ledger_ranges_break(ledger_ranges *r);
/* Ends the range being collected and writes head, starting a group. */
void ledger_ranges_head(ledger_ranges *r, const char *head);
/* Ends the range being collected and, with ranges left out, the list. */
void ledger_ranges_end(ledger_ranges *r);

#endif

/* review.h - the review of votes (申诉复核): excluding votes from the score
 * and restoring them, each decision a record that is never changed or
 * deleted (vote_exclusions, db/office/007-tallies.sql).  The votes
 * themselves never change.
 *
 * A selector names one kiosk database instance, a range of its seq numbers
 * and optionally "its flagged votes only" (a whole burst of 疑似刷票).  A
 * vote is excluded when the latest record whose selector covers it is an
 * exclusion: a vote imported after an exclusion that covers it is excluded
 * as it arrives (ledger_import.c).  Each record counts the votes its
 * selector covered when it was made and how many of them it changed;
 * a selector that covers no vote, or changes none, is refused and nothing
 * is recorded.  Excluded votes are left out of every count and score and
 * counted apart (tally.h).
 */
#ifndef MINPING_REVIEW_H
#define MINPING_REVIEW_H

#include "err.h"

#include <sqlite3.h>
#include <stdint.h>

/* Which votes a record covers. */
typedef struct review_selector {
    const char *kiosk_id;
    const char *instance;   /* the kiosk database's instance id or a prefix of it (as
                               reports show it: 8 hex digits); NULL: the kiosk's only one */
    int64_t seq_from, seq_to; /* 1 <= seq_from <= seq_to; REVIEW_SEQ_ALL: no bound */
    int flagged_only;       /* only its flagged votes (--flagged) */
} review_selector;

#define REVIEW_SEQ_ALL INT64_MAX

/* One record of vote_exclusions. */
typedef struct review_record {
    int64_t id;
    int exclude;            /* 1 exclusion, 0 restore */
    const char *kiosk_id, *instance;
    int64_t seq_from, seq_to;
    int flagged_only;
    const char *reason, *by;
    int64_t at_utc;
    int64_t votes, changed;
} review_record;

/* What review_add recorded. */
typedef struct review_result {
    int64_t id;             /* the record's id */
    char instance[33];      /* the instance the selector named, in full */
    int64_t votes, changed; /* votes covered; of those, votes changed */
} review_result;

/* Records an exclusion (exclude 1) or a restore (0) of the votes sel
 * covers, in one transaction with vote_excluded and the tallies.  reason
 * and by must not be empty.  Fails, recording nothing, for a kiosk not
 * provisioned here, an instance that is not the kiosk's (or ambiguous), a
 * selector that covers no vote, or one that changes no vote (all excluded
 * already; none excluded to restore).  *out (may be NULL) gets the result. */
int review_add(sqlite3 *db, const review_selector *sel, int exclude, const char *reason,
               const char *by, int64_t now_utc, review_result *out, mp_err *err);

typedef int (*review_fn)(void *user, const review_record *r);

/* Every record, oldest first (kiosk_id NULL: all; else that kiosk's). */
int review_each(sqlite3 *db, const char *kiosk_id, review_fn fn, void *user, mp_err *err);

/* Per unit code and exclusion record, the votes excluded now whose local
 * date is in the window (from/to "YYYY-MM-DD" or NULL; channel NULL: all),
 * by unit code then record id. */
typedef int (*review_unit_fn)(void *user, const char *unit_code, int64_t exclusion_id,
                              int64_t votes);
int review_each_unit(sqlite3 *db, const char *from, const char *to, const char *channel,
                     review_unit_fn fn, void *user, mp_err *err);

#endif

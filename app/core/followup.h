/* followup.h - follow-up records: the reasons (and an optional comment) a
 * citizen gives after a vote, attached to that vote and never counted as a
 * vote.  Stored in the vote store (table followups, db/kiosk/002-online.sql),
 * append-only, at most one per vote.  The survey server writes them for its
 * own online votes; the kiosk's reason buttons and the follow-up of a kiosk
 * vote through its thank-you QR code use the same record (vote_kiosk names
 * the kiosk whose vote it follows; "" is a vote of this database).
 */
#ifndef MINPING_FOLLOWUP_H
#define MINPING_FOLLOWUP_H

#include "err.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

enum {
    FOLLOWUP_COMMENT_MAX_CHARS = 200,
    /* Room for a comment of 200 characters of up to 4 bytes each. */
    FOLLOWUP_COMMENT_BYTES = FOLLOWUP_COMMENT_MAX_CHARS * 4 + 1,
    FOLLOWUP_REASONS_MAX = 12,
};

typedef struct followup_in {
    int64_t vote_seq;             /* a vote of this database */
    const char *const *reasons;   /* labels as shown, none containing '|' */
    size_t n_reasons;
    const char *comment;          /* followup_clean_comment's output; "" none */
    const char *channel;          /* "online" or "kiosk" */
    int64_t created_utc;
    int utc_offset;
} followup_in;

typedef enum followup_result {
    FOLLOWUP_STORED = 0,
    FOLLOWUP_DUPLICATE = 1,   /* the vote has a follow-up already: nothing stored */
    FOLLOWUP_NO_VOTE = 2,     /* no such vote in this database: nothing stored */
} followup_result;

/* Stores the follow-up of own vote in->vote_seq (its unit and rating are
 * copied from the vote).  Inside a transaction (store_tx.h) it is stored by
 * the commit; outside one it commits by itself.  *res says what happened
 * when the call returns 0; -1 is a storage failure or malformed input. */
int followup_add(store *s, const followup_in *in, followup_result *res, mp_err *err);

/* A vote of a kiosk (not of this database), as its follow-up token names
 * it (fu_token.h). */
typedef struct followup_kiosk_vote {
    const char *kiosk, *instance;
    int64_t seq;
    const char *unit_code;
    int points;
} followup_kiosk_vote;

/* Stores the follow-up of kiosk vote v (in->vote_seq is ignored): a
 * follow-up record with vote_kiosk = v->kiosk, never a vote.  *res is
 * FOLLOWUP_DUPLICATE when that vote has one already. */
int followup_add_kiosk(store *s, const followup_kiosk_vote *v, const followup_in *in,
                       followup_result *res, mp_err *err);

/* *yes = 1 when the vote (kiosk "" for this database's own) has a
 * follow-up stored. */
int followup_exists(store *s, const char *kiosk, const char *instance, int64_t seq, int *yes,
                    mp_err *err);

/* Makes a comment fit to store: CR, LF and TAB become spaces, spaces at
 * either end are dropped, and the result must be valid UTF-8 without other
 * control characters and at most FOLLOWUP_COMMENT_MAX_CHARS characters.
 * out gets FOLLOWUP_COMMENT_BYTES.  Fails with a reason otherwise. */
int followup_clean_comment(const char *in, size_t len, char out[FOLLOWUP_COMMENT_BYTES],
                           mp_err *err);

/* One stored follow-up, as followup_each passes it (strings valid only
 * during the call). */
typedef struct followup_row {
    int64_t seq;
    const char *instance, *uuid;
    int64_t created_utc;
    int utc_offset;
    const char *vote_kiosk, *vote_instance;
    int64_t vote_seq;
    const char *unit_code;
    int points;
    const char *reasons;   /* joined by '|' */
    const char *comment;
    const char *channel;
} followup_row;

/* Calls fn for each follow-up in ascending seq (one read transaction); a
 * non-zero return stops the walk and fails. */
int followup_each(store *s, int (*fn)(void *user, const followup_row *row), void *user,
                  mp_err *err);

/* Number of follow-ups stored. */
int followup_count(store *s, int64_t *out, mp_err *err);

#endif

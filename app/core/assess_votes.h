/* assess_votes.h - the votes behind item 五 民主测评 of a unit's assessment.
 *
 * Counts a unit's votes in the ledger (the office database's votes table,
 * db/office/003-ledger.sql) whose local date (the kiosk's cast_utc +
 * utc_offset, as the report counts them) lies in the assessment year, by
 * rating, under the rubric's settings: flagged votes left out unless
 * votes_flagged = include, only the listed channels unless votes_channels =
 * all, and never the votes excluded on review (review.h).  The counts come
 * from the tallies (tally.h).  The score is score_compute's: the very
 * 民主测评得分 the report shows for the same votes.
 */
#ifndef MINPING_ASSESS_VOTES_H
#define MINPING_ASSESS_VOTES_H

#include "err.h"
#include "rating.h"
#include "rubric.h"
#include "score.h"

#include <sqlite3.h>
#include <stdint.h>

typedef struct assess_votes {
    int64_t counts[RATING_COUNT]; /* the votes counted, by RATINGS order */
    int64_t flagged_left_out;     /* flagged votes not counted (votes_flagged = exclude) */
    int64_t channel_left_out;     /* votes of channels not counted */
    int64_t excluded_left_out;    /* votes of the channels counted excluded on review
                                     (minping-office votes exclude, review.h) */
    score s;                      /* score_compute of counts */
} assess_votes;

/* The votes of unit dated in year, under settings s. */
int assess_votes_unit(sqlite3 *db, const char *unit, int year, const rubric_settings *s,
                      assess_votes *out, mp_err *err);

#endif

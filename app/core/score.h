/* score.h - the 民主测评 score of a unit, computed exactly.
 *
 * Section 五 of the assessment rules gives each satisfaction level its points:
 * 非常满意 10, 基本满意 8, 一般 6, 不满意 0.  A unit's score is the mean:
 *
 *     score = (10·非常满意 + 8·基本满意 + 6·一般 + 0·不满意) / 有效票数
 *
 * rounded half up to two decimals (7.125 -> 7.13).  Only integers are used,
 * so the result is the one a person gets by hand, never a binary-float
 * neighbour of it.
 */
#ifndef MINPING_SCORE_H
#define MINPING_SCORE_H

#include "err.h"
#include "rating.h"

#include <stddef.h>
#include <stdint.h>

/* More votes than this for one unit are refused (keeps every product in
 * range of int64_t with room to spare). */
#define SCORE_VOTES_MAX INT64_C(1000000000000)

/* Room for any text score_format or score_format_quotient writes. */
enum { SCORE_TEXT_MAX = 48 };

typedef struct score {
    int64_t votes;      /* 有效票数: the sum of the counts */
    int64_t points;     /* 10·a + 8·b + 6·c + 0·d */
    int64_t hundredths; /* the score ×100, rounded half up; 0 when votes == 0 */
} score;

/* Computes the score of counts[i] votes at level RATINGS[i].  A unit without
 * votes gets votes == 0 (it has no score; show it blank).  Fails on a
 * negative count or more than SCORE_VOTES_MAX votes. */
int score_compute(const int64_t counts[RATING_COUNT], score *out, mp_err *err);

/* Writes the score as "7.33" (always two decimals), or "" when s has no
 * votes, into buf (at least SCORE_TEXT_MAX bytes). */
void score_format(const score *s, char *buf, size_t len);

/* Writes num / den (both >= 0, den > 0) in decimal with `decimals` digits
 * after the point, cut off, not rounded, followed by "…" when digits were
 * cut off: 22 / 3 with 4 decimals is "7.3333…", 29 / 4 is "7.2500".  This is
 * the exact value the rounding is applied to, for showing the working. */
void score_format_quotient(int64_t num, int64_t den, int decimals, char *buf, size_t len);

#endif

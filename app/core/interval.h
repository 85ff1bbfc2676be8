/* interval.h - the 95 % confidence interval of a unit's 民主测评 score.
 *
 * A vote is worth 0, 6, 8 or 10 points, so a unit's score is the mean of n
 * values in [0, 10].  The interval is the Chernoff–Hoeffding relative-entropy
 * interval (Hoeffding 1963, "Probability inequalities for sums of bounded
 * random variables", JASA 58, Theorem 1; the same bound is the KL confidence
 * bound of Garivier & Cappé 2011): with m the mean rescaled to [0, 1],
 *
 *     KL(m ‖ q) = m·ln(m/q) + (1−m)·ln((1−m)/(1−q))
 *
 * the interval is every q with n·KL(m ‖ q) ≤ ln(2/α), α = 0.05, scaled back
 * by 10.  For every distribution on [0, 10] and every n ≥ 1 each side fails
 * with probability at most α/2, so it covers the unit's true mean with
 * probability at least 95 %: no large-sample approximation, no assumption
 * on the shape (all votes 10 gives a lower bound below 10, one vote gives
 * nearly all of [0, 10]).  It needs only the number of votes and the points,
 * so it is computed from counts per rating, in constant time for any count.
 * The derivation and the coverage measured are in docs/statistics.md.
 */
#ifndef MINPING_INTERVAL_H
#define MINPING_INTERVAL_H

#include "score.h"

#include <stddef.h>
#include <stdint.h>

/* A score resting on fewer valid votes than this is marked as uncertain. */
enum { INTERVAL_FEW_VOTES = 30 };

/* Room for any text interval_format writes. */
enum { INTERVAL_TEXT_MAX = 2 * SCORE_TEXT_MAX + 8 };

typedef struct score_interval {
    int64_t votes;         /* the score's 有效票数; 0: no interval */
    int64_t lo_hundredths; /* the bounds ×100, rounded outwards: the lower one */
    int64_t hi_hundredths; /* down, the upper one up (0 <= lo <= hi <= 1000) */
} score_interval;

/* The bounds in [0, 1] of the interval for the mean m (0 <= m <= 1) of n >= 1
 * values in [0, 1], at confidence 1 − alpha (0 < alpha < 1): every q with
 * n·KL(m ‖ q) <= ln(2/alpha).  *lo <= m <= *hi; accurate to 1e-12. */
void interval_kl_bounds(double m, int64_t n, double alpha, double *lo, double *hi);

/* The 95 % interval of score s (score_compute's); votes == 0 when s has no
 * votes. */
void interval_of_score(const score *s, score_interval *out);

/* 1 when the score rests on at least one but fewer than INTERVAL_FEW_VOTES
 * votes. */
int interval_few_votes(const score *s);

/* Writes "7.12–8.40" (two decimals each), or "" without votes, into buf (at
 * least INTERVAL_TEXT_MAX bytes). */
void interval_format(const score_interval *iv, char *buf, size_t len);

/* Writes one bound ("7.12"; which: 0 the lower, 1 the upper), or "" without
 * votes, into buf (at least SCORE_TEXT_MAX bytes). */
void interval_format_bound(const score_interval *iv, int which, char *buf, size_t len);

#endif

/* vote.h - vote rules that do not touch storage: burst (ballot-stuffing)
 * detection on a monotonic clock.
 *
 * A vote is flagged when it is the (limit+1)-th or later vote within any
 * window of `window_s` seconds: the `limit` votes before it all fall inside
 * the window ending at it.  Flagged votes are stored all the same.
 */
#ifndef MINPING_VOTE_H
#define MINPING_VOTE_H

#include <stdint.h>

typedef struct vote_burst vote_burst;

/* limit >= 1, window_s >= 1.  Returns NULL on out-of-memory. */
vote_burst *vote_burst_create(int limit, int window_s);
void vote_burst_destroy(vote_burst *b);

/* Would a vote at now_ms be flagged?  Does not record it. */
int vote_burst_check(const vote_burst *b, int64_t now_ms);
/* Records a vote cast (and stored) at now_ms. */
void vote_burst_record(vote_burst *b, int64_t now_ms);

#endif

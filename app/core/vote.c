/* vote.c - burst detection with a ring of the last `limit` vote times. */
#include "vote.h"

#include <stdlib.h>

struct vote_burst {
    int limit;
    int64_t window_ms;
    int count;       /* votes recorded, capped at limit */
    int next;        /* ring slot for the next vote */
    int64_t times[]; /* limit entries */
};

vote_burst *vote_burst_create(int limit, int window_s)
{
    if (limit < 1 || window_s < 1)
        return NULL;
    vote_burst *b = calloc(1, sizeof *b + (size_t)limit * sizeof b->times[0]);
    if (!b)
        return NULL;
    b->limit = limit;
    b->window_ms = (int64_t)window_s * 1000;
    return b;
}

void vote_burst_destroy(vote_burst *b)
{
    free(b);
}

int vote_burst_check(const vote_burst *b, int64_t now_ms)
{
    if (b->count < b->limit)
        return 0;
    /* The oldest of the last `limit` votes sits in the slot to be overwritten. */
    int64_t oldest = b->times[b->next];
    return now_ms - oldest < b->window_ms;
}

void vote_burst_record(vote_burst *b, int64_t now_ms)
{
    b->times[b->next] = now_ms;
    b->next = (b->next + 1) % b->limit;
    if (b->count < b->limit)
        b->count++;
}

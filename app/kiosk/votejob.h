/* votejob.h - storing a vote on a worker thread, so that the main thread
 * can draw the thank-you frame while the disk syncs.
 *
 * The kiosk thanks a citizen only once the vote is durable: the frame drawn
 * meanwhile stays in the back buffer and is presented only after
 * vote_job_finish reports the vote stored (if it fails, the out-of-service
 * frame replaces it unseen).  Between start and finish the main thread must
 * not use the store.
 */
#ifndef MINPING_VOTEJOB_H
#define MINPING_VOTEJOB_H

#include "err.h"
#include "store.h"

#include <pthread.h>
#include <stdint.h>

typedef struct vote_job {
    /* What store_add_vote is given (the strings must outlive the job). */
    store *store;
    const char *unit_code, *unit_name;
    int points, flagged;
    int64_t cast_utc;
    int utc_offset;
    /* What it gave back. */
    int rc;
    store_vote vote;
    mp_err err;
    pthread_t thread;
    int threaded;   /* 1 while a worker thread runs it */
} vote_job;

/* Starts storing the vote described in *j.  When no thread can be started
 * the vote is stored right here instead.  Either way, call vote_job_finish. */
void vote_job_start(vote_job *j);

/* Waits for the vote, then returns store_add_vote's result: 0 with *out
 * filled, or -1 with the reason in *err. */
int vote_job_finish(vote_job *j, store_vote *out, mp_err *err);

#endif

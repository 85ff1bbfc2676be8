/* votejob.h - storing a vote on a worker thread, so that the main thread
 * can draw the thank-you frame while the disk syncs.
 *
 * The kiosk thanks a citizen only once the vote is durable: the frame drawn
 * meanwhile stays in the back buffer and is presented only after
 * vote_job_finish reports the vote stored (if it fails, the out-of-service
 * frame replaces it unseen).  Between start and finish the main thread must
 * not use the store.  One worker thread lives as long as the app and waits
 * for jobs: starting a thread for each vote would cost more than the overlap
 * saves.
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
} vote_job;

typedef struct vote_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    vote_job *job;   /* handed over, not yet done */
    int done;        /* the job handed over is done */
    int quit;
    int running;     /* the thread exists */
} vote_worker;

/* Starts the worker thread.  When it cannot be started, jobs simply run on
 * the caller's thread (the kiosk works the same, only without the overlap). */
void vote_worker_start(vote_worker *w);
/* Ends the worker thread (after the job it may be running). */
void vote_worker_stop(vote_worker *w);

/* Starts storing the vote described in *j, on the worker or right here. */
void vote_job_start(vote_worker *w, vote_job *j);

/* Waits for the vote, then returns store_add_vote's result: 0 with *out
 * filled, or -1 with the reason in *err. */
int vote_job_finish(vote_worker *w, vote_job *j, store_vote *out, mp_err *err);

#endif

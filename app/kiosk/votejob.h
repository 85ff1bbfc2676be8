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
#include "followup.h"
#include "store.h"
#include "worker.h"

#include <stdint.h>

/* What a job stores: a vote (store_add_vote), or the follow-up of one
 * (followup_add: a reason tapped on the thank-you screen). */
typedef enum vote_job_kind { VOTE_JOB_VOTE = 0, VOTE_JOB_FOLLOWUP = 1 } vote_job_kind;

typedef struct vote_job {
    vote_job_kind kind;
    /* What store_add_vote is given (the strings must outlive the job). */
    store *store;
    const char *unit_code, *unit_name;
    int points, flagged;
    int64_t cast_utc;
    int utc_offset;
    /* VOTE_JOB_FOLLOWUP: what followup_add is given (store above; it must
     * outlive the job). */
    const followup_in *followup;
    /* What it gave back. */
    int rc;
    store_vote vote;               /* VOTE_JOB_VOTE */
    followup_result followup_res;  /* VOTE_JOB_FOLLOWUP */
    mp_err err;
} vote_job;

typedef struct vote_worker {
    worker_thread t;
    vote_job *job;   /* under t.mu: handed over, not yet done */
    int done;        /* under t.mu: the job handed over is done */
    int running;     /* the thread exists */
} vote_worker;

/* Starts the worker thread.  When it cannot be started, jobs simply run on
 * the caller's thread (the kiosk works the same, only without the overlap). */
void vote_worker_start(vote_worker *w);
/* Ends the worker thread (after the job it may be running). */
void vote_worker_stop(vote_worker *w);

/* Starts storing the vote described in *j, on the worker or right here. */
void vote_job_start(vote_worker *w, vote_job *j);

/* Waits for the job, then returns its result: 0 with *out filled (a vote;
 * out may be NULL for a follow-up, whose outcome is j->followup_res), or -1
 * with the reason in *err.  A follow-up job returns 0 only once
 * followup_add has committed (or found the vote's follow-up there). */
int vote_job_finish(vote_worker *w, vote_job *j, store_vote *out, mp_err *err);

#endif

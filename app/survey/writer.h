/* writer.h - the survey's one writer: every vote and follow-up goes through
 * one thread that owns the store, and all those waiting when it starts a
 * commit are committed together (one transaction, one sync; each in its own
 * savepoint, so one refused job does not undo the others).  writer_run
 * returns only after the job's own commit has completed (or failed): a
 * vote may be acknowledged once it returns 0 with job->stored set.
 */
#ifndef MINPING_SURVEY_WRITER_H
#define MINPING_SURVEY_WRITER_H

#include "err.h"
#include "followup.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

typedef struct writer writer;

typedef enum writer_kind {
    WRITER_VOTE,
    WRITER_FOLLOWUP,        /* of an online vote of this database */
    WRITER_KIOSK_FOLLOWUP,  /* of a kiosk vote (kiosk_vote), from its token */
    WRITER_KIOSK_USED,      /* only asks: has kiosk_vote a follow-up? (used) */
} writer_kind;

typedef struct writer_job {
    writer_kind kind;
    /* WRITER_VOTE */
    const char *unit_code, *unit_name;
    int points;
    const char *browser;   /* the browser's salted hash, or NULL: no cookie */
    int address_over;      /* the client address is over its hourly count: flag */
    /* WRITER_FOLLOWUP: vote_seq, reasons, comment (channel and time are set here) */
    followup_in followup;
    /* WRITER_KIOSK_FOLLOWUP, WRITER_KIOSK_USED */
    followup_kiosk_vote kiosk_vote;
    int used;

    /* Results. */
    int stored;                 /* 1: committed */
    store_vote vote;            /* the vote stored (seq, uuid, flagged) */
    followup_result followup_res;
    mp_err err;                 /* why not, when not */

    /* The writer's own. */
    int done;
    struct writer_job *next;
} writer_job;

/* Starts the writer thread on s (which it uses alone from now on until
 * writer_destroy).  max_queue bounds the jobs waiting; NULL on failure. */
writer *writer_create(store *s, size_t max_queue, mp_err *err);
/* Commits what is queued, then stops the thread.  The store stays open. */
void writer_destroy(writer *w);

/* Queues job and waits for its commit.  Returns 0 when the job ran (see
 * job->stored and job->followup_res), -1 when it could not be stored (the
 * store failed: job->err says why) or the queue is full (*busy set). */
int writer_run(writer *w, writer_job *job, int *busy);

/* Commits so far, and the jobs they carried (for tests and the log). */
void writer_stats(writer *w, int64_t *commits, int64_t *jobs);

#endif

/* votejob.c - store_add_vote and followup_add on a worker thread (see
 * votejob.h). */
#include "votejob.h"

#include <sched.h>

static void run(vote_job *j)
{
    if (j->kind == VOTE_JOB_FOLLOWUP) {
        j->rc = followup_add(j->store, j->followup, &j->followup_res, &j->err);
        return;
    }
    j->rc = store_add_vote(j->store, j->unit_code, j->unit_name, j->points, j->flagged,
                           j->cast_utc, j->utc_offset, &j->vote, &j->err);
}

static void *worker(void *arg)
{
    vote_worker *w = arg;
    pthread_mutex_lock(&w->t.mu);
    for (;;) {
        while (!w->t.quit && (!w->job || w->done))
            pthread_cond_wait(&w->t.cv, &w->t.mu);
        if (w->t.quit)
            break;
        vote_job *j = w->job;
        pthread_mutex_unlock(&w->t.mu);
        run(j);
        pthread_mutex_lock(&w->t.mu);
        w->done = 1;
        pthread_cond_broadcast(&w->t.cv);
    }
    pthread_mutex_unlock(&w->t.mu);
    return NULL;
}

void vote_worker_start(vote_worker *w)
{
    *w = (vote_worker){0};
    w->running = worker_thread_start(&w->t, worker, w) == 0;
}

void vote_worker_stop(vote_worker *w)
{
    if (!w->running)
        return;
    worker_thread_stop(&w->t);
    w->running = 0;
}

void vote_job_start(vote_worker *w, vote_job *j)
{
    if (!w->running) {
        run(j);
        return;
    }
    pthread_mutex_lock(&w->t.mu);
    w->job = j;
    w->done = 0;
    pthread_cond_broadcast(&w->t.cv);
    pthread_mutex_unlock(&w->t.mu);
    /* Let the worker run now: woken on this CPU it would otherwise wait for
     * the scheduler to preempt the drawing, while what it has to do is
     * mostly to start the write and wait for the disk. */
    sched_yield();
}

int vote_job_finish(vote_worker *w, vote_job *j, store_vote *out, mp_err *err)
{
    if (w->running) {
        pthread_mutex_lock(&w->t.mu);
        while (!w->done)
            pthread_cond_wait(&w->t.cv, &w->t.mu);
        w->job = NULL;
        w->done = 0;
        pthread_mutex_unlock(&w->t.mu);
    }
    if (j->rc < 0) {
        *err = j->err;
        return -1;
    }
    if (out)
        *out = j->vote;
    return 0;
}

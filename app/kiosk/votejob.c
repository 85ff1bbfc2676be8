/* votejob.c - store_add_vote and followup_add on a worker thread (see
 * votejob.h). */
#include "votejob.h"

#include <sched.h>
#include <signal.h>

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
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->quit && (!w->job || w->done))
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit)
            break;
        vote_job *j = w->job;
        pthread_mutex_unlock(&w->mu);
        run(j);
        pthread_mutex_lock(&w->mu);
        w->done = 1;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void vote_worker_start(vote_worker *w)
{
    *w = (vote_worker){0};
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return;
    if (pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        return;
    }
    /* Signals (SIGTERM) are for the main thread's loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    w->running = pthread_create(&w->thread, NULL, worker, w) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!w->running) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
    }
}

void vote_worker_stop(vote_worker *w)
{
    if (!w->running)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->running = 0;
}

void vote_job_start(vote_worker *w, vote_job *j)
{
    if (!w->running) {
        run(j);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->job = j;
    w->done = 0;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    /* Let the worker run now: woken on this CPU it would otherwise wait for
     * the scheduler to preempt the drawing, while what it has to do is
     * mostly to start the write and wait for the disk. */
    sched_yield();
}

int vote_job_finish(vote_worker *w, vote_job *j, store_vote *out, mp_err *err)
{
    if (w->running) {
        pthread_mutex_lock(&w->mu);
        while (!w->done)
            pthread_cond_wait(&w->cv, &w->mu);
        w->job = NULL;
        w->done = 0;
        pthread_mutex_unlock(&w->mu);
    }
    if (j->rc < 0) {
        *err = j->err;
        return -1;
    }
    if (out)
        *out = j->vote;
    return 0;
}

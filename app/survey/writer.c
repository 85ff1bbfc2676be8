/* writer.c - one thread commits every vote and follow-up (writer.h). */
#include "writer.h"
#include "clock.h"
#include "log.h"
#include "store_tx.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH_MAX = 512 };

struct writer {
    store *s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    writer_job *head, *tail;
    size_t queued, max_queue;
    int stop;
    int64_t commits, jobs;
    int64_t last_prune_utc;
};

/* "YYYY-MM-DD" of t shifted by offset. */
static void local_day(int64_t t, int offset, char out[16])
{
    char buf[32];
    clock_format_offset(t, offset, buf, sizeof buf);
    snprintf(out, 16, "%.10s", buf);
}

static int run_vote(writer *w, writer_job *j, int64_t now, int offset)
{
    int seen = 0;
    if (j->browser) {
        char day[16];
        local_day(now, offset, day);
        if (store_tx_mark_browser(w->s, day, j->unit_code, j->browser, &seen, &j->err) < 0)
            return -1;
    }
    return store_tx_add_vote(w->s, "online", j->unit_code, j->unit_name, j->points,
                             seen || j->address_over, now, offset, &j->vote, &j->err);
}

static int run_followup(writer *w, writer_job *j, int64_t now, int offset)
{
    j->followup.channel = "online";
    j->followup.created_utc = now;
    j->followup.utc_offset = offset;
    return followup_add(w->s, &j->followup, &j->followup_res, &j->err);
}

static int run_kiosk_followup(writer *w, writer_job *j, int64_t now, int offset)
{
    j->followup.channel = "online";
    j->followup.created_utc = now;
    j->followup.utc_offset = offset;
    return followup_add_kiosk(w->s, &j->kiosk_vote, &j->followup, &j->followup_res, &j->err);
}

static int run_job(writer *w, writer_job *j, int64_t now, int offset)
{
    switch (j->kind) {
    case WRITER_VOTE: return run_vote(w, j, now, offset);
    case WRITER_FOLLOWUP: return run_followup(w, j, now, offset);
    case WRITER_KIOSK_FOLLOWUP: return run_kiosk_followup(w, j, now, offset);
    case WRITER_KIOSK_USED:
        return followup_exists(w->s, j->kiosk_vote.kiosk, j->kiosk_vote.instance,
                               j->kiosk_vote.seq, &j->used, &j->err);
    }
    return mp_fail(&j->err, "unknown job");
}

static void prune(writer *w, int64_t now, int offset)
{
    if (now - w->last_prune_utc < 3600)
        return;
    w->last_prune_utc = now;
    char day[16];
    local_day(now - 2 * 86400, offset, day);
    mp_err err;
    if (store_tx_prune_marks(w->s, day, &err) < 0)
        log_warn("cannot remove old browser marks: %s", err.msg);
}

/* Runs one batch: every job in its savepoint, one commit for all. */
static void commit_batch(writer *w, writer_job *batch)
{
    int64_t now = clock_utc_now();
    int offset = clock_utc_offset(now);
    mp_err err;
    int began = store_tx_begin(w->s, &err) == 0;
    int any = 0;
    for (writer_job *j = batch; j; j = j->next) {
        j->stored = 0;
        if (!began) {
            j->err = err;
            continue;
        }
        if (store_tx_mark(w->s, &j->err) < 0)
            continue;
        int rc = run_job(w, j, now, offset);
        if (rc < 0) {
            store_tx_undo(w->s);
            continue;
        }
        if (store_tx_release(w->s, &j->err) < 0) {
            store_tx_undo(w->s);
            continue;
        }
        j->stored = 1;
        any = 1;
    }
    if (began && any)
        prune(w, now, offset);
    if (began && store_tx_commit(w->s, &err) < 0) {
        for (writer_job *j = batch; j; j = j->next)
            if (j->stored) {
                j->stored = 0;
                j->err = err;
            }
    }
    if (!began)
        log_error("votes not stored: %s", err.msg);
}

static void *thread_main(void *arg)
{
    writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &w->lock);
        if (!w->head && w->stop)
            break;
        /* Take up to BATCH_MAX jobs. */
        writer_job *batch = w->head, *last = batch;
        size_t n = 1;
        while (last->next && n < BATCH_MAX) {
            last = last->next;
            n++;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        w->queued -= n;
        pthread_mutex_unlock(&w->lock);

        commit_batch(w, batch);

        pthread_mutex_lock(&w->lock);
        w->commits++;
        w->jobs += (int64_t)n;
        for (writer_job *j = batch, *next; j; j = next) {
            next = j->next;
            j->done = 1;
        }
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

writer *writer_create(store *s, size_t max_queue, mp_err *err)
{
    writer *w = calloc(1, sizeof *w);
    if (!w) {
        mp_fail(err, "out of memory");
        return NULL;
    }
    w->s = s;
    w->max_queue = max_queue;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->done, NULL);
    if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
        mp_fail(err, "cannot start the writer thread");
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->done);
        free(w);
        return NULL;
    }
    return w;
}

void writer_destroy(writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->done);
    free(w);
}

int writer_run(writer *w, writer_job *job, int *busy)
{
    *busy = 0;
    job->done = 0;
    job->next = NULL;
    job->stored = 0;
    job->err.msg[0] = '\0';
    pthread_mutex_lock(&w->lock);
    if (w->queued >= w->max_queue || w->stop) {
        pthread_mutex_unlock(&w->lock);
        *busy = 1;
        return mp_fail(&job->err, "too many votes waiting to be stored");
    }
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    w->queued++;
    pthread_cond_signal(&w->work);
    while (!job->done)
        pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
    return job->stored ? 0 : -1;
}

void writer_stats(writer *w, int64_t *commits, int64_t *jobs)
{
    pthread_mutex_lock(&w->lock);
    *commits = w->commits;
    *jobs = w->jobs;
    pthread_mutex_unlock(&w->lock);
}

/* votejob.c - store_add_vote on a worker thread (see votejob.h). */
#include "votejob.h"

static void run(vote_job *j)
{
    j->rc = store_add_vote(j->store, j->unit_code, j->unit_name, j->points, j->flagged,
                           j->cast_utc, j->utc_offset, &j->vote, &j->err);
}

static void *worker(void *arg)
{
    run(arg);
    return NULL;
}

void vote_job_start(vote_job *j)
{
    j->threaded = pthread_create(&j->thread, NULL, worker, j) == 0;
    if (!j->threaded)
        run(j);
}

int vote_job_finish(vote_job *j, store_vote *out, mp_err *err)
{
    if (j->threaded && pthread_join(j->thread, NULL) != 0) {
        /* Cannot happen for a joinable thread we started; never guess. */
        j->threaded = 0;
        return mp_fail(err, "vote not stored: lost track of the thread storing it");
    }
    j->threaded = 0;
    if (j->rc < 0) {
        *err = j->err;
        return -1;
    }
    *out = j->vote;
    return 0;
}

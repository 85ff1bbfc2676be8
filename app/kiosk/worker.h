/* worker.h - the thread under the kiosk's workers (votejob.h, usbjob.h): one
 * thread that waits on a mutex and condition variable for work, started
 * with every signal blocked (SIGTERM and the rest are for the main thread's
 * loop) and stopped by a flag under the mutex. */
#ifndef MINPING_WORKER_H
#define MINPING_WORKER_H

#include <pthread.h>

typedef struct worker_thread {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* on CLOCK_MONOTONIC, for pthread_cond_timedwait */
    int quit;           /* under mu: the thread's function must return */
} worker_thread;

/* Makes mu and cv, then runs fn(arg) on a new thread.  Returns 0, or -1
 * with nothing left to undo. */
int worker_thread_start(worker_thread *t, void *(*fn)(void *), void *arg);

/* Sets quit, wakes the thread, waits for fn to return, then frees mu and cv. */
void worker_thread_stop(worker_thread *t);

#endif

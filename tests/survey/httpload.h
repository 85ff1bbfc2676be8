/* httpload.h - many citizens voting at once over HTTP, for the survey's
 * load test and benchmark.  Each client is a thread with one keep-alive
 * connection: it opens the rating page of a unit (its own cookie and form
 * token), then posts 不满意 again and again (that thank-you page names the
 * vote's seq).  A small HTTP/1.1 client of its own (Content-Length bodies
 * only: what minping-survey and the floor server send).
 */
#ifndef MINPING_HTTPLOAD_H
#define MINPING_HTTPLOAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct load_opts {
    int port;             /* 127.0.0.1:port */
    int clients;          /* threads */
    int votes;            /* in all, shared out among the clients */
    const char *unit;     /* unit code */
    int forwarded;        /* send X-Forwarded-For 10.x.y.z, one address per client */
    volatile int *stop;   /* may be NULL: set to stop early */
} load_opts;

typedef struct load_result {
    int64_t acked;        /* thank-you pages received */
    int64_t refused;      /* other statuses */
    int64_t broken;       /* connections lost (server gone) */
    int64_t *seqs;        /* the acknowledged votes' seqs (acked of them) */
    double *lat_ms;       /* each acknowledged vote's round trip */
    double seconds;       /* wall time of the run */
} load_result;

/* Runs the load; returns 0 when it ran (see the counts), -1 when no client
 * could even start (message on stderr).  Free with load_result_free. */
int load_run(const load_opts *o, load_result *r);
void load_result_free(load_result *r);

/* The q-quantile (0..1) of the latencies, in ms. */
double load_quantile(const load_result *r, double q);

#endif

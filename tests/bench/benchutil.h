/* benchutil.h - helpers shared by the benchmark programs. */
#ifndef MINPING_BENCHUTIL_H
#define MINPING_BENCHUTIL_H

#include <stdint.h>

/* Monotonic clock in nanoseconds. */
int64_t bench_now_ns(void);

/* The p-th percentile (0-100, nearest rank) of the n values in v; v is
 * sorted in place. */
double bench_percentile(double *v, int n, int p);

#endif

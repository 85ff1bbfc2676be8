/* benchutil.c - helpers shared by the benchmark programs. */
#include "benchutil.h"

#include <stdlib.h>
#include <time.h>

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_percentile(double *v, int n, int p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int rank = (p * n + 99) / 100; /* nearest rank, 1-based */
    if (rank < 1)
        rank = 1;
    return v[rank - 1];
}

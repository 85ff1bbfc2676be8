/* bench_noise.c - how much the machine itself spreads a fixed job's time.
 *
 * The same memory-bound job (an 8 MiB fill and a 2 MiB copy, about what the
 * kiosk does to draw a 1920x1080 frame) runs N times with a 1 ms sleep
 * between runs, as taps are spread.  Nothing in the job varies, so the gap
 * between its median and its p99 is the machine's (other processes, the
 * hypervisor, memory): the context for every p99 figure measured beside it.
 * Prints
 *
 *   noise_ms median=M p99=P
 *
 *   bench_noise [--runs N]
 */
#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FILL_BYTES = 8 << 20, COPY_BYTES = 2 << 20 };

int main(int argc, char **argv)
{
    int runs = 500;
    if (argc == 3 && strcmp(argv[1], "--runs") == 0)
        runs = atoi(argv[2]);
    else if (argc != 1)
        runs = 0;
    if (runs < 1) {
        fprintf(stderr, "usage: bench_noise [--runs N]\n");
        return 2;
    }
    unsigned char *dst = malloc(FILL_BYTES), *src = malloc(COPY_BYTES);
    double *ms = calloc((size_t)runs, sizeof *ms);
    if (!dst || !src || !ms) {
        fprintf(stderr, "bench_noise: out of memory\n");
        return 1;
    }
    memset(src, 0x5A, COPY_BYTES);
    memset(dst, 0, FILL_BYTES); /* every page present before the first run */
    unsigned sum = 0;
    for (int i = 0; i < runs; i++) {
        int64_t t0 = bench_now_ns();
        memset(dst, i & 0xFF, FILL_BYTES);
        memcpy(dst + (size_t)(i % 4) * COPY_BYTES, src, COPY_BYTES);
        ms[i] = (double)(bench_now_ns() - t0) / 1e6;
        sum += dst[(size_t)i * 4099 % FILL_BYTES]; /* the job's result is used */
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    printf("noise_ms median=%.3f p99=%.3f\n", bench_percentile(ms, runs, 50),
           bench_percentile(ms, runs, 99));
    fprintf(stderr, "bench_noise: %d runs (checksum %u)\n", runs, sum);
    free(ms);
    free(src);
    free(dst);
    return 0;
}

/* bench_startup.c - times a program from exec to the moment it writes a
 * marker file (the kiosk's ui-dump, bench_bare's --mark), then ends it with
 * SIGTERM.  Repeats N times after one untimed warm-up run and prints
 *
 *   startup_ms median=M min=A max=B maxrss_kb=R
 *
 * where maxrss_kb is the largest peak resident set of the timed runs.  The
 * marker is watched with inotify (no polling delay).
 *
 *   bench_startup N MARKER -- PROGRAM [ARGS...]
 */
#include "benchutil.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* One run: returns the milliseconds to the marker, or -1. */
static double run_once(const char *marker, char **argv, long *maxrss_kb)
{
    char dir_buf[PATH_MAX], name_buf[PATH_MAX];
    snprintf(dir_buf, sizeof dir_buf, "%s", marker);
    snprintf(name_buf, sizeof name_buf, "%s", marker);
    const char *dir = dirname(dir_buf), *name = basename(name_buf);
    if (unlink(marker) < 0 && errno != ENOENT) {
        fprintf(stderr, "bench_startup: %s: %s\n", marker, strerror(errno));
        return -1;
    }
    int ino = inotify_init1(IN_CLOEXEC);
    if (ino < 0 || inotify_add_watch(ino, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        fprintf(stderr, "bench_startup: inotify on %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench_startup: fork: %s\n", strerror(errno));
        close(ino);
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "bench_startup: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    double ms = -1;
    for (;;) {
        struct pollfd p = {.fd = ino, .events = POLLIN};
        int r = poll(&p, 1, 30000);
        if (r <= 0) {
            fprintf(stderr, "bench_startup: no %s within 30 s\n", marker);
            break;
        }
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n = read(ino, buf, sizeof buf);
        int seen = 0;
        for (char *q = buf; n > 0 && q < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)(void *)q;
            if (ev->len && strcmp(ev->name, name) == 0)
                seen = 1;
            q += sizeof *ev + ev->len;
        }
        if (seen) {
            ms = (double)(bench_now_ns() - t0) / 1e6;
            break;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "bench_startup: %s exited before writing %s\n", argv[0], marker);
            close(ino);
            return -1;
        }
    }
    close(ino);
    kill(pid, SIGTERM);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) == pid && ru.ru_maxrss > *maxrss_kb)
        *maxrss_kb = ru.ru_maxrss;
    return ms;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: bench_startup N MARKER -- PROGRAM [ARGS...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 1 || n > 1000) {
        fprintf(stderr, "bench_startup: N must be 1 to 1000\n");
        return 2;
    }
    const char *marker = argv[2];
    char **cmd = argv + 4;
    long maxrss = 0, warm_rss = 0;
    if (run_once(marker, cmd, &warm_rss) < 0)
        return 1;
    double *ms = calloc((size_t)n, sizeof *ms);
    if (!ms)
        return 1;
    for (int i = 0; i < n; i++) {
        ms[i] = run_once(marker, cmd, &maxrss);
        if (ms[i] < 0) {
            free(ms);
            return 1;
        }
    }
    double median = bench_percentile(ms, n, 50);
    printf("startup_ms median=%.1f min=%.1f max=%.1f maxrss_kb=%ld\n", median, ms[0], ms[n - 1],
           maxrss);
    free(ms);
    return 0;
}

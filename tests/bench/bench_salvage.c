/* bench_salvage.c - how long the salvage reader (store_open_salvage) takes
 * on a kiosk database of N votes, with its meta page intact and with the
 * page that holds the instance id zeroed (then the instance is the one most
 * votes carry, counted over every vote read).
 *
 *   bench_salvage DIR N...
 *
 * For each N it makes DIR/salvage-N.db through the store (runs of 10,000
 * votes in one transaction, as bench_votes does), then prints one line:
 * N, milliseconds for the intact file (the baseline: no instance count),
 * milliseconds with the meta page lost, and their ratio.  A count that grows
 * faster than the reading itself shows as a ratio that grows with N. */
#include "benchutil.h"
#include "store.h"
#include "store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BATCH = 10000 };

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_salvage: %s: %s\n", what, msg);
    exit(1);
}

static void make_db(const char *path, int64_t n)
{
    store *s;
    mp_err err;
    unlink(path);
    if (store_open(path, &s, &err) < 0)
        die(path, err.msg);
    for (int64_t i = 0; i < n; i++) {
        if (i % BATCH == 0 && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            die(path, sqlite3_errmsg(s->db));
        char code[16];
        snprintf(code, sizeof code, "U%04d", (int)(i % 50) + 1);
        if (store_add_vote(s, code, "县公安局", (int)(i % 2) * 10, 0, 1780000000 + i, 8 * 3600,
                           NULL, &err) < 0)
            die(path, err.msg);
        if ((i + 1) % BATCH == 0 || i + 1 == n)
            if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                die(path, sqlite3_errmsg(s->db));
    }
    store_close(s); /* checkpoints: everything is in the database file */
}

/* Zeroes the page of path that holds the meta table's instance row. */
static void lose_meta(const char *path, const char *lost)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, "cannot read");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)len);
    if (!b || fread(b, 1, (size_t)len, f) != (size_t)len)
        die(path, "cannot read");
    fclose(f);
    const size_t ps = 4096;
    int zeroed = 0;
    for (size_t off = ps; off + ps <= (size_t)len; off += ps)
        for (size_t i = off; i + 8 <= off + ps; i++)
            if (memcmp(b + i, "instance", 8) == 0 && i + 8 + 32 <= off + ps) {
                memset(b + off, 0, ps);
                zeroed = 1;
                break;
            }
    if (!zeroed)
        die(path, "no meta page found");
    f = fopen(lost, "wb");
    if (!f || fwrite(b, 1, (size_t)len, f) != (size_t)len || fclose(f) != 0)
        die(lost, "cannot write");
    free(b);
}

static double time_salvage(const char *path, int64_t want, int meta_lost)
{
    double best = 1e30;
    for (int run = 0; run < 3; run++) {
        store *s;
        store_salvage_info info;
        mp_err err;
        int64_t t0 = bench_now_ns();
        if (store_open_salvage(path, &s, &info, &err) < 0)
            die(path, err.msg);
        double ms = (double)(bench_now_ns() - t0) / 1e6;
        store_close(s);
        if (info.rows != want)
            die(path, "salvage read another number of votes");
        (void)meta_lost;
        if (ms < best)
            best = ms;
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench_salvage DIR N...\n", stderr);
        return 2;
    }
    printf("%10s %12s %14s %7s\n", "votes", "intact (ms)", "meta lost (ms)", "ratio");
    for (int a = 2; a < argc; a++) {
        int64_t n = strtoll(argv[a], NULL, 10);
        char db[4096], lost[4200];
        snprintf(db, sizeof db, "%s/salvage-%" PRId64 ".db", argv[1], n);
        snprintf(lost, sizeof lost, "%s.lost", db);
        make_db(db, n);
        lose_meta(db, lost);
        double intact = time_salvage(db, n, 0), gone = time_salvage(lost, n, 1);
        printf("%10" PRId64 " %12.1f %14.1f %7.2f\n", n, intact, gone, gone / intact);
        fflush(stdout);
        unlink(db);
        unlink(lost);
    }
    return 0;
}

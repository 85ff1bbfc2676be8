/* bench_votes.c - makes a kiosk database with many votes, for the bulk
 * benchmarks (tests/bench/bulk.sh): export, import and report of a million
 * votes.
 *
 *   bench_votes --list-units [UNITS]   prints the units, "CODE=NAME", one a line
 *   bench_votes DB N [UNITS]           creates DB with N votes over UNITS units
 *
 * The votes go in through the core's own store (store_open, store_add_vote),
 * never through anything that ships in the kiosk.  store_add_vote commits
 * and syncs each vote, which a million votes cannot afford, so runs of
 * BENCH_BATCH votes are wrapped in one BEGIN/COMMIT on the store's
 * connection (store_int.h, for benchmark programs only): store_add_vote's
 * statement then joins the open transaction.
 *
 * The votes are spread evenly over the 365 days that end one day before
 * now (kiosk time UTC+8), in seq order, each for a unit picked at random,
 * with ratings 非常满意 60%, 基本满意 25%, 一般 10%, 不满意 5%, and 1% of
 * them flagged.  The same N and UNITS always give the same units, ratings
 * and times (only the uuids and the dates' end differ). */
#include "benchutil.h"
#include "store.h"
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BENCH_BATCH = 10000, UNITS_DEFAULT = 200, UNITS_MAX = 9999 };

static void usage(FILE *f)
{
    fputs("Usage: bench_votes DB N [UNITS]\n"
          "       bench_votes --list-units [UNITS]\n"
          "\n"
          "Creates the kiosk database DB (which must not exist) through the vote store\n"
          "and adds N votes over UNITS units (default 200), in transactions of 10,000\n"
          "votes; progress goes to standard error.  --list-units prints the units the\n"
          "votes use, CODE=NAME one a line, for `minping-office provision --unit`.\n",
          f);
}

static int parse_num(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void unit_code(int i, char *buf, size_t len)
{
    snprintf(buf, len, "U%04d", i + 1);
}

static void unit_name(int i, char *buf, size_t len)
{
    snprintf(buf, len, "测试单位%04d", i + 1);
}

/* xorshift64*: a fixed sequence, so runs are comparable. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

static int points_of(uint32_t r)
{
    r %= 100;
    return r < 60 ? 10 : r < 85 ? 8 : r < 95 ? 6 : 0;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_votes: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    int64_t units = UNITS_DEFAULT;
    if (argc >= 2 && strcmp(argv[1], "--list-units") == 0) {
        if (argc > 3 || (argc == 3 && parse_num(argv[2], 1, UNITS_MAX, &units) < 0)) {
            usage(stderr);
            return 2;
        }
        for (int i = 0; i < units; i++) {
            char code[16], name[64];
            unit_code(i, code, sizeof code);
            unit_name(i, name, sizeof name);
            printf("%s=%s\n", code, name);
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }
    int64_t n = 0;
    if (argc < 3 || argc > 4 || parse_num(argv[2], 0, INT64_C(100000000), &n) < 0 ||
        (argc == 4 && parse_num(argv[3], 1, UNITS_MAX, &units) < 0)) {
        usage(stderr);
        return 2;
    }
    const char *path = argv[1];
    FILE *exists = fopen(path, "rb");
    if (exists) {
        fclose(exists);
        fprintf(stderr, "bench_votes: %s exists; give a new file\n", path);
        return 1;
    }

    mp_err err;
    store *s = NULL;
    if (store_open(path, &s, &err) < 0) {
        fprintf(stderr, "bench_votes: %s: %s\n", path, err.msg);
        return 1;
    }
    int64_t start_ns = bench_now_ns();
    int64_t end = (int64_t)time(NULL) - 86400, span = INT64_C(365) * 86400;
    int64_t begin = end - span;
    int rc = 0;
    for (int64_t i = 0; i < n && rc == 0; i += BENCH_BATCH) {
        if (exec(s->db, "BEGIN") < 0) {
            rc = -1;
            break;
        }
        for (int64_t j = i; j < n && j < i + BENCH_BATCH; j++) {
            int u = (int)(rng() % (uint32_t)units);
            char code[16], name[64];
            unit_code(u, code, sizeof code);
            unit_name(u, name, sizeof name);
            int points = points_of(rng());
            int flagged = rng() % 100 == 0;
            int64_t when = begin + (n > 1 ? span * j / (n - 1) : 0);
            if (store_add_vote(s, code, name, points, flagged, when, 8 * 3600, NULL, &err) < 0) {
                fprintf(stderr, "bench_votes: vote %" PRId64 ": %s\n", j + 1, err.msg);
                rc = -1;
                break;
            }
        }
        if (rc == 0 && exec(s->db, "COMMIT") < 0)
            rc = -1;
        if (rc < 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            break;
        }
        int64_t done = i + BENCH_BATCH < n ? i + BENCH_BATCH : n;
        if (done % 100000 == 0 || done == n)
            fprintf(stderr, "bench_votes: %" PRId64 " of %" PRId64 " votes (%.1f s)\n", done, n,
                    (double)(bench_now_ns() - start_ns) / 1e9);
    }
    /* Fold the write-ahead log into the database, as a kiosk that has run
     * for a year would have done many times. */
    if (rc == 0 && exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)") < 0)
        rc = -1;
    store_close(s);
    return rc == 0 ? 0 : 1;
}

/* bench_ledger.c - grows an office database's ledger by many votes at once,
 * for the scale benchmark (tests/bench/scale.sh): report and assess with ten
 * million votes in the ledger against ten thousand.
 *
 *   bench_ledger DB N UNITS YEAR
 *
 * DB is an office database into which a kiosk export was imported through
 * `minping-office import` (the real path, which keeps the tallies); its
 * first import's kiosk gets a second database instance of N more votes,
 * written with plain SQL INSERTs in one transaction (the votes_by_unit
 * index dropped meanwhile and made again once), spread evenly over YEAR in
 * the kiosk's local time (UTC+8), over units U0001..UNITS (bench_votes'
 * codes), with bench_votes' mix of ratings (60/25/10/5 %) and 1 % flagged.
 * Then tally_rebuild counts every tally again from the votes, with the
 * migration's own statements: the state the import path would have left.
 * Progress and times go to standard error. */
#include "registry.h"
#include "tally.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state = 0xD1B54A32D192ED03u;
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fputs("Usage: bench_ledger DB N UNITS YEAR\n", stderr);
        return 2;
    }
    char *end;
    errno = 0;
    long long n = strtoll(argv[2], &end, 10);
    long units = strtol(argv[3], NULL, 10), year = strtol(argv[4], NULL, 10);
    if (errno || *end || n < 1 || units < 1 || units > 9999 || year < 1971 || year > 9998) {
        fputs("bench_ledger: N, UNITS (1-9999) and YEAR must be numbers\n", stderr);
        return 2;
    }
    registry *reg = NULL;
    mp_err err = {{0}};
    if (registry_open(argv[1], &reg, &err) < 0) {
        fprintf(stderr, "bench_ledger: %s\n", err.msg);
        return 1;
    }
    sqlite3 *db = registry_sqlite(reg);
    double t0 = now_s();
    sqlite3_stmt *st;
    char kiosk[64] = "";
    int64_t import_id = 0;
    if (sqlite3_prepare_v2(db, "SELECT id, kiosk_id FROM imports ORDER BY id LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(db, "imports");
    if (sqlite3_step(st) == SQLITE_ROW) {
        import_id = sqlite3_column_int64(st, 0);
        snprintf(kiosk, sizeof kiosk, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (!import_id) {
        fputs("bench_ledger: import a kiosk export into DB first\n", stderr);
        return 1;
    }
    char *index_sql = NULL;
    if (sqlite3_exec(db, "PRAGMA cache_size = -262144; BEGIN IMMEDIATE", NULL, NULL, NULL) !=
        SQLITE_OK)
        return fail(db, "begin");
    if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'votes_by_unit'", -1,
                           &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        return fail(db, "votes_by_unit");
    index_sql = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!index_sql || sqlite3_exec(db, "DROP INDEX votes_by_unit", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "drop index");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO votes(kiosk_id, instance, seq, uuid, cast_utc, utc_offset,"
                           " unit_code, unit_name, points, channel, flagged, import_id)"
                           " VALUES (?1, 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0', ?2, ?3, ?4, 28800,"
                           " ?5, ?6, ?7, 'kiosk', ?8, ?9)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, "insert");
    struct tm tm = {.tm_year = (int)year - 1900, .tm_mon = 0, .tm_mday = 1};
    int64_t start = (int64_t)timegm(&tm) - 28800;
    tm = (struct tm){.tm_year = (int)year + 1 - 1900, .tm_mon = 0, .tm_mday = 1};
    int64_t span = (int64_t)timegm(&tm) - 28800 - start;
    static const int POINTS[] = {10, 8, 6, 0};
    for (long long s = 1; s <= n; s++) {
        char uuid[48], code[8], name[32];
        snprintf(uuid, sizeof uuid, "b0b0b0b0-0000-4000-8000-%012lld", s);
        long u = (long)(rng() % (uint32_t)units) + 1;
        snprintf(code, sizeof code, "U%04ld", u);
        snprintf(name, sizeof name, "测试单位%04ld", u);
        uint32_t r = rng() % 100;
        int points = POINTS[r < 60 ? 0 : r < 85 ? 1 : r < 95 ? 2 : 3];
        sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, s);
        sqlite3_bind_text(st, 3, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, start + (int64_t)((s - 1) * span / n));
        sqlite3_bind_text(st, 5, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 7, points);
        sqlite3_bind_int(st, 8, rng() % 100 == 0);
        sqlite3_bind_int64(st, 9, import_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return fail(db, "insert");
        sqlite3_reset(st);
        if (s % 1000000 == 0)
            fprintf(stderr, "bench_ledger: %lld votes, %.1f s\n", s, now_s() - t0);
    }
    sqlite3_finalize(st);
    double t1 = now_s();
    if (sqlite3_exec(db, index_sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "create index");
    free(index_sql);
    double t2 = now_s();
    if (tally_rebuild(db, &err) < 0) {
        fprintf(stderr, "bench_ledger: %s\n", err.msg);
        return 1;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "commit");
    double t3 = now_s();
    fprintf(stderr,
            "bench_ledger: %lld votes inserted in %.1f s, index %.1f s, tallies rebuilt in "
            "%.1f s\n",
            n, t1 - t0, t2 - t1, t3 - t2);
    registry_close(reg);
    return 0;
}

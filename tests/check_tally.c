/* check_tally.c - the vote tallies: what the import transaction and votes
 * exclude/restore keep equals a recount of the votes one by one (random
 * votes over kiosks, instances, units registered or not, channels, flags,
 * UTC offsets from -14 h to +14 h, dates around the turn of the year,
 * cumulative files that fill gaps, exclusions and restores, some made
 * before the votes they cover arrive), for windows of whole and partial
 * months, single days and open ends; the tables equal tally_rebuild's
 * (the migration's own statements); and the trends of a hand-made set of
 * votes are the numbers worked out by hand. */
#include "ledger.h"
#include "review.h"
#include "tally.h"
#include "registry.h"
#include "testutil.h"

#include <check.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2025-12-01 00:00:00 UTC: the kiosks are provisioned then. */
#define PROVISIONED INT64_C(1764547200)
#define DAY 86400

static char *dir;
static registry *reg;
static sqlite3 *db;
static int sha_next;

static void exec_ok(const char *sql)
{
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    char *path = tu_path(dir, "office.db");
    mp_err err = {{0}};
    ck_assert_msg(registry_open(path, &reg, &err) == 0, "registry_open: %s", err.msg);
    free(path);
    db = registry_sqlite(reg);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO units(code, name) VALUES ('GA01', '县公安局'), ('MZ01', '县民政局');"
             "INSERT INTO kiosks(id, survey_url, provisioned_utc) VALUES"
             " ('room-01', 'https://s.example/', %" PRId64 "),"
             " ('room-02', 'https://s.example/', %" PRId64 ");",
             PROVISIONED, PROVISIONED);
    exec_ok(sql);
}

static void teardown(void)
{
    registry_close(reg);
    reg = NULL;
    free(dir);
}

/* ---- random votes ---- */

static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32);
}

enum { N_INST = 3, MAX_SEQ = 700 };
static const char *const KIOSK_OF[N_INST] = {"room-01", "room-01", "room-02"};
static const char *const INST[N_INST] = {"0123456789abcdef0123456789abcdef",
                                         "0123456789abcdef0123456789abcde0",
                                         "fedcba9876543210fedcba9876543210"};
static const char *const UNITS[3] = {"GA01", "MZ01", "ZZ99"}; /* ZZ99 is not registered */
static const int POINTS[4] = {10, 8, 6, 0};

/* One vote's content, the same in every file that carries it. */
typedef struct rvote {
    int64_t cast;
    int offset, points, flagged;
    const char *unit, *channel;
    char uuid[48];
} rvote;
static rvote votes[N_INST][MAX_SEQ + 1];

static void make_votes(int n)
{
    /* 2025-12-25 .. 2027-01-05 UTC, a third of them within a day of a new year. */
    const int64_t start = INT64_C(1766620800), span = 376 * DAY;
    const int64_t edges[] = {INT64_C(1767225600), INT64_C(1798761600)}; /* 2026-01-01, 2027-01-01 */
    for (int i = 0; i < N_INST; i++)
        for (int s = 1; s <= n; s++) {
            rvote *v = &votes[i][s];
            if (rng() % 3 == 0)
                v->cast = edges[rng() % 2] + (int64_t)(rng() % (2 * DAY)) - DAY;
            else
                v->cast = start + (int64_t)(rng() % (uint32_t)span);
            v->offset = ((int)(rng() % 113) - 56) * 900; /* -14 h .. +14 h */
            v->points = POINTS[rng() % 4];
            v->flagged = rng() % 8 == 0;
            v->unit = UNITS[rng() % 3];
            v->channel = rng() % 3 == 0 ? "online" : "kiosk";
            snprintf(v->uuid, sizeof v->uuid, "00000000-0000-4000-8000-%04d%08d", i, s);
        }
}

/* Imports the votes of instance i numbered 1..last, leaving out each with
 * probability skip_pct %. */
static void import_file(int i, int last, int skip_pct)
{
    char sha[65];
    snprintf(sha, sizeof sha, "%064d", ++sha_next);
    ledger_tx *tx = NULL;
    mp_err err = {{0}};
    ck_assert_msg(ledger_tx_begin(db, "f.csv", sha, PROVISIONED + 500 * DAY, &tx, &err) == 0,
                  "%s", err.msg);
    int64_t rows = 0, first = 0, hi = 0;
    for (int s = 1; s <= last; s++) {
        if ((int)(rng() % 100) < skip_pct)
            continue;
        const rvote *v = &votes[i][s];
        export_row r = {KIOSK_OF[i], INST[i], s, v->uuid, v->cast, v->offset, v->unit,
                        "某单位", v->points, v->channel, v->flagged};
        ck_assert_msg(ledger_tx_add(tx, &r, &err) == 0, "%s", err.msg);
        rows++;
        if (!first)
            first = s;
        hi = s;
    }
    export_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "%s", KIOSK_OF[i]);
    snprintf(m.instance, sizeof m.instance, "%s", INST[i]);
    /* Some votes are dated after the export: clock suspects. */
    m.exported_utc = PROVISIONED + 395 * DAY;
    m.rows = rows;
    m.first_seq = first;
    m.last_seq = hi;
    snprintf(m.key_id, sizeof m.key_id, "0011223344556677");
    ck_assert_msg(ledger_tx_commit(tx, &m, NULL, &err) == 0, "%s", err.msg);
}

/* A random exclusion or restore (refusals, nothing to change, are fine). */
static void random_review(int n)
{
    int i = (int)(rng() % N_INST);
    int64_t a = 1 + rng() % (uint32_t)n, b = a + rng() % 120;
    review_selector sel = {KIOSK_OF[i], INST[i], a, b, rng() % 4 == 0};
    if (rng() % 10 == 0) {
        sel.seq_from = 1;
        sel.seq_to = REVIEW_SEQ_ALL;
        sel.flagged_only = 1;
    }
    mp_err err = {{0}};
    review_add(db, &sel, rng() % 3 != 0, "复核", "测试", PROVISIONED + 400 * DAY, NULL, &err);
}

/* ---- the recount ---- */

typedef struct raw {
    char unit[8], channel[8], day[16], month[8];
    int points, state, hour, weekday; /* weekday 0 Monday */
} raw;

static raw *raws;
static size_t n_raws;

/* Every vote with its state, from the votes and vote_exclusions alone. */
static void load_raw(void)
{
    free(raws);
    raws = NULL;
    n_raws = 0;
    sqlite3_stmt *st;
    ck_assert_int_eq(
        sqlite3_prepare_v2(
            db,
            "SELECT v.unit_code, v.channel, v.points, v.flagged,"
            " coalesce((SELECT r.action = 'exclude' FROM vote_exclusions r"
            "  WHERE r.kiosk_id = v.kiosk_id AND r.instance = v.instance"
            "  AND v.seq BETWEEN r.seq_from AND r.seq_to AND (r.flagged_only = 0 OR v.flagged)"
            "  ORDER BY r.id DESC LIMIT 1), 0),"
            " date(v.cast_utc + v.utc_offset, 'unixepoch'),"
            " CAST(strftime('%H', v.cast_utc + v.utc_offset, 'unixepoch') AS INTEGER),"
            " CAST(strftime('%w', v.cast_utc + v.utc_offset, 'unixepoch') AS INTEGER)"
            " FROM votes v",
            -1, &st, NULL),
        SQLITE_OK);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n_raws == cap) {
            cap = cap ? 2 * cap : 1024;
            raws = realloc(raws, cap * sizeof *raws);
            ck_assert_ptr_nonnull(raws);
        }
        raw *r = &raws[n_raws++];
        snprintf(r->unit, sizeof r->unit, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->channel, sizeof r->channel, "%s", (const char *)sqlite3_column_text(st, 1));
        r->points = sqlite3_column_int(st, 2);
        r->state = tally_state_of(sqlite3_column_int(st, 3), sqlite3_column_int(st, 4));
        snprintf(r->day, sizeof r->day, "%s", (const char *)sqlite3_column_text(st, 5));
        snprintf(r->month, sizeof r->month, "%.7s", r->day);
        r->hour = sqlite3_column_int(st, 6);
        r->weekday = (sqlite3_column_int(st, 7) + 6) % 7;
    }
    sqlite3_finalize(st);
}

static int rating_of(int points)
{
    for (int i = 0; i < RATING_COUNT; i++)
        if (RATINGS[i].points == points)
            return i;
    ck_abort_msg("points %d", points);
    return -1;
}

static int in_window(const raw *r, const char *from, const char *to, const char *channel)
{
    return (!from || strcmp(r->day, from) >= 0) && (!to || strcmp(r->day, to) <= 0) &&
           (!channel || strcmp(r->channel, channel) == 0);
}

/* Lines "key: counts" in a growing text; sorted before comparing. */
typedef struct lines {
    char **l;
    size_t n, cap;
} lines;

static void add_line(lines *ls, const char *s)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? 2 * ls->cap : 64;
        ls->l = realloc(ls->l, ls->cap * sizeof *ls->l);
        ck_assert_ptr_nonnull(ls->l);
    }
    ls->l[ls->n++] = strdup(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines sorted, joined; frees them. */
static char *join(lines *ls)
{
    qsort(ls->l, ls->n, sizeof *ls->l, cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < ls->n; i++)
        len += strlen(ls->l[i]) + 1;
    char *out = malloc(len);
    ck_assert_ptr_nonnull(out);
    out[0] = '\0';
    for (size_t i = 0; i < ls->n; i++) {
        strcat(out, ls->l[i]);
        strcat(out, "\n");
        free(ls->l[i]);
    }
    free(ls->l);
    memset(ls, 0, sizeof *ls);
    return out;
}

static void counts_text(const tally_counts *t, char *buf, size_t len)
{
    size_t used = 0;
    for (int s = 0; s < TALLY_STATES; s++)
        for (int i = 0; i < RATING_COUNT; i++)
            used += (size_t)snprintf(buf + used, len - used, " %" PRId64, t->n[s][i]);
}

static int nonzero(const tally_counts *t)
{
    for (int s = 0; s < TALLY_STATES; s++)
        for (int i = 0; i < RATING_COUNT; i++)
            if (t->n[s][i])
                return 1;
    return 0;
}

static int got_unit(void *user, const char *unit, const char *channel, const tally_counts *t)
{
    if (!nonzero(t))
        return 0;
    char line[512], c[400];
    counts_text(t, c, sizeof c);
    snprintf(line, sizeof line, "%s|%s:%s", unit, channel, c);
    add_line(user, line);
    return 0;
}

static int got_month(void *user, const char *unit, const char *month, const tally_counts *t)
{
    if (!nonzero(t))
        return 0;
    char line[512], c[400];
    counts_text(t, c, sizeof c);
    snprintf(line, sizeof line, "%s|%s:%s", unit, month, c);
    add_line(user, line);
    return 0;
}

static int got_spread(void *user, const char *unit, const tally_spread *s)
{
    char line[256];
    for (int h = 0; h < 24; h++)
        for (int k = 0; k < TALLY_STATES; k++)
            if (s->hour[h][k]) {
                snprintf(line, sizeof line, "%s|h%02d|%d: %" PRId64, unit, h, k, s->hour[h][k]);
                add_line(user, line);
            }
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < TALLY_STATES; k++)
            if (s->weekday[d][k]) {
                snprintf(line, sizeof line, "%s|w%d|%d: %" PRId64, unit, d, k, s->weekday[d][k]);
                add_line(user, line);
            }
    return 0;
}

/* The recount's answer for one kind of question: key by unit|channel (0),
 * unit|month (1), or the spread (2). */
static char *expected(int kind, const char *from, const char *to, const char *channel)
{
    /* Accumulate per key in a small table (few keys). */
    enum { KEYS = 4096 };
    static char keys[KEYS][32];
    static tally_counts sums[KEYS];
    size_t n = 0;
    lines ls = {0};
    for (size_t v = 0; v < n_raws; v++) {
        const raw *r = &raws[v];
        if (!in_window(r, from, to, channel))
            continue;
        if (kind == 2) {
            if (r->points != 0)
                continue;
            char a[32], b[32];
            snprintf(a, sizeof a, "%s|h%02d|%d", r->unit, r->hour, r->state);
            snprintf(b, sizeof b, "%s|w%d|%d", r->unit, r->weekday, r->state);
            const char *ks[2] = {a, b};
            for (int j = 0; j < 2; j++) {
                size_t k;
                for (k = 0; k < n && strcmp(keys[k], ks[j]) != 0; k++)
                    ;
                if (k == n) {
                    ck_assert_uint_lt(n, KEYS);
                    snprintf(keys[n], sizeof keys[n], "%s", ks[j]);
                    memset(&sums[n], 0, sizeof sums[n]);
                    n++;
                }
                sums[k].n[0][0]++;
            }
            continue;
        }
        char key[32];
        snprintf(key, sizeof key, "%s|%s", r->unit, kind == 0 ? r->channel : r->month);
        size_t k;
        for (k = 0; k < n && strcmp(keys[k], key) != 0; k++)
            ;
        if (k == n) {
            ck_assert_uint_lt(n, KEYS);
            snprintf(keys[n], sizeof keys[n], "%s", key);
            memset(&sums[n], 0, sizeof sums[n]);
            n++;
        }
        sums[k].n[r->state][rating_of(r->points)]++;
    }
    for (size_t k = 0; k < n; k++) {
        char line[512], c[400];
        if (kind == 2) {
            snprintf(line, sizeof line, "%s: %" PRId64, keys[k], sums[k].n[0][0]);
        } else {
            counts_text(&sums[k], c, sizeof c);
            snprintf(line, sizeof line, "%s:%s", keys[k], c);
        }
        add_line(&ls, line);
    }
    return join(&ls);
}

static char *actual(int kind, const char *from, const char *to, const char *channel)
{
    lines ls = {0};
    mp_err err = {{0}};
    int rc = kind == 0   ? tally_each_unit(db, from, to, channel, NULL, got_unit, &ls, &err)
             : kind == 1 ? tally_each_month(db, from, to, channel, got_month, &ls, &err)
                         : tally_each_spread(db, from, to, channel, got_spread, &ls, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return join(&ls);
}

static void compare_windows(void)
{
    static const char *const W[][2] = {
        {NULL, NULL},                   {"2026-01-01", "2026-12-31"},
        {"2025-01-01", "2025-12-31"},   {"2027-01-01", "2027-12-31"},
        {"2026-01-01", "2026-01-01"},   {"2025-12-31", "2026-01-01"},
        {"2026-12-31", "2027-01-01"},   {"2026-02-15", "2026-03-10"},
        {"2026-03-01", "2026-03-31"},   {"2026-03-05", "2026-03-20"},
        {"2026-03-05", "2026-03-31"},   {"2026-03-01", "2026-03-20"},
        {NULL, "2026-06-15"},           {"2026-06-15", NULL},
        {NULL, "2026-06-30"},           {"2026-07-01", NULL},
        {"2025-12-20", "2027-01-03"},   {"2026-02-01", "2026-02-28"},
    };
    static const char *const CH[] = {NULL, "kiosk", "online"};
    load_raw();
    ck_assert_uint_gt(n_raws, 100);
    for (size_t w = 0; w < sizeof W / sizeof W[0]; w++)
        for (int c = 0; c < 3; c++)
            for (int kind = 0; kind < 3; kind++) {
                char *e = expected(kind, W[w][0], W[w][1], CH[c]);
                char *a = actual(kind, W[w][0], W[w][1], CH[c]);
                ck_assert_msg(strcmp(e, a) == 0,
                              "window %s..%s channel %s kind %d:\nrecount:\n%.2000s\ntallies:\n%.2000s",
                              W[w][0] ? W[w][0] : "-", W[w][1] ? W[w][1] : "-",
                              CH[c] ? CH[c] : "all", kind, e, a);
                free(e);
                free(a);
            }
}

/* Every tally table as text, rows with nothing left out. */
static char *dump_tallies(void)
{
    static const char *const Q[] = {
        "SELECT day, unit_code, channel, c10, c8, c6, c0, f10, f8, f6, f0, x10, x8, x6, x0,"
        " xf10, xf8, xf6, xf0 FROM vote_days WHERE c10+c8+c6+c0+f10+f8+f6+f0+x10+x8+x6+x0"
        "+xf10+xf8+xf6+xf0 > 0 ORDER BY 1, 2, 3",
        "SELECT unit_code, month, channel, c10, c8, c6, c0, f10, f8, f6, f0, x10, x8, x6, x0,"
        " xf10, xf8, xf6, xf0 FROM vote_months WHERE c10+c8+c6+c0+f10+f8+f6+f0+x10+x8+x6+x0"
        "+xf10+xf8+xf6+xf0 > 0 ORDER BY 1, 2, 3",
        "SELECT month, unit_code, channel, hour, c, f, x, xf FROM dissatisfied_hours"
        " WHERE c+f+x+xf > 0 ORDER BY 1, 2, 3, 4",
        "SELECT month, unit_code, channel, weekday, c, f, x, xf FROM dissatisfied_weekdays"
        " WHERE c+f+x+xf > 0 ORDER BY 1, 2, 3, 4",
        "SELECT kiosk_id, instance, votes, flagged, max_seq FROM vote_instances ORDER BY 1, 2",
        "SELECT kiosk_id, instance, seq, reasons FROM vote_clock_suspects ORDER BY 1, 2, 3",
    };
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ck_assert_ptr_nonnull(f);
    for (size_t q = 0; q < sizeof Q / sizeof Q[0]; q++) {
        sqlite3_stmt *st;
        ck_assert_int_eq(sqlite3_prepare_v2(db, Q[q], -1, &st, NULL), SQLITE_OK);
        fprintf(f, "-- %zu\n", q);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++)
                fprintf(f, "%s%s", c ? "," : "", (const char *)sqlite3_column_text(st, c));
            fputc('\n', f);
        }
        sqlite3_finalize(st);
    }
    fclose(f);
    return out;
}

START_TEST(test_tallies_equal_recount)
{
    rng_state = 0x9E3779B97F4A7C15u + (uint64_t)_i * 7919;
    int n = 300 + (int)(rng() % 300);
    make_votes(n);
    /* Exclusions before any vote arrives cover them as they come. */
    for (int k = 0; k < 3; k++)
        random_review(n);
    /* Each instance: a first file with gaps, reviews, then cumulative files. */
    for (int i = 0; i < N_INST; i++)
        import_file(i, n / 2, 20);
    for (int k = 0; k < 12; k++)
        random_review(n);
    for (int i = 0; i < N_INST; i++)
        import_file(i, n - 20, 5);
    for (int k = 0; k < 12; k++)
        random_review(n);
    for (int i = 0; i < N_INST; i++)
        import_file(i, n, 0);
    for (int k = 0; k < 6; k++)
        random_review(n);
    int64_t records = 0;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM vote_exclusions", -1, &st,
                                        NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    records = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    ck_assert_int_gt(records, 5);

    compare_windows();

    /* The tables kept step by step are the migration's fill of them. */
    char *kept = dump_tallies();
    mp_err err = {{0}};
    ck_assert_msg(tally_rebuild(db, &err) == 0, "%s", err.msg);
    char *rebuilt = dump_tallies();
    ck_assert_msg(strcmp(kept, rebuilt) == 0, "kept:\n%.3000s\nrebuilt:\n%.3000s", kept, rebuilt);
    free(kept);
    free(rebuilt);
    free(raws);
    raws = NULL;
}
END_TEST

/* Votes at the ends of the export's years 1-9999, local times beyond
 * SQLite's dates included: counted, and the same kept as rebuilt. */
START_TEST(test_ends_of_time)
{
    static const struct { int64_t cast; int offset; } V[] = {
        {INT64_C(253402300799) - 3600, 50400}, /* local 10000-01-01 12:59 */
        {INT64_C(-62135596800), -50400},       /* local 0000-12-31 10:00 */
        {INT64_C(-62135596800) + 60, 0},
    };
    ledger_tx *tx = NULL;
    mp_err err = {{0}};
    char sha[65];
    snprintf(sha, sizeof sha, "%064d", 7);
    ck_assert_int_eq(ledger_tx_begin(db, "e.csv", sha, PROVISIONED, &tx, &err), 0);
    for (int i = 0; i < 3; i++) {
        char uuid[48];
        snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", i + 1);
        export_row r = {"room-01", INST[0], i + 1, uuid, V[i].cast, V[i].offset, "GA01", "县公安局",
                        0, "kiosk", 0};
        ck_assert_msg(ledger_tx_add(tx, &r, &err) == 0, "%s", err.msg);
    }
    export_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "room-01");
    snprintf(m.instance, sizeof m.instance, "%s", INST[0]);
    m.exported_utc = PROVISIONED;
    m.rows = 3;
    m.first_seq = 1;
    m.last_seq = 3;
    snprintf(m.key_id, sizeof m.key_id, "0011223344556677");
    ck_assert_msg(ledger_tx_commit(tx, &m, NULL, &err) == 0, "%s", err.msg);
    lines ls = {0};
    ck_assert_int_eq(tally_each_unit(db, NULL, NULL, NULL, NULL, got_unit, &ls, &err), 0);
    char *all = join(&ls);
    ck_assert_str_eq(all, "GA01|kiosk: 0 0 0 3 0 0 0 0 0 0 0 0 0 0 0 0\n");
    free(all);
    ck_assert_int_eq(tu_sql_int(db, "SELECT c0 FROM vote_days WHERE day = '9999-12-31'"), 1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT c0 FROM vote_days WHERE day = '0000-12-31'"), 1);
    char *kept = dump_tallies();
    ck_assert_msg(tally_rebuild(db, &err) == 0, "%s", err.msg);
    char *rebuilt = dump_tallies();
    ck_assert_str_eq(kept, rebuilt);
    free(kept);
    free(rebuilt);
}
END_TEST

/* ---- the trends of a hand-made set of votes ---- */

typedef struct hv {
    const char *local; /* "YYYY-MM-DD HH:MM" */
    int offset, points, flagged;
} hv;

static int64_t utc_of(const char *local, int offset)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT unixepoch(?1)", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, local, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t t = sqlite3_column_int64(st, 0) - offset;
    sqlite3_finalize(st);
    return t;
}

typedef struct spread_got {
    tally_spread s;
    int n;
} spread_got;

static int one_spread(void *user, const char *unit, const tally_spread *s)
{
    spread_got *g = user;
    ck_assert_str_eq(unit, "GA01");
    g->s = *s;
    g->n++;
    return 0;
}

typedef struct month_got {
    char month[4][8];
    tally_counts t[4];
    int n;
} month_got;

static int one_month(void *user, const char *unit, const char *month, const tally_counts *t)
{
    month_got *g = user;
    ck_assert_str_eq(unit, "GA01");
    ck_assert_int_lt(g->n, 4);
    snprintf(g->month[g->n], sizeof g->month[0], "%s", month);
    g->t[g->n++] = *t;
    return 0;
}

START_TEST(test_trends_by_hand)
{
    /* 2026-03-01 is a Sunday. */
    static const hv V[] = {
        {"2026-03-02 09:30", 28800, 0, 0},  /* 1 Monday 9 h */
        {"2026-03-02 09:59", 28800, 0, 0},  /* 2 Monday 9 h */
        {"2026-03-02 09:00", 28800, 0, 1},  /* 3 Monday 9 h, flagged */
        {"2026-03-08 23:10", 28800, 0, 0},  /* 4 Sunday 23 h */
        {"2026-03-03 22:00", -18000, 0, 0}, /* 5 Tuesday 22 h (UTC: 4 March 03:00) */
        {"2026-03-31 23:30", 28800, 0, 0},  /* 6 Tuesday 23 h */
        {"2026-03-02 10:00", 28800, 10, 0}, /* 7 */
        {"2026-04-10 12:00", 28800, 8, 0},  /* 8 */
        {"2026-04-01 00:30", 50400, 6, 0},  /* 9 April locally (UTC: 31 March 10:30) */
    };
    ledger_tx *tx = NULL;
    mp_err err = {{0}};
    ck_assert_int_eq(ledger_tx_begin(db, "h.csv", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                                  "aaaaaaaaaaaaaaaaaa",
                                     PROVISIONED + 200 * DAY, &tx, &err),
                     0);
    int n = (int)(sizeof V / sizeof V[0]);
    for (int i = 0; i < n; i++) {
        char uuid[37];
        snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", i + 1);
        export_row r = {"room-01", INST[0], i + 1, uuid, utc_of(V[i].local, V[i].offset),
                        V[i].offset, "GA01", "县公安局", V[i].points, "kiosk", V[i].flagged};
        ck_assert_msg(ledger_tx_add(tx, &r, &err) == 0, "%s", err.msg);
    }
    export_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "room-01");
    snprintf(m.instance, sizeof m.instance, "%s", INST[0]);
    m.exported_utc = PROVISIONED + 200 * DAY;
    m.rows = n;
    m.first_seq = 1;
    m.last_seq = n;
    snprintf(m.key_id, sizeof m.key_id, "0011223344556677");
    ck_assert_msg(ledger_tx_commit(tx, &m, NULL, &err) == 0, "%s", err.msg);

    /* The year: whole months from the tables. */
    spread_got g = {0};
    ck_assert_int_eq(tally_each_spread(db, "2026-01-01", "2026-12-31", NULL, one_spread, &g, &err),
                     0);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.s.hour[9][TALLY_COUNTED], 2);
    ck_assert_int_eq(g.s.hour[9][TALLY_FLAGGED], 1);
    ck_assert_int_eq(g.s.hour[22][TALLY_COUNTED], 1);
    ck_assert_int_eq(g.s.hour[23][TALLY_COUNTED], 2);
    int64_t all = 0;
    for (int h = 0; h < 24; h++)
        all += g.s.hour[h][TALLY_COUNTED];
    ck_assert_int_eq(all, 5);
    ck_assert_int_eq(g.s.weekday[0][TALLY_COUNTED], 2); /* 一 */
    ck_assert_int_eq(g.s.weekday[0][TALLY_FLAGGED], 1);
    ck_assert_int_eq(g.s.weekday[1][TALLY_COUNTED], 2); /* 二: 3 and 31 March */
    ck_assert_int_eq(g.s.weekday[6][TALLY_COUNTED], 1); /* 日 */
    ck_assert_int_eq(g.s.weekday[2][TALLY_COUNTED] + g.s.weekday[3][TALLY_COUNTED] +
                         g.s.weekday[4][TALLY_COUNTED] + g.s.weekday[5][TALLY_COUNTED],
                     0);

    /* Two days of a month: from the votes themselves. */
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(tally_each_spread(db, "2026-03-02", "2026-03-03", NULL, one_spread, &g, &err),
                     0);
    ck_assert_int_eq(g.s.hour[9][TALLY_COUNTED], 2);
    ck_assert_int_eq(g.s.hour[22][TALLY_COUNTED], 1);
    ck_assert_int_eq(g.s.hour[23][TALLY_COUNTED], 0);
    ck_assert_int_eq(g.s.weekday[0][TALLY_COUNTED], 2);
    ck_assert_int_eq(g.s.weekday[1][TALLY_COUNTED], 1);

    /* Month by month: March 1 非常满意 and 5 不满意 (+1 flagged); April 1 基本满意, 1 一般. */
    month_got mg = {0};
    ck_assert_int_eq(tally_each_month(db, "2026-01-01", "2026-12-31", NULL, one_month, &mg, &err),
                     0);
    ck_assert_int_eq(mg.n, 2);
    ck_assert_str_eq(mg.month[0], "2026-03");
    ck_assert_int_eq(mg.t[0].n[TALLY_COUNTED][0], 1);
    ck_assert_int_eq(mg.t[0].n[TALLY_COUNTED][3], 5);
    ck_assert_int_eq(mg.t[0].n[TALLY_FLAGGED][3], 1);
    ck_assert_str_eq(mg.month[1], "2026-04");
    ck_assert_int_eq(mg.t[1].n[TALLY_COUNTED][1], 1);
    ck_assert_int_eq(mg.t[1].n[TALLY_COUNTED][2], 1);
    /* 31 March to 1 April: the edge vote of 31 March and the +14 h one of 1 April. */
    memset(&mg, 0, sizeof mg);
    ck_assert_int_eq(tally_each_month(db, "2026-03-31", "2026-04-01", NULL, one_month, &mg, &err),
                     0);
    ck_assert_int_eq(mg.n, 2);
    ck_assert_int_eq(mg.t[0].n[TALLY_COUNTED][3], 1);
    ck_assert_int_eq(mg.t[1].n[TALLY_COUNTED][2], 1);

    /* Excluding vote 1 moves it from counted to excluded, in both tables. */
    review_selector sel = {"room-01", NULL, 1, 1, 0};
    ck_assert_msg(review_add(db, &sel, 1, "复核", "测试", PROVISIONED + 201 * DAY, NULL, &err) == 0,
                  "%s", err.msg);
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(tally_each_spread(db, "2026-01-01", "2026-12-31", NULL, one_spread, &g, &err),
                     0);
    ck_assert_int_eq(g.s.hour[9][TALLY_COUNTED], 1);
    ck_assert_int_eq(g.s.hour[9][TALLY_EXCLUDED], 1);
    ck_assert_int_eq(g.s.weekday[0][TALLY_COUNTED], 1);
    ck_assert_int_eq(g.s.weekday[0][TALLY_EXCLUDED], 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tally");
    TCase *tc = tcase_create("tally");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_tallies_equal_recount, 0, 4);
    tcase_add_test(tc, test_trends_by_hand);
    tcase_add_test(tc, test_ends_of_time);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}

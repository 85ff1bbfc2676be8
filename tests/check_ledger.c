/* check_ledger.c - the office's vote ledger: one transaction per file, each
 * vote counted once, conflicts and strangers refused with the database
 * unchanged (also across the batches new votes go in by), gaps, clock
 * warnings, and the counts behind the report. */
#include "ledger.h"
#include "ledger_int.h"
#include "registry.h"
#include "testutil.h"

#include <check.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INST_A "0123456789abcdef0123456789abcdef"
#define INST_B "fedcba9876543210fedcba9876543210"
#define SHA "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA2 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* 2026-11-27 00:00:00 UTC: the office provisions the kiosks then. */
#define PROVISIONED INT64_C(1795737600)
#define DAY 86400

static char *dir;
static registry *reg;
static sqlite3 *db;

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
             "INSERT INTO units(code, name) VALUES ('GA01', '县公安局'), ('MZ01', '县民政局'),"
             " ('TS01', '城关镇人民政府');"
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

/* Every row of every table, as text, in a stable order. */
static char *dump(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    sqlite3_stmt *tables;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT name, sql FROM sqlite_schema "
                                        "ORDER BY type, name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        fprintf(f, "== %s\n%s\n", name, (const char *)sqlite3_column_text(tables, 1));
        char q[256];
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", name);
        sqlite3_stmt *rows;
        if (sqlite3_prepare_v2(db, q, -1, &rows, NULL) != SQLITE_OK)
            continue; /* an index or trigger */
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(rows); i++) {
                const unsigned char *t = sqlite3_column_text(rows, i);
                fprintf(f, "%s|", t ? (const char *)t : "NULL");
            }
            fputc('\n', f);
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    fclose(f);
    return buf;
}

/* A vote as an export carries it. */
static export_row vote(const char *kiosk, const char *instance, int64_t seq, const char *unit,
                       int points, int flagged, int64_t cast_utc)
{
    static char uuids[64][37];
    static int next;
    char *u = uuids[next++ % 64];
    snprintf(u, 37, "00000000-0000-4000-8000-%012" PRId64, seq);
    return (export_row){kiosk, instance, seq, u, cast_utc, 8 * 3600, unit,
                        strcmp(unit, "GA01") == 0 ? "县公安局" : "某单位", points, "kiosk",
                        flagged};
}

static export_meta meta_of(const char *kiosk, const char *instance, int64_t rows,
                           int64_t first, int64_t last, int64_t exported)
{
    export_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "%s", kiosk);
    snprintf(m.instance, sizeof m.instance, "%s", instance);
    m.exported_utc = exported;
    m.rows = rows;
    m.first_seq = first;
    m.last_seq = last;
    snprintf(m.key_id, sizeof m.key_id, "0011223344556677");
    return m;
}

/* Imports votes seq first..last (skipping those listed in skip, 0-ended) of
 * room-01 / INST_A, GA01, points by seq, one vote a minute from the day after
 * provisioning.  Returns ledger_tx_commit's result. */
static int import_range(const char *sha, int64_t first, int64_t last, const int64_t *skip,
                        ledger_summary *sum, mp_err *err)
{
    ledger_tx *tx = NULL;
    ck_assert_msg(ledger_tx_begin(db, "minping-room-01.csv", sha, PROVISIONED + 3 * DAY, &tx,
                                  err) == 0,
                  "begin: %s", err->msg);
    int64_t rows = 0;
    for (int64_t s = first; s <= last; s++) {
        int skipped = 0;
        for (const int64_t *k = skip; k && *k; k++)
            skipped |= *k == s;
        if (skipped)
            continue;
        export_row r = vote("room-01", INST_A, s, "GA01", RATINGS[s % 4].points, 0,
                            PROVISIONED + DAY + 60 * s);
        if (ledger_tx_add(tx, &r, err) < 0) {
            ledger_tx_abort(tx);
            return -1;
        }
        rows++;
    }
    export_meta m = meta_of("room-01", INST_A, rows, rows ? first : 0, rows ? last : 0,
                            PROVISIONED + 2 * DAY);
    return ledger_tx_commit(tx, &m, sum, err);
}

START_TEST(test_import_counts_once)
{
    mp_err err = {{0}};
    ledger_summary sum;
    ck_assert_msg(import_range(SHA, 1, 5, NULL, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.rows, 5);
    ck_assert_int_eq(sum.new_rows, 5);
    ck_assert_int_eq(sum.seen_import_id, 0);
    ck_assert_str_eq(sum.sha256, SHA);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 5);

    /* The same file again: nothing new, recorded as an import of 0 new rows. */
    ledger_summary again;
    ck_assert_msg(import_range(SHA, 1, 5, NULL, &again, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(again.rows, 5);
    ck_assert_int_eq(again.new_rows, 0);
    ck_assert_int_eq(again.seen_import_id, sum.import_id);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 5);

    /* A later cumulative export: only the three new votes count. */
    ledger_summary later;
    ck_assert_msg(import_range(SHA2, 1, 8, NULL, &later, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(later.rows, 8);
    ck_assert_int_eq(later.new_rows, 3);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 8);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM imports"), 3);
    /* Each vote keeps the import that first brought it. */
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes WHERE import_id = 1"), 5);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes WHERE import_id = 3"), 3);
    ck_assert_int_eq(tu_sql_int(db, "SELECT rows + 10 * new_rows FROM imports WHERE id = 3"), 38);
    ck_assert_int_eq(tu_sql_int(db, "SELECT last_seq FROM imports WHERE id = 3"), 8);
    ck_assert_int_eq(tu_sql_int(db, "SELECT imported_utc FROM imports WHERE id = 3"),
                     PROVISIONED + 3 * DAY);
}
END_TEST

/* Votes numbered above the highest the ledger has of their instance go in
 * by batches of 64; the others one by one, each held against the stored
 * vote.  Both across batch boundaries, with the counts, the stored columns,
 * the file's digest and the rollbacks as with single inserts. */
START_TEST(test_batches)
{
    mp_err err = {{0}};
    ledger_summary sum;
    /* 1..150: two full batches and a part. */
    ck_assert_msg(import_range(SHA, 1, 150, NULL, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.rows, 150);
    ck_assert_int_eq(sum.new_rows, 150);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 150);
    static const int64_t spots[] = {1, 63, 64, 65, 128, 129, 150};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        int64_t s = spots[i];
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM votes WHERE kiosk_id = 'room-01' AND instance = '" INST_A
                 "' AND seq = %" PRId64 " AND uuid = '00000000-0000-4000-8000-%012" PRId64
                 "' AND cast_utc = %" PRId64 " AND utc_offset = 28800 AND unit_code = 'GA01'"
                 " AND unit_name = '县公安局' AND points = %d AND channel = 'kiosk'"
                 " AND flagged = 0 AND import_id = 1",
                 s, s, PROVISIONED + DAY + 60 * s, RATINGS[s % 4].points);
        ck_assert_msg(tu_sql_int(db, sql) == 1, "vote %" PRId64 " was not stored as given", s);
    }

    /* A cumulative file 1..400 without 10 and 200: of 398 votes, 149 known
     * (one at a time) and 249 new (by the batch); 10 is absent. */
    const int64_t skip[] = {10, 200, 0};
    ck_assert_msg(import_range(SHA2, 1, 400, skip, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.rows, 398);
    ck_assert_int_eq(sum.new_rows, 249);
    ck_assert_int_eq(sum.absent, 1);
    ck_assert_str_eq(sum.absent_seqs, "10");
    ck_assert_int_eq(sum.seen_import_id, 0);
    ck_assert_str_eq(sum.sha256, SHA2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 399);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes WHERE import_id = 2"), 249);
    ck_assert_int_eq(tu_sql_int(db, "SELECT max(seq) FROM votes WHERE seq < 200"), 199);
    /* The same bytes again: nothing new, and the earlier import named. */
    ck_assert_msg(import_range(SHA2, 1, 400, skip, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.new_rows, 0);
    ck_assert_int_eq(sum.seen_import_id, 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM imports WHERE file_sha256 = '" SHA2 "'"), 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM imports WHERE file_sha256 = '" SHA "'"), 1);
    /* The import left the connection's settings as they were. */
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA temp_store"), 0);

    /* A conflict in the known part, after two full batches of equal votes:
     * refused at that vote. */
    char *before = dump();
    ledger_tx *tx = NULL;
    ck_assert_int_eq(ledger_tx_begin(db, "changed.csv", SHA, PROVISIONED, &tx, &err), 0);
    for (int64_t s = 1; s <= 130; s++) {
        if (s == 10)
            continue;
        export_row r = vote("room-01", INST_A, s, "GA01", RATINGS[s % 4].points, 0,
                            PROVISIONED + DAY + 60 * s);
        if (s == 130)
            r.cast_utc++;
        ck_assert_int_eq(ledger_tx_add(tx, &r, &err), s == 130 ? -1 : 0);
    }
    ck_assert_msg(strstr(err.msg, "conflict: vote 130") && strstr(err.msg, "time"), "%s",
                  err.msg);
    ledger_tx_abort(tx);
    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(after);

    /* New votes, batched, then a signature line that disagrees: all of
     * them rolled back. */
    ck_assert_int_eq(ledger_tx_begin(db, "more.csv", SHA, PROVISIONED, &tx, &err), 0);
    for (int64_t s = 401; s <= 600; s++) {
        export_row r = vote("room-01", INST_A, s, "GA01", 10, 0, PROVISIONED + DAY + 60 * s);
        ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    }
    export_meta m = meta_of("room-01", INST_A, 201, 401, 600, PROVISIONED + 2 * DAY);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "counts 201 votes"), "%s", err.msg);
    after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(after);
    free(before);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA temp_store"), 0);
}
END_TEST

/* votes_by_unit's definition in the schema, or "" when it is not there. */
static char *unit_index_sql(void)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT sql FROM sqlite_schema WHERE type = 'index' "
                                        "AND name = 'votes_by_unit'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    const char *t = "";
    if (sqlite3_step(st) == SQLITE_ROW)
        t = (const char *)sqlite3_column_text(st, 0);
    char *copy = strdup(t);
    sqlite3_finalize(st);
    ck_assert_ptr_nonnull(copy);
    return copy;
}

/* Starts a transaction announcing `expect` votes; `dropped` says whether
 * votes_by_unit must be gone for it. */
static ledger_tx *begin_expecting(const char *sha, int64_t expect, int dropped)
{
    mp_err err = {{0}};
    ledger_tx *tx = NULL;
    ck_assert_int_eq(ledger_tx_begin(db, "room-01.csv", sha, PROVISIONED + 3 * DAY, &tx, &err),
                     0);
    ck_assert_msg(ledger_tx_expect(tx, expect, &err) == 0, "%s", err.msg);
    char *sql = unit_index_sql();
    ck_assert_msg((*sql == '\0') == dropped, "expecting %" PRId64 " votes with %" PRId64
                  " stored: votes_by_unit %s", expect, tu_sql_int(db, "SELECT count(*) FROM votes"),
                  dropped ? "kept" : "dropped");
    free(sql);
    return tx;
}

/* Adds votes first..last of room-01 / INST_A, the unit turning GA01, MZ01,
 * TS01 by seq. */
static void add_votes(ledger_tx *tx, int64_t first, int64_t last)
{
    static const char *const units[] = {"GA01", "MZ01", "TS01"};
    mp_err err = {{0}};
    for (int64_t s = first; s <= last; s++) {
        export_row r = vote("room-01", INST_A, s, units[s % 3], RATINGS[s % 4].points, 0,
                            PROVISIONED + DAY + 60 * s);
        ck_assert_msg(ledger_tx_add(tx, &r, &err) == 0, "vote %" PRId64 ": %s", s, err.msg);
    }
}

/* The index has what the table has: integrity_check compares every entry,
 * and counting through the index (INDEXED BY) agrees with the table. */
static void check_unit_index(const char *want_sql)
{
    char *sql = unit_index_sql();
    ck_assert_str_eq(sql, want_sql);
    free(sql);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    int64_t all = tu_sql_int(db, "SELECT count(*) FROM votes");
    int64_t ts = tu_sql_int(db, "SELECT count(*) FROM votes WHERE seq % 3 = 2");
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes INDEXED BY votes_by_unit "
                           "WHERE unit_code = 'TS01'"),
                     ts);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes INDEXED BY votes_by_unit "
                           "WHERE unit_code >= ''"),
                     all);
}

START_TEST(test_unit_index_rebuilt)
{
    mp_err err = {{0}};
    ledger_summary sum;
    char *index_sql = unit_index_sql();
    ck_assert_str_eq(index_sql, "CREATE INDEX votes_by_unit ON votes(unit_code, cast_utc)");

    /* A big file into an empty ledger: the index is dropped, then made
     * again at the commit. */
    ledger_tx *tx = begin_expecting(SHA, 3000, 1);
    add_votes(tx, 1, 3000);
    export_meta m = meta_of("room-01", INST_A, 3000, 1, 3000, PROVISIONED + 2 * DAY);
    ck_assert_msg(ledger_tx_commit(tx, &m, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.new_rows, 3000);
    check_unit_index(index_sql);

    /* Fewer than half the stored votes, or fewer than the minimum: kept. */
    ledger_tx_abort(begin_expecting(SHA2, 1499, 0));
    ledger_tx_abort(begin_expecting(SHA2, LEDGER_REINDEX_MIN_ROWS - 1, 0));
    tx = begin_expecting(SHA2, 100, 0);
    add_votes(tx, 3001, 3100);
    m = meta_of("room-01", INST_A, 100, 3001, 3100, PROVISIONED + 2 * DAY);
    ck_assert_msg(ledger_tx_commit(tx, &m, &sum, &err) == 0, "%s", err.msg);
    check_unit_index(index_sql);

    /* Dropped, then rolled back (abort, or a commit that fails): the index
     * is there again and the database as it was. */
    char *before = dump();
    tx = begin_expecting(SHA, 2000, 1);
    add_votes(tx, 3101, 3500);
    ledger_tx_abort(tx);
    tx = begin_expecting(SHA, 2000, 1);
    add_votes(tx, 3101, 5100);
    m = meta_of("room-01", INST_A, 1999, 3101, 5100, PROVISIONED + 2 * DAY);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "counts 1999 votes"), "%s", err.msg);
    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(after);
    free(before);
    check_unit_index(index_sql);

    /* Announced after a vote was added: too late, nothing happens. */
    tx = begin_expecting(SHA, 10, 0);
    add_votes(tx, 3101, 3101);
    ck_assert_int_eq(ledger_tx_expect(tx, 100000, &err), 0);
    char *sql = unit_index_sql();
    ck_assert_str_eq(sql, index_sql);
    free(sql);
    ledger_tx_abort(tx);
    free(index_sql);
}
END_TEST

START_TEST(test_conflict_rejected)
{
    mp_err err = {{0}};
    ck_assert_msg(import_range(SHA, 1, 5, NULL, NULL, &err) == 0, "%s", err.msg);
    char *before = dump();

    ledger_tx *tx = NULL;
    ck_assert_int_eq(ledger_tx_begin(db, "changed.csv", SHA2, PROVISIONED + 3 * DAY, &tx, &err),
                     0);
    export_row r = vote("room-01", INST_A, 1, "GA01", RATINGS[1 % 4].points, 0,
                        PROVISIONED + DAY + 60);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    r = vote("room-01", INST_A, 2, "GA01", 0, 0, PROVISIONED + DAY + 120); /* was 6 */
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), -1);
    ck_assert_msg(strstr(err.msg, "conflict") && strstr(err.msg, "vote 2") &&
                      strstr(err.msg, "minping-room-01.csv") && strstr(err.msg, "points"),
                  "%s", err.msg);
    ledger_tx_abort(tx);
    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(after);

    /* A different uuid for a known key is a conflict too. */
    ck_assert_int_eq(ledger_tx_begin(db, "changed.csv", SHA2, PROVISIONED + 3 * DAY, &tx, &err),
                     0);
    r = vote("room-01", INST_A, 3, "GA01", RATINGS[3].points, 0, PROVISIONED + DAY + 180);
    r.uuid = "11111111-0000-4000-8000-000000000003";
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), -1);
    ck_assert_msg(strstr(err.msg, "uuid"), "%s", err.msg);
    ledger_tx_abort(tx);
    after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(after);
    free(before);
}
END_TEST

START_TEST(test_strangers_rejected)
{
    mp_err err = {{0}};
    ck_assert_msg(import_range(SHA, 1, 2, NULL, NULL, &err) == 0, "%s", err.msg);
    char *before = dump();
    ledger_tx *tx = NULL;

    /* A kiosk that was never provisioned. */
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    export_row r = vote("room-99", INST_A, 1, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), -1);
    ck_assert_msg(strstr(err.msg, "room-99") && strstr(err.msg, "not provisioned"), "%s",
                  err.msg);
    ledger_tx_abort(tx);

    /* ... also when the file has no votes at all. */
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    export_meta m = meta_of("room-99", INST_A, 0, 0, 0, PROVISIONED);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "not provisioned"), "%s", err.msg);

    /* Rows of two instances in one file. */
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    r = vote("room-02", INST_A, 1, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    r = vote("room-02", INST_B, 2, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), -1);
    ck_assert_msg(strstr(err.msg, "instance"), "%s", err.msg);
    ledger_tx_abort(tx);

    /* A signature line that disagrees with the rows. */
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    r = vote("room-02", INST_A, 1, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    m = meta_of("room-02", INST_A, 2, 1, 2, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "counts 2 votes"), "%s", err.msg);

    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    r = vote("room-02", INST_A, 1, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    m = meta_of("room-01", INST_A, 1, 1, 1, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), -1);

    /* Malformed rows. */
    const struct {
        export_row r;
        const char *want;
    } bad[] = {
        {vote("room-02", INST_A, 1, "GA01", 7, 0, PROVISIONED), "points"},
        {vote("room-02", INST_A, 1, "GA01", 10, 2, PROVISIONED), "flag"},
        {vote("room-02", INST_A, 0, "GA01", 10, 0, PROVISIONED), "not positive"},
        {vote("room-02", "0123", 1, "GA01", 10, 0, PROVISIONED), "instance"},
        {vote("room-02", INST_A, 1, "GA 01", 10, 0, PROVISIONED), "unit code"},
        {vote("room 02", INST_A, 1, "GA01", 10, 0, PROVISIONED), "kiosk id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
        ck_assert_int_eq(ledger_tx_add(tx, &bad[i].r, &err), -1);
        ck_assert_msg(strstr(err.msg, bad[i].want), "case %zu: %s", i, err.msg);
        ledger_tx_abort(tx);
    }
    export_row odd = vote("room-02", INST_A, 1, "GA01", 10, 0, PROVISIONED);
    odd.utc_offset = 20 * 3600;
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    ck_assert_int_eq(ledger_tx_add(tx, &odd, &err), -1);
    ledger_tx_abort(tx);

    /* Out of order. */
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", SHA2, PROVISIONED, &tx, &err), 0);
    r = vote("room-02", INST_A, 5, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    r = vote("room-02", INST_A, 4, "GA01", 10, 0, PROVISIONED + DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), -1);
    ck_assert_msg(strstr(err.msg, "out of order"), "%s", err.msg);
    ledger_tx_abort(tx);

    /* Bad arguments to begin. */
    ck_assert_int_eq(ledger_tx_begin(db, "x.csv", "abc", PROVISIONED, &tx, &err), -1);
    ck_assert_int_eq(ledger_tx_begin(db, "", SHA, PROVISIONED, &tx, &err), -1);

    char *after = dump();
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(after);
    free(before);
}
END_TEST

START_TEST(test_empty_export)
{
    mp_err err = {{0}};
    ledger_summary sum;
    ck_assert_msg(import_range(SHA, 1, 0, NULL, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.rows, 0);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM imports WHERE rows = 0 AND kiosk_id = "
                           "'room-01'"),
                     1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 0);
}
END_TEST

START_TEST(test_votes_are_kept)
{
    mp_err err = {{0}};
    ck_assert_msg(import_range(SHA, 1, 3, NULL, NULL, &err) == 0, "%s", err.msg);
    char *msg = NULL;
    ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM votes", NULL, NULL, &msg), SQLITE_OK);
    sqlite3_free(msg);
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE votes SET points = 10", NULL, NULL, &msg),
                     SQLITE_OK);
    sqlite3_free(msg);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 3);
}
END_TEST

typedef struct gaps {
    char text[512];
} gaps;

static int collect_gap(void *user, const ledger_gap *g)
{
    gaps *gs = user;
    size_t n = strlen(gs->text);
    snprintf(gs->text + n, sizeof gs->text - n, "%s/%.4s:%" PRId64 "-%" PRId64 " ", g->kiosk_id,
             g->instance, g->from, g->to);
    return 0;
}

START_TEST(test_gaps)
{
    mp_err err = {{0}};
    const int64_t skip[] = {3, 4, 9, 0};
    ck_assert_msg(import_range(SHA, 1, 12, skip, NULL, &err) == 0, "%s", err.msg);
    char *text = NULL;
    int64_t missing = 0;
    ck_assert_int_eq(ledger_gap_text(db, "room-01", INST_A, 10, &text, &missing, &err), 0);
    ck_assert_str_eq(text, "3-4, 9");
    ck_assert_int_eq(missing, 3);
    free(text);
    ck_assert_int_eq(ledger_gap_text(db, "room-01", INST_A, 1, &text, NULL, &err), 0);
    ck_assert_str_eq(text, "3-4, … and 1 more ranges");
    free(text);

    /* The missing votes arrive in a later export: the gap closes. */
    ck_assert_msg(import_range(SHA2, 1, 12, NULL, NULL, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(ledger_gap_text(db, "room-01", INST_A, 10, &text, &missing, &err), 0);
    ck_assert_str_eq(text, "");
    ck_assert_int_eq(missing, 0);
    free(text);

    /* A later file of the same instance that lacks votes 5-6 and 10, which
     * the ledger has: reported as absent, and the ledger keeps them. */
    ledger_summary sum;
    const int64_t drop[] = {5, 6, 10, 0};
    ck_assert_msg(import_range(SHA, 1, 13, drop, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.new_rows, 1);
    ck_assert_int_eq(sum.absent, 3);
    ck_assert_str_eq(sum.absent_seqs, "5-6, 10");
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes WHERE kiosk_id = 'room-01'"), 13);
    /* An older, shorter file lacks nothing up to its own last vote. */
    ck_assert_msg(import_range(SHA, 1, 4, NULL, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.absent, 0);
    ck_assert_str_eq(sum.absent_seqs, "");

    /* Many absent ranges: the list is cut short, never overrun. */
    int64_t every_other[101];
    for (int i = 0; i < 100; i++)
        every_other[i] = 2 * i + 1;
    every_other[100] = 0;
    ck_assert_msg(import_range(SHA2, 1, 200, NULL, NULL, &err) == 0, "%s", err.msg);
    ck_assert_msg(import_range(SHA, 1, 200, every_other, &sum, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(sum.absent, 100);
    ck_assert_uint_lt(strlen(sum.absent_seqs), sizeof sum.absent_seqs);
    ck_assert_msg(strncmp(sum.absent_seqs, "1, 3, 5, 7", 10) == 0, "%s", sum.absent_seqs);
    ck_assert_msg(strcmp(sum.absent_seqs + strlen(sum.absent_seqs) - strlen("…"), "…") == 0,
                  "%s", sum.absent_seqs);

    /* An instance whose first votes were never seen, on another kiosk. */
    ledger_tx *tx = NULL;
    ck_assert_int_eq(ledger_tx_begin(db, "b.csv", SHA, PROVISIONED, &tx, &err), 0);
    for (int64_t s = 4; s <= 6; s++) {
        export_row r = vote("room-02", INST_B, s, "MZ01", 8, 0, PROVISIONED + DAY);
        ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    }
    export_meta m = meta_of("room-02", INST_B, 3, 4, 6, PROVISIONED + DAY);
    ck_assert_msg(ledger_tx_commit(tx, &m, NULL, &err) == 0, "%s", err.msg);

    gaps all = {""};
    ck_assert_int_eq(ledger_each_gap(db, NULL, NULL, collect_gap, &all, &err), 0);
    ck_assert_str_eq(all.text, "room-02/fedc:1-3 ");
    ck_assert_int_eq(ledger_gap_text(db, "room-01", NULL, 10, &text, NULL, &err), 0);
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

typedef struct clocks {
    int n;
    ledger_clock_warning w[4];
    char seqs[4][512];
} clocks;

static int collect_clock(void *user, const ledger_clock_warning *w)
{
    clocks *c = user;
    ck_assert_int_lt(c->n, 4);
    c->w[c->n] = *w;
    snprintf(c->seqs[c->n], sizeof c->seqs[0], "%s", w->seqs);
    c->w[c->n].seqs = c->seqs[c->n];
    c->n++;
    return 0;
}

START_TEST(test_clock_warnings)
{
    /* Re-provisioning later must not make older votes look early. */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE kiosks SET provisioned_utc = %" PRId64
                              " WHERE id = 'room-01'",
             PROVISIONED + 30 * DAY);
    exec_ok(sql);

    mp_err err = {{0}};
    ledger_tx *tx = NULL;
    int64_t exported = PROVISIONED + 10 * DAY;
    ck_assert_int_eq(ledger_tx_begin(db, "a.csv", SHA, PROVISIONED + 11 * DAY, &tx, &err), 0);
    const int64_t when[] = {
        5,                         /* 1: 1970, a board without a clock */
        65,                        /* 2 */
        PROVISIONED - 2 * DAY,     /* 3: before provisioning */
        PROVISIONED - 3600,        /* 4: an hour early: within the slack */
        PROVISIONED + DAY,         /* 5: fine */
        exported + 60,             /* 6: after the export that carries it */
        PROVISIONED + 2 * DAY,     /* 7: fine */
    };
    for (int64_t s = 1; s <= 7; s++) {
        export_row r = vote("room-01", INST_A, s, "GA01", 10, 0, when[s - 1]);
        ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    }
    export_meta m = meta_of("room-01", INST_A, 7, 1, 7, exported);
    ck_assert_msg(ledger_tx_commit(tx, &m, NULL, &err) == 0, "%s", err.msg);

    clocks c = {0};
    ck_assert_int_eq(ledger_each_clock_warning(db, NULL, NULL, NULL, collect_clock, &c, &err),
                     0);
    ck_assert_int_eq(c.n, 1);
    ck_assert_str_eq(c.w[0].kiosk_id, "room-01");
    ck_assert_int_eq(c.w[0].provisioned_utc, PROVISIONED);
    ck_assert_int_eq(c.w[0].votes, 4);
    ck_assert_int_eq(c.w[0].before_provisioned, 3);
    ck_assert_int_eq(c.w[0].after_export, 1);
    ck_assert_int_eq(c.w[0].future, 0);
    ck_assert_int_eq(c.w[0].earliest_utc, 5);
    ck_assert_int_eq(c.w[0].latest_utc, exported + 60);
    ck_assert_int_eq(c.w[0].in_window, 4); /* no window: all */
    ck_assert_str_eq(c.w[0].seqs, "01234567: 1-3, 6");

    /* With a window only 2026's suspect votes are inside it. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ledger_each_clock_warning(db, "room-01", "2026-01-01", "2026-12-31",
                                               collect_clock, &c, &err),
                     0);
    ck_assert_int_eq(c.n, 1);
    ck_assert_int_eq(c.w[0].in_window, 2);

    /* Another kiosk's filter sees nothing. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ledger_each_clock_warning(db, "room-02", NULL, NULL, collect_clock, &c,
                                               &err),
                     0);
    ck_assert_int_eq(c.n, 0);

    /* A vote dated well after the office imported it is in the future. */
    ck_assert_int_eq(ledger_tx_begin(db, "b.csv", SHA2, PROVISIONED + DAY, &tx, &err), 0);
    export_row r = vote("room-02", INST_B, 1, "GA01", 10, 0, PROVISIONED + 400 * DAY);
    ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    m = meta_of("room-02", INST_B, 1, 1, 1, PROVISIONED + 401 * DAY);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), 0);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ledger_each_clock_warning(db, NULL, NULL, NULL, collect_clock, &c, &err),
                     0);
    ck_assert_int_eq(c.n, 2);
    ck_assert_str_eq(c.w[1].kiosk_id, "room-02");
    ck_assert_int_eq(c.w[1].future, 1);
    ck_assert_int_eq(c.w[1].votes, 1);
}
END_TEST

typedef struct units {
    int n;
    char code[8][16];
    int64_t counts[8][RATING_COUNT];
    int64_t flagged[8][RATING_COUNT];
    int typed[8];
} units;

static int collect_unit(void *user, const ledger_unit_counts *u)
{
    units *us = user;
    ck_assert_int_lt(us->n, 8);
    snprintf(us->code[us->n], 16, "%s", u->code);
    memcpy(us->counts[us->n], u->counts, sizeof u->counts);
    memcpy(us->flagged[us->n], u->flagged, sizeof u->flagged);
    us->typed[us->n] = u->type != NULL;
    us->n++;
    return 0;
}

START_TEST(test_unit_counts_and_windows)
{
    /* Local dates at UTC+8: 2026-03-31T16:30Z is 2026-04-01 00:30 local. */
    const int64_t mar31_1630z = INT64_C(1774974600);
    mp_err err = {{0}};
    ledger_tx *tx = NULL;
    ck_assert_int_eq(ledger_tx_begin(db, "a.csv", SHA, PROVISIONED, &tx, &err), 0);
    const struct {
        const char *unit;
        int points, flagged;
        int64_t when;
    } v[] = {
        {"GA01", 10, 0, mar31_1630z},        /* local 04-01 00:30 */
        {"GA01", 8, 0, mar31_1630z - 3600},  /* local 03-31 23:30 */
        {"GA01", 6, 1, mar31_1630z},         /* flagged */
        {"MZ01", 0, 0, mar31_1630z + DAY},   /* local 04-02 */
        {"ZZ99", 8, 0, mar31_1630z},         /* a unit the registry does not know */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        export_row r = vote("room-01", INST_A, (int64_t)i + 1, v[i].unit, v[i].points,
                            v[i].flagged, v[i].when);
        ck_assert_int_eq(ledger_tx_add(tx, &r, &err), 0);
    }
    export_meta m = meta_of("room-01", INST_A, 5, 1, 5, PROVISIONED);
    ck_assert_int_eq(ledger_tx_commit(tx, &m, NULL, &err), 0);

    units u = {0};
    ck_assert_int_eq(ledger_each_unit_counts(db, NULL, NULL, collect_unit, &u, &err), 0);
    ck_assert_int_eq(u.n, 3); /* every registered unit, by code */
    ck_assert_str_eq(u.code[0], "GA01");
    ck_assert_str_eq(u.code[1], "MZ01");
    ck_assert_str_eq(u.code[2], "TS01");
    ck_assert_int_eq(u.counts[0][0], 1);
    ck_assert_int_eq(u.counts[0][1], 1);
    ck_assert_int_eq(u.counts[0][2], 0);
    ck_assert_int_eq(u.flagged[0][2], 1);
    ck_assert_int_eq(u.counts[1][3], 1);
    for (int i = 0; i < RATING_COUNT; i++)
        ck_assert_int_eq(u.counts[2][i] + u.flagged[2][i], 0);

    /* From 1 April (local): the 23:30 vote of 31 March is out. */
    memset(&u, 0, sizeof u);
    ck_assert_int_eq(ledger_each_unit_counts(db, "2026-04-01", "2026-04-01", collect_unit, &u,
                                             &err),
                     0);
    ck_assert_int_eq(u.counts[0][0], 1);
    ck_assert_int_eq(u.counts[0][1], 0);
    ck_assert_int_eq(u.flagged[0][2], 1);
    ck_assert_int_eq(u.counts[1][3], 0); /* 2 April */

    /* Up to 31 March: only that one. */
    memset(&u, 0, sizeof u);
    ck_assert_int_eq(ledger_each_unit_counts(db, NULL, "2026-03-31", collect_unit, &u, &err), 0);
    ck_assert_int_eq(u.counts[0][0], 0);
    ck_assert_int_eq(u.counts[0][1], 1);
    ck_assert_int_eq(u.flagged[0][2], 0);

    memset(&u, 0, sizeof u);
    ck_assert_int_eq(ledger_each_unregistered(db, NULL, NULL, collect_unit, &u, &err), 0);
    ck_assert_int_eq(u.n, 1);
    ck_assert_str_eq(u.code[0], "ZZ99");
    ck_assert_int_eq(u.counts[0][1], 1);
    ck_assert_int_eq(u.typed[0], 0);
    memset(&u, 0, sizeof u);
    ck_assert_int_eq(ledger_each_unregistered(db, "2026-05-01", NULL, collect_unit, &u, &err), 0);
    ck_assert_int_eq(u.n, 0);
}
END_TEST

static int count_kiosk(void *user, const ledger_kiosk *k)
{
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%s:%" PRId64 "/%" PRId64 " ", k->id, k->imports, k->votes);
    return 0;
}

static int count_instance(void *user, const ledger_instance *in)
{
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%s/%.4s:%" PRId64 ",%" PRId64 ",%" PRId64 " ", in->kiosk_id,
             in->instance, in->votes, in->max_seq, in->missing);
    return 0;
}

static int count_import(void *user, const ledger_import_info *imp)
{
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%" PRId64 ":%s:%" PRId64 "/%" PRId64 " ", imp->id,
             imp->file_name, imp->new_rows, imp->rows);
    return 0;
}

START_TEST(test_listings)
{
    mp_err err = {{0}};
    const int64_t skip[] = {2, 0};
    ck_assert_int_eq(import_range(SHA, 1, 4, skip, NULL, &err), 0);
    ck_assert_int_eq(import_range(SHA2, 1, 6, skip, NULL, &err), 0);
    char buf[512] = "";
    ck_assert_int_eq(ledger_each_kiosk(db, count_kiosk, buf, &err), 0);
    ck_assert_str_eq(buf, "room-01:2/5 room-02:0/0 ");
    buf[0] = '\0';
    ck_assert_int_eq(ledger_each_instance(db, NULL, count_instance, buf, &err), 0);
    ck_assert_str_eq(buf, "room-01/0123:5,6,1 ");
    buf[0] = '\0';
    ck_assert_int_eq(ledger_each_instance(db, "room-02", count_instance, buf, &err), 0);
    ck_assert_str_eq(buf, "");
    buf[0] = '\0';
    ck_assert_int_eq(ledger_each_import(db, count_import, buf, &err), 0);
    ck_assert_str_eq(buf, "1:minping-room-01.csv:3/3 2:minping-room-01.csv:2/5 ");
}
END_TEST

START_TEST(test_dates)
{
    mp_err err = {{0}};
    ck_assert_int_eq(ledger_check_date("2026-01-31", &err), 0);
    ck_assert_int_eq(ledger_check_date("2024-02-29", &err), 0);
    ck_assert_int_eq(ledger_check_date("2000-02-29", &err), 0);
    ck_assert_int_eq(ledger_check_date("1970-01-01", &err), 0);
    const char *bad[] = {"2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
                         "2026-4-1", "20260401", "2026/04/01", "", "1969-12-31", "2026-01-3x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ledger_check_date(bad[i], &err) == -1, "%s accepted", bad[i]);
}
END_TEST

/* The one writer of seq lists: runs joined, groups, the cut, the count. */
START_TEST(test_ranges_text)
{
    char buf[64];
    ledger_ranges r;
    ledger_ranges_init(&r, buf, sizeof buf, 0);
    ledger_ranges_end(&r);
    ck_assert_str_eq(buf, "");

    ledger_ranges_init(&r, buf, sizeof buf, 0);
    for (int64_t s = 3; s <= 5; s++)
        ledger_ranges_add(&r, s, s);
    ledger_ranges_add(&r, 9, 9);
    ledger_ranges_add(&r, 12, 20);
    ledger_ranges_add(&r, 21, 21);
    ledger_ranges_end(&r);
    ck_assert_str_eq(buf, "3-5, 9, 12-21");

    ledger_ranges_init(&r, buf, sizeof buf, 0);
    ledger_ranges_head(&r, "1a2b3c4d: ");
    ledger_ranges_add(&r, 1, 1);
    ledger_ranges_add(&r, 2, 2);
    ledger_ranges_head(&r, "; 5e6f7a8b: ");
    ledger_ranges_add(&r, 4, 4);
    ledger_ranges_end(&r);
    ck_assert_str_eq(buf, "1a2b3c4d: 1-2; 5e6f7a8b: 4");

    /* A break keeps touching ranges apart. */
    ledger_ranges_init(&r, buf, sizeof buf, 0);
    ledger_ranges_add(&r, 3, 4);
    ledger_ranges_break(&r);
    ledger_ranges_add(&r, 5, 6);
    ledger_ranges_end(&r);
    ck_assert_str_eq(buf, "3-4, 5-6");

    /* Too long for the buffer: cut with " …", never past it. */
    char small[16];
    ledger_ranges_init(&r, small, sizeof small, 0);
    for (int64_t s = 1; s < 100; s += 2)
        ledger_ranges_add(&r, s, s);
    ledger_ranges_end(&r);
    ck_assert_str_eq(small, "1, 3, 5, 7 …"); /* 14 bytes and the NUL */

    /* At most max_ranges, the rest counted. */
    ledger_ranges_init(&r, buf, sizeof buf, 2);
    ledger_ranges_add(&r, 3, 4);
    ledger_ranges_add(&r, 7, 7);
    ledger_ranges_add(&r, 9, 9);
    ledger_ranges_add(&r, 11, 12);
    ledger_ranges_end(&r);
    ck_assert_str_eq(buf, "3-4, 7, … and 2 more ranges");
}
END_TEST

static Suite *ledger_suite(void)
{
    Suite *s = suite_create("ledger");
    TCase *tc = tcase_create("ledger");
    tcase_add_test(tc, test_ranges_text);
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_import_counts_once);
    tcase_add_test(tc, test_conflict_rejected);
    tcase_add_test(tc, test_batches);
    tcase_add_test(tc, test_unit_index_rebuilt);
    tcase_add_test(tc, test_strangers_rejected);
    tcase_add_test(tc, test_empty_export);
    tcase_add_test(tc, test_votes_are_kept);
    tcase_add_test(tc, test_gaps);
    tcase_add_test(tc, test_clock_warnings);
    tcase_add_test(tc, test_unit_counts_and_windows);
    tcase_add_test(tc, test_listings);
    tcase_add_test(tc, test_dates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(ledger_suite());
}

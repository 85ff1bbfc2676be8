/* check_store.c - the kiosk's vote store: sequence numbers, identity,
 * append-only votes, durability settings, totals.  Every test gets a fresh
 * database in its own folder. */
#include "rating.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *dir;  /* this test's folder */
static char *db_path;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    db_path = tu_path(dir, "kiosk.db");
}

static void teardown(void)
{
    free(db_path);
    free(dir);
}

static store *open_ok(const char *path)
{
    store *s = NULL;
    mp_err err = {{0}};
    ck_assert_msg(store_open(path, &s, &err) == 0, "store_open: %s", err.msg);
    ck_assert_ptr_nonnull(s);
    return s;
}

static store_vote add_ok(store *s, const char *code, int points, int flagged)
{
    store_vote v;
    memset(&v, 0xAB, sizeof v);
    mp_err err = {{0}};
    ck_assert_msg(store_add_vote(s, code, "单位", points, flagged, 1764200000, 28800, &v, &err) == 0,
                  "store_add_vote: %s", err.msg);
    return v;
}

/* A second, independent connection to the database file. */
static sqlite3 *raw_open(void)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* Runs sql; returns the SQLite result code and copies the error message. */
static int raw_exec(sqlite3 *db, const char *sql, char *msg, size_t len)
{
    char *m = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &m);
    if (msg)
        snprintf(msg, len, "%s", m ? m : "");
    sqlite3_free(m);
    return rc;
}

static int is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

START_TEST(test_seq_counts_from_one)
{
    store *s = open_ok(db_path);
    for (int64_t i = 1; i <= 3; i++) {
        store_vote v = add_ok(s, "A01", 10, 0);
        ck_assert_int_eq(v.seq, i);
    }
    int64_t n = -1;
    ck_assert_int_eq(store_vote_count(s, &n, NULL), 0);
    ck_assert_int_eq(n, 3);
    store_close(s);

    /* The sequence goes on after a reopen. */
    s = open_ok(db_path);
    ck_assert_int_eq(add_ok(s, "A01", 8, 0).seq, 4);
    store_close(s);
}
END_TEST

START_TEST(test_vote_is_stored_as_given)
{
    store *s = open_ok(db_path);
    store_vote v = {0};
    mp_err err = {{0}};
    ck_assert_int_eq(store_add_vote(s, "GA01", "县公安局", 6, 1, 1764201234, -18000, &v, &err), 0);
    ck_assert_int_eq(v.cast_utc, 1764201234);
    ck_assert_int_eq(v.utc_offset, -18000);
    ck_assert_int_eq(v.points, 6);
    ck_assert_int_eq(v.flagged, 1);
    char instance[33];
    snprintf(instance, sizeof instance, "%s", store_instance(s));
    store_close(s);

    sqlite3 *db = raw_open();
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT seq, instance, uuid, cast_utc, utc_offset, "
                                        "unit_code, unit_name, points, channel, flagged "
                                        "FROM votes",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), v.seq);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), instance);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), v.uuid);
    ck_assert_int_eq(sqlite3_column_int64(st, 3), 1764201234);
    ck_assert_int_eq(sqlite3_column_int(st, 4), -18000);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 5), "GA01");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 6), "县公安局");
    ck_assert_int_eq(sqlite3_column_int(st, 7), 6);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 8), "kiosk");
    ck_assert_int_eq(sqlite3_column_int(st, 9), 1);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_instance_id)
{
    store *s = open_ok(db_path);
    char first[33];
    snprintf(first, sizeof first, "%s", store_instance(s));
    ck_assert_uint_eq(strlen(store_instance(s)), 32);
    ck_assert_msg(is_lower_hex(first, 32), "instance \"%s\" is not hex", first);
    store_close(s);

    /* Stable across a reopen... */
    s = open_ok(db_path);
    ck_assert_str_eq(store_instance(s), first);
    store_close(s);

    /* ...and different for a new database. */
    char *other = tu_path(dir, "other.db");
    s = open_ok(other);
    ck_assert_uint_eq(strlen(store_instance(s)), 32);
    ck_assert_str_ne(store_instance(s), first);
    store_close(s);
    free(other);
}
END_TEST

START_TEST(test_uuids)
{
    enum { N = 200 };
    static char seen[N][37];
    store *s = open_ok(db_path);
    for (int i = 0; i < N; i++) {
        store_vote v = add_ok(s, "A01", RATINGS[i % RATING_COUNT].points, 0);
        const char *u = v.uuid;
        ck_assert_uint_eq(strlen(u), 36);
        /* xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V in 8, 9, a, b */
        ck_assert_msg(is_lower_hex(u, 8) && u[8] == '-' && is_lower_hex(u + 9, 4) &&
                          u[13] == '-' && u[14] == '4' && is_lower_hex(u + 15, 3) &&
                          u[18] == '-' && strchr("89ab", u[19]) && is_lower_hex(u + 20, 3) &&
                          u[23] == '-' && is_lower_hex(u + 24, 12),
                      "\"%s\" is not a version 4 UUID", u);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(seen[j], u);
        memcpy(seen[i], u, 37);
    }
    store_close(s);
}
END_TEST

START_TEST(test_votes_are_append_only)
{
    store *s = open_ok(db_path);
    add_ok(s, "A01", 10, 0);
    add_ok(s, "A01", 0, 0);
    store_close(s);

    sqlite3 *db = raw_open();
    char msg[256];
    ck_assert_int_eq(raw_exec(db, "UPDATE votes SET points = 10 WHERE seq = 2", msg, sizeof msg),
                     SQLITE_CONSTRAINT);
    ck_assert_str_eq(msg, "votes are append-only");
    ck_assert_int_eq(raw_exec(db, "UPDATE votes SET flagged = 1", msg, sizeof msg),
                     SQLITE_CONSTRAINT);
    ck_assert_int_eq(raw_exec(db, "DELETE FROM votes WHERE seq = 1", msg, sizeof msg),
                     SQLITE_CONSTRAINT);
    ck_assert_str_eq(msg, "votes are append-only");
    ck_assert_int_eq(raw_exec(db, "DELETE FROM votes", msg, sizeof msg), SQLITE_CONSTRAINT);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM votes"), 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT points FROM votes WHERE seq = 2"), 0);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_durability_settings)
{
    store *s = open_ok(db_path);
    char mode[16] = "";
    int sync = -1;
    mp_err err = {{0}};
    ck_assert_msg(store_durability(s, mode, &sync, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(mode, "wal");
    ck_assert_int_eq(sync, 2); /* FULL */

    /* WAL is a property of the file: another connection sees it too. */
    sqlite3 *db = raw_open();
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_close(s);
}
END_TEST

START_TEST(test_unexportable_vote_rejected)
{
    store *s = open_ok(db_path);
    mp_err err = {{0}};
    ck_assert_int_eq(store_add_vote(s, "A01", "甲", 8, 0, 1764200000, 8 * 3600 + 30, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "UTC offset"), "%s", err.msg);
    ck_assert_int_eq(store_add_vote(s, "A01", "甲", 8, 0, 1764200000, 15 * 3600, NULL, &err), -1);
    ck_assert_int_eq(store_add_vote(s, "A 1", "甲", 8, 0, 1764200000, 0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "unit code"), "%s", err.msg);
    ck_assert_int_eq(store_add_vote(s, "A01", "", 8, 0, 1764200000, 0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "unit name"), "%s", err.msg);
    int64_t n = -1;
    ck_assert_int_eq(store_vote_count(s, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(store_add_vote(s, "A01", "甲", 8, 0, 1764200000, -14 * 3600, NULL, &err), 0);
    store_close(s);
}
END_TEST

START_TEST(test_bad_points_rejected)
{
    store *s = open_ok(db_path);
    mp_err err = {{0}};
    store_vote v = {.seq = 77};
    ck_assert_int_eq(store_add_vote(s, "A01", "甲", 7, 0, 1764200000, 0, &v, &err), -1);
    ck_assert_str_eq(err.msg, "7 is not a rating's points");
    ck_assert_int_eq(v.seq, 77);
    ck_assert_int_eq(store_add_vote(s, "A01", "甲", -1, 0, 1764200000, 0, NULL, &err), -1);
    int64_t n = -1;
    ck_assert_int_eq(store_vote_count(s, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    store_close(s);

    /* The schema refuses it too, whoever writes. */
    sqlite3 *db = raw_open();
    ck_assert_int_eq(raw_exec(db,
                              "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, unit_code,"
                              " unit_name, points) VALUES ('x', 'u', 0, 0, 'A01', '甲', 7)",
                              NULL, 0),
                     SQLITE_CONSTRAINT);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_totals)
{
    store *s = open_ok(db_path);
    /* A01: 10 x2, 8 x1, 6 x0, 0 x3, and 2 flagged (one 10, one 0). */
    add_ok(s, "A01", 10, 0);
    add_ok(s, "A01", 0, 0);
    add_ok(s, "A01", 10, 0);
    add_ok(s, "A01", 8, 0);
    add_ok(s, "A01", 0, 0);
    add_ok(s, "A01", 0, 0);
    add_ok(s, "A01", 10, 1);
    add_ok(s, "A01", 0, 1);
    /* B02 must not leak into A01. */
    add_ok(s, "B02", 6, 0);
    add_ok(s, "B02", 6, 1);

    store_totals t;
    memset(&t, 0x55, sizeof t);
    mp_err err = {{0}};
    ck_assert_msg(store_unit_totals(s, "A01", &t, &err) == 0, "%s", err.msg);
    /* RATINGS order: 10, 8, 6, 0 */
    ck_assert_int_eq(t.counts[0], 2);
    ck_assert_int_eq(t.counts[1], 1);
    ck_assert_int_eq(t.counts[2], 0);
    ck_assert_int_eq(t.counts[3], 3);
    ck_assert_int_eq(t.flagged, 2);

    ck_assert_int_eq(store_unit_totals(s, "B02", &t, &err), 0);
    ck_assert_int_eq(t.counts[0], 0);
    ck_assert_int_eq(t.counts[2], 1);
    ck_assert_int_eq(t.flagged, 1);

    memset(&t, 0x55, sizeof t);
    ck_assert_int_eq(store_unit_totals(s, "ZZ", &t, &err), 0);
    for (int i = 0; i < RATING_COUNT; i++)
        ck_assert_int_eq(t.counts[i], 0);
    ck_assert_int_eq(t.flagged, 0);

    int64_t n = 0;
    ck_assert_int_eq(store_vote_count(s, &n, &err), 0);
    ck_assert_int_eq(n, 10);
    store_close(s);
}
END_TEST

START_TEST(test_seq_never_reused)
{
    store *s = open_ok(db_path);
    add_ok(s, "A01", 10, 0);
    add_ok(s, "A01", 8, 0);
    add_ok(s, "A01", 6, 0);
    store_close(s);

    /* Someone with the file removes the trigger and the last vote. */
    sqlite3 *db = raw_open();
    ck_assert_int_eq(raw_exec(db, "DROP TRIGGER votes_no_delete", NULL, 0), SQLITE_OK);
    ck_assert_int_eq(raw_exec(db, "DELETE FROM votes WHERE seq = 3", NULL, 0), SQLITE_OK);
    sqlite3_close(db);

    /* The next vote does not take seq 3 again, so the gap shows. */
    s = open_ok(db_path);
    ck_assert_int_eq(add_ok(s, "A01", 10, 0).seq, 4);
    store_close(s);
}
END_TEST

START_TEST(test_probe)
{
    store *s = open_ok(db_path);
    mp_err err = {{0}};
    ck_assert_msg(store_probe(s, &err) == 0, "%s", err.msg);
    ck_assert_msg(store_probe(s, &err) == 0, "%s", err.msg);
    int64_t n = -1;
    ck_assert_int_eq(store_vote_count(s, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    store_close(s);
    sqlite3 *db = raw_open();
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM meta WHERE key = 'last_probe_utc'"), 1);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_open_errors)
{
    store *s = NULL;
    mp_err err = {{0}};
    char *bad = tu_path(dir, "no/such/folder/kiosk.db");
    ck_assert_int_eq(store_open(bad, &s, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, bad) != NULL, "message \"%s\" does not name the file", err.msg);
    free(bad);

    /* Not a database at all. */
    const char junk[] = "this is not an SQLite database, just some text long enough.....";
    tu_write_file(db_path, junk, sizeof junk - 1);
    ck_assert_int_eq(store_open(db_path, &s, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, db_path) != NULL, "message \"%s\" does not name the file",
                  err.msg);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
    store *s = open_ok(db_path);
    store_close(s);
    sqlite3 *db = raw_open();
    ck_assert_int_eq(raw_exec(db, "PRAGMA user_version = 99", NULL, 0), SQLITE_OK);
    sqlite3_close(db);
    mp_err err = {{0}};
    s = NULL;
    ck_assert_int_eq(store_open(db_path, &s, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, "schema version 99") != NULL, "%s", err.msg);
}
END_TEST


/* ---- damage: detection, setting aside, salvage (issue 4) ------------------ */

/* Appends n votes of every form the kiosk stores (seven units, names with
 * quotes and commas, all ratings, flags, offsets) to the database of s, in
 * one transaction on a second connection: a thousand synced commits would
 * make the test slow and prove nothing more here. */
static void make_votes(store *s, int n)
{
    sqlite3 *db = raw_open();
    char sql[1200];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < %d - 1), "
             "r(k, h) AS (SELECT k, lower(hex(randomblob(16))) FROM i) "
             "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, unit_code, unit_name, "
             "points, channel, flagged) "
             "SELECT '%s', substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) "
             "|| '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12), 1764200000 + k * 37, "
             "(k %% 5 - 2) * 3600, 'U0' || (k %% 7), "
             "CASE k %% 3 WHEN 0 THEN '县公安局' WHEN 1 THEN '城关镇人民政府' "
             "ELSE '县\"税务\",局' END, CASE k %% 4 WHEN 0 THEN 10 WHEN 1 THEN 8 WHEN 2 THEN 6 "
             "ELSE 0 END, 'kiosk', k %% 11 = 0 FROM r ORDER BY k",
             n, store_instance(s));
    char msg[300];
    ck_assert_msg(raw_exec(db, sql, msg, sizeof msg) == SQLITE_OK, "%s", msg);
    sqlite3_close(db);
}

typedef struct vote_list {
    store_vote_row *rows;
    char (*text)[5][120];
    size_t n;
} vote_list;

static int collect(void *user, const store_vote_row *r)
{
    vote_list *l = user;
    l->rows = realloc(l->rows, (l->n + 1) * sizeof *l->rows);
    l->text = realloc(l->text, (l->n + 1) * sizeof *l->text);
    ck_assert(l->rows && l->text);
    store_vote_row *c = &l->rows[l->n];
    *c = *r;
    snprintf(l->text[l->n][0], 120, "%s", r->instance);
    snprintf(l->text[l->n][1], 120, "%s", r->uuid);
    snprintf(l->text[l->n][2], 120, "%s", r->unit_code);
    snprintf(l->text[l->n][3], 120, "%s", r->unit_name);
    snprintf(l->text[l->n][4], 120, "%s", r->channel);
    c->instance = c->uuid = c->unit_code = c->unit_name = c->channel = NULL;
    l->n++;
    return 0;
}

static vote_list all_votes(store *s)
{
    vote_list l = {0};
    mp_err err;
    ck_assert_msg(store_each_vote(s, collect, &l, &err) == 0, "%s", err.msg);
    return l;
}

/* Every vote of part is in whole, with every column equal. */
static void assert_subset(const vote_list *part, const vote_list *whole)
{
    size_t j = 0;
    for (size_t i = 0; i < part->n; i++) {
        while (j < whole->n && whole->rows[j].seq < part->rows[i].seq)
            j++;
        ck_assert_msg(j < whole->n && whole->rows[j].seq == part->rows[i].seq,
                      "salvaged seq %lld was never stored", (long long)part->rows[i].seq);
        const store_vote_row *a = &part->rows[i], *b = &whole->rows[j];
        ck_assert_int_eq(a->cast_utc, b->cast_utc);
        ck_assert_int_eq(a->utc_offset, b->utc_offset);
        ck_assert_int_eq(a->points, b->points);
        ck_assert_int_eq(a->flagged, b->flagged);
        for (int k = 0; k < 5; k++)
            ck_assert_str_eq(part->text[i][k], whole->text[j][k]);
    }
}

static void free_list(vote_list *l)
{
    free(l->rows);
    free(l->text);
}

static char *read_all(const char *path, size_t *len)
{
    char *p = tu_read_file(path, len);
    ck_assert_msg(p != NULL, "%s is missing", path);
    return p;
}

START_TEST(test_new_database_is_made_whole)
{
    /* A leftover of a start that was killed while creating the database. */
    char *tmp = tu_path(dir, "kiosk.db.creating");
    tu_write_file(tmp, "half", 4);
    store *s = open_ok(db_path);
    ck_assert(!tu_exists(tmp));
    ck_assert_int_eq(strlen(store_instance(s)), 32);
    store_close(s);
    /* The file alone (no WAL beside it) already holds the instance id. */
    char *wal = tu_path(dir, "kiosk.db-wal");
    ck_assert(!tu_exists(wal));
    sqlite3 *db = raw_open();
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM meta WHERE key = 'instance'"), 1);
    sqlite3_close(db);
    free(wal);
    free(tmp);
}
END_TEST

/* Ways a database file gets damaged: cut short, pages zeroed, overwritten
 * with garbage, a garbage header, emptied. */
static const char *DAMAGE[] = {"truncated", "zeroed", "garbage", "header", "empty"};

/* The byte range [*lo, *hi) of a file of len bytes that DAMAGE[kind] spoils;
 * for "truncated" and "empty", *lo is the new length. */
static void damage_bounds(size_t len, int kind, size_t *lo, size_t *hi)
{
    *lo = 0, *hi = len;
    switch (kind) {
    case 0: *lo = len * 6 / 10 + 123; break;
    case 1: *lo = 4096, *hi = len - len / 3; break;
    case 2: *lo = len / 2, *hi = len / 2 + 6000; break;
    case 3: *hi = 100; break;
    case 4: break;
    }
}

static void damage(const char *path, int kind)
{
    size_t len, a, b;
    char *p = read_all(path, &len);
    ck_assert_int_gt(len, 8192);
    damage_bounds(len, kind, &a, &b);
    if (kind == 1)
        memset(p + a, 0, b - a);
    else if (kind == 2 || kind == 3)
        tu_noise(p + a, b - a, 7);
    tu_write_file(path, p, kind == 0 || kind == 4 ? a : len);
    free(p);
}
/* Counts the rows of the votes table held in leaf pages of the (sound) file
 * that lie wholly outside the byte range [lo, hi) -- *intact -- and in those
 * that are not wholly inside it -- *touched, an upper bound on what a reader
 * of the damaged file can find. */
static void votes_outside(size_t lo, size_t hi, int64_t *intact, int64_t *touched)
{
    sqlite3 *db = raw_open();
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT pageno, ncell, pgsize FROM dbstat "
                                        "WHERE name = 'votes' AND pagetype = 'leaf'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    *intact = *touched = 0;
    int pages = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t size = (size_t)sqlite3_column_int64(st, 2);
        size_t start = (size_t)(sqlite3_column_int64(st, 0) - 1) * size, end = start + size;
        int64_t cells = sqlite3_column_int64(st, 1);
        if (end <= lo || start >= hi)
            *intact += cells;
        if (start < lo || end > hi)
            *touched += cells;
        pages++;
    }
    ck_assert_int_gt(pages, 10);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

START_TEST(test_damage_is_detected_and_left_alone)
{
    store *s = open_ok(db_path);
    make_votes(s, 600);
    store_close(s);
    damage(db_path, _i);
    size_t before_len, after_len;
    char *before = read_all(db_path, &before_len);
    int damaged = -1;
    mp_err err = {{0}};
    s = NULL;
    ck_assert_int_eq(store_open_checked(db_path, &s, &damaged, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(damaged == 1, "%s: not seen as damage: %s", DAMAGE[_i], err.msg);
    ck_assert_msg(strstr(err.msg, db_path), "%s", err.msg);
    /* Not a byte of it changed. */
    char *after = read_all(db_path, &after_len);
    ck_assert_int_eq(before_len, after_len);
    ck_assert(memcmp(before, after, before_len) == 0);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_other_failures_are_not_damage)
{
    int damaged = -1;
    mp_err err;
    store *s;
    char *bad = tu_path(dir, "no/such/folder/kiosk.db");
    ck_assert_int_eq(store_open_checked(bad, &s, &damaged, &err), -1);
    ck_assert_int_eq(damaged, 0);
    free(bad);
    s = open_ok(db_path);
    store_close(s);
    sqlite3 *db = raw_open();
    ck_assert_int_eq(raw_exec(db, "PRAGMA user_version = 99", NULL, 0), SQLITE_OK);
    sqlite3_close(db);
    damaged = -1;
    ck_assert_int_eq(store_open_checked(db_path, &s, &damaged, &err), -1);
    ck_assert_int_eq(damaged, 0);
}
END_TEST

START_TEST(test_set_aside_never_overwrites)
{
    int64_t t = 1764300000; /* the name is the local time of t */
    time_t tt = (time_t)t;
    struct tm tm;
    char stamp[32], want[600], got[600];
    localtime_r(&tt, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *wal = tu_path(dir, "kiosk.db-wal"), *shm = tu_path(dir, "kiosk.db-shm");
    mp_err err;
    for (int round = 1; round <= 4; round++) {
        char db_text[16], wal_text[16];
        snprintf(db_text, sizeof db_text, "db %d", round);
        snprintf(wal_text, sizeof wal_text, "wal %d", round);
        tu_write_file(db_path, db_text, strlen(db_text));
        tu_write_file(wal, wal_text, strlen(wal_text));
        tu_write_file(shm, "shm", 3);
        if (round == 3) {
            /* Someone's file already has the next name: it is skipped. */
            snprintf(want, sizeof want, "%s.damaged-%s-3", db_path, stamp);
            tu_write_file(want, "keep", 4);
        }
        ck_assert_msg(store_set_aside(db_path, t, got, sizeof got, &err) == 0, "%s", err.msg);
        int n = round < 3 ? round : round + 1;
        if (n == 1)
            snprintf(want, sizeof want, "%s.damaged-%s", db_path, stamp);
        else
            snprintf(want, sizeof want, "%s.damaged-%s-%d", db_path, stamp, n);
        ck_assert_str_eq(got, want);
        ck_assert(!tu_exists(db_path) && !tu_exists(wal) && !tu_exists(shm));
        char *c = read_all(got, NULL);
        ck_assert_str_eq(c, db_text);
        free(c);
        char wal_name[700];
        snprintf(wal_name, sizeof wal_name, "%s-wal", got);
        c = read_all(wal_name, NULL);
        ck_assert_str_eq(c, wal_text);
        free(c);
    }
    snprintf(want, sizeof want, "%s.damaged-%s-3", db_path, stamp);
    char *c = read_all(want, NULL);
    ck_assert_str_eq(c, "keep");
    free(c);
    /* Nothing there: nothing to do, and it says so. */
    ck_assert_int_eq(store_set_aside(db_path, t, got, sizeof got, &err), -1);
    free(wal);
    free(shm);
}
END_TEST

START_TEST(test_orphan_wal)
{
    char *wal = tu_path(dir, "kiosk.db-wal"), *other = tu_path(dir, "kept-wal");
    mp_err err;
    store *s;
    int damaged;
    /* A -wal whose data another name keeps (an interrupted set-aside) is
     * removed, and a new database starts. */
    tu_write_file(wal, "frames", 6);
    ck_assert_int_eq(link(wal, other), 0);
    s = open_ok(db_path);
    store_close(s);
    ck_assert(tu_exists(other));
    char *c = read_all(other, NULL);
    ck_assert_str_eq(c, "frames");
    free(c);
    /* A -wal alone, with no other name, is damage: kept for set-aside. */
    ck_assert_int_eq(unlink(db_path), 0);
    tu_write_file(wal, "frames", 6);
    ck_assert_int_eq(store_open_checked(db_path, &s, &damaged, &err), -1);
    ck_assert_int_eq(damaged, 1);
    char got[600];
    ck_assert_msg(store_set_aside(db_path, 1764300000, got, sizeof got, &err) == 0, "%s", err.msg);
    ck_assert(!tu_exists(wal));
    s = open_ok(db_path);
    store_close(s);
    free(wal);
    free(other);
}
END_TEST

/* On a sound database, with votes both checkpointed into the file and still
 * in the WAL, salvage reads exactly what SQLite reads. */
START_TEST(test_salvage_reads_what_sqlite_reads)
{
    store *s = open_ok(db_path);
    make_votes(s, 700);
    sqlite3 *db = raw_open();
    ck_assert_int_eq(raw_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0), SQLITE_OK);
    sqlite3_close(db);
    make_votes(s, 300); /* these only in the WAL */
    vote_list want = all_votes(s);
    ck_assert_int_eq(want.n, 1000);
    store *r;
    store_salvage_info info;
    mp_err err;
    ck_assert_msg(store_open_salvage(db_path, &r, &info, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(store_instance(r), store_instance(s));
    ck_assert_str_eq(info.instance, store_instance(s));
    ck_assert_int_eq(info.rows, 1000);
    ck_assert_int_eq(info.first_seq, 1);
    ck_assert_int_eq(info.last_seq, 1000);
    ck_assert_int_eq(info.missing, 0);
    ck_assert_int_gt(info.wal_frames, 0);
    vote_list got = all_votes(r);
    ck_assert_int_eq(got.n, 1000);
    assert_subset(&got, &want);
    /* It is read-only. */
    ck_assert_int_eq(store_add_vote(r, "U01", "单位", 10, 0, 1764200000, 0, NULL, &err), -1);
    free_list(&got);
    free_list(&want);
    store_close(r);
    store_close(s);
}
END_TEST

/* Without the meta table's instance row, salvage signs the votes as the
 * instance most of them carry, the one read first when two are level; the
 * others are counted and left out. */
static void salvage_without_meta(int n_other, const char *want_first)
{
    store *s = open_ok(db_path);
    make_votes(s, 30);
    char first[33], sql[300], msg[300];
    snprintf(first, sizeof first, "%s", store_instance(s));
    store_close(s);
    sqlite3 *db = raw_open();
    snprintf(sql, sizeof sql,
             "DROP TRIGGER votes_no_update; DELETE FROM meta WHERE key = 'instance'; "
             "UPDATE votes SET instance = '%s' WHERE seq > %d",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 30 - n_other);
    ck_assert_msg(raw_exec(db, sql, msg, sizeof msg) == SQLITE_OK, "%s", msg);
    ck_assert_int_eq(raw_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0), SQLITE_OK);
    sqlite3_close(db);
    store *r;
    store_salvage_info info;
    mp_err err;
    ck_assert_msg(store_open_salvage(db_path, &r, &info, &err) == 0, "%s", err.msg);
    const char *want = want_first ? first : "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    ck_assert_str_eq(info.instance, want);
    ck_assert_str_eq(store_instance(r), want);
    int64_t keep = want_first ? 30 - n_other : n_other;
    ck_assert_int_eq(info.rows, keep);
    ck_assert_int_eq(info.other_instance, 30 - keep);
    store_close(r);
}

START_TEST(test_salvage_instance_by_majority)
{
    salvage_without_meta(20, NULL); /* the later instance has more votes */
}
END_TEST

START_TEST(test_salvage_instance_tie_goes_to_first)
{
    salvage_without_meta(15, "first");
}
END_TEST

START_TEST(test_salvage_of_damaged_files)
{
    store *s = open_ok(db_path);
    make_votes(s, 1500);
    vote_list want = all_votes(s);
    char instance[33];
    snprintf(instance, sizeof instance, "%s", store_instance(s));
    store_close(s);
    /* Which pages hold the votes depends on the random uuids (the index's
     * pages are interleaved with the table's), so what the damage spares is
     * counted on the sound file first. */
    size_t len, lo, hi;
    free(read_all(db_path, &len));
    damage_bounds(len, _i, &lo, &hi);
    int64_t intact, touched;
    votes_outside(lo, hi, &intact, &touched);
    damage(db_path, _i);
    size_t before_len;
    char *before = read_all(db_path, &before_len);
    store *r = NULL;
    store_salvage_info info;
    mp_err err;
    int rc = store_open_salvage(db_path, &r, &info, &err);
    if (_i == 4) { /* empty: nothing to read */
        ck_assert_int_eq(rc, -1);
        ck_assert_msg(strstr(err.msg, "no vote"), "%s", err.msg);
    } else {
        ck_assert_msg(rc == 0, "%s: %s", DAMAGE[_i], err.msg);
        ck_assert_str_eq(info.instance, instance);
        vote_list got = all_votes(r);
        ck_assert_int_eq((int64_t)got.n, info.rows);
        /* Every vote in a page the damage did not touch is read; at most
         * those in pages it only partly spoiled are added. */
        ck_assert_msg(info.rows >= intact && info.rows <= touched,
                      "%s: %lld votes read, %lld in untouched pages, %lld at most", DAMAGE[_i],
                      (long long)info.rows, (long long)intact, (long long)touched);
        /* There is something to read (the zeroed file: 482-587 in 60 runs). */
        ck_assert_int_ge(intact, 300);
        ck_assert_int_eq(info.missing, info.last_seq - info.first_seq + 1 - info.rows);
        assert_subset(&got, &want);
        printf("salvage of a %s file: %lld of 1500 votes read (%lld in untouched pages)\n",
               DAMAGE[_i], (long long)info.rows, (long long)intact);
        free_list(&got);
        store_close(r);
    }
    /* Read only: the file is as it was. */
    size_t after_len;
    char *after = read_all(db_path, &after_len);
    ck_assert(before_len == after_len && memcmp(before, after, before_len) == 0);
    free(before);
    free(after);
    free_list(&want);
}
END_TEST

START_TEST(test_salvage_of_garbage)
{
    char buf[50000];
    tu_noise(buf, sizeof buf, 11); /* no page of it can be a leaf of rows */
    tu_write_file(db_path, buf, sizeof buf);
    store *r = NULL;
    mp_err err;
    ck_assert_int_eq(store_open_salvage(db_path, &r, NULL, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, "no vote"), "%s", err.msg);
    ck_assert_int_eq(store_open_salvage("/nonexistent/kiosk.db", &r, NULL, &err), -1);
}
END_TEST

START_TEST(test_predecessor_note)
{
    store *s = open_ok(db_path);
    char buf[300];
    mp_err err;
    ck_assert_int_eq(store_predecessor(s, buf, sizeof buf, &err), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(store_set_predecessor(s, "/var/kiosk.db.damaged-20261127-080000", &err), 0);
    store_close(s);
    s = open_ok(db_path);
    ck_assert_int_eq(store_predecessor(s, buf, sizeof buf, &err), 0);
    ck_assert_str_eq(buf, "/var/kiosk.db.damaged-20261127-080000");
    store_close(s);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_seq_counts_from_one);
    tcase_add_test(tc, test_vote_is_stored_as_given);
    tcase_add_test(tc, test_instance_id);
    tcase_add_test(tc, test_uuids);
    tcase_add_test(tc, test_votes_are_append_only);
    tcase_add_test(tc, test_durability_settings);
    tcase_add_test(tc, test_bad_points_rejected);
    tcase_add_test(tc, test_unexportable_vote_rejected);
    tcase_add_test(tc, test_totals);
    tcase_add_test(tc, test_seq_never_reused);
    tcase_add_test(tc, test_probe);
    tcase_add_test(tc, test_open_errors);
    tcase_add_test(tc, test_newer_schema_refused);
    suite_add_tcase(s, tc);

    TCase *dm = tcase_create("damage");
    tcase_add_unchecked_fixture(dm, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(dm, setup, teardown);
    tcase_set_timeout(dm, 60);
    int kinds = (int)(sizeof DAMAGE / sizeof DAMAGE[0]);
    tcase_add_test(dm, test_new_database_is_made_whole);
    tcase_add_loop_test(dm, test_damage_is_detected_and_left_alone, 0, kinds);
    tcase_add_test(dm, test_other_failures_are_not_damage);
    tcase_add_test(dm, test_set_aside_never_overwrites);
    tcase_add_test(dm, test_orphan_wal);
    tcase_add_test(dm, test_salvage_reads_what_sqlite_reads);
    tcase_add_test(dm, test_salvage_instance_by_majority);
    tcase_add_test(dm, test_salvage_instance_tie_goes_to_first);
    tcase_add_loop_test(dm, test_salvage_of_damaged_files, 0, kinds);
    tcase_add_test(dm, test_salvage_of_garbage);
    tcase_add_test(dm, test_predecessor_note);
    suite_add_tcase(s, dm);
    return s;
}

int main(void)
{
    return tu_run_suite(store_suite());
}

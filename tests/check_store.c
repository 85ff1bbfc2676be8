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

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
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
    ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM votes"), 2);
    ck_assert_int_eq(raw_int(db, "SELECT points FROM votes WHERE seq = 2"), 0);
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
    ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM meta WHERE key = 'last_probe_utc'"), 1);
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
    return s;
}

int main(void)
{
    return tu_run_suite(store_suite());
}

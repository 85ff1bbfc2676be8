/* check_migrate.c - schema migrations by user_version: applied in order,
 * each once, a failed one changing nothing, a newer database refused. */
#include "testutil.h"
#include "embed.h"
#include "migrate.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct embed_file THREE[] = {
    {"001-a.sql", "CREATE TABLE a(x INTEGER);"},
    {"002-b.sql", "CREATE TABLE b(y INTEGER); INSERT INTO a VALUES (1);"},
    {"003-c.sql", "INSERT INTO a VALUES (2);"},
    {NULL, NULL},
};

static sqlite3 *mem(void)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    return db;
}

START_TEST(test_applies_in_order_once)
{
    sqlite3 *db = mem();
    mp_err err = {{0}};
    ck_assert_int_eq(migrate_count(THREE), 3);
    ck_assert_msg(migrate_apply(db, THREE, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), 3);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM a"), 2);
    /* Again: nothing left to apply, nothing applied twice. */
    ck_assert_msg(migrate_apply(db, THREE, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM a"), 2);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_continues_from_version)
{
    sqlite3 *db = mem();
    mp_err err = {{0}};
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE a(x INTEGER); PRAGMA user_version = 1", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    ck_assert_msg(migrate_apply(db, THREE, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), 3);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM a"), 2);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_failure_changes_nothing_of_it)
{
    static const struct embed_file BAD[] = {
        {"001-a.sql", "CREATE TABLE a(x INTEGER);"},
        {"002-bad.sql", "INSERT INTO a VALUES (1); INSERT INTO nowhere VALUES (2);"},
        {NULL, NULL},
    };
    sqlite3 *db = mem();
    mp_err err = {{0}};
    ck_assert_int_eq(migrate_apply(db, BAD, &err), -1);
    ck_assert_msg(strstr(err.msg, "migration 002-bad.sql failed") &&
                      strstr(err.msg, "no such table: nowhere"),
                  "%s", err.msg);
    /* The first migration stays; the failed one left no row and no version. */
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), 1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM a"), 0);
    ck_assert_int_eq(sqlite3_get_autocommit(db), 1);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_newer_database_refused)
{
    sqlite3 *db = mem();
    mp_err err = {{0}};
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(migrate_apply(db, THREE, &err), -1);
    ck_assert_str_eq(err.msg, "the database has schema version 7, newer than this program's 3");
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), 7);
    sqlite3_close(db);
}
END_TEST

/* The migrations that ship apply to an empty database. */
START_TEST(test_shipped_migrations)
{
    mp_err err = {{0}};
    sqlite3 *db = mem();
    ck_assert_msg(migrate_apply(db, kiosk_migrations, &err) == 0, "kiosk: %s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), migrate_count(kiosk_migrations));
    sqlite3_close(db);
    db = mem();
    ck_assert_msg(migrate_apply(db, office_migrations, &err) == 0, "office: %s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), migrate_count(office_migrations));
    ck_assert_int_gt(migrate_count(office_migrations), 0);
    sqlite3_close(db);
}
END_TEST

/* Version 8 rebuilds the office's votes table (its points check): every
 * vote keeps its rowid and content, the index and the append-only triggers
 * come back, and the checks refuse what they refused before. */
static char *votes_text(sqlite3 *db)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(rowid || '|' || kiosk_id || '|' || "
                                        "instance || '|' || seq || '|' || uuid || '|' || "
                                        "cast_utc || '|' || utc_offset || '|' || unit_code || '|' "
                                        "|| unit_name || '|' || points || '|' || channel || '|' "
                                        "|| flagged || '|' || import_id, ';') FROM "
                                        "(SELECT rowid, * FROM votes ORDER BY rowid)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    char *text = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    ck_assert_ptr_nonnull(text);
    return text;
}

static int exec_rc(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

START_TEST(test_office_votes_rebuilt)
{
    int n = migrate_count(office_migrations);
    ck_assert_int_ge(n, 8);
    struct embed_file upto7[8];
    memcpy(upto7, office_migrations, 7 * sizeof upto7[0]);
    upto7[7] = (struct embed_file){NULL, NULL};
    mp_err err = {{0}};
    sqlite3 *db = mem();
    ck_assert_msg(migrate_apply(db, upto7, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), 7);
    /* Rowids with a hole (as a crash between imports never leaves, but
     * the copy must keep them whatever they are). */
    ck_assert_int_eq(exec_rc(db, "INSERT INTO votes(rowid, kiosk_id, instance, seq, uuid, "
                                 "cast_utc, utc_offset, unit_code, unit_name, points, channel, "
                                 "flagged, import_id) VALUES "
                                 "(1, 'k1', 'i1', 1, 'u1', 100, 28800, 'A01', '甲', 10, 'kiosk', 0, 1),"
                                 "(2, 'k1', 'i1', 2, 'u2', 200, 28800, 'A02', '乙', 0, 'kiosk', 1, 1),"
                                 "(5, 'k2', 'i2', 7, 'u3', 300, -3600, 'A01', '甲', 6, 'online', 0, 2)"),
                     SQLITE_OK);
    char *before = votes_text(db);
    ck_assert_msg(migrate_apply(db, office_migrations, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA user_version"), n);
    char *after = votes_text(db);
    ck_assert_str_eq(after, before);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                    "AND name = 'votes_by_unit' AND tbl_name = 'votes'"),
                     1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
                                    "AND tbl_name = 'votes'"),
                     2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'votes_v8'"),
                     0);
    ck_assert_int_ne(exec_rc(db, "UPDATE votes SET points = 8"), SQLITE_OK);
    ck_assert_int_ne(exec_rc(db, "DELETE FROM votes"), SQLITE_OK);
    static const char ins[] = "INSERT INTO votes(kiosk_id, instance, seq, uuid, cast_utc, "
                              "utc_offset, unit_code, unit_name, points, channel, flagged, "
                              "import_id) VALUES ('k3', 'i3', %d, 'u', 1, 0, 'A01', '甲', %d, "
                              "'kiosk', %d, 1)";
    char sql[512];
    int seq = 1;
    for (int points = -1; points <= 11; points++) {
        snprintf(sql, sizeof sql, ins, seq, points, 0);
        int ok = points == 10 || points == 8 || points == 6 || points == 0;
        ck_assert_msg((exec_rc(db, sql) == SQLITE_OK) == ok, "points %d", points);
        seq += ok;
    }
    snprintf(sql, sizeof sql, ins, seq, 10, 2);
    ck_assert_int_ne(exec_rc(db, sql), SQLITE_OK); /* flagged 0 or 1 */
    snprintf(sql, sizeof sql, ins, 0, 10, 0);
    ck_assert_int_ne(exec_rc(db, sql), SQLITE_OK); /* seq from 1 */
    snprintf(sql, sizeof sql, ins, 1, 10, 0);
    ck_assert_int_ne(exec_rc(db, sql), SQLITE_OK); /* the key, once */
    ck_assert_int_eq(exec_rc(db, "INSERT INTO votes(kiosk_id, instance, seq, uuid, cast_utc, "
                                 "utc_offset, unit_code, unit_name, points, channel, flagged, "
                                 "import_id) VALUES ('k3', 'i3', 9, 'u', 1, 0, 'A01', '甲', '10', "
                                 "'kiosk', 0, 1)"),
                     SQLITE_OK); /* STRICT: the text '10' is taken as the integer */
    ck_assert_int_ne(exec_rc(db, "INSERT INTO votes(kiosk_id, instance, seq, uuid, cast_utc, "
                                 "utc_offset, unit_code, unit_name, points, channel, flagged, "
                                 "import_id) VALUES ('k3', 'i3', 10, 'u', 1, 0, 'A01', '甲', 'x', "
                                 "'kiosk', 0, 1)"),
                     SQLITE_OK);
    ck_assert_int_eq(tu_sql_int(db, "SELECT max(rowid) FROM votes"), 5 + 5);
    free(before);
    free(after);
    sqlite3_close(db);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("migrate");
    TCase *tc = tcase_create("migrate");
    tcase_add_test(tc, test_applies_in_order_once);
    tcase_add_test(tc, test_continues_from_version);
    tcase_add_test(tc, test_failure_changes_nothing_of_it);
    tcase_add_test(tc, test_newer_database_refused);
    tcase_add_test(tc, test_office_votes_rebuilt);
    tcase_add_test(tc, test_shipped_migrations);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

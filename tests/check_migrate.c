/* check_migrate.c - schema migrations by user_version: applied in order,
 * each once, a failed one changing nothing, a newer database refused. */
#include "testutil.h"
#include "embed.h"
#include "migrate.h"

#include <check.h>
#include <sqlite3.h>
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

int main(void)
{
    Suite *s = suite_create("migrate");
    TCase *tc = tcase_create("migrate");
    tcase_add_test(tc, test_applies_in_order_once);
    tcase_add_test(tc, test_continues_from_version);
    tcase_add_test(tc, test_failure_changes_nothing_of_it);
    tcase_add_test(tc, test_newer_database_refused);
    tcase_add_test(tc, test_shipped_migrations);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

/* check_registry.c - the office database: opening (and refusing a newer
 * schema), recording a provisioned kiosk and its units inside the caller's
 * transaction, re-provisioning, and the kiosk units listed back. */
#include "testutil.h"
#include "officedb.h"
#include "registry.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1795737600

static int collect(void *user, const char *kiosk, const char *code, const char *name)
{
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 1024 - n, "%s:%s=%s;", kiosk, code, name);
    return 0;
}

static void listing(sqlite3 *db, char buf[1024])
{
    buf[0] = '\0';
    mp_err err = {{0}};
    ck_assert_msg(registry_each_kiosk_unit(db, collect, buf, &err) == 0, "%s", err.msg);
}

START_TEST(test_open_migrates)
{
    registry *r = odb_open();
    sqlite3 *db = registry_sqlite(r);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_gt(tu_sql_int(db, "PRAGMA user_version"), 0);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA foreign_keys"), 1);
    ck_assert_int_eq(tu_sql_int(db, "PRAGMA synchronous"), 2);
    registry_close(r);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
    char *dir = tu_mkdtemp_in(tu_root), *path = tu_path(dir, "office.db");
    sqlite3 *raw;
    ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    registry *r = NULL;
    mp_err err = {{0}};
    ck_assert_int_eq(registry_open(path, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.msg, "newer than this program"), "%s", err.msg);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_provision_and_list)
{
    registry *r = odb_open();
    sqlite3 *db = registry_sqlite(r);
    kiosk_config *a = odb_kiosk("room-01", "GA01=县公安局\nMZ01=县民政局\n");
    kiosk_config *b = odb_kiosk("room-02", "MZ01=县民政局\n");
    mp_err err = {{0}};
    ck_assert_msg(odb_provision(db, a, NULL, NOW, &err) == 0, "%s", err.msg);
    ck_assert_msg(odb_provision(db, b, NULL, NOW, &err) == 0, "%s", err.msg);
    char buf[1024];
    listing(db, buf);
    ck_assert_str_eq(buf, "room-01:GA01=县公安局;room-01:MZ01=县民政局;room-02:MZ01=县民政局;");
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM units"), 2);
    ck_assert_int_eq(tu_sql_int(db, "SELECT provisioned_utc FROM kiosks WHERE id = 'room-02'"), NOW);

    /* Again, with another unit list: the list is replaced, not added to. */
    kiosk_config *a2 = odb_kiosk("room-01", "TS01=城关镇人民政府\n");
    ck_assert_msg(odb_provision(db, a2, NULL, NOW + 60, &err) == 0, "%s", err.msg);
    listing(db, buf);
    ck_assert_str_eq(buf, "room-01:TS01=城关镇人民政府;room-02:MZ01=县民政局;");
    ck_assert_int_eq(tu_sql_int(db, "SELECT provisioned_utc FROM kiosks WHERE id = 'room-01'"),
                     NOW + 60);
    config_free(a);
    config_free(a2);
    config_free(b);
    registry_close(r);
}
END_TEST

START_TEST(test_unit_name_conflict_changes_nothing)
{
    registry *r = odb_open();
    sqlite3 *db = registry_sqlite(r);
    kiosk_config *a = odb_kiosk("room-01", "GA01=县公安局\n");
    kiosk_config *b = odb_kiosk("room-02", "ZJ01=县住建局\nGA01=公安局\n");
    mp_err err = {{0}};
    ck_assert_msg(odb_provision(db, a, NULL, NOW, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(odb_provision(db, b, NULL, NOW, &err), -1);
    ck_assert_str_eq(err.msg, "unit GA01 is registered as \"县公安局\", not \"公安局\"");
    /* Rolled back by the caller: neither room-02 nor ZJ01 is there. */
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM kiosks"), 1);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM units"), 1);
    config_free(a);
    config_free(b);
    registry_close(r);
}
END_TEST

START_TEST(test_provision_needs_a_transaction)
{
    registry *r = odb_open();
    sqlite3 *db = registry_sqlite(r);
    kiosk_config *a = odb_kiosk("room-01", "GA01=县公安局\n");
    mp_err err = {{0}};
    ck_assert_int_eq(registry_provision(db, a, NOW, &err), -1);
    ck_assert_str_eq(err.msg, "provisioning needs a transaction on the office database");
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM kiosks"), 0);
    config_free(a);
    registry_close(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_test(tc, test_open_migrates);
    tcase_add_test(tc, test_newer_schema_refused);
    tcase_add_test(tc, test_provision_and_list);
    tcase_add_test(tc, test_unit_name_conflict_changes_nothing);
    tcase_add_test(tc, test_provision_needs_a_transaction);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

/* check_unitreg.c - the unit registry: a CSV file added, updated and
 * renamed in one transaction, its details read back, and a bad line
 * rejecting the whole file with the line named. */
#include "testutil.h"
#include "officedb.h"
#include "unitreg.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1795737600

static registry *reg;
static sqlite3 *db;

static void setup(void)
{
    reg = odb_open();
    db = registry_sqlite(reg);
}

static void teardown(void)
{
    registry_close(reg);
}

static int import(const char *csv, unitreg_result *res, mp_err *err)
{
    return unitreg_import(db, "units.csv", csv, strlen(csv), NOW, res, err);
}

static int collect(void *user, const unitreg_unit *u)
{
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 2048 - n, "%s|%s|%s|%s|%s|%s;", u->code, u->name, u->type, u->leader,
             u->contact1_name, u->contact1_mobile);
    return 0;
}

static void listing(char buf[2048])
{
    buf[0] = '\0';
    mp_err err = {{0}};
    ck_assert_msg(unitreg_each(db, collect, buf, &err) == 0, "%s", err.msg);
}

START_TEST(test_add_then_update)
{
    unitreg_result res;
    mp_err err = {{0}};
    ck_assert_msg(import("\xEF\xBB\xBF代码,名称,类型,分管领导,联系人1姓名,联系人1手机\r\n"
                         "GA01,县公安局,县直机关,张示例,李示例,000-0000-0000\r\n"
                         "TS01,城关镇人民政府,乡镇,,,\r\n",
                         &res, &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(res.units, 2);
    ck_assert_int_eq(res.added, 2);
    ck_assert_int_eq(res.updated + res.unchanged, 0);
    ck_assert_uint_eq(res.n_renames, 0);
    unitreg_result_free(&res);
    char buf[2048];
    listing(buf);
    ck_assert_str_eq(buf, "GA01|县公安局|县直机关|张示例|李示例|000-0000-0000;"
                          "TS01|城关镇人民政府|乡镇|||;");

    /* A second file: GA01 renamed, TS01 the same, MZ01 new; columns it does
     * not have (分管领导, ...) keep their values. */
    ck_assert_msg(import("代码,名称,类型\n"
                         "GA01,县公安局（交警大队）,县直机关\n"
                         "TS01,城关镇人民政府,乡镇\n"
                         "MZ01,县民政局,县直机关\n",
                         &res, &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(res.units, 3);
    ck_assert_int_eq(res.added, 1);
    ck_assert_int_eq(res.updated, 1);
    ck_assert_int_eq(res.unchanged, 1);
    ck_assert_uint_eq(res.n_renames, 1);
    ck_assert_str_eq(res.renames[0].code, "GA01");
    ck_assert_str_eq(res.renames[0].old_name, "县公安局");
    ck_assert_str_eq(res.renames[0].new_name, "县公安局（交警大队）");
    ck_assert_str_eq(res.renames[0].kiosks, "");
    unitreg_result_free(&res);
    listing(buf);
    ck_assert_str_eq(buf, "GA01|县公安局（交警大队）|县直机关|张示例|李示例|000-0000-0000;"
                          "MZ01|县民政局|县直机关|||;"
                          "TS01|城关镇人民政府|乡镇|||;");
}
END_TEST

START_TEST(test_bad_line_changes_nothing)
{
    unitreg_result res;
    mp_err err = {{0}};
    ck_assert_msg(import("代码,名称,类型\nGA01,县公安局,县直机关\n", &res, &err) == 0, "%s",
                  err.msg);
    unitreg_result_free(&res);
    char before[2048], after[2048];
    listing(before);
    static const struct {
        const char *csv, *want;
    } BAD[] = {
        {"代码,名称,类型\nMZ01,县民政局,县直机关\nZJ01,县住建局,县级\n",
         "units.csv, line 3: 类型 \"县级\" is not one of"},
        {"代码,名称,类型\nMZ01,县民政局,县直机关\nMZ01,县民政局,县直机关\n",
         "units.csv, line 3: unit MZ01 is also on line 2"},
        {"代码,名称\nMZ01,县民政局\n", "units.csv, line 1: the header has no column 类型"},
        {"代码,名称,类型\nMZ01,县民政局\n", "units.csv, line 2: 2 fields, but the header names 3"},
        {"代码,名称,类型\n", "units.csv has no units, only the header"},
        {"", "units.csv is empty"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ck_assert_int_eq(import(BAD[i].csv, &res, &err), -1);
        ck_assert_msg(strncmp(err.msg, BAD[i].want, strlen(BAD[i].want)) == 0, "%zu: %s", i,
                      err.msg);
        ck_assert_uint_eq(res.n_renames, 0);
        ck_assert_ptr_null(res.renames);
        listing(after);
        ck_assert_str_eq(after, before);
        ck_assert_int_eq(sqlite3_get_autocommit(db), 1);
    }
}
END_TEST

START_TEST(test_rename_names_its_kiosks)
{
    kiosk_config *cfg = odb_kiosk("room-01", "GA01=县公安局\n");
    mp_err err = {{0}};
    ck_assert_msg(odb_provision(db, cfg, NULL, NOW, &err) == 0, "%s", err.msg);
    unitreg_result res;
    ck_assert_msg(import("代码,名称,类型\nGA01,公安局,县直机关\n", &res, &err) == 0, "%s",
                  err.msg);
    ck_assert_uint_eq(res.n_renames, 1);
    ck_assert_str_eq(res.renames[0].kiosks, "room-01");
    unitreg_result_free(&res);
    config_free(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unitreg");
    TCase *tc = tcase_create("unitreg");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_add_then_update);
    tcase_add_test(tc, test_bad_line_changes_nothing);
    tcase_add_test(tc, test_rename_names_its_kiosks);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

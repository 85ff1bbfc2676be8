/* check_office.c - the minping-office program, run as a user would run it:
 * provisioning a kiosk, and every way it must refuse without writing. */
#define _GNU_SOURCE /* memmem */
#include "config.h"
#include "export.h"
#include "keyring.h"
#include "pin.h"
#include "registry.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif

#define URL "https://s.example/q?k={kiosk}&u={unit}"
#define PIN "90817263"
#define NAME25 "一二三四五六七八九十一二三四五六七八九十一二三四五"

static char *dir;  /* this test's folder, and the program's working folder */

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
}

static void teardown(void)
{
    free(dir);
}

/* Runs minping-office in dir with args (NULL-terminated). */
static void run_args(tu_result *r, const char *input, const char *const *args)
{
    tu_run_list(MINPING_OFFICE_BIN, dir, args, input, r);
}

/* Same with the arguments listed after input, ending with NULL. */
static void run(tu_result *r, const char *input, ...)
{
    va_list ap;
    va_start(ap, input);
    tu_run_va(MINPING_OFFICE_BIN, dir, input, r, ap);
    va_end(ap);
}

/* A provision command line that succeeds, in parts so tests can vary it. */
static const char *const GOOD[] = {
    "--db", "office.db", "provision", "--kiosk", "room-01",
    "--unit", "A01=县政务服务中心", "--unit", "GA01=县公安局", "--unit", "TS01=城关镇人民政府",
    "--survey-url", URL, "--pin", PIN, "--out", "out/k1", "--export-dir", "/media/usb",
    "--renderer", "software", NULL,
};

static char *in_dir(const char *name)
{
    return tu_path(dir, name);
}

static int exists_in_dir(const char *name)
{
    char *p = in_dir(name);
    int e = tu_exists(p);
    free(p);
    return e;
}

/* The program failed with `status`, said so in exactly one line starting
 * with "minping-office: " and containing `want`, and printed nothing else. */
static void assert_error(const tu_result *r, int status, const char *want)
{
    ck_assert_msg(r->status == status, "exit status %d, expected %d; stderr: %s", r->status,
                  status, r->err);
    ck_assert_msg(strncmp(r->err, "minping-office: ", 16) == 0, "stderr: %s", r->err);
    ck_assert_msg(strstr(r->err, want) != NULL, "stderr \"%s\" lacks \"%s\"", r->err, want);
    const char *nl = strchr(r->err, '\n');
    ck_assert_msg(nl && nl[1] == '\0', "more than one line on stderr: %s", r->err);
    ck_assert_str_eq(r->out, "");
}

/* Neither the output folder nor the office database was created. */
static void assert_nothing_written(void)
{
    ck_assert_msg(!exists_in_dir("out"), "the output folder was created");
    ck_assert_msg(!exists_in_dir("office.db"), "the office database was created");
}

static kiosk_config *load_ok(const char *name)
{
    char *p = in_dir(name);
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_load(p, &cfg, &err) == 0, "config_load: %s", err.msg);
    free(p);
    return cfg;
}

/* "kiosk|code|name\n" for every kiosk unit in the office database. */
static int collect(void *user, const char *kiosk, const char *code, const char *name)
{
    char *buf = user;
    size_t n = strlen(buf);
    snprintf(buf + n, 4096 - n, "%s|%s|%s\n", kiosk, code, name);
    return 0;
}

static void registry_dump(const char *db_name, char buf[4096])
{
    char *p = in_dir(db_name);
    registry *reg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(registry_open(p, &reg, &err) == 0, "registry_open: %s", err.msg);
    buf[0] = '\0';
    ck_assert_msg(registry_each_kiosk_unit(registry_sqlite(reg), collect, buf, &err) == 0, "%s", err.msg);
    registry_close(reg);
    free(p);
}

START_TEST(test_provision)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_nonnull(strstr(r.out, "room-01"));
    ck_assert_ptr_nonnull(strstr(r.out, "3 units"));
    ck_assert_ptr_nonnull(strstr(r.out, "out/k1/kiosk.ini"));
    ck_assert_ptr_null(strstr(r.out, PIN));

    char *ini = in_dir("out/k1/kiosk.ini");
    struct stat sb;
    ck_assert_int_eq(stat(ini, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    char *text = tu_read_file(ini, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, PIN) == NULL, "the clear PIN is in kiosk.ini");
    ck_assert_ptr_nonnull(strstr(text, "\ndb = kiosk.db\n"));
    free(text);

    kiosk_config *cfg = load_ok("out/k1/kiosk.ini");
    ck_assert_str_eq(cfg->id, "room-01");
    ck_assert_str_eq(cfg->survey_url, URL);
    ck_assert_int_eq(cfg->renderer, CONFIG_RENDERER_SOFTWARE); /* the default */
    ck_assert_uint_eq(cfg->n_units, 3);
    ck_assert_str_eq(cfg->units[0].code, "A01");
    ck_assert_str_eq(cfg->units[0].name, "县政务服务中心");
    ck_assert_str_eq(cfg->units[1].code, "GA01");
    ck_assert_str_eq(cfg->units[2].code, "TS01");
    ck_assert_str_eq(cfg->units[2].name, "城关镇人民政府");
    char *kdb = in_dir("out/k1/kiosk.db");
    ck_assert_str_eq(cfg->db_path, kdb);
    free(kdb);
    ck_assert_str_eq(cfg->export_dir, "/media/usb");
    ck_assert_int_eq(cfg->thanks_seconds, 6);
    ck_assert_int_eq(cfg->cooldown_seconds, 3);
    ck_assert_int_eq(pin_verify(cfg->pin_hash, PIN), 1);
    ck_assert_int_eq(pin_verify(cfg->pin_hash, "90817264"), 0);
    config_free(cfg);

    char units[4096];
    registry_dump("office.db", units);
    ck_assert_str_eq(units, "room-01|A01|县政务服务中心\n"
                            "room-01|GA01|县公安局\n"
                            "room-01|TS01|城关镇人民政府\n");
    sqlite3 *db = NULL;
    char *dbp = in_dir("office.db");
    ck_assert_int_eq(sqlite3_open_v2(dbp, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT id, survey_url FROM kiosks", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "room-01");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), URL);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(dbp);
    free(ini);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_pin_from_stdin)
{
    tu_result r;
    run(&r, "5550123\r\n", "--db", "office.db", "provision", "--kiosk", "k", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "-", "--out", "out", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    kiosk_config *cfg = load_ok("out/kiosk.ini");
    ck_assert_int_eq(pin_verify(cfg->pin_hash, "5550123"), 1);
    config_free(cfg);
    tu_result_free(&r);

    /* Without a final newline too. */
    run(&r, "7777", "--db", "office.db", "provision", "--kiosk", "k", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "-", "--out", "out", "--force", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    cfg = load_ok("out/kiosk.ini");
    ck_assert_int_eq(pin_verify(cfg->pin_hash, "7777"), 1);
    config_free(cfg);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_overrides)
{
    tu_result r;
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "k2", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "1234", "--out", "out", "--thanks-seconds", "10",
        "--cooldown-seconds", "4", "--idle-seconds", "60", "--burst-votes", "3",
        "--burst-seconds=30", "--export-dir", "exports", "--renderer", "gpu", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    kiosk_config *cfg = load_ok("out/kiosk.ini");
    ck_assert_int_eq(cfg->renderer, CONFIG_RENDERER_GPU);
    ck_assert_int_eq(cfg->thanks_seconds, 10);
    ck_assert_int_eq(cfg->cooldown_seconds, 4);
    ck_assert_int_eq(cfg->idle_seconds, 60);
    ck_assert_int_eq(cfg->burst_votes, 3);
    ck_assert_int_eq(cfg->burst_seconds, 30);
    char *want = in_dir("out/exports");
    ck_assert_str_eq(cfg->export_dir, want);
    free(want);
    config_free(cfg);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_refuses_overwrite)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    char *ini = in_dir("out/k1/kiosk.ini");
    size_t len = 0;
    char *before = tu_read_file(ini, &len);

    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-01", "--unit", "B02=县民政局",
        "--survey-url", URL, "--pin", "1111", "--out", "out/k1", NULL);
    assert_error(&r, 1, "already exists");
    ck_assert_ptr_nonnull(strstr(r.err, "--force"));
    tu_result_free(&r);

    size_t len2 = 0;
    char *after = tu_read_file(ini, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert_mem_eq(before, after, len);
    char units[4096];
    registry_dump("office.db", units);
    ck_assert_ptr_null(strstr(units, "B02"));
    ck_assert_ptr_nonnull(strstr(units, "room-01|A01|"));
    free(before);
    free(after);
    free(ini);
}
END_TEST

START_TEST(test_force_reprovisions)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);

    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-01", "--unit",
        "MZ01=县民政局", "--unit", "A01=县政务服务中心", "--survey-url", "https://other.example/",
        "--pin", "24681357", "--out", "out/k1", "--force", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    tu_result_free(&r);

    char *ini = in_dir("out/k1/kiosk.ini");
    struct stat sb;
    ck_assert_int_eq(stat(ini, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    free(ini);
    kiosk_config *cfg = load_ok("out/k1/kiosk.ini");
    ck_assert_str_eq(cfg->survey_url, "https://other.example/");
    ck_assert_uint_eq(cfg->n_units, 2);
    ck_assert_str_eq(cfg->units[0].code, "MZ01");
    ck_assert_int_eq(pin_verify(cfg->pin_hash, "24681357"), 1);
    ck_assert_int_eq(pin_verify(cfg->pin_hash, PIN), 0);
    config_free(cfg);

    char units[4096];
    registry_dump("office.db", units);
    ck_assert_str_eq(units, "room-01|MZ01|县民政局\nroom-01|A01|县政务服务中心\n");
}
END_TEST

/* Runs GOOD with the value after `option` replaced; the program must fail
 * with status and message `want`, writing nothing. */
static void expect_refused(const char *option, const char *value, int status, const char *want)
{
    const char *args[64];
    size_t n = 0;
    int replaced = 0;
    for (size_t i = 0; GOOD[i]; i++) {
        args[n++] = GOOD[i];
        if (strcmp(GOOD[i], option) == 0 && !replaced) {
            args[n++] = value;
            i++;
            replaced = 1;
        }
    }
    args[n] = NULL;
    ck_assert_msg(replaced, "GOOD has no %s", option);
    tu_result r;
    run_args(&r, NULL, args);
    assert_error(&r, status, want);
    assert_nothing_written();
    tu_result_free(&r);
}

START_TEST(test_bad_unit_spec)
{
    expect_refused("--unit", "A01", 2, "--unit \"A01\": expected CODE=NAME");
    expect_refused("--unit", "=县局", 2, "unit code must be 1 to 32 characters long");
    expect_refused("--unit", "A 01=县局", 2, "unit code \"A 01\" may contain only");
    expect_refused("--unit", "A01=", 2, "unit name must be 1 to 24 characters long");
    expect_refused("--unit", "A01=" NAME25, 2, "unit name must be 1 to 24 characters long (has 25)");
    expect_refused("--unit", "A01=\xE5\x8E", 2, "unit name is not valid UTF-8 text");
    expect_refused("--unit", "A01=县 ;局", 2, "\" ;\"");
    expect_refused("--unit", "A01= 县局", 2, "must not begin or end with a space");
    /* GOOD's second unit is GA01. */
    expect_refused("--unit", "GA01=县公安局", 2, "unit code GA01 is given twice");
}
END_TEST

/* A code or name a spreadsheet would run as a formula is refused where it
 * enters, with the reason. */
START_TEST(test_formula_names_refused)
{
    expect_refused("--unit", "-A1=县公安局", 2, "\"-A1\" starts with '-', which Excel and WPS");
    expect_refused("--unit", "A01==1+1", 2, "\"=1+1\" starts with '='");
    expect_refused("--unit", "A01=+县局", 2, "\"+县局\" starts with '+'");
    expect_refused("--unit", "A01=@SUM(1)", 2, "\"@SUM(1)\" starts with '@'");
    expect_refused("--unit", "A01=-县局", 2, "\"-县局\" starts with '-'");
}
END_TEST

START_TEST(test_bad_pin)
{
    expect_refused("--pin", "123", 2, "--pin: PIN must have 4 to 12 digits");
    expect_refused("--pin", "1234567890123", 2, "--pin: PIN must have 4 to 12 digits");
    expect_refused("--pin", "12ab", 2, "--pin: PIN must contain digits only");
    expect_refused("--pin", "", 2, "--pin: PIN must have 4 to 12 digits");

    tu_result r;
    run(&r, "", "--db", "office.db", "provision", "--kiosk", "k", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "-", "--out", "out", NULL);
    assert_error(&r, 1, "no PIN on standard input");
    assert_nothing_written();
    tu_result_free(&r);
    run(&r, "12 34\n", "--db", "office.db", "provision", "--kiosk", "k", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "-", "--out", "out", NULL);
    assert_error(&r, 1, "--pin: PIN must contain digits only");
    ck_assert_ptr_null(strstr(r.err, "12 34"));
    assert_nothing_written();
    tu_result_free(&r);
    run(&r, "12345678901234567890\n", "--db", "office.db", "provision", "--kiosk", "k", "--unit",
        "A=甲", "--survey-url", URL, "--pin", "-", "--out", "out", NULL);
    assert_error(&r, 1, "too long");
    assert_nothing_written();
    tu_result_free(&r);
}
END_TEST

START_TEST(test_bad_url)
{
    expect_refused("--survey-url", "ftp://s.example/", 2,
                   "--survey-url: survey URL must start with https:// or http://");
    expect_refused("--survey-url", "https://", 2, "--survey-url: survey URL has no host");
    expect_refused("--survey-url", "https://s.example/a b", 2, "must be ASCII without spaces");
    expect_refused("--survey-url", "https://s.example/调查", 2, "must be ASCII without spaces");
}
END_TEST

START_TEST(test_bad_other_values)
{
    expect_refused("--kiosk", "room 01", 2, "--kiosk: kiosk id \"room 01\" may contain only");
    expect_refused("--kiosk", "", 2, "--kiosk: kiosk id must be 1 to 64 characters long");
    expect_refused("--out", "", 2, "--out: the folder name is empty");
    expect_refused("--export-dir", "", 2, "--export-dir: the folder name is empty");
    expect_refused("--renderer", "opengl", 2,
                   "--renderer: \"opengl\" is neither software nor gpu");
}
END_TEST

/* --open-hours and --open-days reach kiosk.ini as the kiosk reads them;
 * without them the kiosk is always open. */
START_TEST(test_open_hours)
{
    tu_result r;
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "k3", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "1234", "--out", "out", "--open-hours", "08:00-17:30",
        "--open-days=1-5,7", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    tu_result_free(&r);
    kiosk_config *cfg = load_ok("out/kiosk.ini");
    ck_assert_int_eq(cfg->open_from, 8 * 60);
    ck_assert_int_eq(cfg->open_until, 17 * 60 + 30);
    ck_assert_uint_eq(cfg->open_days, 0xBEu); /* bits 1-5 and 7 */
    config_free(cfg);
    char *p = in_dir("out/kiosk.ini");
    char *text = tu_read_file(p, NULL);
    ck_assert_ptr_nonnull(strstr(text, "\nopen_hours = 08:00-17:30\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nopen_days = 1-5,7\n"));
    free(text);
    free(p);

    /* Past midnight, every day. */
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "k4", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "1234", "--out", "night", "--open-hours", "22:00-06:00",
        NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    tu_result_free(&r);
    cfg = load_ok("night/kiosk.ini");
    ck_assert_int_eq(cfg->open_from, 22 * 60);
    ck_assert_int_eq(cfg->open_until, 6 * 60);
    ck_assert_uint_eq(cfg->open_days, CONFIG_ALL_DAYS);
    config_free(cfg);

    /* Neither: no such line, always open. */
    run_args(&r, NULL, GOOD);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    tu_result_free(&r);
    cfg = load_ok("out/k1/kiosk.ini");
    ck_assert_int_eq(config_has_hours(cfg), 0);
    config_free(cfg);
    p = in_dir("out/k1/kiosk.ini");
    text = tu_read_file(p, NULL);
    ck_assert_ptr_null(strstr(text, "\nopen_hours ="));
    ck_assert_ptr_null(strstr(text, "\nopen_days ="));
    free(text);
    free(p);
}
END_TEST

/* Refused with the kiosk's own reason, nothing written. */
START_TEST(test_bad_open_hours)
{
    static const struct {
        const char *opt, *value, *want;
    } cases[] = {
        {"--open-hours", "8-17", "--open-hours: \"8-17\" is not a time range like 08:00-17:30"},
        {"--open-hours", "08:00-08:00", "(24-hour clock, the two times different)"},
        {"--open-hours", "08:00-24:30", "--open-hours: \"08:00-24:30\" is not a time range"},
        {"--open-hours", "", "--open-hours: \"\" is not a time range"},
        {"--open-days", "0-5", "--open-days: \"0-5\" is not a list of weekdays like 1-5 or 1-5,7 "
                               "(1 = Monday ... 7 = Sunday)"},
        {"--open-days", "5-1", "--open-days: \"5-1\" is not a list of weekdays"},
        {"--open-days", "1,", "--open-days: \"1,\" is not a list of weekdays"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[64];
        size_t n = 0;
        for (; GOOD[n]; n++)
            args[n] = GOOD[n];
        args[n++] = cases[i].opt;
        args[n++] = cases[i].value;
        args[n] = NULL;
        tu_result r;
        run_args(&r, NULL, args);
        assert_error(&r, 2, cases[i].want);
        assert_nothing_written();
        tu_result_free(&r);
    }
}
END_TEST

START_TEST(test_bad_numbers)
{
    static const struct {
        const char *opt, *value, *want;
    } cases[] = {
        {"--thanks-seconds", "2", "--thanks-seconds: must be from 3 to 600 (is 2)"},
        {"--thanks-seconds", "ten", "--thanks-seconds: \"ten\" is not a whole number"},
        {"--idle-seconds", "4", "--idle-seconds: must be from 5 to 3600 (is 4)"},
        {"--burst-votes", "0", "--burst-votes: must be from 1 to 10000 (is 0)"},
        {"--burst-seconds", "86401", "--burst-seconds: must be from 1 to 86400 (is 86401)"},
        {"--cooldown-seconds", "6", "--cooldown-seconds (6) must be less than --thanks-seconds (6)"},
        {"--cooldown-seconds", "-1", "--cooldown-seconds: must be from 0 to 60 (is -1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[64];
        size_t n = 0;
        for (; GOOD[n]; n++)
            args[n] = GOOD[n];
        args[n++] = cases[i].opt;
        args[n++] = cases[i].value;
        args[n] = NULL;
        tu_result r;
        run_args(&r, NULL, args);
        assert_error(&r, 2, cases[i].want);
        assert_nothing_written();
        tu_result_free(&r);
    }
}
END_TEST

START_TEST(test_missing_flag)
{
    static const char *const required[] = {"--kiosk", "--unit", "--survey-url", "--pin", "--out"};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        const char *args[64];
        size_t n = 0;
        for (size_t i = 0; GOOD[i]; i++) {
            if (strcmp(GOOD[i], required[k]) == 0) {
                i++; /* drop the option and its value */
                continue;
            }
            args[n++] = GOOD[i];
        }
        args[n] = NULL;
        tu_result r;
        run_args(&r, NULL, args);
        char want[64];
        snprintf(want, sizeof want, "provision: %s is missing", required[k]);
        assert_error(&r, 2, want);
        ck_assert_ptr_nonnull(strstr(r.err, "--help"));
        assert_nothing_written();
        tu_result_free(&r);
    }
}
END_TEST

START_TEST(test_usage_errors)
{
    tu_result r;
    run(&r, NULL, NULL);
    assert_error(&r, 2, "no command given");
    tu_result_free(&r);
    run(&r, NULL, "--db", "office.db", "frobnicate", NULL);
    assert_error(&r, 2, "unknown command \"frobnicate\"");
    tu_result_free(&r);
    run(&r, NULL, "--colour", "provision", NULL);
    assert_error(&r, 2, "unknown option --colour");
    tu_result_free(&r);
    run(&r, NULL, "-x", "provision", NULL);
    assert_error(&r, 2, "unknown option -x");
    tu_result_free(&r);
    run(&r, NULL, "--db", NULL);
    assert_error(&r, 2, "option --db needs a value");
    tu_result_free(&r);
    run(&r, NULL, "provision", "--kiosk", "k", "--colour", "red", NULL);
    assert_error(&r, 2, "provision: unknown option --colour");
    tu_result_free(&r);
    run(&r, NULL, "provision", "--kiosk", NULL);
    assert_error(&r, 2, "provision: option --kiosk needs a value");
    tu_result_free(&r);

    const char *args[64];
    size_t n = 0;
    for (; GOOD[n]; n++)
        args[n] = GOOD[n];
    args[n++] = "stray";
    args[n] = NULL;
    run_args(&r, NULL, args);
    assert_error(&r, 2, "unexpected argument \"stray\"");
    tu_result_free(&r);
    assert_nothing_written();
    ck_assert(!exists_in_dir("minping-office.db"));
}
END_TEST

START_TEST(test_help)
{
    tu_result r;
    run(&r, NULL, "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    static const char *const global[] = {"Usage: minping-office", "provision", "--db FILE",
                                         "MINPING_OFFICE_DB", "minping-office.db", "Exit status"};
    for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
        ck_assert_msg(strstr(r.out, global[i]), "--help lacks \"%s\"", global[i]);
    tu_result_free(&r);

    run(&r, NULL, "provision", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    static const char *const prov[] = {
        "--kiosk ID", "--unit CODE=NAME", "--survey-url URL", "--pin PIN", "--pin -", "--out DIR",
        "--force", "--export-dir DIR", "--renderer software|gpu", "--thanks-seconds N",
        "--cooldown-seconds N",
        "--idle-seconds N", "--burst-votes N", "--burst-seconds N", "(3 to 600, default 6)",
        "--open-hours HH:MM-HH:MM", "--open-days DAYS", "{token}",
        "MINPING_OFFICE_DB", "minping-office.db", "Exit status"};
    for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++)
        ck_assert_msg(strstr(r.out, prov[i]), "provision --help lacks \"%s\"", prov[i]);
    tu_result_free(&r);
    assert_nothing_written();
    ck_assert(!exists_in_dir("minping-office.db"));
}
END_TEST

START_TEST(test_db_step_failure_undoes_the_file)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);

    /* A01 is registered as 县政务服务中心: another name is refused by the
     * database, after kiosk.ini was written; the file must go again. */
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-02", "--unit", "A01=别的名称",
        "--survey-url", URL, "--pin", "1234", "--out", "out/k2", NULL);
    assert_error(&r, 1, "unit A01 is registered as \"县政务服务中心\", not \"别的名称\"");
    tu_result_free(&r);
    ck_assert(!exists_in_dir("out/k2/kiosk.ini"));
    ck_assert(!exists_in_dir("out/k2"));
    char units[4096];
    registry_dump("office.db", units);
    ck_assert_ptr_null(strstr(units, "room-02"));

    /* With --force over an existing kiosk.ini, the old one is put back. */
    char *ini = in_dir("out/k1/kiosk.ini");
    size_t len = 0;
    char *before = tu_read_file(ini, &len);
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-01", "--unit", "A01=别的名称",
        "--survey-url", URL, "--pin", "1234", "--out", "out/k1", "--force", NULL);
    assert_error(&r, 1, "the previous kiosk.ini is put back");
    tu_result_free(&r);
    size_t len2 = 0;
    char *after = tu_read_file(ini, &len2);
    ck_assert_ptr_nonnull(after);
    ck_assert_uint_eq(len, len2);
    ck_assert_mem_eq(before, after, len);
    registry_dump("office.db", units);
    ck_assert_str_eq(units, "room-01|A01|县政务服务中心\n"
                            "room-01|GA01|县公安局\n"
                            "room-01|TS01|城关镇人民政府\n");
    free(before);
    free(after);
    free(ini);
}
END_TEST

START_TEST(test_symlink_never_followed)
{
    /* kiosk.ini is a symbolic link to a file that does not exist (yet). */
    char *out = in_dir("out");
    char *k1 = in_dir("out/k1");
    char *ini = in_dir("out/k1/kiosk.ini");
    char *target = in_dir("target.ini");
    ck_assert_int_eq(mkdir(out, 0755), 0);
    ck_assert_int_eq(mkdir(k1, 0755), 0);
    ck_assert_int_eq(symlink(target, ini), 0);

    tu_result r;
    run_args(&r, NULL, GOOD);
    assert_error(&r, 1, "already exists");
    tu_result_free(&r);
    ck_assert(!tu_exists(target));

    const char *args[64];
    size_t n = 0;
    for (; GOOD[n]; n++)
        args[n] = GOOD[n];
    args[n++] = "--force";
    args[n] = NULL;
    run_args(&r, NULL, args);
    assert_error(&r, 1, "is a symbolic link; not replacing it");
    tu_result_free(&r);
    ck_assert(!tu_exists(target));
    struct stat sb;
    ck_assert_int_eq(lstat(ini, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode));
    ck_assert(!exists_in_dir("office.db"));
    free(out);
    free(k1);
    free(ini);
    free(target);
}
END_TEST

START_TEST(test_unusable_db)
{
    /* A folder where the database should be. */
    char *p = in_dir("office.db");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    tu_result r;
    run_args(&r, NULL, GOOD);
    assert_error(&r, 1, "office.db");
    ck_assert(!exists_in_dir("out"));
    tu_result_free(&r);
    free(p);

    /* A file that is not a database. */
    p = in_dir("junk.db");
    const char junk[] = "not a database, only text, but long enough to have a header.....";
    tu_write_file(p, junk, sizeof junk - 1);
    run(&r, NULL, "--db", "junk.db", "provision", "--kiosk", "k", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "1234", "--out", "out", NULL);
    assert_error(&r, 1, "junk.db");
    ck_assert(!exists_in_dir("out"));
    tu_result_free(&r);
    free(p);
}
END_TEST

START_TEST(test_db_location)
{
    /* Default: minping-office.db in the current folder. */
    tu_result r;
    run(&r, NULL, "provision", "--kiosk", "k", "--unit", "A=甲", "--survey-url", URL, "--pin",
        "1234", "--out", "o1", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(exists_in_dir("minping-office.db"));
    tu_result_free(&r);

    /* $MINPING_OFFICE_DB... */
    char *env_db = in_dir("from-env.db");
    ck_assert_int_eq(setenv("MINPING_OFFICE_DB", env_db, 1), 0);
    run(&r, NULL, "provision", "--kiosk", "k", "--unit", "A=甲", "--survey-url", URL, "--pin",
        "1234", "--out", "o2", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(tu_exists(env_db));
    ck_assert_ptr_nonnull(strstr(r.out, "from-env.db"));
    tu_result_free(&r);

    /* ...and --db over it. */
    run(&r, NULL, "--db", "given.db", "provision", "--kiosk", "k", "--unit", "A=甲",
        "--survey-url", URL, "--pin", "1234", "--out", "o3", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(exists_in_dir("given.db"));
    tu_result_free(&r);
    free(env_db);
}
END_TEST

/* The journal mode of connection db. */
static char *journal_mode_of(sqlite3 *db)
{
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    char *mode = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    ck_assert_ptr_nonnull(mode);
    return mode;
}

START_TEST(test_rollback_journal)
{
    /* A new office database has a rollback journal. */
    char *p = in_dir("office.db");
    registry *reg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(registry_open(p, &reg, &err) == 0, "%s", err.msg);
    char *mode = journal_mode_of(registry_sqlite(reg));
    ck_assert_str_eq(mode, "delete");
    free(mode);
    registry_close(reg);

    /* One left in WAL mode is switched back when opened... */
    sqlite3 *other = NULL;
    ck_assert_int_eq(sqlite3_open(p, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "PRAGMA journal_mode = WAL", NULL, NULL, NULL),
                     SQLITE_OK);
    mode = journal_mode_of(other);
    ck_assert_str_eq(mode, "wal");
    free(mode);
    ck_assert_int_eq(sqlite3_close(other), SQLITE_OK);
    ck_assert_msg(registry_open(p, &reg, &err) == 0, "%s", err.msg);
    mode = journal_mode_of(registry_sqlite(reg));
    ck_assert_str_eq(mode, "delete");
    free(mode);
    registry_close(reg);
    ck_assert(!exists_in_dir("office.db-wal"));

    /* ...unless another connection holds it open in WAL mode: it is then
     * used as it is. */
    ck_assert_int_eq(sqlite3_open(p, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "PRAGMA journal_mode = WAL; SELECT count(*) FROM units",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_msg(registry_open(p, &reg, &err) == 0, "%s", err.msg);
    mode = journal_mode_of(registry_sqlite(reg));
    ck_assert_str_eq(mode, "wal");
    free(mode);
    ck_assert_int_eq(sqlite3_exec(registry_sqlite(reg),
                                  "INSERT INTO units(code, name) VALUES ('A', '甲')", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    registry_close(reg);
    ck_assert_int_eq(sqlite3_close(other), SQLITE_OK);
    free(p);
}
END_TEST

/* ---- the kiosk's signing key ---- */

static sign_key key_ok(const char *name)
{
    char *p = in_dir(name);
    sign_key k;
    mp_err err = {{0}};
    ck_assert_msg(sign_key_load(p, &k, &err) == 0, "sign_key_load: %s", err.msg);
    free(p);
    return k;
}

static registry *office_db(void)
{
    char *p = in_dir("office.db");
    registry *reg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(registry_open(p, &reg, &err) == 0, "registry_open: %s", err.msg);
    free(p);
    return reg;
}

static int key_count(const char *kiosk)
{
    registry *reg = office_db();
    int n = -1;
    mp_err err = {{0}};
    ck_assert_msg(keyring_count(registry_sqlite(reg), kiosk, &n, &err) == 0, "keyring_count: %s", err.msg);
    registry_close(reg);
    return n;
}

/* Does the file `name` in dir hold the len bytes at p anywhere? */
static int file_holds(const char *name, const void *p, size_t len)
{
    char *path = in_dir(name);
    size_t n = 0;
    char *data = tu_read_file(path, &n);
    free(path);
    if (!data)
        return 0;
    int found = memmem(data, n, p, len) != NULL;
    free(data);
    return found;
}

START_TEST(test_provision_writes_key)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);

    char *kp = in_dir("out/k1/kiosk.key");
    struct stat sb;
    ck_assert_int_eq(lstat(kp, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    sign_key k = key_ok("out/k1/kiosk.key");

    /* kiosk.ini names it, relative to its own folder. */
    char *ini = in_dir("out/k1/kiosk.ini");
    char *text = tu_read_file(ini, NULL);
    ck_assert_ptr_nonnull(strstr(text, "\nsigning_key = kiosk.key\n"));
    free(text);
    kiosk_config *cfg = load_ok("out/k1/kiosk.ini");
    ck_assert_str_eq(cfg->signing_key_path, kp);
    config_free(cfg);

    /* The office has the public key, under the key's id. */
    ck_assert_int_eq(key_count("room-01"), 1);
    registry *reg = office_db();
    unsigned char pk[SIGN_PK_BYTES];
    mp_err err = {{0}};
    ck_assert_int_eq(keyring_lookup(registry_sqlite(reg), "room-01", k.id, pk, &err), 1);
    ck_assert_mem_eq(pk, k.pk, SIGN_PK_BYTES);
    ck_assert_int_eq(keyring_lookup(registry_sqlite(reg), "room-02", k.id, pk, &err), 0);
    ck_assert_int_eq(keyring_lookup(registry_sqlite(reg), "room-01", "0000000000000000", pk, &err), EXPORT_KEY_OTHER);
    registry_close(reg);

    /* The output names the file and the key id; the secret key is nowhere
     * but in kiosk.key: not on stdout or stderr, not in the office
     * database (nor its journals). */
    ck_assert_ptr_nonnull(strstr(r.out, "out/k1/kiosk.key"));
    ck_assert_ptr_nonnull(strstr(r.out, k.id));
    char b64[100];
    sodium_bin2base64(b64, sizeof b64, k.sk, sizeof k.sk, sodium_base64_VARIANT_ORIGINAL);
    ck_assert_ptr_null(strstr(r.out, b64));
    ck_assert_ptr_null(strstr(r.err, b64));
    static const char *const db_files[] = {"office.db", "office.db-wal", "office.db-journal"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_msg(!file_holds(db_files[i], b64, strlen(b64)), "%s holds the secret key",
                      db_files[i]);
        ck_assert_msg(!file_holds(db_files[i], k.sk, 32), "%s holds the secret seed",
                      db_files[i]);
    }
    sign_key_wipe(&k);
    free(ini);
    free(kp);
    tu_result_free(&r);
}
END_TEST

/* Exports one vote with the kiosk whose files are in folder `kdir`; returns
 * the export's bytes. */
static char *kiosk_export(const char *kdir, int64_t now, size_t *len)
{
    char name[256];
    snprintf(name, sizeof name, "%s/kiosk.ini", kdir);
    kiosk_config *cfg = load_ok(name);
    sign_key k;
    mp_err err = {{0}};
    ck_assert_msg(sign_key_load(cfg->signing_key_path, &k, &err) == 0, "%s", err.msg);
    store *st = NULL;
    ck_assert_msg(store_open(cfg->db_path, &st, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(store_add_vote(st, cfg->units[0].code, cfg->units[0].name, 10, 0, now,
                                    28800, NULL, &err),
                     0);
    char *path = NULL;
    ck_assert_msg(export_write(st, cfg, &k, dir, now, &path, NULL, &err) == 0, "%s", err.msg);
    char *buf = tu_read_file(path, len);
    ck_assert_ptr_nonnull(buf);
    free(path);
    store_close(st);
    sign_key_wipe(&k);
    config_free(cfg);
    return buf;
}

static int verifies(registry *reg, const char *buf, size_t len, char *why, size_t why_len)
{
    mp_err err = {{0}};
    int rc = export_read(buf, len, keyring_lookup, registry_sqlite(reg), NULL, NULL, NULL, &err);
    snprintf(why, why_len, "%s", err.msg);
    return rc == 0;
}

START_TEST(test_reprovision_keeps_old_keys)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    sign_key k1 = key_ok("out/k1/kiosk.key");
    size_t len1 = 0;
    char *old_export = kiosk_export("out/k1", 1795768205, &len1);

    /* Provisioned again: a new key, and the office keeps both. */
    const char *args[64];
    size_t n = 0;
    for (; GOOD[n]; n++)
        args[n] = GOOD[n];
    args[n++] = "--force";
    args[n] = NULL;
    run_args(&r, NULL, args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    tu_result_free(&r);
    sign_key k2 = key_ok("out/k1/kiosk.key");
    ck_assert_str_ne(k1.id, k2.id);
    ck_assert_int_eq(key_count("room-01"), 2);
    size_t len2 = 0;
    char *new_export = kiosk_export("out/k1", 1795768206, &len2);
    ck_assert_ptr_nonnull(strstr(new_export, k2.id));

    /* Both exports verify against the office database. */
    registry *reg = office_db();
    char why[sizeof(mp_err)];
    ck_assert_msg(verifies(reg, old_export, len1, why, sizeof why), "old export: %s", why);
    ck_assert_msg(verifies(reg, new_export, len2, why, sizeof why), "new export: %s", why);
    registry_close(reg);

    /* A third time, into another folder (no --force needed there). */
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-01", "--unit",
        "A01=县政务服务中心", "--survey-url", URL, "--pin", PIN, "--out", "out/k1b", NULL);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    tu_result_free(&r);
    ck_assert_int_eq(key_count("room-01"), 3);

    /* An export from a kiosk the office never provisioned is refused. */
    run(&r, NULL, "--db", "other.db", "provision", "--kiosk", "room-09", "--unit",
        "A01=县政务服务中心", "--survey-url", URL, "--pin", PIN, "--out", "out/k9", NULL);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    size_t len9 = 0;
    char *stranger = kiosk_export("out/k9", 1795768207, &len9);
    reg = office_db();
    ck_assert(!verifies(reg, stranger, len9, why, sizeof why));
    ck_assert_msg(strstr(why, "kiosk room-09 is not provisioned in this office database"), "%s",
                  why);
    registry_close(reg);

    free(stranger);
    free(old_export);
    free(new_export);
    sign_key_wipe(&k1);
    sign_key_wipe(&k2);
}
END_TEST

START_TEST(test_key_file_refusals)
{
    /* A kiosk.key already there (without kiosk.ini): refused without --force. */
    char *out = in_dir("out");
    char *k1 = in_dir("out/k1");
    char *kp = in_dir("out/k1/kiosk.key");
    ck_assert_int_eq(mkdir(out, 0755), 0);
    ck_assert_int_eq(mkdir(k1, 0755), 0);
    tu_write_file(kp, "someone's key", 13);
    tu_result r;
    run_args(&r, NULL, GOOD);
    assert_error(&r, 1, "out/k1/kiosk.key already exists; not overwriting it (use --force to "
                        "replace it)");
    tu_result_free(&r);
    char *text = tu_read_file(kp, NULL);
    ck_assert_str_eq(text, "someone's key");
    free(text);
    ck_assert(!exists_in_dir("out/k1/kiosk.ini"));
    ck_assert(!exists_in_dir("office.db"));

    /* With --force, a symbolic link is still not followed or replaced. */
    ck_assert_int_eq(unlink(kp), 0);
    char *target = in_dir("target.key");
    ck_assert_int_eq(symlink(target, kp), 0);
    const char *args[64];
    size_t n = 0;
    for (; GOOD[n]; n++)
        args[n] = GOOD[n];
    args[n++] = "--force";
    args[n] = NULL;
    run_args(&r, NULL, args);
    assert_error(&r, 1, "kiosk.key is a symbolic link; not replacing it");
    tu_result_free(&r);
    ck_assert(!tu_exists(target));
    ck_assert(!exists_in_dir("out/k1/kiosk.ini"));
    ck_assert(!exists_in_dir("office.db"));
    free(target);
    free(kp);
    free(k1);
    free(out);
}
END_TEST

START_TEST(test_db_failure_restores_key)
{
    tu_result r;
    run_args(&r, NULL, GOOD);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    char *kp = in_dir("out/k1/kiosk.key");
    size_t len = 0;
    char *before = tu_read_file(kp, &len);

    /* The database refuses (a unit's name differs): the previous kiosk.key
     * is put back byte for byte, and the office still has one key. */
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-01", "--unit", "A01=别的名称",
        "--survey-url", URL, "--pin", "1234", "--out", "out/k1", "--force", NULL);
    assert_error(&r, 1, "the previous kiosk.ini is put back and the previous kiosk.key is put "
                        "back");
    tu_result_free(&r);
    size_t len2 = 0;
    char *after = tu_read_file(kp, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert_mem_eq(before, after, len);
    struct stat sb;
    ck_assert_int_eq(stat(kp, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0600);
    ck_assert_int_eq(key_count("room-01"), 1);
    sign_key k = key_ok("out/k1/kiosk.key");
    registry *reg = office_db();
    unsigned char pk[SIGN_PK_BYTES];
    ck_assert_int_eq(keyring_lookup(registry_sqlite(reg), "room-01", k.id, pk, NULL), 1);
    registry_close(reg);

    /* A new folder: both files go again, and the folder. */
    run(&r, NULL, "--db", "office.db", "provision", "--kiosk", "room-02", "--unit", "A01=别的名称",
        "--survey-url", URL, "--pin", "1234", "--out", "out/k2", NULL);
    assert_error(&r, 1, "kiosk.ini is removed again and kiosk.key is removed again");
    tu_result_free(&r);
    ck_assert(!exists_in_dir("out/k2"));
    ck_assert_int_eq(key_count("room-02"), 0);
    sign_key_wipe(&k);
    free(before);
    free(after);
    free(kp);
}
END_TEST

START_TEST(test_help_mentions_key)
{
    tu_result r;
    run(&r, NULL, "provision", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    static const char *const words[] = {"kiosk.key", "signing key", "mode 0600",
                                        "old public keys"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        ck_assert_msg(strstr(r.out, words[i]), "provision --help lacks \"%s\"", words[i]);
    tu_result_free(&r);
}
END_TEST

static Suite *office_suite(void)
{
    Suite *s = suite_create("office");
    TCase *tc = tcase_create("provision");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_provision);
    tcase_add_test(tc, test_rollback_journal);
    tcase_add_test(tc, test_pin_from_stdin);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_refuses_overwrite);
    tcase_add_test(tc, test_force_reprovisions);
    tcase_add_test(tc, test_bad_unit_spec);
    tcase_add_test(tc, test_formula_names_refused);
    tcase_add_test(tc, test_bad_pin);
    tcase_add_test(tc, test_bad_url);
    tcase_add_test(tc, test_bad_other_values);
    tcase_add_test(tc, test_bad_numbers);
    tcase_add_test(tc, test_open_hours);
    tcase_add_test(tc, test_bad_open_hours);
    tcase_add_test(tc, test_missing_flag);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_db_step_failure_undoes_the_file);
    tcase_add_test(tc, test_symlink_never_followed);
    tcase_add_test(tc, test_unusable_db);
    tcase_add_test(tc, test_db_location);
    suite_add_tcase(s, tc);

    tc = tcase_create("keys");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_provision_writes_key);
    tcase_add_test(tc, test_reprovision_keeps_old_keys);
    tcase_add_test(tc, test_key_file_refusals);
    tcase_add_test(tc, test_db_failure_restores_key);
    tcase_add_test(tc, test_help_mentions_key);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(office_suite());
}

/* check_damaged.c - the kiosk starts on a damaged database: a kiosk.db cut
 * short, with pages zeroed, overwritten with garbage, with a garbage header,
 * or emptied.  The kiosk never deletes or overwrites it: it sets it aside
 * under a dated name (bytes unchanged), starts a new database instance,
 * serves citizens on its first screen, and tells staff on the admin screen
 * (admin.notice, kept across restarts).  Then `minping-kiosk export --db
 * OLD` exports the votes that can still be read, signed as the old
 * instance, and `minping-office import` accepts the file: every vote in it
 * is one the kiosk had stored. */
#include "harness.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <glob.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir, *prov, *office_db;

static void suite_setup(void)
{
    kh_suite_setup();
    prov = tu_path(tu_root, "prov");
    office_db = tu_path(tu_root, "office.db");
    char *argv[] = {MINPING_OFFICE_BIN, "--db", office_db, "provision", "--kiosk", "test-kiosk",
                    "--unit", "U01=县公安局", "--unit", "U02=县人力资源和社会保障局",
                    "--survey-url", "https://survey.example.org/s?k={kiosk}&u={unit}", "--pin",
                    KH_PIN, "--out", prov, NULL};
    tu_result r;
    tu_run(NULL, argv, NULL, &r);
    if (r.status != 0) {
        fprintf(stderr, "provision failed: %s%s\n", r.out, r.err);
        abort();
    }
    tu_result_free(&r);
}

static void suite_teardown(void)
{
    free(prov);
    free(office_db);
    tu_root_teardown();
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    kh_setup(dir);
    char *src = tu_path(prov, "kiosk.key"), *dst = tu_path(dir, "kiosk.key");
    size_t len;
    char *key = tu_read_file(src, &len);
    ck_assert_ptr_nonnull(key);
    tu_write_file(dst, key, len);
    ck_assert_int_eq(chmod(dst, 0600), 0);
    free(key);
    free(src);
    free(dst);
}

static void teardown(void)
{
    kh_teardown();
    free(dir);
}

static const char *DAMAGE[] = {"truncated", "zeroed", "garbage", "garbage-header", "empty"};

static void damage(const char *path, int kind)
{
    size_t len;
    char *p = tu_read_file(path, &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_gt(len, 16384);
    switch (kind) {
    case 0: len = len / 2 + 777; break;
    case 1: memset(p + 8192, 0, 8192); break;
    case 2: tu_noise(p + len / 3, 5000, 3); break;
    case 3: tu_noise(p, 100, 4); break;
    case 4: len = 0; break;
    }
    tu_write_file(path, p, len);
    free(p);
}

static char *one_text(const char *db_path, const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    char *v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Every uuid the query returns on db_path is in `known` (a '\n'-separated
 * list); returns how many rows. */
static int64_t all_known(const char *db_path, const char *sql, const char *known)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(st, 0);
        ck_assert_msg(strstr(known, u), "exported vote %s was never stored on the kiosk", u);
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

START_TEST(damaged_database_is_set_aside_and_exported)
{
    mp_err err;
    /* A kiosk that has taken votes: most stored directly, a few through the
     * screens. */
    kh_write_config(2, "signing_key = kiosk.key");
    store *s;
    ck_assert_msg(store_open(kh_db, &s, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 500; i++)
        ck_assert(store_add_vote(s, i % 2 ? "U01" : "U02", i % 2 ? "县公安局" : "县人力资源和社会保障局",
                                 (i % 4) == 3 ? 0 : 10 - 2 * (i % 4), 0, 1764200000 + 60 * i, 28800,
                                 NULL, &err) == 0);
    char old_instance[33];
    snprintf(old_instance, sizeof old_instance, "%s", store_instance(s));
    store_close(s);
    ck_assert_msg(kh_restart(800, 480, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 5; i++) {
        kh_tap("unit.U01");
        kh_tap("rate.8");
        ck_assert_str_eq(kh_screen(), "thanks");
        kh_tap("thanks.done");
    }
    kh_stop();
    /* Every uuid stored, for checking what comes back. */
    char *known = one_text(kh_db, "SELECT group_concat(uuid, char(10)) FROM votes");
    ck_assert_int_eq(kh_count(kh_db, "1"), 505);

    damage(kh_db, _i);
    size_t damaged_len;
    char *damaged = tu_read_file(kh_db, &damaged_len);

    /* The kiosk starts and serves citizens on a new database. */
    ck_assert_msg(kh_restart(800, 480, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(kh_screen(), "units");
    char pattern[600];
    snprintf(pattern, sizeof pattern, "%s.damaged-*[0-9]", kh_db);
    glob_t g;
    ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
    ck_assert_int_eq(g.gl_pathc, 1);
    char *moved = strdup(g.gl_pathv[0]);
    globfree(&g);
    size_t moved_len;
    char *kept = tu_read_file(moved, &moved_len);
    ck_assert_msg(kept && moved_len == damaged_len && memcmp(kept, damaged, damaged_len) == 0,
                  "the damaged file was changed when set aside");
    free(kept);
    free(damaged);
    kh_tap("unit.U02");
    kh_tap("rate.10");
    ck_assert_str_eq(kh_screen(), "thanks");
    ck_assert_int_eq(kh_count(kh_db, "seq = 1 AND unit_code = 'U02' AND points = 10"), 1);
    ck_assert_int_eq(kh_count(kh_db, "1"), 1);
    char *new_instance = one_text(kh_db, "SELECT value FROM meta WHERE key = 'instance'");
    ck_assert_str_ne(new_instance, old_instance);
    kh_tap("thanks.done");

    /* Staff are told, on the admin screen, and again after a restart. */
    for (int round = 0; round < 2; round++) {
        kh_open_admin();
        const char *notice = kh_label("admin.notice");
        ck_assert_msg(strstr(notice, "损坏") && strstr(notice, moved) &&
                          strstr(notice, "minping-kiosk export --db"),
                      "admin.notice: \"%s\"", notice);
        kh_stop();
        ck_assert_msg(kh_restart(800, 480, &err) == 0, "%s", err.msg);
    }
    kh_stop();

    /* The votes that can be read are exported, signed as the old instance. */
    char *out = tu_path(dir, "stick");
    ck_assert_int_eq(mkdir(out, 0755), 0);
    char *argv[] = {MINPING_KIOSK_BIN, "export", "--config", kh_cfg, "--db", moved, "--out", out,
                    NULL};
    tu_result r;
    tu_run(NULL, argv, NULL, &r);
    if (_i == 4) { /* an empty file: nothing to read, and it says so */
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.err, "no vote could be read"), "%s", r.err);
        tu_result_free(&r);
    } else {
        ck_assert_msg(r.status == 0, "export --db failed: %s", r.err);
        long long read = -1;
        const char *p = strstr(r.err, "read ");
        ck_assert_msg(p && sscanf(p, "read %lld votes", &read) == 1, "%s", r.err);
        ck_assert_msg(strstr(r.err, old_instance), "%s", r.err);
        char *nl = strrchr(r.out, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        char *file = strrchr(r.out, '\n') ? strrchr(r.out, '\n') + 1 : r.out;
        char want[64];
        snprintf(want, sizeof want, "minping-test-kiosk-%.8s-", old_instance);
        ck_assert_msg(strstr(file, want), "%s", file);
        char *imp[] = {MINPING_OFFICE_BIN, "--db", office_db, "import", file, NULL};
        tu_result ri;
        tu_run(NULL, imp, NULL, &ri);
        ck_assert_msg(ri.status == 0, "import: %s%s", ri.out, ri.err);
        tu_result_free(&ri);
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT uuid FROM votes WHERE instance = '%s'", old_instance);
        int64_t n = all_known(office_db, sql, known);
        ck_assert_int_eq(n, read);
        ck_assert_int_gt(n, 0);
        printf("damaged database (%s): set aside as %s; %lld of 505 votes read back and "
               "imported by the office\n", DAMAGE[_i], strrchr(moved, '/') + 1, read);
        tu_result_free(&r);
    }
    /* The file set aside is still exactly as it was. */
    kept = tu_read_file(moved, &moved_len);
    ck_assert_int_eq(moved_len, damaged_len);
    free(kept);
    /* And the new database exports as usual. */
    char *argv2[] = {MINPING_KIOSK_BIN, "export", "--config", kh_cfg, "--out", out, NULL};
    tu_run(NULL, argv2, NULL, &r);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strstr(r.out, "1 vote exported"));
    tu_result_free(&r);
    free(out);
    free(moved);
    free(known);
    free(new_instance);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("damaged");
    TCase *tc = tcase_create("damaged");
    tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, damaged_database_is_set_aside_and_exported, 0,
                        (int)(sizeof DAMAGE / sizeof DAMAGE[0]));
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

/* check_messages.c - what minping-office and `minping-kiosk export` tell
 * people, in their language: each path that prints a message with a next
 * step runs once under LANG=zh_CN.UTF-8 (the Chinese message and its next
 * step) and once under LANG=C (the English one).  The binaries run as a user
 * runs them, with the build tree's catalogue. */
#include "clock.h"
#include "config.h"
#include "export.h"
#include "followup.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif
#ifndef MINPING_KIOSK_BIN
#error "MINPING_KIOSK_BIN must name the minping-kiosk program"
#endif

#define URL "https://s.example/q?k={kiosk}&u={unit}"
#define H8 (8 * 3600)

static char *dir; /* this test's folder, the programs' working folder */

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    setenv("TZ", "Asia/Shanghai", 1);
}

static void teardown(void)
{
    free(dir);
}

/* The language the programs run in from now on. */
static void lang(const char *l)
{
    setenv("LANG", l, 1);
}

static const char *const LANGS[] = {"zh_CN.UTF-8", "C"};

static char *in_dir(const char *name)
{
    return tu_path(dir, name);
}

/* Runs minping-office in dir with the arguments, ending with NULL. */
static void office(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_OFFICE_BIN, dir, NULL, r, ap);
    va_end(ap);
}

static void kiosk_cmd(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_KIOSK_BIN, dir, NULL, r, ap);
    va_end(ap);
}

static void has(const char *text, const char *want)
{
    ck_assert_msg(strstr(text, want) != NULL, "\"%s\" lacks \"%s\" (LANG=%s)", text, want,
                  getenv("LANG"));
}

static void lacks(const char *text, const char *unwanted)
{
    ck_assert_msg(strstr(text, unwanted) == NULL, "\"%s\" has \"%s\" (LANG=%s)", text, unwanted,
                  getenv("LANG"));
}

static void status_is(const tu_result *r, int status)
{
    ck_assert_msg(r->status == status, "exit status %d, expected %d (LANG=%s); stderr: %s",
                  r->status, status, getenv("LANG"), r->err);
}

/* Provisions kiosk id into the office database db_name, files in folder out. */
static void provision(const char *db_name, const char *id, const char *out)
{
    tu_result r;
    lang("C");
    office(&r, "--db", db_name, "provision", "--kiosk", id, "--unit", "GA01=县公安局",
           "--survey-url", URL, "--pin", "1234", "--out", out, NULL);
    status_is(&r, 0);
    tu_result_free(&r);
}

typedef struct kiosk {
    kiosk_config *cfg;
    sign_key key;
    store *s;
} kiosk;

static void kiosk_open(kiosk *k, const char *folder)
{
    mp_err err = {{0}};
    char *sub = in_dir(folder);
    char *ini = tu_path(sub, "kiosk.ini");
    char *key = tu_path(sub, "kiosk.key");
    ck_assert_msg(config_load(ini, &k->cfg, &err) == 0, "config_load: %s", err.msg);
    ck_assert_msg(sign_key_load(key, &k->key, &err) == 0, "sign_key_load: %s", err.msg);
    ck_assert_msg(store_open(k->cfg->db_path, &k->s, &err) == 0, "store_open: %s", err.msg);
    free(ini);
    free(key);
    free(sub);
}

static void kiosk_close(kiosk *k)
{
    store_close(k->s);
    config_free(k->cfg);
    sign_key_wipe(&k->key);
}

static void votes(kiosk *k, int points, int n)
{
    mp_err err = {{0}};
    for (int i = 0; i < n; i++)
        ck_assert_msg(store_add_vote(k->s, "GA01", "县公安局", points, 0,
                                     clock_utc_now() - 3600, H8, NULL, &err) == 0,
                      "store_add_vote: %s", err.msg);
}

static int serial;

/* An export of k into folder `folder` (made if missing) at time `when`; its
 * path relative to dir. */
static char *export_into(kiosk *k, const char *folder, int64_t when)
{
    char *out = in_dir(folder);
    ck_assert(mkdir(out, 0755) == 0 || errno == EEXIST);
    char *path = NULL;
    int64_t rows = 0;
    mp_err err = {{0}};
    ck_assert_msg(export_write(k->s, k->cfg, &k->key, out, when, &path, &rows, &err) == 0,
                  "export_write: %s", err.msg);
    char *rel = strdup(path + strlen(dir) + 1);
    free(path);
    free(out);
    return rel;
}

static char *export_of(kiosk *k)
{
    return export_into(k, "exports", clock_utc_now() + ++serial);
}

/* ---- the kiosk is not known, or not by this key ---- */

START_TEST(test_not_provisioned_here)
{
    provision("office.db", "room-01", "room-01");
    provision("other.db", "room-99", "room-99");
    kiosk k;
    kiosk_open(&k, "room-99");
    votes(&k, 10, 1);
    char *f = export_of(&k);
    kiosk_close(&k);
    static const char *const want[][2] = {
        {"终端 room-99 没有在这个办公室数据库中配置", "minping-office provision"},
        {"kiosk room-99 is not provisioned in this office database",
         "provision it here first (minping-office provision)"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        office(&r, "--db", "office.db", "import", f, NULL);
        status_is(&r, 1);
        has(r.err, f);
        has(r.err, want[i][0]);
        has(r.err, want[i][1]);
        tu_result_free(&r);
    }
    free(f);
}
END_TEST

START_TEST(test_key_not_issued_here)
{
    /* room-01 is provisioned here, and by another office with its own key. */
    provision("office.db", "room-01", "mine");
    provision("other.db", "room-01", "theirs");
    kiosk k;
    kiosk_open(&k, "theirs");
    votes(&k, 10, 1);
    char *f = export_of(&k);
    kiosk_close(&k);
    static const char *const want[][2] = {
        {"不是本办公室签发的", "在本办公室重新配置该终端，再在终端重新导出"},
        {"was not issued by this office: the kiosk was provisioned by another office, or its "
         "kiosk.key was replaced",
         "provision the kiosk again here, then export again at the kiosk"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        office(&r, "--db", "office.db", "import", f, NULL);
        status_is(&r, 1);
        has(r.err, want[i][0]);
        has(r.err, want[i][1]);
        lacks(r.err, LANGS[i][0] == 'z' ? "没有在这个办公室数据库中配置" : "not provisioned");
        tu_result_free(&r);
    }
    free(f);
}
END_TEST

/* ---- a changed file, a conflict ---- */

START_TEST(test_tampered_file)
{
    provision("office.db", "room-01", "room-01");
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, 10, 2);
    char *f = export_of(&k);
    kiosk_close(&k);
    /* 县公安局 becomes 县民政局 (as many bytes): still well formed, not signed so. */
    char *path = in_dir(f);
    size_t len = 0;
    char *buf = tu_read_file(path, &len);
    char *row = strstr(strstr(buf, "\r\n") + 2, "县公安局");
    ck_assert_ptr_nonnull(row);
    memcpy(row, "县民政局", strlen("县民政局"));
    tu_write_file(path, buf, len);
    free(buf);
    free(path);
    static const char *const want[][2] = {
        {"文件在导出后被修改", "请在终端重新导出后再导入"},
        {"the file was changed after the kiosk exported it",
         "export again at the kiosk, then import the new file"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        office(&r, "--db", "office.db", "import", f, NULL);
        status_is(&r, 1);
        has(r.err, want[i][0]);
        has(r.err, want[i][1]);
        tu_result_free(&r);
    }
    free(f);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
    char *a = in_dir(from), *b = in_dir(to);
    size_t len = 0;
    char *buf = tu_read_file(a, &len);
    ck_assert_ptr_nonnull(buf);
    tu_write_file(b, buf, len);
    free(buf);
    free(a);
    free(b);
}

START_TEST(test_conflict_names_both_files)
{
    /* One kiosk database copied: both copies vote, both export a vote 3
     * that differs, under the same file name in two folders. */
    provision("office.db", "room-01", "room-01");
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, 10, 2);
    store_close(k.s);
    copy_file("room-01/kiosk.db", "room-01/clone.db");
    mp_err err = {{0}};
    ck_assert_int_eq(store_open(k.cfg->db_path, &k.s, &err), 0);
    votes(&k, 10, 1);
    int64_t when = clock_utc_now();
    char *first = export_into(&k, "usb1", when);
    store_close(k.s);
    char *clone = in_dir("room-01/clone.db");
    ck_assert_msg(store_open(clone, &k.s, &err) == 0, "%s", err.msg);
    free(clone);
    votes(&k, 0, 1);
    char *second = export_into(&k, "usb2", when);
    kiosk_close(&k);
    ck_assert_str_eq(strrchr(first, '/'), strrchr(second, '/'));

    lang("C");
    tu_result r;
    office(&r, "--db", "office.db", "import", first, NULL);
    status_is(&r, 0);
    tu_result_free(&r);
    char *first_abs = in_dir(first);
    char *real_first = realpath(first_abs, NULL);
    ck_assert_ptr_nonnull(real_first);
    static const char *const want[][3] = {
        {"两台终端在写同一个终端数据库的副本", "请技术人员", "导入时间"},
        {"Two kiosks have been writing copies of one kiosk database",
         "Ask a technician to give each kiosk its own database", " on "},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        office(&r, "--db", "office.db", "import", second, NULL);
        status_is(&r, 1);
        has(r.err, second);     /* this file, by the path given */
        has(r.err, real_first); /* the earlier one, by its path */
        has(r.err, " +08:00");  /* and its import time, with the zone */
        for (int j = 0; j < 3; j++)
            has(r.err, want[i][j]);
        tu_result_free(&r);
    }
    free(real_first);
    free(first_abs);
    free(first);
    free(second);
}
END_TEST

/* ---- the report's folder, the kiosk that never ran ---- */

START_TEST(test_missing_output_folder)
{
    provision("office.db", "room-01", "room-01");
    static const char *const want[] = {"文件夹 nodir 不存在", "the folder nodir does not exist"};
    static const char *const step[] = {"请先创建", "create it first"};
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        office(&r, "--db", "office.db", "report", "--format", "html", "--out", "nodir/rep.html",
               NULL);
        status_is(&r, 1);
        has(r.err, "nodir/rep.html");
        has(r.err, want[i]);
        has(r.err, step[i]);
        lacks(r.err, ".tmp-");
        tu_result_free(&r);
    }
}
END_TEST

START_TEST(test_export_of_a_kiosk_never_started)
{
    provision("office.db", "room-01", "room-01");
    char *usb = in_dir("usb");
    ck_assert_int_eq(mkdir(usb, 0755), 0);
    static const char *const want[][2] = {
        {"还没有票：它从未启动过", "请先用 minping-kiosk --config room-01/kiosk.ini 启动终端"},
        {"this kiosk has no votes yet: it has never been started",
         "start the kiosk with minping-kiosk --config room-01/kiosk.ini"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        kiosk_cmd(&r, "export", "--config", "room-01/kiosk.ini", "--out", "usb", NULL);
        status_is(&r, 1);
        has(r.err, want[i][0]);
        has(r.err, want[i][1]);
        ck_assert_str_eq(r.out, "");
        tu_result_free(&r);
    }
    char *db = in_dir("room-01/kiosk.db");
    ck_assert_msg(!tu_exists(db), "the export created the kiosk's database");
    free(db);
    free(usb);
}
END_TEST

/* minping-kiosk export of room-01 into dir/usb, in each language of LANGS:
 * it says want[i], then the file's path as its last line. */
static void export_says(const char *const want[2])
{
    char *usb = in_dir("usb");
    ck_assert_int_eq(mkdir(usb, 0755), 0);
    free(usb);
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        kiosk_cmd(&r, "export", "--config", "room-01/kiosk.ini", "--out", "usb", NULL);
        status_is(&r, 0);
        has(r.out, want[i]);
        char *last = strstr(r.out, "usb/minping-room-01-");
        ck_assert_ptr_nonnull(last);
        const char *nl = strchr(last, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert_str_eq(nl + 1, "");
        tu_result_free(&r);
        sleep(1); /* the next export gets a name of its own */
    }
}

START_TEST(test_kiosk_export_prints_count)
{
    provision("office.db", "room-01", "room-01");
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, 10, 3);
    kiosk_close(&k);
    static const char *const want[] = {"已导出 3 票\n", "3 votes exported\n"};
    export_says(want);
}
END_TEST

/* With reasons tapped on the thank-you screen, the count says so. */
START_TEST(test_kiosk_export_counts_followups)
{
    provision("office.db", "room-01", "room-01");
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, 0, 3);
    static const char *const reason[] = {"办事效率低"};
    followup_in in = {.vote_seq = 2, .reasons = reason, .n_reasons = 1, .comment = "",
                      .channel = "kiosk", .created_utc = clock_utc_now() - 3500,
                      .utc_offset = H8};
    followup_result res;
    mp_err err = {{0}};
    ck_assert_msg(followup_add(k.s, &in, &res, &err) == 0, "followup_add: %s", err.msg);
    ck_assert_int_eq(res, FOLLOWUP_STORED);
    kiosk_close(&k);
    static const char *const want[] = {"已导出 3 票，另有跟进意见 1 条\n",
                                       "3 votes exported, with 1 follow-up\n"};
    export_says(want);
}
END_TEST

/* ---- what import and kiosks count and say ---- */

START_TEST(test_counts_and_summaries)
{
    provision("office.db", "room-01", "room-01");
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, 10, 1);
    /* A vote for a unit the office does not know (stored as a kiosk would
     * store it had it been configured so). */
    mp_err err = {{0}};
    ck_assert_msg(store_add_vote(k.s, "ZZ99", "外来单位", 10, 0, clock_utc_now() - 3600, H8, NULL,
                                 &err) == 0,
                  "%s", err.msg);
    char *a = export_of(&k);
    votes(&k, 8, 3);
    char *b = export_of(&k);
    kiosk_close(&k);

    /* One file: its line and the summary, the time with its zone. */
    static const char *const one[][2] = {
        {"已导入 1 个文件（共 1 个），拒绝 0 个；新增 2 票。", "2 票，新增 2 票"},
        {"1 of 1 file imported, 0 rejected; new votes: 2.", "2 votes, 2 new"},
    };
    tu_result r;
    lang(LANGS[0]);
    office(&r, "--db", "office.db", "import", a, NULL);
    status_is(&r, 0);
    has(r.out, one[0][0]);
    has(r.out, one[0][1]);
    has(r.out, " +08:00：");
    /* Units not in the unit registry are warned about after an import... */
    has(r.err, "不在单位名录中");
    has(r.err, "minping-office units import");
    tu_result_free(&r);
    lang(LANGS[1]);
    office(&r, "--db", "office.db", "import", b, a, b, NULL);
    status_is(&r, 0);
    has(r.out, "3 of 3 files imported, 0 rejected; new votes: 3.");
    has(r.err, "which is not in the unit registry");
    tu_result_free(&r);

    /* ...but not after a command in which every file was rejected. */
    char *junk = in_dir("junk.csv");
    tu_write_file(junk, "not an export\r\n", 15);
    free(junk);
    static const char *const none[][2] = {
        {"已导入 0 个文件（共 1 个），拒绝 1 个；新增 0 票。", "不在单位名录中"},
        {"0 of 1 file imported, 1 rejected; new votes: 0.", "unit registry"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        office(&r, "--db", "office.db", "import", "junk.csv", NULL);
        status_is(&r, 1);
        has(r.out, none[i][0]);
        lacks(r.err, none[i][1]);
        tu_result_free(&r);
    }

    /* kiosks: 5 votes from 2 distinct files, imported 4 times. */
    static const char *const listed[][2] = {
        {"  5 票，来自 2 个导出文件（共导入 4 次）", "+08:00"},
        {"  5 votes from 2 files (imported 4 times)", "+08:00"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        office(&r, "--db", "office.db", "kiosks", NULL);
        status_is(&r, 0);
        has(r.out, listed[i][0]);
        has(r.out, listed[i][1]);
        tu_result_free(&r);
    }
    free(a);
    free(b);
}
END_TEST

/* ---- which commands create the office database; exit codes ---- */

START_TEST(test_database_creation_named)
{
    static const char *const created[] = {"新建了办公室数据库 new0.db",
                                          "created  the office database new1.db"};
    static const char *const missing[][2] = {
        {"办公室数据库 none.db 不存在", "minping-office provision 会创建它"},
        {"the office database none.db does not exist", "minping-office provision creates it"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        char db[32], out[32];
        snprintf(db, sizeof db, "new%d.db", i);
        snprintf(out, sizeof out, "k%d", i);
        for (int run = 0; run < 2; run++) {
            tu_result r;
            office(&r, "--db", db, "provision", "--kiosk", "room-01", "--unit", "GA01=县公安局",
                   "--survey-url", URL, "--pin", "1234", "--out", out, "--force", NULL);
            status_is(&r, 0);
            if (run == 0)
                has(r.out, created[i]); /* the first run creates it */
            else
                lacks(r.out, i == 0 ? "新建" : "created"); /* the second finds it */
            tu_result_free(&r);
        }

        tu_result r;
        office(&r, "--db", "none.db", "kiosks", NULL);
        status_is(&r, 1);
        has(r.err, missing[i][0]);
        has(r.err, missing[i][1]);
        tu_result_free(&r);
        char *p = in_dir("none.db");
        ck_assert_msg(!tu_exists(p), "kiosks created the database");
        free(p);
    }
    /* A units import that fails leaves no database behind (nothing said it made one). */
    char *bad = in_dir("bad.csv");
    const char *bad_text = "代码,名称,类型\r\nGA01,县公安局,县直机关\r\nGA01,县公安局,县直机关\r\n";
    tu_write_file(bad, bad_text, strlen(bad_text));
    free(bad);
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        office(&r, "--db", "bad.db", "units", "import", "bad.csv", NULL);
        status_is(&r, 1);
        has(r.err, i == 0 ? "没有保存任何内容" : "nothing was stored");
        tu_result_free(&r);
        char *p = in_dir("bad.db");
        ck_assert_msg(!tu_exists(p), "a failed units import left the database it created");
        free(p);
    }
    /* units import creates it and says so, in English too. */
    char *csv = in_dir("units.csv");
    const char *text = "代码,名称,类型\r\nGA01,县公安局,县直机关\r\n";
    tu_write_file(csv, text, strlen(text));
    free(csv);
    static const char *const made[] = {"新建了办公室数据库 u0.db", "Created the office database u1.db."};
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        char db[32];
        snprintf(db, sizeof db, "u%d.db", i);
        tu_result r;
        office(&r, "--db", db, "units", "import", "units.csv", NULL);
        status_is(&r, 0);
        has(r.out, made[i]);
        tu_result_free(&r);
    }
}
END_TEST

START_TEST(test_help_and_exit_codes)
{
    static const char *const bad[][2] = {
        {"不是 2026 这样的年份", "minping-office report --help"},
        {"is not a year like 2026", "minping-office report --help"},
    };
    static const char *const help[][2] = {
        {"（provision、units import）在数据库\n               不存在时新建它并予以说明", "退出状态"},
        {"(provision, units import) create it if missing and say so", "Exit status"},
    };
    for (int i = 0; i < 2; i++) {
        lang(LANGS[i]);
        tu_result r;
        office(&r, "--db", "office.db", "report", "--year", "x", NULL);
        status_is(&r, 2);
        has(r.err, bad[i][0]);
        has(r.err, bad[i][1]);
        tu_result_free(&r);
        office(&r, "--help", NULL);
        status_is(&r, 0);
        has(r.out, help[i][0]);
        has(r.out, help[i][1]);
        tu_result_free(&r);
        kiosk_cmd(&r, "--help", NULL);
        status_is(&r, 0);
        has(r.out, i == 0 ? "用法" : "Usage: minping-kiosk");
        tu_result_free(&r);
    }
}
END_TEST

static Suite *messages_suite(void)
{
    Suite *s = suite_create("messages");
    TCase *tc = tcase_create("messages");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_not_provisioned_here);
    tcase_add_test(tc, test_key_not_issued_here);
    tcase_add_test(tc, test_tampered_file);
    tcase_add_test(tc, test_conflict_names_both_files);
    tcase_add_test(tc, test_missing_output_folder);
    tcase_add_test(tc, test_export_of_a_kiosk_never_started);
    tcase_add_test(tc, test_kiosk_export_prints_count);
    tcase_add_test(tc, test_kiosk_export_counts_followups);
    tcase_add_test(tc, test_counts_and_summaries);
    tcase_add_test(tc, test_database_creation_named);
    tcase_add_test(tc, test_help_and_exit_codes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(messages_suite());
}

/* check_export_failures.c - export media that fail: a stick that fills up, a
 * folder that cannot be written (a read-only stick), and a stick pulled in
 * the middle of the export (tests/reliability/vanish.c makes the folder go
 * away at the export's fsync and the sync fail).  From the admin screen: a
 * clear Chinese message, the kiosk still up on the admin screen with every
 * vote; from `minping-kiosk export`: exit status 1.  Either way no file is
 * left under a final name (nor a temporary one), and once the medium is good
 * again an export succeeds.
 *
 * Runs in its own user and mount namespace (unshare -rm): the sticks are
 * tmpfs mounts. */
#include "harness.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

enum { VOTES = 300 };
static char *dir, *stick;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    stick = tu_path(dir, "stick");
    kh_setup(dir);
    sign_key key;
    mp_err err;
    char *kp = tu_path(dir, "kiosk.key");
    ck_assert_int_eq(sign_keygen(&key, &err), 0);
    ck_assert_msg(sign_key_save(kp, &key, &err) == 0, "%s", err.msg);
    sign_key_wipe(&key);
    free(kp);
    kh_write_config(1, "signing_key = kiosk.key\nexport_dir = stick");
    store *s;
    ck_assert_msg(store_open(kh_db, &s, &err) == 0, "%s", err.msg);
    for (int i = 0; i < VOTES; i++)
        ck_assert(store_add_vote(s, "U01", "县公安局", 10, 0, 1764200000 + i, 28800, NULL,
                                 &err) == 0);
    store_close(s);
}

static void teardown(void)
{
    kh_teardown();
    umount2(stick, MNT_DETACH);
    free(stick);
    free(dir);
}

static const char *KIND[] = {"full", "read-only", "pulled"};
static const char *SAYS[] = {"空间不足", "不可写入", "找不到"};

/* Makes the stick fail in the way `kind` says. */
static void break_stick(int kind)
{
    umount2(stick, MNT_DETACH);
    rmdir(stick);
    ck_assert_int_eq(mkdir(stick, 0755), 0);
    kh_mount_tmpfs(stick, kind == 0 ? "size=8k" : "size=1m");
    if (kind == 1)
        ck_assert_int_eq(mount(NULL, stick, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
    if (kind == 2)
        setenv("MINPING_TEST_VANISH_DIR", stick, 1);
}

/* A good stick in the same place. */
static void good_stick(void)
{
    unsetenv("MINPING_TEST_VANISH_DIR");
    umount2(stick, MNT_DETACH);
    rmdir(stick);
    ck_assert_int_eq(mkdir(stick, 0755), 0);
    kh_mount_tmpfs(stick, "size=4m");
}

/* Files in the stick (0 when it is gone). */
static int files_on_stick(void)
{
    DIR *d = opendir(stick);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

START_TEST(failing_stick_from_the_admin_screen)
{
    mp_err err;
    ck_assert_msg(kh_restart(800, 480, &err) == 0, "%s", err.msg);
    kh_open_admin();
    break_stick(_i);
    kh_tap("admin.export");
    const char *msg = kh_label("admin.message");
    ck_assert_msg(strstr(msg, "导出失败") && strstr(msg, SAYS[_i]), "%s: \"%s\"", KIND[_i], msg);
    ck_assert_str_eq(kh_screen(), "admin");
    ck_assert(!app_quit_requested(kh_app));
    ck_assert_int_eq(files_on_stick(), 0);
    ck_assert_int_eq(kh_count(kh_db, "1"), VOTES);
    printf("export to a %s stick, admin screen: %s\n", KIND[_i], msg);
    /* A good stick: the next export works. */
    good_stick();
    kh_tap("admin.export");
    msg = kh_label("admin.message");
    ck_assert_msg(strstr(msg, "已导出 300 票"), "%s", msg);
    ck_assert_int_eq(files_on_stick(), 1);
}
END_TEST

START_TEST(failing_stick_from_the_command_line)
{
    char *argv[] = {MINPING_KIOSK_BIN, "export", "--config", kh_cfg, "--out", stick, NULL};
    tu_result r;
    break_stick(_i);
    if (_i == 2) {
        /* The kiosk binary gets the same fsync; an ASan build must accept a
         * library loaded before its runtime. */
        setenv("LD_PRELOAD", MINPING_VANISH_SO, 1);
        const char *a = getenv("ASAN_OPTIONS");
        char opts[600];
        snprintf(opts, sizeof opts, "%s%sverify_asan_link_order=0", a ? a : "", a ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
    }
    tu_run(NULL, argv, NULL, &r);
    unsetenv("LD_PRELOAD");
    ck_assert_msg(r.status == 1, "%s: exit %d: %s%s", KIND[_i], r.status, r.out, r.err);
    ck_assert_msg(strstr(r.err, "export failed"), "%s", r.err);
    ck_assert_int_eq(files_on_stick(), 0);
    printf("export to a %s stick, command line: exit %d: %s", KIND[_i], r.status, r.err);
    tu_result_free(&r);
    if (_i == 2)
        ck_assert(!tu_exists(stick)); /* it really went away */
    good_stick();
    tu_run(NULL, argv, NULL, &r);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert(strstr(r.out, "300 votes exported"));
    ck_assert_int_eq(files_on_stick(), 1);
    tu_result_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("export_failures");
    TCase *tc = tcase_create("export_failures");
    tcase_add_unchecked_fixture(tc, kh_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, failing_stick_from_the_admin_screen, 0, 3);
    tcase_add_loop_test(tc, failing_stick_from_the_command_line, 0, 3);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

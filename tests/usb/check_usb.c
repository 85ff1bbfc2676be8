/* check_usb.c - the staff export to a USB stick with nobody logged in,
 * through the kiosk's udisks2 client against a stand-in udisks2
 * (fakeudisks.h) on a private D-Bus: the stick noticed and mounted once the
 * admin screen shows, its label and free space shown (admin.usb), the
 * export written onto it, then the stick unmounted and powered off, and
 * only then 可以拔出U盘 in admin.message.  A full, read-only or refused
 * stick, one pulled in the middle of the export (tests/reliability/vanish.c
 * makes its folder go at the export's fsync), or one that cannot be powered
 * off: a Chinese message, no file left on the stick, never 可以拔出U盘, and
 * the next export to a good stick works.  Without udisks2, a stick another
 * program mounted is written to but not called safe to pull.
 *
 * Runs in its own user and mount namespace (unshare -rm): the sticks are
 * tmpfs mounts made by the stand-in. */
#include "export.h"
#include "fakeudisks.h"
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
static char *dir;
static sign_key key;

static const fake_stick GOOD = {.label = "MINPING", .tmpfs_opts = "size=4m"};

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    kh_setup(dir);
    mp_err err;
    char *kp = tu_path(dir, "kiosk.key");
    ck_assert_int_eq(sign_keygen(&key, &err), 0);
    ck_assert_msg(sign_key_save(kp, &key, &err) == 0, "%s", err.msg);
    free(kp);
    kh_write_config(1, "signing_key = kiosk.key");
    store *s;
    ck_assert_msg(store_open(kh_db, &s, &err) == 0, "%s", err.msg);
    for (int i = 0; i < VOTES; i++)
        ck_assert(store_add_vote(s, "U01", "县公安局", 10, 0, 1764200000 + i, 28800, NULL,
                                 &err) == 0);
    store_close(s);
    fake_udisks_start(dir);
    ck_assert_msg(kh_restart(800, 480, &err) == 0, "%s", err.msg);
}

static void teardown(void)
{
    kh_teardown(); /* the app first: its USB worker talks to the fake */
    fake_udisks_stop();
    sign_key_wipe(&key);
    free(dir);
}

/* Ticks the kiosk (20 ms of its clock, 10 ms of real time for the worker)
 * until element id's label holds needle; returns the label. */
static const char *wait_label(const char *id, const char *needle)
{
    for (int i = 0; i < 1000; i++) {
        kh_advance(20);
        if (strstr(kh_label(id), needle))
            return kh_label(id);
        usleep(10000);
    }
    ck_abort_msg("%s never said \"%s\": \"%s\"", id, needle, kh_label(id));
    return NULL;
}

/* Some ticks (and real time for the worker), asserting that
 * admin.message never says 可以拔出U盘 meanwhile. */
static void never_safe_for(int ticks)
{
    for (int i = 0; i < ticks; i++) {
        kh_advance(20);
        ck_assert_msg(!strstr(kh_label("admin.message"), "可以拔出U盘"), "%s",
                      kh_label("admin.message"));
        usleep(10000);
    }
}

static int key_of(void *user, const char *kiosk, const char *key_id,
                  unsigned char pk[SIGN_PK_BYTES], mp_err *err)
{
    (void)user, (void)kiosk, (void)err;
    if (strcmp(key_id, key.id) != 0)
        return EXPORT_KEY_OTHER;
    memcpy(pk, key.pk, SIGN_PK_BYTES);
    return EXPORT_KEY_FOUND;
}

/* The files the stick held when it was unmounted the n-th time (the fake
 * copies them): how many, and (when 1) that it verifies with all votes. */
static int files_seen(int n)
{
    char *sub = tu_path(dir, "seen");
    char num[16];
    snprintf(num, sizeof num, "%d", n);
    char *d = tu_path(sub, num);
    free(sub);
    DIR *dd = opendir(d);
    int count = 0;
    struct dirent *e;
    while (dd && (e = readdir(dd))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        count++;
        char *p = tu_path(d, e->d_name);
        long len;
        FILE *f = fopen(p, "rb");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        rewind(f);
        char *buf = malloc((size_t)len + 1);
        ck_assert_int_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
        fclose(f);
        export_meta meta;
        mp_err err;
        ck_assert_msg(strncmp(e->d_name, "minping-", 8) == 0, "%s", e->d_name);
        ck_assert_msg(export_read(buf, (size_t)len, key_of, NULL, &meta, NULL, NULL, &err) == 0,
                      "%s: %s", p, err.msg);
        ck_assert_int_eq(meta.rows, VOTES);
        free(buf);
        free(p);
    }
    if (dd)
        closedir(dd);
    free(d);
    return count;
}

/* Plugs a good stick, exports, waits for the eject: the next export works. */
static void good_export(int snapshot)
{
    fake_udisks_plug(&GOOD);
    wait_label("admin.usb", "U盘“MINPING”：可用");
    kh_tap("admin.export");
    wait_label("admin.message", "可以拔出U盘");
    ck_assert_msg(strstr(kh_label("admin.message"), "已导出 300 票"), "%s",
                  kh_label("admin.message"));
    ck_assert_int_eq(files_seen(snapshot), 1);
}

START_TEST(export_then_unmount_and_power_off_then_pull)
{
    fake_stick held = GOOD;
    held.hold_power_off = 1;
    fake_udisks_plug(&held);
    kh_open_admin();
    /* Noticed and mounted for the kiosk, label and space shown. */
    const char *usb = wait_label("admin.usb", "U盘“MINPING”：可用 ");
    ck_assert_msg(strstr(usb, "共 4 MB"), "%s", usb);
    fake_counts n;
    fake_udisks_counts(&n);
    ck_assert_int_eq(n.mounts, 1);
    ck_assert_msg(strstr(n.mount_options, "noexec"), "%s", n.mount_options);
    printf("admin.usb: %s\n", usb);

    kh_tap("admin.export");
    const char *msg = kh_label("admin.message");
    ck_assert_msg(strstr(msg, "已导出 300 票") && strstr(msg, "正在安全弹出U盘"), "%s", msg);
    ck_assert_msg(!strstr(msg, "可以拔出U盘"), "%s", msg);
    ck_assert(!kh_enabled("admin.close"));
    ck_assert(!kh_enabled("admin.export"));
    ck_assert(!kh_enabled("admin.quit"));
    /* Unmounted, the power-off under way: still not safe to pull. */
    for (int i = 0; i < 1000; i++) {
        fake_udisks_counts(&n);
        if (n.power_off_waiting)
            break;
        never_safe_for(1);
    }
    ck_assert_int_eq(n.power_off_waiting, 1);
    ck_assert_int_eq(n.unmounts, 1);
    never_safe_for(30);
    ck_assert_str_eq(kh_screen(), "admin");
    /* Powered off: now, and only now. */
    fake_udisks_release();
    msg = wait_label("admin.message", "可以拔出U盘");
    printf("admin.message: %s\n", msg);
    ck_assert(kh_enabled("admin.close"));
    fake_udisks_counts(&n);
    ck_assert_int_eq(n.power_offs, 1);
    ck_assert_int_eq(n.without_auth_flag, 0);
    ck_assert_int_eq(files_seen(1), 1);
    wait_label("admin.usb", "未检测到U盘");
    /* Another stick, another export. */
    good_export(2);
    fake_udisks_counts(&n);
    ck_assert_int_eq(n.mounts, 2);
    ck_assert_int_eq(n.power_offs, 2);
}
END_TEST

static const char *KIND[] = {"full", "read-only", "pulled"};
static const char *SAYS[] = {"空间不足", "不可写入", "找不到"};

START_TEST(failing_stick)
{
    fake_stick bad = GOOD;
    if (_i == 0)
        bad.tmpfs_opts = "size=8k";
    if (_i == 1)
        bad.read_only = 1;
    fake_udisks_plug(&bad);
    kh_open_admin();
    const char *usb = wait_label("admin.usb", "U盘“MINPING”");
    if (_i == 1)
        ck_assert_msg(strstr(usb, "只读"), "%s", usb);
    char path[600];
    fake_udisks_mount_path(path, sizeof path);
    ck_assert(path[0]);
    if (_i == 2)
        setenv("MINPING_TEST_VANISH_DIR", path, 1);
    kh_tap("admin.export");
    const char *msg = kh_label("admin.message");
    ck_assert_msg(strstr(msg, "导出失败") && strstr(msg, SAYS[_i]), "%s: \"%s\"", KIND[_i], msg);
    if (_i == 2) {
        /* Gone: it cannot be ejected, and nobody is told it can be pulled. */
        never_safe_for(60);
        ck_assert(!tu_exists(path));
        fake_udisks_pull();
    } else {
        /* Not written, but ejected all the same: then safe to pull. */
        msg = wait_label("admin.message", "可以拔出U盘");
        ck_assert_msg(strstr(msg, "导出失败") && strstr(msg, SAYS[_i]), "%s", msg);
        ck_assert_int_eq(files_seen(1), 0); /* no partial file */
    }
    printf("export to a %s stick: %s\n", KIND[_i], kh_label("admin.message"));
    ck_assert_str_eq(kh_screen(), "admin");
    ck_assert_int_eq(kh_count(kh_db, "1"), VOTES);
    unsetenv("MINPING_TEST_VANISH_DIR");
    wait_label("admin.usb", "未检测到U盘");
    good_export(_i == 2 ? 1 : 2);
}
END_TEST

START_TEST(mount_refused)
{
    fake_stick bad = GOOD;
    bad.refuse_mount = 1;
    fake_udisks_plug(&bad);
    kh_open_admin();
    const char *usb = wait_label("admin.usb", "U盘无法使用");
    printf("refused: %s\n", usb);
    kh_tap("admin.export");
    const char *msg = kh_label("admin.message");
    ck_assert_msg(strstr(msg, "导出失败") && strstr(msg, "换一个U盘"), "%s", msg);
    never_safe_for(20);
    fake_udisks_pull();
    wait_label("admin.usb", "未检测到U盘");
    good_export(1);
}
END_TEST

START_TEST(power_off_refused)
{
    fake_stick bad = GOOD;
    bad.refuse_power_off = 1;
    fake_udisks_plug(&bad);
    kh_open_admin();
    wait_label("admin.usb", "U盘“MINPING”：可用");
    kh_tap("admin.export");
    const char *msg = wait_label("admin.message", "未能安全弹出");
    ck_assert_msg(strstr(msg, "已导出 300 票") && !strstr(msg, "可以拔出U盘"), "%s", msg);
    printf("power-off refused: %s\n", msg);
    never_safe_for(20);
    ck_assert(kh_enabled("admin.close"));
    fake_udisks_pull();
    wait_label("admin.usb", "未检测到U盘");
    good_export(2);
}
END_TEST

/* No udisks2 on the bus: a stick mounted under /media by another program. */
START_TEST(without_udisks_a_mounted_stick_is_used)
{
    fake_udisks_stop();
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/system_bus_socket", 1);
    ck_assert_int_eq(mount("none", "/media", "tmpfs", 0, "size=1m"), 0);
    ck_assert_int_eq(mkdir("/media/kiosk", 0755), 0);
    ck_assert_int_eq(mkdir("/media/kiosk/STICK", 0755), 0);
    kh_mount_tmpfs("/media/kiosk/STICK", "size=4m");
    kh_open_admin();
    wait_label("admin.usb", "U盘“STICK”：可用");
    kh_tap("admin.export");
    const char *msg = wait_label("admin.message", "请先在系统中弹出");
    ck_assert_msg(strstr(msg, "已导出 300 票") && !strstr(msg, "可以拔出U盘"), "%s", msg);
    printf("without udisks2: %s\n", msg);
    ck_assert(tu_exists("/media/kiosk/STICK"));
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("usb");
    TCase *tc = tcase_create("usb");
    tcase_add_unchecked_fixture(tc, kh_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, export_then_unmount_and_power_off_then_pull);
    tcase_add_loop_test(tc, failing_stick, 0, 3);
    tcase_add_test(tc, mount_refused);
    tcase_add_test(tc, power_off_refused);
    tcase_add_test(tc, without_udisks_a_mounted_stick_is_used);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

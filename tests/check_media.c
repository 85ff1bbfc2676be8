/* check_media.c - finding the USB stick, and a staff export onto it.
 *
 * Runs inside its own user and mount namespace (ctest starts it with
 * `unshare -rm`), so it can mount small tmpfs "sticks", even over /media,
 * without touching the machine: the mounts vanish with the process. */
#include "config.h"
#include "embed.h"
#include "exporter.h"
#include "media.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
}

static void teardown(void)
{
    free(dir);
}

/* mkdir -p of dir/rel; returns the malloc'd path. */
static char *make_dir(const char *rel)
{
    char *p = tu_path(dir, rel);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
    ck_assert_int_eq(system(cmd), 0);
    return p;
}

static void mount_tmpfs(const char *path, const char *opts)
{
    ck_assert_msg(mount("none", path, "tmpfs", 0, opts) == 0, "mount %s: %m", path);
}

START_TEST(finds_a_mounted_stick)
{
    char *root = make_dir("media");
    free(make_dir("media/alice/not-mounted"));
    char *stick = make_dir("media/alice/STICK");
    mount_tmpfs(stick, "size=1m");
    const char *roots[] = {"/nonexistent-root", root, NULL};
    char out[4096];
    mp_err err;
    ck_assert_msg(media_find(roots, out, sizeof out, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(out, stick);
    umount(stick);
    free(stick);
    free(root);
}
END_TEST

START_TEST(skips_plain_folders_links_and_read_only_sticks)
{
    char *root = make_dir("media");
    free(make_dir("media/bob/plain"));
    char *ro = make_dir("media/bob/A-readonly");
    mount_tmpfs(ro, "size=1m");
    ck_assert_int_eq(mount(NULL, ro, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
    char *other = make_dir("elsewhere");
    mount_tmpfs(other, "size=1m");
    char *link = tu_path(dir, "media/bob/B-link");
    ck_assert_int_eq(symlink(other, link), 0);
    const char *roots[] = {root, NULL};
    char out[4096];
    mp_err err;
    ck_assert_int_eq(media_find(roots, out, sizeof out, &err), -1);
    ck_assert_msg(strstr(err.msg, "no removable drive"), "%s", err.msg);
    /* A writable stick after them is found. */
    char *good = make_dir("media/bob/C-stick");
    mount_tmpfs(good, "size=1m");
    ck_assert_int_eq(media_find(roots, out, sizeof out, &err), 0);
    ck_assert_str_eq(out, good);
    umount(good);
    umount(ro);
    umount(other);
    free(good);
    free(link);
    free(other);
    free(ro);
    free(root);
}
END_TEST

START_TEST(first_stick_by_name)
{
    char *root = make_dir("run-media");
    char *b = make_dir("run-media/carol/BBB");
    char *a = make_dir("run-media/carol/AAA");
    mount_tmpfs(b, "size=1m");
    mount_tmpfs(a, "size=1m");
    const char *roots[] = {root, NULL};
    char out[4096];
    mp_err err;
    ck_assert_int_eq(media_find(roots, out, sizeof out, &err), 0);
    ck_assert_str_eq(out, a);
    umount(a);
    umount(b);
    free(a);
    free(b);
    free(root);
}
END_TEST

/* The demo kiosk with `votes` votes and a signing key, no export_dir. */
static kiosk_config *kiosk(store **s, int votes)
{
    kiosk_config *cfg;
    mp_err err;
    const char *text = demo_config[0].text;
    ck_assert_msg(config_parse(text, strlen(text), "demo", dir, &cfg, &err) == 0, "%s", err.msg);
    free(cfg->export_dir);
    cfg->export_dir = NULL;
    cfg->signing_key_path = tu_path(dir, "kiosk.key");
    sign_key key;
    ck_assert_int_eq(sign_keygen(&key, &err), 0);
    ck_assert_msg(sign_key_save(cfg->signing_key_path, &key, &err) == 0, "%s", err.msg);
    sign_key_wipe(&key);
    ck_assert_msg(store_open(cfg->db_path, s, &err) == 0, "%s", err.msg);
    for (int i = 0; i < votes; i++)
        ck_assert(store_add_vote(*s, "GA01", "县公安局", 10, 0, 1764200000 + i, 28800, NULL,
                                 &err) == 0);
    return cfg;
}

START_TEST(export_goes_to_the_stick)
{
    ck_assert_int_eq(mount("none", "/media", "tmpfs", 0, "size=1m"), 0);
    ck_assert_int_eq(mkdir("/media/kiosk", 0755), 0);
    ck_assert_int_eq(mkdir("/media/kiosk/U-DISK", 0755), 0);
    mount_tmpfs("/media/kiosk/U-DISK", "size=1m");
    store *s;
    kiosk_config *cfg = kiosk(&s, 3);
    exporter_result res;
    mp_err err;
    ck_assert_msg(exporter_run(cfg, s, NULL, 1764300000, &res, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(res.rows, 3);
    ck_assert(strncmp(res.path, "/media/kiosk/U-DISK/minping-demo-reading-room-", 46) == 0);
    ck_assert(tu_exists(res.path));
    ck_assert_msg(strstr(res.zh, "已导出 3 票") && strstr(res.zh, "/media/kiosk/U-DISK"), "%s",
                  res.zh);
    store_close(s);
    config_free(cfg);
}
END_TEST

START_TEST(no_stick_is_explained)
{
    ck_assert_int_eq(mount("none", "/media", "tmpfs", 0, "size=1m"), 0);
    ck_assert_int_eq(mount("none", "/run", "tmpfs", 0, "size=1m"), 0);
    store *s;
    kiosk_config *cfg = kiosk(&s, 1);
    exporter_result res;
    mp_err err;
    ck_assert_int_eq(exporter_run(cfg, s, NULL, 1764300000, &res, &err), -1);
    ck_assert_msg(strstr(res.zh, "未找到U盘"), "%s", res.zh);
    store_close(s);
    config_free(cfg);
}
END_TEST

/* A stick too small for the file: a Chinese reason, no file under a final
 * name, the kiosk unchanged, and a later export to a good stick works. */
START_TEST(full_stick_is_explained)
{
    char *tiny = make_dir("tiny");
    mount_tmpfs(tiny, "size=8k");
    store *s;
    kiosk_config *cfg = kiosk(&s, 400);
    exporter_result res;
    mp_err err;
    ck_assert_int_eq(exporter_run(cfg, s, tiny, 1764300000, &res, &err), -1);
    ck_assert_msg(strstr(res.zh, "空间不足"), "%s / %s", res.zh, err.msg);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tiny);
    ck_assert_msg(system(cmd) == 0, "files left on the full stick");
    int64_t n;
    ck_assert_int_eq(store_vote_count(s, &n, &err), 0);
    ck_assert_int_eq(n, 400);
    char *big = make_dir("big");
    mount_tmpfs(big, "size=4m");
    ck_assert_msg(exporter_run(cfg, s, big, 1764300001, &res, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(res.rows, 400);
    umount(tiny);
    umount(big);
    free(tiny);
    free(big);
    store_close(s);
    config_free(cfg);
}
END_TEST

static Suite *media_suite(void)
{
    Suite *s = suite_create("media");
    TCase *tc = tcase_create("media");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, finds_a_mounted_stick);
    tcase_add_test(tc, skips_plain_folders_links_and_read_only_sticks);
    tcase_add_test(tc, first_stick_by_name);
    tcase_add_test(tc, export_goes_to_the_stick);
    tcase_add_test(tc, no_stick_is_explained);
    tcase_add_test(tc, full_stick_is_explained);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(media_suite());
}

/* check_preflight.c - the kiosk's start-up check (app/core/preflight) on fake
 * device trees: what counts as a display and an input device on the console,
 * what a desktop or headless run skips, and the state folder. */
#include "preflight.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dev, *state;

static void setup(void)
{
    dev = tu_mkdtemp_in(tu_root);
    state = tu_mkdtemp_in(tu_root);
}

static void teardown(void)
{
    free(dev);
    free(state);
}

static void mkdev(const char *rel)
{
    char dir[1024], path[1024];
    snprintf(path, sizeof path, "%s/%s", dev, rel);
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    mkdir(dir, 0755);
    tu_write_file(path, "", 0);
}

static preflight_env console(void)
{
    preflight_env e = {.dev_dir = dev, .state_dir = state};
    return e;
}

START_TEST(console_with_drm_and_input_is_ok)
{
    mkdev("dri/card0");
    mkdev("input/event3");
    mkdev("input/mice");
    preflight_env e = console();
    char out[2048];
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "dri/card0") && strstr(out, "input/event3") &&
                      strstr(out, "writable"), "%s", out);
}
END_TEST

START_TEST(console_without_devices_names_both)
{
    mkdev("input/mice"); /* not an event device */
    preflight_env e = console();
    char out[2048];
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 2);
    ck_assert_msg(strstr(out, "no display:") && strstr(out, "cage"), "%s", out);
    ck_assert_msg(strstr(out, "no input device:") && strstr(out, "event*"), "%s", out);
    ck_assert_msg(strstr(out, "writable") == NULL, "ok parts mixed into problems: %s", out);
}
END_TEST

START_TEST(unreadable_devices_say_which_group)
{
    mkdev("dri/card0");
    mkdev("input/event0");
    char p[1024];
    snprintf(p, sizeof p, "%s/dri/card0", dev);
    ck_assert_int_eq(chmod(p, 0), 0);
    snprintf(p, sizeof p, "%s/input/event0", dev);
    ck_assert_int_eq(chmod(p, 0), 0);
    preflight_env e = console();
    char out[2048];
    tu_obey_permissions(1);
    int n = preflight_check(&e, out, sizeof out);
    tu_obey_permissions(0);
    ck_assert_int_eq(n, 2);
    ck_assert_msg(strstr(out, "add the minping user to group video"), "%s", out);
    ck_assert_msg(strstr(out, "no input device readable") &&
                      strstr(out, "add the minping user to group input"), "%s", out);
}
END_TEST

START_TEST(desktop_and_headless_need_no_devices)
{
    preflight_env e = console();
    char out[2048];
    e.display = ":0";
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "X11 :0"), "%s", out);
    e.display = NULL;
    e.wayland_display = "wayland-0";
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "Wayland wayland-0"), "%s", out);
    e.wayland_display = "";
    e.video_driver = "offscreen";
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "headless"), "%s", out);
    /* kmsdrm named explicitly: the console rules. */
    e.video_driver = "kmsdrm";
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 2);
}
END_TEST

START_TEST(state_folder_missing_or_read_only)
{
    preflight_env e = console();
    e.video_driver = "dummy";
    char out[2048], missing[1024];
    snprintf(missing, sizeof missing, "%s/nope", state);
    e.state_dir = missing;
    ck_assert_int_eq(preflight_check(&e, out, sizeof out), 1);
    ck_assert_msg(strstr(out, "state folder") && strstr(out, "not writable") &&
                      strstr(out, "No such file") && strstr(out, "StateDirectory=minping"),
                  "%s", out);
    ck_assert_int_eq(chmod(state, 0555), 0);
    e.state_dir = state;
    tu_obey_permissions(1);
    int n = preflight_check(&e, out, sizeof out);
    tu_obey_permissions(0);
    chmod(state, 0755);
    ck_assert_int_eq(n, 1);
    ck_assert_msg(strstr(out, "Permission denied"), "%s", out);
}
END_TEST

START_TEST(a_small_buffer_is_cut_not_overrun)
{
    preflight_env e = console();
    char out[16];
    memset(out, 'x', sizeof out);
    ck_assert_int_eq(preflight_check(&e, out, 10), 2);
    ck_assert_uint_eq(strlen(out), 9);
    ck_assert_int_eq(out[10], 'x');
}
END_TEST

int main(void)
{
    Suite *s = suite_create("preflight");
    TCase *tc = tcase_create("check");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, console_with_drm_and_input_is_ok);
    tcase_add_test(tc, console_without_devices_names_both);
    tcase_add_test(tc, unreadable_devices_say_which_group);
    tcase_add_test(tc, desktop_and_headless_need_no_devices);
    tcase_add_test(tc, state_folder_missing_or_read_only);
    tcase_add_test(tc, a_small_buffer_is_cut_not_overrun);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

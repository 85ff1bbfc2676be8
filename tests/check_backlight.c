/* check_backlight.c - the backlight module on a fake /sys/class/backlight
 * made in a scratch folder: off on sleep, the old values back on wake,
 * bl_power preferred over brightness, a kiosk that died asleep starts lit,
 * and a missing or unwritable file leaves the screen lit with one log line
 * in the kiosk's life, never one a night. */
#include "backlight.h"
#include "testutil.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;  /* the fake backlight class folder */
static char *log_path; /* standard error, captured */
static int saved_stderr = -1;

static void setup(void)
{
    char *t = tu_mkdtemp_in(tu_root);
    dir = tu_path(t, "backlight");
    log_path = tu_path(t, "stderr.log");
    free(t);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
    close(fd);
}

static void teardown(void)
{
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    free(dir);
    free(log_path);
}

/* Writes text into file of device dev (made if missing). */
static void put(const char *dev, const char *file, const char *text)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, dev);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/%s/%s", dir, dev, file);
    tu_write_file(p, text, strlen(text));
}

/* The number in file of device dev. */
static long get(const char *dev, const char *file)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s/%s", dir, dev, file);
    char *s = tu_read_file(p, NULL);
    ck_assert_msg(s != NULL, "%s is missing", p);
    long v = strtol(s, NULL, 10);
    free(s);
    return v;
}

/* A device as the kernel shows a lit panel. */
static void panel(const char *dev, int with_bl_power)
{
    if (with_bl_power)
        put(dev, "bl_power", "0\n");
    put(dev, "brightness", "937\n");
    put(dev, "max_brightness", "1200\n");
}

/* How many lines standard error got that contain what. */
static int log_lines(const char *what)
{
    fflush(stderr);
    char *s = tu_read_file(log_path, NULL);
    int n = 0;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
        n += strstr(line, what) != NULL;
    free(s);
    return n;
}

START_TEST(bl_power_off_and_back)
{
    panel("intel_backlight", 1);
    backlight *b = backlight_create(dir);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(backlight_off(b), 1);
    ck_assert_int_eq(get("intel_backlight", "bl_power"), BACKLIGHT_POWERDOWN);
    ck_assert_int_eq(get("intel_backlight", "brightness"), 937); /* untouched */
    ck_assert_int_eq(backlight_off_count(b), 1);
    ck_assert_int_eq(backlight_off(b), 1); /* again: nothing more */
    backlight_on(b);
    ck_assert_int_eq(get("intel_backlight", "bl_power"), 0);
    ck_assert_int_eq(backlight_off_count(b), 0);
    /* Night after night. */
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(backlight_off(b), 1);
        ck_assert_int_eq(get("intel_backlight", "bl_power"), BACKLIGHT_POWERDOWN);
        backlight_on(b);
        ck_assert_int_eq(get("intel_backlight", "bl_power"), 0);
    }
    backlight_destroy(b);
    ck_assert_int_eq(log_lines("stays lit"), 0);
}
END_TEST

START_TEST(brightness_when_there_is_no_bl_power)
{
    panel("acpi_video0", 0);
    backlight *b = backlight_create(dir);
    ck_assert_int_eq(backlight_off(b), 1);
    ck_assert_int_eq(get("acpi_video0", "brightness"), 0);
    backlight_on(b);
    ck_assert_int_eq(get("acpi_video0", "brightness"), 937);
    backlight_destroy(b);
}
END_TEST

START_TEST(every_device_and_destroy_restores)
{
    panel("b_panel", 1);
    panel("a_panel", 0);
    backlight *b = backlight_create(dir);
    ck_assert_int_eq(backlight_off(b), 2);
    ck_assert_int_eq(get("a_panel", "brightness"), 0);
    ck_assert_int_eq(get("b_panel", "bl_power"), BACKLIGHT_POWERDOWN);
    backlight_destroy(b); /* the kiosk stopped while asleep */
    ck_assert_int_eq(get("a_panel", "brightness"), 937);
    ck_assert_int_eq(get("b_panel", "bl_power"), 0);
}
END_TEST

START_TEST(a_kiosk_that_died_asleep_starts_lit)
{
    put("p1", "bl_power", "4\n");
    put("p1", "brightness", "500\n");
    put("p1", "max_brightness", "1000\n");
    put("p2", "brightness", "0\n");
    put("p2", "max_brightness", "255\n");
    backlight *b = backlight_create(dir);
    ck_assert_int_eq(get("p1", "bl_power"), 0);
    ck_assert_int_eq(get("p1", "brightness"), 500);
    ck_assert_int_eq(get("p2", "brightness"), 255);
    ck_assert_int_eq(log_lines("found powered down"), 1);
    ck_assert_int_eq(log_lines("found at brightness 0"), 1);
    backlight_destroy(b);
}
END_TEST

START_TEST(no_device_one_line)
{
    backlight *b = backlight_create(dir); /* an empty class folder */
    for (int night = 0; night < 5; night++) {
        ck_assert_int_eq(backlight_off(b), 0);
        backlight_on(b);
    }
    backlight_destroy(b);
    ck_assert_int_eq(log_lines("stays lit"), 1);
    ck_assert_int_eq(log_lines("no device in"), 1);
}
END_TEST

START_TEST(no_class_folder_one_line)
{
    char *gone = tu_path(dir, "absent");
    backlight *b = backlight_create(gone);
    ck_assert_ptr_nonnull(b);
    for (int night = 0; night < 5; night++)
        ck_assert_int_eq(backlight_off(b), 0);
    backlight_destroy(b);
    ck_assert_int_eq(log_lines("stays lit"), 1);
    free(gone);
}
END_TEST

START_TEST(unwritable_files_one_line)
{
    panel("panel", 1);
    char p[4096];
    snprintf(p, sizeof p, "%s/panel/bl_power", dir);
    ck_assert_int_eq(chmod(p, 0444), 0);
    snprintf(p, sizeof p, "%s/panel/brightness", dir);
    ck_assert_int_eq(chmod(p, 0444), 0);
    tu_obey_permissions(1);
    backlight *b = backlight_create(dir);
    for (int night = 0; night < 5; night++) {
        ck_assert_int_eq(backlight_off(b), 0);
        backlight_on(b);
    }
    backlight_destroy(b);
    tu_obey_permissions(0);
    ck_assert_int_eq(get("panel", "bl_power"), 0);
    ck_assert_int_eq(get("panel", "brightness"), 937);
    ck_assert_int_eq(log_lines("stays lit"), 1);
    ck_assert_int_eq(log_lines("Permission denied"), 1);
    ck_assert_int_eq(log_lines("60-minping-backlight.rules"), 1);
}
END_TEST

START_TEST(unwritable_bl_power_falls_back_to_brightness)
{
    panel("panel", 1);
    char p[4096];
    snprintf(p, sizeof p, "%s/panel/bl_power", dir);
    ck_assert_int_eq(chmod(p, 0444), 0);
    tu_obey_permissions(1);
    backlight *b = backlight_create(dir);
    ck_assert_int_eq(backlight_off(b), 1);
    ck_assert_int_eq(get("panel", "brightness"), 0);
    ck_assert_int_eq(get("panel", "bl_power"), 0);
    backlight_on(b);
    ck_assert_int_eq(get("panel", "brightness"), 937);
    backlight_destroy(b);
    tu_obey_permissions(0);
    ck_assert_int_eq(log_lines("stays lit"), 0);
}
END_TEST

START_TEST(one_bad_device_does_not_stop_the_others)
{
    panel("good", 1);
    put("bad", "bl_power", "not a number\n");
    put("bad", "brightness", "\n");
    backlight *b = backlight_create(dir);
    ck_assert_int_eq(backlight_off(b), 1);
    ck_assert_int_eq(get("good", "bl_power"), BACKLIGHT_POWERDOWN);
    backlight_on(b);
    ck_assert_int_eq(backlight_off(b), 1);
    backlight_destroy(b);
    ck_assert_int_eq(get("good", "bl_power"), 0);
    ck_assert_int_eq(log_lines("cannot switch it off"), 1);
}
END_TEST

START_TEST(null_handle)
{
    ck_assert_int_eq(backlight_off(NULL), 0);
    backlight_on(NULL);
    ck_assert_int_eq(backlight_off_count(NULL), 0);
    backlight_destroy(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("backlight");
    TCase *tc = tcase_create("backlight");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bl_power_off_and_back);
    tcase_add_test(tc, brightness_when_there_is_no_bl_power);
    tcase_add_test(tc, every_device_and_destroy_restores);
    tcase_add_test(tc, a_kiosk_that_died_asleep_starts_lit);
    tcase_add_test(tc, no_device_one_line);
    tcase_add_test(tc, no_class_folder_one_line);
    tcase_add_test(tc, unwritable_files_one_line);
    tcase_add_test(tc, unwritable_bl_power_falls_back_to_brightness);
    tcase_add_test(tc, one_bad_device_does_not_stop_the_others);
    tcase_add_test(tc, null_handle);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

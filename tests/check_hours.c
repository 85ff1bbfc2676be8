/* check_hours.c - kiosk.ini's open_hours and open_days: parsing (and each
 * refusal naming the line and key), config_is_open at the edges (the
 * minute of opening and of closing, a range past midnight, weekdays), and
 * config_format writing them back unchanged. */
#include "config.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH "$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4"
#define HEAD "[kiosk]\nid = room-01\nsurvey_url = https://s.example/q?k={kiosk}&u={unit}\n" \
             "pin_hash = " HASH "\n"
#define UNITS "[units]\nA01 = 县政务服务中心\n"

static kiosk_config *parse(const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, HEAD "%s" UNITS, extra);
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_parse(text, strlen(text), "test.ini", NULL, &cfg, &err) == 0, "%s: %s",
                  extra, err.msg);
    return cfg;
}

static void refused(const char *extra, const char *want)
{
    char text[2048];
    snprintf(text, sizeof text, HEAD "%s" UNITS, extra);
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_parse(text, strlen(text), "test.ini", NULL, &cfg, &err) < 0,
                  "accepted: %s", extra);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err.msg, want), "\"%s\" not in \"%s\"", want, err.msg);
}

/* Local time of 2026-12-07 (a Monday) plus day days, at hh:mm. */
static int64_t at(int day, int hh, int mm)
{
    return 1796601600LL + day * 86400LL + hh * 3600 + mm * 60;
}

START_TEST(absent_means_always_open)
{
    kiosk_config *cfg = parse("");
    ck_assert(!config_has_hours(cfg));
    for (int d = 0; d < 7; d++)
        ck_assert(config_is_open(cfg, at(d, 3, 0)));
    config_free(cfg);
}
END_TEST

START_TEST(hours_every_day_edges)
{
    kiosk_config *cfg = parse("open_hours = 08:00-17:30\n");
    ck_assert(config_has_hours(cfg));
    for (int d = 0; d < 7; d++) {
        ck_assert(!config_is_open(cfg, at(d, 7, 59)));
        ck_assert(config_is_open(cfg, at(d, 8, 0)));
        ck_assert(config_is_open(cfg, at(d, 17, 29)));
        ck_assert(!config_is_open(cfg, at(d, 17, 30)));
        ck_assert(!config_is_open(cfg, at(d, 0, 0)));
    }
    config_free(cfg);
}
END_TEST

START_TEST(weekdays_only)
{
    kiosk_config *cfg = parse("open_hours = 08:00-17:30\nopen_days = 1-5\n");
    ck_assert(config_is_open(cfg, at(0, 9, 0)));  /* Monday */
    ck_assert(config_is_open(cfg, at(4, 9, 0)));  /* Friday */
    ck_assert(!config_is_open(cfg, at(5, 9, 0))); /* Saturday */
    ck_assert(!config_is_open(cfg, at(6, 9, 0))); /* Sunday */
    ck_assert(config_is_open(cfg, at(7, 9, 0)));  /* Monday again */
    config_free(cfg);
    cfg = parse("open_days = 1,3,6-7\n"); /* whole days */
    ck_assert(config_is_open(cfg, at(0, 0, 0)));
    ck_assert(!config_is_open(cfg, at(1, 12, 0)));
    ck_assert(config_is_open(cfg, at(2, 23, 59)));
    ck_assert(config_is_open(cfg, at(6, 12, 0)));
    config_free(cfg);
}
END_TEST

START_TEST(range_past_midnight)
{
    kiosk_config *cfg = parse("open_hours = 20:00-02:00\n");
    ck_assert(config_is_open(cfg, at(0, 20, 0)));
    ck_assert(config_is_open(cfg, at(0, 1, 59)));
    ck_assert(!config_is_open(cfg, at(0, 2, 0)));
    ck_assert(!config_is_open(cfg, at(0, 12, 0)));
    config_free(cfg);
    cfg = parse("open_hours = 00:00-24:00\n");
    ck_assert(config_is_open(cfg, at(0, 23, 59)));
    config_free(cfg);
}
END_TEST

/* How long the kiosk sleeps before it opens: to the second, across the
 * night, a weekend, and a range past midnight. */
START_TEST(seconds_until_open)
{
    kiosk_config *cfg = parse("open_hours = 08:00-17:30\nopen_days = 1-5\n");
    ck_assert_int_eq(config_seconds_until_open(cfg, at(0, 9, 0)), 0);
    ck_assert_int_eq(config_seconds_until_open(cfg, at(0, 7, 59)), 60);
    ck_assert_int_eq(config_seconds_until_open(cfg, at(0, 7, 59) + 59), 1);
    ck_assert_int_eq(config_seconds_until_open(cfg, at(0, 7, 0) + 17), 3600 - 17);
    /* Monday 17:30, closed: Tuesday 08:00. */
    ck_assert_int_eq(config_seconds_until_open(cfg, at(0, 17, 30)), 14 * 3600 + 30 * 60);
    /* Friday evening: Monday 08:00. */
    ck_assert_int_eq(config_seconds_until_open(cfg, at(4, 18, 0)), 2 * 86400 + 14 * 3600);
    config_free(cfg);

    cfg = parse("open_hours = 22:00-06:00\nopen_days = 7\n"); /* Sunday night */
    ck_assert_int_eq(config_seconds_until_open(cfg, at(6, 23, 0)), 0);
    ck_assert_int_eq(config_seconds_until_open(cfg, at(6, 3, 0)), 0); /* Sunday 03:00 */
    /* Sunday 06:00: that night at 22:00. */
    ck_assert_int_eq(config_seconds_until_open(cfg, at(6, 6, 0)), 16 * 3600);
    /* Monday 01:00 (Sunday's range was Sunday's date only): next Sunday 00:00. */
    ck_assert_int_eq(config_seconds_until_open(cfg, at(7, 1, 0)), 5 * 86400 + 23 * 3600);
    config_free(cfg);

    cfg = parse("");
    ck_assert_int_eq(config_seconds_until_open(cfg, at(3, 3, 3)), 0);
    config_free(cfg);
}
END_TEST

START_TEST(mistakes_are_refused_with_line_and_key)
{
    refused("open_hours = 8:00-17:30\n", "test.ini:5: open_hours:");
    refused("open_hours = 08:00-17:60\n", "open_hours");
    refused("open_hours = 08:00-25:00\n", "open_hours");
    refused("open_hours = 08:00-08:00\n", "open_hours");
    refused("open_hours = 24:00-08:00\n", "open_hours");
    refused("open_hours = 08:00 - 17:30\n", "open_hours");
    refused("open_hours = 08:00-17:30x\n", "open_hours");
    refused("open_days = 0-5\n", "test.ini:5: open_days:");
    refused("open_days = 1-8\n", "open_days");
    refused("open_days = 5-1\n", "open_days");
    refused("open_days = 1,,2\n", "open_days");
    refused("open_days = \n", "open_days");
    refused("open_days = 1-5\nopen_days = 1-5\n", "key given twice");
}
END_TEST

START_TEST(format_writes_them_back)
{
    kiosk_config *cfg = parse("open_hours = 07:30-12:00\nopen_days = 1-3,5,7\n");
    char *text = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_format(cfg, &text, &err) == 0, "%s", err.msg);
    ck_assert_msg(strstr(text, "\nopen_hours = 07:30-12:00\n"), "%s", text);
    ck_assert_msg(strstr(text, "\nopen_days = 1-3,5,7\n"), "%s", text);
    kiosk_config *back = NULL;
    ck_assert_msg(config_parse(text, strlen(text), "back", NULL, &back, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(back->open_from, 7 * 60 + 30);
    ck_assert_int_eq(back->open_until, 12 * 60);
    ck_assert_uint_eq(back->open_days, cfg->open_days);
    free(text);
    config_free(back);
    config_free(cfg);
    /* Absent stays absent. */
    cfg = parse("");
    ck_assert(config_format(cfg, &text, &err) == 0);
    ck_assert_ptr_null(strstr(text, "\nopen_hours ="));
    ck_assert_ptr_null(strstr(text, "\nopen_days ="));
    free(text);
    config_free(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hours");
    TCase *tc = tcase_create("hours");
    tcase_add_test(tc, absent_means_always_open);
    tcase_add_test(tc, hours_every_day_edges);
    tcase_add_test(tc, weekdays_only);
    tcase_add_test(tc, range_past_midnight);
    tcase_add_test(tc, seconds_until_open);
    tcase_add_test(tc, mistakes_are_refused_with_line_and_key);
    tcase_add_test(tc, format_writes_them_back);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

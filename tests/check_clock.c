/* check_clock.c - time sources and formatting: the local offset as the
 * C library sees the time zone, ISO 8601 local times, shifted times. */
#include "testutil.h"
#include "clock.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 2026-11-27T08:30:05Z */
#define T 1795768205

static void set_tz(const char *tz)
{
    ck_assert_int_eq(setenv("TZ", tz, 1), 0);
    tzset();
}

START_TEST(test_offset_and_local)
{
    char buf[64];
    set_tz("CST-8"); /* POSIX TZ strings: no time zone database needed */
    ck_assert_int_eq(clock_utc_offset(T), 8 * 3600);
    clock_format_local(T, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-27T16:30:05+08:00");

    set_tz("UTC0");
    ck_assert_int_eq(clock_utc_offset(T), 0);
    clock_format_local(T, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-27T08:30:05+00:00");

    /* West of UTC, with summer time: New York is -05:00 in November, -04:00 in July. */
    set_tz("EST5EDT,M3.2.0,M11.1.0");
    ck_assert_int_eq(clock_utc_offset(T), -5 * 3600);
    clock_format_local(T, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-27T03:30:05-05:00");
    ck_assert_int_eq(clock_utc_offset(T - 140 * 86400), -4 * 3600);

    /* A half-hour zone. */
    set_tz("IST-5:30");
    clock_format_local(T, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-27T14:00:05+05:30");
}
END_TEST

START_TEST(test_format_offset)
{
    char buf[64];
    clock_format_offset(T, 8 * 3600, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-27 16:30:05");
    clock_format_offset(T, -9 * 3600, buf, sizeof buf);
    ck_assert_str_eq(buf, "2026-11-26 23:30:05");
    clock_format_offset(0, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01 00:00:00");
    /* Cut to the buffer, always terminated. */
    char small[11];
    clock_format_offset(T, 0, small, sizeof small);
    ck_assert_str_eq(small, "2026-11-27");
}
END_TEST

START_TEST(test_limits_and_sources)
{
    ck_assert_int_eq(CLOCK_UTC_OFFSET_MAX, 14 * 3600);
    /* The wall clock is the C library's; the monotonic one never goes back. */
    int64_t before = (int64_t)time(NULL);
    int64_t now = clock_utc_now();
    ck_assert_int_ge(now, before);
    ck_assert_int_le(now, (int64_t)time(NULL));
    int64_t a = clock_mono_ms(), b = clock_mono_ms();
    ck_assert_int_ge(b, a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("clock");
    tcase_add_test(tc, test_offset_and_local);
    tcase_add_test(tc, test_format_offset);
    tcase_add_test(tc, test_limits_and_sources);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

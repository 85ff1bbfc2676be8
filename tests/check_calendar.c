/* check_calendar.c - date arithmetic: known instants, and every day of the
 * years 0001-9999 against a day-by-day count kept by the test itself. */
#include "testutil.h"
#include "calendar.h"

#include <check.h>
#include <inttypes.h>

static void expect(int64_t t, int64_t y, int mo, int d, int h, int mi, int s)
{
    calendar_time c;
    calendar_split(t, &c);
    ck_assert_msg(c.year == y && c.month == mo && c.day == d && c.hour == h && c.min == mi &&
                      c.sec == s,
                  "%" PRId64 " split as %04" PRId64 "-%02d-%02d %02d:%02d:%02d", t, c.year,
                  c.month, c.day, c.hour, c.min, c.sec);
    ck_assert_int_eq(calendar_join(&c), t);
}

START_TEST(test_known_instants)
{
    expect(0, 1970, 1, 1, 0, 0, 0);
    expect(-1, 1969, 12, 31, 23, 59, 59);
    expect(951782400, 2000, 2, 29, 0, 0, 0);
    expect(1795737600 + 8 * 3600 + 5, 2026, 11, 27, 8, 0, 5);
    expect(INT64_C(-62135596800), 1, 1, 1, 0, 0, 0);
    expect(INT64_C(253402300799), 9999, 12, 31, 23, 59, 59);
}
END_TEST

START_TEST(test_days_in_month)
{
    ck_assert_int_eq(calendar_days_in_month(2023, 2), 28);
    ck_assert_int_eq(calendar_days_in_month(2024, 2), 29);
    ck_assert_int_eq(calendar_days_in_month(1900, 2), 28);
    ck_assert_int_eq(calendar_days_in_month(2000, 2), 29);
    ck_assert_int_eq(calendar_days_in_month(2026, 4), 30);
    ck_assert_int_eq(calendar_days_in_month(2026, 12), 31);
}
END_TEST

/* Walks every day from 0001-01-01 to 9999-12-31, advancing its own date by
 * one each step: the day number and the split date must both follow. */
START_TEST(test_every_day)
{
    int64_t y = 1, day = calendar_days_from_civil(1, 1, 1);
    int m = 1, d = 1;
    ck_assert_int_eq(day, INT64_C(-719162));
    while (y <= 9999) {
        if (calendar_days_from_civil(y, m, d) != day)
            ck_abort_msg("%04" PRId64 "-%02d-%02d is not day %" PRId64, y, m, d, day);
        calendar_time c;
        calendar_split(day * 86400 + 43200, &c);
        if (c.year != y || c.month != m || c.day != d || c.hour != 12)
            ck_abort_msg("day %" PRId64 " split as %04" PRId64 "-%02d-%02d, want "
                         "%04" PRId64 "-%02d-%02d",
                         day, c.year, c.month, c.day, y, m, d);
        day++;
        if (++d > calendar_days_in_month(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    ck_assert_int_eq(day, calendar_days_from_civil(10000, 1, 1));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("calendar");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, test_known_instants);
    tcase_add_test(tc, test_days_in_month);
    tcase_add_test(tc, test_every_day);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

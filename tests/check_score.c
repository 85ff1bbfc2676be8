/* check_score.c - the 民主测评 score: the formula, half-up rounding to two
 * decimals done exactly, and the working shown beside it. */
#include "score.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts in RATINGS order: 非常满意 (10), 基本满意 (8), 一般 (6), 不满意 (0). */
static const char *score_of(int64_t a, int64_t b, int64_t c, int64_t d)
{
    static char buf[SCORE_TEXT_MAX];
    const int64_t counts[RATING_COUNT] = {a, b, c, d};
    score s;
    mp_err err = {{0}};
    ck_assert_msg(score_compute(counts, &s, &err) == 0, "score_compute: %s", err.msg);
    score_format(&s, buf, sizeof buf);
    return buf;
}

START_TEST(test_ratings_order)
{
    /* The tests below rely on this order; so does the report. */
    ck_assert_int_eq(RATINGS[0].points, 10);
    ck_assert_int_eq(RATINGS[1].points, 8);
    ck_assert_int_eq(RATINGS[2].points, 6);
    ck_assert_int_eq(RATINGS[3].points, 0);
}
END_TEST

START_TEST(test_formula)
{
    const int64_t counts[RATING_COUNT] = {3, 2, 1, 4};
    score s;
    ck_assert_int_eq(score_compute(counts, &s, NULL), 0);
    ck_assert_int_eq(s.votes, 10);
    ck_assert_int_eq(s.points, 3 * 10 + 2 * 8 + 1 * 6 + 4 * 0);
    ck_assert_int_eq(s.hundredths, 520);
    ck_assert_str_eq(score_of(3, 2, 1, 4), "5.20");
    ck_assert_str_eq(score_of(1, 0, 0, 0), "10.00");
    ck_assert_str_eq(score_of(0, 1, 0, 0), "8.00");
    ck_assert_str_eq(score_of(0, 0, 1, 0), "6.00");
    ck_assert_str_eq(score_of(0, 0, 0, 1), "0.00");
    ck_assert_str_eq(score_of(0, 0, 0, 7), "0.00");
    ck_assert_str_eq(score_of(5, 5, 5, 5), "6.00");
}
END_TEST

START_TEST(test_rounding_thirds)
{
    /* 2 votes of 8 and 1 of 6: 22/3 = 7.333… */
    ck_assert_str_eq(score_of(0, 2, 1, 0), "7.33");
    /* 1 of 10 and 2 of 6: 22/3 */
    ck_assert_str_eq(score_of(1, 0, 2, 0), "7.33");
    /* 2 of 10, 1 of 8, 0 of 6: 28/3 = 9.333… */
    ck_assert_str_eq(score_of(2, 1, 0, 0), "9.33");
    /* 2 of 10 and 1 of 6: 26/3 = 8.666… rounds up */
    ck_assert_str_eq(score_of(2, 0, 1, 0), "8.67");
    /* 1 of 10, 2 of 0: 10/3 = 3.333… */
    ck_assert_str_eq(score_of(1, 0, 0, 2), "3.33");
    /* 2 of 10, 1 of 0: 20/3 = 6.666… */
    ck_assert_str_eq(score_of(2, 0, 0, 1), "6.67");
}
END_TEST

START_TEST(test_rounding_exact_half)
{
    /* 10 of 10, 5 of 8, 1 of 6: 146/16 = 9.125 exactly.  Half up gives 9.13;
     * printf("%.2f", 9.125) gives 9.12 (ties to even on an exact binary
     * value), so this is the case a floating-point score gets wrong. */
    ck_assert_str_eq(score_of(10, 5, 1, 0), "9.13");
    char f[16];
    snprintf(f, sizeof f, "%.2f", 146.0 / 16.0);
    ck_assert_str_eq(f, "9.12"); /* the trap the integer code avoids */
    /* 1 of 10 and 15 of 0: 10/16 = 0.625 -> 0.63 */
    ck_assert_str_eq(score_of(1, 0, 0, 15), "0.63");
    /* 1 of 6 and 15 of 0: 6/16 = 0.375 -> 0.38 */
    ck_assert_str_eq(score_of(0, 0, 1, 15), "0.38");
    /* 7 of 10, 0 of 8, 1 of 6, 8 of 0: 76/16 = 4.75 (two decimals: unchanged) */
    ck_assert_str_eq(score_of(7, 0, 1, 8), "4.75");
    /* 3 of 10, 1 of 8, 0 of 6, 36 of 0: 38/40 = 0.95 */
    ck_assert_str_eq(score_of(3, 1, 0, 36), "0.95");
    /* 1 of 10 and 79 of 0: 10/80 = 0.125 -> 0.13 */
    ck_assert_str_eq(score_of(1, 0, 0, 79), "0.13");
    /* 1 of 8 and 1599 of 0: 8/1600 = 0.005 -> 0.01 */
    ck_assert_str_eq(score_of(0, 1, 0, 1599), "0.01");
    /* just below a half: 8/1601 = 0.004996… -> 0.00 */
    ck_assert_str_eq(score_of(0, 1, 0, 1600), "0.00");
}
END_TEST

START_TEST(test_no_votes)
{
    const int64_t none[RATING_COUNT] = {0, 0, 0, 0};
    score s;
    ck_assert_int_eq(score_compute(none, &s, NULL), 0);
    ck_assert_int_eq(s.votes, 0);
    ck_assert_str_eq(score_of(0, 0, 0, 0), "");
}
END_TEST

START_TEST(test_refusals)
{
    score s;
    mp_err err = {{0}};
    const int64_t neg[RATING_COUNT] = {1, -1, 0, 0};
    ck_assert_int_eq(score_compute(neg, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "negative"));
    const int64_t big[RATING_COUNT] = {SCORE_VOTES_MAX, 1, 0, 0};
    ck_assert_int_eq(score_compute(big, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "more than"));
    const int64_t max[RATING_COUNT] = {SCORE_VOTES_MAX, 0, 0, 0};
    ck_assert_int_eq(score_compute(max, &s, &err), 0);
    ck_assert_int_eq(s.hundredths, 1000);
    /* Large counts stay exact: 10^12 points over 8·10^11 votes is 1.25. */
    const int64_t many[RATING_COUNT] = {INT64_C(100000000000), 0, 0, INT64_C(700000000000)};
    ck_assert_int_eq(score_compute(many, &s, &err), 0);
    ck_assert_int_eq(s.hundredths, 125); /* 1.25 */
}
END_TEST

START_TEST(test_quotient)
{
    char buf[SCORE_TEXT_MAX];
    score_format_quotient(22, 3, 4, buf, sizeof buf);
    ck_assert_str_eq(buf, "7.3333…");
    score_format_quotient(146, 16, 4, buf, sizeof buf);
    ck_assert_str_eq(buf, "9.1250");
    score_format_quotient(146, 16, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "9.125");
    score_format_quotient(10, 1, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "10.00");
    score_format_quotient(0, 5, 3, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.000");
    score_format_quotient(2, 3, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "0…");
    score_format_quotient(1, 0, 2, buf, sizeof buf);
    ck_assert_str_eq(buf, "?");
    /* A small buffer is cut, never overrun. */
    char small[6];
    score_format_quotient(22, 3, 10, small, sizeof small);
    ck_assert_uint_lt(strlen(small), sizeof small);
    ck_assert_str_eq(small, "7.333");
}
END_TEST

/* The rounding agrees with a brute-force decimal check over many counts. */
START_TEST(test_exhaustive_small)
{
    for (int a = 0; a <= 12; a++)
        for (int b = 0; b <= 12; b++)
            for (int c = 0; c <= 12; c++)
                for (int d = 0; d <= 12; d++) {
                    int64_t v = a + b + c + d;
                    if (v == 0)
                        continue;
                    int64_t p = 10 * a + 8 * b + 6 * c;
                    /* thousandths, cut off; and whether anything is left over */
                    int64_t th = p * 1000 / v;
                    int64_t want = th / 10 + (th % 10 >= 5 ? 1 : 0);
                    const int64_t counts[RATING_COUNT] = {a, b, c, d};
                    score s;
                    ck_assert_int_eq(score_compute(counts, &s, NULL), 0);
                    ck_assert_msg(s.hundredths == want, "%d,%d,%d,%d: %lld, want %lld", a, b,
                                  c, d, (long long)s.hundredths, (long long)want);
                }
}
END_TEST

static Suite *score_suite(void)
{
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("score");
    tcase_add_test(tc, test_ratings_order);
    tcase_add_test(tc, test_formula);
    tcase_add_test(tc, test_rounding_thirds);
    tcase_add_test(tc, test_rounding_exact_half);
    tcase_add_test(tc, test_no_votes);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_quotient);
    tcase_add_test(tc, test_exhaustive_small);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(score_suite());
}

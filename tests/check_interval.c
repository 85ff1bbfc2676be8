/* check_interval.c - the 95 % interval of the 民主测评 score: its values for
 * a few counts (worked out independently to 1e-12), its behaviour at the
 * ceiling and with very few or very many votes, and its coverage measured
 * by simulation: votes drawn from several rating distributions, near the
 * ceiling among them, must land the true mean inside the interval at least
 * 95 % of the time (checked against 93 % to leave room for the simulation's
 * own noise at 2000 trials). */
#include "interval.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static score_interval interval_of(int64_t a, int64_t b, int64_t c, int64_t d)
{
    const int64_t counts[RATING_COUNT] = {a, b, c, d};
    score s;
    mp_err err = {{0}};
    ck_assert_msg(score_compute(counts, &s, &err) == 0, "score_compute: %s", err.msg);
    score_interval iv;
    interval_of_score(&s, &iv);
    return iv;
}

static const char *text_of(int64_t a, int64_t b, int64_t c, int64_t d)
{
    static char buf[INTERVAL_TEXT_MAX];
    score_interval iv = interval_of(a, b, c, d);
    interval_format(&iv, buf, sizeof buf);
    return buf;
}

START_TEST(test_values)
{
    /* Reference values: n·KL(m ‖ q) = ln 40 solved for q by bisection in
     * double precision outside this code (docs/statistics.md), then rounded
     * outwards to two decimals. */
    ck_assert_str_eq(text_of(1, 0, 0, 0), "0.25–10.00");  /* q = 1/40 exactly */
    ck_assert_str_eq(text_of(5, 0, 0, 0), "4.78–10.00");  /* 4.7818 */
    ck_assert_str_eq(text_of(30, 0, 0, 0), "8.84–10.00"); /* 8.8430 */
    ck_assert_str_eq(text_of(0, 0, 0, 1), "0.00–9.75");   /* 1 − 1/40 */
    ck_assert_str_eq(text_of(0, 1, 0, 0), "0.05–10.00");  /* 0.0533, 9.99999999 */
    ck_assert_str_eq(text_of(3, 2, 1, 4), "1.51–8.74");   /* 1.5113, 8.7303 */
    ck_assert_str_eq(text_of(20, 6, 3, 1), "6.74–9.83");  /* 6.7447, 9.8290 */
    ck_assert_str_eq(text_of(600, 250, 100, 50), "8.28–8.89"); /* 8.2846, 8.8801 */
    ck_assert_str_eq(text_of(0, 0, 0, 0), "");
}
END_TEST

START_TEST(test_bounds_one)
{
    score_interval iv = interval_of(20, 6, 3, 1);
    char lo[SCORE_TEXT_MAX], hi[SCORE_TEXT_MAX];
    interval_format_bound(&iv, 0, lo, sizeof lo);
    interval_format_bound(&iv, 1, hi, sizeof hi);
    ck_assert_str_eq(lo, "6.74");
    ck_assert_str_eq(hi, "9.83");
    ck_assert_int_eq(iv.votes, 30);
}
END_TEST

START_TEST(test_ceiling_never_zero_width)
{
    /* All votes 10: the score is 10.00 but the interval says how sure that
     * is, and narrows as votes pile up. */
    int64_t prev = -1;
    for (int64_t n = 1; n <= 1000; n *= 10) { /* 0.25, 6.91, 9.63, 9.96 */
        score_interval iv = interval_of(n, 0, 0, 0);
        ck_assert_int_eq(iv.hi_hundredths, 1000);
        ck_assert_msg(iv.lo_hundredths < 1000, "n = %lld: zero width", (long long)n);
        ck_assert_msg(iv.lo_hundredths > prev, "n = %lld: not narrower", (long long)n);
        prev = iv.lo_hundredths;
    }
}
END_TEST

START_TEST(test_small_n_sensible)
{
    /* n = 1..5: every possible count vector gives an interval that holds the
     * score, lies in [0, 10], and is wide (one or a few votes prove little). */
    for (int n = 1; n <= 5; n++)
        for (int a = 0; a <= n; a++)
            for (int b = 0; a + b <= n; b++)
                for (int c = 0; a + b + c <= n; c++) {
                    const int64_t counts[RATING_COUNT] = {a, b, c, n - a - b - c};
                    score s;
                    ck_assert_int_eq(score_compute(counts, &s, NULL), 0);
                    score_interval iv;
                    interval_of_score(&s, &iv);
                    ck_assert(0 <= iv.lo_hundredths);
                    ck_assert(iv.lo_hundredths <= s.hundredths);
                    ck_assert(s.hundredths <= iv.hi_hundredths);
                    ck_assert(iv.hi_hundredths <= 1000);
                    ck_assert_msg(iv.hi_hundredths - iv.lo_hundredths >= 400,
                                  "n = %d, %d/%d/%d: only %lld hundredths wide", n, a, b, c,
                                  (long long)(iv.hi_hundredths - iv.lo_hundredths));
                    ck_assert_int_eq(interval_few_votes(&s), 1);
                }
}
END_TEST

START_TEST(test_huge_counts)
{
    /* 4·10^9 votes: fast (constant time) and narrow around the score. */
    const int64_t g = INT64_C(1000000000);
    ck_assert_str_eq(text_of(g, g, g, g), "5.99–6.01");
    ck_assert_str_eq(text_of(g, 0, 0, 0), "9.99–10.00");
    score_interval iv = interval_of(g, 0, 0, 0);
    ck_assert_int_eq(iv.lo_hundredths, 999);
}
END_TEST

START_TEST(test_few_votes_mark)
{
    const int64_t none[RATING_COUNT] = {0, 0, 0, 0}, few[RATING_COUNT] = {20, 5, 3, 1},
                  enough[RATING_COUNT] = {20, 6, 3, 1};
    score s;
    ck_assert_int_eq(score_compute(none, &s, NULL), 0);
    ck_assert_int_eq(interval_few_votes(&s), 0); /* no score at all: nothing to warn of */
    ck_assert_int_eq(score_compute(few, &s, NULL), 0);
    ck_assert_int_eq(interval_few_votes(&s), 1); /* 29 */
    ck_assert_int_eq(score_compute(enough, &s, NULL), 0);
    ck_assert_int_eq(interval_few_votes(&s), 0); /* 30 */
}
END_TEST

/* ---- coverage ---- */

/* splitmix64: a fixed seed gives the same votes on every run. */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

typedef struct dist {
    const char *name;
    double p[RATING_COUNT]; /* probabilities of 10, 8, 6, 0 */
} dist;

static const dist DISTS[] = {
    {"near the ceiling", {0.95, 0.04, 0.01, 0.0}},
    {"ceiling, rare 不满意", {0.97, 0.0, 0.0, 0.03}},
    {"ceiling, rarer 不满意", {0.995, 0.0, 0.0, 0.005}},
    {"mostly satisfied", {0.6, 0.25, 0.1, 0.05}},
    {"spread", {0.4, 0.3, 0.2, 0.1}},
    {"split 10 / 0", {0.5, 0.0, 0.0, 0.5}},
    {"mostly dissatisfied", {0.1, 0.1, 0.2, 0.6}},
};

/* Share of `trials` simulated units of n votes from d whose interval holds
 * d's true mean. */
static double coverage(const dist *d, int n, int trials)
{
    double mean = 0.0;
    for (int i = 0; i < RATING_COUNT; i++)
        mean += d->p[i] * RATINGS[i].points;
    int64_t true_h = (int64_t)llround(mean * 100.0); /* every mean above is in hundredths */
    int hits = 0;
    for (int t = 0; t < trials; t++) {
        int64_t counts[RATING_COUNT] = {0, 0, 0, 0};
        for (int v = 0; v < n; v++) {
            double u = rng_unit(), acc = 0.0;
            int k = RATING_COUNT - 1;
            for (int i = 0; i < RATING_COUNT - 1; i++) {
                acc += d->p[i];
                if (u < acc) {
                    k = i;
                    break;
                }
            }
            counts[k]++;
        }
        score s;
        ck_assert_int_eq(score_compute(counts, &s, NULL), 0);
        score_interval iv;
        interval_of_score(&s, &iv);
        hits += iv.lo_hundredths <= true_h && true_h <= iv.hi_hundredths;
    }
    return (double)hits / trials;
}

START_TEST(test_coverage)
{
    static const int NS[] = {5, 30, 200};
    enum { TRIALS = 2000 };
    rng_state = UINT64_C(20110101);
    for (size_t d = 0; d < sizeof DISTS / sizeof DISTS[0]; d++)
        for (size_t k = 0; k < sizeof NS / sizeof NS[0]; k++) {
            double c = coverage(&DISTS[d], NS[k], TRIALS);
            printf("coverage %-24s n = %3d: %.4f\n", DISTS[d].name, NS[k], c);
            ck_assert_msg(c >= 0.93, "%s, n = %d: coverage %.4f below 0.93", DISTS[d].name,
                          NS[k], c);
        }
}
END_TEST

static Suite *interval_suite(void)
{
    Suite *s = suite_create("interval");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_values);
    tcase_add_test(tc, test_bounds_one);
    tcase_add_test(tc, test_ceiling_never_zero_width);
    tcase_add_test(tc, test_small_n_sensible);
    tcase_add_test(tc, test_huge_counts);
    tcase_add_test(tc, test_few_votes_mark);
    tcase_add_test(tc, test_coverage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(interval_suite());
}

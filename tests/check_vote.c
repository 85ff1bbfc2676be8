/* check_vote.c - the burst (ballot-stuffing) rule: the (limit+1)-th vote
 * within any window of window_s seconds is flagged. */
#include "testutil.h"
#include "vote.h"

#include <check.h>
#include <stdlib.h>

/* Checks the vote at t, records it, and returns whether it was flagged. */
static int cast(vote_burst *b, int64_t t)
{
    int flagged = vote_burst_check(b, t);
    vote_burst_record(b, t);
    return flagged;
}

START_TEST(test_create_arguments)
{
    ck_assert_ptr_null(vote_burst_create(0, 60));
    ck_assert_ptr_null(vote_burst_create(-1, 60));
    ck_assert_ptr_null(vote_burst_create(5, 0));
    vote_burst *b = vote_burst_create(1, 1);
    ck_assert_ptr_nonnull(b);
    vote_burst_destroy(b);
    vote_burst_destroy(NULL);
}
END_TEST

START_TEST(test_sixth_within_window_flagged)
{
    vote_burst *b = vote_burst_create(5, 60);
    ck_assert_ptr_nonnull(b);
    int64_t t0 = 1000000; /* any monotonic origin */
    for (int i = 0; i < 5; i++)
        ck_assert_msg(!cast(b, t0 + i * 1000), "vote %d flagged", i + 1);
    ck_assert(cast(b, t0 + 5000));  /* 6th within a minute */
    ck_assert(cast(b, t0 + 10000)); /* and the 7th */
    vote_burst_destroy(b);
}
END_TEST

START_TEST(test_check_does_not_record)
{
    vote_burst *b = vote_burst_create(2, 60);
    for (int i = 0; i < 10; i++)
        ck_assert(!vote_burst_check(b, 1000 + i));
    vote_burst_record(b, 1000);
    ck_assert(!vote_burst_check(b, 1001));
    vote_burst_record(b, 1001);
    ck_assert(vote_burst_check(b, 1002));
    ck_assert(vote_burst_check(b, 1002)); /* asking twice changes nothing */
    vote_burst_destroy(b);
}
END_TEST

START_TEST(test_after_window_not_flagged)
{
    vote_burst *b = vote_burst_create(5, 60);
    for (int i = 0; i < 5; i++)
        ck_assert(!cast(b, i * 1000));
    ck_assert(cast(b, 5000)); /* recorded too: flagged votes are stored */
    /* The last five votes are at 1 s .. 5 s; the window ends 60 s after
     * the oldest of them. */
    ck_assert(vote_burst_check(b, 60999));
    ck_assert(!vote_burst_check(b, 61000));
    ck_assert(!cast(b, 120000));
    /* A fresh run of five is fine again, the sixth is not. */
    for (int i = 1; i < 5; i++)
        ck_assert(!cast(b, 120000 + i * 1000));
    ck_assert(cast(b, 125000));
    vote_burst_destroy(b);
}
END_TEST

START_TEST(test_window_edge)
{
    vote_burst *b = vote_burst_create(5, 60);
    for (int i = 0; i < 5; i++)
        cast(b, 0);
    ck_assert(vote_burst_check(b, 59999));
    ck_assert(!vote_burst_check(b, 60000));
    vote_burst_destroy(b);
}
END_TEST

START_TEST(test_sliding_window)
{
    /* Votes spread out: never 6 within 60 s, though 6 within 61 s. */
    vote_burst *b = vote_burst_create(5, 60);
    for (int i = 0; i < 30; i++)
        ck_assert_msg(!cast(b, (int64_t)i * 12200), "vote %d flagged", i + 1);
    vote_burst_destroy(b);

    /* Calm voting, then a burst.  Each comment names the five votes before
     * the one cast, and how long ago the oldest of them was. */
    b = vote_burst_create(5, 60);
    ck_assert(!cast(b, 0));
    ck_assert(!cast(b, 100000));
    ck_assert(!cast(b, 100500));
    ck_assert(!cast(b, 101000));
    ck_assert(!cast(b, 101500)); /* only four before it */
    ck_assert(!cast(b, 102000)); /* 0 .. 101.5: 102 s ago */
    ck_assert(cast(b, 102500));  /* 100.0 .. 102.0: 2.5 s ago */
    ck_assert(cast(b, 160000));  /* 100.5 .. 102.5: 59.5 s ago */
    ck_assert(!cast(b, 161000)); /* 101.0 .. 160.0: 60 s ago, out of the window */
    ck_assert(cast(b, 161400));  /* 101.5 .. 161.0: 59.9 s ago */
    vote_burst_destroy(b);
}
END_TEST

START_TEST(test_limit_one)
{
    vote_burst *b = vote_burst_create(1, 10);
    ck_assert(!cast(b, 0));
    ck_assert(cast(b, 9999));   /* second within 10 s of the first */
    ck_assert(cast(b, 19998));  /* within 10 s of the previous (flagged) one */
    ck_assert(!cast(b, 29998)); /* exactly 10 s later */
    ck_assert(!cast(b, 50000));
    vote_burst_destroy(b);
}
END_TEST

static Suite *vote_suite(void)
{
    Suite *s = suite_create("vote");
    TCase *tc = tcase_create("burst");
    tcase_add_test(tc, test_create_arguments);
    tcase_add_test(tc, test_sixth_within_window_flagged);
    tcase_add_test(tc, test_check_does_not_record);
    tcase_add_test(tc, test_after_window_not_flagged);
    tcase_add_test(tc, test_window_edge);
    tcase_add_test(tc, test_sliding_window);
    tcase_add_test(tc, test_limit_one);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(vote_suite());
}

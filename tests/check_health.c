/* check_health.c - the kiosk's health figures (app/core/health): votes
 * today / this month / in total by the kiosk's local date, per unit and
 * together; the last export and the votes since; the clock before the
 * database or behind the latest vote; free space and the days it lasts;
 * the health: log line. */
#include "config.h"
#include "health.h"
#include "store.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH "$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4"

static store *s;
static kiosk_config *cfg;
static char *dir;

/* 2026-12-15 12:00 in UTC+8 (04:00 UTC), as UTC seconds. */
#define NOW (1797300000LL + 2 * 3600)
#define OFF 28800

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    char text[1024];
    snprintf(text, sizeof text,
             "[kiosk]\nid = k1\nsurvey_url = https://s.example/q?k={kiosk}&u={unit}\n"
             "pin_hash = %s\n[units]\nA01 = 甲单位\nB02 = 乙单位\n", HASH);
    mp_err err;
    ck_assert_msg(config_parse(text, strlen(text), "t.ini", dir, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_msg(store_open(cfg->db_path, &s, &err) == 0, "%s", err.msg);
}

static void teardown(void)
{
    store_close(s);
    config_free(cfg);
    free(dir);
}

static void vote(const char *code, int64_t utc)
{
    mp_err err;
    ck_assert_msg(store_add_vote(s, code, "x", 8, 0, utc, OFF, NULL, &err) == 0, "%s", err.msg);
}

static health read_now(int64_t now)
{
    health h;
    mp_err err;
    ck_assert_msg(health_read(s, cfg, now, OFF, &h, &err) == 0, "%s", err.msg);
    return h;
}

START_TEST(today_month_total_by_local_date)
{
    int64_t local_midnight = NOW - 12 * 3600; /* 2026-12-15 00:00 +08 */
    vote("A01", NOW - 60);                    /* today */
    vote("A01", local_midnight);              /* today, its first second */
    vote("A01", local_midnight - 1);          /* yesterday (still this month) */
    vote("B02", local_midnight - 14 * 86400); /* 1 December: this month */
    vote("B02", local_midnight - 14 * 86400 - 1); /* 30 November */
    health h = read_now(NOW);
    ck_assert_int_eq(h.today, 2);
    ck_assert_int_eq(h.month, 4);
    ck_assert_int_eq(h.total, 5);
    ck_assert_uint_eq(h.n_units, 2);
    ck_assert_int_eq(h.units[0][0], 2);
    ck_assert_int_eq(h.units[0][1], 3);
    ck_assert_int_eq(h.units[0][2], 3);
    ck_assert_int_eq(h.units[1][0], 0);
    ck_assert_int_eq(h.units[1][1], 1);
    ck_assert_int_eq(h.units[1][2], 2);
    ck_assert_int_eq(h.clock, HEALTH_CLOCK_OK);
    health_free(&h);
}
END_TEST

START_TEST(last_export_and_votes_since)
{
    vote("A01", NOW - 100);
    vote("A01", NOW - 90);
    health h = read_now(NOW);
    ck_assert_int_eq(h.last_export_utc, 0);
    ck_assert_int_eq(h.since_export, 2);
    health_free(&h);
    int64_t seq;
    mp_err err;
    ck_assert(store_max_seq(s, &seq, &err) == 0);
    ck_assert_int_eq(seq, 2);
    ck_assert(store_note_export(s, NOW - 50, seq, &err) == 0);
    vote("B02", NOW - 10);
    h = read_now(NOW);
    ck_assert_int_eq(h.last_export_utc, NOW - 50);
    ck_assert_int_eq(h.since_export, 1);
    health_free(&h);
}
END_TEST

START_TEST(clock_behind_the_latest_vote_or_the_database)
{
    vote("A01", NOW);
    health h = read_now(NOW - 3600); /* the clock jumped an hour back */
    ck_assert_int_eq(h.clock, HEALTH_CLOCK_BACKWARDS);
    ck_assert_int_eq(h.clock_ref_utc, NOW);
    health_free(&h);
    teardown();
    setup(); /* a fresh database, no votes, made now (the real clock) */
    h = read_now(1000000000); /* 2001: before the database was made */
    ck_assert_int_eq(h.clock, HEALTH_CLOCK_BEFORE_DB);
    health_free(&h);
}
END_TEST

START_TEST(free_space_and_days_left)
{
    health h = read_now(NOW);
    ck_assert_int_ge(h.free_bytes, 0);
    ck_assert_int_eq(h.days_left, -1); /* no votes: it never fills */
    health_free(&h);
    for (int i = 0; i < 30; i++)
        vote("A01", NOW - i * 3600);
    h = read_now(NOW);
    ck_assert_int_eq(h.recent_votes, 30);
    ck_assert_int_gt(h.db_bytes, 0);
    /* 30 votes in 30 days: one a day, each db_bytes / 30. */
    int64_t per_vote = h.db_bytes / 30 < 64 ? 64 : h.db_bytes / 30;
    int64_t want = h.free_bytes / per_vote;
    ck_assert_msg(h.days_left >= want - 1 && h.days_left <= want + 1, "%lld days, want %lld",
                  (long long)h.days_left, (long long)want);
    char line[2048];
    health_log_line(&h, cfg, "9.9", line, sizeof line);
    ck_assert_msg(strncmp(line, "health: version 9.9; database ", 30) == 0, "%s", line);
    ck_assert_msg(strstr(line, "never exported, 30 votes") && strstr(line, "clock ok") &&
                      strstr(line, "votes today/month/total ") && strstr(line, "; A01 ") &&
                      strstr(line, "; B02 0/0/0"),
                  "%s", line);
    health_free(&h);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("health");
    TCase *tc = tcase_create("health");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, today_month_total_by_local_date);
    tcase_add_test(tc, last_export_and_votes_since);
    tcase_add_test(tc, clock_behind_the_latest_vote_or_the_database);
    tcase_add_test(tc, free_space_and_days_left);
    suite_add_tcase(su, tc);
    return tu_run_suite(su);
}

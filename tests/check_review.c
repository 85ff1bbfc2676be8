/* check_review.c - the review of votes: exclude and restore round trip with
 * their audit records, the report's counts and assess's 五 before and after,
 * a vote imported under an earlier exclusion, --flagged bursts, and every
 * refusal (unknown kiosk, instance, empty range, nothing to change) leaving
 * the database as it was; `minping-office votes` and `report` end to end. */
#include "assess_votes.h"
#include "ledger.h"
#include "registry.h"
#include "review.h"
#include "tally.h"
#include "testutil.h"

#include <check.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INST_A "0123456789abcdef0123456789abcdef"
#define INST_B "0123456789abcdef0123456789abcde0"
/* 2026-03-02 00:00:00 UTC. */
#define T0 INT64_C(1772409600)
#define DAY 86400

static char *dir, *db_path;
static registry *reg;
static sqlite3 *db;
static int sha_next;

static void exec_ok(const char *sql)
{
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    db_path = tu_path(dir, "office.db");
    mp_err err = {{0}};
    ck_assert_msg(registry_open(db_path, &reg, &err) == 0, "registry_open: %s", err.msg);
    db = registry_sqlite(reg);
    exec_ok("INSERT INTO units(code, name) VALUES ('GA01', '县公安局'), ('MZ01', '县民政局');"
            "INSERT INTO kiosks(id, survey_url, provisioned_utc) VALUES"
            " ('room-01', 'https://s.example/', 1767225600),"
            " ('room-02', 'https://s.example/', 1767225600);");
}

static void teardown(void)
{
    if (reg)
        registry_close(reg);
    reg = NULL;
    free(db_path);
    free(dir);
}

/* Vote seq of instance inst: GA01 for odd seqs, MZ01 for even; points by
 * seq % 4 (10 8 6 0); flagged when seq % 5 == 0; one an hour from T0. */
static export_row vote_of(const char *inst, int64_t seq, char uuid[37])
{
    static const int P[4] = {10, 8, 6, 0};
    snprintf(uuid, 37, "00000000-0000-4000-8000-%012" PRId64, seq);
    return (export_row){"room-01", inst, seq, uuid, T0 + seq * 3600, 28800,
                        seq % 2 ? "GA01" : "MZ01", "某单位", P[seq % 4], "kiosk",
                        seq % 5 == 0};
}

static void import_seqs(const char *inst, int64_t first, int64_t last)
{
    char sha[65];
    snprintf(sha, sizeof sha, "%064d", ++sha_next);
    ledger_tx *tx = NULL;
    mp_err err = {{0}};
    ck_assert_msg(ledger_tx_begin(db, "f.csv", sha, T0 + 60 * DAY, &tx, &err) == 0, "%s",
                  err.msg);
    for (int64_t s = first; s <= last; s++) {
        char uuid[37];
        export_row r = vote_of(inst, s, uuid);
        ck_assert_msg(ledger_tx_add(tx, &r, &err) == 0, "%s", err.msg);
    }
    export_meta m;
    memset(&m, 0, sizeof m);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "room-01");
    snprintf(m.instance, sizeof m.instance, "%s", inst);
    m.exported_utc = T0 + 59 * DAY;
    m.rows = last - first + 1;
    m.first_seq = first;
    m.last_seq = last;
    snprintf(m.key_id, sizeof m.key_id, "0011223344556677");
    ck_assert_msg(ledger_tx_commit(tx, &m, NULL, &err) == 0, "%s", err.msg);
}

typedef struct unit_sum {
    int64_t counted, flagged, excluded;
} unit_sum;

static int sum_unit(void *user, const ledger_unit_counts *u)
{
    unit_sum *s = &((unit_sum *)user)[strcmp(u->code, "GA01") == 0 ? 0 : 1];
    for (int i = 0; i < RATING_COUNT; i++) {
        s->counted += u->counts[i];
        s->flagged += u->flagged[i];
        s->excluded += u->excluded[i] + u->excluded_flagged[i];
    }
    return 0;
}

static void sums(unit_sum out[2])
{
    memset(out, 0, 2 * sizeof *out);
    mp_err err = {{0}};
    ck_assert_msg(ledger_each_unit_counts(db, NULL, NULL, sum_unit, out, &err) == 0, "%s",
                  err.msg);
}

static int64_t rows_of(const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return tu_sql_int(db, sql);
}

START_TEST(test_round_trip)
{
    import_seqs(INST_A, 1, 40);
    unit_sum s[2];
    sums(s);
    /* GA01: 20 odd seqs, 4 of them flagged (5 15 25 35). */
    ck_assert_int_eq(s[0].counted, 16);
    ck_assert_int_eq(s[0].flagged, 4);
    ck_assert_int_eq(s[0].excluded, 0);

    mp_err err = {{0}};
    review_result res;
    review_selector sel = {"room-01", NULL, 11, 20, 0};
    ck_assert_msg(review_add(db, &sel, 1, "同一人连续投票，经核实", "王科长", T0 + 61 * DAY, &res,
                             &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(res.votes, 10);
    ck_assert_int_eq(res.changed, 10);
    ck_assert_str_eq(res.instance, INST_A);
    sums(s);
    /* GA01 11 13 15 17 19 (15 flagged): 4 counted and 1 flagged move. */
    ck_assert_int_eq(s[0].counted, 12);
    ck_assert_int_eq(s[0].flagged, 3);
    ck_assert_int_eq(s[0].excluded, 5);
    ck_assert_int_eq(s[1].excluded, 5);

    /* Overlapping: only 21 and 22 change. */
    sel = (review_selector){"room-01", "01234567", 19, 22, 0};
    ck_assert_msg(review_add(db, &sel, 1, "续", "王科长", T0 + 61 * DAY, &res, &err) == 0, "%s",
                  err.msg);
    ck_assert_int_eq(res.votes, 4);
    ck_assert_int_eq(res.changed, 2);
    sums(s);
    ck_assert_int_eq(s[0].excluded + s[1].excluded, 12);

    /* Restore 15-16: counted again. */
    sel = (review_selector){"room-01", NULL, 15, 16, 0};
    ck_assert_msg(review_add(db, &sel, 0, "复核后恢复", "李主任", T0 + 62 * DAY, &res, &err) == 0,
                  "%s", err.msg);
    ck_assert_int_eq(res.changed, 2);
    sums(s);
    ck_assert_int_eq(s[0].excluded + s[1].excluded, 10);
    ck_assert_int_eq(s[0].flagged, 4); /* 15 is flagged: back among the flagged */

    /* The audit trail: three records, who, when, why, the selector, counts. */
    ck_assert_int_eq(rows_of("vote_exclusions"), 3);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM vote_exclusions WHERE id = 3 AND"
                                    " action = 'restore' AND by_name = '李主任' AND reason ="
                                    " '复核后恢复' AND seq_from = 15 AND seq_to = 16 AND votes = 2"
                                    " AND changed = 2 AND instance = '" INST_A "'"),
                     1);
    ck_assert_int_eq(rows_of("vote_excluded"), 10);
    /* Records and votes are never changed or deleted. */
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE vote_exclusions SET reason = 'x'", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM vote_exclusions", NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(rows_of("votes"), 40);

    /* Per unit, which record excluded how many. */
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM vote_excluded WHERE exclusion_id = 2"),
                     2);
}
END_TEST

START_TEST(test_flagged_burst_and_later_votes)
{
    import_seqs(INST_A, 1, 20);
    mp_err err = {{0}};
    review_result res;
    /* Every flagged vote of the instance, and those still to come. */
    review_selector sel = {"room-01", NULL, 1, REVIEW_SEQ_ALL, 1};
    ck_assert_msg(review_add(db, &sel, 1, "疑似刷票整批排除", "王科长", T0, &res, &err) == 0, "%s",
                  err.msg);
    ck_assert_int_eq(res.votes, 4); /* 5 10 15 20 */
    ck_assert_int_eq(res.changed, 4);
    unit_sum s[2];
    sums(s);
    ck_assert_int_eq(s[0].flagged + s[1].flagged, 0);
    ck_assert_int_eq(s[0].excluded + s[1].excluded, 4);
    /* A cumulative export brings 21-30: 25 and 30 are flagged, excluded on arrival. */
    import_seqs(INST_A, 1, 30);
    sums(s);
    ck_assert_int_eq(s[0].excluded + s[1].excluded, 6);
    ck_assert_int_eq(s[0].flagged + s[1].flagged, 0);
    ck_assert_int_eq(s[0].counted + s[1].counted, 24);
    ck_assert_int_eq(tu_sql_int(db, "SELECT count(*) FROM vote_excluded WHERE seq IN (25, 30)"
                                    " AND exclusion_id = 1"),
                     2);
}
END_TEST

START_TEST(test_refusals_change_nothing)
{
    import_seqs(INST_A, 1, 10);
    mp_err err = {{0}};
    review_selector sel = {"room-09", NULL, 1, 5, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "room-09") && strstr(err.msg, "not provisioned"), "%s", err.msg);
    sel = (review_selector){"room-02", NULL, 1, 5, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "no votes"), "%s", err.msg);
    sel = (review_selector){"room-01", "ffff", 1, 5, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "ffff"), "%s", err.msg);
    sel = (review_selector){"room-01", "XYZ", 1, 5, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    sel = (review_selector){"room-01", NULL, 11, 20, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "no vote numbered 11-20"), "%s", err.msg);
    sel = (review_selector){"room-01", NULL, 6, 3, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    sel = (review_selector){"room-01", NULL, 1, 4, 1}; /* no flagged vote in 1-4 */
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "flagged"), "%s", err.msg);
    sel = (review_selector){"room-01", NULL, 1, 5, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "", "y", T0, NULL, &err), -1);
    ck_assert_int_eq(review_add(db, &sel, 0, "x", "y", T0, NULL, &err), -1); /* nothing to restore */
    ck_assert_msg(strstr(err.msg, "nothing to restore"), "%s", err.msg);
    ck_assert_int_eq(rows_of("vote_exclusions"), 0);
    ck_assert_int_eq(rows_of("vote_excluded"), 0);
    /* Done once, then again: the second changes nothing and is refused. */
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), 0);
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "excluded already"), "%s", err.msg);
    ck_assert_int_eq(rows_of("vote_exclusions"), 1);
    /* Two instances: the kiosk alone is ambiguous. */
    import_seqs(INST_B, 1, 3);
    sel = (review_selector){"room-01", NULL, 1, 3, 0};
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    ck_assert_msg(strstr(err.msg, "--instance"), "%s", err.msg);
    sel.instance = "0123456789abcdef";
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), -1);
    sel.instance = INST_B;
    ck_assert_int_eq(review_add(db, &sel, 1, "x", "y", T0, NULL, &err), 0);
    ck_assert_int_eq(rows_of("vote_exclusions"), 2);
}
END_TEST

START_TEST(test_assess_five_changes)
{
    import_seqs(INST_A, 1, 40);
    rubric_settings rs;
    memset(&rs, 0, sizeof rs);
    rs.all_channels = 1;
    assess_votes before, after;
    mp_err err = {{0}};
    ck_assert_msg(assess_votes_unit(db, "GA01", 2026, &rs, &before, &err) == 0, "%s", err.msg);
    /* GA01's odd seqs: 8 points (seq % 4 == 1) or 0 (seq % 4 == 3), 4 flagged. */
    ck_assert_int_eq(before.s.votes, 16);
    /* Exclude GA01's 不满意 votes (seq % 4 == 3): 3 7 11 19 23 27 31 39 (15, 35 flagged). */
    for (int64_t s = 3; s <= 39; s += 4) {
        review_selector sel = {"room-01", NULL, s, s, 0};
        ck_assert_msg(review_add(db, &sel, 1, "申诉成立", "王科长", T0, NULL, &err) == 0, "%s",
                      err.msg);
    }
    ck_assert_msg(assess_votes_unit(db, "GA01", 2026, &rs, &after, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(after.s.votes, 8);
    ck_assert_int_eq(after.counts[3], 0);
    ck_assert_int_eq(after.excluded_left_out, 10);
    ck_assert_int_gt(after.s.hundredths, before.s.hundredths);
    ck_assert_int_eq(after.s.hundredths, 800); /* 8 votes of 8 points */
}
END_TEST

static tu_result run(const char *a1, const char *a2, const char *a3, const char *a4,
                     const char *a5, const char *a6, const char *a7, const char *a8,
                     const char *a9)
{
    char *argv[16] = {MINPING_OFFICE_BIN, "--db", db_path};
    const char *rest[] = {a1, a2, a3, a4, a5, a6, a7, a8, a9};
    int n = 3;
    for (size_t i = 0; i < 9 && rest[i]; i++)
        argv[n++] = (char *)rest[i];
    argv[n] = NULL;
    tu_result r;
    tu_run(dir, argv, NULL, &r);
    return r;
}

START_TEST(test_command_line)
{
    import_seqs(INST_A, 1, 40);
    registry_close(reg);
    reg = NULL;
    setenv("LANG", "C", 1);
    setenv("LANGUAGE", "C", 1);
    tu_result r = run("report", "--format", "csv", NULL, NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, ",网上票数,已排除,95%区间下限,"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "GA01,县公安局,0,8,0,8,16,4,4.00,16,0,0,"), "%s", r.out);
    tu_result_free(&r);

    r = run("votes", "exclude", "--kiosk", "room-01", "--seq", "1-8", "--reason", "申诉成立",
            "--by=王科长");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "excluded 8 votes of kiosk room-01"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "record #1"), "%s", r.out);
    tu_result_free(&r);
    /* GA01 loses 1 3 5 7 (5 flagged): 3 counted, 1 flagged; 已排除 4. */
    r = run("report", "--format", "csv", NULL, NULL, NULL, NULL, NULL, NULL);
    ck_assert_msg(strstr(r.out, "GA01,县公安局,0,7,0,6,13,3,4.31,13,0,4,"), "%s", r.out);
    tu_result_free(&r);
    r = run("report", "--format", "html", NULL, NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "id=\"x-1\"") && strstr(r.out, "申诉成立") &&
                      strstr(r.out, "href=\"#x-1\"") && strstr(r.out, "王科长"),
                  "the HTML names and links the record");
    ck_assert_msg(strstr(r.out, "月度得分") && strstr(r.out, "不满意票的时间分布"),
                  "the HTML has the trends");
    tu_result_free(&r);

    /* Refusals: exit 1, one line, nothing recorded. */
    r = run("votes", "exclude", "--kiosk", "room-09", "--seq", "1-8", "--reason", "x", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "room-09"), "%s", r.err);
    tu_result_free(&r);
    r = run("votes", "exclude", "--kiosk", "room-01", "--seq", "100-200", "--reason", "x", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no vote numbered 100-200"), "%s", r.err);
    tu_result_free(&r);
    r = run("votes", "exclude", "--kiosk", "room-01", "--seq", "8-1", "--reason", "x", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "8-1"), "%s", r.err);
    tu_result_free(&r);
    r = run("votes", "exclude", "--kiosk", "room-01", "--seq", "1-8", NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--reason"), "%s", r.err);
    tu_result_free(&r);

    r = run("votes", "restore", "--kiosk", "room-01", "--seq", "5", "--reason", "复核后恢复",
            "--by=李主任");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = run("votes", "log", NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "#1 ") && strstr(r.out, "exclude") && strstr(r.out, "申诉成立") &&
                      strstr(r.out, "#2 ") && strstr(r.out, "restore") &&
                      strstr(r.out, "复核后恢复") && strstr(r.out, "李主任"),
                  "%s", r.out);
    tu_result_free(&r);
    sqlite3 *raw;
    ck_assert_int_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
    ck_assert_int_eq(tu_sql_int(raw, "SELECT count(*) FROM vote_exclusions"), 2);
    sqlite3_close(raw);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("review");
    TCase *tc = tcase_create("review");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_flagged_burst_and_later_votes);
    tcase_add_test(tc, test_refusals_change_nothing);
    tcase_add_test(tc, test_assess_five_changes);
    tcase_add_test(tc, test_command_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}

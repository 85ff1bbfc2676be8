/* check_powerloss.c - the power goes in the middle of a commit, below
 * SQLite: the fault VFS (tests/faultvfs.c) models a disk that keeps only
 * what was synced plus a random part of what was written since, each write
 * kept, lost or torn at a sector.  Votes are stored with store_add_vote
 * while a second connection checkpoints now and then; at a random write,
 * sync or truncate the power goes; the files are rewritten as the disk
 * would hold them; then the database must open without being seen as
 * damaged, pass PRAGMA integrity_check, hold every vote store_add_vote
 * acknowledged (same seq, same uuid), and have seq numbers 1..N without a
 * gap.  Every 50 cuts a new database is started, so creating one is cut
 * too.  Prints the figures. */
#include "faultvfs.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CUTS = 1000, NEW_DB_EVERY = 50 };

typedef struct acked {
    int64_t seq;
    char uuid[37];
} acked;

static acked *acks;
static size_t n_acks, cap_acks;
static long total_acked, total_pending, total_unacked_kept;

static void ack(const store_vote *v)
{
    if (n_acks == cap_acks) {
        cap_acks = cap_acks ? cap_acks * 2 : 1024;
        acks = realloc(acks, cap_acks * sizeof *acks);
        ck_assert_ptr_nonnull(acks);
    }
    acks[n_acks].seq = v->seq;
    memcpy(acks[n_acks].uuid, v->uuid, sizeof acks[n_acks].uuid);
    n_acks++;
    total_acked++;
}

/* After the power came back: everything the kiosk was told is there. */
static void verify(const char *path, int cut)
{
    store *s = NULL;
    int damaged = 0;
    mp_err err;
    ck_assert_msg(store_open_checked(path, &s, &damaged, &err) == 0,
                  "cut %d: the database does not open after power loss (damaged=%d): %s", cut,
                  damaged, err.msg);
    store_close(s);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_msg(strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0,
                  "cut %d: integrity_check: %s", cut, sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    int64_t count = tu_sql_int(db, "SELECT count(*) FROM votes");
    int64_t max = tu_sql_int(db, "SELECT coalesce(max(seq), 0) FROM votes");
    int64_t min = tu_sql_int(db, "SELECT coalesce(min(seq), 1) FROM votes");
    ck_assert_msg(count == max && min == 1, "cut %d: seq has gaps: %lld votes, seq %lld..%lld",
                  cut, (long long)count, (long long)min, (long long)max);
    ck_assert_msg(count >= (int64_t)n_acks, "cut %d: acknowledged votes lost: %lld stored, %zu acknowledged", cut, (long long)count, n_acks);
    total_unacked_kept += count - (int64_t)n_acks;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT uuid FROM votes WHERE seq = ?1", -1, &st,
                                        NULL), SQLITE_OK);
    for (size_t i = 0; i < n_acks; i++) {
        sqlite3_bind_int64(st, 1, acks[i].seq);
        int rc = sqlite3_step(st);
        ck_assert_msg(rc == SQLITE_ROW, "cut %d: acknowledged vote seq %lld lost", cut,
                      (long long)acks[i].seq);
        ck_assert_msg(strcmp((const char *)sqlite3_column_text(st, 0), acks[i].uuid) == 0,
                      "cut %d: acknowledged vote seq %lld has another uuid", cut,
                      (long long)acks[i].seq);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* The votes stored but not acknowledged (the power went between the
     * commit reaching the disk and the kiosk hearing of it) count now. */
    n_acks = 0;
    s = NULL;
    ck_assert_int_eq(store_open(path, &s, &err), 0);
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT seq, uuid FROM votes", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        store_vote v = {.seq = sqlite3_column_int64(st, 0)};
        snprintf(v.uuid, sizeof v.uuid, "%s", (const char *)sqlite3_column_text(st, 1));
        ack(&v);
        total_acked--; /* counted once, when acknowledged */
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_close(s);
}

START_TEST(power_cut_in_the_middle_of_commits)
{
    ck_assert_int_eq(faultvfs_install(), 0);
    unsigned seed = 20261127;
    char *dir = NULL, *path = NULL;
    long votes_tried = 0, cuts_in_commit = 0;
    for (int cut = 0; cut < CUTS; cut++) {
        if (cut % NEW_DB_EVERY == 0) {
            if (dir)
                tu_rm_rf(dir);
            free(dir);
            free(path);
            dir = tu_mkdtemp_in(tu_root);
            path = tu_path(dir, "kiosk.db");
            n_acks = 0;
        }
        faultvfs_power_track(1);
        faultvfs_power_cut_after(1 + (long)(rand_r(&seed) % 160));
        store *s = NULL;
        mp_err err;
        if (store_open(path, &s, &err) == 0) {
            sqlite3 *ck = NULL;
            int ck_ok = sqlite3_open_v2(path, &ck, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK;
            for (int k = 0; k < 400 && !faultvfs_power_is_off(); k++) {
                unsigned r = rand_r(&seed);
                if (ck_ok && r % 17 == 0)
                    sqlite3_exec(ck, r % 2 ? "PRAGMA wal_checkpoint(TRUNCATE)"
                                           : "PRAGMA wal_checkpoint(PASSIVE)",
                                 NULL, NULL, NULL);
                store_vote v;
                votes_tried++;
                static const int points[4] = {10, 8, 6, 0};
                if (store_add_vote(s, r % 3 ? "GA01" : "RS01", "县公安局", points[r % 4], 0,
                                   1764200000 + k, 28800, &v, &err) == 0) {
                    ack(&v);
                } else {
                    ck_assert_msg(faultvfs_power_is_off(), "vote failed with the power on: %s",
                                  err.msg);
                    cuts_in_commit++;
                }
            }
            sqlite3_close(ck);
            store_close(s);
        }
        long pending = faultvfs_power_restore(rand_r(&seed));
        ck_assert_int_ge(pending, 0);
        total_pending += pending;
        faultvfs_power_track(0);
        verify(path, cut);
    }
    printf("power loss: %d cuts (%ld during a vote's commit), %ld votes tried, %ld acknowledged, "
           "0 lost; %ld unsynced writes dropped, kept or torn at random; %ld stored votes the "
           "kiosk had not yet acknowledged survived; integrity_check ok after every cut\n",
           CUTS, cuts_in_commit, votes_tried, total_acked, total_pending, total_unacked_kept);
    tu_rm_rf(dir);
    free(dir);
    free(path);
    free(acks);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("powerloss");
    TCase *tc = tcase_create("powerloss");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, power_cut_in_the_middle_of_commits);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

/* check_diskfull.c - a full disk and failing writes under the kiosk.
 *
 * Runs in its own user and mount namespace (unshare -rm) so that the kiosk's
 * database can live on a 256 KiB tmpfs that really fills up.  Votes are cast
 * through the pointer path until a commit fails; then: no thank-you for that
 * vote, the out-of-service screen, every earlier vote there, the database
 * sound, the screen staying out of service while the disk stays full, and
 * voting back (seq numbers going on without a gap) once space returns.  The
 * same with writes made to fail by the fault VFS (an I/O error). */
#include "faultvfs.h"
#include "harness.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir, *disk;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    disk = tu_path(dir, "disk");
    ck_assert_int_eq(mkdir(disk, 0755), 0);
    kh_mount_tmpfs(disk, "size=256k");
    kh_setup(dir);
    snprintf(kh_db, sizeof kh_db, "%s/kiosk.db", disk);
}

static void teardown(void)
{
    kh_teardown();
    umount2(disk, MNT_DETACH);
    free(disk);
    free(dir);
}

/* Writes path until the disk is full (or max bytes). */
static void fill(const char *path, size_t max)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    char block[4096];
    memset(block, 'x', sizeof block);
    size_t done = 0;
    while (done < max) {
        ssize_t n = write(fd, block, sizeof block);
        if (n < 0) {
            ck_assert_int_eq(errno, ENOSPC);
            break;
        }
        done += (size_t)n;
    }
    close(fd);
}

static const char *RATE[4] = {"rate.10", "rate.8", "rate.6", "rate.0"};

/* Votes until one is not stored; returns the number acknowledged.  base:
 * the votes stored before. */
static int vote_until_refused(int base, int limit)
{
    int acked = 0;
    for (int i = 0; i < limit; i++) {
        ck_assert_str_eq(kh_screen(), "rating");
        kh_tap(RATE[i % 4]);
        if (strcmp(kh_screen(), "error") == 0)
            return acked;
        ck_assert_str_eq(kh_screen(), "thanks");
        acked++;
        /* Thanked: it is in the database. */
        ck_assert_int_eq(kh_count(kh_db, "1"), base + acked);
        kh_tap("thanks.done");
    }
    ck_abort_msg("the disk never filled up after %d votes", limit);
    return acked;
}

START_TEST(full_disk_then_space_returns)
{
    char extra[600];
    snprintf(extra, sizeof extra, "db = %s/kiosk.db", disk);
    char *filler1 = tu_path(disk, "filler-1");
    fill(filler1, 64 * 1024);
    mp_err err;
    ck_assert_msg(kh_start(1, 800, 480, extra, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(kh_screen(), "rating");
    int acked = vote_until_refused(0, 3000);
    ck_assert_int_gt(acked, 0);
    /* No thank-you for the vote that was not stored, and nothing lost. */
    ck_assert_str_eq(kh_screen(), "error");
    ck_assert_int_eq(kh_count(kh_db, "1"), acked);
    ck_assert_int_eq(kh_count(kh_db, "1") , kh_count(kh_db, "seq <= (SELECT max(seq) FROM votes)"));
    ck_assert(kh_integrity_ok(kh_db));
    char *dump = tu_read_file(kh_dump, NULL);
    ck_assert_msg(dump && strstr(dump, "\"screen\": \"error\""), "%s", dump);
    free(dump);

    /* The disk kept full (whatever space appears is taken at once): each
     * probe either finds no room, and the kiosk stays out of service with
     * taps doing nothing, or reclaims its own write-ahead log's room (a
     * checkpoint), and then votes are thanked only as long as they are
     * stored. */
    int reclaimed = 0, refused = 1;
    for (int round = 0; round < 6; round++) {
        char name[40];
        snprintf(name, sizeof name, "filler-full-%d", round);
        char *f = tu_path(disk, name);
        fill(f, (size_t)1 << 30);
        free(f);
        kh_advance(5100);
        if (strcmp(kh_screen(), "rating") == 0) {
            reclaimed++;
            acked += vote_until_refused(acked, 3000);
            refused++;
        } else {
            ck_assert_str_eq(kh_screen(), "error");
            kh_tap_at(100 + round * 120, 300);
            ck_assert_str_eq(kh_screen(), "error");
        }
        ck_assert_int_eq(kh_count(kh_db, "1"), acked);
    }
    ck_assert(kh_integrity_ok(kh_db));

    /* Space returns: within one probe the kiosk is back on its first screen
     * and votes are stored and thanked again, seq going on. */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/filler-*", disk);
    ck_assert_int_eq(system(cmd), 0);
    kh_advance(5100);
    ck_assert_str_eq(kh_screen(), "rating");
    for (int i = 0; i < 5; i++) {
        kh_tap(RATE[i % 4]);
        ck_assert_str_eq(kh_screen(), "thanks");
        kh_tap("thanks.done");
    }
    ck_assert_int_eq(kh_count(kh_db, "1"), acked + 5);
    char where[80];
    snprintf(where, sizeof where, "seq BETWEEN 1 AND %d", acked + 5);
    ck_assert_int_eq(kh_count(kh_db, where), acked + 5);
    ck_assert(kh_integrity_ok(kh_db));
    printf("disk full: %d votes thanked on a 256 KiB disk, %d refused (no thank-you, out of "
           "service), the kiosk's own WAL room reclaimed %d times; 0 lost; voting resumed when "
           "space returned (seq %d..%d)\n",
           acked, refused, reclaimed, acked + 1, acked + 5);
    free(filler1);
}
END_TEST

/* The medium fails writes (I/O error) instead of filling up. */
START_TEST(write_errors_then_recovery)
{
    ck_assert_int_eq(faultvfs_install(), 0);
    char extra[600];
    snprintf(extra, sizeof extra, "db = %s/kiosk.db", disk);
    mp_err err;
    ck_assert_msg(kh_start(1, 800, 480, extra, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        kh_tap(RATE[i]);
        ck_assert_str_eq(kh_screen(), "thanks");
        kh_tap("thanks.done");
    }
    faultvfs_set_failure(_i == 0 ? SQLITE_IOERR_WRITE : SQLITE_FULL);
    kh_tap("rate.0");
    ck_assert_str_eq(kh_screen(), "error");
    kh_advance(15300);
    ck_assert_str_eq(kh_screen(), "error");
    faultvfs_set_failure(0);
    ck_assert_int_eq(kh_count(kh_db, "1"), 3);
    kh_advance(5100);
    ck_assert_str_eq(kh_screen(), "rating");
    kh_tap("rate.0");
    ck_assert_str_eq(kh_screen(), "thanks");
    ck_assert_int_eq(kh_count(kh_db, "seq = 4 AND points = 0"), 1);
    ck_assert(kh_integrity_ok(kh_db));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diskfull");
    TCase *tc = tcase_create("diskfull");
    tcase_add_unchecked_fixture(tc, kh_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, full_disk_then_space_returns);
    tcase_add_loop_test(tc, write_errors_then_recovery, 0, 2);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

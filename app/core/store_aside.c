/* store_aside.c - what the kiosk and the survey server do with a damaged
 * vote database (store.h): moving it and its write-ahead log out of the way
 * under new names without losing a byte, starting a new one, and recording
 * in the database that replaced it where the damaged one went. */
#define _GNU_SOURCE /* renameat2 */
#include "store.h"
#include "store_int.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int store_set_aside(const char *path, int64_t now_utc, char *moved_to, size_t len, mp_err *err)
{
    char wal[4200], shm[4200], base[4200], name[4300], name_wal[4310];
    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
        return mp_fail(err, "path too long: %s", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    struct stat st;
    int have_db = lstat(path, &st) == 0, have_wal = lstat(wal, &st) == 0;
    if (!have_db && !have_wal)
        return mp_fail(err, "%s: nothing to set aside", path);
    time_t t = (time_t)now_utc;
    struct tm tm;
    char stamp[32] = "00000000-000000";
    if (localtime_r(&t, &tm))
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(base, sizeof base, "%s.damaged-%s", path, stamp);
    int found = 0;
    for (int n = 1; n < 1000 && !found; n++) {
        if (n == 1)
            snprintf(name, sizeof name, "%s", base);
        else
            snprintf(name, sizeof name, "%s-%d", base, n);
        snprintf(name_wal, sizeof name_wal, "%s-wal", name);
        found = lstat(name, &st) < 0 && errno == ENOENT && lstat(name_wal, &st) < 0 &&
                errno == ENOENT;
    }
    if (!found)
        return mp_fail(err, "cannot find a free name beside %s to set it aside", path);
    /* The log first: until the database has its new name too, the old names
     * still hold everything. */
    if (have_wal && fs_add_name(AT_FDCWD, wal, name_wal) < 0)
        return mp_fail(err, "cannot set %s aside as %s: %s", wal, name_wal, strerror(errno));
    if (have_db && fs_add_name(AT_FDCWD, path, name) < 0) {
        int e = errno;
        if (have_wal && access(wal, F_OK) == 0)
            (void)unlink(name_wal); /* the log still has its old name: undo */
        else if (have_wal)
            (void)renameat2(AT_FDCWD, name_wal, AT_FDCWD, wal, RENAME_NOREPLACE);
        return mp_fail(err, "cannot set %s aside as %s: %s", path, name, strerror(e));
    }
    if (fs_sync_dir_of(path) < 0)
        return mp_fail(err, "cannot sync the folder of %s: %s", path, strerror(errno));
    /* Now the old names: the database first, so that a -wal left alone by a
     * crash here is recognisably a second name (link count 2). */
    if ((have_db && store_remove_if_there(path, err) < 0) || (have_wal && store_remove_if_there(wal, err) < 0) ||
        store_remove_if_there(shm, err) < 0)
        return -1;
    if (fs_sync_dir_of(path) < 0)
        return mp_fail(err, "cannot sync the folder of %s: %s", path, strerror(errno));
    snprintf(moved_to, len, "%s", name);
    return 0;
}

int store_set_predecessor(store *s, const char *moved_to, mp_err *err)
{
    sqlite3_stmt *st;
    if (!s->insert)
        return mp_fail(err, "this store is read-only");
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO meta(key, value) VALUES ('replaced_damaged', ?1) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, moved_to, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "cannot record the damaged database's new name: %s",
                       sqlite3_errstr(rc));
    return 0;
}

int store_predecessor(store *s, char *buf, size_t len, mp_err *err)
{
    buf[0] = '\0';
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'replaced_damaged'", -1,
                           &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(buf, len, "%s", v ? (const char *)v : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return mp_fail(err, "%s", sqlite3_errstr(rc));
    return 0;
}


int store_open_replacing(const char *path, int64_t now_utc, store **out, char *moved_to,
                         size_t len, mp_err *damage, mp_err *warning, mp_err *err)
{
    int damaged = 0;
    moved_to[0] = '\0';
    damage->msg[0] = '\0';
    warning->msg[0] = '\0';
    if (store_open_checked(path, out, &damaged, err) == 0)
        return 0;
    if (!damaged)
        return -1;
    /* Keep every byte of it under another name, and serve on a new database
     * meanwhile. */
    *damage = *err;
    mp_err why;
    if (store_set_aside(path, now_utc, moved_to, len, &why) < 0) {
        moved_to[0] = '\0';
        return mp_fail(err, "%.400s; the damaged database is kept where it is: %.400s",
                       damage->msg, why.msg);
    }
    if (store_open_checked(path, out, &damaged, err) < 0)
        return -1;
    /* Failing to note it leaves the new database usable: warning says so. */
    if (store_set_predecessor(*out, moved_to, warning) == 0)
        warning->msg[0] = '\0';
    return 0;
}

/* store.c - SQLite vote store for the kiosk: opening (and creating whole),
 * checking for damage, setting a damaged file aside, and reading what can
 * still be read from one (store_open_salvage, a small reader of SQLite's
 * file format that needs nothing of the damaged file but its bytes). */
#define _GNU_SOURCE /* renameat2 */
#include "store.h"
#include "store_int.h"
#include "fsutil.h"
#include "clock.h"
#include "hexid.h"
#include "config.h"
#include "embed.h"
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int exec(sqlite3 *db, const char *sql, mp_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mp_fail(err, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Reads the instance id of db into instance; a database without one (made
 * before ids existed) gets a new random one. */
static int load_instance(sqlite3 *db, char instance[33], mp_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'instance'", -1, &st,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(instance, 33, "%s", v ? (const char *)v : "");
        sqlite3_finalize(st);
        if (strlen(instance) != 32)
            return mp_fail(err, "the database's instance id is damaged");
        return 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "%s", sqlite3_errmsg(db));

    /* A new database: give it its random identity. */
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(instance, 33, raw, sizeof raw);
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO meta(key, value) VALUES ('instance', '%s'), "
             "('created_utc', CAST(unixepoch() AS TEXT))",
             instance);
    return exec(db, sql, err);
}

/* ---- opening ------------------------------------------------------------ */

static int is_damage_code(int rc)
{
    rc &= 0xFF;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Removes path if it exists; fails for anything but "not there". */
static int remove_if_there(const char *path, mp_err *err)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return mp_fail(err, "cannot remove %s: %s", path, strerror(errno));
    return 0;
}

static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Makes a complete new database at path: built under path.creating, closed
 * (which checkpoints the WAL into it and removes the WAL), synced, then
 * linked to path (never replacing one that appeared meanwhile). */
static int create_whole(const char *path, mp_err *err)
{
    char tmp[4200], tmp_wal[4210], tmp_shm[4210];
    if (snprintf(tmp, sizeof tmp, "%s.creating", path) >= (int)sizeof tmp)
        return mp_fail(err, "path too long: %s", path);
    snprintf(tmp_wal, sizeof tmp_wal, "%s-wal", tmp);
    snprintf(tmp_shm, sizeof tmp_shm, "%s-shm", tmp);
    /* Left by a start that was interrupted: it never held a vote. */
    if (remove_if_there(tmp, err) < 0 || remove_if_there(tmp_wal, err) < 0 ||
        remove_if_there(tmp_shm, err) < 0)
        return -1;
    sqlite3 *db = NULL;
    char instance[33];
    int rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        mp_fail(err, "cannot create %s: %s", tmp, db ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    if (exec(db, "PRAGMA journal_mode = WAL", err) < 0 ||
        exec(db, "PRAGMA synchronous = FULL", err) < 0 ||
        migrate_apply(db, kiosk_migrations, err) < 0 || load_instance(db, instance, err) < 0)
        goto fail;
    rc = sqlite3_close(db);
    db = NULL;
    if (rc != SQLITE_OK || access(tmp_wal, F_OK) == 0) {
        mp_fail(err, "cannot finish creating %s (the disk may be full)", tmp);
        goto fail;
    }
    if (sync_file(tmp) < 0) {
        mp_fail(err, "cannot sync %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (fs_add_name(AT_FDCWD, tmp, path) < 0) {
        if (errno != EEXIST) {
            mp_fail(err, "cannot create %s: %s", path, strerror(errno));
            goto fail;
        }
        /* Another process made it first: use that one. */
    }
    (void)unlink(tmp);
    if (fs_sync_dir_of(path) < 0) {
        mp_fail(err, "cannot sync the folder of %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
fail:
    sqlite3_close(db);
    (void)unlink(tmp);
    (void)unlink(tmp_wal);
    (void)unlink(tmp_shm);
    return -1;
}

/* PRAGMA quick_check on an open database: 0 when "ok"; -1 with *damaged set
 * when SQLite finds damage, or clear for another failure (I/O). */
static int quick_check(sqlite3 *db, int *damaged, mp_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
    char first[300] = "";
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            snprintf(first, sizeof first, "%s", v ? (const char *)v : "");
        }
    }
    int code = rc == SQLITE_OK || rc == SQLITE_ROW ? SQLITE_OK
                                                   : (st ? sqlite3_errcode(db) : rc);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW && strcmp(first, "ok") == 0)
        return 0;
    if (rc == SQLITE_ROW) {
        *damaged = 1;
        return mp_fail(err, "the database is damaged (integrity check: %s)", first);
    }
    *damaged = is_damage_code(code) || is_damage_code(rc);
    if (*damaged)
        return mp_fail(err, "the database is damaged: %s", sqlite3_errstr(code ? code : rc));
    return mp_fail(err, "cannot check the database: %s", sqlite3_errmsg(db));
}

int store_open(const char *path, store **out, mp_err *err)
{
    return store_open_checked(path, out, NULL, err);
}

int store_open_checked(const char *path, store **out, int *damaged, mp_err *err)
{
    int dmg = 0;
    *out = NULL;
    if (damaged)
        *damaged = 0;
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    char wal[4200], shm[4200];
    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
        return mp_fail(err, "path too long: %s", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    struct stat st, wst;
    int have_wal = lstat(wal, &wst) == 0;
    if (lstat(path, &st) < 0) {
        if (errno != ENOENT)
            return mp_fail(err, "cannot open %s: %s", path, strerror(errno));
        if (have_wal && wst.st_nlink > 1) {
            /* Left by an interrupted store_set_aside: its other name keeps it. */
            if (remove_if_there(wal, err) < 0 || remove_if_there(shm, err) < 0)
                return -1;
            have_wal = 0;
        }
        if (have_wal) {
            if (damaged)
                *damaged = 1;
            return mp_fail(err, "database %s: its write-ahead log %s is there without it", path,
                           wal);
        }
        if (create_whole(path, err) < 0)
            return -1;
    } else if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
        return mp_fail(err, "database %s is not a regular file", path);
    } else if (st.st_size == 0 && (!have_wal || wst.st_size == 0)) {
        if (damaged)
            *damaged = 1;
        return mp_fail(err, "database %s is an empty file (a database never is)", path);
    }

    store *s = calloc(1, sizeof *s);
    if (!s)
        return mp_fail(err, "out of memory");
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) !=
        SQLITE_OK) {
        int code = s->db ? sqlite3_extended_errcode(s->db) : SQLITE_NOMEM;
        dmg = is_damage_code(code);
        mp_fail(err, "cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    /* Check before writing anything: a damaged file is kept as it is. */
    if (quick_check(s->db, &dmg, err) < 0)
        goto fail_named;
    /* WAL with FULL sync: a commit returns only after the WAL is on disk. */
    if (exec(s->db, "PRAGMA journal_mode = WAL", err) < 0 ||
        exec(s->db, "PRAGMA synchronous = FULL", err) < 0 ||
        exec(s->db, "PRAGMA foreign_keys = ON", err) < 0)
        goto fail_named;
    if (migrate_apply(s->db, kiosk_migrations, err) < 0)
        goto fail_named;
    if (load_instance(s->db, s->instance, err) < 0)
        goto fail_named;
    if (sqlite3_prepare_v3(s->db,
                           "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, unit_code, "
                           "unit_name, points, channel, flagged) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'kiosk', ?8)",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->insert, NULL) != SQLITE_OK) {
        mp_fail(err, "%s", sqlite3_errmsg(s->db));
        goto fail_named;
    }
    *out = s;
    return 0;
fail_named:
    mp_wrap(err, "database %s", path);
fail:
    store_close(s);
    if (damaged)
        *damaged = dmg;
    return -1;
}

void store_close(store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->insert);
    sqlite3_close(s->db);
    free(s);
}

const char *store_instance(const store *s)
{
    return s->instance;
}

static void make_uuid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

int store_add_vote(store *s, const char *unit_code, const char *unit_name, int points,
                   int flagged, int64_t cast_utc, int utc_offset, store_vote *out, mp_err *err)
{
    if (!s->insert)
        return mp_fail(err, "this store is read-only (votes read from a damaged file)");
    if (!rating_by_points(points))
        return mp_fail(err, "%d is not a rating's points", points);
    /* Refuse what an export could not carry, rather than store a vote that
     * would make every later export fail. */
    if (utc_offset % 60 != 0 || utc_offset > CLOCK_UTC_OFFSET_MAX ||
        utc_offset < -CLOCK_UTC_OFFSET_MAX)
        return mp_fail(err, "UTC offset %d s is not whole minutes within 14 hours", utc_offset);
    if (config_check_unit_code(unit_code, err) < 0 || config_check_unit_name(unit_name, err) < 0)
        return -1;
    store_vote v = {.cast_utc = cast_utc, .utc_offset = utc_offset, .points = points,
                    .flagged = flagged ? 1 : 0};
    make_uuid(v.uuid);
    sqlite3_stmt *st = s->insert;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, s->instance, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v.uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, cast_utc);
    sqlite3_bind_int(st, 4, utc_offset);
    sqlite3_bind_text(st, 5, unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, unit_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, points);
    sqlite3_bind_int(st, 8, v.flagged);
    /* Autocommit: sqlite3_step returns SQLITE_DONE only once the commit
     * (WAL append + fsync, synchronous=FULL) has completed. */
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "vote not stored: %s (SQLite code %d)", sqlite3_errstr(rc), rc);
    v.seq = sqlite3_last_insert_rowid(s->db);
    if (out)
        *out = v;
    return 0;
}

int store_unit_totals(store *s, const char *unit_code, store_totals *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT points, flagged, count(*) FROM votes WHERE unit_code = ?1 "
                           "GROUP BY points, flagged",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, unit_code, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int points = sqlite3_column_int(st, 0);
        int64_t n = sqlite3_column_int64(st, 2);
        if (sqlite3_column_int(st, 1)) {
            out->flagged += n;
            continue;
        }
        for (int i = 0; i < RATING_COUNT; i++)
            if (RATINGS[i].points == points)
                out->counts[i] += n;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "%s", sqlite3_errstr(rc));
    return 0;
}

/* Runs a one-row PRAGMA query and returns its first column as text. */
static int pragma_text(store *s, const char *sql, char *out, size_t len, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(out, len, "%s", v ? (const char *)v : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return mp_fail(err, "%s: %s", sql, sqlite3_errstr(rc));
    return 0;
}

int store_durability(store *s, char journal_mode[16], int *synchronous, mp_err *err)
{
    char level[16];
    if (pragma_text(s, "PRAGMA journal_mode", journal_mode, 16, err) < 0 ||
        pragma_text(s, "PRAGMA synchronous", level, sizeof level, err) < 0)
        return -1;
    *synchronous = atoi(level);
    return 0;
}

int store_vote_count(store *s, int64_t *out, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM votes", -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return mp_fail(err, "%s", sqlite3_errstr(rc));
    return 0;
}

int store_each_vote(store *s, int (*fn)(void *user, const store_vote_row *row), void *user,
                    mp_err *err)
{
    sqlite3_stmt *st = NULL;
    /* A deferred transaction holds its read snapshot from the first SELECT
     * to COMMIT: every row comes from the same moment. */
    if (exec(s->db, "BEGIN", err) < 0)
        return mp_wrap(err, "cannot read the votes");
    if (sqlite3_prepare_v2(s->db,
                           "SELECT seq, instance, uuid, cast_utc, utc_offset, unit_code, "
                           "unit_name, points, channel, flagged FROM votes ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK) {
        mp_fail(err, "cannot read the votes: %s", sqlite3_errmsg(s->db));
        goto fail;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_vote_row row = {
            .seq = sqlite3_column_int64(st, 0),
            .instance = (const char *)sqlite3_column_text(st, 1),
            .uuid = (const char *)sqlite3_column_text(st, 2),
            .cast_utc = sqlite3_column_int64(st, 3),
            .utc_offset = sqlite3_column_int(st, 4),
            .unit_code = (const char *)sqlite3_column_text(st, 5),
            .unit_name = (const char *)sqlite3_column_text(st, 6),
            .points = sqlite3_column_int(st, 7),
            .channel = (const char *)sqlite3_column_text(st, 8),
            .flagged = sqlite3_column_int(st, 9),
        };
        /* The columns are NOT NULL: a NULL here is SQLite out of memory. */
        if (!row.instance || !row.uuid || !row.unit_code || !row.unit_name || !row.channel) {
            mp_fail(err, "out of memory while reading the votes");
            goto fail;
        }
        if (fn(user, &row) != 0) {
            mp_fail(err, "stopped by caller");
            goto fail;
        }
    }
    if (rc != SQLITE_DONE) {
        mp_fail(err, "cannot read the votes: %s", sqlite3_errmsg(s->db));
        goto fail;
    }
    sqlite3_finalize(st);
    if (exec(s->db, "COMMIT", err) < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return mp_wrap(err, "cannot read the votes");
    }
    return 0;
fail:
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_probe(store *s, mp_err *err)
{
    /* Fold the WAL back into the database and empty it: on a full disk this
     * gives back the space the WAL holds.  Its failure is not the probe's. */
    (void)sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (exec(s->db,
             "INSERT INTO meta(key, value) VALUES ('last_probe_utc', CAST(unixepoch() AS TEXT)) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             err) < 0)
        return mp_wrap(err, "storage still failing");
    return 0;
}

/* ---- damaged databases ---------------------------------------------------- */

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
    if ((have_db && remove_if_there(path, err) < 0) || (have_wal && remove_if_there(wal, err) < 0) ||
        remove_if_there(shm, err) < 0)
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

/* ---- salvage: reading votes from the bytes of a damaged file -------------
 *
 * SQLite's file format (https://www.sqlite.org/fileformat.html): pages of
 * page_size bytes; a table b-tree leaf page has type 0x0D at its header
 * (offset 100 on page 1), a cell count and a cell pointer array; a cell is
 * varint payload-size, varint rowid, then the record: varint header size,
 * serial types, values.  The WAL is a 32-byte header, then frames of a
 * 24-byte header and one page; a frame counts when its salts match the
 * header's and the running checksum holds, and only up to the last commit
 * frame.  Every bound is checked against the bytes present. */

enum { SALV_COLS = 12 };

typedef struct salv_col {
    int type;               /* 0 NULL, 1 integer, 2 text, 3 other */
    int64_t i;
    const unsigned char *t; /* text, not NUL-terminated */
    size_t n;
} salv_col;

typedef struct salv_row {
    int64_t seq;
    int rank;               /* 0 database file, 1 + frame index for the WAL */
    char instance[33];
    char uuid[37];
    int64_t cast_utc;
    int utc_offset;
    char unit_code[CONFIG_CODE_MAX + 1];
    char unit_name[CONFIG_NAME_MAX_CHARS * 4 + 1];
    int points;
    int flagged;
} salv_row;

typedef struct salv_ctx {
    salv_row *rows;
    size_t n, cap;
    char meta_instance[33];
    int meta_rank;          /* rank of meta_instance, -1 when none */
    int oom;
} salv_ctx;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* A SQLite varint at p (before end): returns its length, 0 if cut short. */
static int get_varint(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int i = 0; i < 9; i++) {
        if (p + i >= end)
            return 0;
        if (i == 8) {
            *v = (x << 8) | p[i];
            return 9;
        }
        x = (x << 7) | (p[i] & 0x7F);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* Splits a record into columns; -1 unless it is exactly well formed. */
static int parse_record(const unsigned char *p, size_t len, salv_col *cols, int *ncols)
{
    static const int int_size[7] = {0, 1, 2, 3, 4, 6, 8};
    const unsigned char *end = p + len;
    uint64_t hlen;
    int k = get_varint(p, end, &hlen);
    if (!k || hlen < (uint64_t)k || hlen > len)
        return -1;
    const unsigned char *h = p + k, *hend = p + hlen, *body = hend;
    int n = 0;
    while (h < hend) {
        uint64_t type;
        int m = get_varint(h, hend, &type);
        if (!m || n >= SALV_COLS)
            return -1;
        h += m;
        salv_col *c = &cols[n++];
        size_t size;
        c->t = NULL;
        c->n = 0;
        c->i = 0;
        if (type == 0) {
            c->type = 0;
            size = 0;
        } else if (type <= 6) {
            c->type = 1;
            size = (size_t)int_size[type];
        } else if (type == 7) {
            c->type = 3;
            size = 8;
        } else if (type == 8 || type == 9) {
            c->type = 1;
            c->i = type == 9;
            size = 0;
        } else if (type >= 12) {
            c->type = type % 2 ? 2 : 3;
            size = (size_t)((type - (type % 2 ? 13 : 12)) / 2);
        } else {
            return -1;
        }
        if (size > (size_t)(end - body))
            return -1;
        if (c->type == 1 && size > 0) {
            uint64_t u = body[0] & 0x80 ? UINT64_MAX : 0; /* sign-extend */
            for (size_t b = 0; b < size; b++)
                u = (u << 8) | body[b];
            c->i = (int64_t)u;
        } else if (c->type == 2 || c->type == 3) {
            c->t = body;
            c->n = size;
        }
        body += size;
    }
    if (body != end)
        return -1;
    *ncols = n;
    return 0;
}

/* The hex checks of hexid.h on a record's bytes. */
static int is_hex_lower(const unsigned char *s, size_t n)
{
    return hexid_is_lower((const char *)s, n);
}

static int is_uuid(const unsigned char *s, size_t n)
{
    return hexid_is_uuid((const char *)s, n);
}

/* Copies a text column into buf as a C string; 0 if it does not fit or has
 * a NUL byte. */
static int col_text(const salv_col *c, char *buf, size_t len)
{
    if (c->type != 2 || c->n >= len || memchr(c->t, 0, c->n))
        return 0;
    memcpy(buf, c->t, c->n);
    buf[c->n] = '\0';
    return 1;
}

/* Takes a record if it is a vote (or the meta table's instance row). */
static void take_record(salv_ctx *x, int64_t rowid, const unsigned char *p, size_t len, int rank)
{
    salv_col c[SALV_COLS];
    int n;
    if (parse_record(p, len, c, &n) < 0)
        return;
    if (n == 2) {
        if (c[0].type == 2 && c[0].n == 8 && memcmp(c[0].t, "instance", 8) == 0 &&
            c[1].type == 2 && c[1].n == 32 && is_hex_lower(c[1].t, 32) && rank > x->meta_rank) {
            memcpy(x->meta_instance, c[1].t, 32);
            x->meta_instance[32] = '\0';
            x->meta_rank = rank;
        }
        return;
    }
    if (n != 10 || rowid <= 0)
        return;
    salv_row r = {.seq = rowid, .rank = rank};
    if (c[0].type != 0 || c[1].type != 2 || c[1].n != 32 || !is_hex_lower(c[1].t, 32) ||
        c[2].type != 2 || !is_uuid(c[2].t, c[2].n) || c[3].type != 1 || c[4].type != 1 ||
        c[7].type != 1 || c[9].type != 1 || c[8].type != 2 || c[8].n != 5 ||
        memcmp(c[8].t, "kiosk", 5) != 0)
        return;
    if (c[4].i % 60 != 0 || c[4].i > CLOCK_UTC_OFFSET_MAX ||
        c[4].i < -CLOCK_UTC_OFFSET_MAX ||
        !rating_by_points((int)c[7].i) || c[7].i != (int)c[7].i || (c[9].i != 0 && c[9].i != 1))
        return;
    if (!col_text(&c[1], r.instance, sizeof r.instance) ||
        !col_text(&c[2], r.uuid, sizeof r.uuid) ||
        !col_text(&c[5], r.unit_code, sizeof r.unit_code) ||
        !col_text(&c[6], r.unit_name, sizeof r.unit_name) ||
        config_check_unit_code(r.unit_code, NULL) < 0 ||
        config_check_unit_name(r.unit_name, NULL) < 0)
        return;
    r.cast_utc = c[3].i;
    r.utc_offset = (int)c[4].i;
    r.points = (int)c[7].i;
    r.flagged = (int)c[9].i;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        salv_row *rows = realloc(x->rows, cap * sizeof *rows);
        if (!rows) {
            x->oom = 1;
            return;
        }
        x->rows = rows;
        x->cap = cap;
    }
    x->rows[x->n++] = r;
}

/* Reads the cells of one page if it is a table leaf.  avail: the bytes of
 * it that exist (a truncated file's last page may be short). */
static void scan_page(salv_ctx *x, const unsigned char *pg, size_t avail, size_t usable,
                      int page1, int rank)
{
    size_t h = page1 ? 100 : 0, limit = usable < avail ? usable : avail;
    if (limit < h + 8 || pg[h] != 0x0D)
        return;
    size_t ncell = be16(pg + h + 3), first = h + 8 + 2 * ncell;
    if (first > limit)
        return;
    for (size_t i = 0; i < ncell; i++) {
        size_t off = be16(pg + h + 8 + 2 * i);
        if (off < first || off >= limit)
            continue;
        const unsigned char *cell = pg + off, *end = pg + limit;
        uint64_t size, rowid;
        int k = get_varint(cell, end, &size);
        if (!k)
            continue;
        int m = get_varint(cell + k, end, &rowid);
        if (!m || size > usable - 35) /* larger records spill to overflow pages */
            continue;
        const unsigned char *payload = cell + k + m;
        if (size > (uint64_t)(end - payload))
            continue;
        take_record(x, (int64_t)rowid, payload, (size_t)size, rank);
    }
}

/* WAL checksum (SQLite's walChecksumBytes) over n bytes, n a multiple of 8. */
static void wal_checksum(int big_endian, const unsigned char *p, size_t n, uint32_t s[2])
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t a, b;
        if (big_endian) {
            a = be32(p + i);
            b = be32(p + i + 4);
        } else {
            a = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                (uint32_t)p[i + 3] << 24;
            b = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
                (uint32_t)p[i + 7] << 24;
        }
        s[0] += a + s[1];
        s[1] += b + s[0];
    }
}

static int valid_page_size(uint32_t ps)
{
    return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

/* The page size a WAL header gives, or 0. */
static uint32_t wal_page_size(const unsigned char *wal, size_t len)
{
    if (len < 32 || (be32(wal) & 0xFFFFFFFE) != 0x377F0682)
        return 0;
    uint32_t ps = be32(wal + 8);
    return valid_page_size(ps) ? ps : 0;
}

/* Scans the committed frames of a WAL of page size ps; returns how many. */
static int scan_wal(salv_ctx *x, const unsigned char *wal, size_t len, uint32_t ps,
                    size_t reserved)
{
    if (wal_page_size(wal, len) != ps)
        return 0;
    int big = be32(wal) & 1;
    uint32_t s[2] = {0, 0};
    wal_checksum(big, wal, 24, s);
    if (s[0] != be32(wal + 24) || s[1] != be32(wal + 28))
        return 0;
    uint32_t salt1 = be32(wal + 16), salt2 = be32(wal + 20);
    size_t frame = 24 + (size_t)ps;
    long last_commit = -1, nframes = 0;
    for (size_t off = 32; off + frame <= len; off += frame, nframes++) {
        const unsigned char *fh = wal + off;
        if (be32(fh + 8) != salt1 || be32(fh + 12) != salt2)
            break;
        wal_checksum(big, fh, 8, s);
        wal_checksum(big, fh + 24, ps, s);
        if (s[0] != be32(fh + 16) || s[1] != be32(fh + 20))
            break;
        if (be32(fh + 4) != 0)
            last_commit = nframes;
    }
    for (long i = 0; i <= last_commit; i++) {
        const unsigned char *fh = wal + 32 + (size_t)i * frame;
        scan_page(x, fh + 24, ps, ps - reserved, be32(fh) == 1, (int)i + 1);
    }
    return (int)(last_commit + 1);
}

static void scan_db(salv_ctx *x, const unsigned char *db, size_t len, uint32_t ps,
                    size_t reserved)
{
    for (size_t off = 0; off < len; off += ps) {
        size_t avail = len - off < ps ? len - off : ps;
        scan_page(x, db + off, avail, ps - reserved, off == 0, 0);
    }
}

/* Reads a whole file (at most 1 GiB) without following a symbolic link.
 * Returns 1 and *buf (malloc'd), 0 when it does not exist, -1 on error. */
static int slurp(const char *path, unsigned char **buf, size_t *len, mp_err *err)
{
    char *p = NULL;
    int rc = fs_read_file(path, (size_t)1 << 30, FS_READ_MISSING_OK, &p, len, err);
    if (rc < 0)
        return mp_wrap(err, "%s", path);
    *buf = (unsigned char *)p;
    return rc;
}

static int cmp_rows(const void *pa, const void *pb)
{
    const salv_row *a = pa, *b = pb;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return b->rank - a->rank; /* the newest copy first */
}

static void salv_scan(salv_ctx *x, const unsigned char *db, size_t dblen,
                      const unsigned char *wal, size_t wallen, uint32_t ps, size_t reserved,
                      int *frames)
{
    *frames = scan_wal(x, wal, wallen, ps, reserved);
    scan_db(x, db, dblen, ps, reserved);
}

int store_open_salvage(const char *path, store **out, store_salvage_info *info, mp_err *err)
{
    *out = NULL;
    store_salvage_info in = {0};
    char walpath[4200];
    if (snprintf(walpath, sizeof walpath, "%s-wal", path) >= (int)sizeof walpath)
        return mp_fail(err, "path too long: %s", path);
    unsigned char *db = NULL, *wal = NULL;
    size_t dblen = 0, wallen = 0;
    int hd = slurp(path, &db, &dblen, err);
    if (hd < 0)
        return -1;
    int hw = slurp(walpath, &wal, &wallen, err);
    if (hw < 0) {
        free(db);
        return -1;
    }
    if (!hd && !hw)
        return mp_fail(err, "%s: no such file", path);

    /* The page size: the database header's, else the WAL's, else whichever
     * common size reads the most votes. */
    uint32_t ps = 0;
    size_t reserved = 0;
    if (dblen >= 100 && memcmp(db, "SQLite format 3", 16) == 0) {
        uint32_t h = be16(db + 16);
        ps = h == 1 ? 65536 : h;
        reserved = db[20];
        if (!valid_page_size(ps) || reserved > ps / 4) {
            ps = 0;
            reserved = 0;
        }
    }
    if (!ps)
        ps = wal_page_size(wal, wallen);
    salv_ctx x = {.meta_rank = -1};
    int frames = 0;
    if (ps) {
        salv_scan(&x, db, dblen, wal, wallen, ps, reserved, &frames);
    } else {
        static const uint32_t sizes[] = {4096, 1024, 2048, 8192, 16384, 32768, 65536, 512};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            salv_ctx y = {.meta_rank = -1};
            int f = 0;
            salv_scan(&y, db, dblen, wal, wallen, sizes[i], 0, &f);
            if (!ps || y.n > x.n) {
                free(x.rows);
                x = y;
                ps = sizes[i];
                frames = f;
            } else {
                free(y.rows);
            }
        }
    }
    free(db);
    free(wal);
    if (x.oom) {
        free(x.rows);
        return mp_fail(err, "out of memory reading %s", path);
    }
    in.page_size = (int)ps;
    in.wal_frames = frames;

    /* Which instance: the meta table's, else the one most votes carry. */
    if (x.meta_rank >= 0) {
        snprintf(in.instance, sizeof in.instance, "%s", x.meta_instance);
    } else {
        size_t best = 0;
        for (size_t i = 0; i < x.n; i++) {
            size_t c = 0;
            for (size_t j = 0; j < x.n && c <= best; j++)
                c += strcmp(x.rows[i].instance, x.rows[j].instance) == 0;
            if (c > best) {
                best = c;
                snprintf(in.instance, sizeof in.instance, "%s", x.rows[i].instance);
            }
        }
    }
    if (x.n > 0) /* qsort wants a real array even for no elements */
        qsort(x.rows, x.n, sizeof *x.rows, cmp_rows);

    store *s = calloc(1, sizeof *s);
    if (!s) {
        free(x.rows);
        return mp_fail(err, "out of memory");
    }
    sqlite3_stmt *ins = NULL;
    char sql[200];
    if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    snprintf(sql, sizeof sql, "INSERT INTO meta(key, value) VALUES ('instance', '%s')",
             in.instance);
    if (migrate_apply(s->db, kiosk_migrations, err) < 0 || exec(s->db, "BEGIN", err) < 0 ||
        (in.instance[0] && exec(s->db, sql, err) < 0))
        goto fail;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO votes(seq, instance, uuid, cast_utc, utc_offset, "
                           "unit_code, unit_name, points, channel, flagged) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'kiosk', ?9)",
                           -1, &ins, NULL) != SQLITE_OK) {
        mp_fail(err, "%s", sqlite3_errmsg(s->db));
        goto fail;
    }
    for (size_t i = 0; i < x.n; i++) {
        const salv_row *r = &x.rows[i];
        if (i > 0 && r->seq == x.rows[i - 1].seq)
            continue; /* an older copy of the same vote */
        if (strcmp(r->instance, in.instance) != 0) {
            in.other_instance++;
            continue;
        }
        sqlite3_bind_int64(ins, 1, r->seq);
        sqlite3_bind_text(ins, 2, r->instance, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, r->uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, r->cast_utc);
        sqlite3_bind_int(ins, 5, r->utc_offset);
        sqlite3_bind_text(ins, 6, r->unit_code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, r->unit_name, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 8, r->points);
        sqlite3_bind_int(ins, 9, r->flagged);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc == SQLITE_DONE) {
            if (!in.rows)
                in.first_seq = r->seq;
            in.last_seq = r->seq;
            in.rows++;
        } else if ((rc & 0xFF) != SQLITE_CONSTRAINT) { /* a uuid seen twice: not a vote */
            mp_fail(err, "%s", sqlite3_errmsg(s->db));
            goto fail;
        }
    }
    sqlite3_finalize(ins);
    ins = NULL;
    if (exec(s->db, "COMMIT", err) < 0 || exec(s->db, "PRAGMA query_only = 1", err) < 0)
        goto fail;
    free(x.rows);
    x.rows = NULL;
    if (in.rows == 0) {
        store_close(s);
        return mp_fail(err, "%s: no vote could be read from it", path);
    }
    in.missing = in.last_seq - in.first_seq + 1 - in.rows;
    snprintf(s->instance, sizeof s->instance, "%s", in.instance);
    if (info)
        *info = in;
    *out = s;
    return 0;
fail:
    sqlite3_finalize(ins);
    free(x.rows);
    store_close(s);
    return mp_wrap(err, "reading the votes of %s", path);
}

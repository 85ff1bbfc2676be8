/* store.c - the kiosk's live vote store (store.h): opening (and creating
 * whole), checking for damage before anything is written, adding votes and
 * reading them back.  A damaged file is set aside by store_aside.c and read
 * by store_salvage.c. */
#include "store.h"
#include "store_int.h"
#include "fsutil.h"
#include "clock.h"
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
#include <unistd.h>

int store_exec(sqlite3 *db, const char *sql, mp_err *err)
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
    return store_exec(db, sql, err);
}

/* ---- opening ------------------------------------------------------------ */

static int is_damage_code(int rc)
{
    rc &= 0xFF;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Removes path if it exists; fails for anything but "not there". */
int store_remove_if_there(const char *path, mp_err *err)
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
    if (store_remove_if_there(tmp, err) < 0 || store_remove_if_there(tmp_wal, err) < 0 ||
        store_remove_if_there(tmp_shm, err) < 0)
        return -1;
    sqlite3 *db = NULL;
    char instance[33];
    int rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        mp_fail(err, "cannot create %s: %s", tmp, db ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    if (store_exec(db, "PRAGMA journal_mode = WAL", err) < 0 ||
        store_exec(db, "PRAGMA synchronous = FULL", err) < 0 ||
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
            if (store_remove_if_there(wal, err) < 0 || store_remove_if_there(shm, err) < 0)
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
    if (store_exec(s->db, "PRAGMA journal_mode = WAL", err) < 0 ||
        store_exec(s->db, "PRAGMA synchronous = FULL", err) < 0 ||
        store_exec(s->db, "PRAGMA foreign_keys = ON", err) < 0)
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
    if (store_exec(s->db, "BEGIN", err) < 0)
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
    if (store_exec(s->db, "COMMIT", err) < 0) {
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
    if (store_exec(s->db,
             "INSERT INTO meta(key, value) VALUES ('last_probe_utc', CAST(unixepoch() AS TEXT)) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             err) < 0)
        return mp_wrap(err, "storage still failing");
    return 0;
}


/* store.c - SQLite vote store for the kiosk. */
#include "store.h"
#include "config.h"
#include "embed.h"
#include "migrate.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store {
    sqlite3 *db;
    sqlite3_stmt *insert;
    char instance[33];
};

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

static int load_instance(store *s, mp_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'instance'", -1, &st,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        snprintf(s->instance, sizeof s->instance, "%s", v ? (const char *)v : "");
        sqlite3_finalize(st);
        if (strlen(s->instance) != 32)
            return mp_fail(err, "the database's instance id is damaged");
        return 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));

    /* A new database: give it its random identity. */
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(s->instance, sizeof s->instance, raw, sizeof raw);
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO meta(key, value) VALUES ('instance', '%s'), "
             "('created_utc', CAST(unixepoch() AS TEXT))",
             s->instance);
    return exec(s->db, sql, err);
}

int store_open(const char *path, store **out, mp_err *err)
{
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    store *s = calloc(1, sizeof *s);
    if (!s)
        return mp_fail(err, "out of memory");
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                          SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        mp_fail(err, "cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL with FULL sync: a commit returns only after the WAL is on disk. */
    if (exec(s->db, "PRAGMA journal_mode = WAL", err) < 0 ||
        exec(s->db, "PRAGMA synchronous = FULL", err) < 0 ||
        exec(s->db, "PRAGMA foreign_keys = ON", err) < 0)
        goto fail_named;
    if (migrate_apply(s->db, kiosk_migrations, err) < 0)
        goto fail_named;
    if (load_instance(s, err) < 0)
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
    if (!rating_by_points(points))
        return mp_fail(err, "%d is not a rating's points", points);
    /* Refuse what an export could not carry, rather than store a vote that
     * would make every later export fail. */
    if (utc_offset % 60 != 0 || utc_offset > 14 * 3600 || utc_offset < -14 * 3600)
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
    if (exec(s->db,
             "INSERT INTO meta(key, value) VALUES ('last_probe_utc', CAST(unixepoch() AS TEXT)) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             err) < 0)
        return mp_wrap(err, "storage still failing");
    return 0;
}

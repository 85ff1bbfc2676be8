/* store_tx.c - several votes to one commit, any channel (store_tx.h). */
#include "store_tx.h"
#include "config.h"
#include "store_int.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static int run(store *s, const char *sql, mp_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mp_fail(err, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int store_tx_begin(store *s, mp_err *err)
{
    return run(s, "BEGIN IMMEDIATE", err) < 0 ? mp_wrap(err, "cannot start storing") : 0;
}

int store_tx_commit(store *s, mp_err *err)
{
    if (run(s, "COMMIT", err) < 0) {
        store_tx_rollback(s);
        return mp_wrap(err, "not stored");
    }
    return 0;
}

void store_tx_rollback(store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_tx_mark(store *s, mp_err *err)
{
    return run(s, "SAVEPOINT job", err);
}

int store_tx_release(store *s, mp_err *err)
{
    return run(s, "RELEASE job", err);
}

void store_tx_undo(store *s)
{
    (void)sqlite3_exec(s->db, "ROLLBACK TO job; RELEASE job", NULL, NULL, NULL);
}

static void new_uuid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

int store_tx_add_vote(store *s, const char *channel, const char *unit_code,
                      const char *unit_name, int points, int flagged, int64_t cast_utc,
                      int utc_offset, store_vote *out, mp_err *err)
{
    if (!s->insert)
        return mp_fail(err, "this store is read-only (votes read from a damaged file)");
    if (strcmp(channel, "kiosk") != 0 && strcmp(channel, "online") != 0)
        return mp_fail(err, "channel \"%s\" is neither kiosk nor online", channel);
    if (!rating_by_points(points))
        return mp_fail(err, "%d is not a rating's points", points);
    if (utc_offset % 60 != 0 || utc_offset > 14 * 3600 || utc_offset < -14 * 3600)
        return mp_fail(err, "UTC offset %d s is not whole minutes within 14 hours", utc_offset);
    if (config_check_unit_code(unit_code, err) < 0 || config_check_unit_name(unit_name, err) < 0)
        return -1;
    store_vote v = {.cast_utc = cast_utc, .utc_offset = utc_offset, .points = points,
                    .flagged = flagged ? 1 : 0};
    new_uuid(v.uuid);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db,
                           "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, unit_code, "
                           "unit_name, points, channel, flagged) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           -1, 0, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "vote not stored: %s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, s->instance, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v.uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, cast_utc);
    sqlite3_bind_int(st, 4, utc_offset);
    sqlite3_bind_text(st, 5, unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, unit_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, points);
    sqlite3_bind_text(st, 8, channel, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, v.flagged);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "vote not stored: %s", sqlite3_errmsg(s->db));
    v.seq = sqlite3_last_insert_rowid(s->db);
    if (out)
        *out = v;
    return 0;
}

int store_tx_mark_browser(store *s, const char *day, const char *unit_code,
                          const char *browser, int *seen, mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO browser_marks(day, unit_code, browser) "
                           "VALUES (?1, ?2, ?3)",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, browser, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    *seen = sqlite3_changes(s->db) == 0;
    return 0;
}

int store_tx_prune_marks(store *s, const char *keep_from, mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM browser_marks WHERE day < ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, keep_from, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : mp_fail(err, "%s", sqlite3_errmsg(s->db));
}

/* ledger_followup.c - storing imported follow-ups (ledger_followup.h). */
#include "ledger_followup.h"

#include <inttypes.h>
#include <string.h>

/* Binds f's fields as ?1 to ?14, in the followups table's column order. */
static void bind_followup(sqlite3_stmt *st, const export_followup *f, const char *vote_kiosk)
{
    sqlite3_bind_text(st, 1, f->source_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, f->seq);
    sqlite3_bind_text(st, 4, f->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, f->created_utc);
    sqlite3_bind_int(st, 6, f->utc_offset);
    sqlite3_bind_text(st, 7, f->unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, vote_kiosk, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, f->vote_instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, f->vote_seq);
    sqlite3_bind_int(st, 11, f->points);
    sqlite3_bind_text(st, 12, f->reasons, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, f->comment, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, f->channel, -1, SQLITE_STATIC);
}

int ledger_followup_add(sqlite3 *db, const export_followup *f, int *is_new, mp_err *err)
{
    const char *vote_kiosk = f->vote_kiosk[0] ? f->vote_kiosk : f->source_id;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO followups(source_id, instance, seq, uuid, created_utc, "
                           "utc_offset, unit_code, vote_kiosk, vote_instance, vote_seq, points, "
                           "reasons, comment, channel) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                           "?9, ?10, ?11, ?12, ?13, ?14) "
                           "ON CONFLICT (source_id, instance, seq) DO NOTHING",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    bind_followup(st, f, vote_kiosk);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "follow-up %" PRId64 " not stored: %s", f->seq, sqlite3_errmsg(db));
    if (sqlite3_changes(db) == 1) {
        if (is_new)
            *is_new = 1;
        return 0;
    }
    /* Known already: the same content is counted once; other content is a
     * conflict (the same database copied and both copies used?). */
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM followups WHERE source_id = ?1 AND instance = ?2 "
                           "AND seq = ?3 AND uuid = ?4 AND created_utc = ?5 AND utc_offset = ?6 "
                           "AND unit_code = ?7 AND vote_kiosk = ?8 AND vote_instance = ?9 AND "
                           "vote_seq = ?10 AND points = ?11 AND reasons = ?12 AND comment = ?13 "
                           "AND channel = ?14",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    bind_followup(st, f, vote_kiosk);
    rc = sqlite3_step(st);
    int same = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    if (!same)
        return mp_fail(err, "follow-up %" PRId64 " of %s (database %.8s) conflicts with the one "
                            "imported before under the same number",
                       f->seq, f->source_id, f->instance);
    if (is_new)
        *is_new = 0;
    return 0;
}

int ledger_followup_each(sqlite3 *db, const char *from, const char *to, const char *channel,
                         ledger_followup_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT unit_code, points, reasons, comment, channel FROM followups"
                           " WHERE (?1 IS NULL OR date(created_utc + utc_offset, 'unixepoch') >= ?1)"
                           " AND (?2 IS NULL OR date(created_utc + utc_offset, 'unixepoch') <= ?2)"
                           " AND (?3 IS NULL OR channel = ?3)"
                           " ORDER BY unit_code, created_utc, source_id, instance, seq",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    const char *bind[3] = {from, to, channel};
    for (int i = 0; i < 3; i++)
        if (bind[i])
            sqlite3_bind_text(st, i + 1, bind[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_followup_info f = {
            .unit_code = (const char *)sqlite3_column_text(st, 0),
            .points = sqlite3_column_int(st, 1),
            .reasons = (const char *)sqlite3_column_text(st, 2),
            .comment = (const char *)sqlite3_column_text(st, 3),
            .channel = (const char *)sqlite3_column_text(st, 4),
        };
        if (!f.unit_code || !f.reasons || !f.comment || !f.channel) {
            sqlite3_finalize(st);
            return mp_fail(err, "a stored follow-up is damaged");
        }
        if (fn(user, &f) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while reading follow-ups");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : mp_fail(err, "%s", sqlite3_errmsg(db));
}

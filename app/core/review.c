/* review.c - excluding and restoring votes, audited (review.h). */
#include "review.h"

#include "hexid.h"
#include "i18n.h"
#include "tally.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int db_fail(sqlite3 *db, mp_err *err)
{
    return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
}

static const char *text_col(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

/* The seq range as people write it: "5-9", "5", "all". */
static void range_text(int64_t from, int64_t to, char *buf, size_t len)
{
    if (from <= 1 && to == REVIEW_SEQ_ALL)
        snprintf(buf, len, "%s", _("all"));
    else if (to == REVIEW_SEQ_ALL)
        snprintf(buf, len, "%" PRId64 "-", from);
    else if (from == to)
        snprintf(buf, len, "%" PRId64, from);
    else
        snprintf(buf, len, "%" PRId64 "-%" PRId64, from, to);
}

/* Finds the kiosk's instance sel names (in full into out). */
static int resolve_instance(sqlite3 *db, const review_selector *sel, char out[33], mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM kiosks WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    sqlite3_bind_text(st, 1, sel->kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return mp_fail(err,
                       "kiosk %s is not provisioned in this office database (minping-office "
                       "kiosks lists the kiosks)",
                       sel->kiosk_id);
    if (rc != SQLITE_ROW)
        return db_fail(db, err);
    const char *want = sel->instance ? sel->instance : "";
    size_t n = strlen(want);
    if (n > 32 || (n > 0 && !hexid_is_lower(want, n)))
        return mp_fail(err, "--instance \"%s\" is not a database instance id (lowercase hex)",
                       want);
    if (sqlite3_prepare_v2(db,
                           "SELECT instance FROM vote_instances WHERE kiosk_id = ?1"
                           " AND substr(instance, 1, length(?2)) = ?2 ORDER BY instance",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    sqlite3_bind_text(st, 1, sel->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, want, -1, SQLITE_STATIC);
    int found = 0;
    char names[160] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (found == 0)
            snprintf(out, 33, "%s", text_col(st, 0));
        size_t used = strlen(names);
        if (used + 12 < sizeof names)
            snprintf(names + used, sizeof names - used, "%s%.8s", found ? ", " : "",
                     text_col(st, 0));
        found++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, err);
    if (found == 1)
        return 0;
    if (found == 0 && n == 0)
        return mp_fail(err, "kiosk %s has no votes in the ledger", sel->kiosk_id);
    if (found == 0)
        return mp_fail(err, "kiosk %s has no database instance %s (minping-office kiosks lists "
                            "them)",
                       sel->kiosk_id, want);
    if (n == 0)
        return mp_fail(err, "kiosk %s has votes from %d database instances (%s): name one with "
                            "--instance",
                       sel->kiosk_id, found, names);
    return mp_fail(err, "--instance %s names %d database instances of kiosk %s (%s): give more "
                        "of it",
                   want, found, sel->kiosk_id, names);
}

/* A vote whose state the record changes. */
typedef struct change {
    int64_t seq;
} change;

int review_add(sqlite3 *db, const review_selector *sel, int exclude, const char *reason,
               const char *by, int64_t now_utc, review_result *out, mp_err *err)
{
    if (!reason || !*reason)
        return mp_fail(err, "a reason is needed (--reason)");
    if (!by || !*by)
        return mp_fail(err, "who decides is needed (--by)");
    if (sel->seq_from < 1 || sel->seq_to < sel->seq_from)
        return mp_fail(err, "%" PRId64 "-%" PRId64 " is not a range of vote numbers",
                       sel->seq_from, sel->seq_to);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return mp_fail(err, "office database busy or read-only: %s", sqlite3_errmsg(db));
    char instance[33] = "";
    sqlite3_stmt *st = NULL;
    tally_delta *delta = NULL;
    change *changes = NULL;
    size_t n_changes = 0, cap = 0;
    int64_t votes = 0, id = 0;
    if (resolve_instance(db, sel, instance, err) < 0)
        goto fail;
    if (!(delta = tally_delta_create(db))) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT v.seq, v.unit_code, v.channel, v.cast_utc, v.utc_offset,"
                           " v.points, v.flagged, e.seq IS NOT NULL FROM votes v"
                           " LEFT JOIN vote_excluded e ON e.kiosk_id = v.kiosk_id"
                           " AND e.instance = v.instance AND e.seq = v.seq"
                           " WHERE v.kiosk_id = ?1 AND v.instance = ?2"
                           " AND v.seq BETWEEN ?3 AND ?4 AND (?5 = 0 OR v.flagged = 1)",
                           -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err);
        goto fail;
    }
    sqlite3_bind_text(st, 1, sel->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, sel->seq_from);
    sqlite3_bind_int64(st, 4, sel->seq_to);
    sqlite3_bind_int(st, 5, sel->flagged_only ? 1 : 0);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        votes++;
        int was = sqlite3_column_int(st, 7);
        if (was == exclude)
            continue;
        int flagged = sqlite3_column_int(st, 6);
        const char *unit = text_col(st, 1), *channel = text_col(st, 2);
        int64_t cast = sqlite3_column_int64(st, 3);
        int offset = sqlite3_column_int(st, 4), points = sqlite3_column_int(st, 5);
        if (tally_delta_vote(delta, unit, channel, cast, offset, points,
                             tally_state_of(flagged, was), -1, err) < 0 ||
            tally_delta_vote(delta, unit, channel, cast, offset, points,
                             tally_state_of(flagged, exclude), 1, err) < 0)
            goto fail;
        if (n_changes == cap) {
            cap = cap ? 2 * cap : 256;
            change *more = realloc(changes, cap * sizeof *more);
            if (!more) {
                mp_fail(err, "out of memory");
                goto fail;
            }
            changes = more;
        }
        changes[n_changes++] = (change){sqlite3_column_int64(st, 0)};
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        db_fail(db, err);
        goto fail;
    }
    char range[48];
    range_text(sel->seq_from, sel->seq_to, range, sizeof range);
    if (votes == 0) {
        if (sel->flagged_only)
            mp_fail(err, "kiosk %s (database %.8s) has no flagged vote numbered %s: nothing "
                         "recorded",
                    sel->kiosk_id, instance, range);
        else
            mp_fail(err, "kiosk %s (database %.8s) has no vote numbered %s: nothing recorded",
                    sel->kiosk_id, instance, range);
        goto fail;
    }
    if (n_changes == 0) {
        if (exclude)
            mp_fail(err, "every vote of kiosk %s numbered %s is excluded already (votes: %"
                         PRId64 "): nothing recorded",
                    sel->kiosk_id, range, votes);
        else
            mp_fail(err, "no vote of kiosk %s numbered %s is excluded (votes: %" PRId64
                         "): nothing to restore, nothing recorded",
                    sel->kiosk_id, range, votes);
        goto fail;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO vote_exclusions(action, kiosk_id, instance, seq_from,"
                           " seq_to, flagged_only, reason, by_name, at_utc, votes, changed)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err);
        goto fail;
    }
    sqlite3_bind_text(st, 1, exclude ? "exclude" : "restore", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sel->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, sel->seq_from);
    sqlite3_bind_int64(st, 5, sel->seq_to);
    sqlite3_bind_int(st, 6, sel->flagged_only ? 1 : 0);
    sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now_utc);
    sqlite3_bind_int64(st, 10, votes);
    sqlite3_bind_int64(st, 11, (int64_t)n_changes);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        db_fail(db, err);
        goto fail;
    }
    id = sqlite3_last_insert_rowid(db);
    if (sqlite3_prepare_v2(db,
                           exclude ? "INSERT INTO vote_excluded(kiosk_id, instance, seq,"
                                     " exclusion_id) VALUES (?1, ?2, ?3, ?4)"
                                   : "DELETE FROM vote_excluded WHERE kiosk_id = ?1"
                                     " AND instance = ?2 AND seq = ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err);
        goto fail;
    }
    sqlite3_bind_text(st, 1, sel->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
    if (exclude)
        sqlite3_bind_int64(st, 4, id);
    rc = SQLITE_DONE;
    for (size_t i = 0; i < n_changes && rc == SQLITE_DONE; i++) {
        sqlite3_bind_int64(st, 3, changes[i].seq);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE) {
        db_fail(db, err);
        goto fail;
    }
    if (tally_delta_apply(delta, db, err) < 0)
        goto fail;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mp_fail(err, "cannot commit to the office database: %s", sqlite3_errmsg(db));
        goto fail;
    }
    if (out) {
        out->id = id;
        snprintf(out->instance, sizeof out->instance, "%s", instance);
        out->votes = votes;
        out->changed = (int64_t)n_changes;
    }
    free(changes);
    tally_delta_destroy(delta);
    return 0;
fail:
    sqlite3_finalize(st);
    free(changes);
    tally_delta_destroy(delta);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int review_each(sqlite3 *db, const char *kiosk_id, review_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, action = 'exclude', kiosk_id, instance, seq_from, seq_to,"
                           " flagged_only, reason, by_name, at_utc, votes, changed"
                           " FROM vote_exclusions WHERE ?1 IS NULL OR kiosk_id = ?1 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    if (kiosk_id)
        sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        review_record r = {
            .id = sqlite3_column_int64(st, 0),
            .exclude = sqlite3_column_int(st, 1),
            .kiosk_id = text_col(st, 2),
            .instance = text_col(st, 3),
            .seq_from = sqlite3_column_int64(st, 4),
            .seq_to = sqlite3_column_int64(st, 5),
            .flagged_only = sqlite3_column_int(st, 6),
            .reason = text_col(st, 7),
            .by = text_col(st, 8),
            .at_utc = sqlite3_column_int64(st, 9),
            .votes = sqlite3_column_int64(st, 10),
            .changed = sqlite3_column_int64(st, 11),
        };
        if (fn(user, &r) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing exclusions");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

int review_each_unit(sqlite3 *db, const char *from, const char *to, const char *channel,
                     review_unit_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           /* CROSS JOIN: from the few excluded votes to theirs, never
                            * the other way round. */
                           "SELECT v.unit_code, e.exclusion_id, count(*) FROM vote_excluded e"
                           " CROSS JOIN votes v ON v.kiosk_id = e.kiosk_id AND v.instance = e.instance"
                           " AND v.seq = e.seq"
                           " WHERE (?1 IS NULL OR date(v.cast_utc + v.utc_offset, 'unixepoch') >= ?1)"
                           " AND (?2 IS NULL OR date(v.cast_utc + v.utc_offset, 'unixepoch') <= ?2)"
                           " AND (?3 IS NULL OR v.channel = ?3)"
                           " GROUP BY v.unit_code, e.exclusion_id ORDER BY v.unit_code, e.exclusion_id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    if (from)
        sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    if (to)
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    if (channel)
        sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(user, text_col(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)) !=
            0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing exclusions");
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

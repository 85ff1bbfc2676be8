/* store_health.c - the store's figures for the kiosk's health report
 * (store.h: store_note_export, store_last_export, store_health_counts,
 * store_time_bounds, store_size_bytes).  The last export is kept in the meta
 * table (keys last_export_utc, last_export_seq): no schema change. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>

/* The integer the query gives (one row, one column; NULL reads as 0). */
static int one_int(store *s, const char *sql, int64_t a, int64_t b, int64_t *out, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "cannot read the database: %s", sqlite3_errmsg(s->db));
    int n = sqlite3_bind_parameter_count(st);
    if (n >= 1)
        sqlite3_bind_int64(st, 1, a);
    if (n >= 2)
        sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return mp_fail(err, "cannot read the database: %s", sqlite3_errmsg(s->db));
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int store_note_export(store *s, int64_t utc, int64_t last_seq, mp_err *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO meta(key, value) VALUES ('last_export_utc', '%lld'), "
             "('last_export_seq', '%lld') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
             (long long)utc, (long long)last_seq);
    if (store_exec(s->db, sql, err) < 0)
        return mp_wrap(err, "cannot record the export");
    return 0;
}

int store_last_export(store *s, int64_t *utc, int64_t *since, mp_err *err)
{
    int64_t seq = 0;
    *utc = 0;
    if (one_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_export_utc' "
                   "UNION ALL SELECT 0 LIMIT 1", 0, 0, utc, err) < 0 ||
        one_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_export_seq' "
                   "UNION ALL SELECT 0 LIMIT 1", 0, 0, &seq, err) < 0)
        return -1;
    return one_int(s, "SELECT count(*) FROM votes WHERE seq > ?1", seq, 0, since, err);
}

int store_max_seq(store *s, int64_t *seq, mp_err *err)
{
    return one_int(s, "SELECT coalesce(max(seq), 0) FROM votes", 0, 0, seq, err);
}

int store_health_counts(store *s, const char *unit_code, int64_t day_start_local,
                        int64_t month_start_local, int64_t out[3], mp_err *err)
{
    sqlite3_stmt *st;
    const char *sql = "SELECT count(*), coalesce(sum(cast_utc + utc_offset >= ?2), 0), "
                      "coalesce(sum(cast_utc + utc_offset >= ?3), 0) FROM votes "
                      "WHERE ?1 IS NULL OR unit_code = ?1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "cannot read the database: %s", sqlite3_errmsg(s->db));
    if (unit_code)
        sqlite3_bind_text(st, 1, unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, day_start_local);
    sqlite3_bind_int64(st, 3, month_start_local);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return mp_fail(err, "cannot read the database: %s", sqlite3_errmsg(s->db));
    }
    out[0] = sqlite3_column_int64(st, 1); /* today */
    out[1] = sqlite3_column_int64(st, 2); /* this month */
    out[2] = sqlite3_column_int64(st, 0); /* in total */
    sqlite3_finalize(st);
    return 0;
}

int store_votes_since(store *s, int64_t since_utc, int64_t *n, mp_err *err)
{
    return one_int(s, "SELECT count(*) FROM votes WHERE cast_utc >= ?1", since_utc, 0, n, err);
}

int store_time_bounds(store *s, int64_t *created_utc, int64_t *latest_vote_utc, mp_err *err)
{
    if (one_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'created_utc' "
                   "UNION ALL SELECT 0 LIMIT 1", 0, 0, created_utc, err) < 0)
        return -1;
    return one_int(s, "SELECT coalesce(max(cast_utc), 0) FROM votes", 0, 0, latest_vote_utc, err);
}

int store_size_bytes(store *s, int64_t *bytes, mp_err *err)
{
    int64_t pages, size;
    if (one_int(s, "PRAGMA page_count", 0, 0, &pages, err) < 0 ||
        one_int(s, "PRAGMA page_size", 0, 0, &size, err) < 0)
        return -1;
    *bytes = pages * size;
    return 0;
}

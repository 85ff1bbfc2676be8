/* assess_votes.c - counting a unit's votes of a year for 民主测评 (see
 * assess_votes.h). */
#include "assess_votes.h"

#include <stdio.h>
#include <string.h>

int assess_votes_unit(sqlite3 *db, const char *unit, int year, const rubric_settings *s,
                      assess_votes *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    /* The local date decides; the cast_utc bounds (the year ± 1 day, wider
     * than any UTC offset) only let the (unit_code, cast_utc) index narrow
     * the scan. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT points, flagged, channel, count(*) FROM votes"
                           " WHERE unit_code = ?1"
                           " AND cast_utc >= unixepoch(?2) - 86400 AND cast_utc < unixepoch(?3) + 2 * 86400"
                           " AND date(cast_utc + utc_offset, 'unixepoch') BETWEEN ?2 AND ?3"
                           " GROUP BY points, flagged, channel",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int points = sqlite3_column_int(st, 0);
        int flagged = sqlite3_column_int(st, 1);
        const char *channel = (const char *)sqlite3_column_text(st, 2);
        int64_t n = sqlite3_column_int64(st, 3);
        int channel_ok = s->all_channels;
        for (int i = 0; i < s->n_channels && !channel_ok; i++)
            channel_ok = channel && strcmp(channel, s->channels[i]) == 0;
        if (!channel_ok) {
            out->channel_left_out += n;
            continue;
        }
        if (flagged && !s->include_flagged) {
            out->flagged_left_out += n;
            continue;
        }
        for (int i = 0; i < RATING_COUNT; i++)
            if (RATINGS[i].points == points)
                out->counts[i] += n;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
    return score_compute(out->counts, &out->s, err);
}

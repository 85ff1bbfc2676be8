/* followup.c - follow-up records in the vote store (followup.h). */
#include "followup.h"
#include "rating.h"
#include "store_int.h"
#include "utf8.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int followup_clean_comment(const char *in, size_t len, char out[FOLLOWUP_COMMENT_BYTES],
                           mp_err *err)
{
    if (len >= FOLLOWUP_COMMENT_BYTES)
        return mp_fail(err, "the comment is longer than %d characters",
                       FOLLOWUP_COMMENT_MAX_CHARS);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '\r' || c == '\n' || c == '\t')
            c = ' ';
        if (c == '\0')
            return mp_fail(err, "the comment contains a NUL byte");
        out[n++] = c;
    }
    out[n] = '\0';
    size_t start = 0;
    while (out[start] == ' ')
        start++;
    while (n > start && out[n - 1] == ' ')
        out[--n] = '\0';
    memmove(out, out + start, n - start + 1);
    long chars = utf8_count_printable(out);
    if (chars < 0)
        return mp_fail(err, "the comment is not valid UTF-8 text");
    if (chars > FOLLOWUP_COMMENT_MAX_CHARS)
        return mp_fail(err, "the comment is longer than %d characters (has %ld)",
                       FOLLOWUP_COMMENT_MAX_CHARS, chars);
    return 0;
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

int followup_add(store *s, const followup_in *in, followup_result *res, mp_err *err)
{
    if (!s->insert)
        return mp_fail(err, "this store is read-only");
    if (in->n_reasons > FOLLOWUP_REASONS_MAX)
        return mp_fail(err, "too many reasons (at most %d)", FOLLOWUP_REASONS_MAX);
    size_t total = 1;
    for (size_t i = 0; i < in->n_reasons; i++) {
        if (utf8_count_printable(in->reasons[i]) < 1 || strchr(in->reasons[i], '|'))
            return mp_fail(err, "a reason is empty, not text, or contains '|'");
        total += strlen(in->reasons[i]) + 1;
    }
    if (utf8_count_printable(in->comment) < 0)
        return mp_fail(err, "the comment is not text");
    char *joined = malloc(total);
    if (!joined)
        return mp_fail(err, "out of memory");
    joined[0] = '\0';
    for (size_t i = 0; i < in->n_reasons; i++) {
        if (i)
            strcat(joined, "|");
        strcat(joined, in->reasons[i]);
    }
    char uuid[37];
    new_uuid(uuid);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        "INSERT INTO followups(instance, uuid, created_utc, utc_offset, vote_kiosk, "
        "vote_instance, vote_seq, unit_code, points, reasons, comment, channel) "
        "SELECT ?1, ?2, ?3, ?4, '', instance, seq, unit_code, points, ?5, ?6, ?7 "
        "FROM votes WHERE seq = ?8 "
        "ON CONFLICT (vote_kiosk, vote_instance, vote_seq) DO NOTHING",
        -1, &st, NULL);
    if (rc != SQLITE_OK) {
        free(joined);
        return mp_fail(err, "follow-up not stored: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_bind_text(st, 1, s->instance, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, in->created_utc);
    sqlite3_bind_int(st, 4, in->utc_offset);
    sqlite3_bind_text(st, 5, joined, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, in->comment, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, in->channel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, in->vote_seq);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(joined);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "follow-up not stored: %s", sqlite3_errmsg(s->db));
    if (sqlite3_changes(s->db) == 1) {
        *res = FOLLOWUP_STORED;
        return 0;
    }
    /* Nothing inserted: either the vote is not there or it has one. */
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM votes WHERE seq = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    sqlite3_bind_int64(st, 1, in->vote_seq);
    rc = sqlite3_step(st);
    int have = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    *res = have ? FOLLOWUP_DUPLICATE : FOLLOWUP_NO_VOTE;
    return 0;
}

int followup_each(store *s, int (*fn)(void *user, const followup_row *row), void *user,
                  mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return mp_fail(err, "cannot read follow-ups: %s", sqlite3_errmsg(s->db));
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT seq, instance, uuid, created_utc, utc_offset, vote_kiosk, "
                                "vote_instance, vote_seq, unit_code, points, reasons, comment, "
                                "channel FROM followups ORDER BY seq",
                                -1, &st, NULL);
    int failed = rc != SQLITE_OK;
    if (failed)
        mp_fail(err, "cannot read follow-ups: %s", sqlite3_errmsg(s->db));
    while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        followup_row r = {
            .seq = sqlite3_column_int64(st, 0),
            .instance = (const char *)sqlite3_column_text(st, 1),
            .uuid = (const char *)sqlite3_column_text(st, 2),
            .created_utc = sqlite3_column_int64(st, 3),
            .utc_offset = sqlite3_column_int(st, 4),
            .vote_kiosk = (const char *)sqlite3_column_text(st, 5),
            .vote_instance = (const char *)sqlite3_column_text(st, 6),
            .vote_seq = sqlite3_column_int64(st, 7),
            .unit_code = (const char *)sqlite3_column_text(st, 8),
            .points = sqlite3_column_int(st, 9),
            .reasons = (const char *)sqlite3_column_text(st, 10),
            .comment = (const char *)sqlite3_column_text(st, 11),
            .channel = (const char *)sqlite3_column_text(st, 12),
        };
        if (!r.instance || !r.uuid || !r.vote_kiosk || !r.vote_instance || !r.unit_code ||
            !r.reasons || !r.comment || !r.channel) {
            failed = 1;
            mp_fail(err, "follow-up %lld is damaged", (long long)r.seq);
        } else if (fn(user, &r) != 0) {
            failed = 1;
            mp_fail(err, "stopped by caller");
        }
    }
    if (!failed && rc != SQLITE_DONE) {
        failed = 1;
        mp_fail(err, "cannot read follow-ups: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return failed ? -1 : 0;
}

int followup_count(store *s, int64_t *out, mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM followups", -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : mp_fail(err, "%s", sqlite3_errmsg(s->db));
}

/* The reasons joined by '|' (malloc'd), after checking them. */
static char *join_reasons(const followup_in *in, mp_err *err)
{
    if (in->n_reasons > FOLLOWUP_REASONS_MAX) {
        mp_fail(err, "too many reasons (at most %d)", FOLLOWUP_REASONS_MAX);
        return NULL;
    }
    size_t total = 1;
    for (size_t i = 0; i < in->n_reasons; i++) {
        if (utf8_count_printable(in->reasons[i]) < 1 || strchr(in->reasons[i], '|')) {
            mp_fail(err, "a reason is empty, not text, or contains '|'");
            return NULL;
        }
        total += strlen(in->reasons[i]) + 1;
    }
    char *joined = malloc(total);
    if (!joined) {
        mp_fail(err, "out of memory");
        return NULL;
    }
    joined[0] = '\0';
    for (size_t i = 0; i < in->n_reasons; i++) {
        if (i)
            strcat(joined, "|");
        strcat(joined, in->reasons[i]);
    }
    return joined;
}

int followup_add_kiosk(store *s, const followup_kiosk_vote *v, const followup_in *in,
                       followup_result *res, mp_err *err)
{
    if (!s->insert)
        return mp_fail(err, "this store is read-only");
    if (!v->kiosk[0] || strlen(v->instance) != 32 || v->seq < 1 || !rating_by_points(v->points))
        return mp_fail(err, "not a kiosk vote");
    if (utf8_count_printable(in->comment) < 0)
        return mp_fail(err, "the comment is not text");
    char *joined = join_reasons(in, err);
    if (!joined)
        return -1;
    char uuid[37];
    new_uuid(uuid);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        "INSERT INTO followups(instance, uuid, created_utc, utc_offset, vote_kiosk, "
        "vote_instance, vote_seq, unit_code, points, reasons, comment, channel) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
        "ON CONFLICT (vote_kiosk, vote_instance, vote_seq) DO NOTHING",
        -1, &st, NULL);
    if (rc != SQLITE_OK) {
        free(joined);
        return mp_fail(err, "follow-up not stored: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_bind_text(st, 1, s->instance, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, in->created_utc);
    sqlite3_bind_int(st, 4, in->utc_offset);
    sqlite3_bind_text(st, 5, v->kiosk, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, v->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, v->seq);
    sqlite3_bind_text(st, 8, v->unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, v->points);
    sqlite3_bind_text(st, 10, joined, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, in->comment, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, in->channel, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(joined);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "follow-up not stored: %s", sqlite3_errmsg(s->db));
    *res = sqlite3_changes(s->db) == 1 ? FOLLOWUP_STORED : FOLLOWUP_DUPLICATE;
    return 0;
}

int followup_exists(store *s, const char *kiosk, const char *instance, int64_t seq, int *yes,
                    mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT count(*) FROM followups WHERE vote_kiosk = ?1 AND "
                           "vote_instance = ?2 AND vote_seq = ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, seq);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *yes = sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : mp_fail(err, "%s", sqlite3_errmsg(s->db));
}

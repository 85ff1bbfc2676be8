/* ledger_query.c - the questions the office asks of its vote ledger
 * (ledger.h): gaps, clock warnings, what is stored, counts per unit. */
#include "ledger.h"
#include "ledger_int.h"

#include "calendar.h"
#include "config.h"
#include "tally.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The local calendar date of a vote, as SQL. */
#define LOCAL_DATE "date(v.cast_utc + v.utc_offset, 'unixepoch')"
/* Votes inside the window ?1 (from) .. ?2 (to), either may be NULL. */
#define IN_WINDOW "(?1 IS NULL OR " LOCAL_DATE " >= ?1) AND (?2 IS NULL OR " LOCAL_DATE " <= ?2)"

/* ---- gaps ---- */

/* Walks the seqs of one instance (or every instance of one kiosk, or every
 * instance: kiosk_id / instance NULL), by kiosk, instance and seq, calling
 * fn for each run of missing numbers.  Returns 1 when fn stopped it. */
static int walk_gaps(sqlite3 *db, const char *kiosk_id, const char *instance, ledger_gap_fn fn,
                     void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT kiosk_id, instance, seq FROM votes"
                           " WHERE (?1 IS NULL OR kiosk_id = ?1) AND (?2 IS NULL OR instance = ?2)"
                           " ORDER BY kiosk_id, instance, seq",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(db, err);
    ledger_bind_opt(st, 1, kiosk_id);
    ledger_bind_opt(st, 2, instance);
    char kiosk[CONFIG_ID_MAX + 1] = "", inst[64] = "";
    int64_t prev = 0;
    int rc, stopped = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = ledger_text_col(st, 0), *i = ledger_text_col(st, 1);
        int64_t seq = sqlite3_column_int64(st, 2);
        if (strcmp(k, kiosk) != 0 || strcmp(i, inst) != 0) {
            snprintf(kiosk, sizeof kiosk, "%s", k);
            snprintf(inst, sizeof inst, "%s", i);
            prev = 0;
        }
        if (seq > prev + 1) {
            ledger_gap g = {k, i, prev + 1, seq - 1};
            if (fn(user, &g) != 0) {
                stopped = 1;
                break;
            }
        }
        prev = seq;
    }
    sqlite3_finalize(st);
    if (stopped)
        return 1;
    if (rc != SQLITE_DONE)
        return ledger_db_fail(db, err);
    return 0;
}

int ledger_each_gap(sqlite3 *db, const char *kiosk_id, const char *instance, ledger_gap_fn fn,
                    void *user, mp_err *err)
{
    /* An instance whose votes number as many as its highest seq has no gap
     * (seqs are distinct and from 1): only the others are walked. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT kiosk_id, instance FROM votes"
                           " WHERE (?1 IS NULL OR kiosk_id = ?1) AND (?2 IS NULL OR instance = ?2)"
                           " GROUP BY kiosk_id, instance HAVING count(*) < max(seq)"
                           " ORDER BY kiosk_id, instance",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(db, err);
    ledger_bind_opt(st, 1, kiosk_id);
    ledger_bind_opt(st, 2, instance);
    int rc, walked = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char k[CONFIG_ID_MAX + 1], i[64];
        snprintf(k, sizeof k, "%s", ledger_text_col(st, 0));
        snprintf(i, sizeof i, "%s", ledger_text_col(st, 1));
        walked = walk_gaps(db, k, i, fn, user, err);
        if (walked != 0)
            break;
    }
    sqlite3_finalize(st);
    if (walked == 1)
        return mp_fail(err, "stopped while listing gaps");
    if (walked < 0)
        return -1;
    if (rc != SQLITE_DONE)
        return ledger_db_fail(db, err);
    return 0;
}

typedef struct gap_text {
    ledger_ranges list;
    int64_t missing;
} gap_text;

static int add_gap(void *user, const ledger_gap *g)
{
    gap_text *t = user;
    ledger_ranges_break(&t->list); /* gaps of two instances may touch */
    ledger_ranges_add(&t->list, g->from, g->to);
    t->missing += g->to - g->from + 1;
    return 0;
}

int ledger_gap_text(sqlite3 *db, const char *kiosk_id, const char *instance, int max_ranges,
                    char **out, int64_t *missing, mp_err *err)
{
    if (max_ranges < 1)
        max_ranges = 1;
    /* Room for every range shown (two 19-digit numbers and ", " each) and
     * the ", … and N more ranges" after them: the text is never cut. */
    size_t cap = (size_t)max_ranges * 44 + 64;
    char *buf = malloc(cap);
    if (!buf)
        return mp_fail(err, "out of memory");
    gap_text t = {.missing = 0};
    ledger_ranges_init(&t.list, buf, cap, max_ranges);
    if (ledger_each_gap(db, kiosk_id, instance, add_gap, &t, err) < 0) {
        free(buf);
        return -1;
    }
    ledger_ranges_end(&t.list);
    *out = buf;
    if (missing)
        *missing = t.missing;
    return 0;
}

/* ---- clocks ---- */

enum { SEQS_TEXT_MAX = 400 };

typedef struct clock_acc {
    ledger_clock_warning w;
    char kiosk[CONFIG_ID_MAX + 1];
    char instance[33];
    char seqs[SEQS_TEXT_MAX + 8];
    ledger_ranges list; /* into seqs */
} clock_acc;

static void clock_acc_reset(clock_acc *a)
{
    memset(a, 0, sizeof *a);
    ledger_ranges_init(&a->list, a->seqs, sizeof a->seqs, 0);
}

int ledger_each_clock_warning(sqlite3 *db, const char *kiosk_id, const char *from,
                              const char *to, ledger_clock_fn fn, void *user, mp_err *err)
{
    /* The votes were tested when they were imported (vote_clock_suspects):
     * the kiosk's first provisioning, the export and the import that brought
     * a vote never change. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "SELECT v.kiosk_id, v.instance, v.seq, v.cast_utc, p.utc,"
            " s.reasons & 1, (s.reasons >> 1) & 1, (s.reasons >> 2) & 1,"
            " coalesce(" IN_WINDOW ", 0)"
            " FROM vote_clock_suspects s CROSS JOIN votes v ON v.kiosk_id = s.kiosk_id"
            "  AND v.instance = s.instance AND v.seq = s.seq"
            " JOIN (SELECT k.id AS kiosk_id, coalesce(f.utc, k.provisioned_utc) AS utc"
            "  FROM kiosks k LEFT JOIN kiosk_first_provisioned f ON f.kiosk_id = k.id) p"
            "  ON p.kiosk_id = v.kiosk_id"
            " WHERE (?3 IS NULL OR s.kiosk_id = ?3)"
            " ORDER BY s.kiosk_id, s.instance, s.seq",
            -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(db, err);
    ledger_bind_opt(st, 1, from);
    ledger_bind_opt(st, 2, to);
    ledger_bind_opt(st, 3, kiosk_id);

    clock_acc a;
    clock_acc_reset(&a);
    int rc, stopped = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = ledger_text_col(st, 0), *inst = ledger_text_col(st, 1);
        int64_t seq = sqlite3_column_int64(st, 2), cast = sqlite3_column_int64(st, 3);
        if (a.w.votes > 0 && strcmp(k, a.kiosk) != 0) {
            ledger_ranges_end(&a.list);
            a.w.seqs = a.seqs;
            if (fn(user, &a.w) != 0) {
                stopped = 1;
                break;
            }
            clock_acc_reset(&a);
        }
        if (a.w.votes == 0) {
            snprintf(a.kiosk, sizeof a.kiosk, "%s", k);
            a.w.kiosk_id = a.kiosk;
            a.w.provisioned_utc = sqlite3_column_int64(st, 4);
            a.w.earliest_utc = a.w.latest_utc = cast;
        }
        if (strcmp(inst, a.instance) != 0) {
            char head[64];
            snprintf(head, sizeof head, "%s%.8s: ", a.instance[0] ? "; " : "", inst);
            ledger_ranges_head(&a.list, head);
            snprintf(a.instance, sizeof a.instance, "%s", inst);
        }
        ledger_ranges_add(&a.list, seq, seq);
        a.w.votes++;
        a.w.before_provisioned += sqlite3_column_int(st, 5);
        a.w.after_export += sqlite3_column_int(st, 6);
        a.w.future += sqlite3_column_int(st, 7);
        a.w.in_window += sqlite3_column_int(st, 8);
        if (cast < a.w.earliest_utc)
            a.w.earliest_utc = cast;
        if (cast > a.w.latest_utc)
            a.w.latest_utc = cast;
    }
    sqlite3_finalize(st);
    if (stopped)
        return mp_fail(err, "stopped while listing clock warnings");
    if (rc != SQLITE_DONE)
        return ledger_db_fail(db, err);
    if (a.w.votes > 0) {
        ledger_ranges_end(&a.list);
        a.w.seqs = a.seqs;
        if (fn(user, &a.w) != 0)
            return mp_fail(err, "stopped while listing clock warnings");
    }
    return 0;
}

/* ---- what is stored ---- */

int ledger_each_kiosk(sqlite3 *db, ledger_kiosk_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT k.id, k.provisioned_utc, coalesce(f.utc, k.provisioned_utc),"
                           " (SELECT count(*) FROM kiosk_units u WHERE u.kiosk_id = k.id),"
                           " (SELECT count(*) FROM imports i WHERE i.kiosk_id = k.id),"
                           " (SELECT count(*) FROM votes v WHERE v.kiosk_id = k.id),"
                           " (SELECT coalesce(max(imported_utc), 0) FROM imports i"
                           "  WHERE i.kiosk_id = k.id),"
                           " (SELECT count(DISTINCT file_sha256) FROM imports i"
                           "  WHERE i.kiosk_id = k.id), k.survey_url"
                           " FROM kiosks k LEFT JOIN kiosk_first_provisioned f"
                           " ON f.kiosk_id = k.id ORDER BY k.id",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(db, err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_kiosk k = {ledger_text_col(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                          sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
                          sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
                          ledger_text_col(st, 8)};
        if (fn(user, &k) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing kiosks");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ledger_db_fail(db, err);
}

int ledger_each_instance(sqlite3 *db, const char *kiosk_id, ledger_instance_fn fn, void *user,
                         mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT i.kiosk_id, i.instance, count(*), max(i.exported_utc),"
                           " max(i.imported_utc), v.votes, v.flagged, v.max_seq,"
                           " count(DISTINCT i.file_sha256)"
                           " FROM imports i LEFT JOIN vote_instances v"
                           " ON v.kiosk_id = i.kiosk_id AND v.instance = i.instance"
                           " WHERE ?1 IS NULL OR i.kiosk_id = ?1"
                           " GROUP BY i.kiosk_id, i.instance ORDER BY i.kiosk_id, min(i.id)",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(db, err);
    ledger_bind_opt(st, 1, kiosk_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_instance in = {
            .kiosk_id = ledger_text_col(st, 0),
            .instance = ledger_text_col(st, 1),
            .imports = sqlite3_column_int64(st, 2),
            .last_exported_utc = sqlite3_column_int64(st, 3),
            .last_imported_utc = sqlite3_column_int64(st, 4),
            .votes = sqlite3_column_int64(st, 5),
            .flagged = sqlite3_column_int64(st, 6),
            .max_seq = sqlite3_column_int64(st, 7),
            .files = sqlite3_column_int64(st, 8),
        };
        in.missing = in.max_seq - in.votes;
        if (fn(user, &in) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing instances");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ledger_db_fail(db, err);
}

int ledger_each_import(sqlite3 *db, ledger_import_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, file_name, file_sha256, kiosk_id, instance, exported_utc,"
                           " rows, new_rows, first_seq, last_seq, key_id, imported_utc,"
                           " absent_rows, absent_seqs FROM imports ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(db, err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_import_info imp = {
            sqlite3_column_int64(st, 0), ledger_text_col(st, 1), ledger_text_col(st, 2), ledger_text_col(st, 3),
            ledger_text_col(st, 4), sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
            sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8),
            sqlite3_column_int64(st, 9), ledger_text_col(st, 10), sqlite3_column_int64(st, 11),
            sqlite3_column_int64(st, 12), ledger_text_col(st, 13)};
        if (fn(user, &imp) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing imports");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ledger_db_fail(db, err);
}

/* ---- counts ---- */

/* A unit code's tallies in a window, summed over its channels. */
typedef struct unit_tally {
    char *code;
    tally_counts t;
    int64_t kiosk[TALLY_STATES], online[TALLY_STATES]; /* by state, every rating */
} unit_tally;

typedef struct tallies {
    unit_tally *u;
    size_t n, cap;
    int oom;
} tallies;

static int add_tally(void *user, const char *code, const char *channel, const tally_counts *t)
{
    tallies *a = user;
    if (a->n == 0 || strcmp(a->u[a->n - 1].code, code) != 0) {
        if (a->n == a->cap) {
            size_t cap = a->cap ? 2 * a->cap : 64;
            unit_tally *more = realloc(a->u, cap * sizeof *more);
            if (!more)
                return a->oom = 1;
            a->u = more;
            a->cap = cap;
        }
        memset(&a->u[a->n], 0, sizeof a->u[a->n]);
        if (!(a->u[a->n].code = strdup(code)))
            return a->oom = 1;
        a->n++;
    }
    unit_tally *u = &a->u[a->n - 1];
    int64_t *by_channel = strcmp(channel, "kiosk") == 0    ? u->kiosk
                          : strcmp(channel, "online") == 0 ? u->online
                                                           : NULL;
    for (int s = 0; s < TALLY_STATES; s++)
        for (int i = 0; i < RATING_COUNT; i++) {
            u->t.n[s][i] += t->n[s][i];
            if (by_channel)
                by_channel[s] += t->n[s][i];
        }
    return 0;
}

static void tallies_free(tallies *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->u[i].code);
    free(a->u);
}

/* Every unit code's tallies in the window, by code (the order of SQLite's
 * BINARY collation, strcmp's). */
static int collect_tallies(sqlite3 *db, const char *from, const char *to, const char *channel,
                           tallies *a, mp_err *err)
{
    memset(a, 0, sizeof *a);
    if (tally_each_unit(db, from, to, channel, NULL, add_tally, a, err) < 0) {
        tallies_free(a);
        if (a->oom)
            return mp_fail(err, "out of memory");
        return -1;
    }
    return 0;
}

static void fill_counts(ledger_unit_counts *u, const tally_counts *t)
{
    for (int i = 0; i < RATING_COUNT; i++) {
        u->counts[i] = t->n[TALLY_COUNTED][i];
        u->flagged[i] = t->n[TALLY_FLAGGED][i];
        u->excluded[i] = t->n[TALLY_EXCLUDED][i];
        u->excluded_flagged[i] = t->n[TALLY_EXCLUDED_FLAGGED][i];
    }
}

int ledger_each_unit_counts(sqlite3 *db, const char *from, const char *to, ledger_unit_fn fn,
                            void *user, mp_err *err)
{
    return ledger_each_unit_counts_in(db, from, to, NULL, fn, user, err);
}

int ledger_each_unit_counts_in(sqlite3 *db, const char *from, const char *to,
                               const char *channel, ledger_unit_fn fn, void *user, mp_err *err)
{
    tallies a;
    if (collect_tallies(db, from, to, channel, &a, err) < 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT code, name, type FROM units ORDER BY code", -1, &st,
                           NULL) != SQLITE_OK) {
        tallies_free(&a);
        return ledger_db_fail(db, err);
    }
    size_t k = 0;
    int rc, stopped = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_unit_counts u = {.code = ledger_text_col(st, 0),
                                .name = ledger_text_col(st, 1),
                                .type = sqlite3_column_type(st, 2) == SQLITE_NULL
                                            ? NULL
                                            : ledger_text_col(st, 2)};
        while (k < a.n && strcmp(a.u[k].code, u.code) < 0)
            k++;
        if (k < a.n && strcmp(a.u[k].code, u.code) == 0)
            fill_counts(&u, &a.u[k].t);
        if (fn(user, &u) != 0) {
            stopped = 1;
            break;
        }
    }
    sqlite3_finalize(st);
    tallies_free(&a);
    if (stopped)
        return mp_fail(err, "stopped while counting votes");
    return rc == SQLITE_DONE ? 0 : ledger_db_fail(db, err);
}

int ledger_each_unregistered(sqlite3 *db, const char *from, const char *to, ledger_unit_fn fn,
                             void *user, mp_err *err)
{
    return ledger_each_unregistered_in(db, from, to, NULL, fn, user, err);
}

int ledger_each_unregistered_in(sqlite3 *db, const char *from, const char *to,
                                const char *channel, ledger_unit_fn fn, void *user, mp_err *err)
{
    tallies a;
    if (collect_tallies(db, from, to, channel, &a, err) < 0)
        return -1;
    sqlite3_stmt *known = NULL, *name = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM units WHERE code = ?1", -1, &known, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT unit_name FROM votes WHERE unit_code = ?1"
                           " ORDER BY cast_utc DESC LIMIT 1",
                           -1, &name, NULL) != SQLITE_OK) {
        sqlite3_finalize(known);
        tallies_free(&a);
        return ledger_db_fail(db, err);
    }
    int rc = SQLITE_DONE, stopped = 0;
    for (size_t k = 0; k < a.n && !stopped; k++) {
        sqlite3_bind_text(known, 1, a.u[k].code, -1, SQLITE_STATIC);
        rc = sqlite3_step(known);
        sqlite3_reset(known);
        if (rc == SQLITE_ROW) {
            rc = SQLITE_DONE;
            continue; /* registered */
        }
        if (rc != SQLITE_DONE)
            break;
        sqlite3_bind_text(name, 1, a.u[k].code, -1, SQLITE_STATIC);
        rc = sqlite3_step(name);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            sqlite3_reset(name);
            break;
        }
        ledger_unit_counts u = {.code = a.u[k].code,
                                .name = rc == SQLITE_ROW ? ledger_text_col(name, 0) : ""};
        fill_counts(&u, &a.u[k].t);
        stopped = fn(user, &u) != 0;
        sqlite3_reset(name);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(known);
    sqlite3_finalize(name);
    tallies_free(&a);
    if (stopped)
        return mp_fail(err, "stopped while counting votes");
    return rc == SQLITE_DONE ? 0 : ledger_db_fail(db, err);
}

int ledger_each_channel_votes(sqlite3 *db, const char *from, const char *to,
                              const char *channel, int include_flagged, ledger_channel_fn fn,
                              void *user, mp_err *err)
{
    tallies a;
    if (collect_tallies(db, from, to, channel, &a, err) < 0)
        return -1;
    int stopped = 0;
    for (size_t k = 0; k < a.n && !stopped; k++) {
        const unit_tally *u = &a.u[k];
        int64_t kiosk = u->kiosk[TALLY_COUNTED] + (include_flagged ? u->kiosk[TALLY_FLAGGED] : 0);
        int64_t online =
            u->online[TALLY_COUNTED] + (include_flagged ? u->online[TALLY_FLAGGED] : 0);
        int64_t all = 0;
        for (int s = 0; s < TALLY_STATES; s++)
            for (int i = 0; i < RATING_COUNT; i++)
                all += u->t.n[s][i];
        if (all == 0)
            continue; /* only rows emptied by restores and exclusions */
        stopped = fn(user, u->code, kiosk, online) != 0;
    }
    tallies_free(&a);
    if (stopped)
        return mp_fail(err, "stopped while counting votes by channel");
    return 0;
}

int ledger_check_date(const char *d, mp_err *err)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return mp_fail(err, "\"%s\" is not a date like 2026-01-31", d);
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
            return mp_fail(err, "\"%s\" is not a date like 2026-01-31", d);
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    if (y < 1970)
        return mp_fail(err, "%s: the year is before 1970", d);
    if (m < 1 || m > 12)
        return mp_fail(err, "%s: there is no month %d", d, m);
    int max = calendar_days_in_month(y, m);
    if (day < 1 || day > max)
        return mp_fail(err, "%s: month %d has no day %d", d, m, day);
    return 0;
}

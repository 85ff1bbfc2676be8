/* ledger.c - the office's vote ledger (see ledger.h): storing verified
 * export rows once per (kiosk, instance, seq), and the questions asked of
 * what is stored (gaps, clock warnings, counts per unit). */
#include "ledger.h"
#include "ledger_followup.h"

#include "config.h"
#include "utf8.h"

#include <ctype.h>
#include <pthread.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The local calendar date of a vote, as SQL. */
#define LOCAL_DATE "date(v.cast_utc + v.utc_offset, 'unixepoch')"
/* Votes inside the window ?1 (from) .. ?2 (to), either may be NULL. */
#define IN_WINDOW "(?1 IS NULL OR " LOCAL_DATE " >= ?1) AND (?2 IS NULL OR " LOCAL_DATE " <= ?2)"

static int db_fail(sqlite3 *db, mp_err *err)
{
    return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
}

static const char *text_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* ---- the import transaction ---- */

/* Votes the ledger cannot have yet (numbered above the highest it has of
 * their instance) are stored LEDGER_BATCH at a time by one multi-row
 * INSERT: a statement's per-execution cost (the votes table's CHECK (points
 * IN (...)) builds a small table each time) is then paid once a batch. */
enum { LEDGER_BATCH = 64, LEDGER_COLS = 12 };
_Static_assert(LEDGER_BATCH * LEDGER_COLS <= 32766, "within SQLite's default variable limit");

/* A vote waiting for its batch; its strings are offsets into tx->arena. */
typedef struct pending_vote {
    int64_t seq, cast_utc;
    int utc_offset, points, flagged;
    size_t uuid, unit_code, unit_name, channel;
} pending_vote;

struct ledger_tx {
    sqlite3 *db;
    sqlite3_stmt *insert;   /* a vote, unless its key is there already */
    sqlite3_stmt *insert_batch; /* LEDGER_BATCH new votes */
    sqlite3_stmt *existing; /* the stored vote with a key, and where it came from */
    int64_t known_max;      /* the highest seq of the file's instance stored before it */
    pending_vote pending[LEDGER_BATCH];
    int n_pending;
    char *arena;            /* the pending votes' strings */
    size_t arena_len, arena_cap;
    char *file_name;
    char sha256[65];
    int64_t now_utc;
    int64_t import_id;      /* 0 until the imports row exists */
    int64_t seen_import_id;
    char kiosk_id[CONFIG_ID_MAX + 1];
    char instance[33];
    int64_t rows, new_rows, last_seq;
    int temp_store;         /* the connection's PRAGMA temp_store before, or -1 */
    char *unit_index_sql;   /* votes_by_unit's CREATE INDEX, while it is dropped */
    int64_t *seqs;          /* the file's seqs, ascending */
    size_t n_seqs, cap_seqs;
};

static int is_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
            return 0;
    return 1;
}

/* A one-number PRAGMA's value, or -1. */
static int pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static void tx_free(ledger_tx *tx)
{
    if (tx->temp_store >= 0) {
        char sql[40];
        snprintf(sql, sizeof sql, "PRAGMA temp_store = %d", tx->temp_store);
        sqlite3_exec(tx->db, sql, NULL, NULL, NULL);
    }
    free(tx->seqs);
    free(tx->arena);
    sqlite3_free(tx->unit_index_sql);
    sqlite3_finalize(tx->insert);
    sqlite3_finalize(tx->insert_batch);
    sqlite3_finalize(tx->existing);
    free(tx->file_name);
    free(tx);
}

void ledger_tx_abort(ledger_tx *tx)
{
    if (!tx)
        return;
    sqlite3_exec(tx->db, "ROLLBACK", NULL, NULL, NULL);
    tx_free(tx);
}

/* INSERT INTO votes(...) VALUES (?1..?12), (?13..?24), ...: LEDGER_BATCH rows. */
static int prepare_batch(sqlite3 *db, sqlite3_stmt **out)
{
    static const char head[] = "INSERT INTO votes(kiosk_id, instance, seq, uuid, cast_utc, "
                               "utc_offset, unit_code, unit_name, points, channel, flagged, "
                               "import_id) VALUES ";
    char sql[sizeof head + LEDGER_BATCH * (2 + LEDGER_COLS * 2)];
    size_t n = sizeof head - 1;
    memcpy(sql, head, n);
    for (int i = 0; i < LEDGER_BATCH; i++) {
        memcpy(sql + n, i ? ",(" : "(", i ? 2 : 1);
        n += i ? 2 : 1;
        for (int c = 0; c < LEDGER_COLS; c++) {
            memcpy(sql + n, c ? ",?" : "?", c ? 2 : 1);
            n += c ? 2 : 1;
        }
        sql[n++] = ')';
    }
    sql[n] = '\0';
    return sqlite3_prepare_v3(db, sql, (int)n + 1, SQLITE_PREPARE_PERSISTENT, out, NULL);
}

int ledger_tx_begin(sqlite3 *db, const char *file_name, const char *sha256, int64_t now_utc,
                    ledger_tx **out, mp_err *err)
{
    if (!file_name || !*file_name)
        return mp_fail(err, "no file name to record");
    if (!sha256 || !is_lower_hex(sha256, 64))
        return mp_fail(err, "\"%s\" is not a SHA-256 in hex", sha256 ? sha256 : "");
    ledger_tx *tx = calloc(1, sizeof *tx);
    if (!tx || !(tx->file_name = strdup(file_name))) {
        free(tx);
        return mp_fail(err, "out of memory");
    }
    tx->db = db;
    tx->temp_store = -1;
    memcpy(tx->sha256, sha256, 65);
    tx->now_utc = now_utc;

    /* Every INSERT of the import may abort (the votes' foreign keys), so
     * SQLite keeps a statement journal of the pages each one changes: in
     * memory, not in a temporary file, for the length of the import. */
    tx->temp_store = pragma_int(db, "PRAGMA temp_store");
    if (tx->temp_store >= 0)
        sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        mp_fail(err, "office database busy or read-only: %s", sqlite3_errmsg(db));
        tx_free(tx);
        return -1;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO votes(kiosk_id, instance, seq, uuid, cast_utc, "
                           "utc_offset, unit_code, unit_name, points, channel, flagged, "
                           "import_id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) "
                           "ON CONFLICT(kiosk_id, instance, seq) DO NOTHING",
                           -1, &tx->insert, NULL) != SQLITE_OK ||
        prepare_batch(db, &tx->insert_batch) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT v.uuid, v.cast_utc, v.utc_offset, v.unit_code, v.unit_name, "
                           "v.points, v.channel, v.flagged, i.file_name FROM votes v "
                           "JOIN imports i ON i.id = v.import_id "
                           "WHERE v.kiosk_id = ?1 AND v.instance = ?2 AND v.seq = ?3",
                           -1, &tx->existing, NULL) != SQLITE_OK) {
        db_fail(db, err);
        ledger_tx_abort(tx);
        return -1;
    }
    *out = tx;
    return 0;
}

/* Inserting a vote into votes_by_unit costs about three times what one
 * entry costs when CREATE INDEX sorts them all at once, so a file that
 * brings at least half as many votes as the ledger has is stored with the
 * index dropped, and the index is made again, from its own definition in the
 * schema, just before the commit.  Both are part of the transaction: a
 * rollback puts the old index back. */
int ledger_tx_expect(ledger_tx *tx, int64_t rows, mp_err *err)
{
    if (rows < LEDGER_REINDEX_MIN_ROWS || tx->unit_index_sql || tx->rows > 0)
        return 0;
    sqlite3_stmt *st = NULL;
    /* Votes are never deleted, so the highest rowid counts them. */
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT (SELECT coalesce(max(rowid), 0) FROM votes), "
                           "(SELECT sql FROM sqlite_schema WHERE type = 'index' "
                           "AND name = 'votes_by_unit' AND tbl_name = 'votes')",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(tx->db, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_fail(tx->db, err);
        sqlite3_finalize(st);
        return -1;
    }
    int64_t stored = sqlite3_column_int64(st, 0);
    const char *sql = text_col(st, 1);
    if (*sql && rows >= stored / 2) {
        tx->unit_index_sql = sqlite3_mprintf("%s", sql);
        if (!tx->unit_index_sql) {
            sqlite3_finalize(st);
            return mp_fail(err, "out of memory");
        }
    }
    sqlite3_finalize(st);
    if (tx->unit_index_sql &&
        sqlite3_exec(tx->db, "DROP INDEX votes_by_unit", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_free(tx->unit_index_sql);
        tx->unit_index_sql = NULL;
        return db_fail(tx->db, err);
    }
    return 0;
}

/* Makes the imports row the votes point to, once the kiosk is known. */
static int tx_record_import(ledger_tx *tx, const char *kiosk_id, const char *instance,
                            mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, "SELECT 1 FROM kiosks WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return mp_fail(err, "kiosk %s is not provisioned in this office database", kiosk_id);
    if (rc != SQLITE_ROW)
        return db_fail(tx->db, err);

    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO imports(file_name, file_sha256, kiosk_id, instance, "
                           "exported_utc, rows, new_rows, first_seq, last_seq, key_id, "
                           "imported_utc) VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 0, 0, '', ?5)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, tx->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tx->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, tx->now_utc);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(tx->db, err);
    tx->import_id = sqlite3_last_insert_rowid(tx->db);
    snprintf(tx->kiosk_id, sizeof tx->kiosk_id, "%s", kiosk_id);
    snprintf(tx->instance, sizeof tx->instance, "%s", instance);

    /* Votes numbered above this are new: they go in by the batch. */
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT coalesce(max(seq), 0) FROM votes "
                           "WHERE kiosk_id = ?1 AND instance = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        tx->known_max = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(tx->db, err);
    return 0;
}

/* Binds one vote's 12 columns at parameter `base` + 1 onwards. */
static void bind_vote(ledger_tx *tx, sqlite3_stmt *st, int base, const export_row *r)
{
    sqlite3_bind_text(st, base + 1, r->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 2, r->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, base + 3, r->seq);
    sqlite3_bind_text(st, base + 4, r->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, base + 5, r->cast_utc);
    sqlite3_bind_int(st, base + 6, r->utc_offset);
    sqlite3_bind_text(st, base + 7, r->unit_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 8, r->unit_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, base + 9, r->points);
    sqlite3_bind_text(st, base + 10, r->channel, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, base + 11, r->flagged);
    sqlite3_bind_int64(st, base + 12, tx->import_id);
}

/* The pending vote i as a row (its strings point into the arena). */
static export_row pending_row(const ledger_tx *tx, int i)
{
    const pending_vote *p = &tx->pending[i];
    return (export_row){
        .kiosk_id = tx->kiosk_id, .instance = tx->instance, .seq = p->seq,
        .uuid = tx->arena + p->uuid, .cast_utc = p->cast_utc, .utc_offset = p->utc_offset,
        .unit_code = tx->arena + p->unit_code, .unit_name = tx->arena + p->unit_name,
        .points = p->points, .channel = tx->arena + p->channel, .flagged = p->flagged,
    };
}

/* Stores the pending votes: one multi-row INSERT for a full batch, else
 * one INSERT each. */
static int flush_pending(ledger_tx *tx, mp_err *err)
{
    int n = tx->n_pending, rc = SQLITE_DONE;
    tx->n_pending = 0;
    tx->arena_len = 0;
    if (n == LEDGER_BATCH) {
        sqlite3_stmt *st = tx->insert_batch;
        for (int i = 0; i < n; i++) {
            export_row r = pending_row(tx, i);
            bind_vote(tx, st, i * LEDGER_COLS, &r);
        }
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        for (int i = 0; i < n && rc == SQLITE_DONE; i++) {
            export_row r = pending_row(tx, i);
            bind_vote(tx, tx->insert, 0, &r);
            rc = sqlite3_step(tx->insert);
            sqlite3_reset(tx->insert);
        }
    }
    return rc == SQLITE_DONE ? 0 : db_fail(tx->db, err);
}

/* Copies s into the arena; returns its offset, or (size_t)-1. */
static size_t keep(ledger_tx *tx, const char *s)
{
    size_t n = strlen(s) + 1;
    if (tx->arena_len + n > tx->arena_cap) {
        size_t cap = tx->arena_cap ? tx->arena_cap : 16384;
        while (cap < tx->arena_len + n)
            cap *= 2;
        char *more = realloc(tx->arena, cap);
        if (!more)
            return (size_t)-1;
        tx->arena = more;
        tx->arena_cap = cap;
    }
    memcpy(tx->arena + tx->arena_len, s, n);
    tx->arena_len += n;
    return tx->arena_len - n;
}

/* Queues a vote the ledger cannot have yet; stores the batch when full. */
static int queue_new(ledger_tx *tx, const export_row *r, mp_err *err)
{
    pending_vote *p = &tx->pending[tx->n_pending];
    *p = (pending_vote){.seq = r->seq, .cast_utc = r->cast_utc, .utc_offset = r->utc_offset,
                        .points = r->points, .flagged = r->flagged};
    if ((p->uuid = keep(tx, r->uuid)) == (size_t)-1 ||
        (p->unit_code = keep(tx, r->unit_code)) == (size_t)-1 ||
        (p->unit_name = keep(tx, r->unit_name)) == (size_t)-1 ||
        (p->channel = keep(tx, r->channel)) == (size_t)-1)
        return mp_fail(err, "out of memory");
    if (++tx->n_pending == LEDGER_BATCH)
        return flush_pending(tx, err);
    return 0;
}

/* Checks a row as far as the ledger relies on it. */
static int check_row(const export_row *r, mp_err *err)
{
    mp_err why;
    if (!r->kiosk_id || !r->instance || !r->uuid || !r->unit_code || !r->unit_name ||
        !r->channel)
        return mp_fail(err, "vote %" PRId64 " lacks a field", r->seq);
    if (config_check_kiosk_id(r->kiosk_id, &why) < 0)
        return mp_fail(err, "vote %" PRId64 ": kiosk id: %s", r->seq, why.msg);
    if (!is_lower_hex(r->instance, 32))
        return mp_fail(err, "vote %" PRId64 ": \"%s\" is not a database instance id", r->seq,
                       r->instance);
    if (r->seq < 1)
        return mp_fail(err, "vote number %" PRId64 " is not positive", r->seq);
    if (strlen(r->uuid) != 36 || utf8_count_printable(r->uuid) != 36)
        return mp_fail(err, "vote %" PRId64 ": \"%s\" is not a UUID", r->seq, r->uuid);
    if (r->utc_offset < -18 * 3600 || r->utc_offset > 18 * 3600)
        return mp_fail(err, "vote %" PRId64 ": time zone offset %d s is out of range", r->seq,
                       r->utc_offset);
    if (config_check_unit_code(r->unit_code, &why) < 0)
        return mp_fail(err, "vote %" PRId64 ": unit code: %s", r->seq, why.msg);
    if (utf8_count_printable(r->unit_name) < 1)
        return mp_fail(err, "vote %" PRId64 ": the unit name is empty or not text", r->seq);
    if (!rating_by_points(r->points))
        return mp_fail(err, "vote %" PRId64 ": %d is not a rating's points", r->seq, r->points);
    if (r->flagged != 0 && r->flagged != 1)
        return mp_fail(err, "vote %" PRId64 ": flag %d is not 0 or 1", r->seq, r->flagged);
    if (utf8_count_printable(r->channel) < 1)
        return mp_fail(err, "vote %" PRId64 ": the channel is empty or not text", r->seq);
    return 0;
}

/* The stored vote with r's key differs from r: say how. */
static int conflict(ledger_tx *tx, const export_row *r, mp_err *err)
{
    sqlite3_stmt *st = tx->existing;
    char here[160], there[160];
    const char *field = NULL;
    if (strcmp(text_col(st, 0), r->uuid) != 0) {
        field = "uuid";
        snprintf(here, sizeof here, "%s", r->uuid);
        snprintf(there, sizeof there, "%s", text_col(st, 0));
    } else if (sqlite3_column_int64(st, 1) != r->cast_utc) {
        field = "time";
        snprintf(here, sizeof here, "%" PRId64, r->cast_utc);
        snprintf(there, sizeof there, "%" PRId64, (int64_t)sqlite3_column_int64(st, 1));
    } else if (sqlite3_column_int(st, 2) != r->utc_offset) {
        field = "time zone";
        snprintf(here, sizeof here, "%d s", r->utc_offset);
        snprintf(there, sizeof there, "%d s", sqlite3_column_int(st, 2));
    } else if (strcmp(text_col(st, 3), r->unit_code) != 0) {
        field = "unit code";
        snprintf(here, sizeof here, "%s", r->unit_code);
        snprintf(there, sizeof there, "%s", text_col(st, 3));
    } else if (strcmp(text_col(st, 4), r->unit_name) != 0) {
        field = "unit name";
        snprintf(here, sizeof here, "%s", r->unit_name);
        snprintf(there, sizeof there, "%s", text_col(st, 4));
    } else if (sqlite3_column_int(st, 5) != r->points) {
        field = "points";
        snprintf(here, sizeof here, "%d", r->points);
        snprintf(there, sizeof there, "%d", sqlite3_column_int(st, 5));
    } else if (strcmp(text_col(st, 6), r->channel) != 0) {
        field = "channel";
        snprintf(here, sizeof here, "%s", r->channel);
        snprintf(there, sizeof there, "%s", text_col(st, 6));
    } else if (sqlite3_column_int(st, 7) != r->flagged) {
        field = "flag";
        snprintf(here, sizeof here, "%d", r->flagged);
        snprintf(there, sizeof there, "%d", sqlite3_column_int(st, 7));
    }
    if (!field)
        return 0;
    return mp_fail(err,
                   "conflict: vote %" PRId64 " of kiosk %s (instance %.8s) was imported before "
                   "from %s with a different %s (%s there, %s here)",
                   r->seq, r->kiosk_id, r->instance, text_col(st, 8), field, there, here);
}

int ledger_tx_add(ledger_tx *tx, const export_row *r, mp_err *err)
{
    if (check_row(r, err) < 0)
        return -1;
    if (tx->import_id == 0) {
        if (tx_record_import(tx, r->kiosk_id, r->instance, err) < 0)
            return -1;
    } else if (strcmp(r->kiosk_id, tx->kiosk_id) != 0 || strcmp(r->instance, tx->instance) != 0) {
        return mp_fail(err, "vote %" PRId64 " is of kiosk %s instance %.8s, not of %s %.8s like "
                            "the votes before it",
                       r->seq, r->kiosk_id, r->instance, tx->kiosk_id, tx->instance);
    }
    if (r->seq <= tx->last_seq)
        return mp_fail(err, "vote %" PRId64 " comes after vote %" PRId64 "; the file is out of order",
                       r->seq, tx->last_seq);

    int inserted = 1;
    if (r->seq > tx->known_max) {
        /* Not in the ledger: no conflict possible, stored by the batch. */
        if (queue_new(tx, r, err) < 0)
            return -1;
    } else {
        /* Seqs ascend, so no vote is pending here (all are above known_max). */
        sqlite3_stmt *st = tx->insert;
        sqlite3_reset(st);
        bind_vote(tx, st, 0, r);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db_fail(tx->db, err);
        inserted = sqlite3_changes(tx->db) > 0;
    }

    if (!inserted) {
        sqlite3_stmt *st = tx->existing;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, r->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->instance, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, r->seq);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            return rc == SQLITE_DONE ? mp_fail(err, "vote %" PRId64 " vanished", r->seq)
                                     : db_fail(tx->db, err);
        }
        int bad = conflict(tx, r, err);
        sqlite3_reset(st);
        if (bad < 0)
            return -1;
    }
    if (tx->n_seqs == tx->cap_seqs) {
        size_t cap = tx->cap_seqs ? 2 * tx->cap_seqs : 1024;
        int64_t *more = realloc(tx->seqs, cap * sizeof *more);
        if (!more)
            return mp_fail(err, "out of memory");
        tx->seqs = more;
        tx->cap_seqs = cap;
    }
    tx->seqs[tx->n_seqs++] = r->seq;
    tx->rows++;
    tx->new_rows += inserted;
    tx->last_seq = r->seq;
    return 0;
}

/* Appends "a" or "a-b" to the list in buf (size len), ending it with "…"
 * once it is full. */
static void append_range(char *buf, size_t len, int64_t a, int64_t b)
{
    size_t have = strlen(buf);
    if (have + sizeof "…" >= len ||
        (have >= strlen("…") && strcmp(buf + have - strlen("…"), "…") == 0))
        return;
    char part[64];
    if (a == b)
        snprintf(part, sizeof part, "%s%" PRId64, have ? ", " : "", a);
    else
        snprintf(part, sizeof part, "%s%" PRId64 "-%" PRId64, have ? ", " : "", a, b);
    if (have + strlen(part) + sizeof "…" > len)
        snprintf(buf + have, len - have, "%s", "…");
    else
        snprintf(buf + have, len - have, "%s", part);
}

/* Finds the votes of the file's instance, numbered up to last_seq, that the
 * ledger has but the file lacks. */
static int find_absent(ledger_tx *tx, int64_t last_seq, int64_t *count, char *text, size_t len,
                       mp_err *err)
{
    *count = 0;
    text[0] = '\0';
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT seq FROM votes WHERE kiosk_id = ?1 AND instance = ?2 "
                           "AND seq <= ?3 ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, tx->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tx->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, last_seq);
    size_t i = 0;
    int64_t run_from = 0, run_to = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        while (i < tx->n_seqs && tx->seqs[i] < seq)
            i++;
        if (i < tx->n_seqs && tx->seqs[i] == seq)
            continue;
        (*count)++;
        if (run_from && seq == run_to + 1) {
            run_to = seq;
            continue;
        }
        if (run_from)
            append_range(text, len, run_from, run_to);
        run_from = run_to = seq;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(tx->db, err);
    if (run_from)
        append_range(text, len, run_from, run_to);
    return 0;
}

int ledger_tx_commit(ledger_tx *tx, const export_meta *meta, ledger_summary *out, mp_err *err)
{
    sqlite3 *db = tx->db;
    if (flush_pending(tx, err) < 0)
        goto fail;
    if (tx->import_id == 0) {
        if (tx_record_import(tx, meta->kiosk_id, meta->instance, err) < 0)
            goto fail;
    } else if (strcmp(meta->kiosk_id, tx->kiosk_id) != 0 ||
               strcmp(meta->instance, tx->instance) != 0) {
        mp_fail(err, "the signature line names kiosk %s instance %.8s, the votes %s %.8s",
                meta->kiosk_id, meta->instance, tx->kiosk_id, tx->instance);
        goto fail;
    }
    if (meta->rows != tx->rows) {
        mp_fail(err, "the signature line counts %" PRId64 " votes, the file has %" PRId64,
                meta->rows, tx->rows);
        goto fail;
    }
    int64_t absent = 0;
    char absent_seqs[LEDGER_SEQS_TEXT];
    /* Only votes the ledger had before this file can be absent from it. */
    int64_t upto = meta->last_seq < tx->known_max ? meta->last_seq : tx->known_max;
    if (find_absent(tx, upto, &absent, absent_seqs, sizeof absent_seqs, err) < 0)
        goto fail;
    /* An earlier import of the very same bytes? */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT min(id) FROM imports WHERE file_sha256 = ?1 AND id <> ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err);
        goto fail;
    }
    sqlite3_bind_text(st, 1, tx->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tx->import_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        tx->seen_import_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        db_fail(db, err);
        goto fail;
    }
    if (sqlite3_prepare_v2(db,
                           "UPDATE imports SET exported_utc = ?2, rows = ?3, new_rows = ?4, "
                           "first_seq = ?5, last_seq = ?6, key_id = ?7, absent_rows = ?8, "
                           "absent_seqs = ?9, file_sha256 = ?10 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err);
        goto fail;
    }
    sqlite3_bind_int64(st, 1, tx->import_id);
    sqlite3_bind_int64(st, 2, meta->exported_utc);
    sqlite3_bind_int64(st, 3, tx->rows);
    sqlite3_bind_int64(st, 4, tx->new_rows);
    sqlite3_bind_int64(st, 5, meta->first_seq);
    sqlite3_bind_int64(st, 6, meta->last_seq);
    sqlite3_bind_text(st, 7, meta->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, absent);
    sqlite3_bind_text(st, 9, absent_seqs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, tx->sha256, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_fail(db, err);
        goto fail;
    }
    if (tx->unit_index_sql &&
        sqlite3_exec(db, tx->unit_index_sql, NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(db, err);
        goto fail;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mp_fail(err, "cannot commit to the office database: %s", sqlite3_errmsg(db));
        goto fail;
    }
    if (out) {
        memset(out, 0, sizeof *out);
        out->import_id = tx->import_id;
        out->rows = tx->rows;
        out->new_rows = tx->new_rows;
        out->seen_import_id = tx->seen_import_id;
        out->absent = absent;
        memcpy(out->absent_seqs, absent_seqs, sizeof out->absent_seqs);
        memcpy(out->sha256, tx->sha256, sizeof out->sha256);
        out->meta = *meta;
    }
    tx_free(tx);
    return 0;
fail:
    ledger_tx_abort(tx);
    return -1;
}

/* ---- importing a file ---- */

typedef struct import_ctx {
    sqlite3 *db;
    ledger_tx *tx;
    ledger_progress_fn progress;
    void *progress_user;
    int64_t done, total, next_report;
} import_ctx;

static int import_row(void *user, const export_row *row, mp_err *err)
{
    import_ctx *c = user;
    if (ledger_tx_add(c->tx, row, err) < 0)
        return -1;
    c->done++;
    if (c->progress && c->done >= c->next_report) {
        c->progress(c->progress_user, c->done, c->total > c->done ? c->total : c->done);
        c->next_report = c->done + (c->total / 200 > 0 ? c->total / 200 : 1);
    }
    return 0;
}

/* A follow-up of a format 2 file: stored in the same transaction. */
static int import_followup(void *user, const export_followup *f, mp_err *err)
{
    return ledger_followup_add(((import_ctx *)user)->db, f, NULL, err);
}

/* The file's SHA-256, made on a second thread while the first verifies and
 * stores the rows (both only read the buffer). */
typedef struct hash_job {
    const unsigned char *buf;
    size_t len;
    unsigned char digest[crypto_hash_sha256_BYTES];
} hash_job;

static void *hash_file(void *arg)
{
    hash_job *j = arg;
    crypto_hash_sha256(j->digest, j->buf, j->len);
    return NULL;
}

int ledger_import(sqlite3 *db, const char *file_name, const char *buf, size_t len,
                  export_key_fn key_fn, void *key_user, int64_t now_utc,
                  ledger_progress_fn progress, void *progress_user, ledger_summary *out,
                  mp_err *err)
{
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    hash_job job = {(const unsigned char *)buf, len, {0}};
    pthread_t hasher;
    int threaded = pthread_create(&hasher, NULL, hash_file, &job) == 0;
    if (!threaded)
        hash_file(&job);

    import_ctx c = {.db = db, .progress = progress, .progress_user = progress_user};
    /* The header, the signature line and one line per vote, each ending in CRLF. */
    for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        c.total++;
    c.total = c.total > 2 ? c.total - 2 : 0;
    /* The imports row gets the file's digest when the transaction commits. */
    static const char pending_sha[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int rc = ledger_tx_begin(db, file_name, pending_sha, now_utc, &c.tx, err);
    if (rc == 0 && ledger_tx_expect(c.tx, c.total, err) < 0) {
        ledger_tx_abort(c.tx);
        rc = -1;
    }
    export_meta meta;
    if (rc == 0 && export_read_v2(buf, len, key_fn, key_user, &meta, import_row, import_followup,
                                  &c, err) < 0) {
        ledger_tx_abort(c.tx);
        rc = -1;
    }
    if (threaded)
        pthread_join(hasher, NULL);
    if (rc < 0)
        return -1;
    sodium_bin2hex(c.tx->sha256, sizeof c.tx->sha256, job.digest, sizeof job.digest);
    if (progress)
        progress(progress_user, c.done, c.done);
    return ledger_tx_commit(c.tx, &meta, out, err);
}

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
        return db_fail(db, err);
    bind_opt(st, 1, kiosk_id);
    bind_opt(st, 2, instance);
    char kiosk[CONFIG_ID_MAX + 1] = "", inst[64] = "";
    int64_t prev = 0;
    int rc, stopped = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = text_col(st, 0), *i = text_col(st, 1);
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
        return db_fail(db, err);
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
        return db_fail(db, err);
    bind_opt(st, 1, kiosk_id);
    bind_opt(st, 2, instance);
    int rc, walked = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char k[CONFIG_ID_MAX + 1], i[64];
        snprintf(k, sizeof k, "%s", text_col(st, 0));
        snprintf(i, sizeof i, "%s", text_col(st, 1));
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
        return db_fail(db, err);
    return 0;
}

/* Appends "a" or "a-b" to a list being built. */
static void put_range(FILE *f, int *first, int64_t a, int64_t b)
{
    fputs(*first ? "" : ", ", f);
    *first = 0;
    if (a == b)
        fprintf(f, "%" PRId64, a);
    else
        fprintf(f, "%" PRId64 "-%" PRId64, a, b);
}

typedef struct gap_text {
    FILE *f;
    int first;
    int max_ranges, ranges;
    int64_t missing;
} gap_text;

static int add_gap(void *user, const ledger_gap *g)
{
    gap_text *t = user;
    if (t->ranges < t->max_ranges)
        put_range(t->f, &t->first, g->from, g->to);
    t->ranges++;
    t->missing += g->to - g->from + 1;
    return 0;
}

int ledger_gap_text(sqlite3 *db, const char *kiosk_id, const char *instance, int max_ranges,
                    char **out, int64_t *missing, mp_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    gap_text t = {open_memstream(&buf, &len), 1, max_ranges < 1 ? 1 : max_ranges, 0, 0};
    if (!t.f)
        return mp_fail(err, "out of memory");
    int rc = ledger_each_gap(db, kiosk_id, instance, add_gap, &t, err);
    if (rc == 0 && t.ranges > t.max_ranges)
        fprintf(t.f, ", … and %d more ranges", t.ranges - t.max_ranges);
    if (fclose(t.f) != 0 && rc == 0)
        rc = mp_fail(err, "out of memory");
    if (rc < 0) {
        free(buf);
        return -1;
    }
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
    int64_t run_from, run_to; /* the run of seqs being collected, 0 when none */
    int any_in_instance;
} clock_acc;

static void seqs_append(clock_acc *a, const char *text)
{
    size_t have = strlen(a->seqs);
    if (have >= SEQS_TEXT_MAX)
        return;
    if (have + strlen(text) > SEQS_TEXT_MAX) {
        snprintf(a->seqs + have, sizeof a->seqs - have, "%s", " …");
        return;
    }
    snprintf(a->seqs + have, sizeof a->seqs - have, "%s", text);
}

static void flush_run(clock_acc *a)
{
    if (a->run_from == 0)
        return;
    char part[64];
    const char *sep = a->any_in_instance ? ", " : "";
    if (a->run_from == a->run_to)
        snprintf(part, sizeof part, "%s%" PRId64, sep, a->run_from);
    else
        snprintf(part, sizeof part, "%s%" PRId64 "-%" PRId64, sep, a->run_from, a->run_to);
    seqs_append(a, part);
    a->any_in_instance = 1;
    a->run_from = a->run_to = 0;
}

int ledger_each_clock_warning(sqlite3 *db, const char *kiosk_id, const char *from,
                              const char *to, ledger_clock_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "SELECT v.kiosk_id, v.instance, v.seq, v.cast_utc, p.utc,"
            " v.cast_utc < p.utc - ?4, v.cast_utc > i.exported_utc,"
            " v.cast_utc > i.imported_utc + ?4, coalesce(" IN_WINDOW ", 0)"
            " FROM votes v NOT INDEXED JOIN imports i ON i.id = v.import_id"
            " JOIN (SELECT k.id AS kiosk_id, coalesce(f.utc, k.provisioned_utc) AS utc"
            "  FROM kiosks k LEFT JOIN kiosk_first_provisioned f ON f.kiosk_id = k.id) p"
            "  ON p.kiosk_id = v.kiosk_id"
            " WHERE (?3 IS NULL OR v.kiosk_id = ?3)"
            /* A cheap first sieve on the vote alone, implied by the test
             * after it: before the latest first provisioning of any kiosk,
             * or after the earliest export or import (plus slack) of any
             * file.  Most votes stop here, before the joins; the table is
             * scanned, not walked through an index, and the few left are
             * sorted. */
            "  AND (v.cast_utc < (SELECT max(coalesce(f.utc, k.provisioned_utc)) FROM kiosks k"
            "   LEFT JOIN kiosk_first_provisioned f ON f.kiosk_id = k.id) - ?4"
            "   OR v.cast_utc > (SELECT min(min(exported_utc, imported_utc + ?4)) FROM imports))"
            "  AND (v.cast_utc < p.utc - ?4"
            "  OR v.cast_utc > i.exported_utc OR v.cast_utc > i.imported_utc + ?4)"
            " ORDER BY v.kiosk_id, v.instance, v.seq",
            -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    bind_opt(st, 1, from);
    bind_opt(st, 2, to);
    bind_opt(st, 3, kiosk_id);
    sqlite3_bind_int64(st, 4, LEDGER_CLOCK_SLACK);

    clock_acc a;
    memset(&a, 0, sizeof a);
    int rc, stopped = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = text_col(st, 0), *inst = text_col(st, 1);
        int64_t seq = sqlite3_column_int64(st, 2), cast = sqlite3_column_int64(st, 3);
        if (a.w.votes > 0 && strcmp(k, a.kiosk) != 0) {
            flush_run(&a);
            a.w.seqs = a.seqs;
            if (fn(user, &a.w) != 0) {
                stopped = 1;
                break;
            }
            memset(&a, 0, sizeof a);
        }
        if (a.w.votes == 0) {
            snprintf(a.kiosk, sizeof a.kiosk, "%s", k);
            a.w.kiosk_id = a.kiosk;
            a.w.provisioned_utc = sqlite3_column_int64(st, 4);
            a.w.earliest_utc = a.w.latest_utc = cast;
        }
        if (strcmp(inst, a.instance) != 0) {
            flush_run(&a);
            char head[64];
            snprintf(head, sizeof head, "%s%.8s: ", a.instance[0] ? "; " : "", inst);
            seqs_append(&a, head);
            snprintf(a.instance, sizeof a.instance, "%s", inst);
            a.any_in_instance = 0;
        }
        if (a.run_from != 0 && seq == a.run_to + 1) {
            a.run_to = seq;
        } else {
            flush_run(&a);
            a.run_from = a.run_to = seq;
        }
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
        return db_fail(db, err);
    if (a.w.votes > 0) {
        flush_run(&a);
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
                           "  WHERE i.kiosk_id = k.id)"
                           " FROM kiosks k LEFT JOIN kiosk_first_provisioned f"
                           " ON f.kiosk_id = k.id ORDER BY k.id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_kiosk k = {text_col(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                          sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
                          sqlite3_column_int64(st, 6)};
        if (fn(user, &k) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing kiosks");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

int ledger_each_instance(sqlite3 *db, const char *kiosk_id, ledger_instance_fn fn, void *user,
                         mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT i.kiosk_id, i.instance, count(*), max(i.exported_utc),"
                           " max(i.imported_utc), v.n, v.flagged, v.max_seq"
                           " FROM imports i LEFT JOIN (SELECT kiosk_id, instance, count(*) AS n,"
                           "  sum(flagged) AS flagged, max(seq) AS max_seq FROM votes"
                           "  GROUP BY kiosk_id, instance) v"
                           " ON v.kiosk_id = i.kiosk_id AND v.instance = i.instance"
                           " WHERE ?1 IS NULL OR i.kiosk_id = ?1"
                           " GROUP BY i.kiosk_id, i.instance ORDER BY i.kiosk_id, min(i.id)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    bind_opt(st, 1, kiosk_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_instance in = {
            .kiosk_id = text_col(st, 0),
            .instance = text_col(st, 1),
            .imports = sqlite3_column_int64(st, 2),
            .last_exported_utc = sqlite3_column_int64(st, 3),
            .last_imported_utc = sqlite3_column_int64(st, 4),
            .votes = sqlite3_column_int64(st, 5),
            .flagged = sqlite3_column_int64(st, 6),
            .max_seq = sqlite3_column_int64(st, 7),
        };
        in.missing = in.max_seq - in.votes;
        if (fn(user, &in) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing instances");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

int ledger_each_import(sqlite3 *db, ledger_import_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, file_name, file_sha256, kiosk_id, instance, exported_utc,"
                           " rows, new_rows, first_seq, last_seq, key_id, imported_utc,"
                           " absent_rows, absent_seqs FROM imports ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_import_info imp = {
            sqlite3_column_int64(st, 0), text_col(st, 1), text_col(st, 2), text_col(st, 3),
            text_col(st, 4), sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
            sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8),
            sqlite3_column_int64(st, 9), text_col(st, 10), sqlite3_column_int64(st, 11),
            sqlite3_column_int64(st, 12), text_col(st, 13)};
        if (fn(user, &imp) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while listing imports");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

/* ---- counts ---- */

static int rating_index(int points)
{
    for (int i = 0; i < RATING_COUNT; i++)
        if (RATINGS[i].points == points)
            return i;
    return -1;
}

/* Walks rows of (code, name, type, points, flagged, count), ordered by code,
 * calling fn once per code. */
static int each_counts(sqlite3 *db, sqlite3_stmt *st, ledger_unit_fn fn, void *user,
                       mp_err *err)
{
    ledger_unit_counts u = {0};
    char *code = NULL, *name = NULL, *type = NULL;
    int rc, have = 0, stopped = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c = text_col(st, 0);
        if (have && strcmp(c, code) != 0) {
            if (fn(user, &u) != 0) {
                stopped = 1;
                break;
            }
            have = 0;
        }
        if (!have) {
            free(code);
            free(name);
            free(type);
            code = strdup(c);
            name = strdup(text_col(st, 1));
            type = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : strdup(text_col(st, 2));
            if (!code || !name || (sqlite3_column_type(st, 2) != SQLITE_NULL && !type)) {
                rc = SQLITE_NOMEM;
                break;
            }
            memset(&u, 0, sizeof u);
            u.code = code;
            u.name = name;
            u.type = type;
            have = 1;
        }
        if (sqlite3_column_type(st, 3) == SQLITE_NULL)
            continue; /* a unit without votes */
        int i = rating_index(sqlite3_column_int(st, 3));
        if (i < 0)
            continue; /* the schema allows no other points */
        if (sqlite3_column_int(st, 4))
            u.flagged[i] += sqlite3_column_int64(st, 5);
        else
            u.counts[i] += sqlite3_column_int64(st, 5);
    }
    if (!stopped && rc == SQLITE_DONE && have && fn(user, &u) != 0)
        stopped = 1;
    free(code);
    free(name);
    free(type);
    sqlite3_finalize(st);
    if (stopped)
        return mp_fail(err, "stopped while counting votes");
    if (rc == SQLITE_NOMEM)
        return mp_fail(err, "out of memory");
    if (rc != SQLITE_DONE)
        return db_fail(db, err);
    return 0;
}

int ledger_each_unit_counts(sqlite3 *db, const char *from, const char *to, ledger_unit_fn fn,
                            void *user, mp_err *err)
{
    return ledger_each_unit_counts_in(db, from, to, NULL, fn, user, err);
}

int ledger_each_unit_counts_in(sqlite3 *db, const char *from, const char *to,
                               const char *channel, ledger_unit_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT u.code, u.name, u.type, v.points, v.flagged, count(v.seq)"
                           " FROM units u LEFT JOIN votes v ON v.unit_code = u.code"
                           " AND " IN_WINDOW " AND (?3 IS NULL OR v.channel = ?3)"
                           " GROUP BY u.code, v.points, v.flagged ORDER BY u.code",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    bind_opt(st, 1, from);
    bind_opt(st, 2, to);
    bind_opt(st, 3, channel);
    return each_counts(db, st, fn, user, err);
}

int ledger_each_unregistered(sqlite3 *db, const char *from, const char *to, ledger_unit_fn fn,
                             void *user, mp_err *err)
{
    return ledger_each_unregistered_in(db, from, to, NULL, fn, user, err);
}

int ledger_each_unregistered_in(sqlite3 *db, const char *from, const char *to,
                                const char *channel, ledger_unit_fn fn, void *user, mp_err *err)
{
    /* Usually every code is registered: find that out from the index of
     * unit codes alone, before looking at any vote. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM (SELECT unit_code FROM votes GROUP BY unit_code) v"
                           " WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = v.unit_code)"
                           " LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return db_fail(db, err);
    if (sqlite3_prepare_v2(db,
                           "SELECT v.unit_code, (SELECT w.unit_name FROM votes w"
                           "  WHERE w.unit_code = v.unit_code ORDER BY w.cast_utc DESC LIMIT 1),"
                           " NULL, v.points, v.flagged, count(*) FROM votes v"
                           " WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = v.unit_code)"
                           " AND " IN_WINDOW " AND (?3 IS NULL OR v.channel = ?3)"
                           " GROUP BY v.unit_code, v.points, v.flagged ORDER BY v.unit_code",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    bind_opt(st, 1, from);
    bind_opt(st, 2, to);
    bind_opt(st, 3, channel);
    return each_counts(db, st, fn, user, err);
}

int ledger_each_channel_votes(sqlite3 *db, const char *from, const char *to,
                              const char *channel, int include_flagged, ledger_channel_fn fn,
                              void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT v.unit_code, sum(v.channel = 'kiosk'), sum(v.channel = 'online')"
                           " FROM votes v WHERE " IN_WINDOW " AND (?3 IS NULL OR v.channel = ?3)"
                           " AND (?4 OR v.flagged = 0) GROUP BY v.unit_code ORDER BY v.unit_code",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    bind_opt(st, 1, from);
    bind_opt(st, 2, to);
    bind_opt(st, 3, channel);
    sqlite3_bind_int(st, 4, include_flagged ? 1 : 0);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(user, text_col(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)) !=
            0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while counting votes by channel");
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

int ledger_check_date(const char *d, mp_err *err)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
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
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = days[m - 1] + (m == 2 && leap);
    if (day < 1 || day > max)
        return mp_fail(err, "%s: month %d has no day %d", d, m, day);
    return 0;
}

/* ledger_import.c - storing one export file in the office's vote ledger
 * (ledger.h): the import transaction (ledger_tx) and ledger_import, which
 * verifies a file and stores it through one.
 *
 * The file's SHA-256 is known before the transaction begins, and the
 * imports row is written once, complete, at the commit: the votes stored
 * before it point to the id it will have (the transaction holds the write
 * lock, and defers the foreign keys to its commit). */
#include "ledger.h"
#include "ledger_int.h"
#include "ledger_followup.h"
#include "tally.h"

#include "clock.h"
#include "config.h"
#include "hexid.h"
#include "i18n.h"
#include "utf8.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the import transaction ---- */

/* Votes the ledger cannot have yet (numbered above the highest it has of
 * their instance) are stored LEDGER_BATCH at a time by one multi-row
 * INSERT: a statement's per-execution cost (the votes table's CHECK (points
 * IN (...)) builds a small table each time) is then paid once a batch. */
enum { LEDGER_BATCH = 64, LEDGER_COLS = 12 };
_Static_assert(LEDGER_BATCH * LEDGER_COLS <= 32766, "within SQLite's default variable limit");

/* A stored vote, for the clock tests. */
typedef struct ledger_new_vote {
    int64_t seq, cast_utc;
} ledger_new_vote;

/* An exclusion or restore record's selector (vote_exclusions). */
typedef struct ledger_cover {
    int64_t id, from, to;
    int flagged_only, exclude;
} ledger_cover;

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
    char *file_name;        /* without its folder */
    char *file_path;        /* as given */
    char sha256[65];
    int64_t now_utc;
    int64_t import_id;      /* the id the imports row gets at commit; 0 until the kiosk is known */
    int64_t seen_import_id;
    char kiosk_id[CONFIG_ID_MAX + 1];
    char instance[33];
    int64_t rows, new_rows, last_seq;
    int rows_checked;       /* the rows come from export_read, which checked them */
    int temp_store;         /* the connection's PRAGMA temp_store before, or -1 */
    char *unit_index_sql;   /* votes_by_unit's CREATE INDEX, while it is dropped */
    int64_t *seqs;          /* the file's seqs, ascending */
    size_t n_seqs, cap_seqs;
    /* What the votes it stores change beyond the votes table: */
    tally_delta *tally;     /* the tallies (tally.h) */
    int64_t new_flagged;    /* flagged votes stored */
    int64_t provisioned_utc; /* the kiosk's first provisioning: the clock tests */
    ledger_new_vote *newv;  /* the votes stored, for the clock tests at the commit */
    size_t n_newv, cap_newv;
    ledger_cover *covers;   /* the instance's exclusion records, newest first */
    size_t n_covers;
    sqlite3_stmt *exclude;  /* INSERT INTO vote_excluded */
};

static int pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static int set_temp_store(sqlite3 *db, int value)
{
    char sql[40];
    snprintf(sql, sizeof sql, "PRAGMA temp_store = %d", value);
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void tx_free(ledger_tx *tx)
{
    if (tx->temp_store >= 0)
        (void)set_temp_store(tx->db, tx->temp_store);
    free(tx->seqs);
    free(tx->newv);
    free(tx->covers);
    sqlite3_finalize(tx->exclude);
    tally_delta_destroy(tx->tally);
    free(tx->arena);
    sqlite3_free(tx->unit_index_sql);
    sqlite3_finalize(tx->insert);
    sqlite3_finalize(tx->insert_batch);
    sqlite3_finalize(tx->existing);
    free(tx->file_name);
    free(tx->file_path);
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

/* ledger_tx_begin; sha256 may be NULL, for ledger_import, which sets it
 * before the commit. */
static int tx_begin(sqlite3 *db, const char *file_name, const char *sha256, int64_t now_utc,
                    ledger_tx **out, mp_err *err)
{
    if (!file_name || !*file_name)
        return mp_fail(err, "no file name to record");
    ledger_tx *tx = calloc(1, sizeof *tx);
    const char *slash = strrchr(file_name, '/');
    if (!tx || !(tx->file_name = strdup(slash && slash[1] ? slash + 1 : file_name)) ||
        !(tx->file_path = strdup(file_name))) {
        if (tx)
            free(tx->file_name);
        free(tx);
        return mp_fail(err, "out of memory");
    }
    tx->db = db;
    tx->temp_store = -1;
    if (!(tx->tally = tally_delta_create(db))) {
        tx_free(tx);
        return mp_fail(err, "out of memory");
    }
    if (sha256)
        memcpy(tx->sha256, sha256, 65);
    tx->now_utc = now_utc;

    /* Every INSERT of the import may abort (the votes' CHECK constraints), so
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
    /* The votes point to an imports row written at the commit: foreign keys
     * are checked then (SQLite turns this off again when the transaction
     * ends). */
    if (sqlite3_exec(db, "PRAGMA defer_foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
        ledger_db_fail(db, err);
        ledger_tx_abort(tx);
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
                           "v.points, v.channel, v.flagged, i.file_name, i.file_path, "
                           "i.imported_utc FROM votes v "
                           "JOIN imports i ON i.id = v.import_id "
                           "WHERE v.kiosk_id = ?1 AND v.instance = ?2 AND v.seq = ?3",
                           -1, &tx->existing, NULL) != SQLITE_OK) {
        ledger_db_fail(db, err);
        ledger_tx_abort(tx);
        return -1;
    }
    *out = tx;
    return 0;
}

int ledger_tx_begin(sqlite3 *db, const char *file_name, const char *sha256, int64_t now_utc,
                    ledger_tx **out, mp_err *err)
{
    if (!sha256 || strlen(sha256) != 64 || !hexid_is_lower(sha256, 64))
        return mp_fail(err, "\"%s\" is not a SHA-256 in hex", sha256 ? sha256 : "");
    return tx_begin(db, file_name, sha256, now_utc, out, err);
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
        return ledger_db_fail(tx->db, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        ledger_db_fail(tx->db, err);
        sqlite3_finalize(st);
        return -1;
    }
    int64_t stored = sqlite3_column_int64(st, 0);
    const char *sql = ledger_text_col(st, 1);
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
        return ledger_db_fail(tx->db, err);
    }
    return 0;
}

/* Once the kiosk is known: checks it is provisioned and takes the id the
 * imports row will have (the write lock is held, so no other import can
 * take it). */
static int tx_record_import(ledger_tx *tx, const char *kiosk_id, const char *instance,
                            mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, "SELECT 1 FROM kiosks WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return mp_fail(err, "kiosk %s is not provisioned in this office database", kiosk_id);
    if (rc != SQLITE_ROW)
        return ledger_db_fail(tx->db, err);

    if (sqlite3_prepare_v2(tx->db, "SELECT coalesce(max(id), 0) + 1 FROM imports", -1, &st,
                           NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        tx->import_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return ledger_db_fail(tx->db, err);
    snprintf(tx->kiosk_id, sizeof tx->kiosk_id, "%s", kiosk_id);
    snprintf(tx->instance, sizeof tx->instance, "%s", instance);

    /* Votes numbered above this are new: they go in by the batch. */
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT coalesce(max(seq), 0) FROM votes "
                           "WHERE kiosk_id = ?1 AND instance = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        tx->known_max = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return ledger_db_fail(tx->db, err);

    /* The kiosk's first provisioning, for the clock tests. */
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT coalesce(f.utc, k.provisioned_utc) FROM kiosks k"
                           " LEFT JOIN kiosk_first_provisioned f ON f.kiosk_id = k.id"
                           " WHERE k.id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        tx->provisioned_utc = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return ledger_db_fail(tx->db, err);

    /* Exclusions made before a vote arrived cover it as well. */
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT id, seq_from, seq_to, flagged_only, action = 'exclude'"
                           " FROM vote_exclusions WHERE kiosk_id = ?1 AND instance = ?2"
                           " ORDER BY id DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_cover *more = realloc(tx->covers, (tx->n_covers + 1) * sizeof *more);
        if (!more) {
            sqlite3_finalize(st);
            return mp_fail(err, "out of memory");
        }
        tx->covers = more;
        more[tx->n_covers++] = (ledger_cover){
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
            sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4)};
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ledger_db_fail(tx->db, err);
    if (tx->n_covers > 0 &&
        sqlite3_prepare_v2(tx->db,
                           "INSERT INTO vote_excluded(kiosk_id, instance, seq, exclusion_id)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &tx->exclude, NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    return 0;
}

/* The exclusion record that excludes a vote new to the ledger, or 0: the
 * newest record covering it decides. */
static int64_t excluded_by(const ledger_tx *tx, const export_row *r)
{
    for (size_t i = 0; i < tx->n_covers; i++) {
        const ledger_cover *c = &tx->covers[i];
        if (r->seq >= c->from && r->seq <= c->to && (!c->flagged_only || r->flagged))
            return c->exclude ? c->id : 0;
    }
    return 0;
}

/* What storing the vote r changes besides the votes table: the tallies,
 * vote_excluded, and what the commit needs. */
static int note_stored(ledger_tx *tx, const export_row *r, mp_err *err)
{
    int64_t by = tx->n_covers ? excluded_by(tx, r) : 0;
    if (by) {
        sqlite3_stmt *st = tx->exclude;
        sqlite3_bind_text(st, 1, r->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->instance, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, r->seq);
        sqlite3_bind_int64(st, 4, by);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return ledger_db_fail(tx->db, err);
    }
    if (tally_delta_vote(tx->tally, r->unit_code, r->channel, r->cast_utc, r->utc_offset,
                         r->points, tally_state_of(r->flagged, by != 0), 1, err) < 0)
        return -1;
    if (tx->n_newv == tx->cap_newv) {
        size_t cap = tx->cap_newv ? 2 * tx->cap_newv : 1024;
        ledger_new_vote *more = realloc(tx->newv, cap * sizeof *more);
        if (!more)
            return mp_fail(err, "out of memory");
        tx->newv = more;
        tx->cap_newv = cap;
    }
    tx->newv[tx->n_newv++] = (ledger_new_vote){r->seq, r->cast_utc};
    tx->new_flagged += r->flagged != 0;
    return 0;
}

/* At the commit: the new votes' clock tests (as ledger_each_clock_warning
 * states them) into vote_clock_suspects, and the instance's counts. */
static int note_commit(ledger_tx *tx, int64_t exported_utc, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO vote_clock_suspects(kiosk_id, instance, seq, reasons)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, tx->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tx->instance, -1, SQLITE_STATIC);
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < tx->n_newv && rc == SQLITE_DONE; i++) {
        int64_t cast = tx->newv[i].cast_utc;
        int reasons = (cast < tx->provisioned_utc - LEDGER_CLOCK_SLACK ? LEDGER_CLOCK_BEFORE_PROVISIONED : 0) |
                      (cast > exported_utc ? LEDGER_CLOCK_AFTER_EXPORT : 0) |
                      (cast > tx->now_utc + LEDGER_CLOCK_SLACK ? LEDGER_CLOCK_FUTURE : 0);
        if (!reasons)
            continue;
        sqlite3_bind_int64(st, 3, tx->newv[i].seq);
        sqlite3_bind_int(st, 4, reasons);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ledger_db_fail(tx->db, err);
    if (tx->n_newv == 0)
        return 0;
    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO vote_instances(kiosk_id, instance, votes, flagged, max_seq)"
                           " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(kiosk_id, instance) DO UPDATE"
                           " SET votes = votes + excluded.votes, flagged = flagged + excluded.flagged,"
                           " max_seq = max(max_seq, excluded.max_seq)",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, tx->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tx->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)tx->n_newv);
    sqlite3_bind_int64(st, 4, tx->new_flagged);
    sqlite3_bind_int64(st, 5, tx->last_seq > tx->known_max ? tx->last_seq : tx->known_max);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ledger_db_fail(tx->db, err);
    return tally_delta_apply(tx->tally, tx->db, err);
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
    return rc == SQLITE_DONE ? 0 : ledger_db_fail(tx->db, err);
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
    /* Stored with its batch, or the transaction fails. */
    if (note_stored(tx, r, err) < 0)
        return -1;
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
    if (strlen(r->instance) != 32 || !hexid_is_lower(r->instance, 32))
        return mp_fail(err, "vote %" PRId64 ": \"%s\" is not a database instance id", r->seq,
                       r->instance);
    if (r->seq < 1)
        return mp_fail(err, "vote number %" PRId64 " is not positive", r->seq);
    if (!hexid_is_uuid(r->uuid, strlen(r->uuid)))
        return mp_fail(err, "vote %" PRId64 ": \"%s\" is not a UUID", r->seq, r->uuid);
    if (r->utc_offset < -CLOCK_UTC_OFFSET_MAX || r->utc_offset > CLOCK_UTC_OFFSET_MAX)
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

/* The stored vote with r's key differs from r: say how, in words a clerk
 * can act on, naming the earlier file by its path and import time. */
static int conflict(ledger_tx *tx, const export_row *r, mp_err *err)
{
    sqlite3_stmt *st = tx->existing;
    char here[160], there[160];
    const char *field = NULL;
    if (strcmp(ledger_text_col(st, 0), r->uuid) != 0) {
        field = N_("uuid");
        snprintf(here, sizeof here, "%s", r->uuid);
        snprintf(there, sizeof there, "%s", ledger_text_col(st, 0));
    } else if (sqlite3_column_int64(st, 1) != r->cast_utc) {
        field = N_("vote time");
        clock_format_zone(r->cast_utc, r->utc_offset, here, sizeof here);
        clock_format_zone(sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2), there,
                            sizeof there);
    } else if (sqlite3_column_int(st, 2) != r->utc_offset) {
        field = N_("time zone");
        clock_format_zone(r->cast_utc, r->utc_offset, here, sizeof here);
        clock_format_zone(r->cast_utc, sqlite3_column_int(st, 2), there, sizeof there);
    } else if (strcmp(ledger_text_col(st, 3), r->unit_code) != 0) {
        field = N_("unit code");
        snprintf(here, sizeof here, "%s", r->unit_code);
        snprintf(there, sizeof there, "%s", ledger_text_col(st, 3));
    } else if (strcmp(ledger_text_col(st, 4), r->unit_name) != 0) {
        field = N_("unit name");
        snprintf(here, sizeof here, "%s", r->unit_name);
        snprintf(there, sizeof there, "%s", ledger_text_col(st, 4));
    } else if (sqlite3_column_int(st, 5) != r->points) {
        field = N_("points");
        snprintf(here, sizeof here, "%d", r->points);
        snprintf(there, sizeof there, "%d", sqlite3_column_int(st, 5));
    } else if (strcmp(ledger_text_col(st, 6), r->channel) != 0) {
        field = N_("channel");
        snprintf(here, sizeof here, "%s", r->channel);
        snprintf(there, sizeof there, "%s", ledger_text_col(st, 6));
    } else if (sqlite3_column_int(st, 7) != r->flagged) {
        field = N_("flag");
        snprintf(here, sizeof here, "%d", r->flagged);
        snprintf(there, sizeof there, "%d", sqlite3_column_int(st, 7));
    }
    if (!field)
        return 0;
    const char *path = ledger_text_col(st, 9);
    char when[40];
    int64_t imported = sqlite3_column_int64(st, 10);
    clock_format_zone(imported, clock_utc_offset(imported), when, sizeof when);
    return mp_fail(err,
                   "conflict: vote %" PRId64 " of kiosk %s (kiosk database %.8s) is not the "
                   "vote with the same number imported from %s on %s (%s: %s there, %s here). "
                   "Two kiosks have been writing copies of one kiosk database (its file was "
                   "copied or restored onto another kiosk); nothing of this file was imported. "
                   "Ask a technician to give each kiosk its own database, then export again",
                   r->seq, r->kiosk_id, r->instance,
                   *path ? path : ledger_text_col(st, 8), when, _(field), there, here);
}

int ledger_tx_add(ledger_tx *tx, const export_row *r, mp_err *err)
{
    if (!tx->rows_checked && check_row(r, err) < 0)
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
            return ledger_db_fail(tx->db, err);
        inserted = sqlite3_changes(tx->db) > 0;
        if (inserted && note_stored(tx, r, err) < 0)
            return -1;
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
                                     : ledger_db_fail(tx->db, err);
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
        return ledger_db_fail(tx->db, err);
    sqlite3_bind_text(st, 1, tx->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tx->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, last_seq);
    size_t i = 0;
    ledger_ranges list;
    ledger_ranges_init(&list, text, len, 0);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        while (i < tx->n_seqs && tx->seqs[i] < seq)
            i++;
        if (i < tx->n_seqs && tx->seqs[i] == seq)
            continue;
        (*count)++;
        ledger_ranges_add(&list, seq, seq);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ledger_db_fail(tx->db, err);
    ledger_ranges_end(&list);
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
    if (sqlite3_prepare_v2(db, "SELECT min(id) FROM imports WHERE file_sha256 = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        ledger_db_fail(db, err);
        goto fail;
    }
    sqlite3_bind_text(st, 1, tx->sha256, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        tx->seen_import_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        ledger_db_fail(db, err);
        goto fail;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO imports(id, exported_utc, rows, new_rows, first_seq, "
                           "last_seq, key_id, absent_rows, absent_seqs, file_sha256, "
                           "file_name, kiosk_id, instance, imported_utc, file_path) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                           "?15)",
                           -1, &st, NULL) != SQLITE_OK) {
        ledger_db_fail(db, err);
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
    sqlite3_bind_text(st, 11, tx->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, tx->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, tx->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, tx->now_utc);
    sqlite3_bind_text(st, 15, tx->file_path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        ledger_db_fail(db, err);
        goto fail;
    }
    if (note_commit(tx, meta->exported_utc, err) < 0)
        goto fail;
    /* The index's sort runs through temporary files (in the page cache)
     * rather than SQLite's in-memory temporary storage, which made it two
     * to three times slower (1.5 s against 0.6 s for a million votes). */
    if (tx->unit_index_sql && tx->temp_store >= 0 && set_temp_store(db, tx->temp_store) == 0)
        tx->temp_store = -1;
    if (tx->unit_index_sql &&
        sqlite3_exec(db, tx->unit_index_sql, NULL, NULL, NULL) != SQLITE_OK) {
        ledger_db_fail(db, err);
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

/* The file's SHA-256, made on the reader's signature thread once the
 * signature is good (export_read_options.after_verify), while the rows are
 * stored: one helper thread beside the rows, not two (on two cores a third
 * thread took time from the rows).  The commit needs it. */
typedef struct hash_job {
    const unsigned char *buf;
    size_t len;
    unsigned char digest[crypto_hash_sha256_BYTES];
    int done;
} hash_job;

static void hash_file(void *arg)
{
    hash_job *j = arg;
    crypto_hash_sha256(j->digest, j->buf, j->len);
    j->done = 1;
}

typedef struct import_ctx {
    sqlite3 *db;
    const char *file_name;
    int64_t now_utc;
    hash_job hash;
    ledger_tx *tx;
    ledger_progress_fn progress;
    void *progress_user;
    const export_meta *meta; /* the signature line's, filled before the first row */
    int64_t done, total, next_report;
} import_ctx;

/* Begins the file's transaction (its digest comes at the commit). */
static int import_begin(import_ctx *c, mp_err *err)
{
    if (tx_begin(c->db, c->file_name, NULL, c->now_utc, &c->tx, err) < 0)
        return -1;
    /* export_read has checked every row against the signature line's
     * fields and more strictly than ledger_tx_add would. */
    c->tx->rows_checked = 1;
    c->total = c->meta->rows;
    if (ledger_tx_expect(c->tx, c->total, err) < 0) {
        ledger_tx_abort(c->tx);
        c->tx = NULL;
        return -1;
    }
    return 0;
}

static int import_row(void *user, const export_row *row, mp_err *err)
{
    import_ctx *c = user;
    if (!c->tx && import_begin(c, err) < 0)
        return -1;
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
    import_ctx *c = user;
    if (!c->tx && import_begin(c, err) < 0)
        return -1;
    return ledger_followup_add(c->db, f, NULL, err);
}

int ledger_import(sqlite3 *db, const char *file_name, const char *buf, size_t len,
                  export_key_fn key_fn, void *key_user, int64_t now_utc,
                  ledger_progress_fn progress, void *progress_user, ledger_summary *out,
                  mp_err *err)
{
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    import_ctx c = {.db = db, .file_name = file_name, .now_utc = now_utc,
                    .hash = {.buf = (const unsigned char *)buf, .len = len},
                    .progress = progress, .progress_user = progress_user};
    export_meta meta;
    c.meta = &meta;
    /* The signature is checked while the rows are stored: a file that
     * fails it is rolled back with the rest. */
    const export_read_options opt = {.verify_alongside = 1, .after_verify = hash_file,
                                     .after_verify_user = &c.hash};
    int rc = export_read_with(buf, len, key_fn, key_user, &meta, import_row, import_followup,
                              &c, &opt, err);
    if (rc == 0 && !c.tx) /* a file without votes */
        rc = import_begin(&c, err);
    if (rc == 0 && !c.hash.done) /* export_read_with's contract: cannot happen */
        rc = mp_fail(err, "the file's SHA-256 was not computed");
    if (rc == 0)
        sodium_bin2hex(c.tx->sha256, sizeof c.tx->sha256, c.hash.digest, sizeof c.hash.digest);
    if (rc < 0) {
        ledger_tx_abort(c.tx);
        return -1;
    }
    if (progress)
        progress(progress_user, c.done, c.done);
    return ledger_tx_commit(c.tx, &meta, out, err);
}

/* ledger.h - the office's vote ledger: every vote imported from every kiosk,
 * once, with the record of which file brought it.
 *
 * A vote's key is (kiosk id, database instance, seq).  Kiosk exports are
 * cumulative, so the same vote arrives again and again: a vote already in
 * the ledger with the same content is counted once; one with the same key but
 * different content is a conflict that rejects the whole file.
 *
 * Each file is stored in one transaction (ledger_tx): verified rows go in as
 * export_read hands them over (new votes by batches of 64), and only a
 * complete, verified file commits.
 * A failure anywhere rolls back, leaving the ledger exactly as it was.
 *
 * From what is stored the ledger also answers the office's questions:
 *   - gaps: the seq numbers missing between 1 and the highest known of each
 *     instance (votes deleted on a kiosk before export show up here);
 *   - absent votes: votes an earlier file brought that a later cumulative
 *     file of the same instance lacks (votes deleted after an export);
 *   - clock warnings: votes dated before their kiosk was first provisioned,
 *     after the export that brought them, or in the future (kiosk boards
 *     without a battery-backed clock boot in 1970);
 *   - the counts per unit and rating behind the report.
 *
 * All functions take the office database connection (registry_sqlite()).
 * Dates in windows are local calendar dates of the kiosk ("YYYY-MM-DD", the
 * vote's cast_utc + utc_offset); NULL means unbounded.
 */
#ifndef MINPING_LEDGER_H
#define MINPING_LEDGER_H

#include "err.h"
#include "export.h"
#include "rating.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* How far (seconds) a kiosk's clock may be off the office's before its votes
 * are called "before provisioning" or "in the future". */
#define LEDGER_CLOCK_SLACK 86400

/* Room for a list of seq ranges in a summary. */
enum { LEDGER_SEQS_TEXT = 160 };

/* What one accepted file did. */
typedef struct ledger_summary {
    int64_t import_id;       /* its row in imports */
    int64_t rows;            /* votes in the file */
    int64_t new_rows;        /* of those, votes the ledger did not have */
    int64_t seen_import_id;  /* an earlier import of the very same bytes, or 0 */
    int64_t absent;          /* votes numbered up to the file's last that an earlier
                                import brought but this file lacks: deleted on the
                                kiosk after that export? */
    char absent_seqs[LEDGER_SEQS_TEXT]; /* which: "31-33, 40" (cut short with "…") */
    char sha256[65];         /* the file's SHA-256, lowercase hex */
    export_meta meta;        /* what its signature line says */
} ledger_summary;

/* One file's transaction. */
typedef struct ledger_tx ledger_tx;

/* Starts storing one file: BEGIN IMMEDIATE on db.  file_name is the file's
 * path (or name): its last part is recorded as the file's name, the whole
 * as its path (a conflict names it); sha256 is 64 hex digits.  On
 * success *out must be ended by ledger_tx_commit or ledger_tx_abort.  Until
 * then the connection keeps its temporary data (the statement journals of
 * the inserts) in memory: PRAGMA temp_store is set back after (before the
 * commit rebuilds votes_by_unit, whose sort is faster in files). */
int ledger_tx_begin(sqlite3 *db, const char *file_name, const char *sha256, int64_t now_utc,
                    ledger_tx **out, mp_err *err);

/* Files of fewer votes than this never have votes_by_unit rebuilt. */
enum { LEDGER_REINDEX_MIN_ROWS = 1000 };

/* Says, before the first ledger_tx_add, that about rows votes will come.
 * When they are at least LEDGER_REINDEX_MIN_ROWS and at least half as many
 * as the ledger holds, the index votes_by_unit is dropped now and made again
 * by ledger_tx_commit (one sort instead of a B-tree insert per vote); a
 * rollback keeps the old index.  Optional: without it every vote goes into
 * the index as it is stored.  Fails only when the database does; the
 * transaction must then be aborted. */
int ledger_tx_expect(ledger_tx *tx, int64_t rows, mp_err *err);

/* Stores one verified row (a vote already in the ledger with the same content
 * is counted, not stored again).  Fails, and the transaction must then be
 * aborted, when the row is malformed, names another kiosk or instance than
 * the file's earlier rows, comes from a kiosk that was never provisioned, or
 * conflicts with a vote imported before (same key, different content).
 * Votes numbered above the highest the ledger had of their instance cannot
 * conflict and are stored by batches of 64 (one multi-row INSERT), so the
 * database failing to store one (disk full) may be reported by a later
 * ledger_tx_add or by ledger_tx_commit; any other failure is reported by the
 * call that adds the row. */
int ledger_tx_add(ledger_tx *tx, const export_row *row, mp_err *err);

/* Checks that the rows added agree with the file's signature line (kiosk,
 * instance, count), records the import and commits.  Frees tx either way; on
 * failure everything is rolled back.  *out (may be NULL) gets the summary. */
int ledger_tx_commit(ledger_tx *tx, const export_meta *meta, ledger_summary *out, mp_err *err);

/* Rolls back and frees tx (NULL is fine). */
void ledger_tx_abort(ledger_tx *tx);

/* Progress of a long import: done of total rows (total is the vote count of
 * the file's signature line). */
typedef void (*ledger_progress_fn)(void *user, int64_t done, int64_t total);

/* Verifies the export file in buf (export_read with key_fn) and stores its
 * votes in one transaction: the whole file or nothing.  The signature is
 * checked on a second thread while the rows are stored (export_read_options:
 * verify_alongside), then the file's SHA-256 computed on that thread (buf is
 * only read); a file whose signature does not match is rolled back with
 * everything it brought.  file_name is
 * the file's path, recorded as ledger_tx_begin says.  progress (may be NULL) is called now and
 * then while rows are stored.  On failure err says why in one sentence and
 * the database is unchanged. */
int ledger_import(sqlite3 *db, const char *file_name, const char *buf, size_t len,
                  export_key_fn key_fn, void *key_user, int64_t now_utc,
                  ledger_progress_fn progress, void *progress_user, ledger_summary *out,
                  mp_err *err);

/* ---- gaps ---- */

/* A run of missing seq numbers, from..to inclusive. */
typedef struct ledger_gap {
    const char *kiosk_id;
    const char *instance;
    int64_t from, to;
} ledger_gap;

typedef int (*ledger_gap_fn)(void *user, const ledger_gap *gap);

/* Calls fn for each gap, by kiosk, instance and seq; kiosk_id and instance
 * (each may be NULL: all) narrow the search.  A non-zero return from fn
 * stops the walk and fails. */
int ledger_each_gap(sqlite3 *db, const char *kiosk_id, const char *instance, ledger_gap_fn fn,
                    void *user, mp_err *err);

/* The gaps of one instance as text, "3-4, 9, 12-20" (at most max_ranges
 * ranges, then ", … and N more ranges"); *out is malloc'd, "" when none.
 * *missing (may be NULL) gets the number of missing votes. */
int ledger_gap_text(sqlite3 *db, const char *kiosk_id, const char *instance, int max_ranges,
                    char **out, int64_t *missing, mp_err *err);

/* ---- clocks ---- */

enum {
    LEDGER_CLOCK_BEFORE_PROVISIONED = 1, /* before the kiosk's first provisioning, less slack */
    LEDGER_CLOCK_AFTER_EXPORT = 2,       /* after the export that brought it (same clock) */
    LEDGER_CLOCK_FUTURE = 4,             /* after the office imported it, plus slack */
};

/* One kiosk's votes with an implausible date. */
typedef struct ledger_clock_warning {
    const char *kiosk_id;
    int64_t provisioned_utc;    /* first provisioning (office clock) */
    int64_t votes;              /* suspect votes, each counted once */
    int64_t before_provisioned; /* how many for each reason */
    int64_t after_export;
    int64_t future;
    int64_t in_window;          /* of the suspect votes, those dated inside the window */
    int64_t earliest_utc, latest_utc; /* their dates, kiosk clock */
    const char *seqs;           /* which, by instance: "1a2b3c4d: 1-3, 9; 5e6f…: 4" (cut short) */
} ledger_clock_warning;

typedef int (*ledger_clock_fn)(void *user, const ledger_clock_warning *w);

/* Calls fn for each kiosk (kiosk_id NULL: all; else that one) with suspect
 * votes, by kiosk id.  from/to (may be NULL) define in_window. */
int ledger_each_clock_warning(sqlite3 *db, const char *kiosk_id, const char *from,
                              const char *to, ledger_clock_fn fn, void *user, mp_err *err);

/* ---- what is stored ---- */

typedef struct ledger_kiosk {
    const char *id;
    int64_t provisioned_utc;       /* last provisioning */
    int64_t first_provisioned_utc; /* first provisioning */
    int64_t units;                 /* units it serves now */
    int64_t imports;               /* imports of its files (a file imported twice: 2) */
    int64_t votes;                 /* votes in the ledger */
    int64_t last_imported_utc;     /* 0 when never */
    int64_t files;                 /* distinct files imported (by content) */
    const char *survey_url;        /* as provisioned (a mark for a source that is no kiosk) */
} ledger_kiosk;

typedef int (*ledger_kiosk_fn)(void *user, const ledger_kiosk *k);

/* Every provisioned kiosk, by id. */
int ledger_each_kiosk(sqlite3 *db, ledger_kiosk_fn fn, void *user, mp_err *err);

typedef struct ledger_instance {
    const char *kiosk_id;
    const char *instance;
    int64_t votes, flagged;   /* stored */
    int64_t max_seq;          /* the highest seq known (0: none) */
    int64_t missing;          /* max_seq - votes: seq numbers never seen */
    int64_t imports;          /* imports of its files (a file imported twice: 2) */
    int64_t files;            /* distinct files imported of it (by content) */
    int64_t last_exported_utc;
    int64_t last_imported_utc;
} ledger_instance;

typedef int (*ledger_instance_fn)(void *user, const ledger_instance *in);

/* Every kiosk database instance the office has imported from (kiosk_id NULL:
 * all), by kiosk then first import. */
int ledger_each_instance(sqlite3 *db, const char *kiosk_id, ledger_instance_fn fn, void *user,
                         mp_err *err);

typedef struct ledger_import_info {
    int64_t id;
    const char *file_name;
    const char *sha256;
    const char *kiosk_id;
    const char *instance;
    int64_t exported_utc;
    int64_t rows, new_rows;
    int64_t first_seq, last_seq;
    const char *key_id;
    int64_t imported_utc;
    int64_t absent_rows;       /* see ledger_summary.absent */
    const char *absent_seqs;
} ledger_import_info;

typedef int (*ledger_import_fn)(void *user, const ledger_import_info *imp);

/* Every import, oldest first. */
int ledger_each_import(sqlite3 *db, ledger_import_fn fn, void *user, mp_err *err);

/* ---- counts ---- */

/* A registered unit's votes dated in the window. */
typedef struct ledger_unit_counts {
    const char *code;
    const char *name;               /* the registry's name */
    const char *type;               /* 乡镇, 县直机关, …, or NULL when not registered */
    int64_t counts[RATING_COUNT];   /* unflagged votes, by RATINGS order */
    int64_t flagged[RATING_COUNT];  /* flagged votes, by RATINGS order */
    /* Votes excluded by `votes exclude` (review.h), in neither of the above:
     * unflagged and flagged ones, by RATINGS order. */
    int64_t excluded[RATING_COUNT];
    int64_t excluded_flagged[RATING_COUNT];
} ledger_unit_counts;

typedef int (*ledger_unit_fn)(void *user, const ledger_unit_counts *u);

/* Every registered unit (with or without votes), by code.  The counts come
 * from the tallies (tally.h); they are those of the votes themselves. */
int ledger_each_unit_counts(sqlite3 *db, const char *from, const char *to, ledger_unit_fn fn,
                            void *user, mp_err *err);

/* Votes in the window for unit codes that are not in the registry (the unit
 * name is the one the kiosk showed; type is NULL). */
int ledger_each_unregistered(sqlite3 *db, const char *from, const char *to, ledger_unit_fn fn,
                             void *user, mp_err *err);

/* The same two, counting only the votes of channel ("kiosk", "online";
 * NULL: every channel). */
int ledger_each_unit_counts_in(sqlite3 *db, const char *from, const char *to,
                               const char *channel, ledger_unit_fn fn, void *user, mp_err *err);
int ledger_each_unregistered_in(sqlite3 *db, const char *from, const char *to,
                                const char *channel, ledger_unit_fn fn, void *user, mp_err *err);

/* Per unit code with votes in the window (of channel, NULL: all), the votes
 * cast at a kiosk and online; flagged ones only with include_flagged,
 * excluded ones never. */
typedef int (*ledger_channel_fn)(void *user, const char *unit_code, int64_t kiosk,
                                 int64_t online);
int ledger_each_channel_votes(sqlite3 *db, const char *from, const char *to,
                              const char *channel, int include_flagged, ledger_channel_fn fn,
                              void *user, mp_err *err);

/* Checks "YYYY-MM-DD" is a real calendar date (years 1970-9999). */
int ledger_check_date(const char *date, mp_err *err);

#endif

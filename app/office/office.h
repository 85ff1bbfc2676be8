/* office.h - what the commands of minping-office share.
 *
 * main.c reads the global options (--db) and runs one command; each command
 * lives in its own file (provision.c, ...), reads its own options with
 * getopt_long and returns the process's exit status.  Every error reaches
 * the user as one line "minping-office: ..." on stderr.
 */
#ifndef MINPING_OFFICE_H
#define MINPING_OFFICE_H

#include "err.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    OFFICE_EXIT_OK = 0,
    OFFICE_EXIT_FAIL = 1,  /* the work could not be done; nothing was changed */
    OFFICE_EXIT_USAGE = 2, /* the command line is malformed */
};

/* The office database used when neither --db nor $MINPING_OFFICE_DB names one. */
#define OFFICE_DEFAULT_DB "minping-office.db"
#define OFFICE_DB_ENV "MINPING_OFFICE_DB"

/* What kiosks.survey_url holds for a source of votes that is not a kiosk:
 * a survey server (provision-survey; it has no QR code to show) and the
 * 问卷星 answers (import-wjx). */
#define OFFICE_SURVEY_MARK "(online survey)"
#define OFFICE_WJX_MARK "(问卷星)"

typedef struct office_ctx {
    const char *db_path; /* the office database to use */
} office_ctx;

/* ---- Shared by every command (common.c) ---- */

/* Prints "minping-office: <message>" on stderr; returns OFFICE_EXIT_FAIL.
 * fmt is a message catalogue entry, translated before formatting (i18n.h). */
int office_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "minping-office: [cmd: ]<message> (see ... --help)" on stderr;
 * returns OFFICE_EXIT_USAGE.  cmd is NULL for the global options; fmt is
 * translated like office_fail's. */
int office_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports what getopt_long (run with opterr = 0 and an optstring starting
 * with ":") returned for a bad option: c is '?' or ':'.  Returns
 * OFFICE_EXIT_USAGE. */
int office_option_error(const char *cmd, int c, char **argv);

/* For a command whose only option is --help: parses argv, printing the help
 * (with print_help) or a usage error.  Returns OFFICE_CONTINUE when the
 * command should go on with its operands from argv[optind], else the exit
 * status to return. */
enum { OFFICE_CONTINUE = -1 };
int office_help_only(const char *cmd, int argc, char **argv, void (*print_help)(FILE *f));

/* The commands.  argv[0] is the command's name; each returns an exit status. */
int office_provision(const office_ctx *ctx, int argc, char **argv);
int office_import(const office_ctx *ctx, int argc, char **argv);  /* import.c */
int office_kiosks(const office_ctx *ctx, int argc, char **argv);  /* kiosks.c */
int office_report(const office_ctx *ctx, int argc, char **argv);  /* report.c */
int office_units(const office_ctx *ctx, int argc, char **argv);   /* units.c */
int office_units_form(const office_ctx *ctx, int argc, char **argv); /* unitform.c */
int office_rubric(const office_ctx *ctx, int argc, char **argv);  /* rubric.c */
int office_record(const office_ctx *ctx, int argc, char **argv);  /* record.c */
int office_assess(const office_ctx *ctx, int argc, char **argv);  /* assess.c */
int office_provision_survey(const office_ctx *ctx, int argc, char **argv); /* survey.c */
int office_import_wjx(const office_ctx *ctx, int argc, char **argv); /* wjx.c */
int office_votes(const office_ctx *ctx, int argc, char **argv);   /* votes.c */

/* Helpers of the commands that read the office database (common.c). */
struct registry;
struct ledger_clock_warning;

/* Opens the office database ctx->db_path.  With must_exist, a missing file
 * is an error (saying which commands create it) instead of a new empty
 * database; *created (may be NULL) tells whether this call created it, for
 * the command to say so once it has succeeded. */
int office_open_db(const office_ctx *ctx, int must_exist, struct registry **out, int *created,
                   mp_err *err);

/* Formats t (Unix seconds) in the office's local time with its zone,
 * "2026-11-27 16:30:05 +08:00" (buf: 32 bytes at least). */
void office_format_time(int64_t t, char *buf, size_t len);

/* Prints the gap warnings of one kiosk database instance (nothing when it
 * has none): one line per instance, each starting with prefix. */
int office_print_gaps(FILE *f, const char *prefix, sqlite3 *db, const char *kiosk_id,
                      const char *instance, mp_err *err);

/* Records a kiosk (or the online survey, which the office keeps as a
 * source like a kiosk), its units and its Ed25519 public key pk in one
 * transaction: everything or nothing. */
struct kiosk_config;
int office_record_kiosk(sqlite3 *db, const struct kiosk_config *cfg, const unsigned char *pk,
                        int64_t now_utc, mp_err *err);

/* Writes s as one CSV field of the office's reports (report, assess):
 * quoted when it holds a comma, a quote or a line break or has an edge
 * space; a text field (text != 0) that a spreadsheet would take for a
 * formula (= + - @, tab, CR) starts with an apostrophe. */
void office_csv_field(FILE *f, const char *s, int text);

/* Writes s to f escaped for HTML text and attribute values (& < > " '). */
void office_html(FILE *f, const char *s);

/* Prints one kiosk's clock warning as a line starting with prefix. */
void office_print_clock_warning(FILE *f, const char *prefix,
                                const struct ledger_clock_warning *w);

#endif

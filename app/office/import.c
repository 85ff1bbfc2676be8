/* import.c - `minping-office import FILE...`: verifies kiosk export files
 * and stores their votes in the office's ledger.
 *
 * Each file is read whole, its signature checked against the public keys the
 * office recorded when it provisioned the kiosk (keyring_lookup), and its
 * votes stored in one transaction (ledger_import).  A file that fails in any
 * way imports nothing and is reported in one line naming it; the other files
 * of the command are imported all the same, and the exit status is 1.
 * After the files come the warnings about what is now stored: missing vote
 * numbers (gaps) of each database instance touched, implausible dates of
 * each kiosk touched, votes for units the registry does not know.
 */
#include "office.h"

#include "clock.h"
#include "fsutil.h"
#include "i18n.h"
#include "keyring.h"
#include "ledger.h"
#include "registry.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "import"

/* Larger files are refused: a kiosk's export of a year is a few megabytes. */
#define EXPORT_FILE_MAX ((size_t)512 << 20)
/* Files with at least this many votes show progress on a terminal. */
#define PROGRESS_MIN_ROWS 1000

/* ---- the command ---- */

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] import FILE...\n"
          "\n"
          "Imports the votes of kiosk export files (the minping-*.csv files staff copy\n"
          "from a kiosk to a USB stick) into the office database.\n"
          "\n"
          "Each file's signature is checked against the kiosk's public key recorded when\n"
          "the kiosk was provisioned, and its votes are stored in one transaction: a file\n"
          "is imported whole or not at all.  A file that fails (a bad signature, a kiosk\n"
          "not provisioned here or a key this office did not issue, changed, cut short,\n"
          "appended to, empty, or not a Minping export) imports nothing and is named with\n"
          "the reason and what to do; the other files are\n"
          "still imported.  Exports are cumulative: a vote already imported (same kiosk,\n"
          "database instance and number) is counted once.  A vote that comes back with\n"
          "the same number but different content is a conflict: that file is rejected.\n"
          "\n"
          "Warnings follow the files: vote numbers missing from a kiosk database (votes\n"
          "deleted before export), votes whose kiosk clock was wrong (dated before the\n"
          "kiosk was provisioned, after the export, or in the future: imported and\n"
          "counted by their date, shown in the report), votes for units not in the unit\n"
          "registry.  On a terminal, large files show their progress.\n"
          "\n"
          "Options:\n"
          "  -h, --help   show this help\n"
          "\n"
          "The office database must exist already (minping-office provision creates\n"
          "it); import never creates one.\n"
          "\n"
          "Exit status: 0 every file imported; 1 at least one file was rejected (the\n"
          "others were imported), or the office database is missing or unusable; 2 a\n"
          "mistake in the command line.\n"),
          f);
}

/* What one command has touched, for the warnings after the files. */
typedef struct touched {
    char (*instances)[2][CONFIG_ID_MAX + 34]; /* kiosk id, instance */
    size_t n;
} touched;

static int touch(touched *t, const char *kiosk, const char *instance)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->instances[i][0], kiosk) == 0 && strcmp(t->instances[i][1], instance) == 0)
            return 0;
    void *more = realloc(t->instances, (t->n + 1) * sizeof *t->instances);
    if (!more)
        return -1;
    t->instances = more;
    snprintf(t->instances[t->n][0], sizeof t->instances[0][0], "%s", kiosk);
    snprintf(t->instances[t->n][1], sizeof t->instances[0][1], "%s", instance);
    t->n++;
    return 0;
}

/* Progress on a terminal: one line rewritten in place. */
typedef struct progress {
    const char *name;
    int shown;
    int64_t last_ms;
} progress;

static void show_progress(void *user, int64_t done, int64_t total)
{
    progress *p = user;
    if (total < PROGRESS_MIN_ROWS)
        return;
    int64_t now = clock_mono_ms();
    if (p->shown && done < total && now - p->last_ms < 100)
        return;
    p->last_ms = now;
    p->shown = 1;
    fputc('\r', stderr);
    fprintf(stderr, _("%s: %3d%% (%" PRId64 " of %" PRId64 " votes)"), p->name,
            (int)(total > 0 ? done * 100 / total : 100), done, total);
    fputs("\033[K", stderr);
    fflush(stderr);
}

static void clear_progress(progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* Imports one file; prints its line.  Returns 0 when imported. */
static int import_one(registry *reg, const char *path, touched *t, int64_t *new_votes)
{
    mp_err err;
    char *buf = NULL;
    size_t len = 0;
    if (fs_read_file(path, EXPORT_FILE_MAX, 0, &buf, &len, &err) < 0) {
        office_fail("%s: rejected, nothing imported: %s", path, err.msg);
        return -1;
    }
    progress p = {.name = path};
    ledger_progress_fn fn = isatty(STDERR_FILENO) ? show_progress : NULL;
    ledger_summary sum;
    /* The ledger records the path, so that a later conflict can name this
     * very file: absolute when it can be resolved. */
    char *abs = realpath(path, NULL);
    int rc = ledger_import(registry_sqlite(reg), abs ? abs : path, buf, len, keyring_lookup,
                           registry_sqlite(reg), clock_utc_now(), fn, &p, &sum, &err);
    free(abs);
    clear_progress(&p);
    free(buf);
    if (rc < 0) {
        office_fail("%s: rejected, nothing imported: %s", path, err.msg);
        return -1;
    }
    char when[32];
    office_format_time(sum.meta.exported_utc, when, sizeof when);
    if (sum.seen_import_id)
        printf(P_("%s: kiosk %s, database %.8s, exported %s: %" PRId64 " vote, %" PRId64
                  " new (this very file was imported before)\n",
                  "%s: kiosk %s, database %.8s, exported %s: %" PRId64 " votes, %" PRId64
                  " new (this very file was imported before)\n",
                  sum.rows),
               path, sum.meta.kiosk_id, sum.meta.instance, when, sum.rows, sum.new_rows);
    else
        printf(P_("%s: kiosk %s, database %.8s, exported %s: %" PRId64 " vote, %" PRId64
                  " new\n",
                  "%s: kiosk %s, database %.8s, exported %s: %" PRId64 " votes, %" PRId64
                  " new\n",
                  sum.rows),
               path, sum.meta.kiosk_id, sum.meta.instance, when, sum.rows, sum.new_rows);
    if (sum.meta.version == 2) /* the survey server's: its follow-ups too */
        printf(P_("  and %" PRId64 " follow-up (reasons or a comment given after a vote)\n",
                  "  and %" PRId64 " follow-ups (reasons or a comment given after a vote)\n",
                  sum.meta.followups),
               sum.meta.followups);
    if (sum.absent > 0)
        fprintf(stderr,
                P_("minping-office: warning: %s: lacks vote %s (%" PRId64 " vote) that an "
                   "earlier import of kiosk %s, database %.8s brought: deleted on the kiosk "
                   "after that export?  The office keeps and counts it.\n",
                   "minping-office: warning: %s: lacks votes %s (%" PRId64 " votes) that an "
                   "earlier import of kiosk %s, database %.8s brought: deleted on the kiosk "
                   "after that export?  The office keeps and counts them.\n",
                   sum.absent),
                path, sum.absent_seqs, sum.absent, sum.meta.kiosk_id, sum.meta.instance);
    *new_votes += sum.new_rows;
    if (touch(t, sum.meta.kiosk_id, sum.meta.instance) < 0)
        office_fail("%s: imported, but out of memory for its warnings; run minping-office "
                    "kiosks to see them",
                    path);
    return 0;
}

typedef struct clock_ctx {
    const touched *t;
    int printed;
} clock_ctx;

static int clock_warning(void *user, const ledger_clock_warning *w)
{
    clock_ctx *c = user;
    for (size_t i = 0; i < c->t->n; i++)
        if (strcmp(c->t->instances[i][0], w->kiosk_id) == 0) {
            office_print_clock_warning(stderr, _("minping-office: warning: "), w);
            c->printed++;
            break;
        }
    return 0;
}

static int unregistered(void *user, const ledger_unit_counts *u)
{
    (void)user;
    int64_t n = 0;
    for (int i = 0; i < RATING_COUNT; i++)
        n += u->counts[i] + u->flagged[i];
    fprintf(stderr,
            P_("minping-office: warning: %" PRId64 " vote for unit %s (\"%s\"), which is not "
               "in the unit registry: kept, but no report counts it until the unit is "
               "registered (minping-office units import)\n",
               "minping-office: warning: %" PRId64 " votes for unit %s (\"%s\"), which is not "
               "in the unit registry: kept, but no report counts them until the unit is "
               "registered (minping-office units import)\n",
               n),
            n, u->code, u->name);
    return 0;
}

/* The warnings about what is stored, for what this command touched. */
static int warn(registry *reg, const touched *t)
{
    sqlite3 *db = registry_sqlite(reg);
    mp_err err;
    for (size_t i = 0; i < t->n; i++)
        if (office_print_gaps(stderr, _("minping-office: warning: "), db, t->instances[i][0],
                              t->instances[i][1], &err) < 0)
            return office_fail("%s", err.msg);
    if (t->n == 0)
        return 0; /* nothing imported: nothing new to warn about */
    clock_ctx c = {t, 0};
    if (ledger_each_clock_warning(db, NULL, NULL, NULL, clock_warning, &c, &err) < 0 ||
        ledger_each_unregistered(db, NULL, NULL, unregistered, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    return 0;
}

int office_import(const office_ctx *ctx, int argc, char **argv)
{
    int status = office_help_only(CMD, argc, argv, print_help);
    if (status != OFFICE_CONTINUE)
        return status;
    if (optind >= argc)
        return office_usage(CMD, "no file given");

    mp_err err;
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);

    touched t = {NULL, 0};
    int files = argc - optind, rejected = 0;
    int64_t new_votes = 0;
    for (int i = optind; i < argc; i++)
        if (import_one(reg, argv[i], &t, &new_votes) < 0)
            rejected++;
    int warn_failed = warn(reg, &t) != 0;
    free(t.instances);
    registry_close(reg);

    printf(P_("%d of %d file imported, %d rejected; new votes: %" PRId64 ".\n",
              "%d of %d files imported, %d rejected; new votes: %" PRId64 ".\n", files),
           files - rejected, files, rejected, new_votes);
    return rejected || warn_failed ? OFFICE_EXIT_FAIL : OFFICE_EXIT_OK;
}

/* kiosks.c - `minping-office kiosks`: every provisioned kiosk, what has been
 * imported from each of its database instances, and the warnings about them
 * (missing vote numbers, implausible dates).
 */
#include "office.h"

#include "i18n.h"
#include "ledger.h"
#include "registry.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "kiosks"

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] kiosks\n"
          "\n"
          "Lists every provisioned kiosk (and every other source of votes: online\n"
          "surveys, 问卷星 answers): when it was provisioned, how many units it\n"
          "serves, and for each kiosk database (instance) imported from it the votes\n"
          "stored, the highest vote number seen and the last export.  Warnings follow\n"
          "the kiosk they concern: vote numbers missing from an instance (for example\n"
          "\"votes 3-4 missing\": votes deleted on the kiosk before it exported), and\n"
          "votes with an implausible date (a kiosk clock that was wrong).\n"
          "\n"
          "Options:\n"
          "  -h, --help   show this help\n"
          "\n"
          "A file imported twice counts once among the files (\"from 2 files, imported\n"
          "3 times\").  The office database must exist (provision creates it).\n"
          "\n"
          "Exit status: 0 listed (warnings included); 1 an error (the office database\n"
          "missing or unusable); 2 a mistake in the command line.\n"),
          f);
}

typedef struct listing {
    sqlite3 *db;
    int kiosks, warnings;
    int failed;
    mp_err err;
} listing;

static int print_instance(void *user, const ledger_instance *in)
{
    listing *l = user;
    char when[32];
    office_format_time(in->last_exported_utc, when, sizeof when);
    /* One whole sentence per case (flagged votes or not, one file or more),
     * each with the votes' plural. */
    if (in->flagged && in->files == 1)
        printf(P_("  database %s: %" PRId64 " vote (%" PRId64 " flagged as suspected ballot "
                  "stuffing), numbers up to %" PRId64 ", from %" PRId64 " file (imported %" PRId64
                  " times), last exported %s\n",
                  "  database %s: %" PRId64 " votes (%" PRId64 " flagged as suspected ballot "
                  "stuffing), numbers up to %" PRId64 ", from %" PRId64 " file (imported %" PRId64
                  " times), last exported %s\n",
                  in->votes),
               in->instance, in->votes, in->flagged, in->max_seq, in->files, in->imports, when);
    else if (in->flagged)
        printf(P_("  database %s: %" PRId64 " vote (%" PRId64 " flagged as suspected ballot "
                  "stuffing), numbers up to %" PRId64 ", from %" PRId64 " files (imported %" PRId64
                  " times), last exported %s\n",
                  "  database %s: %" PRId64 " votes (%" PRId64 " flagged as suspected ballot "
                  "stuffing), numbers up to %" PRId64 ", from %" PRId64 " files (imported %" PRId64
                  " times), last exported %s\n",
                  in->votes),
               in->instance, in->votes, in->flagged, in->max_seq, in->files, in->imports, when);
    else if (in->files == 1)
        printf(P_("  database %s: %" PRId64 " vote, numbers up to %" PRId64 ", from %" PRId64
                  " file (imported %" PRId64 " times), last exported %s\n",
                  "  database %s: %" PRId64 " votes, numbers up to %" PRId64 ", from %" PRId64
                  " file (imported %" PRId64 " times), last exported %s\n",
                  in->votes),
               in->instance, in->votes, in->max_seq, in->files, in->imports, when);
    else
        printf(P_("  database %s: %" PRId64 " vote, numbers up to %" PRId64 ", from %" PRId64
                  " files (imported %" PRId64 " times), last exported %s\n",
                  "  database %s: %" PRId64 " votes, numbers up to %" PRId64 ", from %" PRId64
                  " files (imported %" PRId64 " times), last exported %s\n",
                  in->votes),
               in->instance, in->votes, in->max_seq, in->files, in->imports, when);
    if (in->missing > 0) {
        l->warnings++;
        if (office_print_gaps(stdout, _("    warning: "), l->db, in->kiosk_id, in->instance,
                              &l->err) < 0) {
            l->failed = 1;
            return 1;
        }
    }
    return 0;
}

typedef struct absent_ctx {
    listing *l;
    const char *kiosk_id;
} absent_ctx;

static int print_absent(void *user, const ledger_import_info *imp)
{
    absent_ctx *a = user;
    if (imp->absent_rows <= 0 || strcmp(imp->kiosk_id, a->kiosk_id) != 0)
        return 0;
    a->l->warnings++;
    printf(P_("  warning: file %s (database %.8s) lacks vote %s (%" PRId64 ") that an earlier "
              "import brought: deleted on the kiosk after that export?  The office keeps it.\n",
              "  warning: file %s (database %.8s) lacks votes %s (%" PRId64 ") that an earlier "
              "import brought: deleted on the kiosk after that export?  The office keeps "
              "them.\n",
              imp->absent_rows),
           imp->file_name, imp->instance, imp->absent_seqs, imp->absent_rows);
    return 0;
}

static int print_clock(void *user, const ledger_clock_warning *w)
{
    listing *l = user;
    l->warnings++;
    office_print_clock_warning(stdout, _("  warning: "), w);
    return 0;
}

static int print_kiosk(void *user, const ledger_kiosk *k)
{
    listing *l = user;
    char prov[32], first[32], last[32];
    office_format_time(k->provisioned_utc, prov, sizeof prov);
    office_format_time(k->first_provisioned_utc, first, sizeof first);
    if (l->kiosks)
        putchar('\n');
    /* The sources that are no kiosk say what they are. */
    if (strcmp(k->survey_url, OFFICE_WJX_MARK) == 0)
        printf(_("answers from 问卷星 (wjx.cn), source %s:\n"), k->id);
    else if (strcmp(k->survey_url, OFFICE_SURVEY_MARK) == 0 &&
             k->first_provisioned_utc != k->provisioned_utc)
        printf(P_("online survey %s: provisioned %s (first %s), %" PRId64 " unit\n",
                  "online survey %s: provisioned %s (first %s), %" PRId64 " units\n", k->units),
               k->id, prov, first, k->units);
    else if (strcmp(k->survey_url, OFFICE_SURVEY_MARK) == 0)
        printf(P_("online survey %s: provisioned %s, %" PRId64 " unit\n",
                  "online survey %s: provisioned %s, %" PRId64 " units\n", k->units),
               k->id, prov, k->units);
    else if (k->first_provisioned_utc != k->provisioned_utc)
        printf(P_("kiosk %s: provisioned %s (first %s), %" PRId64 " unit\n",
                  "kiosk %s: provisioned %s (first %s), %" PRId64 " units\n", k->units),
               k->id, prov, first, k->units);
    else
        printf(P_("kiosk %s: provisioned %s, %" PRId64 " unit\n",
                  "kiosk %s: provisioned %s, %" PRId64 " units\n", k->units),
               k->id, prov, k->units);
    if (k->imports == 0) {
        printf(_("  nothing imported yet\n"));
    } else {
        office_format_time(k->last_imported_utc, last, sizeof last);
        /* One sentence per number of files, each with the votes' plural. */
        if (k->files == 1)
            printf(P_("  %" PRId64 " vote from %" PRId64 " file (imported %" PRId64
                      " times), last imported %s\n",
                      "  %" PRId64 " votes from %" PRId64 " file (imported %" PRId64
                      " times), last imported %s\n",
                      k->votes),
                   k->votes, k->files, k->imports, last);
        else
            printf(P_("  %" PRId64 " vote from %" PRId64 " files (imported %" PRId64
                      " times), last imported %s\n",
                      "  %" PRId64 " votes from %" PRId64 " files (imported %" PRId64
                      " times), last imported %s\n",
                      k->votes),
                   k->votes, k->files, k->imports, last);
    }
    l->kiosks++;
    mp_err err;
    if (ledger_each_instance(l->db, k->id, print_instance, l, &err) < 0) {
        if (!l->failed)
            l->err = err;
        l->failed = 1;
        return 1;
    }
    absent_ctx a = {l, k->id};
    if (ledger_each_import(l->db, print_absent, &a, &l->err) < 0 ||
        ledger_each_clock_warning(l->db, k->id, NULL, NULL, print_clock, l, &l->err) < 0) {
        l->failed = 1;
        return 1;
    }
    return 0;
}

int office_kiosks(const office_ctx *ctx, int argc, char **argv)
{
    int status = office_help_only(CMD, argc, argv, print_help);
    if (status != OFFICE_CONTINUE)
        return status;
    if (optind < argc)
        return office_usage(CMD, "unexpected argument \"%s\"", argv[optind]);

    mp_err err;
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    listing l = {.db = registry_sqlite(reg)};
    int rc = ledger_each_kiosk(l.db, print_kiosk, &l, &err);
    registry_close(reg);
    if (l.failed)
        return office_fail("%s", l.err.msg);
    if (rc < 0)
        return office_fail("%s", err.msg);
    if (l.kiosks == 0)
        printf(_("No kiosks are provisioned in %s.\n"), ctx->db_path);
    else if (l.warnings)
        printf(P_("\n%d warning.\n", "\n%d warnings.\n", l.warnings), l.warnings);
    return OFFICE_EXIT_OK;
}

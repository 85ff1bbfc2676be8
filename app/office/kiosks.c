/* kiosks.c - `minping-office kiosks`: every provisioned kiosk, what has been
 * imported from each of its database instances, and the warnings about them
 * (missing vote numbers, implausible dates).
 */
#include "office.h"

#include "ledger.h"
#include "registry.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CMD "kiosks"

static void print_help(FILE *f)
{
    fputs("Usage: minping-office [--db FILE] kiosks\n"
          "\n"
          "Lists every provisioned kiosk: when it was provisioned, how many units it\n"
          "serves, and for each kiosk database (instance) imported from it the votes\n"
          "stored, the highest vote number seen and the last export.  Warnings follow\n"
          "the kiosk they concern: vote numbers missing from an instance (for example\n"
          "\"votes 3-4 missing\": votes deleted on the kiosk before it exported), and\n"
          "votes with an implausible date (a kiosk clock that was wrong).\n"
          "\n"
          "Options:\n"
          "  -h, --help   show this help\n"
          "\n"
          "Exit status: 0 listed (warnings included); 1 an error; 2 a mistake in the\n"
          "command line.\n",
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
    printf("  database %s: %" PRId64 " vote%s", in->instance, in->votes,
           in->votes == 1 ? "" : "s");
    if (in->flagged)
        printf(" (%" PRId64 " flagged as suspected ballot stuffing)", in->flagged);
    printf(", numbers up to %" PRId64 ", %" PRId64 " file%s imported, last exported %s\n",
           in->max_seq, in->imports, in->imports == 1 ? "" : "s", when);
    if (in->missing > 0) {
        l->warnings++;
        if (office_print_gaps(stdout, "    warning: ", l->db, in->kiosk_id, in->instance,
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
    printf("  warning: file %s (database %.8s) lacks vote%s %s (%" PRId64 ") that an earlier "
           "import brought: deleted on the kiosk after that export?\n",
           imp->file_name, imp->instance, imp->absent_rows == 1 ? "" : "s", imp->absent_seqs,
           imp->absent_rows);
    return 0;
}

static int print_clock(void *user, const ledger_clock_warning *w)
{
    listing *l = user;
    l->warnings++;
    office_print_clock_warning(stdout, "  warning: ", w);
    return 0;
}

static int print_kiosk(void *user, const ledger_kiosk *k)
{
    listing *l = user;
    char prov[32], first[32], last[32];
    office_format_time(k->provisioned_utc, prov, sizeof prov);
    office_format_time(k->first_provisioned_utc, first, sizeof first);
    printf("%skiosk %s: provisioned %s", l->kiosks ? "\n" : "", k->id, prov);
    if (k->first_provisioned_utc != k->provisioned_utc)
        printf(" (first %s)", first);
    printf(", %" PRId64 " unit%s", k->units, k->units == 1 ? "" : "s");
    if (k->imports == 0) {
        printf("; nothing imported yet\n");
    } else {
        office_format_time(k->last_imported_utc, last, sizeof last);
        printf("; %" PRId64 " vote%s from %" PRId64 " file%s, last imported %s\n", k->votes,
               k->votes == 1 ? "" : "s", k->imports, k->imports == 1 ? "" : "s", last);
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
    if (office_open_db(ctx, 1, &reg, &err) < 0)
        return office_fail("%s", err.msg);
    listing l = {.db = registry_sqlite(reg)};
    int rc = ledger_each_kiosk(l.db, print_kiosk, &l, &err);
    registry_close(reg);
    if (l.failed)
        return office_fail("%s", l.err.msg);
    if (rc < 0)
        return office_fail("%s", err.msg);
    if (l.kiosks == 0)
        printf("No kiosks are provisioned in %s.\n", ctx->db_path);
    else if (l.warnings)
        printf("\n%d warning%s.\n", l.warnings, l.warnings == 1 ? "" : "s");
    return OFFICE_EXIT_OK;
}

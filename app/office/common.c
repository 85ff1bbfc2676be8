/* common.c - what the commands of minping-office share (office.h): error
 * and usage lines, the --help-only option parser, opening the office
 * database, times in the office's local time, and the warning lines about
 * the ledger that both `import` and `kiosks` print.  No command calls
 * another command's file. */
#include "office.h"

#include "clock.h"
#include "config.h"
#include "keyring.h"
#include "i18n.h"
#include "ledger.h"
#include "registry.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- messages and options ---- */

int office_fail(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, _(fmt), ap);
    va_end(ap);
    fprintf(stderr, "minping-office: %s\n", msg);
    return OFFICE_EXIT_FAIL;
}

int office_usage(const char *cmd, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, _(fmt), ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, _("minping-office: %s: %s (see minping-office %s --help)\n"), cmd, msg, cmd);
    else
        fprintf(stderr, _("minping-office: %s (see minping-office --help)\n"), msg);
    return OFFICE_EXIT_USAGE;
}

int office_option_error(const char *cmd, int c, char **argv)
{
    /* getopt_long leaves optind just past the offending word. */
    const char *word = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':')
        return office_usage(cmd, "option %s needs a value", word);
    if (optopt)
        return office_usage(cmd, "unknown option -%c", optopt);
    return office_usage(cmd, "unknown option %s", word);
}

int office_help_only(const char *cmd, int argc, char **argv, void (*help)(FILE *f))
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            help(stdout);
            return OFFICE_EXIT_OK;
        }
        return office_option_error(cmd, c, argv);
    }
    return OFFICE_CONTINUE;
}

/* ---- the office database and its warnings ---- */

/* ---- helpers shared by the ledger commands ---- */

int office_open_db(const office_ctx *ctx, int must_exist, registry **out, int *created,
                   mp_err *err)
{
    struct stat sb;
    int missing = stat(ctx->db_path, &sb) < 0 && errno == ENOENT;
    if (created)
        *created = 0;
    if (must_exist && missing)
        return mp_fail(err, "the office database %s does not exist: provision a kiosk first "
                            "(minping-office provision creates it), or name the database with "
                            "--db",
                       ctx->db_path);
    if (registry_open(ctx->db_path, out, err) < 0)
        return -1;
    if (created)
        *created = missing;
    return 0;
}

void office_format_time(int64_t t, char *buf, size_t len)
{
    clock_format_zone(t, clock_utc_offset(t), buf, len);
}

/* How many missing ranges a warning lists before "… and N more". */
#define GAP_RANGES_SHOWN 20

int office_print_gaps(FILE *f, const char *prefix, sqlite3 *db, const char *kiosk_id,
                      const char *instance, mp_err *err)
{
    char *text = NULL;
    int64_t missing = 0;
    if (ledger_gap_text(db, kiosk_id, instance, GAP_RANGES_SHOWN, &text, &missing, err) < 0)
        return -1;
    if (missing > 0)
        fprintf(f,
                P_("%skiosk %s, database %.8s: vote %s missing (%" PRId64 " vote never imported: "
                   "deleted on the kiosk before export?  Ask the kiosk's staff)\n",
                   "%skiosk %s, database %.8s: votes %s missing (%" PRId64 " votes never "
                   "imported: deleted on the kiosk before export?  Ask the kiosk's staff)\n",
                   missing),
                prefix, kiosk_id, instance, text, missing);
    free(text);
    return 0;
}

void office_print_clock_warning(FILE *f, const char *prefix, const ledger_clock_warning *w)
{
    char prov[32], first[32], last[32];
    office_format_time(w->provisioned_utc, prov, sizeof prov);
    office_format_time(w->earliest_utc, first, sizeof first);
    office_format_time(w->latest_utc, last, sizeof last);
    fprintf(f,
            P_("%skiosk %s: %" PRId64 " vote with an implausible date (the kiosk's clock was "
               "wrong?): %" PRId64 " dated before the kiosk was provisioned (%s), %" PRId64
               " dated after the export that brought it, %" PRId64 " dated in the future; "
               "dated %s to %s; numbers %s.  It is imported and counted by the date it "
               "carries; the report lists it.  Set the kiosk's clock right.\n",
               "%skiosk %s: %" PRId64 " votes with an implausible date (the kiosk's clock was "
               "wrong?): %" PRId64 " dated before the kiosk was provisioned (%s), %" PRId64
               " dated after the export that brought them, %" PRId64 " dated in the future; "
               "dated %s to %s; numbers %s.  They are imported and counted by the date they "
               "carry; the report lists them.  Set the kiosk's clock right.\n",
               w->votes),
            prefix, w->kiosk_id, w->votes, w->before_provisioned, prov, w->after_export,
            w->future, first, last, w->seqs);
}

int office_record_kiosk(sqlite3 *db, const kiosk_config *cfg, const unsigned char *pk,
                        int64_t now_utc, mp_err *err)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return mp_fail(err, "office database busy or read-only: %s", sqlite3_errmsg(db));
    if (registry_provision(db, cfg, now_utc, err) < 0 ||
        keyring_add(db, cfg->id, pk, now_utc, err) < 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mp_fail(err, "cannot commit to the office database: %s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* One CSV field: quoted when it must be, and a text field that a
 * spreadsheet would take for a formula (= + - @) starts with an apostrophe. */
void office_csv_field(FILE *f, const char *s, int text)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' '));
    if (quote)
        fputc('"', f);
    if (text && *s && strchr("=+-@\t\r", *s))
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    if (quote)
        fputc('"', f);
}

void office_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

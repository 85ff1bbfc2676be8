/* units.c - `minping-office units import FILE.csv` loads the unit registry
 * (codes, names, types and the contacts of the registration form);
 * `minping-office units list` shows it.  The file format is described in
 * app/core/unitreg.h and in `units --help`.
 */
#include "office.h"

#include "clock.h"
#include "fsutil.h"
#include "i18n.h"
#include "registry.h"
#include "unitreg.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD "units"

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] units import FILE.csv\n"
          "       minping-office [--db FILE] units list\n"
          "       minping-office [--db FILE] units form (--unit CODE | --all) [--out FILE]\n"
          "\n"
          "import: loads the unit registry from a CSV file (UTF-8, as Excel's \"CSV UTF-8\"\n"
          "writes it; a byte-order mark and CRLF line ends are fine).  The first line\n"
          "names the columns, in any order:\n"
          "  代码, 名称, 类型            required: the unit code (as on the kiosks), its\n"
          "                             name (1 to 24 characters) and its type, one of\n"
          "                             乡镇, 县直机关, 垂直管理单位, 公共企事业单位\n"
          "  分管领导, 分管领导职务, 分管领导电话\n"
          "  责任科室, 科室负责人, 科室负责人职务, 科室负责人电话\n"
          "  联系人1姓名, 联系人1办公电话, 联系人1手机, 联系人1电子邮箱, 联系人1QQ\n"
          "  联系人2姓名, 联系人2办公电话, 联系人2手机, 联系人2电子邮箱, 联系人2QQ\n"
          "                             optional: the registration form (登记表)\n"
          "A line whose first field starts with # is a comment.  The whole file is\n"
          "checked first and stored in one transaction: any error (named with its line)\n"
          "stores nothing.  Units already registered are updated, names included (the\n"
          "registry is authoritative; each name change is reported); a column the file\n"
          "does not have leaves that detail as it was.\n"
          "\n"
          "list: prints the registry: code, name, type, leader, department, first contact.\n"
          "\n"
          "form: writes the registration form (登记表, annex 2) of one unit or of every\n"
          "unit as an HTML page that prints on A4, one unit a page (units form --help).\n"
          "\n"
          "Options:\n"
          "  -h, --help   show this help\n"
          "\n"
          "import creates the office database when it is missing, and says so; list\n"
          "needs an existing one.\n"
          "\n"
          "Exit status: 0 done; 1 an error (nothing stored; a missing office database\n"
          "for list); 2 a mistake in the command line.\n"),
          f);
}

static int run_import(const office_ctx *ctx, const char *path)
{
    mp_err err;
    char *buf = NULL;
    size_t len = 0;
    if (fs_read_file(path, UNITREG_FILE_MAX, 0, &buf, &len, &err) < 0)
        return office_fail("%s: %s", path, err.msg);
    registry *reg = NULL;
    int created = 0;
    if (office_open_db(ctx, 0, &reg, &created, &err) < 0) {
        free(buf);
        return office_fail("%s", err.msg);
    }
    unitreg_result res;
    int rc = unitreg_import(registry_sqlite(reg), path, buf, len, clock_utc_now(), &res, &err);
    registry_close(reg);
    free(buf);
    if (rc < 0) {
        /* A database this command created holds nothing: it goes again, so
         * that no file appears that nothing said was made. */
        if (created)
            (void)unlink(ctx->db_path);
        return office_fail("%s; nothing was stored", err.msg);
    }
    if (created)
        printf(_("Created the office database %s.\n"), ctx->db_path);
    printf(P_("%s: %" PRId64 " unit: %" PRId64 " added, %" PRId64 " updated, %" PRId64
              " unchanged.\n",
              "%s: %" PRId64 " units: %" PRId64 " added, %" PRId64 " updated, %" PRId64
              " unchanged.\n",
              (unsigned long)res.units),
           path, res.units, res.added, res.updated, res.unchanged);
    for (size_t i = 0; i < res.n_renames; i++) {
        const unitreg_rename *r = &res.renames[i];
        if (*r->kiosks)
            printf(_("  renamed %s: \"%s\" is now \"%s\" (the registry is authoritative); "
                     "kiosks %s show the old name until provisioned again with the new one\n"),
                   r->code, r->old_name, r->new_name, r->kiosks);
        else
            printf(_("  renamed %s: \"%s\" is now \"%s\" (the registry is authoritative)\n"),
                   r->code, r->old_name, r->new_name);
    }
    unitreg_result_free(&res);
    return OFFICE_EXIT_OK;
}

static int print_unit(void *user, const unitreg_unit *u)
{
    int *n = user;
    (*n)++;
    printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u->code, u->name, u->type, u->leader, u->office,
           u->contact1_name, u->contact1_office_phone, u->contact1_mobile);
    return 0;
}

static int run_list(const office_ctx *ctx)
{
    mp_err err;
    registry *reg = NULL;
    if (office_open_db(ctx, 1, &reg, NULL, &err) < 0)
        return office_fail("%s", err.msg);
    printf("代码\t名称\t类型\t分管领导\t责任科室\t联系人1姓名\t联系人1办公电话\t联系人1手机\n");
    int n = 0;
    int rc = unitreg_each(registry_sqlite(reg), print_unit, &n, &err);
    registry_close(reg);
    if (rc < 0)
        return office_fail("%s", err.msg);
    return OFFICE_EXIT_OK;
}

int office_units(const office_ctx *ctx, int argc, char **argv)
{
    /* form has options of its own. */
    if (argc >= 2 && strcmp(argv[1], "form") == 0)
        return office_units_form(ctx, argc - 1, argv + 1);
    int status = office_help_only(CMD, argc, argv, print_help);
    if (status != OFFICE_CONTINUE)
        return status;
    if (optind >= argc)
        return office_usage(CMD, "say \"import FILE.csv\", \"list\" or \"form\"");
    const char *sub = argv[optind++];
    if (strcmp(sub, "import") == 0) {
        if (optind >= argc)
            return office_usage(CMD, "import: no file given");
        if (optind + 1 < argc)
            return office_usage(CMD, "import: one file at a time (\"%s\" is extra)",
                                argv[optind + 1]);
        return run_import(ctx, argv[optind]);
    }
    if (strcmp(sub, "list") == 0) {
        if (optind < argc)
            return office_usage(CMD, "list: unexpected argument \"%s\"", argv[optind]);
        return run_list(ctx);
    }
    return office_usage(CMD, "unknown subcommand \"%s\" (import, list or form)", sub);
}

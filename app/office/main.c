/* main.c - minping-office, the county e-government office's tool.
 *
 * Reads the global options, picks the office database, and hands the rest of
 * the command line to one command from COMMANDS.  Each command lives in its
 * own file and returns the exit status: 0 done, 1 failed (and changed
 * nothing), 2 the command line was malformed.
 */
#include "office.h"
#include "i18n.h"

#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
    const char *name;
    int (*run)(const office_ctx *ctx, int argc, char **argv);
    const char *summary;
} COMMANDS[] = {
    {"provision", office_provision, N_("write a new kiosk's kiosk.ini and record the kiosk")},
    {"import", office_import, N_("verify kiosk export files and store their votes")},
    {"kiosks", office_kiosks, N_("list the kiosks, what was imported, gaps and clock warnings")},
    {"report", office_report, N_("each unit's 民主测评 counts and score (table, CSV, HTML)")},
    {"units", office_units, N_("load the unit registry from a CSV file; list it; print its registration forms")},
    {"rubric", office_rubric, N_("show or check the assessment rubric of a year")},
    {"record", office_record, N_("the assessment's year-round records: add, correct, list, import")},
    {"assess", office_assess, N_("the year-end scorecard of every unit (table, CSV, HTML, xlsx)")},
    {"provision-survey", office_provision_survey,
     N_("write the online survey server's survey.ini and record it")},
    {"import-wjx", office_import_wjx, N_("store a 问卷星 survey's answers (CSV download) as online votes")},
    {"votes", office_votes, N_("exclude votes from the score on review, restore them, list the decisions")},
};
enum { N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

static void print_help(FILE *f)
{
    fputs(_("Usage: minping-office [--db FILE] COMMAND [OPTIONS]\n"
          "\n"
          "The county e-government office's tool for Minping (民评) satisfaction kiosks.\n"
          "\n"
          "Commands:\n"),
          f);
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-16s %s\n", COMMANDS[i].name, _(COMMANDS[i].summary));
    fprintf(f, _("\n"
          "Global options (before the command):\n"
          "  --db FILE    the office database.  Commands that record something\n"
          "               (provision, units import) create it if missing and say so;\n"
          "               the others refuse a missing one.  Default: the file\n"
          "               named by $%s, else %s in the current folder\n"
          "  -h, --help   show this help\n"
          "\n"
          "Run 'minping-office COMMAND --help' for a command's options.\n"
          "\n"
          "Exit status: 0 done; 1 an error (reported on stderr, nothing changed):\n"
          "a file that is missing, unreadable, damaged or refused, a database that\n"
          "cannot be opened or written; 2 a mistake in the command line (an unknown\n"
          "option or command, a missing or malformed value).\n"),
          OFFICE_DB_ENV, OFFICE_DEFAULT_DB);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    i18n_init();
    /* SQLite's memory statistics take a global mutex on every allocation;
     * the office reads none of them. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    office_ctx ctx = {.db_path = OFFICE_DEFAULT_DB};
    const char *env = getenv(OFFICE_DB_ENV);
    if (env && *env)
        ctx.db_path = env;

    opterr = 0;
    int c;
    /* "+": stop at the command; its options are its own. */
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (!*optarg)
                return office_usage(NULL, "--db needs a file name");
            ctx.db_path = optarg;
            break;
        case 'h':
            print_help(stdout);
            return fflush(stdout) == 0 ? OFFICE_EXIT_OK
                                       : office_fail("cannot write the help: %s", strerror(errno));
        default:
            return office_option_error(NULL, c, argv);
        }
    }
    if (optind >= argc)
        return office_usage(NULL, "no command given");

    const struct command *cmd = NULL;
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, argv[optind]) == 0)
            cmd = &COMMANDS[i];
    if (!cmd)
        return office_usage(NULL, "unknown command \"%s\"", argv[optind]);

    int status = cmd->run(&ctx, argc - optind, argv + optind);
    /* Output that did not reach its destination is a failure too. */
    if (fflush(stdout) != 0 && status == OFFICE_EXIT_OK)
        return office_fail("cannot write to standard output: %s", strerror(errno));
    return status;
}

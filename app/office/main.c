/* main.c - minping-office, the county e-government office's tool.
 *
 * Reads the global options, picks the office database, and hands the rest of
 * the command line to one command from COMMANDS.  Each command lives in its
 * own file and returns the exit status: 0 done, 1 failed (and changed
 * nothing), 2 the command line was malformed.
 */
#include "office.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
    const char *name;
    int (*run)(const office_ctx *ctx, int argc, char **argv);
    const char *summary;
} COMMANDS[] = {
    {"provision", office_provision, "write a new kiosk's kiosk.ini and record the kiosk"},
    {"import", office_import, "verify kiosk export files and store their votes"},
    {"kiosks", office_kiosks, "list the kiosks, what was imported, gaps and clock warnings"},
    {"report", office_report, "each unit's 民主测评 counts and score (table, CSV, HTML)"},
    {"units", office_units, "load the unit registry from a CSV file; list it"},
    {"provision-survey", office_provision_survey,
     "write the online survey server's survey.ini and record it"},
};
enum { N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

int office_fail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "minping-office: %s\n", msg);
    return OFFICE_EXIT_FAIL;
}

int office_usage(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "minping-office: %s: %s (see minping-office %s --help)\n", cmd, msg, cmd);
    else
        fprintf(stderr, "minping-office: %s (see minping-office --help)\n", msg);
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

static void print_help(FILE *f)
{
    fputs("Usage: minping-office [--db FILE] COMMAND [OPTIONS]\n"
          "\n"
          "The county e-government office's tool for Minping (民评) satisfaction kiosks.\n"
          "\n"
          "Commands:\n",
          f);
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-16s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\n"
          "Global options (before the command):\n"
          "  --db FILE    the office database (created if missing).  Default: the file\n"
          "               named by $" OFFICE_DB_ENV ", else " OFFICE_DEFAULT_DB "\n"
          "               in the current folder\n"
          "  -h, --help   show this help\n"
          "\n"
          "Run 'minping-office COMMAND --help' for a command's options.\n"
          "\n"
          "Exit status: 0 done; 1 an error (reported on stderr, nothing changed);\n"
          "2 a mistake in the command line.\n",
          f);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
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

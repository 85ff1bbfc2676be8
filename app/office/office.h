/* office.h - what the commands of minping-office share.
 *
 * main.c reads the global options (--db) and runs one command; each command
 * lives in its own file (provision.c, ...), reads its own options with
 * getopt_long and returns the process's exit status.  Every error reaches
 * the user as one line "minping-office: ..." on stderr.
 */
#ifndef MINPING_OFFICE_H
#define MINPING_OFFICE_H

enum {
    OFFICE_EXIT_OK = 0,
    OFFICE_EXIT_FAIL = 1,  /* the work could not be done; nothing was changed */
    OFFICE_EXIT_USAGE = 2, /* the command line is malformed */
};

/* The office database used when neither --db nor $MINPING_OFFICE_DB names one. */
#define OFFICE_DEFAULT_DB "minping-office.db"
#define OFFICE_DB_ENV "MINPING_OFFICE_DB"

typedef struct office_ctx {
    const char *db_path; /* the office database to use */
} office_ctx;

/* Prints "minping-office: <message>" on stderr; returns OFFICE_EXIT_FAIL. */
int office_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "minping-office: [cmd: ]<message> (see ... --help)" on stderr;
 * returns OFFICE_EXIT_USAGE.  cmd is NULL for the global options. */
int office_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports what getopt_long (run with opterr = 0 and an optstring starting
 * with ":") returned for a bad option: c is '?' or ':'.  Returns
 * OFFICE_EXIT_USAGE. */
int office_option_error(const char *cmd, int c, char **argv);

/* The commands.  argv[0] is the command's name; each returns an exit status. */
int office_provision(const office_ctx *ctx, int argc, char **argv);

#endif

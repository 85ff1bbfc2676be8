/* testutil.h - helpers shared by the Check tests: scratch folders, files,
 * and running a program with its output captured.
 *
 * Every helper aborts the current test (ck_abort) when the system fails it,
 * so a test never goes on with a half-made fixture. */
#ifndef MINPING_TESTUTIL_H
#define MINPING_TESTUTIL_H

#include <check.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A scratch folder made once per test case, outside the forked tests (so it
 * is removed even when a test crashes): register tu_root_setup and
 * tu_root_teardown with tcase_add_unchecked_fixture; tu_root names it. */
extern char *tu_root;
void tu_root_setup(void);
void tu_root_teardown(void);

/* Runs the suite (fork mode, normal output) and returns the process's exit
 * status: EXIT_SUCCESS when every test passed. */
int tu_run_suite(Suite *s);

/* Creates a fresh folder "$TMPDIR/minping-test-XXXXXX" (TMPDIR defaults to
 * /tmp) and returns its malloc'd path. */
char *tu_mkdtemp(void);

/* Creates a fresh folder inside parent and returns its malloc'd path. */
char *tu_mkdtemp_in(const char *parent);

/* Removes path and everything below it, not following symbolic links.
 * A missing path is fine. */
void tu_rm_rf(const char *path);

/* Returns malloc'd "dir/name". */
char *tu_path(const char *dir, const char *name);

/* Writes len bytes to path (created or truncated, mode 0644). */
void tu_write_file(const char *path, const void *data, size_t len);

/* Returns the file's contents, NUL-terminated and malloc'd, with its length
 * in *len (if not NULL); NULL if the file does not exist. */
char *tu_read_file(const char *path, size_t *len);

/* Does path exist (without following a final symbolic link)? */
int tu_exists(const char *path);

/* The integer in the first column of the first row sql gives on db (an
 * SQLite connection); aborts the test when there is none. */
struct sqlite3;
int64_t tu_sql_int(struct sqlite3 *db, const char *sql);

/* Makes this process obey file permission bits although it runs as root:
 * drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its effective
 * capabilities, so a test of "permission denied" means the same as root as
 * for any user (who obeys them anyway: then it does nothing).
 * tu_obey_permissions(0) takes them back.  Aborts the test when it cannot. */
void tu_obey_permissions(int on);

/* Fills p with n bytes of noise that depend only on seed (xorshift, not the
 * C library's rand) and never take the value 0x0D, the type byte of an
 * SQLite table leaf page: noise alone can never be read as a page of rows,
 * whatever the seed. */
void tu_noise(void *p, size_t n, unsigned seed);

/* What a finished program left behind. */
typedef struct tu_result {
    int status;  /* exit status, or 128 + signal number if it was killed */
    char *out;   /* all it wrote to stdout, NUL-terminated */
    char *err;   /* all it wrote to stderr, NUL-terminated */
} tu_result;

/* Runs argv[0] (a path) with the arguments argv (NULL-terminated), in folder
 * cwd (NULL: the current one), feeding it `input` (NULL: nothing) on stdin.
 * Waits for it and fills *r; free it with tu_result_free. */
void tu_run(const char *cwd, char *const argv[], const char *input, tu_result *r);
void tu_result_free(tu_result *r);

/* Runs program prog with the arguments args (NULL-terminated, at most 62),
 * like tu_run. */
void tu_run_list(const char *prog, const char *cwd, const char *const *args, const char *input,
                 tu_result *r);

/* Same with the arguments taken from ap, ending with a NULL argument. */
void tu_run_va(const char *prog, const char *cwd, const char *input, tu_result *r, va_list ap);

#endif

/* testutil.c - scratch folders, files and child processes for the tests. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "testutil.h"

#include <check.h>
#include <sqlite3.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_mkdtemp_in(const char *parent)
{
    char *tmpl = tu_path(parent, "minping-test-XXXXXX");
    if (!mkdtemp(tmpl))
        ck_abort_msg("mkdtemp in %s: %s", parent, strerror(errno));
    return tmpl;
}

char *tu_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    return tu_mkdtemp_in(base && *base ? base : "/tmp");
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(path) < 0 && errno != ENOENT) {
        fprintf(stderr, "testutil: cannot remove %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

void tu_rm_rf(const char *path)
{
    if (!path || !tu_exists(path))
        return;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
        fprintf(stderr, "testutil: cannot remove all of %s\n", path);
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        ck_abort_msg("cannot create %s: %s", path, strerror(errno));
    size_t n = fwrite(data, 1, len, f);
    int rc = fclose(f);
    if (n != len || rc != 0)
        ck_abort_msg("cannot write %s", path);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return NULL;
        ck_abort_msg("cannot open %s: %s", path, strerror(errno));
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        cap *= 2;
        char *bigger = realloc(buf, cap);
        ck_assert_ptr_nonnull(bigger);
        buf = bigger;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        ck_abort_msg("cannot read %s", path);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int tu_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* Appends what is readable on fd to *buf; returns 0 at end of file. */
static int drain(int fd, char **buf, size_t *len, size_t *cap)
{
    if (*len + 4096 + 1 > *cap) {
        *cap = (*cap + 4096 + 1) * 2;
        char *bigger = realloc(*buf, *cap);
        ck_assert_ptr_nonnull(bigger);
        *buf = bigger;
    }
    ssize_t n = read(fd, *buf + *len, *cap - *len - 1);
    if (n < 0 && errno == EINTR)
        return 1;
    if (n < 0)
        ck_abort_msg("reading a child's output: %s", strerror(errno));
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    return n > 0;
}

void tu_run(const char *cwd, char *const argv[], const char *input, tu_result *r)
{
    int in[2], out[2], err[2];
    if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
        ck_abort_msg("pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        ck_abort_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
            _exit(126);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(err[0]); close(err[1]);
        if (cwd && chdir(cwd) < 0) {
            fprintf(stderr, "testutil: chdir %s: %s\n", cwd, strerror(errno));
            _exit(126);
        }
        execv(argv[0], argv);
        fprintf(stderr, "testutil: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);

    /* The child may exit without reading its input: no SIGPIPE for us. */
    signal(SIGPIPE, SIG_IGN);
    if (input) {
        size_t left = strlen(input);
        const char *p = input;
        while (left > 0) {
            ssize_t n = write(in[1], p, left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break; /* EPIPE: it did not want it */
            p += n;
            left -= (size_t)n;
        }
    }
    close(in[1]);

    size_t olen = 0, ocap = 1, elen = 0, ecap = 1;
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    ck_assert_ptr_nonnull(r->out);
    ck_assert_ptr_nonnull(r->err);
    struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            ck_abort_msg("poll: %s", strerror(errno));
        }
        if (fds[0].fd >= 0 && fds[0].revents) {
            if (!drain(out[0], &r->out, &olen, &ocap)) {
                fds[0].fd = -1;
                open_fds--;
            }
        }
        if (fds[1].fd >= 0 && fds[1].revents) {
            if (!drain(err[0], &r->err, &elen, &ecap)) {
                fds[1].fd = -1;
                open_fds--;
            }
        }
    }
    close(out[0]);
    close(err[0]);

    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            ck_abort_msg("waitpid: %s", strerror(errno));
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

void tu_result_free(tu_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

char *tu_root;

void tu_root_setup(void)
{
    tu_root = tu_mkdtemp();
}

void tu_root_teardown(void)
{
    tu_rm_rf(tu_root);
    free(tu_root);
    tu_root = NULL;
}

int tu_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void tu_run_list(const char *prog, const char *cwd, const char *const *args, const char *input,
                 tu_result *r)
{
    const char *argv[64] = {prog};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        ck_assert_uint_lt(n, 63);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    tu_run(cwd, (char *const *)argv, input, r);
}

void tu_run_va(const char *prog, const char *cwd, const char *input, tu_result *r, va_list ap)
{
    const char *args[64];
    size_t n = 0;
    while ((args[n] = va_arg(ap, const char *)) != NULL) {
        n++;
        ck_assert_uint_lt(n, 63);
    }
    tu_run_list(prog, cwd, args, input, r);
}

void tu_obey_permissions(int on)
{
    if (geteuid() != 0)
        return;
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    ck_assert_msg(syscall(SYS_capget, &h, d) == 0, "capget: %s", strerror(errno));
    static const int caps[] = {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        uint32_t bit = 1u << (caps[i] % 32);
        if (on)
            d[caps[i] / 32].effective &= ~bit;
        else
            d[caps[i] / 32].effective |= bit & d[caps[i] / 32].permitted;
    }
    ck_assert_msg(syscall(SYS_capset, &h, d) == 0, "capset: %s", strerror(errno));
}

void tu_noise(void *p, size_t n, unsigned seed)
{
    uint32_t x = seed ? seed : 1;
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (unsigned char)(x >> 24);
        if (b[i] == 0x0D)
            b[i] = 0x0E;
    }
}

int64_t tu_sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

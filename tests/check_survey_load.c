/* check_survey_load.c - minping-survey under load: 64 concurrent clients
 * cast 20,000 votes (MINPING_LOAD_VOTES overrides) and every vote
 * acknowledged with a thank-you is in the database and in the export, none
 * twice; and kill -9 of the server at random moments under load loses no
 * acknowledged vote.  The clients are tests/survey/httpload.c, each with
 * its own X-Forwarded-For address behind the trusted proxy 127.0.0.1. */
#include "httpload.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MINPING_SURVEY_BIN
#error "MINPING_SURVEY_BIN must name the minping-survey program"
#endif
#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    const char *args[] = {"--db", "office.db", "provision-survey", "--survey", "portal",
                          "--unit", "GA01=县公安局", "--out", "cfg", "--trusted-proxy",
                          "127.0.0.1", NULL};
    tu_result r;
    tu_run_list(MINPING_OFFICE_BIN, dir, args, NULL, &r);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    char *ini = tu_path(dir, "cfg/survey.ini");
    size_t len;
    char *t = tu_read_file(ini, &len);
    char *at = strstr(t, "requests_per_minute = 240");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "requests_per_minute = 999", 25);
    tu_write_file(ini, t, len);
    free(t);
    free(ini);
}

static void teardown(void)
{
    free(dir);
}

/* Starts the server; returns its pid and port. */
static pid_t start(int *port)
{
    static int n;
    char name[32];
    snprintf(name, sizeof name, "server-%d.log", ++n);
    char *log = tu_path(dir, name), *ini = tu_path(dir, "cfg/survey.ini");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen(log, "w", stderr))
            _exit(126);
        execl(MINPING_SURVEY_BIN, MINPING_SURVEY_BIN, "--config", ini, "--listen",
              "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    static const char LINE[] = "minping-survey: listening on http://127.0.0.1:";
    *port = 0;
    for (int i = 0; i < 3000 && !*port; i++) {
        char *text = tu_read_file(log, NULL);
        char *at = text ? strstr(text, LINE) : NULL;
        if (at && strchr(at, '\n'))
            *port = atoi(at + sizeof LINE - 1);
        free(text);
        if (!*port) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    ck_assert_msg(*port > 0, "no listening line");
    free(log);
    free(ini);
    return pid;
}

static int finish(pid_t pid, int sig)
{
    int st;
    kill(pid, sig);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* How many of the seqs are votes in the database (points 0, online). */
static int64_t stored(const int64_t *seqs, int64_t n, int64_t *total)
{
    char *db_path = tu_path(dir, "cfg/survey.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM votes WHERE seq = ?1 AND "
                                            "points = 0 AND channel = 'online'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int64_t found = 0;
    for (int64_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, seqs[i]);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        found += sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM votes", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    *total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(db_path);
    return found;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t distinct(int64_t *seqs, int64_t n)
{
    qsort(seqs, (size_t)n, sizeof *seqs, cmp64);
    int64_t d = 0;
    for (int64_t i = 0; i < n; i++)
        d += i == 0 || seqs[i] != seqs[i - 1];
    return d;
}

START_TEST(every_acknowledged_vote_exported_once)
{
    const char *env = getenv("MINPING_LOAD_VOTES");
    int votes = env && atoi(env) > 0 ? atoi(env) : 20000;
    int port;
    pid_t pid = start(&port);
    load_opts o = {.port = port, .clients = 64, .votes = votes, .unit = "GA01", .forwarded = 1};
    load_result r;
    ck_assert_int_eq(load_run(&o, &r), 0);
    printf("load: %d clients, %lld votes acknowledged in %.1f s (%.0f/s), p50 %.1f ms, p99 "
           "%.1f ms\n",
           o.clients, (long long)r.acked, r.seconds, (double)r.acked / r.seconds,
           load_quantile(&r, 0.5), load_quantile(&r, 0.99));
    ck_assert_int_eq(r.refused, 0);
    ck_assert_int_eq(r.broken, 0);
    ck_assert_int_eq(r.acked, votes);
    ck_assert_int_eq(distinct(r.seqs, r.acked), votes);
    int64_t total;
    ck_assert_int_eq(stored(r.seqs, r.acked, &total), votes);
    ck_assert_int_eq(total, votes);
    ck_assert_int_eq(finish(pid, SIGTERM), 0);
    load_result_free(&r);

    /* The export carries each of them once: the office imports them all. */
    char *exp = tu_path(dir, "exp");
    ck_assert_int_eq(mkdir(exp, 0755), 0);
    const char *ex[] = {"export", "--config", "cfg/survey.ini", "--out", "exp", NULL};
    tu_result x;
    tu_run_list(MINPING_SURVEY_BIN, dir, ex, NULL, &x);
    ck_assert_msg(x.status == 0, "%s", x.err);
    char *nl = strrchr(x.out, '\n');
    *nl = '\0';
    nl = strrchr(x.out, '\n');
    char *file = strdup(nl ? nl + 1 : x.out);
    tu_result_free(&x);
    const char *imp[] = {"--db", "office.db", "import", file, NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, imp, NULL, &x);
    ck_assert_msg(x.status == 0, "%s", x.err);
    char want[64];
    snprintf(want, sizeof want, "%d votes, %d new", votes, votes);
    ck_assert_msg(strstr(x.out, want), "%s", x.out);
    tu_result_free(&x);
    free(file);
    free(exp);
}
END_TEST

typedef struct bg {
    load_opts o;
    load_result r;
} bg;

static void *run_bg(void *arg)
{
    bg *b = arg;
    load_run(&b->o, &b->r);
    return NULL;
}

START_TEST(kill_9_under_load_loses_no_acknowledged_vote)
{
    srand((unsigned)time(NULL));
    int64_t acked_all = 0;
    for (int trial = 0; trial < 5; trial++) {
        int port;
        pid_t pid = start(&port);
        volatile int stop = 0;
        bg b = {.o = {.port = port, .clients = 64, .votes = 100000, .unit = "GA01",
                      .forwarded = 1, .stop = &stop}};
        pthread_t t;
        ck_assert_int_eq(pthread_create(&t, NULL, run_bg, &b), 0);
        struct timespec ts = {0, (100 + rand() % 700) * 1000L * 1000L};
        nanosleep(&ts, NULL);
        ck_assert_int_eq(finish(pid, SIGKILL), 128 + SIGKILL);
        stop = 1;
        pthread_join(t, NULL);
        int64_t total;
        int64_t found = stored(b.r.seqs, b.r.acked, &total);
        printf("kill -9 trial %d: %lld acknowledged, all %lld found; %lld in the database\n",
               trial, (long long)b.r.acked, (long long)found, (long long)total);
        ck_assert_int_eq(found, b.r.acked);
        acked_all += b.r.acked;
        load_result_free(&b.r);
    }
    ck_assert_int_gt(acked_all, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("survey_load");
    TCase *tc = tcase_create("load");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_acknowledged_vote_exported_once);
    tcase_add_test(tc, kill_9_under_load_loses_no_acknowledged_vote);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

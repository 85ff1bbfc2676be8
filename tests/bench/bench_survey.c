/* bench_survey.c - durable online votes per second and their latency at 1,
 * 16 and 64 concurrent clients: minping-survey against a floor measured in
 * the same run, a bare libmicrohttpd handler (the same threading) that does
 * one durable SQLite commit (WAL, synchronous=FULL) per request and answers.
 * Prints ROW lines for tests/bench/run.sh, and a table.
 *
 * Usage: bench_survey MINPING_SURVEY MINPING_OFFICE
 * MINPING_BENCH_SURVEY_VOTES (default 4000) votes per run at 16 and 64
 * clients; a tenth of it (at least 200) at 1 client. */
#include "httpload.h"

#include <limits.h>
#include <microhttpd.h>
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

/* ---- the floor ---- */

typedef struct floor_srv {
    sqlite3 *db;
    sqlite3_stmt *ins;
    pthread_mutex_t lock;
} floor_srv;

static enum MHD_Result floor_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *upload, size_t *upload_size, void **state)
{
    (void)url;
    (void)version;
    (void)upload;
    floor_srv *f = cls;
    static int first;
    if (!*state) {
        *state = &first;
        if (strcmp(method, "POST") == 0)
            return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    char page[256];
    const char *cookie = NULL;
    if (strcmp(method, "POST") == 0) {
        pthread_mutex_lock(&f->lock);
        int rc = sqlite3_step(f->ins); /* autocommit: one durable commit */
        sqlite3_reset(f->ins);
        long long seq = (long long)sqlite3_last_insert_rowid(f->db);
        pthread_mutex_unlock(&f->lock);
        if (rc != SQLITE_DONE)
            return MHD_NO;
        snprintf(page, sizeof page, "<p>谢谢</p><input name=\"vote\" value=\"%lld\">", seq);
    } else {
        snprintf(page, sizeof page, "<input name=\"csrf\" value=\"x\">");
        cookie = "mpb=00000000000000000000000000000000; Path=/";
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_COPY);
    if (cookie)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static struct MHD_Daemon *floor_start(floor_srv *f, const char *db_path, int *port)
{
    if (sqlite3_open(db_path, &f->db) != SQLITE_OK ||
        sqlite3_exec(f->db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE votes(seq INTEGER PRIMARY KEY AUTOINCREMENT, unit TEXT, "
                     "points INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "INSERT INTO votes(unit, points) VALUES ('GA01', 0)", -1,
                           &f->ins, NULL) != SQLITE_OK)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        floor_request, f, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
    const union MHD_DaemonInfo *di = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    *port = di ? di->port : 0;
    return d;
}

static void floor_stop(floor_srv *f, struct MHD_Daemon *d)
{
    MHD_stop_daemon(d);
    sqlite3_finalize(f->ins);
    sqlite3_close(f->db);
    pthread_mutex_destroy(&f->lock);
}

/* ---- minping-survey ---- */

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static pid_t survey_start(const char *bin, const char *office, const char *work, int *port)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' --db office.db provision-survey --survey bench --unit GA01=县公安局 "
             "--out cfg --trusted-proxy 127.0.0.1 >/dev/null && "
             "sed -i 's/^requests_per_minute = .*/requests_per_minute = 1000/' cfg/survey.ini",
             work, office);
    if (sh(cmd) != 0)
        return -1;
    char ini[4096], log[4096];
    snprintf(ini, sizeof ini, "%s/cfg/survey.ini", work);
    snprintf(log, sizeof log, "%s/server.log", work);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(log, "w", stderr))
            _exit(126);
        execl(bin, bin, "--config", ini, "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 3000; i++) {
        FILE *f = fopen(log, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f)) {
            const char *at = strstr(line, "listening on http://127.0.0.1:");
            if (at) {
                *port = atoi(at + strlen("listening on http://127.0.0.1:"));
                fclose(f);
                return pid;
            }
        }
        if (f)
            fclose(f);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

typedef struct figure {
    double rate, p50, p99;
} figure;

static int measure(int port, int clients, int votes, int forwarded, figure *out)
{
    load_opts o = {.port = port, .clients = clients, .votes = votes, .unit = "GA01",
                   .forwarded = forwarded};
    load_result r;
    if (load_run(&o, &r) < 0 || r.acked != votes) {
        fprintf(stderr, "bench_survey: %lld of %d votes acknowledged (%lld refused, %lld lost)\n",
                (long long)r.acked, votes, (long long)r.refused, (long long)r.broken);
        load_result_free(&r);
        return -1;
    }
    out->rate = (double)r.acked / r.seconds;
    out->p50 = load_quantile(&r, 0.5);
    out->p99 = load_quantile(&r, 0.99);
    load_result_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_survey MINPING_SURVEY MINPING_OFFICE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char survey_bin[4096], office_bin[4096];
    if (!realpath(argv[1], survey_bin) || !realpath(argv[2], office_bin)) {
        fprintf(stderr, "bench_survey: cannot find %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    const char *env = getenv("MINPING_BENCH_SURVEY_VOTES");
    int base = env && atoi(env) > 0 ? atoi(env) : 4000;
    static const int LEVELS[] = {1, 16, 64};
    printf("%8s %10s %10s %10s %12s %10s %10s %8s %8s\n", "clients", "floor/s", "floor p50",
           "floor p99", "survey/s", "p50", "p99", "x rate", "x p99");
    for (int li = 0; li < 3; li++) {
        int clients = LEVELS[li];
        int votes = clients == 1 ? (base / 10 > 200 ? base / 10 : 200) : base;
        char tmpl[] = "/tmp/minping-bench-survey-XXXXXX";
        char *work = mkdtemp(tmpl);
        if (!work)
            return 1;
        char db[4096];
        snprintf(db, sizeof db, "%s/floor.db", work);
        floor_srv f = {0};
        int port;
        struct MHD_Daemon *d = floor_start(&f, db, &port);
        figure fl, sv;
        if (!d || measure(port, clients, votes, 0, &fl) < 0)
            return 1;
        floor_stop(&f, d);
        pid_t pid = survey_start(survey_bin, office_bin, work, &port);
        if (pid < 0 || measure(port, clients, votes, 1, &sv) < 0)
            return 1;
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
        sh(cmd);
        printf("%8d %10.0f %10.2f %10.2f %12.0f %10.2f %10.2f %8.2f %8.2f\n", clients, fl.rate,
               fl.p50, fl.p99, sv.rate, sv.p50, sv.p99, sv.rate / fl.rate, sv.p99 / fl.p99);
        printf("ROW|survey votes/s, %d client%s|%.0f|%.0f (floor)|%.2fx|%s|bench_survey "
               "build/minping-survey build/minping-office\n",
               clients, clients == 1 ? "" : "s", sv.rate, fl.rate, sv.rate / fl.rate,
               clients == 64 ? ">= 3x" : "-");
        printf("ROW|survey vote p99, %d client%s|%.2f ms|%.2f ms (floor)|%.2fx|<= 1.5x|"
               "bench_survey build/minping-survey build/minping-office\n",
               clients, clients == 1 ? "" : "s", sv.p99, fl.p99, sv.p99 / fl.p99);
        fflush(stdout);
    }
    return 0;
}

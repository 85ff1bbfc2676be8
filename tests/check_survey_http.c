/* check_survey_http.c - minping-survey as citizens and attackers meet it:
 * the real program, provisioned by the real minping-office, started on a
 * free port (port 0, the port read from its "listening on" line), driven
 * over real HTTP with curl.  Every rule of the server is held against what
 * ends up in its database: forged or missing form tokens store nothing,
 * bodies over 8 KiB get 413, unknown units 404, a browser's second vote and
 * an address over its hourly count are flagged, X-Forwarded-For counts only
 * from the trusted proxy, a vote thanked for survives kill -9, SIGTERM
 * exits 0, and the export imports into the office ledger as online votes. */
#include "fu_token.h"
#include "sign.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
#define CURL "/usr/bin/curl"

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
}

static void teardown(void)
{
    free(dir);
}

typedef struct srv {
    pid_t pid;
    int port;
    char *ini, *db, *log, *jar_dir;
    char base[64];
} srv;

/* minping-office provision-survey into dir/cfg, with extra options. */
static void provision(const char *const *extra)
{
    const char *args[32] = {"--db", "office.db", "provision-survey", "--survey", "portal",
                            "--unit", "GA01=县公安局", "--unit", "A02=县政务服务中心",
                            "--out", "cfg"};
    int n = 11;
    for (int i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    tu_result r;
    tu_run_list(MINPING_OFFICE_BIN, dir, args, NULL, &r);
    ck_assert_msg(r.status == 0, "provision-survey: %s", r.err);
    tu_result_free(&r);
}

/* Replaces text `from` by `to` in the file at path. */
static void edit(const char *path, const char *from, const char *to)
{
    size_t len;
    char *t = tu_read_file(path, &len);
    ck_assert_ptr_nonnull(t);
    char *at = strstr(t, from);
    ck_assert_msg(at != NULL, "%s lacks %s", path, from);
    size_t out_len = len - strlen(from) + strlen(to);
    char *o = malloc(out_len + 1);
    size_t head = (size_t)(at - t);
    memcpy(o, t, head);
    memcpy(o + head, to, strlen(to));
    strcpy(o + head + strlen(to), at + strlen(from));
    tu_write_file(path, o, out_len);
    free(o);
    free(t);
}

/* Starts the server on 127.0.0.1:0 and waits for its listening line (its
 * standard error goes to a file, read until the line is there). */
static void start(srv *s)
{
    memset(s, 0, sizeof *s);
    s->ini = tu_path(dir, "cfg/survey.ini");
    s->db = tu_path(dir, "cfg/survey.db");
    /* A new log file each start, so an earlier run's line is never read. */
    static int starts;
    char name[32];
    snprintf(name, sizeof name, "server-%d.log", ++starts);
    s->log = tu_path(dir, name);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *f = freopen(s->log, "w", stderr);
        if (!f)
            _exit(126);
        execl(MINPING_SURVEY_BIN, MINPING_SURVEY_BIN, "--config", s->ini, "--listen",
              "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    static const char LINE[] = "minping-survey: listening on http://127.0.0.1:";
    for (int i = 0; i < 2000; i++) {
        char *text = tu_read_file(s->log, NULL);
        char *at = text ? strstr(text, LINE) : NULL;
        if (at && strchr(at, '\n')) {
            ck_assert_int_eq(sscanf(at + sizeof LINE - 1, "%d/", &s->port), 1);
            ck_assert_msg(strstr(at, "/\n") != NULL, "listening line: %s", at);
            free(text);
            break;
        }
        free(text);
        int st;
        ck_assert_msg(waitpid(pid, &st, WNOHANG) == 0, "minping-survey exited at start");
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_assert_msg(s->port > 0, "no listening line");
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

/* Sends sig and returns the exit status (128 + signal when killed). */
static int stop(srv *s, int sig)
{
    int st = 0;
    if (s->pid > 0) {
        kill(s->pid, sig);
        ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
        s->pid = 0;
    }
    free(s->ini);
    free(s->db);
    free(s->log);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

typedef struct resp {
    int status;
    char *body, *head;
} resp;

static void resp_free(resp *r)
{
    free(r->body);
    free(r->head);
}

/* One request with curl.  jar (may be NULL) is a cookie file name in dir;
 * fields (may be NULL) are "name=value" pairs posted form-encoded; raw (may
 * be NULL) is a file posted as it is; headers (may be NULL) are added. */
static void http(const srv *s, const char *jar, const char *path, const char *const *fields,
                 const char *raw, const char *const *headers, resp *out)
{
    const char *args[80];
    int n = 0;
    char url[256], rawarg[300];
    args[n++] = "-s";
    args[n++] = "-o";
    args[n++] = "body.out";
    args[n++] = "-D";
    args[n++] = "head.out";
    args[n++] = "-w";
    args[n++] = "%{http_code}";
    if (jar) {
        args[n++] = "-b";
        args[n++] = jar;
        args[n++] = "-c";
        args[n++] = jar;
    }
    for (int i = 0; fields && fields[i] && n < 70; i++) {
        args[n++] = "--data-urlencode";
        args[n++] = fields[i];
    }
    if (raw) {
        snprintf(rawarg, sizeof rawarg, "@%s", raw);
        args[n++] = "--data-binary";
        args[n++] = rawarg;
    }
    for (int i = 0; headers && headers[i] && n < 76; i++) {
        args[n++] = "-H";
        args[n++] = headers[i];
    }
    snprintf(url, sizeof url, "%s%s", s->base, path);
    args[n++] = url;
    args[n] = NULL;
    tu_result r;
    tu_run_list(CURL, dir, args, NULL, &r);
    ck_assert_msg(r.status == 0, "curl %s: %d %s", path, r.status, r.err);
    out->status = atoi(r.out);
    tu_result_free(&r);
    char *b = tu_path(dir, "body.out"), *h = tu_path(dir, "head.out");
    out->body = tu_read_file(b, NULL);
    out->head = tu_read_file(h, NULL);
    if (!out->body)
        out->body = strdup("");
    ck_assert_ptr_nonnull(out->head);
    free(b);
    free(h);
}

/* The csrf token in a page. */
static char *token_of(const char *page)
{
    const char *at = strstr(page, "name=\"csrf\" value=\"");
    ck_assert_msg(at != NULL, "no token in the page");
    at += strlen("name=\"csrf\" value=\"");
    const char *end = strchr(at, '"');
    ck_assert_ptr_nonnull(end);
    return strndup(at, (size_t)(end - at));
}

/* Opens the rating page of code in browser jar and returns its token. */
static char *open_form(const srv *s, const char *jar, const char *code)
{
    char path[64];
    snprintf(path, sizeof path, "/u/%s", code);
    resp r;
    http(s, jar, path, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    char *t = token_of(r.body);
    resp_free(&r);
    return t;
}

/* Votes points for code as browser jar; returns the response. */
static void vote(const srv *s, const char *jar, const char *code, const char *points,
                 const char *const *headers, resp *r)
{
    char *t = open_form(s, jar, code);
    char csrf[200], rating[32], path[64];
    snprintf(csrf, sizeof csrf, "csrf=%s", t);
    snprintf(rating, sizeof rating, "rating=%s", points);
    snprintf(path, sizeof path, "/u/%s", code);
    const char *fields[] = {csrf, rating, NULL};
    http(s, jar, path, fields, NULL, headers, r);
    free(t);
}

static long long q(const char *db_path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static long long votes(const srv *s)
{
    return q(s->db, "SELECT count(*) FROM votes");
}

START_TEST(pages_headers_and_unknown_units)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    http(&s, NULL, "/", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "href=\"/u/GA01\">县公安局</a>"));
    ck_assert_ptr_nonnull(strstr(r.body, "href=\"/u/A02\">县政务服务中心</a>"));
    ck_assert_ptr_nonnull(strstr(r.head, "Content-Security-Policy: default-src 'none'"));
    ck_assert_ptr_nonnull(strstr(r.head, "text/html; charset=utf-8"));
    ck_assert_ptr_null(strstr(r.body, "<script"));
    ck_assert_ptr_null(strstr(r.body, "http://"));   /* nothing loaded from elsewhere */
    ck_assert_ptr_null(strstr(r.body, "https://"));
    resp_free(&r);

    http(&s, "a.jar", "/u/GA01", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "<button name=\"rating\" value=\"10\">非常满意</button>"));
    ck_assert_ptr_nonnull(strstr(r.body, "<button name=\"rating\" value=\"0\">不满意</button>"));
    ck_assert_ptr_nonnull(strstr(r.head, "Set-Cookie: mpb="));
    ck_assert_ptr_nonnull(strstr(r.head, "HttpOnly"));
    resp_free(&r);

    const char *unknown[] = {"/u/NOPE", "/u/", "/u/GA01/../../etc/passwd", "/x", "/u/%3Cb%3E"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        http(&s, NULL, unknown[i], NULL, NULL, NULL, &r);
        ck_assert_msg(r.status == 404, "%s: %d", unknown[i], r.status);
        ck_assert_ptr_nonnull(strstr(r.body, "找不到"));
        ck_assert_ptr_nonnull(strstr(r.body, "href=\"/\""));
        ck_assert_ptr_null(strstr(r.body, "<b>"));
        resp_free(&r);
    }
    http(&s, NULL, "/s/survey.css", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.head, "text/css"));
    resp_free(&r);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(forged_or_missing_tokens_store_nothing)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    char *t = open_form(&s, "a.jar", "GA01");
    char csrf[200];
    snprintf(csrf, sizeof csrf, "csrf=%s", t);
    const char *none[] = {"rating=10", NULL};
    const char *forged[] = {"rating=10", "csrf=1800000000.00000000000000000000000000000000000000"
                                         "00000000000000000000000000", NULL};
    const char *other_unit[] = {"rating=10", csrf, NULL};
    struct {
        const char *jar, *path;
        const char *const *fields;
    } cases[] = {
        {"a.jar", "/u/GA01", none},
        {"a.jar", "/u/GA01", forged},
        {"a.jar", "/u/A02", other_unit},   /* GA01's token for another unit */
        {"b.jar", "/u/GA01", other_unit},  /* another browser */
        {NULL, "/u/GA01", other_unit},     /* no cookie at all */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http(&s, cases[i].jar, cases[i].path, cases[i].fields, NULL, NULL, &r);
        ck_assert_msg(r.status == 403, "case %zu: %d", i, r.status);
        ck_assert_ptr_null(strstr(r.body, "谢谢"));
        ck_assert_ptr_nonnull(strstr(r.body, "未保存"));
        resp_free(&r);
    }
    ck_assert_int_eq(votes(&s), 0);
    /* A rating that is none of the four: refused, nothing stored. */
    const char *bad[] = {csrf, "rating=9", NULL};
    http(&s, "a.jar", "/u/GA01", bad, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_ptr_null(strstr(r.body, "谢谢"));
    resp_free(&r);
    ck_assert_int_eq(votes(&s), 0);
    /* The real token works. */
    const char *good[] = {csrf, "rating=8", NULL};
    http(&s, "a.jar", "/u/GA01", good, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "谢谢"));
    resp_free(&r);
    ck_assert_int_eq(votes(&s), 1);
    free(t);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(large_bodies_get_413)
{
    provision(NULL);
    srv s;
    start(&s);
    char *t = open_form(&s, "a.jar", "GA01");
    /* A valid vote padded to 9 KiB. */
    char *big = tu_path(dir, "big.body");
    size_t n = 9 * 1024;
    char *body = malloc(n + 1);
    int head = snprintf(body, n, "rating=10&csrf=%s&pad=", t);
    memset(body + head, 'a', n - (size_t)head);
    tu_write_file(big, body, n);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    resp r;
    http(&s, "a.jar", "/u/GA01", NULL, big, form, &r);
    ck_assert_int_eq(r.status, 413);
    ck_assert_ptr_null(strstr(r.body, "谢谢"));
    resp_free(&r);
    /* The same without a declared length (chunked): read, not stored. */
    const char *chunked[] = {"Content-Type: application/x-www-form-urlencoded",
                             "Transfer-Encoding: chunked", NULL};
    http(&s, "a.jar", "/u/GA01", NULL, big, chunked, &r);
    ck_assert_int_eq(r.status, 413);
    resp_free(&r);
    ck_assert_int_eq(votes(&s), 0);
    /* Under the bound it is a vote. */
    tu_write_file(big, body, 8 * 1024);
    http(&s, "a.jar", "/u/GA01", NULL, big, form, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    ck_assert_int_eq(votes(&s), 1);
    free(body);
    free(big);
    free(t);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(stuffing_is_flagged_not_dropped)
{
    const char *opts[] = {"--votes-per-hour", "3", NULL};
    provision(opts);
    srv s;
    start(&s);
    resp r;
    /* Browser a: GA01 twice the same day (the second flagged), A02 once. */
    vote(&s, "a.jar", "GA01", "10", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    vote(&s, "a.jar", "GA01", "0", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "谢谢"));
    resp_free(&r);
    vote(&s, "a.jar", "A02", "8", NULL, &r);
    resp_free(&r);
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM votes WHERE flagged = 1"), 1);
    ck_assert_int_eq(q(s.db, "SELECT flagged FROM votes WHERE seq = 2"), 1);
    /* Browser b, from the same address, claiming another by X-Forwarded-For
     * (ignored: no trusted proxy): the 4th vote of the address this hour. */
    const char *xff[] = {"X-Forwarded-For: 198.51.100.7", NULL};
    vote(&s, "b.jar", "GA01", "6", xff, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    ck_assert_int_eq(q(s.db, "SELECT flagged FROM votes WHERE seq = 4"), 1);
    ck_assert_int_eq(votes(&s), 4);
    /* Nothing personal with the vote; the marks are hashes. */
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM browser_marks WHERE length(browser) = 32"), 3);
    char *jar_path = tu_path(dir, "a.jar");
    char *jar = tu_read_file(jar_path, NULL);
    free(jar_path);
    const char *cookie = strstr(jar, "mpb\t");
    ck_assert_ptr_nonnull(cookie);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM browser_marks WHERE browser = '%.32s'",
             cookie + 4);
    ck_assert_int_eq(q(s.db, sql), 0);
    free(jar);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(forwarded_for_counts_behind_the_trusted_proxy)
{
    const char *opts[] = {"--votes-per-hour", "2", "--trusted-proxy", "127.0.0.1", NULL};
    provision(opts);
    srv s;
    start(&s);
    resp r;
    const char *h1[] = {"X-Forwarded-For: 203.0.113.9, 198.51.100.1", NULL};
    const char *h2[] = {"X-Forwarded-For: 198.51.100.2", NULL};
    const char *h3[] = {"X-Forwarded-For: 198.51.100.3", NULL};
    const char *jars[] = {"a.jar", "b.jar", "c.jar"};
    const char *const *hs[] = {h1, h2, h3};
    for (int i = 0; i < 3; i++) {
        vote(&s, jars[i], "GA01", "10", hs[i], &r);
        ck_assert_int_eq(r.status, 200);
        resp_free(&r);
    }
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM votes WHERE flagged = 1"), 0);
    /* Three more from 198.51.100.1 (the address the proxy added last). */
    const char *again[] = {"X-Forwarded-For: 10.9.9.9, 198.51.100.1", NULL};
    const char *more[] = {"d.jar", "e.jar"};
    for (int i = 0; i < 2; i++) {
        vote(&s, more[i], "GA01", "10", again, &r);
        resp_free(&r);
    }
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM votes WHERE flagged = 1"), 1);
    ck_assert_int_eq(q(s.db, "SELECT flagged FROM votes WHERE seq = 5"), 1);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(followup_attaches_to_the_vote)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    vote(&s, "a.jar", "GA01", "10", NULL, &r);
    ck_assert_ptr_null(strstr(r.body, "name=\"reason\""));
    resp_free(&r);
    vote(&s, "a.jar", "A02", "6", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "谢谢"));
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"reason\" value=\"多次跑腿\""));
    char *t = token_of(r.body);
    resp_free(&r);
    char csrf[200];
    snprintf(csrf, sizeof csrf, "csrf=%s", t);
    /* Over 200 characters: refused, nothing stored. */
    char long_comment[1200] = "comment=";
    for (int i = 0; i < 201; i++)
        strcat(long_comment, "长");
    const char *too_long[] = {csrf, "vote=2", "reason=其他", long_comment, "send=1", NULL};
    http(&s, "a.jar", "/followup", too_long, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 400);
    resp_free(&r);
    /* A reason that is not offered. */
    const char *odd[] = {csrf, "vote=2", "reason=别的", "send=1", NULL};
    http(&s, "a.jar", "/followup", odd, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 400);
    resp_free(&r);
    /* The token is for vote 2 only, and this browser only. */
    const char *wrong_vote[] = {csrf, "vote=1", "reason=其他", "send=1", NULL};
    http(&s, "a.jar", "/followup", wrong_vote, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);
    const char *ok[] = {csrf, "vote=2", "reason=多次跑腿", "reason=其他",
                        "comment=<script>alert(1)</script>\r\n'); DROP TABLE votes; --",
                        "send=1", NULL};
    http(&s, "b.jar", "/followup", ok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM followups"), 0);
    http(&s, "a.jar", "/followup", ok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "谢谢"));
    resp_free(&r);
    http(&s, "a.jar", "/followup", ok, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 409);
    resp_free(&r);
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM followups"), 1);
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM followups WHERE vote_seq = 2 AND points = 6 "
                             "AND unit_code = 'A02' AND reasons = '多次跑腿|其他' AND comment = "
                             "'<script>alert(1)</script>  ''); DROP TABLE votes; --'"),
                     1);
    /* Never a second vote. */
    ck_assert_int_eq(votes(&s), 2);
    free(t);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(thanked_vote_survives_kill_9)
{
    provision(NULL);
    for (int round = 0; round < 5; round++) {
        srv s;
        start(&s);
        resp r;
        vote(&s, "a.jar", round % 2 ? "A02" : "GA01", "0", NULL, &r);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(strstr(r.body, "谢谢"));
        resp_free(&r);
        char *db = strdup(s.db);
        /* Killed the moment the thank-you is read: no shutdown, no checkpoint. */
        ck_assert_int_eq(stop(&s, SIGKILL), 128 + SIGKILL);
        ck_assert_int_eq(q(db, "SELECT count(*) FROM votes"), round + 1);
        free(db);
    }
}
END_TEST

START_TEST(export_imports_as_online_votes)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    const char *jars[] = {"a.jar", "b.jar", "c.jar"};
    const char *pts[] = {"10", "8", "0"};
    char *fu_csrf = NULL;
    for (int i = 0; i < 3; i++) {
        vote(&s, jars[i], "GA01", pts[i], NULL, &r);
        ck_assert_int_eq(r.status, 200);
        if (i == 2)
            fu_csrf = token_of(r.body);
        resp_free(&r);
    }
    char csrf[200];
    snprintf(csrf, sizeof csrf, "csrf=%s", fu_csrf);
    const char *fu[] = {csrf, "vote=3", "reason=服务态度差", "comment=窗口没人,\"等了很久\"",
                        "send=1", NULL};
    http(&s, "c.jar", "/followup", fu, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    free(fu_csrf);
    char *ini = strdup(s.ini);
    /* Exporting while the server runs is fine. */
    const char *args[] = {"export", "--config", ini, "--out", "exp", NULL};
    char *exp = tu_path(dir, "exp");
    ck_assert_int_eq(mkdir(exp, 0755), 0);
    tu_result x;
    tu_run_list(MINPING_SURVEY_BIN, dir, args, NULL, &x);
    ck_assert_msg(x.status == 0, "export: %s", x.err);
    char *last = strrchr(x.out, '\n');
    ck_assert_ptr_nonnull(last);
    *last = '\0';
    last = strrchr(x.out, '\n');
    char *file = strdup(last ? last + 1 : x.out);
    ck_assert_ptr_nonnull(strstr(file, "exp/minping-portal-"));
    tu_result_free(&x);
    const char *imp[] = {"--db", "office.db", "import", file, NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, imp, NULL, &x);
    ck_assert_msg(x.status == 0, "import: %s %s", x.out, x.err);
    ck_assert_ptr_nonnull(strstr(x.out, "3 votes, 3 new\n  and 1 follow-up (reasons"));
    tu_result_free(&x);
    /* Again: counted once. */
    tu_run_list(MINPING_OFFICE_BIN, dir, imp, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_ptr_nonnull(strstr(x.out, "3 votes, 0 new"));
    tu_result_free(&x);
    char *office = tu_path(dir, "office.db");
    ck_assert_int_eq(q(office, "SELECT count(*) FROM votes WHERE channel = 'online' AND "
                               "kiosk_id = 'portal' AND unit_code = 'GA01'"),
                     3);
    ck_assert_int_eq(q(office, "SELECT sum(points) FROM votes"), 18);
    /* The follow-up came along, once, attached to vote 3, and is no vote. */
    ck_assert_int_eq(q(office, "SELECT count(*) FROM followups WHERE source_id = 'portal' AND "
                               "vote_kiosk = 'portal' AND vote_seq = 3 AND points = 0 AND "
                               "reasons = '服务态度差' AND comment = '窗口没人,\"等了很久\"'"),
                     1);
    ck_assert_int_eq(q(office, "SELECT count(*) FROM followups"), 1);
    /* The report: 现场票数 and 网上票数 after the other columns; --channel. */
    const char *rep_all[] = {"--db", "office.db", "report", "--format", "csv", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, rep_all, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_msg(strstr(x.out, "民主测评得分,现场票数,网上票数,已排除,95%区间下限,95%区间上限,有效票少于30\r\n") &&
                      strstr(x.out, "\r\nGA01,县公安局,1,1,0,1,3,0,6.00,0,3,0,0.43,9.92,是\r\n"),
                  "%s", x.out);
    tu_result_free(&x);
    const char *rep_kiosk[] = {"--db", "office.db", "report", "--format", "csv", "--channel",
                               "kiosk", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, rep_kiosk, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_msg(strstr(x.out, "\r\nGA01,县公安局,0,0,0,0,0,0,,0,0,0,,,\r\n"), "%s", x.out);
    tu_result_free(&x);
    /* The HTML page: both channels per unit, the follow-up's reason and comment. */
    const char *rep_html[] = {"--db", "office.db", "report", "--format", "html", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, rep_html, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_msg(strstr(x.out, "现场（终端）0 票 · 网上 3 票") &&
                      strstr(x.out, "（跟进意见 1 条）：服务态度差 1") &&
                      strstr(x.out, "<li>【不满意】窗口没人,&quot;等了很久&quot;</li>") &&
                      strstr(x.out, "<td class=\"s\">6.00<sup class=\"few\">*</sup></td><td class=\"n\">0</td>"
                                    "<td class=\"n\">3</td>"),
                  "%s", x.out);
    tu_result_free(&x);
    /* kiosks names the survey as what it is. */
    const char *list[] = {"--db", "office.db", "kiosks", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, list, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_msg(strstr(x.out, "online survey portal: provisioned ") && !strstr(x.out, "kiosk portal"),
                  "%s", x.out);
    tu_result_free(&x);
    const char *rep_online[] = {"--db", "office.db", "report", "--channel", "online", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, rep_online, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_ptr_nonnull(strstr(x.out, "仅网上评价"));
    tu_result_free(&x);
    /* A byte changed: refused as any kiosk file would be. */
    size_t len;
    char *in_dir = tu_path(dir, file);
    char *bytes = tu_read_file(in_dir, &len);
    free(in_dir);
    ck_assert_ptr_nonnull(bytes);
    char *at = strstr(bytes, ",非常满意,10,");
    ck_assert_ptr_nonnull(at);
    memcpy(at, ",基本满意,08,", strlen(",基本满意,08,"));
    char *bad = tu_path(dir, "tampered.csv");
    tu_write_file(bad, bytes, len);
    const char *imp_bad[] = {"--db", "office.db", "import", bad, NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, imp_bad, NULL, &x);
    ck_assert_int_eq(x.status, 1);
    ck_assert_ptr_nonnull(strstr(x.err, "signature does not match"));
    tu_result_free(&x);
    ck_assert_int_eq(q(office, "SELECT count(*) FROM votes"), 3);
    free(bad);
    free(bytes);
    free(office);
    free(file);
    free(exp);
    free(ini);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(damaged_database_is_set_aside)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    vote(&s, "a.jar", "GA01", "10", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
    /* The database's first bytes overwritten: no SQLite file any more. */
    char *db = tu_path(dir, "cfg/survey.db");
    size_t len;
    char *bytes = tu_read_file(db, &len);
    ck_assert_ptr_nonnull(bytes);
    memcpy(bytes, "this is no database, not at all", 31);
    tu_write_file(db, bytes, len);
    /* The server starts on a new database and serves; the log says where
     * the old one went, and that file holds the very bytes. */
    start(&s);
    vote(&s, "b.jar", "GA01", "0", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    ck_assert_int_eq(q(db, "SELECT count(*) FROM votes WHERE points = 0"), 1);
    ck_assert_int_eq(q(db, "SELECT count(*) FROM votes"), 1);
    char *log = tu_read_file(s.log, NULL);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
    char *at = strstr(log, " set aside as ");
    ck_assert_msg(at != NULL, "%s", log);
    char moved[4096];
    ck_assert_int_eq(sscanf(at + strlen(" set aside as "), "%4095[^;]", moved), 1);
    ck_assert_ptr_nonnull(strstr(moved, "survey.db.damaged-"));
    size_t moved_len;
    char *kept = tu_read_file(moved, &moved_len);
    ck_assert_msg(kept && moved_len == len && memcmp(kept, bytes, len) == 0,
                  "the damaged file was changed when set aside");
    ck_assert_ptr_nonnull(strstr(log, "minping-survey export --config FILE --db "));
    /* export --db reads what it can of it (here nothing: its header is
     * gone), says so, and never writes it. */
    char *exp = tu_path(dir, "exp");
    ck_assert_int_eq(mkdir(exp, 0755), 0);
    const char *args[] = {"export", "--config", "cfg/survey.ini", "--db", moved, "--out", "exp",
                          NULL};
    tu_result x;
    tu_run_list(MINPING_SURVEY_BIN, dir, args, NULL, &x);
    ck_assert_msg(x.status == 1 && strstr(x.err, "cannot read the damaged database") &&
                      strstr(x.err, "no vote could be read from it"),
                  "export --db: %d %s", x.status, x.err);
    tu_result_free(&x);
    free(kept);
    kept = tu_read_file(moved, &moved_len);
    ck_assert_msg(kept && moved_len == len && memcmp(kept, bytes, len) == 0,
                  "export --db changed the damaged file");
    free(kept);
    free(exp);
    free(log);
    free(bytes);
    free(db);
}
END_TEST

/* Opens a raw connection to the server. */
static int connect_to(const srv *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

START_TEST(slow_clients_and_floods_do_not_hold_it)
{
    provision(NULL);
    char *ini = tu_path(dir, "cfg/survey.ini");
    edit(ini, "timeout_seconds = 15", "timeout_seconds = 2");
    edit(ini, "max_connections = 256", "max_connections = 16");
    free(ini);
    srv s;
    start(&s);
    /* Slow clients holding connections with half a request each. */
    int fds[8];
    for (int i = 0; i < 8; i++) {
        fds[i] = connect_to(&s);
        ck_assert_int_eq(write(fds[i], "GET / HTTP/1.1\r\nHost: x\r\n", 25), 25);
    }
    resp r;
    http(&s, NULL, "/", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    /* The server closes them once they idle past the timeout. */
    for (int i = 0; i < 8; i++) {
        struct pollfd p = {fds[i], POLLIN, 0};
        ck_assert_int_eq(poll(&p, 1, 30000), 1);
        char buf[64];
        ck_assert_int_le(read(fds[i], buf, sizeof buf), 0);
        close(fds[i]);
    }
    /* A flood of requests from one address: refused with 429 past the
     * per-minute count, the server answering throughout. */
    char *list = tu_path(dir, "urls.txt");
    FILE *f = fopen(list, "w");
    for (int i = 0; i < 300; i++)
        fprintf(f, "url = \"%s/\"\noutput = \"/dev/null\"\n", s.base);
    fclose(f);
    const char *args[] = {"-s", "-w", "%{http_code}\\n", "-K", "urls.txt", NULL};
    tu_result x;
    tu_run_list(CURL, dir, args, NULL, &x);
    int ok = 0, many = 0, other = 0;
    for (char *line = strtok(x.out, "\n"); line; line = strtok(NULL, "\n"))
        if (strcmp(line, "200") == 0)
            ok++;
        else if (strcmp(line, "429") == 0)
            many++;
        else
            other++;
    tu_result_free(&x);
    ck_assert_int_eq(ok + many, 300);
    ck_assert_int_eq(other, 0);
    ck_assert_int_gt(many, 0);
    ck_assert_int_le(ok, 240);
    printf("flood: %d answered 200, %d answered 429\n", ok, many);
    free(list);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(sigterm_finishes_and_exits_0)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    vote(&s, "a.jar", "GA01", "8", NULL, &r);
    resp_free(&r);
    char *log = strdup(s.log);
    char *db = strdup(s.db);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
    char *text = tu_read_file(log, NULL);
    ck_assert_ptr_nonnull(strstr(text, "stopped"));
    free(text);
    ck_assert_int_eq(q(db, "SELECT count(*) FROM votes"), 1);
    /* SIGINT too. */
    start(&s);
    ck_assert_int_eq(stop(&s, SIGINT), 0);
    free(log);
    free(db);
}
END_TEST

/* The follow-up of a kiosk vote through the token its thank-you QR code
 * carries: the form, stored once as a follow-up of that kiosk vote (not a
 * vote), reuse / alteration / expiry / a foreign kiosk refused with a
 * Chinese page, and the record reaching the office. */
START_TEST(kiosk_vote_followup_by_token)
{
    /* A kiosk first, so provision-survey lists it in [kiosks]. */
    const char *kargs[] = {"--db", "office.db", "provision", "--kiosk", "room-01", "--unit",
                           "GA01=县公安局", "--survey-url", "https://survey.example.org/f/{token}",
                           "--pin", "1234", "--out", "kcfg", NULL};
    tu_result x;
    tu_run_list(MINPING_OFFICE_BIN, dir, kargs, NULL, &x);
    ck_assert_msg(x.status == 0, "%s", x.err);
    tu_result_free(&x);
    provision(NULL);
    char *ini = tu_path(dir, "cfg/survey.ini");
    char *text = tu_read_file(ini, NULL);
    ck_assert_ptr_nonnull(strstr(text, "[kiosks]\nroom-01 = "));
    free(text);
    free(ini);
    char *key_path = tu_path(dir, "kcfg/kiosk.key");
    sign_key key;
    mp_err err;
    ck_assert_msg(sign_key_load(key_path, &key, &err) == 0, "%s", err.msg);
    free(key_path);
    fu_token t = {.kiosk = "room-01", .instance = "00112233445566778899aabbccddeeff", .seq = 7,
                  .unit = "GA01", .points = 6, .cast_utc = time(NULL) - 60};
    char tok[FU_TOKEN_MAX], path[FU_TOKEN_MAX + 8];
    ck_assert_int_eq(fu_token_make(&t, &key, tok, NULL), 0);
    snprintf(path, sizeof path, "/f/%s", tok);

    srv s;
    start(&s);
    resp r;
    http(&s, "a.jar", path, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "县公安局"));
    ck_assert_ptr_nonnull(strstr(r.body, "<b>一般</b>（6 分）"));
    ck_assert_ptr_nonnull(strstr(r.body, "name=\"reason\""));
    ck_assert_ptr_null(strstr(r.body, "name=\"rating\""));  /* the rating is not asked again */
    char *csrf_tok = token_of(r.body);
    resp_free(&r);
    char csrf[200];
    snprintf(csrf, sizeof csrf, "csrf=%s", csrf_tok);
    const char *f[] = {csrf, "reason=信息不全或难找", "comment=材料清单没有公示", "send=1", NULL};
    /* Another browser cannot use this page's form. */
    http(&s, "b.jar", path, f, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);
    http(&s, "a.jar", path, f, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "谢谢"));
    resp_free(&r);
    /* One use: the link again, and the form again, are refused. */
    http(&s, "a.jar", path, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 409);
    ck_assert_ptr_nonnull(strstr(r.body, "已经提交过"));
    resp_free(&r);
    http(&s, "a.jar", path, f, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 409);
    ck_assert_ptr_null(strstr(r.body, "谢谢"));
    resp_free(&r);
    /* Altered, expired, and a kiosk this survey does not know. */
    char bad[FU_TOKEN_MAX + 8];
    snprintf(bad, sizeof bad, "%s", path);
    bad[strlen("/f/room-01.0011")] = '9';
    http(&s, "a.jar", bad, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    ck_assert_ptr_nonnull(strstr(r.body, "链接无效"));
    resp_free(&r);
    http(&s, "a.jar", bad, f, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);
    fu_token old = t;
    old.seq = 8;
    old.cast_utc = time(NULL) - 2 * 86400;
    ck_assert_int_eq(fu_token_make(&old, &key, tok, NULL), 0);
    snprintf(bad, sizeof bad, "/f/%s", tok);
    http(&s, "a.jar", bad, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 410);
    ck_assert_ptr_nonnull(strstr(r.body, "已过期"));
    resp_free(&r);
    fu_token stranger = t;
    snprintf(stranger.kiosk, sizeof stranger.kiosk, "room-99");
    ck_assert_int_eq(fu_token_make(&stranger, &key, tok, NULL), 0);
    snprintf(bad, sizeof bad, "/f/%s", tok);
    http(&s, "a.jar", bad, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);
    sign_key_wipe(&key);
    /* One follow-up, attached to the kiosk vote; no vote. */
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM followups WHERE vote_kiosk = 'room-01' AND "
                             "vote_instance = '00112233445566778899aabbccddeeff' AND "
                             "vote_seq = 7 AND points = 6 AND reasons = '信息不全或难找'"),
                     1);
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM followups"), 1);
    ck_assert_int_eq(votes(&s), 0);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
    free(csrf_tok);

    /* Exported and imported: the office keeps it for room-01's vote. */
    char *exp = tu_path(dir, "exp");
    ck_assert_int_eq(mkdir(exp, 0755), 0);
    free(exp);
    const char *ex[] = {"export", "--config", "cfg/survey.ini", "--out", "exp", NULL};
    tu_run_list(MINPING_SURVEY_BIN, dir, ex, NULL, &x);
    ck_assert_msg(x.status == 0, "%s", x.err);
    char *nl = strrchr(x.out, '\n');
    *nl = '\0';
    nl = strrchr(x.out, '\n');
    char *file = strdup(nl ? nl + 1 : x.out);
    tu_result_free(&x);
    const char *imp[] = {"--db", "office.db", "import", file, NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, imp, NULL, &x);
    ck_assert_msg(x.status == 0, "%s %s", x.out, x.err);
    ck_assert_ptr_nonnull(strstr(x.out, "0 votes, 0 new\n  and 1 follow-up (reasons"));
    tu_result_free(&x);
    free(file);
    char *office = tu_path(dir, "office.db");
    ck_assert_int_eq(q(office, "SELECT count(*) FROM followups WHERE source_id = 'portal' AND "
                               "vote_kiosk = 'room-01' AND vote_seq = 7 AND "
                               "comment = '材料清单没有公示'"),
                     1);
    free(office);
}
END_TEST

/* Reads from fd until the peer closes or `until` appears; returns what came. */
static char *read_until(int fd, const char *until)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        ck_assert_msg(poll(&p, 1, 30000) == 1, "no answer");
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (until && strstr(buf, until))
            break;
    }
    buf[len] = '\0';
    return buf;
}

/* A vote whose body is still on its way when SIGTERM comes is finished:
 * stored and thanked, then the server exits 0; new connections are refused
 * meanwhile. */
START_TEST(sigterm_lets_the_request_in_flight_finish)
{
    provision(NULL);
    srv s;
    start(&s);
    int fd = connect_to(&s);
    const char get[] = "GET /u/GA01 HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(write(fd, get, sizeof get - 1), (ssize_t)(sizeof get - 1));
    char *page = read_until(fd, "</html>");
    char *ck = strstr(page, "Set-Cookie: mpb=");
    ck_assert_ptr_nonnull(ck);
    char cookie[33];
    snprintf(cookie, sizeof cookie, "%.32s", ck + 16);
    char *t = token_of(page);
    free(page);
    char body[256], head[512];
    int bl = snprintf(body, sizeof body, "rating=8&csrf=%s", t);
    int hl = snprintf(head, sizeof head,
                      "POST /u/GA01 HTTP/1.1\r\nHost: x\r\nCookie: mpb=%s\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: %d\r\n\r\n",
                      cookie, bl);
    ck_assert_int_eq(write(fd, head, (size_t)hl), hl);
    ck_assert_int_eq(write(fd, body, 10), 10);  /* part of the body */
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kill(s.pid, SIGTERM);
    nanosleep(&ts, NULL);
    /* Stopped accepting: a new connection is refused. */
    int other = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s.port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ck_assert_int_eq(connect(other, (struct sockaddr *)&a, sizeof a), -1);
    close(other);
    /* The rest of the body: the vote is stored and thanked. */
    ck_assert_int_eq(write(fd, body + 10, (size_t)bl - 10), bl - 10);
    char *answer = read_until(fd, "</html>");
    ck_assert_msg(strstr(answer, "200 OK") && strstr(answer, "谢谢"), "%s", answer);
    free(answer);
    close(fd);
    free(t);
    char *db = strdup(s.db);
    ck_assert_int_eq(stop(&s, 0), 0);  /* already stopping: just wait for it */
    ck_assert_int_eq(q(db, "SELECT count(*) FROM votes WHERE points = 8"), 1);
    free(db);
}
END_TEST

/* Hostile requests: each refused or stored inertly, the server up, nothing
 * stored that should not be. */
START_TEST(hostile_requests)
{
    provision(NULL);
    srv s;
    start(&s);
    resp r;
    vote(&s, "a.jar", "GA01", "0", NULL, &r);
    char *t = token_of(r.body);
    resp_free(&r);
    char csrf[200];
    snprintf(csrf, sizeof csrf, "csrf=%s", t);
    /* Bad UTF-8, a NUL byte and an escape sequence in the comment. */
    const char *comments[] = {"comment=\xff\xfe", "comment=a\x01b", "comment=\x1b[2J"};
    for (int i = 0; i < 3; i++) {
        const char *f[] = {csrf, "vote=1", "send=1", comments[i], NULL};
        http(&s, "a.jar", "/followup", f, NULL, NULL, &r);
        ck_assert_msg(r.status == 400, "comment %d: %d", i, r.status);
        resp_free(&r);
    }
    const char *nul[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    char *raw = tu_path(dir, "nul.body");
    char body[300];
    int n = snprintf(body, sizeof body, "%s&vote=1&send=1&comment=a%%00b", csrf);
    tu_write_file(raw, body, (size_t)n);
    http(&s, "a.jar", "/followup", NULL, raw, nul, &r);
    ck_assert_int_eq(r.status, 400);
    resp_free(&r);
    free(raw);
    ck_assert_int_eq(q(s.db, "SELECT count(*) FROM followups"), 0);
    /* SQL and markup in every field: refused, nothing stored. */
    const char *sql[] = {"rating=0' OR '1'='1", "csrf='; DROP TABLE votes; --", NULL};
    http(&s, "a.jar", "/u/GA01", sql, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);
    const char *sql2[] = {csrf, "rating=0; DELETE FROM votes", NULL};
    http(&s, "a.jar", "/u/GA01", sql2, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 403); /* the token is for the follow-up, not this form */
    resp_free(&r);
    ck_assert_int_eq(votes(&s), 1);
    /* Headers far over the bound: refused, the server still up. */
    char *big = malloc(40000);
    memcpy(big, "X-Junk: ", 8);
    memset(big + 8, 'a', 40000 - 9);
    big[40000 - 1] = '\0';
    const char *bigh[] = {big, NULL};
    http(&s, NULL, "/", NULL, NULL, bigh, &r);
    ck_assert_msg(r.status >= 400 && r.status < 500, "status %d", r.status);
    resp_free(&r);
    free(big);
    /* Header injection through a cookie value: the cookie is not ours, a
     * new one is issued, nothing of the value is echoed. */
    const char *inj[] = {"Cookie: mpb=x%0d%0aSet-Cookie:%20evil=1", NULL};
    http(&s, NULL, "/u/GA01", NULL, NULL, inj, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(r.head, "evil"));
    resp_free(&r);
    /* Still serving. */
    http(&s, NULL, "/", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    free(t);
    ck_assert_int_eq(stop(&s, SIGTERM), 0);
}
END_TEST

START_TEST(command_line_mistakes)
{
    tu_result x;
    const char *none[] = {NULL};
    tu_run_list(MINPING_SURVEY_BIN, dir, none, NULL, &x);
    ck_assert_int_eq(x.status, 2);
    ck_assert_ptr_nonnull(strstr(x.err, "--config FILE is required"));
    tu_result_free(&x);
    const char *missing[] = {"--config", "nowhere.ini", NULL};
    tu_run_list(MINPING_SURVEY_BIN, dir, missing, NULL, &x);
    ck_assert_int_eq(x.status, 1);
    ck_assert_ptr_nonnull(strstr(x.err, "nowhere.ini"));
    tu_result_free(&x);
    provision(NULL);
    const char *bad_listen[] = {"--config", "cfg/survey.ini", "--listen", "localhost", NULL};
    tu_run_list(MINPING_SURVEY_BIN, dir, bad_listen, NULL, &x);
    ck_assert_int_eq(x.status, 2);
    tu_result_free(&x);
    const char *help[] = {"--help", NULL};
    tu_run_list(MINPING_SURVEY_BIN, dir, help, NULL, &x);
    ck_assert_int_eq(x.status, 0);
    ck_assert_ptr_nonnull(strstr(x.out, "minping-survey export --config FILE [--db FILE] --out DIR"));
    tu_result_free(&x);
    /* provision-survey refuses to overwrite and to reuse a kiosk's id. */
    const char *again[] = {"--db", "office.db", "provision-survey", "--survey", "other",
                           "--unit", "A=甲", "--out", "cfg", NULL};
    tu_run_list(MINPING_OFFICE_BIN, dir, again, NULL, &x);
    ck_assert_int_eq(x.status, 1);
    ck_assert_ptr_nonnull(strstr(x.err, "already exists"));
    tu_result_free(&x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("survey_http");
    TCase *tc = tcase_create("server");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pages_headers_and_unknown_units);
    tcase_add_test(tc, forged_or_missing_tokens_store_nothing);
    tcase_add_test(tc, large_bodies_get_413);
    tcase_add_test(tc, stuffing_is_flagged_not_dropped);
    tcase_add_test(tc, forwarded_for_counts_behind_the_trusted_proxy);
    tcase_add_test(tc, followup_attaches_to_the_vote);
    tcase_add_test(tc, thanked_vote_survives_kill_9);
    tcase_add_test(tc, export_imports_as_online_votes);
    tcase_add_test(tc, damaged_database_is_set_aside);
    tcase_add_test(tc, slow_clients_and_floods_do_not_hold_it);
    tcase_add_test(tc, sigterm_finishes_and_exits_0);
    tcase_add_test(tc, sigterm_lets_the_request_in_flight_finish);
    tcase_add_test(tc, hostile_requests);
    tcase_add_test(tc, kiosk_vote_followup_by_token);
    tcase_add_test(tc, command_line_mistakes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(suite());
}

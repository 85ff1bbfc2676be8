/* server.c - routing, bounds and stuffing rules over libmicrohttpd
 * (server.h).  One thread per connection (libmicrohttpd's), so a request
 * may wait for its vote's commit; the writer (writer.h) commits the votes
 * of all waiting requests together. */
#include "server.h"
#include "clock.h"
#include "csrf.h"
#include "flags.h"
#include "form.h"
#include "fu_token.h"
#include "html.h"
#include "log.h"
#include "pages.h"
#include "writer.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define COOKIE "mpb"
#define CSP                                                                                   \
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "            \
    "base-uri 'none'; frame-ancestors 'none'"

struct server {
    const survey_config *cfg;
    struct MHD_Daemon *d;
    writer *w;
    flags *vote_flags;   /* votes per address per hour */
    flags *req_flags;    /* requests per address per minute */
    csrf_key token_key;
    unsigned char salt[32];
    char proxy[INET6_ADDRSTRLEN]; /* trusted_proxy, canonical; "" none */
    atomic_int inflight;
};

/* One request's state, kept across libmicrohttpd's calls. */
typedef struct req {
    int started;     /* the handler has seen the request's headers */
    struct MHD_PostProcessor *pp;
    form f;
    size_t body;
    int too_large;
    int bad_body;
} req;

/* ---- addresses and cookies ---- */

static void peer_address(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  INET6_ADDRSTRLEN);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  INET6_ADDRSTRLEN);
}

/* Canonical text of an address, or "" when s is none. */
static void canonical(const char *s, char out[INET6_ADDRSTRLEN])
{
    unsigned char a[16];
    out[0] = '\0';
    if (inet_pton(AF_INET, s, a) == 1)
        inet_ntop(AF_INET, a, out, INET6_ADDRSTRLEN);
    else if (inet_pton(AF_INET6, s, a) == 1)
        inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

/* The client's address: the peer's, or behind the trusted proxy the last
 * address of X-Forwarded-For (the one the proxy added). */
static void client_address(server *sv, struct MHD_Connection *c, char out[INET6_ADDRSTRLEN],
                           int *via_proxy)
{
    peer_address(c, out);
    *via_proxy = 0;
    if (!sv->proxy[0] || strcmp(out, sv->proxy) != 0)
        return;
    *via_proxy = 1;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    char tmp[64];
    while (*last == ' ')
        last++;
    size_t n = strcspn(last, " ");
    if (n == 0 || n >= sizeof tmp)
        return;
    memcpy(tmp, last, n);
    tmp[n] = '\0';
    char canon[INET6_ADDRSTRLEN];
    canonical(tmp, canon);
    if (canon[0])
        snprintf(out, INET6_ADDRSTRLEN, "%s", canon);
}

/* ---- responses ---- */

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *body,
                               size_t len, const char *type, const char *set_cookie,
                               int cacheable)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", cacheable ? "public, max-age=86400" : "no-store");
    if (set_cookie)
        MHD_add_response_header(r, "Set-Cookie", set_cookie);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result respond_page(struct MHD_Connection *c, unsigned status, html_buf *b,
                                    const char *set_cookie)
{
    enum MHD_Result ok;
    if (b->oom || !b->p)
        ok = respond(c, 500, "out of memory\n", 14, "text/plain; charset=utf-8", NULL, 0);
    else
        ok = respond(c, status, b->p, b->len, "text/html; charset=utf-8", set_cookie, 0);
    html_free(b);
    return ok;
}

static enum MHD_Result respond_problem(struct MHD_Connection *c, pages_problem what)
{
    html_buf b = {0};
    int status = pages_problem_page(&b, what);
    return respond_page(c, (unsigned)status, &b, NULL);
}

/* ---- the pages ---- */

/* The browser's cookie, or a new one (*set gets the Set-Cookie value). */
static void browser_cookie(struct MHD_Connection *c, int via_proxy, char id[33], char set[160])
{
    const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    set[0] = '\0';
    if (form_cookie_ok(v)) {
        snprintf(id, 33, "%s", v);
        return;
    }
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, 33, raw, sizeof raw);
    const char *proto = via_proxy
                            ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto")
                            : NULL;
    snprintf(set, 160, COOKIE "=%s; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax%s", id,
             proto && strcmp(proto, "https") == 0 ? "; Secure" : "");
}

static const config_unit *unit_of(server *sv, const char *url)
{
    if (strncmp(url, "/u/", 3) != 0)
        return NULL;
    return survey_config_unit(sv->cfg, url + 3);
}

static enum MHD_Result get_page(server *sv, struct MHD_Connection *c, const char *url,
                                int via_proxy)
{
    size_t len;
    const char *type;
    const char *file = pages_static(url, &len, &type);
    if (file)
        return respond(c, 200, file, len, type, NULL, 1);
    html_buf b = {0};
    if (strcmp(url, "/") == 0) {
        pages_units(&b, sv->cfg);
        return respond_page(c, 200, &b, NULL);
    }
    const config_unit *u = unit_of(sv, url);
    if (!u)
        return respond_problem(c, PAGES_NOT_FOUND);
    char id[33], set[160], token[CSRF_TOKEN_MAX], scope[48];
    browser_cookie(c, via_proxy, id, set);
    snprintf(scope, sizeof scope, "vote:%s", u->code);
    csrf_make(&sv->token_key, scope, id, clock_utc_now(), token);
    pages_rating(&b, u, token);
    return respond_page(c, 200, &b, set[0] ? set : NULL);
}

static enum MHD_Result post_vote(server *sv, struct MHD_Connection *c, const config_unit *u,
                                 req *r, const char *address)
{
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    char scope[48];
    snprintf(scope, sizeof scope, "vote:%s", u->code);
    int64_t now = clock_utc_now();
    if (!form_cookie_ok(cookie) || !csrf_check(&sv->token_key, scope, cookie, r->f.csrf, now))
        return respond_problem(c, PAGES_FORGED);
    int points = form_rating(&r->f);
    if (points < 0)
        return respond_problem(c, PAGES_BAD_FORM);
    char browser[FLAGS_HASH_HEX];
    flags_hash(sv->salt, cookie, browser);
    writer_job job = {.kind = WRITER_VOTE, .unit_code = u->code, .unit_name = u->name,
                      .points = points, .browser = browser,
                      .address_over = flags_note(sv->vote_flags, address, clock_mono_ms())};
    int busy;
    if (writer_run(sv->w, &job, &busy) < 0) {
        if (busy)
            return respond_problem(c, PAGES_BUSY);
        log_error("vote not stored (unit %s): %s", u->code, job.err.msg);
        return respond_problem(c, PAGES_UNAVAILABLE);
    }
    log_info("vote stored: seq=%lld unit=%s points=%d flagged=%d", (long long)job.vote.seq,
             u->code, points, job.vote.flagged);
    char token[CSRF_TOKEN_MAX];
    const char *fu = NULL;
    if (points == 6 || points == 0) {
        snprintf(scope, sizeof scope, "fu:%lld", (long long)job.vote.seq);
        csrf_make(&sv->token_key, scope, cookie, now, token);
        fu = token;
    }
    html_buf b = {0};
    pages_thanks(&b, sv->cfg, u, points, job.vote.seq, fu);
    return respond_page(c, 200, &b, NULL);
}

static int is_reason(const survey_config *cfg, const char *s)
{
    for (size_t i = 0; i < cfg->n_reasons; i++)
        if (strcmp(cfg->reasons[i], s) == 0)
            return 1;
    return 0;
}

/* The reasons (each one offered, each once) and the cleaned comment of a
 * follow-up form; -1 when the form is not acceptable. */
static int followup_fields(server *sv, req *r, const char *reasons[FORM_REASONS_MAX], size_t *n,
                           char comment[FOLLOWUP_COMMENT_BYTES])
{
    *n = 0;
    for (size_t i = 0; i < r->f.n_reasons; i++) {
        if (!is_reason(sv->cfg, r->f.reasons[i]))
            return -1;
        int dup = 0;
        for (size_t k = 0; k < *n; k++)
            dup |= strcmp(reasons[k], r->f.reasons[i]) == 0;
        if (!dup)
            reasons[(*n)++] = r->f.reasons[i];
    }
    return followup_clean_comment(r->f.comment, r->f.comment_len, comment, NULL);
}

static enum MHD_Result post_followup(server *sv, struct MHD_Connection *c, req *r)
{
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    int64_t seq = form_vote_seq(&r->f);
    if (seq < 0)
        return respond_problem(c, PAGES_BAD_FORM);
    char scope[48];
    snprintf(scope, sizeof scope, "fu:%lld", (long long)seq);
    if (!form_cookie_ok(cookie) ||
        !csrf_check(&sv->token_key, scope, cookie, r->f.csrf, clock_utc_now()))
        return respond_problem(c, PAGES_FORGED);
    const char *reasons[FORM_REASONS_MAX];
    size_t n = 0;
    char comment[FOLLOWUP_COMMENT_BYTES];
    if (followup_fields(sv, r, reasons, &n, comment) < 0)
        return respond_problem(c, PAGES_BAD_FORM);
    if (n == 0 && !comment[0]) {
        html_buf b = {0};
        pages_followup_done(&b);
        return respond_page(c, 200, &b, NULL);
    }
    writer_job job = {.kind = WRITER_FOLLOWUP,
                      .followup = {.vote_seq = seq, .reasons = reasons, .n_reasons = n,
                                   .comment = comment}};
    int busy;
    if (writer_run(sv->w, &job, &busy) < 0) {
        if (busy)
            return respond_problem(c, PAGES_BUSY);
        log_error("follow-up not stored (vote %lld): %s", (long long)seq, job.err.msg);
        return respond_problem(c, PAGES_UNAVAILABLE);
    }
    if (job.followup_res == FOLLOWUP_DUPLICATE)
        return respond_problem(c, PAGES_DUPLICATE);
    if (job.followup_res == FOLLOWUP_NO_VOTE)
        return respond_problem(c, PAGES_BAD_FORM);
    log_info("follow-up stored: vote seq=%lld reasons=%zu comment=%s", (long long)seq, n,
             comment[0] ? "yes" : "no");
    html_buf b = {0};
    pages_followup_done(&b);
    return respond_page(c, 200, &b, NULL);
}

/* ---- the follow-up of a kiosk vote: /f/TOKEN ---- */

static int kiosk_key(void *user, const char *kiosk, unsigned char pk[SIGN_PK_BYTES])
{
    const survey_config *cfg = user;
    for (size_t i = 0; i < cfg->n_kiosks; i++)
        if (strcmp(cfg->kiosks[i].id, kiosk) == 0) {
            memcpy(pk, cfg->kiosks[i].pk, SIGN_PK_BYTES);
            return 1;
        }
    return 0;
}

/* Verifies the token of url ("/f/TOKEN"); on failure answers the page. */
static int kiosk_token(server *sv, struct MHD_Connection *c, const char *url, fu_token *t,
                       enum MHD_Result *answered)
{
    int expired = 0;
    mp_err why;
    if (fu_token_verify(url + 3, kiosk_key, (void *)sv->cfg, clock_utc_now(), t, &expired,
                        &why) < 0) {
        *answered = respond_problem(c, expired ? PAGES_EXPIRED : PAGES_BAD_TOKEN);
        return -1;
    }
    return 0;
}

static void kiosk_scope(const fu_token *t, char *out, size_t len)
{
    snprintf(out, len, "fk:%s/%s/%lld", t->kiosk, t->instance, (long long)t->seq);
}

static enum MHD_Result get_kiosk_followup(server *sv, struct MHD_Connection *c,
                                          const char *url, int via_proxy)
{
    fu_token t;
    enum MHD_Result answered;
    if (kiosk_token(sv, c, url, &t, &answered) < 0)
        return answered;
    writer_job job = {.kind = WRITER_KIOSK_USED,
                      .kiosk_vote = {t.kiosk, t.instance, t.seq, t.unit, t.points}};
    int busy;
    if (writer_run(sv->w, &job, &busy) < 0)
        return respond_problem(c, busy ? PAGES_BUSY : PAGES_UNAVAILABLE);
    if (job.used)
        return respond_problem(c, PAGES_USED);
    char id[33], set[160], token[CSRF_TOKEN_MAX], scope[160];
    browser_cookie(c, via_proxy, id, set);
    kiosk_scope(&t, scope, sizeof scope);
    csrf_make(&sv->token_key, scope, id, clock_utc_now(), token);
    const config_unit *u = survey_config_unit(sv->cfg, t.unit);
    html_buf b = {0};
    pages_kiosk_followup(&b, sv->cfg, u ? u->name : t.unit, t.points, url + 3, token);
    return respond_page(c, 200, &b, set[0] ? set : NULL);
}

static enum MHD_Result post_kiosk_followup(server *sv, struct MHD_Connection *c,
                                           const char *url, req *r)
{
    fu_token t;
    enum MHD_Result answered;
    if (kiosk_token(sv, c, url, &t, &answered) < 0)
        return answered;
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
    char scope[160];
    kiosk_scope(&t, scope, sizeof scope);
    if (!form_cookie_ok(cookie) ||
        !csrf_check(&sv->token_key, scope, cookie, r->f.csrf, clock_utc_now()))
        return respond_problem(c, PAGES_FORGED);
    const char *reasons[FORM_REASONS_MAX];
    size_t n = 0;
    char comment[FOLLOWUP_COMMENT_BYTES];
    if (followup_fields(sv, r, reasons, &n, comment) < 0)
        return respond_problem(c, PAGES_BAD_FORM);
    html_buf b = {0};
    if (n == 0 && !comment[0]) {
        pages_followup_done(&b);
        return respond_page(c, 200, &b, NULL);
    }
    writer_job job = {.kind = WRITER_KIOSK_FOLLOWUP,
                      .kiosk_vote = {t.kiosk, t.instance, t.seq, t.unit, t.points},
                      .followup = {.reasons = reasons, .n_reasons = n, .comment = comment}};
    int busy;
    if (writer_run(sv->w, &job, &busy) < 0) {
        if (busy)
            return respond_problem(c, PAGES_BUSY);
        log_error("follow-up not stored (kiosk %s vote %lld): %s", t.kiosk, (long long)t.seq,
                  job.err.msg);
        return respond_problem(c, PAGES_UNAVAILABLE);
    }
    if (job.followup_res == FOLLOWUP_DUPLICATE)
        return respond_problem(c, PAGES_USED);
    log_info("follow-up stored: kiosk %s vote seq=%lld reasons=%zu comment=%s", t.kiosk,
             (long long)t.seq, n, comment[0] ? "yes" : "no");
    pages_followup_done(&b);
    return respond_page(c, 200, &b, NULL);
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    req *r = cls;
    return form_feed(&r->f, key, data, off, size) == 0 ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    server *sv = cls;
    req *r = *con_cls;
    int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (!r)
        return MHD_NO; /* on_uri could not allocate it */
    if (!r->started) {
        /* First call: the headers are in, the body (if any) not yet. */
        r->started = 1;
        char address[INET6_ADDRSTRLEN];
        int via_proxy;
        client_address(sv, c, address, &via_proxy);
        if (flags_note(sv->req_flags, address, clock_mono_ms()))
            return respond_problem(c, PAGES_TOO_MANY);
        /* Refusals answered at once close the connection (libmicrohttpd
         * cannot know the rest of the request was read); a page is answered
         * once the request is complete, so the connection stays open. */
        if (!is_post) {
            if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
                strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return respond_problem(c, PAGES_METHOD);
            return MHD_YES;
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > SERVER_BODY_MAX))
            return respond_problem(c, PAGES_TOO_LARGE);
        form_init(&r->f);
        r->pp = MHD_create_post_processor(c, 1024, on_field, r);
        if (!r->pp)
            r->bad_body = 1; /* not a form encoding: refused once the body is in */
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Read to the end, keeping nothing past the bound (nor anything of
         * a GET's body). */
        r->body += *upload_data_size;
        if (r->body > SERVER_BODY_MAX)
            r->too_large = 1;
        else if (is_post && r->pp && !r->bad_body &&
                 MHD_post_process(r->pp, upload_data, *upload_data_size) != MHD_YES)
            r->bad_body = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return respond_problem(c, PAGES_TOO_LARGE);
    if (!is_post) {
        char address[INET6_ADDRSTRLEN];
        int via_proxy;
        client_address(sv, c, address, &via_proxy);
        if (strncmp(url, "/f/", 3) == 0)
            return get_kiosk_followup(sv, c, url, via_proxy);
        return get_page(sv, c, url, via_proxy);
    }
    if (r->bad_body || r->f.overflow)
        return respond_problem(c, r->f.overflow ? PAGES_TOO_LARGE : PAGES_BAD_FORM);
    if (strcmp(url, "/followup") == 0)
        return post_followup(sv, c, r);
    if (strncmp(url, "/f/", 3) == 0)
        return post_kiosk_followup(sv, c, url, r);
    const config_unit *u = unit_of(sv, url);
    if (!u)
        return respond_problem(c, PAGES_NOT_FOUND);
    char address[INET6_ADDRSTRLEN];
    int via_proxy;
    client_address(sv, c, address, &via_proxy);
    return post_vote(sv, c, u, r, address);
}

/* Called as soon as a request's first line is in: from here on the request
 * is in flight, and a SIGTERM waits for it (server_stop). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)uri;
    (void)c;
    server *sv = cls;
    req *r = calloc(1, sizeof *r);
    if (r)
        atomic_fetch_add(&sv->inflight, 1);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    server *sv = cls;
    req *r = *con_cls;
    if (!r)
        return;
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&sv->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

/* ---- start and stop ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                        mp_err *err)
{
    if (survey_config_check_listen(listen, err) < 0)
        return -1;
    char host[SURVEY_LISTEN_MAX];
    const char *colon = strrchr(listen, ':');
    size_t hn = (size_t)(colon - listen);
    memcpy(host, listen, hn);
    host[hn] = '\0';
    int port = atoi(colon + 1);
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        host[hn - 1] = '\0';
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        inet_pton(AF_INET6, host + 1, &a->sin6_addr);
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        inet_pton(AF_INET, host, &a->sin_addr);
        *len = sizeof *a;
    }
    return 0;
}

int server_start(const survey_config *cfg, const char *listen, store *s,
                 const server_secrets *secrets, server **out, int *port, mp_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_listen(listen, &ss, &sl, err) < 0)
        return -1;
    server *sv = calloc(1, sizeof *sv);
    if (!sv)
        return mp_fail(err, "out of memory");
    sv->cfg = cfg;
    memcpy(sv->token_key.k, secrets->token_key, sizeof sv->token_key.k);
    memcpy(sv->salt, secrets->salt, sizeof sv->salt);
    canonical(cfg->trusted_proxy, sv->proxy);
    atomic_init(&sv->inflight, 0);
    sv->vote_flags = flags_create(cfg->votes_per_hour, 3600, sv->salt);
    sv->req_flags = flags_create(cfg->requests_per_minute, 60, sv->salt);
    if (!sv->vote_flags || !sv->req_flags) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    if (!(sv->w = writer_create(s, SERVER_QUEUE_MAX, err)))
        goto fail;
    unsigned flags_ = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                      MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags_ |= MHD_USE_IPv6;
    /* Behind the proxy every connection comes from it: no per-address cap. */
    unsigned per_ip = sv->proxy[0] ? 0 : 64;
    sv->d = MHD_start_daemon(
        flags_, 0, NULL, NULL, on_request, sv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->timeout_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, sv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, sv, MHD_OPTION_END);
    if (!sv->d) {
        mp_fail(err, "cannot listen on %s (in use, or not an address of this machine?)",
                listen);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(sv->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? di->port : 0;
    *out = sv;
    return 0;
fail:
    if (sv->w)
        writer_destroy(sv->w);
    flags_destroy(sv->vote_flags);
    flags_destroy(sv->req_flags);
    free(sv);
    return -1;
}

void server_stop(server *sv, int wait_s)
{
    if (!sv)
        return;
    MHD_socket fd = MHD_quiesce_daemon(sv->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Requests already in progress finish (their votes commit, their
     * pages are sent); new connections are refused by the kernel. */
    for (int i = 0; i < wait_s * 100 && atomic_load(&sv->inflight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(sv->d);
    writer_destroy(sv->w);
    flags_destroy(sv->vote_flags);
    flags_destroy(sv->req_flags);
    sodium_memzero(sv, sizeof *sv);
    free(sv);
}

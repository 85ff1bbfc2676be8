/* httpload.c - concurrent voters over HTTP (httpload.h). */
#define _GNU_SOURCE /* strcasestr */
#include "httpload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct client {
    const load_opts *o;
    int id, votes;
    int fd;
    char cookie[64], token[128];
    int64_t acked, refused, broken;
    int64_t *seqs;
    double *lat;
} client;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one response into buf (cap bytes): *status, the body at *body.
 * Returns the total length, or -1 when the connection broke. */
static long read_response(int fd, char *buf, size_t cap, int *status, char **body)
{
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        if (len + 1 >= cap)
            return -1;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (sscanf(buf, "HTTP/1.%*d %d", status) != 1)
        return -1;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (!cl || cl > end)
        return -1;
    size_t body_len = strtoul(cl + 17, NULL, 10);
    size_t need = (size_t)(end + 4 - buf) + body_len;
    if (need + 1 > cap)
        return -1;
    while (len < need) {
        ssize_t n = recv(fd, buf + len, need - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *body = end + 4;
    return (long)len;
}

/* One request on the client's connection (reconnecting once if the server
 * closed it between requests). */
static long request(client *c, const char *req, size_t n, char *buf, size_t cap, int *status,
                    char **body)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && (c->fd = connect_to(c->o->port)) < 0)
            return -1;
        if (send_all(c->fd, req, n) == 0) {
            long got = read_response(c->fd, buf, cap, status, body);
            if (got >= 0)
                return got;
        }
        close(c->fd);
        c->fd = -1;
    }
    return -1;
}

static void forwarded(const client *c, char *out, size_t len)
{
    if (c->o->forwarded)
        snprintf(out, len, "X-Forwarded-For: 10.%d.%d.%d\r\n", (c->id >> 16) & 255,
                 (c->id >> 8) & 255, (c->id & 255) + 1);
    else
        out[0] = '\0';
}

static void *client_main(void *arg)
{
    client *c = arg;
    enum { CAP = 65536 };
    char *buf = malloc(CAP), req[1024], xff[64];
    int status;
    char *body;
    c->fd = -1;
    forwarded(c, xff, sizeof xff);
    int n = snprintf(req, sizeof req, "GET /u/%s HTTP/1.1\r\nHost: x\r\n%s\r\n", c->o->unit, xff);
    long got = buf ? request(c, req, (size_t)n, buf, CAP, &status, &body) : -1;
    if (got < 0 || status != 200) {
        c->broken += got < 0;
        c->refused += got >= 0;
        goto out;
    }
    const char *ck = strstr(buf, "Set-Cookie: mpb=");
    const char *tk = strstr(body, "name=\"csrf\" value=\"");
    if (!ck || !tk) {
        c->refused++;
        goto out;
    }
    snprintf(c->cookie, sizeof c->cookie, "%.32s", ck + 16);
    tk += strlen("name=\"csrf\" value=\"");
    size_t tl = strcspn(tk, "\"");
    if (tl >= sizeof c->token)
        goto out;
    memcpy(c->token, tk, tl);
    c->token[tl] = '\0';
    char form[256];
    int fl = snprintf(form, sizeof form, "rating=0&csrf=%s", c->token);
    for (int i = 0; i < c->votes; i++) {
        if (c->o->stop && *c->o->stop)
            break;
        n = snprintf(req, sizeof req,
                     "POST /u/%s HTTP/1.1\r\nHost: x\r\nCookie: mpb=%s\r\n%s"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: %d\r\n\r\n%s",
                     c->o->unit, c->cookie, xff, fl, form);
        double t0 = now_ms();
        got = request(c, req, (size_t)n, buf, CAP, &status, &body);
        double t1 = now_ms();
        if (got < 0) {
            c->broken++;
            break; /* the server is gone */
        }
        const char *v = strstr(body, "name=\"vote\" value=\"");
        if (status != 200 || !strstr(body, "谢谢") || !v) {
            c->refused++;
            continue;
        }
        c->seqs[c->acked] = strtoll(v + strlen("name=\"vote\" value=\""), NULL, 10);
        c->lat[c->acked] = t1 - t0;
        c->acked++;
    }
out:
    if (c->fd >= 0)
        close(c->fd);
    free(buf);
    return NULL;
}

int load_run(const load_opts *o, load_result *r)
{
    memset(r, 0, sizeof *r);
    client *cs = calloc((size_t)o->clients, sizeof *cs);
    pthread_t *th = calloc((size_t)o->clients, sizeof *th);
    if (!cs || !th) {
        free(cs);
        free(th);
        return -1;
    }
    double t0 = now_ms();
    int started = 0;
    for (int i = 0; i < o->clients; i++) {
        cs[i].o = o;
        cs[i].id = i;
        cs[i].votes = o->votes / o->clients + (i < o->votes % o->clients);
        cs[i].seqs = calloc((size_t)cs[i].votes + 1, sizeof *cs[i].seqs);
        cs[i].lat = calloc((size_t)cs[i].votes + 1, sizeof *cs[i].lat);
        if (!cs[i].seqs || !cs[i].lat ||
            pthread_create(&th[i], NULL, client_main, &cs[i]) != 0) {
            cs[i].votes = -1;
            continue;
        }
        started++;
    }
    for (int i = 0; i < o->clients; i++)
        if (cs[i].votes >= 0)
            pthread_join(th[i], NULL);
    r->seconds = (now_ms() - t0) / 1000.0;
    int64_t total = 0;
    for (int i = 0; i < o->clients; i++)
        total += cs[i].acked;
    r->seqs = calloc((size_t)total + 1, sizeof *r->seqs);
    r->lat_ms = calloc((size_t)total + 1, sizeof *r->lat_ms);
    for (int i = 0; i < o->clients; i++) {
        for (int64_t k = 0; r->seqs && r->lat_ms && k < cs[i].acked; k++) {
            r->seqs[r->acked] = cs[i].seqs[k];
            r->lat_ms[r->acked] = cs[i].lat[k];
            r->acked++;
        }
        r->refused += cs[i].refused;
        r->broken += cs[i].broken;
        free(cs[i].seqs);
        free(cs[i].lat);
    }
    free(cs);
    free(th);
    if (started == 0) {
        fprintf(stderr, "httpload: no client could start\n");
        return -1;
    }
    return 0;
}

void load_result_free(load_result *r)
{
    free(r->seqs);
    free(r->lat_ms);
    memset(r, 0, sizeof *r);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double load_quantile(const load_result *r, double q)
{
    if (r->acked == 0)
        return 0;
    qsort(r->lat_ms, (size_t)r->acked, sizeof *r->lat_ms, cmp_double);
    size_t i = (size_t)(q * (double)(r->acked - 1) + 0.5);
    return r->lat_ms[i];
}

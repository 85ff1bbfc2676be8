/* survey_config.c - parsing, validating and writing survey.ini (inih, fed
 * line by line by inifile, which counts lines and refuses over-long lines
 * and NUL bytes). */
#include "survey_config.h"
#include "inifile.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const SURVEY_DEFAULT_REASONS[SURVEY_DEFAULT_REASON_COUNT] = {
    "办事效率低", "服务态度差", "信息不全或难找", "多次跑腿", "其他",
};

typedef struct sstate {
    survey_config *cfg;
    inifile ini;
    const char *label;
    mp_err *err;
    unsigned seen;
    int had_reasons;
} sstate;

/* [survey] keys; numbers have a range and a default. */
static const struct skey {
    const char *name;
    int required, is_int, min, max, def;
    size_t offset;
    const char *doc;
} SKEYS[] = {
    {"id", 1, 0, 0, 0, 0, 0, "the survey's name in its exports (letters, digits, '-', '_')"},
    {"db", 0, 0, 0, 0, 0, 0, "the vote database; a relative path starts from this file's folder"},
    {"signing_key", 1, 0, 0, 0, 0, 0, "the secret signing key (mode 0600); relative: from here"},
    {"listen", 0, 0, 0, 0, 0, 0, "ADDR:PORT to serve on (port 0: any free port)"},
    {"trusted_proxy", 0, 0, 0, 0, 0, 0,
     "the reverse proxy's address; only its X-Forwarded-For is believed (empty: none)"},
    {"votes_per_hour", 0, 1, 1, 1000, 30, offsetof(survey_config, votes_per_hour),
     "votes from one client address per hour; further ones are kept but flagged"},
    {"max_connections", 0, 1, 8, 10000, 256, offsetof(survey_config, max_connections),
     "connections served at once; more are refused"},
    {"timeout_seconds", 0, 1, 2, 300, 15, offsetof(survey_config, timeout_seconds),
     "an idle or slow connection is closed after this long"},
    {"requests_per_minute", 0, 1, 10, 1000, 240, offsetof(survey_config, requests_per_minute),
     "requests from one client address per minute; more are answered 429"},
};
enum { N_SKEYS = sizeof SKEYS / sizeof SKEYS[0] };

static int *int_slot(survey_config *c, int k)
{
    return (int *)(void *)((char *)c + SKEYS[k].offset);
}

static char *sdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

__attribute__((format(printf, 3, 4)))
static int fail_at(sstate *st, const char *key, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return inifile_fail(&st->ini, key, what);
}

int survey_config_check_listen(const char *listen, mp_err *err)
{
    char host[SURVEY_LISTEN_MAX];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || strlen(listen) >= sizeof host)
        return mp_fail(err, "\"%s\" is not ADDR:PORT (e.g. 127.0.0.1:8080)", listen);
    size_t hn = (size_t)(colon - listen);
    memcpy(host, listen, hn);
    host[hn] = '\0';
    const char *port = colon + 1;
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (!*port || *end || errno || p < 0 || p > 65535 || (port[0] == '0' && port[1]))
        return mp_fail(err, "\"%s\": the port must be a number from 0 to 65535", listen);
    unsigned char addr[16];
    if (host[0] == '[') {
        if (hn < 3 || host[hn - 1] != ']')
            return mp_fail(err, "\"%s\": an IPv6 address goes in brackets, e.g. [::1]:8080",
                           listen);
        host[hn - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, addr) != 1)
            return mp_fail(err, "\"%s\": \"%s\" is not an IPv6 address", listen, host + 1);
        return 0;
    }
    if (inet_pton(AF_INET, host, addr) != 1)
        return mp_fail(err, "\"%s\": \"%s\" is not an IPv4 address (use [v6]:PORT for IPv6)",
                       listen, host);
    return 0;
}

static int check_address(const char *a)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, a, addr) == 1 || inet_pton(AF_INET6, a, addr) == 1 ? 0 : -1;
}

static int on_survey(sstate *st, const char *name, const char *value)
{
    survey_config *c = st->cfg;
    int k;
    for (k = 0; k < N_SKEYS; k++)
        if (strcmp(SKEYS[k].name, name) == 0)
            break;
    if (k == N_SKEYS)
        return fail_at(st, name, "unknown key (the keys are listed in docs/survey.md)");
    if (st->seen & (1u << k))
        return fail_at(st, name, "key given twice");
    st->seen |= 1u << k;
    mp_err why;
    if (SKEYS[k].is_int) {
        char *end;
        errno = 0;
        long x = strtol(value, &end, 10);
        if (errno || end == value || *end)
            return fail_at(st, name, "\"%s\" is not a whole number", value);
        if (x < SKEYS[k].min || x > SKEYS[k].max)
            return fail_at(st, name, "must be from %d to %d (is %ld)", SKEYS[k].min,
                           SKEYS[k].max, x);
        *int_slot(c, k) = (int)x;
        return 1;
    }
    if (strcmp(name, "id") == 0) {
        if (config_check_kiosk_id(value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
        c->id = sdup(value);
    } else if (strcmp(name, "db") == 0 || strcmp(name, "signing_key") == 0) {
        if (!*value)
            return fail_at(st, name, "must not be empty");
        char **slot = name[0] == 'd' ? &c->db_path : &c->signing_key_path;
        free(*slot);
        *slot = sdup(value);
    } else if (strcmp(name, "listen") == 0) {
        if (survey_config_check_listen(value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
        free(c->listen);
        c->listen = sdup(value);
    } else if (strcmp(name, "trusted_proxy") == 0) {
        if (*value && check_address(value) < 0)
            return fail_at(st, name, "\"%s\" is not an IPv4 or IPv6 address", value);
        free(c->trusted_proxy);
        c->trusted_proxy = sdup(value);
    }
    return 1;
}

static int on_unit(sstate *st, const char *code, const char *name)
{
    survey_config *c = st->cfg;
    mp_err why;
    if (config_check_unit_code(code, &why) < 0 || config_check_unit_name(name, &why) < 0)
        return fail_at(st, code, "%s", why.msg);
    if (survey_config_unit(c, code))
        return fail_at(st, code, "unit code given twice");
    if (c->n_units >= CONFIG_UNITS_MAX)
        return fail_at(st, code, "too many units (at most %d)", CONFIG_UNITS_MAX);
    config_unit *u = realloc(c->units, (c->n_units + 1) * sizeof *u);
    if (!u)
        abort();
    c->units = u;
    u[c->n_units].code = sdup(code);
    u[c->n_units].name = sdup(name);
    c->n_units++;
    return 1;
}

static int on_reason(sstate *st, const char *key, const char *label)
{
    survey_config *c = st->cfg;
    long n = utf8_count_printable(label);
    if (n < 1 || n > SURVEY_REASON_MAX_CHARS)
        return fail_at(st, key, "a reason must be 1 to %d characters of text",
                       SURVEY_REASON_MAX_CHARS);
    if (strchr(label, '|'))
        return fail_at(st, key, "a reason must not contain '|'");
    if (!st->had_reasons) {
        /* The section replaces the default list. */
        for (size_t i = 0; i < c->n_reasons; i++)
            free(c->reasons[i]);
        c->n_reasons = 0;
        st->had_reasons = 1;
    }
    for (size_t i = 0; i < c->n_reasons; i++)
        if (strcmp(c->reasons[i], label) == 0)
            return fail_at(st, key, "reason \"%s\" given twice", label);
    if (c->n_reasons >= SURVEY_REASONS_MAX)
        return fail_at(st, key, "too many reasons (at most %d)", SURVEY_REASONS_MAX);
    c->reasons[c->n_reasons++] = sdup(label);
    return 1;
}

static int on_kiosk(sstate *st, const char *id, const char *pk64)
{
    survey_config *c = st->cfg;
    mp_err why;
    if (config_check_kiosk_id(id, &why) < 0)
        return fail_at(st, id, "%s", why.msg);
    unsigned char pk[SIGN_PK_BYTES];
    size_t got = 0;
    if (sodium_base642bin(pk, sizeof pk, pk64, strlen(pk64), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != sizeof pk)
        return fail_at(st, id, "not a public key (44 characters of base64)");
    for (size_t i = 0; i < c->n_kiosks; i++)
        if (strcmp(c->kiosks[i].id, id) == 0)
            return fail_at(st, id, "kiosk given twice");
    if (c->n_kiosks >= SURVEY_KIOSKS_MAX)
        return fail_at(st, id, "too many kiosks (at most %d)", SURVEY_KIOSKS_MAX);
    survey_kiosk *k = realloc(c->kiosks, (c->n_kiosks + 1) * sizeof *k);
    if (!k)
        abort();
    c->kiosks = k;
    k[c->n_kiosks].id = sdup(id);
    memcpy(k[c->n_kiosks].pk, pk, sizeof pk);
    c->n_kiosks++;
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    sstate *st = user;
    if (st->ini.failed)
        return 0;
    if (strcmp(section, "survey") == 0)
        return on_survey(st, name, value);
    if (strcmp(section, "units") == 0)
        return on_unit(st, name, value);
    if (strcmp(section, "reasons") == 0)
        return on_reason(st, name, value);
    if (strcmp(section, "kiosks") == 0)
        return on_kiosk(st, name, value);
    return fail_at(st, NULL, "unknown section [%s] or key outside a section (expected [survey], "
                             "[units], [reasons] or [kiosks])",
                   section);
}

static char *resolve(const char *base, const char *rel)
{
    if (rel[0] == '/' || !base || !*base)
        return sdup(rel);
    size_t n = strlen(base) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", base, rel);
    return p;
}

int survey_config_parse(const char *text, size_t len, const char *label, const char *base_dir,
                        survey_config **out, mp_err *err)
{
    survey_config *c = calloc(1, sizeof *c);
    if (!c || !(c->reasons = calloc(SURVEY_REASONS_MAX, sizeof *c->reasons))) {
        free(c);
        return mp_fail(err, "out of memory");
    }
    c->path = sdup(label);
    for (int k = 0; k < N_SKEYS; k++)
        if (SKEYS[k].is_int)
            *int_slot(c, k) = SKEYS[k].def;
    for (int i = 0; i < SURVEY_DEFAULT_REASON_COUNT; i++)
        c->reasons[c->n_reasons++] = sdup(SURVEY_DEFAULT_REASONS[i]);
    sstate st = {.cfg = c, .label = label, .err = err};
    inifile_init(&st.ini, text, len, label, 1, err);
    if (inifile_parse(&st.ini, on_key, &st) < 0)
        goto fail;
    for (int k = 0; k < N_SKEYS; k++)
        if (SKEYS[k].required && !(st.seen & (1u << k))) {
            mp_fail(err, "%s: [survey] %s is missing", label, SKEYS[k].name);
            goto fail;
        }
    if (c->n_units == 0) {
        mp_fail(err, "%s: [units] must name at least one unit", label);
        goto fail;
    }
    char *db = resolve(base_dir, c->db_path ? c->db_path : "survey.db");
    free(c->db_path);
    c->db_path = db;
    char *key = resolve(base_dir, c->signing_key_path);
    free(c->signing_key_path);
    c->signing_key_path = key;
    if (!c->listen)
        c->listen = sdup("127.0.0.1:8080");
    if (!c->trusted_proxy)
        c->trusted_proxy = sdup("");
    *out = c;
    return 0;
fail:
    survey_config_free(c);
    return -1;
}

int survey_config_load(const char *path, survey_config **out, mp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mp_fail(err, "cannot open %s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            if (cap > 4u << 20) {
                fclose(f);
                free(buf);
                return mp_fail(err, "%s: larger than 4 MiB, not a survey.ini", path);
            }
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return mp_fail(err, "cannot read %s", path);
    }
    char *dir = sdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int rc = survey_config_parse(buf, len, path, slash ? dir : NULL, out, err);
    free(dir);
    free(buf);
    return rc;
}

void survey_config_free(survey_config *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->id);
    free(c->db_path);
    free(c->signing_key_path);
    free(c->listen);
    free(c->trusted_proxy);
    for (size_t i = 0; i < c->n_units; i++) {
        free(c->units[i].code);
        free(c->units[i].name);
    }
    free(c->units);
    if (c->reasons)
        for (size_t i = 0; i < c->n_reasons; i++)
            free(c->reasons[i]);
    free(c->reasons);
    for (size_t i = 0; i < c->n_kiosks; i++)
        free(c->kiosks[i].id);
    free(c->kiosks);
    free(c);
}

const config_unit *survey_config_unit(const survey_config *c, const char *code)
{
    for (size_t i = 0; i < c->n_units; i++)
        if (strcmp(c->units[i].code, code) == 0)
            return &c->units[i];
    return NULL;
}

/* ---- writing ---- */

typedef struct tbuf {
    char *p;
    size_t len, cap;
    int bad;
} tbuf;

__attribute__((format(printf, 2, 3)))
static void tput(tbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || b->bad) {
        b->bad = 1;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->bad = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* A value inih gives back unchanged: no control characters, no " ;" or
 * " #" (inline comment) nor a ';' or '#' first (written after "key = "),
 * no surrounding spaces, and the line short enough. */
static int plain(const char *key, const char *v)
{
    size_t n = strlen(v);
    if (strlen(key) + n + 3 > CONFIG_LINE_MAX)
        return 0;
    if (n && (v[0] == ' ' || v[n - 1] == ' ' || v[0] == ';' || v[0] == '#'))
        return 0;
    if (strstr(v, " ;") || strstr(v, " #"))
        return 0;
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c == 0x7F)
            return 0;
    return 1;
}

static int same_as_default(const survey_config *c)
{
    if (c->n_reasons != SURVEY_DEFAULT_REASON_COUNT)
        return 0;
    for (size_t i = 0; i < c->n_reasons; i++)
        if (strcmp(c->reasons[i], SURVEY_DEFAULT_REASONS[i]) != 0)
            return 0;
    return 1;
}

int survey_config_format(const survey_config *c, char **out, mp_err *err)
{
    if (!c->id || !c->signing_key_path)
        return mp_fail(err, "survey.ini needs an id and a signing key");
    tbuf b = {0};
    tput(&b, "; survey.ini - minping-survey, the online survey server.\n"
             "; Written by minping-office provision-survey; the keys: docs/survey.md.\n\n[survey]\n");
    for (int k = 0; k < N_SKEYS; k++) {
        const char *name = SKEYS[k].name;
        char num[24];
        const char *v;
        if (SKEYS[k].is_int) {
            snprintf(num, sizeof num, "%d", *(const int *)(const void *)((const char *)c +
                                                                          SKEYS[k].offset));
            v = num;
        } else if (strcmp(name, "id") == 0) {
            v = c->id;
        } else if (strcmp(name, "db") == 0) {
            v = c->db_path ? c->db_path : "survey.db";
        } else if (strcmp(name, "signing_key") == 0) {
            v = c->signing_key_path;
        } else if (strcmp(name, "listen") == 0) {
            v = c->listen ? c->listen : "127.0.0.1:8080";
        } else {
            v = c->trusted_proxy ? c->trusted_proxy : "";
        }
        if (!plain(name, v)) {
            free(b.p);
            return mp_fail(err, "[survey] %s: the value cannot be written into survey.ini", name);
        }
        tput(&b, "; %s\n%s =%s%s\n", SKEYS[k].doc, name, *v ? " " : "", v);
    }
    tput(&b, "\n[units]\n");
    for (size_t i = 0; i < c->n_units; i++) {
        if (!plain(c->units[i].code, c->units[i].name)) {
            free(b.p);
            return mp_fail(err, "unit %s: the name cannot be written into survey.ini (it starts "
                                "with ';' or '#', holds \" ;\" or \" #\", or has spaces at "
                                "either end)",
                           c->units[i].code);
        }
        tput(&b, "%s = %s\n", c->units[i].code, c->units[i].name);
    }
    if (!same_as_default(c)) {
        tput(&b, "\n[reasons]\n");
        for (size_t i = 0; i < c->n_reasons; i++) {
            if (!plain("r00", c->reasons[i])) {
                free(b.p);
                return mp_fail(err, "reason \"%s\" cannot be written into survey.ini",
                               c->reasons[i]);
            }
            tput(&b, "r%zu = %s\n", i + 1, c->reasons[i]);
        }
    }
    tput(&b, "\n; The kiosks whose thank-you QR codes lead here, with their public keys.\n"
             "[kiosks]\n");
    for (size_t i = 0; i < c->n_kiosks; i++) {
        char b64[sodium_base64_ENCODED_LEN(SIGN_PK_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, c->kiosks[i].pk, SIGN_PK_BYTES,
                          sodium_base64_VARIANT_ORIGINAL);
        tput(&b, "%s = %s\n", c->kiosks[i].id, b64);
    }
    if (b.bad) {
        free(b.p);
        return mp_fail(err, "out of memory");
    }
    *out = b.p;
    return 0;
}

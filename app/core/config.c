/* config.c - parsing and validating kiosk.ini with inih.
 *
 * inih calls a handler per key in file order; it does not pass line numbers,
 * so we feed it through our own line reader, which counts lines and rejects
 * over-long lines and NUL bytes that inih would otherwise split or cut.
 */
#include "config.h"
#include "utf8.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const char *p, *end;
    int line;
    int bad_line;       /* line number of a line we refused to pass on */
    const char *bad_why;
} reader;

typedef struct parse_state {
    kiosk_config *cfg;
    reader rd;
    const char *label;
    mp_err *err;
    int failed;
    unsigned seen;      /* bit per kiosk key */
    size_t units_cap;
} parse_state;

enum key_kind { K_STR, K_INT };

static const struct key_def {
    const char *name;
    enum key_kind kind;
    int min, max;        /* for K_INT */
    int required;
} KEYS[] = {
    {"id", K_STR, 0, 0, 1},
    {"survey_url", K_STR, 0, 0, 1},
    {"pin_hash", K_STR, 0, 0, 1},
    {"db", K_STR, 0, 0, 0},
    {"export_dir", K_STR, 0, 0, 0},
    {"thanks_seconds", K_INT, 3, 600, 0},
    {"cooldown_seconds", K_INT, 0, 60, 0},
    {"idle_seconds", K_INT, 5, 3600, 0},
    {"burst_votes", K_INT, 1, 10000, 0},
    {"burst_seconds", K_INT, 1, 86400, 0},
};
enum { N_KEYS = sizeof KEYS / sizeof KEYS[0] };

static char *reader_gets(char *buf, int size, void *stream)
{
    reader *rd = stream;
    if (rd->bad_line || rd->p >= rd->end)
        return NULL;
    const char *nl = memchr(rd->p, '\n', (size_t)(rd->end - rd->p));
    const char *stop = nl ? nl : rd->end;
    size_t n = (size_t)(stop - rd->p);
    rd->line++;
    if (n > 0 && stop[-1] == '\r')
        n--; /* CRLF files are fine */
    if (n > CONFIG_LINE_MAX || n + 2 > (size_t)size) {
        rd->bad_line = rd->line;
        rd->bad_why = "line is longer than 199 bytes";
        return NULL;
    }
    if (memchr(rd->p, '\0', n)) {
        rd->bad_line = rd->line;
        rd->bad_why = "line contains a NUL byte";
        return NULL;
    }
    memcpy(buf, rd->p, n);
    buf[n] = '\n';
    buf[n + 1] = '\0';
    rd->p = nl ? nl + 1 : rd->end;
    return buf;
}

__attribute__((format(printf, 3, 4)))
static int fail_at(parse_state *st, const char *key, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (!st->failed) {
        if (key)
            mp_fail(st->err, "%s:%d: %s: %s", st->label, st->rd.line, key, what);
        else
            mp_fail(st->err, "%s:%d: %s", st->label, st->rd.line, what);
    }
    st->failed = 1;
    return 0;
}

int config_check_kiosk_id(const char *id, mp_err *err)
{
    size_t n = strlen(id);
    if (n == 0 || n > CONFIG_ID_MAX)
        return mp_fail(err, "kiosk id must be 1 to %d characters long", CONFIG_ID_MAX);
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            return mp_fail(err, "kiosk id \"%s\" may contain only letters, digits, '-' and '_'", id);
    return 0;
}

int config_check_unit_code(const char *code, mp_err *err)
{
    size_t n = strlen(code);
    if (n == 0 || n > CONFIG_CODE_MAX)
        return mp_fail(err, "unit code must be 1 to %d characters long", CONFIG_CODE_MAX);
    for (const char *c = code; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            return mp_fail(err, "unit code \"%s\" may contain only letters, digits, '-' and '_'",
                           code);
    return 0;
}

int config_check_unit_name(const char *name, mp_err *err)
{
    long n = utf8_count_printable(name);
    if (n < 0)
        return mp_fail(err, "unit name is not valid UTF-8 text");
    if (n == 0 || n > CONFIG_NAME_MAX_CHARS)
        return mp_fail(err, "unit name must be 1 to %d characters long (has %ld)",
                       CONFIG_NAME_MAX_CHARS, n);
    return 0;
}

int config_check_survey_url(const char *url, mp_err *err)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return mp_fail(err, "survey URL must start with https:// or http://");
    const char *host = strstr(url, "://") + 3;
    if (*host == '\0' || *host == '/')
        return mp_fail(err, "survey URL has no host");
    for (const unsigned char *c = (const unsigned char *)url; *c; c++)
        if (*c <= 0x20 || *c >= 0x7F)
            return mp_fail(err, "survey URL must be ASCII without spaces "
                                "(percent-encode other characters)");
    return 0;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fputs("minping: out of memory\n", stderr);
        abort();
    }
    return d;
}

static char *join_path(const char *base, const char *rel)
{
    if (rel[0] == '/' || !base || !*base)
        return xstrdup(rel);
    size_t n = strlen(base) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", base, rel);
    return p;
}

static int parse_int(const char *v, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0')
        return -1;
    *out = x;
    return 0;
}

static int on_kiosk_key(parse_state *st, const char *name, const char *value)
{
    kiosk_config *cfg = st->cfg;
    int k;
    for (k = 0; k < N_KEYS; k++)
        if (strcmp(KEYS[k].name, name) == 0)
            break;
    if (k == N_KEYS)
        return fail_at(st, name, "unknown key (see the config reference in README.md)");
    if (st->seen & (1u << k))
        return fail_at(st, name, "key given twice");
    st->seen |= 1u << k;

    mp_err why;
    if (KEYS[k].kind == K_INT) {
        long x;
        if (parse_int(value, &x) < 0)
            return fail_at(st, name, "\"%s\" is not a whole number", value);
        if (x < KEYS[k].min || x > KEYS[k].max) {
            return fail_at(st, name, "must be from %d to %d (is %ld)", KEYS[k].min, KEYS[k].max,
                           x);
        }
        int *slot = strcmp(name, "thanks_seconds") == 0     ? &cfg->thanks_seconds
                    : strcmp(name, "cooldown_seconds") == 0 ? &cfg->cooldown_seconds
                    : strcmp(name, "idle_seconds") == 0     ? &cfg->idle_seconds
                    : strcmp(name, "burst_votes") == 0      ? &cfg->burst_votes
                                                            : &cfg->burst_seconds;
        *slot = (int)x;
        return 1;
    }
    if (strcmp(name, "id") == 0) {
        if (config_check_kiosk_id(value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
        cfg->id = xstrdup(value);
    } else if (strcmp(name, "survey_url") == 0) {
        if (config_check_survey_url(value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
        cfg->survey_url = xstrdup(value);
    } else if (strcmp(name, "pin_hash") == 0) {
        if (strncmp(value, "$argon2", 7) != 0 ||
            strlen(value) >= crypto_pwhash_STRBYTES ||
            crypto_pwhash_str_needs_rehash(value, crypto_pwhash_OPSLIMIT_MIN,
                                           crypto_pwhash_MEMLIMIT_MIN) < 0)
            return fail_at(st, name, "not a PIN hash made by minping-office provision");
        cfg->pin_hash = xstrdup(value);
    } else if (strcmp(name, "db") == 0) {
        if (!*value)
            return fail_at(st, name, "must not be empty");
        free(cfg->db_path);
        cfg->db_path = xstrdup(value); /* resolved at the end */
    } else if (strcmp(name, "export_dir") == 0) {
        free(cfg->export_dir);
        cfg->export_dir = *value ? xstrdup(value) : NULL;
    }
    return 1;
}

static int on_unit(parse_state *st, const char *code, const char *name)
{
    kiosk_config *cfg = st->cfg;
    mp_err why;
    if (config_check_unit_code(code, &why) < 0)
        return fail_at(st, code, "%s", why.msg);
    if (config_check_unit_name(name, &why) < 0)
        return fail_at(st, code, "%s", why.msg);
    if (config_find_unit(cfg, code))
        return fail_at(st, code, "unit code given twice");
    if (cfg->n_units >= CONFIG_UNITS_MAX)
        return fail_at(st, code, "too many units (at most %d)", CONFIG_UNITS_MAX);
    if (cfg->n_units == st->units_cap) {
        size_t cap = st->units_cap ? st->units_cap * 2 : 8;
        config_unit *u = realloc(cfg->units, cap * sizeof *u);
        if (!u)
            abort();
        cfg->units = u;
        st->units_cap = cap;
    }
    cfg->units[cfg->n_units].code = xstrdup(code);
    cfg->units[cfg->n_units].name = xstrdup(name);
    cfg->n_units++;
    return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_state *st = user;
    if (st->failed)
        return 0;
    if (strcmp(section, "kiosk") == 0)
        return on_kiosk_key(st, name, value);
    if (strcmp(section, "units") == 0)
        return on_unit(st, name, value);
    if (!*section)
        return fail_at(st, name, "key outside a section (expected [kiosk] or [units])");
    return fail_at(st, NULL, "unknown section [%s] (expected [kiosk] or [units])", section);
}

int config_parse(const char *text, size_t len, const char *label, const char *base_dir,
                 kiosk_config **out, mp_err *err)
{
    kiosk_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return mp_fail(err, "out of memory");
    cfg->thanks_seconds = 6;
    cfg->cooldown_seconds = 3;
    cfg->idle_seconds = 30;
    cfg->burst_votes = 5;
    cfg->burst_seconds = 60;
    cfg->path = xstrdup(label);

    parse_state st = {.cfg = cfg, .label = label, .err = err};
    st.rd.p = text;
    st.rd.end = text + len;
    int rc = ini_parse_stream(reader_gets, &st.rd, on_key, &st);
    if (st.rd.bad_line) {
        mp_fail(err, "%s:%d: %s", label, st.rd.bad_line, st.rd.bad_why);
        goto fail;
    }
    if (st.failed)
        goto fail;
    if (rc != 0) {
        mp_fail(err, "%s:%d: not a valid INI line (expected \"key = value\" or \"[section]\")",
                label, rc);
        goto fail;
    }
    for (int k = 0; k < N_KEYS; k++)
        if (KEYS[k].required && !(st.seen & (1u << k))) {
            mp_fail(err, "%s: [kiosk] %s is missing", label, KEYS[k].name);
            goto fail;
        }
    if (cfg->n_units == 0) {
        mp_fail(err, "%s: [units] lists no unit (add lines like \"A01 = 县政务服务中心\")", label);
        goto fail;
    }
    if (cfg->cooldown_seconds >= cfg->thanks_seconds) {
        mp_fail(err, "%s: [kiosk] cooldown_seconds (%d) must be less than thanks_seconds (%d)",
                label, cfg->cooldown_seconds, cfg->thanks_seconds);
        goto fail;
    }
    char *db = join_path(base_dir, cfg->db_path ? cfg->db_path : "kiosk.db");
    free(cfg->db_path);
    cfg->db_path = db;
    if (cfg->export_dir) {
        char *ed = join_path(base_dir, cfg->export_dir);
        free(cfg->export_dir);
        cfg->export_dir = ed;
    }
    *out = cfg;
    return 0;
fail:
    config_free(cfg);
    return -1;
}

int config_load(const char *path, kiosk_config **out, mp_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mp_fail(err, "%s: cannot open: %s", path, strerror(errno));
    enum { LIMIT = 1 << 20 };
    char *buf = malloc(LIMIT + 1);
    if (!buf) {
        fclose(f);
        return mp_fail(err, "out of memory");
    }
    size_t n = fread(buf, 1, LIMIT + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return mp_fail(err, "%s: cannot read", path);
    }
    if (n > LIMIT) {
        free(buf);
        return mp_fail(err, "%s: file is larger than 1 MiB; not a kiosk config", path);
    }
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    if (slash == dir)
        strcpy(dir, "/");
    int rc = config_parse(buf, n, path, dir, out, err);
    free(dir);
    free(buf);
    return rc;
}

const config_unit *config_find_unit(const kiosk_config *cfg, const char *code)
{
    for (size_t i = 0; i < cfg->n_units; i++)
        if (strcmp(cfg->units[i].code, code) == 0)
            return &cfg->units[i];
    return NULL;
}

void config_free(kiosk_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_units; i++) {
        free(cfg->units[i].code);
        free(cfg->units[i].name);
    }
    free(cfg->units);
    free(cfg->path);
    free(cfg->id);
    free(cfg->survey_url);
    free(cfg->pin_hash);
    free(cfg->db_path);
    free(cfg->export_dir);
    free(cfg);
}

/* config.c - parsing and validating kiosk.ini with inih.
 *
 * inih calls a handler per key in file order; it does not pass line numbers,
 * so it is fed through inifile's line reader, which counts lines and rejects
 * over-long lines and NUL bytes that inih would otherwise split or cut.
 */
#include "config.h"
#include "fsutil.h"
#include "i18n.h"
#include "inifile.h"
#include "utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parse_state {
    kiosk_config *cfg;
    inifile ini;
    const char *label;
    mp_err *err;
    unsigned seen;      /* bit per kiosk key */
    size_t units_cap;
} parse_state;

_Static_assert((int)CONFIG_LINE_MAX == (int)INIFILE_LINE_MAX, "kiosk.ini lines are read by inifile");

enum key_kind { K_STR, K_INT };

/* The [kiosk] keys, in the order config_format writes them; `doc` is the
 * explanation written into the file's comment header. */
static const struct key_def {
    const char *name;
    enum key_kind kind;
    int required;
    int min, max, def;   /* for K_INT: range and default */
    size_t offset;       /* for K_INT: the int in kiosk_config */
    const char *doc;
} KEYS[] = {
    {"id", K_STR, 1, 0, 0, 0, 0,
     "the kiosk's name in exports and reports (letters, digits, '-', '_')"},
    {"survey_url", K_STR, 1, 0, 0, 0, 0,
     "online survey link shown as a QR code; {kiosk} and {unit} are filled in"},
    {"pin_hash", K_STR, 1, 0, 0, 0, 0, "hash of the staff PIN (the PIN itself is stored nowhere)"},
    {"db", K_STR, 0, 0, 0, 0, 0, "vote database; a relative path starts from this file's folder"},
    {"export_dir", K_STR, 0, 0, 0, 0, 0,
     "folder for exports when no USB stick is used (optional)"},
    {"signing_key", K_STR, 0, 0, 0, 0, 0,
     "the kiosk's secret signing key (mode 0600); relative: from this file's folder"},
    {"renderer", K_STR, 0, 0, 0, 0, 0,
     "software (default: SDL's software renderer) or gpu (OpenGL/GLES driver)"},
    {"thanks_seconds", K_INT, 0, 3, 600, 6, offsetof(kiosk_config, thanks_seconds),
     "how long the thank-you screen stays"},
    {"cooldown_seconds", K_INT, 0, 0, 60, 3, offsetof(kiosk_config, cooldown_seconds),
     "seconds after a vote during which taps are ignored; below thanks_seconds"},
    {"idle_seconds", K_INT, 0, 5, 3600, 30, offsetof(kiosk_config, idle_seconds),
     "back to the first screen after this long untouched"},
    {"burst_votes", K_INT, 0, 1, 10000, 5, offsetof(kiosk_config, burst_votes),
     "votes allowed within burst_seconds; further ones are kept but flagged"},
    {"burst_seconds", K_INT, 0, 1, 86400, 60, offsetof(kiosk_config, burst_seconds),
     "the window of the burst rule, in seconds"},
    {"voice", K_STR, 0, 0, 0, 0, 0,
     "on (default): short spoken prompts when a citizen taps; off: silent"},
    {"volume", K_INT, 0, 0, 100, 80, offsetof(kiosk_config, volume),
     "loudness of the spoken prompts, in percent of the recorded level"},
    {"open_hours", K_STR, 0, 0, 0, 0, 0,
     "HH:MM-HH:MM local time; outside them the screen sleeps (optional)"},
    {"open_days", K_STR, 0, 0, 0, 0, 0,
     "weekdays open, 1 = Monday ... 7 = Sunday, e.g. 1-5 (optional: every day)"},
    {"reasons", K_STR, 0, 0, 0, 0, 0,
     "reason buttons after 一般/不满意, joined by '|' (absent: the default five; empty: none)"},
};
enum { N_KEYS = sizeof KEYS / sizeof KEYS[0] };
_Static_assert(N_KEYS <= 32, "parse_state.seen has a bit per key");

static int *number_slot(kiosk_config *cfg, int k)
{
    return (int *)(void *)((char *)cfg + KEYS[k].offset);
}

static int number_value(const kiosk_config *cfg, int k)
{
    return *(const int *)(const void *)((const char *)cfg + KEYS[k].offset);
}

static int find_number_key(const char *key)
{
    for (int k = 0; k < N_KEYS; k++)
        if (KEYS[k].kind == K_INT && strcmp(KEYS[k].name, key) == 0)
            return k;
    return -1;
}

__attribute__((format(printf, 3, 4)))
static int fail_at(parse_state *st, const char *key, const char *fmt, ...)
{
    char what[sizeof(mp_err)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, _(fmt), ap);
    va_end(ap);
    return inifile_fail(&st->ini, key, what);
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
    /* An export may hold a byte-order mark only at its start: a name with
     * one would make every export of the kiosk's votes fail its check. */
    if (strstr(name, "\xEF\xBB\xBF"))
        return mp_fail(err, "unit name contains a byte-order mark (U+FEFF, invisible; "
                            "two files joined together?)");
    return 0;
}

int config_check_not_formula(const char *text, mp_err *err)
{
    char c = text[0];
    if (c == '\t' || c == '\r')
        return mp_fail(err, "\"%s\" starts with a tab or a line break, which Excel and WPS "
                            "would take as the start of a formula: remove it", text + 1);
    if (c == '=' || c == '+' || c == '-' || c == '@')
        return mp_fail(err, "\"%s\" starts with '%c', which Excel and WPS would run as a "
                            "formula: start it with a letter, a digit or a Chinese character",
                       text, c);
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

int config_number_info(const char *key, int *min, int *max, int *def, mp_err *err)
{
    int k = find_number_key(key);
    if (k < 0)
        return mp_fail(err, "%s is not a numeric [kiosk] key", key);
    *min = KEYS[k].min;
    *max = KEYS[k].max;
    *def = KEYS[k].def;
    return 0;
}

int config_check_number(const char *key, long value, mp_err *err)
{
    int k = find_number_key(key);
    if (k < 0)
        return mp_fail(err, "%s is not a numeric [kiosk] key", key);
    if (value < KEYS[k].min || value > KEYS[k].max)
        return mp_fail(err, "must be from %d to %d (is %ld)", KEYS[k].min, KEYS[k].max, value);
    return 0;
}

int config_set_number(kiosk_config *cfg, const char *key, long value, mp_err *err)
{
    if (config_check_number(key, value, err) < 0)
        return -1;
    *number_slot(cfg, find_number_key(key)) = (int)value;
    return 0;
}

static const char *const RENDERER_NAMES[] = {[CONFIG_RENDERER_SOFTWARE] = "software",
                                              [CONFIG_RENDERER_GPU] = "gpu"};

const char *config_renderer_name(int renderer)
{
    return renderer == CONFIG_RENDERER_GPU ? RENDERER_NAMES[CONFIG_RENDERER_GPU]
                                           : RENDERER_NAMES[CONFIG_RENDERER_SOFTWARE];
}

int config_renderer_by_name(const char *name)
{
    for (int r = 0; r < (int)(sizeof RENDERER_NAMES / sizeof RENDERER_NAMES[0]); r++)
        if (strcmp(name, RENDERER_NAMES[r]) == 0)
            return r;
    return -1;
}

int config_set_reasons(kiosk_config *cfg, const char *value, mp_err *err)
{
    char got[CONFIG_REASONS_MAX][CONFIG_REASON_BYTES];
    size_t n = 0;
    const char *p = value;
    while (*p == ' ')
        p++;
    if (*p == '\0') {
        cfg->n_reasons = 0;
        return 0;
    }
    for (;;) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[0] == ' ')
            p++, len--;
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == 0)
            return mp_fail(err, "reason %zu is empty (labels are separated by '|', e.g. "
                                "办事效率低|服务态度差)", n + 1);
        if (n == CONFIG_REASONS_MAX)
            return mp_fail(err, "too many reasons (at most %d)", CONFIG_REASONS_MAX);
        if (len >= CONFIG_REASON_BYTES)
            return mp_fail(err, "reason %zu is longer than %d characters", n + 1,
                           CONFIG_REASON_MAX_CHARS);
        memcpy(got[n], p, len);
        got[n][len] = '\0';
        long chars = utf8_count_printable(got[n]);
        if (chars < 0)
            return mp_fail(err, "reason %zu is not valid UTF-8 text", n + 1);
        if (chars > CONFIG_REASON_MAX_CHARS)
            return mp_fail(err, "reason \"%s\" is longer than %d characters (has %ld)", got[n],
                           CONFIG_REASON_MAX_CHARS, chars);
        if (config_check_not_formula(got[n], err) < 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (strcmp(got[i], got[n]) == 0)
                return mp_fail(err, "reason \"%s\" is given twice", got[n]);
        n++;
        if (!end)
            break;
        p = end + 1;
    }
    memcpy(cfg->reasons, got, sizeof got);
    cfg->n_reasons = n;
    return 0;
}

void config_format_reasons(const kiosk_config *cfg, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cfg->n_reasons; i++) {
        int w = snprintf(buf + len, n - len, "%s%s", i ? "|" : "", cfg->reasons[i]);
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
    }
}

void config_set_defaults(kiosk_config *cfg)
{
    mp_err err;
    if (config_set_reasons(cfg, CONFIG_REASONS_DEFAULT, &err) < 0)
        abort(); /* the default is valid: check_config holds it */
    cfg->renderer = CONFIG_RENDERER_DEFAULT;
    cfg->voice = CONFIG_VOICE_DEFAULT;
    cfg->open_from = 0;
    cfg->open_until = 1440;
    cfg->open_days = CONFIG_ALL_DAYS;
    for (int k = 0; k < N_KEYS; k++)
        if (KEYS[k].kind == K_INT)
            *number_slot(cfg, k) = KEYS[k].def;
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

/* "HH:MM" (00:00 to 24:00) at *p: the minute of the day, *p moved past it. */
static int parse_clock(const char **p)
{
    const char *s = *p;
    if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
          s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9'))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || (h == 24 && m != 0))
        return -1;
    *p = s + 5;
    return h * 60 + m;
}

/* "HH:MM-HH:MM", the two different; 24:00 only as the end. */
static int parse_hours(const char *s, int *from, int *until)
{
    int a = parse_clock(&s);
    if (a < 0 || a == 1440 || *s++ != '-')
        return -1;
    int b = parse_clock(&s);
    if (b < 0 || *s != '\0' || a == b)
        return -1;
    *from = a;
    *until = b;
    return 0;
}

/* "1-5", "1,3,5", "1-5,7": at least one day, each 1 to 7. */
static int parse_days(const char *s, unsigned *days)
{
    unsigned set = 0;
    for (;;) {
        if (*s < '1' || *s > '7')
            return -1;
        int a = *s++ - '0', b = a;
        if (*s == '-') {
            s++;
            if (*s < '1' || *s > '7')
                return -1;
            b = *s++ - '0';
            if (b < a)
                return -1;
        }
        for (int d = a; d <= b; d++)
            set |= 1u << d;
        if (*s == '\0')
            break;
        if (*s++ != ',')
            return -1;
    }
    *days = set;
    return 0;
}

int config_has_hours(const kiosk_config *cfg)
{
    return !(cfg->open_from == 0 && cfg->open_until == 1440 && cfg->open_days == CONFIG_ALL_DAYS);
}

int config_is_open(const kiosk_config *cfg, int64_t local_time)
{
    int64_t day = local_time >= 0 ? local_time / 86400 : (local_time - 86399) / 86400;
    int minute = (int)((local_time - day * 86400) / 60);
    int weekday = (int)(((day + 3) % 7 + 7) % 7) + 1; /* 1970-01-01 was a Thursday (4) */
    if (!(cfg->open_days & (1u << weekday)))
        return 0;
    if (cfg->open_from < cfg->open_until)
        return minute >= cfg->open_from && minute < cfg->open_until;
    return minute >= cfg->open_from || minute < cfg->open_until;
}

int64_t config_seconds_until_open(const kiosk_config *cfg, int64_t local_time)
{
    if (config_is_open(cfg, local_time))
        return 0;
    int64_t minute = local_time >= 0 ? local_time / 60 : (local_time - 59) / 60;
    for (int64_t m = minute + 1; m <= minute + 8 * 1440; m++)
        if (config_is_open(cfg, m * 60))
            return m * 60 - local_time;
    return 8 * 86400; /* cannot happen: see config.h */
}

int config_set_hours(kiosk_config *cfg, const char *text, mp_err *err)
{
    if (parse_hours(text, &cfg->open_from, &cfg->open_until) < 0)
        return mp_fail(err, "\"%s\" is not a time range like 08:00-17:30 (24-hour clock, the "
                            "two times different)", text);
    return 0;
}

int config_set_days(kiosk_config *cfg, const char *text, mp_err *err)
{
    if (parse_days(text, &cfg->open_days) < 0)
        return mp_fail(err, "\"%s\" is not a list of weekdays like 1-5 or 1-5,7 (1 = Monday "
                            "... 7 = Sunday)", text);
    return 0;
}

void config_format_hours(const kiosk_config *cfg, char *buf, size_t n)
{
    snprintf(buf, n, "%02d:%02d-%02d:%02d", cfg->open_from / 60, cfg->open_from % 60,
             cfg->open_until / 60, cfg->open_until % 60);
}

void config_format_days(const kiosk_config *cfg, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int d = 1; d <= 7; d++) {
        if (!(cfg->open_days & (1u << d)))
            continue;
        int e = d;
        while (e < 7 && (cfg->open_days & (1u << (e + 1))))
            e++;
        int w = e > d ? snprintf(buf + len, n - len, "%s%d-%d", len ? "," : "", d, e)
                      : snprintf(buf + len, n - len, "%s%d", len ? "," : "", d);
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
        d = e;
    }
}

static int on_kiosk_key(parse_state *st, const char *name, const char *value)
{
    kiosk_config *cfg = st->cfg;
    int k;
    for (k = 0; k < N_KEYS; k++)
        if (strcmp(KEYS[k].name, name) == 0)
            break;
    if (k == N_KEYS)
        return fail_at(st, name, "unknown key (the keys are listed in docs/file-formats.md)");
    if (st->seen & (1u << k))
        return fail_at(st, name, "key given twice");
    st->seen |= 1u << k;

    mp_err why;
    if (KEYS[k].kind == K_INT) {
        long x;
        if (parse_int(value, &x) < 0)
            return fail_at(st, name, "\"%s\" is not a whole number", value);
        if (config_check_number(name, x, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
        *number_slot(cfg, k) = (int)x;
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
    } else if (strcmp(name, "signing_key") == 0) {
        if (!*value)
            return fail_at(st, name, "must not be empty (leave the line out for no key)");
        free(cfg->signing_key_path);
        cfg->signing_key_path = xstrdup(value); /* resolved at the end */
    } else if (strcmp(name, "renderer") == 0) {
        int r = config_renderer_by_name(value);
        if (r < 0)
            return fail_at(st, name, "\"%s\" is neither software nor gpu", value);
        cfg->renderer = r;
    } else if (strcmp(name, "voice") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
            return fail_at(st, name, "\"%s\" is neither on nor off", value);
        cfg->voice = strcmp(value, "on") == 0;
    } else if (strcmp(name, "open_hours") == 0) {
        if (config_set_hours(cfg, value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
    } else if (strcmp(name, "open_days") == 0) {
        if (config_set_days(cfg, value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
    } else if (strcmp(name, "reasons") == 0) {
        if (config_set_reasons(cfg, value, &why) < 0)
            return fail_at(st, name, "%s", why.msg);
    }
    return 1;
}

static int on_unit(parse_state *st, const char *code, const char *name)
{
    kiosk_config *cfg = st->cfg;
    mp_err why;
    if (config_check_unit_code(code, &why) < 0)
        return fail_at(st, code, "%s", why.msg);
    if (config_check_unit_name(name, &why) < 0 || config_check_not_formula(code, &why) < 0 ||
        config_check_not_formula(name, &why) < 0)
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
    if (st->ini.failed)
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
    config_set_defaults(cfg);
    cfg->path = xstrdup(label);

    parse_state st = {.cfg = cfg, .label = label, .err = err};
    inifile_init(&st.ini, text, len, label, 0, err);
    if (inifile_parse(&st.ini, on_key, &st) < 0)
        goto fail;
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
    if (cfg->signing_key_path) {
        char *kp = join_path(base_dir, cfg->signing_key_path);
        free(cfg->signing_key_path);
        cfg->signing_key_path = kp;
    }
    *out = cfg;
    return 0;
fail:
    config_free(cfg);
    return -1;
}

int config_load(const char *path, kiosk_config **out, mp_err *err)
{
    char *buf;
    size_t n;
    if (fs_read_file(path, (size_t)1 << 20, FS_READ_FOLLOW, &buf, &n, err) < 0)
        return mp_wrap(err, "%s", path);
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
    free(cfg->signing_key_path);
    free(cfg);
}

/* ---- Writing kiosk.ini ---- */

/* Fails unless inih will read `value` back unchanged: it strips white space
 * around a value, ends it at a ';' that follows white space (or starts it),
 * and reads one line. */
static int check_writable(const char *section, const char *key, const char *value, mp_err *err)
{
    size_t n = strlen(value);
    if (n == 0)
        return mp_fail(err, "[%s] %s: value is empty", section, key);
    if (value[0] == ' ' || value[n - 1] == ' ')
        return mp_fail(err, "[%s] %s: value must not begin or end with a space", section, key);
    if (value[0] == ';')
        return mp_fail(err, "[%s] %s: value must not begin with ';'", section, key);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7F)
            return mp_fail(err, "[%s] %s: value contains a control character (such as a "
                                "line break)", section, key);
        if (c == ';' && value[i - 1] == ' ')
            return mp_fail(err, "[%s] %s: value contains \" ;\", which would start a comment",
                           section, key);
    }
    return 0;
}

/* Writes "key = value" as one line of at most CONFIG_LINE_MAX bytes. */
static int put_pair(FILE *f, const char *section, const char *key, const char *value,
                    mp_err *err)
{
    if (check_writable(section, key, value, err) < 0)
        return -1;
    size_t n = strlen(key) + 3 + strlen(value);
    if (n > CONFIG_LINE_MAX)
        return mp_fail(err, "[%s] %s: the line would be %zu bytes long, more than %d", section,
                       key, n, CONFIG_LINE_MAX);
    fprintf(f, "%s = %s\n", key, value);
    return 0;
}

int config_format(const kiosk_config *cfg, char **out, mp_err *err)
{
    /* The string keys, in KEYS order. */
    const char *strs[N_KEYS] = {cfg->id, cfg->survey_url, cfg->pin_hash,
                                cfg->db_path ? cfg->db_path : "kiosk.db", cfg->export_dir,
                                cfg->signing_key_path, config_renderer_name(cfg->renderer)};
    /* The optional time keys, last in KEYS: written only when they restrict. */
    char hours[48] = "", days[32] = "";
    if (!(cfg->open_from == 0 && cfg->open_until == 1440))
        config_format_hours(cfg, hours, sizeof hours);
    if (cfg->open_days != CONFIG_ALL_DAYS)
        config_format_days(cfg, days, sizeof days);
    /* reasons: written only when they differ from the default (below). */
    char reasons[CONFIG_REASONS_MAX * CONFIG_REASON_BYTES + CONFIG_REASONS_MAX] = "";
    config_format_reasons(cfg, reasons, sizeof reasons);
    int write_reasons = strcmp(reasons, CONFIG_REASONS_DEFAULT) != 0;
    for (int k = 0; k < N_KEYS; k++) {
        if (strcmp(KEYS[k].name, "open_hours") == 0)
            strs[k] = hours;
        else if (strcmp(KEYS[k].name, "open_days") == 0)
            strs[k] = days;
        else if (strcmp(KEYS[k].name, "reasons") == 0)
            strs[k] = NULL;
    }
    for (int k = 0; k < N_KEYS; k++)
        if (strcmp(KEYS[k].name, "voice") == 0)
            strs[k] = cfg->voice ? "on" : "off";
    for (int k = 0; k < N_KEYS; k++)
        if (KEYS[k].required && !strs[k])
            return mp_fail(err, "cannot write kiosk.ini: [kiosk] %s is not set", KEYS[k].name);
    if (cfg->n_units == 0)
        return mp_fail(err, "cannot write kiosk.ini: it lists no unit");

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return mp_fail(err, "out of memory");
    fputs("; kiosk.ini - settings of one Minping kiosk, written by minping-office provision.\n"
          "; UTF-8, at most 199 bytes a line.  A line starting with ';' is a comment, and\n"
          "; so is the rest of a line from \" ;\" on.  A mistake stops the kiosk with a\n"
          "; message naming the line: prefer provisioning again to editing by hand.\n"
          ";\n"
          "; [kiosk]\n",
          f);
    for (int k = 0; k < N_KEYS; k++) {
        if (KEYS[k].kind == K_INT)
            fprintf(f, ";   %-17s %s (%d to %d)\n", KEYS[k].name, KEYS[k].doc, KEYS[k].min,
                    KEYS[k].max);
        else
            fprintf(f, ";   %-17s %s\n", KEYS[k].name, KEYS[k].doc);
    }
    fprintf(f, "; [units]\n"
               ";   CODE = 名称       one line per unit a citizen can rate, shown in this order;\n"
               ";                     CODE: letters, digits, '-', '_'; 名称: 1 to %d characters\n"
               "\n[kiosk]\n",
            CONFIG_NAME_MAX_CHARS);

    int rc = 0;
    for (int k = 0; k < N_KEYS && rc == 0; k++) {
        char num[24];
        const char *value = strs[k];
        if (KEYS[k].kind == K_INT) {
            snprintf(num, sizeof num, "%d", number_value(cfg, k));
            value = num;
        }
        if (!value || (!KEYS[k].required && !*value))
            continue; /* an unset export_dir or signing_key */
        rc = put_pair(f, "kiosk", KEYS[k].name, value, err);
    }
    if (rc == 0 && write_reasons && !*reasons)
        fputs("reasons =\n", f); /* none: the buttons are off */
    else if (rc == 0 && write_reasons)
        rc = put_pair(f, "kiosk", "reasons", reasons, err);
    if (rc == 0)
        fputs("\n[units]\n", f);
    for (size_t i = 0; i < cfg->n_units && rc == 0; i++) {
        const config_unit *u = &cfg->units[i];
        if (config_check_unit_code(u->code, err) < 0) {
            rc = mp_wrap(err, "cannot write kiosk.ini");
            break;
        }
        rc = put_pair(f, "units", u->code, u->name, err);
    }
    if (ferror(f) && rc == 0)
        rc = mp_fail(err, "out of memory while writing kiosk.ini");
    if (fclose(f) != 0 && rc == 0)
        rc = mp_fail(err, "out of memory while writing kiosk.ini");
    if (rc < 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

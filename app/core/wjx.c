/* wjx.c - the 问卷星 "按文本" CSV reader (wjx.h). */
#include "wjx.h"
#include "calendar.h"
#include "csvrows.h"
#include "i18n.h"
#include "rating.h"
#include "utf8.h"

#include <errno.h>
#include <iconv.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FIELDS_MAX = 2000, FIELD_BYTES_MAX = 64 * 1024 };

#define IDEOGRAPHIC_COMMA "\xE3\x80\x81" /* 、 */

typedef struct parser {
    const char *unit_column;
    csvrows *csv;
    char **fields; /* the row being read (csvrows') */
    size_t n_fields;
    /* The header. */
    int have_header;
    size_t n_cols;
    char **titles;
    long c_seq, c_time, c_dur, c_rate, c_unit; /* from 0; -1: none */
    wjx_file *f;
    size_t cap_rows;
} parser;

/* ---- small parsers ---- */

/* A whole number of at most 12 digits at *s; advances *s.  -1 if none. */
static int64_t digits(const char **s)
{
    const char *c = *s;
    int64_t v = 0;
    int n = 0;
    while (*c >= '0' && *c <= '9') {
        if (++n > 12)
            return -1;
        v = v * 10 + (*c++ - '0');
    }
    if (n == 0)
        return -1;
    *s = c;
    return v;
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

int wjx_duration(const char *text, int64_t *seconds)
{
    static const struct {
        const char *unit;
        int64_t secs;
    } UNITS[] = {{"天", 86400}, {"小时", 3600}, {"时", 3600}, {"分钟", 60}, {"分", 60}, {"秒", 1}};
    const char *s = skip_spaces(text);
    int64_t total = 0;
    size_t last = 0; /* units must come in decreasing order */
    int parts = 0;
    while (*s) {
        int64_t v = digits(&s);
        if (v < 0)
            return -1;
        s = skip_spaces(s);
        size_t u = 0;
        while (u < sizeof UNITS / sizeof UNITS[0] &&
               strncmp(s, UNITS[u].unit, strlen(UNITS[u].unit)) != 0)
            u++;
        if (u == sizeof UNITS / sizeof UNITS[0] || (parts && UNITS[u].secs >= UNITS[last].secs))
            return -1;
        s = skip_spaces(s + strlen(UNITS[u].unit));
        total += v * UNITS[u].secs; /* at most 12 digits times 86400: no overflow */
        last = u;
        parts++;
    }
    if (parts == 0)
        return -1;
    *seconds = total;
    return 0;
}

int wjx_time(const char *text, int64_t *utc)
{
    const char *s = skip_spaces(text);
    int64_t y = digits(&s);
    if (y < 1970 || y > 9999 || (*s != '/' && *s != '-'))
        return -1;
    char sep = *s++;
    int64_t mo = digits(&s);
    if (mo < 1 || mo > 12 || *s++ != sep)
        return -1;
    int64_t d = digits(&s);
    if (d < 1 || d > calendar_days_in_month(y, (int)mo) || (*s != ' ' && *s != 'T'))
        return -1;
    s = skip_spaces(s + 1);
    int64_t h = digits(&s);
    if (h < 0 || h > 23 || *s++ != ':')
        return -1;
    int64_t mi = digits(&s);
    if (mi < 0 || mi > 59)
        return -1;
    int64_t sec = 0;
    if (*s == ':') {
        s++;
        sec = digits(&s);
        if (sec < 0 || sec > 59)
            return -1;
    }
    if (*skip_spaces(s))
        return -1;
    calendar_time c = {.year = y, .month = (int)mo, .day = (int)d, .hour = (int)h,
                       .min = (int)mi, .sec = (int)sec};
    *utc = calendar_join(&c) - WJX_UTC_OFFSET;
    return 0;
}

/* The text of a field without the spaces around it (in place). */
static char *trim(char *s)
{
    s = (char *)skip_spaces(s);
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* The question number of a title "N、题干", or -1; *stem gets the 题干. */
static long question_number(const char *title, const char **stem)
{
    const char *s = title;
    int64_t n = digits(&s);
    if (n < 1 || strncmp(s, IDEOGRAPHIC_COMMA, 3) != 0)
        return -1;
    *stem = s + 3;
    return (long)n;
}

/* ---- the header and the answers ---- */

static void read_header(parser *p, size_t line)
{
    p->n_cols = p->n_fields;
    p->titles = calloc(p->n_cols, sizeof *p->titles);
    if (!p->titles) {
        csvrows_fail(p->csv, line, "out of memory");
        return;
    }
    for (size_t i = 0; i < p->n_cols; i++) {
        /* A title may span lines (quoted); it is shown in messages: line
         * breaks and tabs become spaces, other control bytes '?'. */
        for (char *c = p->fields[i]; *c; c++)
            if (*c == '\r' || *c == '\n' || *c == '\t')
                *c = ' ';
        utf8_make_printable(p->fields[i]);
        p->titles[i] = strdup(trim(p->fields[i]));
        if (!p->titles[i]) {
            csvrows_fail(p->csv, line, "out of memory");
            return;
        }
    }
    p->c_seq = p->c_time = p->c_dur = p->c_rate = p->c_unit = -1;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    long questions = 0;
    for (size_t i = 0; i < p->n_cols; i++) {
        const char *t = p->titles[i], *stem;
        long *named = strcmp(t, "序号") == 0         ? &p->c_seq
                      : strcmp(t, "提交答卷时间") == 0 ? &p->c_time
                      : strcmp(t, "所用时间") == 0     ? &p->c_dur
                                                      : NULL;
        if (named) {
            if (*named >= 0) {
                csvrows_fail(p->csv, line, "the column %s is there twice (columns %ld and %zu)", t,
                             *named + 1, i + 1);
                return;
            }
            *named = (long)i;
            continue;
        }
        long n = question_number(t, &stem);
        if (n < 0)
            continue; /* 来源, 来自IP, ...: never read */
        questions++;
        crypto_generichash_update(&h, (const unsigned char *)t, strlen(t) + 1);
        if (p->unit_column && p->c_unit < 0) {
            char num[24];
            snprintf(num, sizeof num, "%ld", n);
            if (strcmp(p->unit_column, t) == 0 || strcmp(p->unit_column, stem) == 0 ||
                strcmp(p->unit_column, num) == 0) {
                p->c_unit = (long)i;
                continue;
            }
        }
        if (p->c_rate < 0 && strstr(stem, "满意"))
            p->c_rate = (long)i;
    }
    unsigned char digest[16];
    crypto_generichash_final(&h, digest, sizeof digest);
    sodium_bin2hex(p->f->questions, sizeof p->f->questions, digest, sizeof digest);
    const char *missing = p->c_seq < 0 ? "序号" : p->c_time < 0 ? "提交答卷时间"
                          : p->c_dur < 0 ? "所用时间" : NULL;
    if (missing) {
        csvrows_fail(p->csv, line, "the header has no column %s: not a 问卷星 \"按文本\" download",
                     missing);
        return;
    }
    if (questions == 0) {
        csvrows_fail(p->csv, line, "the header has no question (a column titled \"N、题干\")");
        return;
    }
    if (p->unit_column && p->c_unit < 0) {
        csvrows_fail(p->csv, line, "no question is titled \"%s\" (give the whole title, the title "
                              "without its number, or the number)",
                     p->unit_column);
        return;
    }
    if (p->c_rate < 0) {
        csvrows_fail(p->csv, line, "no satisfaction question: no question's title contains 满意");
        return;
    }
    p->f->rating_col = (size_t)p->c_rate + 1;
    p->f->rating_title = strdup(p->titles[p->c_rate]);
    if (p->c_unit >= 0) {
        p->f->unit_col = (size_t)p->c_unit + 1;
        p->f->unit_title = strdup(p->titles[p->c_unit]);
    }
    if (!p->f->rating_title || (p->c_unit >= 0 && !p->f->unit_title))
        csvrows_fail(p->csv, line, "out of memory");
    p->have_header = 1;
}

static void read_answer(parser *p, size_t line)
{
    if (p->n_fields != p->n_cols) {
        csvrows_fail(p->csv, line, "%zu fields, but the header names %zu columns", p->n_fields, p->n_cols);
        return;
    }
    if (p->f->n_rows == WJX_ROWS_MAX) {
        csvrows_fail(p->csv, line, "more than %d answers", WJX_ROWS_MAX);
        return;
    }
    wjx_row r = {.line = line};
    const char *v = trim(p->fields[p->c_seq]), *s = v;
    r.seq = digits(&s);
    if (r.seq < 1 || *s) {
        csvrows_fail(p->csv, line, "column %ld (序号): \"%.60s\" is not an answer number (1 or more)",
                     p->c_seq + 1, v);
        return;
    }
    v = trim(p->fields[p->c_time]);
    if (wjx_time(v, &r.submitted_utc) < 0) {
        csvrows_fail(p->csv, line, "column %ld (提交答卷时间): \"%.60s\" is not a date and time like "
                              "2026/12/5 10:23:45",
                     p->c_time + 1, v);
        return;
    }
    v = trim(p->fields[p->c_dur]);
    if (wjx_duration(v, &r.seconds) < 0) {
        csvrows_fail(p->csv, line, "column %ld (所用时间): \"%.60s\" is not a duration like 1分3秒",
                     p->c_dur + 1, v);
        return;
    }
    r.flagged = r.seconds <= WJX_FAST_SECONDS;
    v = trim(p->fields[p->c_rate]);
    const rating *rt = NULL;
    for (int i = 0; i < RATING_COUNT; i++)
        if (strcmp(v, RATINGS[i].label) == 0)
            rt = &RATINGS[i];
    if (!rt) {
        csvrows_fail(p->csv, line, "column %ld (%.80s): \"%.60s\" is not one of 非常满意, 基本满意, 一般, "
                              "不满意",
                     p->c_rate + 1, p->titles[p->c_rate], v);
        return;
    }
    r.points = rt->points;
    if (p->c_unit >= 0) {
        v = trim(p->fields[p->c_unit]);
        if (!*v) {
            csvrows_fail(p->csv, line, "column %ld (%.80s): no unit given", p->c_unit + 1,
                         p->titles[p->c_unit]);
            return;
        }
        if (utf8_count_printable(v) < 0) {
            csvrows_fail(p->csv, line, "column %ld (%.80s): the unit is not one line of text",
                         p->c_unit + 1, p->titles[p->c_unit]);
            return;
        }
        if (!(r.unit = strdup(v))) {
            csvrows_fail(p->csv, line, "out of memory");
            return;
        }
    }
    if (p->f->n_rows == p->cap_rows) {
        size_t cap = p->cap_rows ? p->cap_rows * 2 : 64;
        wjx_row *rows = realloc(p->f->rows, cap * sizeof *rows);
        if (!rows) {
            free(r.unit);
            csvrows_fail(p->csv, line, "out of memory");
            return;
        }
        p->f->rows = rows;
        p->cap_rows = cap;
    }
    p->f->rows[p->f->n_rows++] = r;
}

/* csvrows' row callback. */
static void on_row(void *user, char **fields, size_t n, size_t line)
{
    parser *p = user;
    p->fields = fields;
    p->n_fields = n;
    if (!p->have_header)
        read_header(p, line);
    else
        read_answer(p, line);
}

/* ---- the text ---- */

/* The line of byte offset `at` of s. */
static size_t line_of(const char *s, size_t at)
{
    size_t line = 1;
    for (size_t i = 0; i < at; i++)
        line += s[i] == '\n';
    return line;
}

/* 0 when s is UTF-8 without NUL bytes; else -1 with *bad the offending offset. */
static int utf8_ok(const char *s, size_t len, size_t *bad)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0 || cp == 0) {
            *bad = i;
            return -1;
        }
        i += n;
    }
    return 0;
}

/* The file as UTF-8 (malloc'd, NUL-terminated, without a byte-order mark). */
static int to_utf8(const char *buf, size_t len, const char *label, char **out, size_t *out_len,
                   mp_err *err)
{
    size_t bad;
    int bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
    if (bom || utf8_ok(buf, len, &bad) == 0) {
        if (bom) {
            buf += 3;
            len -= 3;
            if (utf8_ok(buf, len, &bad) < 0)
                return mp_fail(err, "%s, line %zu: not UTF-8 text although the file starts "
                                    "with a UTF-8 byte-order mark; nothing was imported",
                               label, line_of(buf, bad));
        }
        char *t = malloc(len + 1);
        if (!t)
            return mp_fail(err, "out of memory");
        memcpy(t, buf, len);
        t[len] = '\0';
        *out = t;
        *out_len = len;
        return 0;
    }
    /* GB18030: at most 4 bytes become at most 4 (a 2-byte code can become
     * 3 UTF-8 bytes), so 2 * len + 4 is room enough. */
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return mp_fail(err, "cannot convert from GB18030: %s", strerror(errno));
    size_t cap = 2 * len + 4;
    char *t = malloc(cap);
    if (!t) {
        iconv_close(cd);
        return mp_fail(err, "out of memory");
    }
    char *in = (char *)buf, *o = t;
    size_t in_left = len, o_left = cap - 1;
    size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    iconv_close(cd);
    size_t ignored;
    if (rc == (size_t)-1 || in_left != 0 || utf8_ok(t, (size_t)(o - t), &ignored) < 0) {
        /* Named where the reading that got further stopped: the file is most
         * likely in that encoding. */
        size_t at = (size_t)(in - buf) > bad ? (size_t)(in - buf) : bad;
        free(t);
        return mp_fail(err, "%s, line %zu: neither UTF-8 nor GB18030 text (or a NUL byte); "
                            "nothing was imported",
                       label, line_of(buf, at < len ? at : len));
    }
    *o = '\0';
    *out = t;
    *out_len = (size_t)(o - t);
    return 0;
}

static int by_seq(const void *a, const void *b)
{
    const wjx_row *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

void wjx_free(wjx_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_rows; i++)
        free(f->rows[i].unit);
    free(f->rows);
    free(f->rating_title);
    free(f->unit_title);
    free(f);
}

int wjx_parse(const char *buf, size_t len, const char *label, const char *unit_column,
              wjx_file **out, mp_err *err)
{
    *out = NULL;
    char *text = NULL;
    size_t tlen = 0;
    if (to_utf8(buf, len, label, &text, &tlen, err) < 0)
        return -1;
    parser *p = calloc(1, sizeof *p);
    wjx_file *f = calloc(1, sizeof *f);
    if (!p || !f) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    p->unit_column = unit_column;
    p->f = f;
    /* A lone CR ends a line too (libcsv ends records there), so that lines
     * are counted as the CSV parser sees them. */
    const csvrows_opts opts = {
        .label = label,
        .max_fields = FIELDS_MAX,
        .field_bytes_max = FIELD_BYTES_MAX,
        .whole_lines = 1,
        .lone_cr = 1,
        .trim = CSVROWS_TRIM_END,
        .nothing_imported = 1,
        .too_many = N_("more than %d columns"),
        .too_long = N_("a field of more than %d bytes"),
        .malformed = N_("malformed CSV: %s"),
        /* xgettext:c-format */
        .unclosed = N_("malformed CSV: a quoted field is not closed"),
    };
    p->csv = csvrows_create(&opts, err);
    if (!p->csv || csvrows_read(p->csv, text, tlen, on_row, p) < 0)
        goto fail;
    if (!p->have_header) {
        mp_fail(err, "%s is empty; nothing was imported", label);
        goto fail;
    }
    if (f->n_rows == 0) {
        mp_fail(err, "%s has no answers; nothing was imported", label);
        goto fail;
    }
    qsort(f->rows, f->n_rows, sizeof *f->rows, by_seq);
    for (size_t i = 1; i < f->n_rows; i++)
        if (f->rows[i].seq == f->rows[i - 1].seq) {
            size_t a = f->rows[i - 1].line, b = f->rows[i].line;
            csvrows_fail(p->csv, a > b ? a : b, "column %ld (序号): answer %lld is also on line %zu",
                         p->c_seq + 1, (long long)f->rows[i].seq, a < b ? a : b);
            goto fail;
        }
    csvrows_destroy(p->csv);
    for (size_t i = 0; i < p->n_cols; i++)
        free(p->titles[i]);
    free(p->titles);
    free(p);
    free(text);
    *out = f;
    return 0;
fail:
    if (p) {
        csvrows_destroy(p->csv);
        for (size_t i = 0; p->titles && i < p->n_cols; i++)
            free(p->titles[i]);
        free(p->titles);
    }
    free(p);
    wjx_free(f);
    free(text);
    return -1;
}

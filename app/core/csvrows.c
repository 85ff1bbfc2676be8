/* csvrows.c - a CSV file read as rows of fields with line numbers (csvrows.h). */
#include "csvrows.h"
#include "i18n.h"
#include "utf8.h"

#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csvrows {
    csvrows_opts o;
    mp_err *err;
    int failed;
    size_t line;       /* the line being fed */
    size_t start_line; /* where the row being read began; 0 between rows */
    char **fields;     /* o.max_fields of them */
    size_t n_fields;
    int too_many;
    csvrows_row_fn row;
    void *user;
};

/* The messages of opts are catalogue entries with the arguments csvrows.h
 * states: formats that are not literals here. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

csvrows *csvrows_create(const csvrows_opts *opts, mp_err *err)
{
    csvrows *r = calloc(1, sizeof *r);
    if (r)
        r->fields = calloc(opts->max_fields ? opts->max_fields : 1, sizeof *r->fields);
    if (!r || !r->fields) {
        free(r);
        mp_fail(err, "out of memory");
        return NULL;
    }
    r->o = *opts;
    r->err = err;
    r->line = 1;
    return r;
}

static void clear_fields(csvrows *r)
{
    for (size_t i = 0; i < r->n_fields; i++)
        free(r->fields[i]);
    r->n_fields = 0;
    r->too_many = 0;
}

void csvrows_destroy(csvrows *r)
{
    if (!r)
        return;
    clear_fields(r);
    free(r->fields);
    free(r);
}

int csvrows_failed(const csvrows *r)
{
    return r->failed;
}

void csvrows_fail(csvrows *r, size_t line, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = 1;
    char msg[sizeof(mp_err)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, r->o.nothing_imported ? 600 : sizeof msg, _(fmt), ap);
    va_end(ap);
    if (r->o.nothing_imported)
        mp_fail(r->err, "%s, line %zu: %s; nothing was imported", r->o.label, line, msg);
    else
        mp_fail(r->err, "%s, line %zu: %s", r->o.label, line, msg);
    if (r->err)
        utf8_make_printable(r->err->msg);
}

static void on_field(void *s, size_t len, void *user)
{
    csvrows *r = user;
    if (r->failed)
        return;
    if (r->n_fields == r->o.max_fields) {
        r->too_many = 1;
        return;
    }
    if (s && memchr(s, '\0', len)) {
        csvrows_fail(r, r->line, "the file contains a NUL byte");
        return;
    }
    char *v = malloc(len + 1);
    if (!v) {
        csvrows_fail(r, r->line, "out of memory");
        return;
    }
    if (len)
        memcpy(v, s, len);
    v[len] = '\0';
    if (r->o.trim == CSVROWS_TRIM_SPACES) {
        /* Spreadsheets pad cells. */
        char *a = v, *e = v + len;
        while (*a == ' ')
            a++;
        while (e > a && e[-1] == ' ')
            e--;
        memmove(v, a, (size_t)(e - a));
        v[e - a] = '\0';
    } else if (r->o.trim == CSVROWS_TRIM_END) {
        while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
            v[--len] = '\0';
    }
    r->fields[r->n_fields++] = v;
}

static void on_row(int term, void *user)
{
    (void)term;
    csvrows *r = user;
    size_t line = r->start_line ? r->start_line : r->line;
    r->start_line = 0;
    if (r->failed) {
        clear_fields(r);
        return;
    }
    if (r->too_many) {
        if (r->o.too_many)
            csvrows_fail(r, line, r->o.too_many, (int)r->o.max_fields);
        else
            csvrows_fail(r, line, "more than %d fields", (int)r->o.max_fields);
        clear_fields(r);
        return;
    }
    int blank = 1;
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i][0])
            blank = 0;
    if (!blank && !(r->o.comments && r->fields[0][0] == '#'))
        r->row(r->user, r->fields, r->n_fields, line);
    clear_fields(r);
}

/* Checks the text is UTF-8 without NUL bytes or a byte-order mark (the one
 * that may start the file is skipped already), naming the first bad line. */
static int check_text(csvrows *r, const char *s, size_t len)
{
    size_t line = 1;
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(s, len, &cp);
        if (n == 0)
            return mp_fail(r->err,
                           "%s, line %zu: not UTF-8 text (save the file as \"CSV UTF-8\")",
                           r->o.label, line);
        if (cp == 0)
            return mp_fail(r->err, "%s, line %zu: the file contains a NUL byte", r->o.label,
                           line);
        if (cp == 0xFEFF)
            return mp_fail(r->err, r->o.stray_bom, r->o.label, line);
        if (cp == '\n')
            line++;
        s += n;
        len -= n;
    }
    return 0;
}

/* After feeding libcsv: ok is whether it took everything. */
static void check_fed(csvrows *r, struct csv_parser *csv, int ok)
{
    size_t line = r->start_line ? r->start_line : r->line;
    if (!ok && !r->failed && r->o.malformed)
        csvrows_fail(r, r->line, r->o.malformed, csv_strerror(csv_error(csv)));
    else if (!ok && !r->failed)
        csvrows_fail(r, r->line, "malformed CSV: %s (a quote inside an unquoted field, or text "
                                 "after a closing quote)",
                     csv_strerror(csv_error(csv)));
    else if (csv->entry_pos > r->o.field_bytes_max && r->o.too_long)
        csvrows_fail(r, line, r->o.too_long, (int)r->o.field_bytes_max);
    else if (csv->entry_pos > r->o.field_bytes_max)
        csvrows_fail(r, line, "a field of more than %d bytes", (int)r->o.field_bytes_max);
}

int csvrows_read(csvrows *r, const char *buf, size_t len, csvrows_row_fn row, void *user)
{
    if (r->failed)
        return -1;
    if (r->o.utf8_checks) {
        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
            buf += 3;
            len -= 3;
        }
        if (len == 0 || check_text(r, buf, len) < 0) {
            if (len == 0)
                mp_fail(r->err, "%s is empty", r->o.label);
            r->failed = 1;
            return -1;
        }
    }
    struct csv_parser csv;
    if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        r->failed = 1;
        return mp_fail(r->err, "out of memory");
    }
    r->row = row;
    r->user = user;
    size_t pos = 0;
    while (pos < len && !r->failed) {
        /* The line: up to and with its LF (or lone CR); body is what is fed
         * of it as it is, a lone CR being fed as LF. */
        size_t n = 0;
        int lone = 0, ended = 0;
        while (pos + n < len && !ended) {
            char c = buf[pos + n++];
            if (c == '\n')
                ended = 1;
            else if (c == '\r' && r->o.lone_cr && (pos + n == len || buf[pos + n] != '\n'))
                ended = lone = 1;
        }
        size_t body = lone ? n - 1 : n;
        if (r->start_line == 0)
            for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r\n", buf[pos + i])) {
                    r->start_line = r->line;
                    break;
                }
        if (r->o.whole_lines) {
            check_fed(r, &csv,
                      csv_parse(&csv, buf + pos, body, on_field, on_row, r) == body &&
                          (!lone || csv_parse(&csv, "\n", 1, on_field, on_row, r) == 1));
        } else {
            for (size_t done = 0; done < body && !r->failed;) {
                size_t piece = body - done < r->o.field_bytes_max ? body - done
                                                                   : r->o.field_bytes_max;
                check_fed(r, &csv,
                          csv_parse(&csv, buf + pos + done, piece, on_field, on_row, r) == piece);
                done += piece;
            }
            if (lone && !r->failed)
                check_fed(r, &csv, csv_parse(&csv, "\n", 1, on_field, on_row, r) == 1);
        }
        pos += n;
        if (ended)
            r->line++;
    }
    if (!r->failed && csv_fini(&csv, on_field, on_row, r) != 0 && !r->failed)
        csvrows_fail(r, r->start_line ? r->start_line : r->line,
                     r->o.unclosed ? r->o.unclosed : "a quoted field opened here is never closed");
    csv_free(&csv);
    clear_fields(r);
    return r->failed ? -1 : 0;
}

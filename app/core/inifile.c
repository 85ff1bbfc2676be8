/* inifile.c - an INI text read through inih, line by line (inifile.h). */
#include "inifile.h"
#include "utf8.h"

#include <string.h>

void inifile_init(inifile *f, const char *text, size_t len, const char *label, int skip_bom,
                  mp_err *err)
{
    memset(f, 0, sizeof *f);
    f->label = label;
    f->err = err;
    f->p = text;
    f->end = text + len;
    if (skip_bom && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        f->p += 3;
}

/* inih's reader: the next line into buf (size bytes), or NULL at the end or
 * at a line refused. */
static char *next_line(char *buf, int size, void *stream)
{
    inifile *f = stream;
    if (f->bad_line || f->p >= f->end)
        return NULL;
    const char *nl = memchr(f->p, '\n', (size_t)(f->end - f->p));
    const char *stop = nl ? nl : f->end;
    size_t n = (size_t)(stop - f->p);
    f->line++;
    if (n > 0 && stop[-1] == '\r')
        n--; /* CRLF files are fine */
    /* inih strips trailing white space itself, so the line is passed on
     * without its newline: a 199-byte line needs 200 bytes of inih's buffer. */
    if (n > INIFILE_LINE_MAX || n + 1 > (size_t)size) {
        f->bad_line = f->line;
        f->bad_why = "line is longer than 199 bytes";
        return NULL;
    }
    if (memchr(f->p, '\0', n)) {
        f->bad_line = f->line;
        f->bad_why = "line contains a NUL byte";
        return NULL;
    }
    memcpy(buf, f->p, n);
    buf[n] = '\0';
    f->p = nl ? nl + 1 : f->end;
    return buf;
}

int inifile_fail(inifile *f, const char *key, const char *what)
{
    if (!f->failed) {
        f->fail_line = f->line;
        if (key)
            mp_fail(f->err, "%s:%d: %s: %s", f->label, f->line, key, what);
        else
            mp_fail(f->err, "%s:%d: %s", f->label, f->line, what);
        if (f->err)
            utf8_make_printable(f->err->msg);
    }
    f->failed = 1;
    return 0;
}

int inifile_parse(inifile *f, ini_handler handler, void *user)
{
    int rc = ini_parse_stream(next_line, f, handler, user);
    /* inih returns the line of its first error (a malformed line, or a
     * handler failure); the reader stops at a line it refuses, so that one
     * comes after every other. */
    if (rc > 0 && (!f->failed || rc < f->fail_line))
        return mp_fail(f->err,
                       "%s:%d: not a valid INI line (expected \"key = value\" or \"[section]\")",
                       f->label, rc);
    if (f->failed)
        return -1;
    if (f->bad_line)
        return mp_fail(f->err, "%s:%d: %s", f->label, f->bad_line, f->bad_why);
    if (rc != 0)
        return mp_fail(f->err, "%s: not a valid INI file", f->label);
    return 0;
}

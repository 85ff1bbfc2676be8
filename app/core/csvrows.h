/* csvrows.h - a CSV file read as rows of fields, each row with its line.
 *
 * The one libcsv reader of the unit registry (unitreg), the assessment
 * records (arecord) and the 问卷星 download (wjx).  The text is fed to libcsv
 * (strict mode) a line at a time, so that every message names the line a
 * problem is on: a row is numbered by the line its first non-blank
 * character is on.  Blank rows (every field empty) are skipped; each other
 * row goes to the caller's callback as NUL-terminated fields.
 *
 * Every problem is reported once, the first, as "LABEL, line N: message"
 * (the message translated, non-printable characters made visible); after
 * it nothing more is read.  The caller's own checks report through
 * csvrows_fail, which keeps the same rule, also after csvrows_read.
 */
#ifndef MINPING_CSVROWS_H
#define MINPING_CSVROWS_H

#include "err.h"

#include <stddef.h>

typedef struct csvrows csvrows;

typedef enum csvrows_trim {
    CSVROWS_KEEP,       /* fields as they are */
    CSVROWS_TRIM_SPACES, /* spaces (only ' ') cut from both edges */
    CSVROWS_TRIM_END,    /* spaces, tabs and CRs cut from the end */
} csvrows_trim;

typedef struct csvrows_opts {
    const char *label; /* names the file in messages; must outlive the reader */
    size_t max_fields; /* a row with more fields fails with too_many */
    /* A field longer than this fails with too_long.  Unless whole_lines is
     * set, a long line is fed in pieces of this size to catch such a field
     * early (libcsv grows a field 128 bytes at a time). */
    size_t field_bytes_max;
    int whole_lines;   /* feed each line at once; field length checked after it */
    int lone_cr;       /* a CR not followed by LF ends a line too (read as LF) */
    int comments;      /* skip rows whose first field starts with '#' */
    csvrows_trim trim;
    /* Skip a leading UTF-8 byte-order mark, fail "LABEL is empty" on no
     * text, and fail on text that is not UTF-8, has a NUL byte, or has
     * another byte-order mark (stray_bom, a format of LABEL and the line). */
    int utf8_checks;
    const char *stray_bom;
    /* Messages end "; nothing was imported" (a message is cut at 600 bytes). */
    int nothing_imported;
    /* The messages of the reader's own checks, catalogue entries (mark them
     * N_()): too_many and too_long take an int (the limit), malformed a
     * string (libcsv's reason), unclosed nothing.  NULL: "more than %d
     * fields", "a field of more than %d bytes", "malformed CSV: %s (a quote
     * inside an unquoted field, or text after a closing quote)", "a quoted
     * field opened here is never closed". */
    const char *too_many, *too_long, *malformed, *unclosed;
} csvrows_opts;

/* Called with each non-blank row: its n fields (n <= max_fields) and the
 * line it starts on.  The callback may take a field (set fields[i] to NULL
 * and free it later); the reader frees the others.  It reports a problem
 * with csvrows_fail. */
typedef void (*csvrows_row_fn)(void *user, char **fields, size_t n, size_t line);

/* A reader for one file, reporting to err (kept until csvrows_destroy).
 * NULL, with err set, when out of memory. */
csvrows *csvrows_create(const csvrows_opts *opts, mp_err *err);
void csvrows_destroy(csvrows *r);

/* Reads buf (len bytes) and calls row for each row.  0, or -1 once a
 * problem was reported (by the reader or the callback). */
int csvrows_read(csvrows *r, const char *buf, size_t len, csvrows_row_fn row, void *user);

/* Reports "LABEL, line N: " and the translated fmt, unless a problem was
 * reported already. */
void csvrows_fail(csvrows *r, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1 once a problem was reported. */
int csvrows_failed(const csvrows *r);

#endif

/* inifile.h - an INI text read through inih, line by line, first problem wins.
 *
 * The one INI reader of kiosk.ini (config) and survey.ini (survey_config).
 * inih calls a handler per key in file order but passes no line numbers, so
 * the text is fed to it by this reader, which counts lines and refuses a line
 * longer than INIFILE_LINE_MAX bytes (newline and a CR before it excluded) or
 * with a NUL byte, which inih would otherwise split or cut.  CRLF files are
 * fine.
 *
 * Of the problems in a file the first one is reported: a malformed line
 * (inih's), a handler's (inifile_fail) or a line the reader refused (it
 * stops there, so that one comes after every other).
 */
#ifndef MINPING_INIFILE_H
#define MINPING_INIFILE_H

#include "err.h"

#include <ini.h>
#include <stddef.h>

enum { INIFILE_LINE_MAX = 199 };

/* The state of one reading; set up by inifile_init, read the fields only. */
typedef struct inifile {
    const char *label; /* names the file in messages */
    mp_err *err;
    const char *p, *end;
    int line;      /* the line inih is on (from 1) */
    int bad_line;  /* the line the reader refused, or 0 */
    const char *bad_why;
    int failed;    /* a handler reported a problem ... */
    int fail_line; /* ... on this line */
} inifile;

/* Prepares reading text (len bytes) named label, reporting to err.  With
 * skip_bom a UTF-8 byte-order mark at the start is left out. */
void inifile_init(inifile *f, const char *text, size_t len, const char *label, int skip_bom,
                  mp_err *err);

/* Runs inih over the text, calling handler(user, section, name, value) per
 * key.  0, or -1 with err set to the first problem. */
int inifile_parse(inifile *f, ini_handler handler, void *user);

/* A handler's problem on the current line, what already in words:
 * "LABEL:LINE: KEY: WHAT" (key may be NULL: "LABEL:LINE: WHAT").  Only the
 * first is kept.  Returns 0, inih's "the handler failed". */
int inifile_fail(inifile *f, const char *key, const char *what);

#endif

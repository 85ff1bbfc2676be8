/* err.h - the one error convention of Minping.
 *
 * Every function that can fail returns int: 0 on success, -1 on failure, and
 * takes a trailing `mp_err *err` (may be NULL) that receives one sentence
 * saying what went wrong, fit to show a user.  Write `return mp_fail(err, ...)`.
 * The format is a message catalogue entry: mp_fail and mp_wrap look it up in
 * the user's language (i18n.h) before formatting.
 */
#ifndef MINPING_ERR_H
#define MINPING_ERR_H

#include <stddef.h>

typedef struct mp_err {
    char msg[1024]; /* room for a long path in a Chinese sentence (3 bytes a character) */
} mp_err;

/* Formats the message into err (if not NULL) and returns -1. */
int mp_fail(mp_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message: "prefix: old message".  Returns -1. */
int mp_wrap(mp_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

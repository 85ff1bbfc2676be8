/* form.h - the fields of a survey form body, collected piece by piece as
 * libmicrohttpd's post processor hands them over, each bounded.  Knows
 * nothing of HTTP, so tests feed it directly.
 *
 * Fields: rating (10/8/6/0), csrf (the anti-forgery token), vote (the seq
 * of the vote a follow-up belongs to), reason (repeated: the boxes ticked),
 * comment, send.  Other names are ignored.  A field longer than its room,
 * or more reasons than FORM_REASONS_MAX, marks the form overflowed: the
 * server refuses it as a whole rather than store part of it.
 */
#ifndef MINPING_SURVEY_FORM_H
#define MINPING_SURVEY_FORM_H

#include "followup.h"

#include <stddef.h>
#include <stdint.h>

enum {
    FORM_SHORT = 128,          /* rating, csrf, vote, send: bytes with the NUL */
    FORM_REASON_BYTES = 72,    /* one reason label (16 characters) with the NUL */
    FORM_REASONS_MAX = 12,
    /* The raw comment: a 200-character comment whose line ends are CRLF
     * could be 800 bytes of text and 200 of line ends. */
    FORM_COMMENT_RAW = FOLLOWUP_COMMENT_BYTES + 400,
};

typedef struct form {
    char rating[FORM_SHORT];
    char csrf[FORM_SHORT];
    char vote[FORM_SHORT];
    char send[FORM_SHORT];
    char comment[FORM_COMMENT_RAW];
    size_t comment_len;
    int has_rating, has_comment, has_send;
    char reasons[FORM_REASONS_MAX][FORM_REASON_BYTES];
    size_t n_reasons;
    int overflow;      /* a field or the reason list did not fit */
} form;

void form_init(form *f);

/* Adds size bytes of field key's value at offset off (a value comes in one
 * or more pieces; a repeated field starts again at off 0).  Returns 0, or -1
 * once the form has overflowed. */
int form_feed(form *f, const char *key, const char *data, uint64_t off, size_t size);

/* The points of the rating field (10, 8, 6 or 0), or -1 when it is absent
 * or anything else ("010", "10 ", "+8" included). */
int form_rating(const form *f);

/* The vote field as a positive seq, or -1. */
int64_t form_vote_seq(const form *f);

/* 1 when value is a browser cookie as the server issues it: 32 lowercase
 * hex digits. */
int form_cookie_ok(const char *value);

#endif

/* qr.h - the survey link and its QR code (libqrencode), without any drawing. */
#ifndef MINPING_QR_H
#define MINPING_QR_H

#include "err.h"

/* Replaces every "{kiosk}" and "{unit}" in tmpl with the percent-encoded
 * (RFC 3986) kiosk id and unit code, and every "{token}" with the
 * percent-encoded token (fu_token.h; NULL: the empty string).  *out is
 * malloc'd; the caller frees it. */
int qr_payload(const char *tmpl, const char *kiosk, const char *unit, const char *token,
               char **out, mp_err *err);

/* 1 when tmpl has a "{token}" placeholder: its link names each vote and can
 * only be made once the vote is stored. */
int qr_wants_token(const char *tmpl);

typedef struct qr_code {
    int width;              /* modules per side, quiet zone excluded */
    unsigned char *dark;    /* width*width bytes, row-major, 1 = dark module */
} qr_code;

/* Encodes text (8-bit mode, error correction level M).  Free with qr_free. */
int qr_encode(const char *text, qr_code **out, mp_err *err);
void qr_free(qr_code *qr);

enum { QR_QUIET_MODULES = 4 };

/* The largest whole module size (pixels) such that the code plus its quiet
 * zone fits in `avail` pixels; 0 if not even 1 pixel per module fits. */
int qr_module_px(const qr_code *qr, int avail);

#endif

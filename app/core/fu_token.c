/* fu_token.c - signed follow-up tokens of kiosk votes (fu_token.h). */
#include "fu_token.h"
#include "rating.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT "minping-fu-v1\n"
enum { SIG_CHARS = 86 }; /* base64url of 64 bytes, no padding */

/* "KIOSK.INSTANCE.SEQ.UNIT.POINTS.CAST" into out; its length, or -1. */
static int body(const fu_token *t, char *out, size_t len)
{
    int n = snprintf(out, len, "%s.%s.%" PRId64 ".%s.%d.%" PRId64, t->kiosk, t->instance, t->seq,
                     t->unit, t->points, t->cast_utc);
    return n < 0 || (size_t)n >= len ? -1 : n;
}

static void sign_body(const char *b, size_t n, unsigned char *msg, size_t *mlen)
{
    memcpy(msg, CONTEXT, sizeof CONTEXT - 1);
    memcpy(msg + sizeof CONTEXT - 1, b, n);
    *mlen = sizeof CONTEXT - 1 + n;
}

int fu_token_make(const fu_token *t, const sign_key *key, char out[FU_TOKEN_MAX], mp_err *err)
{
    mp_err why;
    if (config_check_kiosk_id(t->kiosk, &why) < 0 || config_check_unit_code(t->unit, &why) < 0)
        return mp_fail(err, "cannot make a follow-up token: %s", why.msg);
    if (strlen(t->instance) != 32 || t->seq < 1 || !rating_by_points(t->points) ||
        t->cast_utc < 0)
        return mp_fail(err, "cannot make a follow-up token: malformed vote");
    char b[FU_TOKEN_MAX - SIG_CHARS - 1];
    int n = body(t, b, sizeof b);
    if (n < 0)
        return mp_fail(err, "cannot make a follow-up token: too long");
    unsigned char msg[FU_TOKEN_MAX + 16], sig[SIGN_BYTES];
    size_t mlen;
    sign_body(b, (size_t)n, msg, &mlen);
    sign_detached(key, msg, mlen, sig);
    char s64[sodium_base64_ENCODED_LEN(SIGN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(s64, sizeof s64, sig, sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    /* n + 1 + SIG_CHARS + 1 <= FU_TOKEN_MAX by the size of b. */
    memcpy(out, b, (size_t)n);
    out[n] = '.';
    memcpy(out + n + 1, s64, SIG_CHARS + 1);
    return 0;
}

static int whole(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 15 || (s[0] == '0' && n > 1))
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int fu_token_verify(const char *text, fu_token_key_fn key_fn, void *user, int64_t now,
                    fu_token *out, int *expired, mp_err *err)
{
    *expired = 0;
    size_t len = strlen(text);
    if (len >= FU_TOKEN_MAX)
        return mp_fail(err, "the token is too long");
    const char *f[7];
    size_t fl[7];
    int k = 0;
    for (const char *p = text;; k++) {
        if (k == 7)
            return mp_fail(err, "the token has more than 7 parts");
        const char *dot = strchr(p, '.');
        f[k] = p;
        fl[k] = dot ? (size_t)(dot - p) : strlen(p);
        if (!dot)
            break;
        p = dot + 1;
    }
    if (k != 6)
        return mp_fail(err, "the token has %d parts, not 7", k + 1);
    fu_token t = {0};
    int64_t points;
    if (fl[0] == 0 || fl[0] > CONFIG_ID_MAX || fl[1] != 32 || fl[3] == 0 ||
        fl[3] > CONFIG_CODE_MAX || fl[6] != SIG_CHARS)
        return mp_fail(err, "the token is malformed");
    memcpy(t.kiosk, f[0], fl[0]);
    memcpy(t.instance, f[1], 32);
    memcpy(t.unit, f[3], fl[3]);
    if (config_check_kiosk_id(t.kiosk, NULL) < 0 || config_check_unit_code(t.unit, NULL) < 0 ||
        whole(f[2], fl[2], &t.seq) < 0 || t.seq < 1 || whole(f[4], fl[4], &points) < 0 ||
        !rating_by_points((int)points) || whole(f[5], fl[5], &t.cast_utc) < 0)
        return mp_fail(err, "the token is malformed");
    for (int i = 0; i < 32; i++)
        if (!((t.instance[i] >= '0' && t.instance[i] <= '9') ||
              (t.instance[i] >= 'a' && t.instance[i] <= 'f')))
            return mp_fail(err, "the token is malformed");
    t.points = (int)points;
    /* One spelling: the body must be exactly what fu_token_make writes. */
    char b[FU_TOKEN_MAX];
    int n = body(&t, b, sizeof b);
    if (n < 0 || (size_t)n != (size_t)(f[6] - 1 - text) || memcmp(b, text, (size_t)n) != 0)
        return mp_fail(err, "the token is malformed");
    unsigned char sig[SIGN_BYTES], pk[SIGN_PK_BYTES];
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(sig, sizeof sig, f[6], fl[6], NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != sizeof sig || end != f[6] + fl[6])
        return mp_fail(err, "the token's signature is malformed");
    if (key_fn(user, t.kiosk, pk) != 1)
        return mp_fail(err, "kiosk %s is not one this survey knows", t.kiosk);
    unsigned char msg[FU_TOKEN_MAX + 16];
    size_t mlen;
    sign_body(b, (size_t)n, msg, &mlen);
    if (!sign_verify(pk, msg, mlen, sig))
        return mp_fail(err, "the token's signature does not match");
    if (now < t.cast_utc - FU_TOKEN_VALID || now > t.cast_utc + FU_TOKEN_VALID) {
        *expired = 1;
        return mp_fail(err, "the token has expired");
    }
    *out = t;
    return 0;
}

/* csrf.h - anti-forgery tokens for the survey's forms.
 *
 * A token is "<issued, Unix seconds>.<64 hex digits>", the digits being the
 * HMAC (libsodium crypto_auth, HMAC-SHA-512-256) under a server secret of
 * the issue time, the form's scope ("vote:CODE" for a unit's rating form,
 * "fu:SEQ" for the follow-up of vote SEQ) and the browser's cookie.  A page
 * on another site can neither read a token nor make one, and a token taken
 * from one browser does not work in another or for another form.
 */
#ifndef MINPING_SURVEY_CSRF_H
#define MINPING_SURVEY_CSRF_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CSRF_TOKEN_MAX = 96,            /* with the NUL */
    CSRF_MAX_AGE = 12 * 3600,       /* a form is good for 12 hours */
    CSRF_SKEW = 300,                /* issued at most 5 minutes "in the future" */
};

typedef struct csrf_key {
    unsigned char k[crypto_auth_KEYBYTES];
} csrf_key;

/* Derives the token key from the server's secret (e.g. its signing key):
 * keyed BLAKE2b with a fixed context, so the secret itself never signs a
 * token. */
void csrf_key_derive(csrf_key *key, const unsigned char *secret, size_t len);

/* Writes a token for scope and browser issued at now into out. */
void csrf_make(const csrf_key *key, const char *scope, const char *browser, int64_t now,
               char out[CSRF_TOKEN_MAX]);

/* 1 when token is one csrf_make made for scope and browser, issued no more
 * than CSRF_MAX_AGE before now (nor more than CSRF_SKEW after); else 0. */
int csrf_check(const csrf_key *key, const char *scope, const char *browser, const char *token,
               int64_t now);

#endif

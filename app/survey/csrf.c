/* csrf.c - anti-forgery tokens (csrf.h). */
#include "csrf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void csrf_key_derive(csrf_key *key, const unsigned char *secret, size_t len)
{
    static const char CONTEXT[] = "minping-survey form token key v1";
    size_t klen = len;
    if (klen > crypto_generichash_KEYBYTES_MAX)
        klen = crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(key->k, sizeof key->k, (const unsigned char *)CONTEXT, sizeof CONTEXT - 1,
                       secret, klen);
}

/* The MAC of "v1\n<issued>\n<scope>\n<browser>". */
static void mac(const csrf_key *key, const char *scope, const char *browser, int64_t issued,
                unsigned char out[crypto_auth_BYTES])
{
    crypto_auth_hmacsha512256_state st;
    char head[40];
    int n = snprintf(head, sizeof head, "v1\n%" PRId64 "\n", issued);
    crypto_auth_hmacsha512256_init(&st, key->k, sizeof key->k);
    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)head, (size_t)n);
    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)scope, strlen(scope));
    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)"\n", 1);
    crypto_auth_hmacsha512256_update(&st, (const unsigned char *)browser, strlen(browser));
    crypto_auth_hmacsha512256_final(&st, out);
}

void csrf_make(const csrf_key *key, const char *scope, const char *browser, int64_t now,
               char out[CSRF_TOKEN_MAX])
{
    unsigned char m[crypto_auth_BYTES];
    char hex[2 * crypto_auth_BYTES + 1];
    mac(key, scope, browser, now, m);
    sodium_bin2hex(hex, sizeof hex, m, sizeof m);
    snprintf(out, CSRF_TOKEN_MAX, "%" PRId64 ".%s", now, hex);
}

int csrf_check(const csrf_key *key, const char *scope, const char *browser, const char *token,
               int64_t now)
{
    if (!token)
        return 0;
    const char *dot = strchr(token, '.');
    if (!dot || dot == token || dot - token > 12)
        return 0;
    int64_t issued = 0;
    for (const char *c = token; c < dot; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        issued = issued * 10 + (*c - '0');
    }
    if (token[0] == '0' && dot - token > 1)
        return 0;
    if (issued > now + CSRF_SKEW || now - issued > CSRF_MAX_AGE)
        return 0;
    const char *hex = dot + 1;
    if (strlen(hex) != 2 * crypto_auth_BYTES)
        return 0;
    unsigned char got[crypto_auth_BYTES];
    size_t bin_len = 0;
    if (sodium_hex2bin(got, sizeof got, hex, strlen(hex), NULL, &bin_len, NULL) != 0 ||
        bin_len != sizeof got)
        return 0;
    for (const char *c = hex; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            return 0; /* one spelling only: lowercase, as made */
    unsigned char want[crypto_auth_BYTES];
    mac(key, scope, browser, issued, want);
    return sodium_memcmp(got, want, sizeof got) == 0;
}

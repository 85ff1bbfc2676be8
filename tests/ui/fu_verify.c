/* fu_verify.c - checks the follow-up token in a survey link read back from a
 * kiosk's thank-you QR code, as the survey server would (fu_token_verify):
 *   fu_verify KEYFILE URL
 * KEYFILE is the kiosk's key file (its public half is used).  The token is
 * the text after the URL's last '/'.  Prints "KIOSK INSTANCE SEQ UNIT POINTS
 * CAST" and exits 0 when it verifies now; else prints why and exits 1. */
#include "clock.h"
#include "fu_token.h"
#include "sign.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int key_of(void *user, const char *kiosk, unsigned char pk[SIGN_PK_BYTES])
{
    (void)kiosk;
    memcpy(pk, ((const sign_key *)user)->pk, SIGN_PK_BYTES);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: fu_verify KEYFILE URL\n", stderr);
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    sign_key key;
    mp_err err;
    if (sign_key_load(argv[1], &key, &err) < 0) {
        fprintf(stderr, "fu_verify: %s\n", err.msg);
        return 1;
    }
    const char *slash = strrchr(argv[2], '/');
    const char *text = slash ? slash + 1 : argv[2];
    fu_token t;
    int expired;
    int rc = fu_token_verify(text, key_of, &key, clock_utc_now(), &t, &expired, &err);
    sign_key_wipe(&key);
    if (rc < 0) {
        fprintf(stderr, "fu_verify: %s\n", err.msg);
        return 1;
    }
    printf("%s %s %lld %s %d %lld\n", t.kiosk, t.instance, (long long)t.seq, t.unit, t.points,
           (long long)t.cast_utc);
    return 0;
}

/* fu_token.h - the follow-up token of a kiosk vote: what the kiosk's
 * thank-you QR code carries ({token} in survey_url) so that the online
 * survey can take a follow-up for that vote, verified offline with the
 * kiosk's public key (survey.ini [kiosks]).
 *
 * Text, URL-safe, no escaping needed:
 *   KIOSK.INSTANCE.SEQ.UNIT.POINTS.CAST.SIG
 * KIOSK the kiosk id, INSTANCE its database's 32 hex digits, SEQ the vote's
 * seq, UNIT its unit code, POINTS 10/8/6/0, CAST the vote's time (Unix
 * seconds, kiosk clock), SIG the Ed25519 signature (kiosk key) of
 * "minping-fu-v1\n" followed by everything before ".SIG", in base64url
 * without padding (86 characters).  Valid from CAST for FU_TOKEN_VALID
 * seconds; one use (the survey stores at most one follow-up per vote).
 */
#ifndef MINPING_FU_TOKEN_H
#define MINPING_FU_TOKEN_H

#include "config.h"
#include "err.h"
#include "sign.h"

#include <stdint.h>

enum {
    FU_TOKEN_VALID = 24 * 3600,
    FU_TOKEN_MAX = 256,   /* with the NUL */
};

typedef struct fu_token {
    char kiosk[CONFIG_ID_MAX + 1];
    char instance[33];
    int64_t seq;
    char unit[CONFIG_CODE_MAX + 1];
    int points;
    int64_t cast_utc;
} fu_token;

/* Writes the token of t signed with key into out. */
int fu_token_make(const fu_token *t, const sign_key *key, char out[FU_TOKEN_MAX], mp_err *err);

/* Finds kiosk's public key: 1 and pk filled when known, 0 when not. */
typedef int (*fu_token_key_fn)(void *user, const char *kiosk, unsigned char pk[SIGN_PK_BYTES]);

/* Parses and verifies text: well formed, signed by its kiosk's key, and
 * now within [cast, cast + FU_TOKEN_VALID].  Returns 0 with *out filled, or
 * -1 with *expired set (1: genuine but too old, or dated ahead of now by
 * more than FU_TOKEN_VALID; 0: malformed, altered or of an unknown kiosk)
 * and err saying why. */
int fu_token_verify(const char *text, fu_token_key_fn key_fn, void *user, int64_t now,
                    fu_token *out, int *expired, mp_err *err);

#endif

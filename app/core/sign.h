/* sign.h - the kiosk's Ed25519 signing key (libsodium crypto_sign).
 *
 * Key file (written by `minping-office provision`, mode 0600, never exported
 * or shown): two lines, "minping-ed25519-secret-v1" and the 64-byte libsodium
 * secret key (which embeds the public key) in standard base64.
 * A key id is the first 8 bytes of BLAKE2b-256 (crypto_generichash) of the
 * public key, as 16 lowercase hex digits.
 */
#ifndef MINPING_SIGN_H
#define MINPING_SIGN_H

#include "err.h"

#include <stddef.h>

enum { SIGN_PK_BYTES = 32, SIGN_SK_BYTES = 64, SIGN_BYTES = 64, SIGN_ID_CHARS = 16 };

typedef struct sign_key {
    unsigned char sk[SIGN_SK_BYTES];
    unsigned char pk[SIGN_PK_BYTES];
    char id[SIGN_ID_CHARS + 1];
} sign_key;

/* Makes a new random key pair. */
int sign_keygen(sign_key *out, mp_err *err);
/* Writes the secret key file at path (mode 0600, never over an existing file):
 * a temporary file beside it, synced, then linked to path. */
int sign_key_save(const char *path, const sign_key *key, mp_err *err);
/* Like sign_key_save, but atomically replaces a file already at path
 * (re-provisioning with --force). */
int sign_key_replace(const char *path, const sign_key *key, mp_err *err);
/* Reads a key file; fails on anything malformed: a symbolic link, not a
 * regular file, readable or writable by group or others, a wrong first line,
 * a second line that is not 64 bytes in standard base64, a secret half that
 * does not give the embedded public half, or anything after it.  *out is
 * filled only on success (nothing secret is left behind on failure). */
int sign_key_load(const char *path, sign_key *out, mp_err *err);
/* Wipes the secret key from memory. */
void sign_key_wipe(sign_key *key);
/* The key id of a public key. */
void sign_key_id(const unsigned char pk[SIGN_PK_BYTES], char out[SIGN_ID_CHARS + 1]);

/* Detached signature of msg (crypto_sign_detached). */
void sign_detached(const sign_key *key, const void *msg, size_t len, unsigned char sig[SIGN_BYTES]);
/* 1 when sig is pk's valid signature of msg, else 0. */
int sign_verify(const unsigned char pk[SIGN_PK_BYTES], const void *msg, size_t len,
                const unsigned char sig[SIGN_BYTES]);

#endif

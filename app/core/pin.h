/* pin.h - staff PINs: hashing (libsodium crypto_pwhash_str) and the lockout
 * after repeated wrong entries.  A PIN is never stored or logged in clear. */
#ifndef MINPING_PIN_H
#define MINPING_PIN_H

#include "err.h"

#include <stdint.h>

enum {
    PIN_MIN_DIGITS = 4,
    PIN_MAX_DIGITS = 12,
    PIN_MAX_FAILURES = 5,          /* wrong entries before the pad locks */
    PIN_LOCK_MS = 5 * 60 * 1000,   /* how long it stays locked */
    PIN_HASH_MAX = 128,            /* = crypto_pwhash_STRBYTES */
};

/* Checks that pin is 4-12 ASCII digits. */
int pin_check_format(const char *pin, mp_err *err);

/* Argon2id with 7 MiB and 5 passes (m=7168, t=5: the least memory of the
 * Argon2id settings OWASP recommends, all rated equally strong).  The kiosk
 * verifies the PIN with the parameters recorded in the hash, and its peak
 * memory is the memory the hash asks for: libsodium's "interactive" 64 MiB
 * would be most of a small board's budget (see docs/performance.md).  A hash
 * made with other parameters still verifies. */
#define PIN_HASH_OPSLIMIT 5ULL
#define PIN_HASH_MEMLIMIT (7u * 1024u * 1024u)

/* Hashes pin into out (PIN_HASH_MAX bytes, NUL-terminated). */
int pin_hash(const char *pin, char out[PIN_HASH_MAX], mp_err *err);

/* Returns 1 when pin matches hash, 0 otherwise (including a malformed hash). */
int pin_verify(const char *hash, const char *pin);

/* Lockout state, kept in memory by the kiosk. */
typedef struct pin_guard {
    int failures;
    int64_t locked_until_ms; /* monotonic; 0 when not locked */
} pin_guard;

/* Milliseconds left of the lock at now_ms; 0 when the pad is open. */
int64_t pin_guard_locked_ms(const pin_guard *g, int64_t now_ms);
/* Records the outcome of one entry made at now_ms. */
void pin_guard_record(pin_guard *g, int ok, int64_t now_ms);
/* Entries left before the pad locks. */
int pin_guard_tries_left(const pin_guard *g);

#endif

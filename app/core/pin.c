/* pin.c - PIN hashing and lockout. */
#include "pin.h"

#include <sodium.h>
#include <string.h>

_Static_assert(PIN_HASH_MAX == crypto_pwhash_STRBYTES, "PIN_HASH_MAX must match libsodium");

int pin_check_format(const char *pin, mp_err *err)
{
    size_t n = strlen(pin);
    if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS)
        return mp_fail(err, "PIN must have %d to %d digits", PIN_MIN_DIGITS, PIN_MAX_DIGITS);
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return mp_fail(err, "PIN must contain digits only (the kiosk's pad has 0-9)");
    return 0;
}

int pin_hash(const char *pin, char out[PIN_HASH_MAX], mp_err *err)
{
    if (pin_check_format(pin, err) < 0)
        return -1;
    if (sodium_init() < 0)
        return mp_fail(err, "libsodium failed to initialise");
    /* Interactive limits: verification takes well under a second and 64 MiB
     * on a small board, which a staff member waits for once per login. */
    if (crypto_pwhash_str(out, pin, strlen(pin), PIN_HASH_OPSLIMIT, PIN_HASH_MEMLIMIT) != 0)
        return mp_fail(err, "out of memory while hashing the PIN");
    return 0;
}

int pin_verify(const char *hash, const char *pin)
{
    if (!hash || !pin || sodium_init() < 0)
        return 0;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

int64_t pin_guard_locked_ms(const pin_guard *g, int64_t now_ms)
{
    return g->locked_until_ms > now_ms ? g->locked_until_ms - now_ms : 0;
}

void pin_guard_record(pin_guard *g, int ok, int64_t now_ms)
{
    if (ok) {
        g->failures = 0;
        g->locked_until_ms = 0;
        return;
    }
    if (++g->failures >= PIN_MAX_FAILURES) {
        g->failures = 0;
        g->locked_until_ms = now_ms + PIN_LOCK_MS;
    }
}

int pin_guard_tries_left(const pin_guard *g)
{
    return PIN_MAX_FAILURES - g->failures;
}

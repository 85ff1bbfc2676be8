/* flags.h - stuffing signs that need no storage: how many events one client
 * address caused within a sliding window, and the salted hashes by which
 * the server remembers a browser or an address without keeping either.
 *
 * A counter remembers up to FLAGS_SLOTS addresses (the least recently seen
 * is forgotten first), each by a keyed hash, never the address itself, with
 * the times of its last `limit` events: at most FLAGS_SLOTS * limit * 8
 * bytes (32 MiB for the largest limit survey.ini allows, 1000).
 * Thread-safe.
 */
#ifndef MINPING_SURVEY_FLAGS_H
#define MINPING_SURVEY_FLAGS_H

#include <stdint.h>

enum { FLAGS_SLOTS = 4096, FLAGS_HASH_HEX = 33 };

typedef struct flags flags;

/* An event is "over" when it is the (limit+1)-th or later within any window
 * of window_s seconds from the same address.  salt keys the hashes (32
 * bytes).  NULL when out of memory. */
flags *flags_create(int limit, int window_s, const unsigned char salt[32]);
void flags_destroy(flags *f);

/* Records an event from address at now_ms; returns 1 when it is over the
 * limit, else 0. */
int flags_note(flags *f, const char *address, int64_t now_ms);

/* The keyed hash (16 bytes, 32 hex digits) of text under salt. */
void flags_hash(const unsigned char salt[32], const char *text, char out[FLAGS_HASH_HEX]);

#endif

/* hexid.h - the forms of the identifiers Minping writes: lowercase hex
 * digits (instance ids, key ids, SHA-256 digests) and RFC 4122 text UUIDs
 * in lowercase (8-4-4-4-12).  Checks only; nothing is allocated. */
#ifndef MINPING_HEXID_H
#define MINPING_HEXID_H

#include <stddef.h>

/* 1 when the n bytes at s are all of 0-9 a-f, else 0 (1 for n == 0). */
int hexid_is_lower(const char *s, size_t n);

/* 1 when the n bytes at s are a UUID as 36 characters: 8-4-4-4-12
 * lowercase hex digits with dashes between, else 0. */
int hexid_is_uuid(const char *s, size_t n);

#endif

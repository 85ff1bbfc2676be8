/* utf8.h - small UTF-8 helpers for validating and walking text. */
#ifndef MINPING_UTF8_H
#define MINPING_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (at most len bytes).  Returns the number of bytes
 * consumed (1-4) and stores the code point in *cp, or returns 0 for an invalid
 * or truncated sequence (overlong forms and surrogates are invalid). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Returns the number of code points in s, or -1 if s is not valid UTF-8 or
 * contains a control character (below U+0020, or U+007F). */
long utf8_count_printable(const char *s);

/* Replaces, in place, every byte of s that is not printable UTF-8 text (a
 * control character, C0 or C1, or a byte of an invalid sequence) with '?':
 * for messages that quote untrusted input, whose bytes must not reach a
 * terminal or a log raw. */
void utf8_make_printable(char *s);

#endif

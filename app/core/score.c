/* score.c - exact integer scoring of 民主测评 (see score.h). */
#include "score.h"

#include <stdio.h>
#include <string.h>

int score_compute(const int64_t counts[RATING_COUNT], score *out, mp_err *err)
{
    score s = {0, 0, 0};
    for (int i = 0; i < RATING_COUNT; i++) {
        if (counts[i] < 0)
            return mp_fail(err, "negative vote count %lld for %s", (long long)counts[i],
                           RATINGS[i].label);
        if (counts[i] > SCORE_VOTES_MAX - s.votes)
            return mp_fail(err, "more than %lld votes for one unit",
                           (long long)SCORE_VOTES_MAX);
        s.votes += counts[i];
        s.points += counts[i] * RATINGS[i].points;
    }
    if (s.votes > 0) {
        /* round(100·p / v) half up = floor((200·p + v) / (2·v)); p <= 10·v,
         * so 200·p <= 2·10^15: far inside int64_t. */
        s.hundredths = (200 * s.points + s.votes) / (2 * s.votes);
    }
    *out = s;
    return 0;
}

void score_format(const score *s, char *buf, size_t len)
{
    if (s->votes == 0) {
        snprintf(buf, len, "%s", "");
        return;
    }
    snprintf(buf, len, "%lld.%02lld", (long long)(s->hundredths / 100),
             (long long)(s->hundredths % 100));
}

void score_format_quotient(int64_t num, int64_t den, int decimals, char *buf, size_t len)
{
    if (den <= 0 || den > INT64_MAX / 10 || num < 0 || decimals < 0 || len == 0) {
        snprintf(buf, len, "%s", "?");
        return;
    }
    int n = snprintf(buf, len, "%lld", (long long)(num / den));
    int64_t rem = num % den;
    if (decimals > 0 && n > 0 && (size_t)n + 1 < len)
        buf[n++] = '.';
    for (int i = 0; i < decimals && n > 0 && (size_t)n + 1 < len; i++) {
        /* rem < den <= INT64_MAX / 10: rem·10 cannot overflow. */
        rem *= 10;
        buf[n++] = (char)('0' + rem / den);
        rem %= den;
    }
    if (n > 0 && (size_t)n < len)
        buf[n] = '\0';
    if (rem != 0 && n > 0 && (size_t)n + sizeof "…" <= len)
        memcpy(buf + n, "…", sizeof "…");
}

/* interval.c - the Chernoff–Hoeffding interval of a score (see interval.h). */
#include "interval.h"

#include <math.h>
#include <stdio.h>

/* KL(m ‖ q) for Bernoulli means, 0 < q < 1, with 0·ln 0 = 0. */
static double kl(double m, double q)
{
    double d = 0.0;
    if (m > 0.0)
        d += m * log(m / q);
    if (m < 1.0)
        d += (1.0 - m) * log((1.0 - m) / (1.0 - q));
    return d;
}

/* KL(m ‖ q) grows as q moves away from m on either side, so each bound is
 * found by bisection between m and the end of [0, 1]: 60 halvings of an
 * interval of length <= 1 leave less than 1e-18. */
void interval_kl_bounds(double m, int64_t n, double alpha, double *lo, double *hi)
{
    if (m < 0.0)
        m = 0.0;
    if (m > 1.0)
        m = 1.0;
    double limit = log(2.0 / alpha) / (double)n;

    double in = m, out = 0.0; /* in: inside the interval; out: outside or the end */
    if (kl(m, nextafter(0.0, 1.0)) <= limit) {
        in = 0.0;
    } else {
        for (int i = 0; i < 60; i++) {
            double mid = 0.5 * (in + out);
            if (mid > 0.0 && kl(m, mid) <= limit)
                in = mid;
            else
                out = mid;
        }
    }
    *lo = in;

    in = m;
    out = 1.0;
    if (kl(m, nextafter(1.0, 0.0)) <= limit) {
        in = 1.0;
    } else {
        for (int i = 0; i < 60; i++) {
            double mid = 0.5 * (in + out);
            if (mid < 1.0 && kl(m, mid) <= limit)
                in = mid;
            else
                out = mid;
        }
    }
    *hi = in;
}

void interval_of_score(const score *s, score_interval *out)
{
    score_interval iv = {0, 0, 0};
    if (s->votes > 0) {
        /* points <= 10·votes <= 10^13: exact in a double. */
        double m = (double)s->points / (10.0 * (double)s->votes), lo, hi;
        interval_kl_bounds(m, s->votes, 0.05, &lo, &hi);
        iv.votes = s->votes;
        /* Outwards to hundredths of a point; the bisection's 1e-12 (below a
         * ten-millionth of a hundredth) cannot move a bound past the score. */
        iv.lo_hundredths = (int64_t)floor(lo * 1000.0 + 1e-9);
        iv.hi_hundredths = (int64_t)ceil(hi * 1000.0 - 1e-9);
        if (iv.lo_hundredths > s->points * 100 / s->votes)
            iv.lo_hundredths = s->points * 100 / s->votes;
        if (iv.hi_hundredths < (s->points * 100 + s->votes - 1) / s->votes)
            iv.hi_hundredths = (s->points * 100 + s->votes - 1) / s->votes;
        if (iv.lo_hundredths < 0)
            iv.lo_hundredths = 0;
        if (iv.hi_hundredths > 1000)
            iv.hi_hundredths = 1000;
    }
    *out = iv;
}

int interval_few_votes(const score *s)
{
    return s->votes > 0 && s->votes < INTERVAL_FEW_VOTES;
}

void interval_format_bound(const score_interval *iv, int which, char *buf, size_t len)
{
    if (iv->votes == 0) {
        snprintf(buf, len, "%s", "");
        return;
    }
    int64_t h = which ? iv->hi_hundredths : iv->lo_hundredths;
    snprintf(buf, len, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
}

void interval_format(const score_interval *iv, char *buf, size_t len)
{
    if (iv->votes == 0) {
        snprintf(buf, len, "%s", "");
        return;
    }
    char a[SCORE_TEXT_MAX], b[SCORE_TEXT_MAX];
    interval_format_bound(iv, 0, a, sizeof a);
    interval_format_bound(iv, 1, b, sizeof b);
    snprintf(buf, len, "%s–%s", a, b);
}

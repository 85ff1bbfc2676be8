/* clock.c - time sources and formatting. */
#include "clock.h"

#include <stdio.h>
#include <time.h>

int64_t clock_utc_now(void)
{
    return (int64_t)time(NULL);
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int clock_utc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm lt;
    if (!localtime_r(&tt, &lt))
        return 0;
    return (int)lt.tm_gmtoff;
}

void clock_format_local(int64_t t, char *buf, size_t len)
{
    int off = clock_utc_offset(t);
    char base[32];
    clock_format_offset(t, off, base, sizeof base);
    base[10] = 'T';
    int a = off < 0 ? -off : off;
    snprintf(buf, len, "%s%c%02d:%02d", base, off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

void clock_format_offset(int64_t t, int offset, char *buf, size_t len)
{
    time_t tt = (time_t)(t + offset);
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(buf, len, "(time out of range)");
        return;
    }
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void clock_format_zone(int64_t t, int offset, char *buf, size_t len)
{
    char local[32];
    clock_format_offset(t, offset, local, sizeof local);
    int a = offset < 0 ? -offset : offset;
    snprintf(buf, len, "%s %c%02d:%02d", local, offset < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

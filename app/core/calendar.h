/* calendar.h - the proleptic Gregorian calendar in whole seconds, without the
 * C library's time zone state: a time t (seconds since 1970-01-01T00:00:00,
 * already shifted by an offset when local time is wanted) split into its
 * date and time of day, and back.  Exact for every int64_t day count that
 * the year 0001-9999 range of the export needs and far beyond. */
#ifndef MINPING_CALENDAR_H
#define MINPING_CALENDAR_H

#include <stdint.h>

typedef struct calendar_time {
    int64_t year;
    int month, day;      /* 1-12, 1-31 */
    int hour, min, sec;  /* 0-23, 0-59, 0-59 */
} calendar_time;

/* Days from 1970-01-01 to year-month-day (negative before it). */
int64_t calendar_days_from_civil(int64_t year, int month, int day);

/* Days in month (1-12) of year: 28-31. */
int calendar_days_in_month(int64_t year, int month);

/* Splits t (seconds since 1970-01-01T00:00:00, any sign) into *out. */
void calendar_split(int64_t t, calendar_time *out);

/* The inverse of calendar_split for a valid date and time of day. */
int64_t calendar_join(const calendar_time *c);

#endif

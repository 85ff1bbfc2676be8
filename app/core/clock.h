/* clock.h - wall-clock and monotonic time. */
#ifndef MINPING_CLOCK_H
#define MINPING_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* The largest UTC offset Minping accepts, either way: the world's time zones
 * span -12:00 to +14:00.  A vote's offset is a whole number of minutes
 * within it. */
#define CLOCK_UTC_OFFSET_MAX (14 * 3600)

/* Seconds since the Unix epoch, UTC. */
int64_t clock_utc_now(void);
/* Milliseconds of a monotonic clock (never jumps with the wall clock). */
int64_t clock_mono_ms(void);
/* The local time zone's offset from UTC at time t, in seconds east of UTC. */
int clock_utc_offset(int64_t t);
/* Writes t as local ISO 8601 "YYYY-MM-DDTHH:MM:SS+HH:MM" into buf. */
void clock_format_local(int64_t t, char *buf, size_t len);
/* Writes t shifted by offset seconds as "YYYY-MM-DD HH:MM:SS". */
void clock_format_offset(int64_t t, int offset, char *buf, size_t len);
/* Same, followed by the offset: "YYYY-MM-DD HH:MM:SS +08:00" (the way times
 * are shown to people: with their zone).  buf needs 32 bytes. */
void clock_format_zone(int64_t t, int offset, char *buf, size_t len);

#endif

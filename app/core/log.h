/* log.h - one timestamped line per event on stderr (journald-friendly).
 *
 * Lines look like "2026-11-27T08:30:00+08:00 minping-kiosk[info]: vote stored".
 * Never pass a PIN or any personal data to these functions.
 */
#ifndef MINPING_LOG_H
#define MINPING_LOG_H

/* Sets the program name printed on each line (default "minping"). */
void log_set_program(const char *name);
/* Silences info lines (errors and warnings still print); for tests. */
void log_set_quiet(int quiet);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

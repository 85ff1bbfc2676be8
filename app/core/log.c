/* log.c - stderr logging, one line per event. */
#include "log.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>

static const char *program = "minping";
static int quiet;

void log_set_program(const char *name) { program = name; }
void log_set_quiet(int q) { quiet = q; }

__attribute__((format(printf, 2, 0)))
static void emit(const char *level, const char *fmt, va_list ap)
{
    char stamp[40];
    char line[1024];
    clock_format_local(clock_utc_now(), stamp, sizeof stamp);
    vsnprintf(line, sizeof line, fmt, ap);
    /* One fprintf call so concurrent writers do not interleave within a line. */
    fprintf(stderr, "%s %s[%s]: %s\n", stamp, program, level, line);
}

void log_info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("info", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warn", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}

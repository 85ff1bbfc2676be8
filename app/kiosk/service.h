/* service.h - the kiosk as a systemd service (Type=notify): READY=1 once the
 * first screen is shown, WATCHDOG=1 from the main loop while the unit has a
 * watchdog (WatchdogSec=), STOPPING=1 on the way out.  Outside systemd
 * (no NOTIFY_SOCKET) every call does nothing.
 */
#ifndef MINPING_SERVICE_H
#define MINPING_SERVICE_H

#include <stdint.h>

typedef struct svc svc;

/* Reads the watchdog settings systemd passed (WATCHDOG_USEC, WATCHDOG_PID).
 * Returns NULL only when out of memory (then the other calls accept NULL
 * and do nothing). */
svc *svc_create(int64_t now_ms);
void svc_destroy(svc *s);

/* Sends READY=1 the first time it is called; later calls do nothing. */
void svc_ready(svc *s);
/* From the main loop: sends WATCHDOG=1 when half the watchdog interval has
 * passed since the last one (or none was sent). */
void svc_tick(svc *s, int64_t now_ms);
/* The longest the loop may sleep at now_ms so the next WATCHDOG=1 is on
 * time: wait_ms itself, or less. */
int svc_wait_ms(const svc *s, int64_t now_ms, int wait_ms);
/* Sends STOPPING=1. */
void svc_stopping(svc *s);
/* The watchdog interval in milliseconds, 0 when off. */
int64_t svc_watchdog_ms(const svc *s);

#endif

/* service.c - sd_notify for the kiosk (service.h). */
#include "service.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

struct svc {
    int64_t watchdog_ms; /* 0: no watchdog */
    int64_t next_ping;   /* monotonic ms of the next WATCHDOG=1 */
    int ready_sent;
    int warned;          /* a failed sd_notify was logged once */
};

static void notify(svc *s, const char *what)
{
    int rc = sd_notify(0, what);
    if (rc < 0 && !s->warned) {
        s->warned = 1;
        log_warn("sd_notify %s failed: %s (further failures not logged)", what, strerror(-rc));
    }
}

svc *svc_create(int64_t now_ms)
{
    svc *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    uint64_t usec = 0;
    int rc = sd_watchdog_enabled(0, &usec);
    if (rc > 0 && usec > 0) {
        s->watchdog_ms = (int64_t)(usec / 1000);
        if (s->watchdog_ms < 2)
            s->watchdog_ms = 2;
        log_info("systemd watchdog: %lld ms, pinged every %lld ms", (long long)s->watchdog_ms,
                 (long long)(s->watchdog_ms / 2));
    } else if (rc < 0) {
        log_warn("systemd watchdog settings unreadable: %s; no watchdog pings", strerror(-rc));
    }
    s->next_ping = now_ms;
    return s;
}

void svc_destroy(svc *s)
{
    free(s);
}

void svc_ready(svc *s)
{
    if (!s || s->ready_sent)
        return;
    s->ready_sent = 1;
    notify(s, "READY=1\nSTATUS=serving");
}

void svc_tick(svc *s, int64_t now_ms)
{
    if (!s || s->watchdog_ms == 0 || now_ms < s->next_ping)
        return;
    notify(s, "WATCHDOG=1");
    s->next_ping = now_ms + s->watchdog_ms / 2;
}

int svc_wait_ms(const svc *s, int64_t now_ms, int wait_ms)
{
    if (!s || s->watchdog_ms == 0)
        return wait_ms;
    int64_t until = s->next_ping - now_ms;
    if (until < 0)
        until = 0;
    return until < wait_ms ? (int)until : wait_ms;
}

void svc_stopping(svc *s)
{
    if (s)
        notify(s, "STOPPING=1");
}

int64_t svc_watchdog_ms(const svc *s)
{
    return s ? s->watchdog_ms : 0;
}

/* health.c - the kiosk's health figures (health.h). */
#include "health.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

/* Local midnight of the day and the first of the month of local time t. */
static void local_starts(int64_t local, int64_t *day, int64_t *month)
{
    time_t t = (time_t)local;
    struct tm tm;
    gmtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    *day = (int64_t)timegm(&tm);
    tm.tm_mday = 1;
    *month = (int64_t)timegm(&tm);
}

int health_read(store *s, const kiosk_config *cfg, int64_t now_utc, int utc_offset,
                health *out, mp_err *err)
{
    memset(out, 0, sizeof *out);
    out->now_utc = now_utc;
    out->free_bytes = -1;
    out->days_left = -1;
    snprintf(out->instance, sizeof out->instance, "%s", store_instance(s));
    int64_t day, month;
    local_starts(now_utc + utc_offset, &day, &month);
    int64_t all[3], created, latest;
    if (store_last_export(s, &out->last_export_utc, &out->since_export, err) < 0 ||
        store_health_counts(s, NULL, day, month, all, err) < 0 ||
        store_votes_since(s, now_utc - HEALTH_RATE_DAYS * 86400LL, &out->recent_votes, err) < 0 ||
        store_time_bounds(s, &created, &latest, err) < 0 ||
        store_size_bytes(s, &out->db_bytes, err) < 0)
        return -1;
    out->today = all[0];
    out->month = all[1];
    out->total = all[2];
    out->units = calloc(cfg->n_units ? cfg->n_units : 1, sizeof *out->units);
    if (!out->units)
        return mp_fail(err, "out of memory");
    out->n_units = cfg->n_units;
    for (size_t i = 0; i < cfg->n_units; i++)
        if (store_health_counts(s, cfg->units[i].code, day, month, out->units[i], err) < 0) {
            health_free(out);
            return -1;
        }
    if (latest > now_utc + 60) {
        out->clock = HEALTH_CLOCK_BACKWARDS;
        out->clock_ref_utc = latest;
    } else if (created > now_utc + 60) {
        out->clock = HEALTH_CLOCK_BEFORE_DB;
        out->clock_ref_utc = created;
    }
    /* Free space where the database is; the days it lasts at the recent
     * rate, each vote costing the database's bytes per vote so far. */
    char *dir = strdup(cfg->db_path);
    struct statvfs vf;
    if (dir && statvfs(dirname(dir), &vf) == 0)
        out->free_bytes = (int64_t)vf.f_bavail * (int64_t)vf.f_frsize;
    free(dir);
    if (out->free_bytes >= 0 && out->recent_votes > 0) {
        int64_t per_vote = out->total > 0 ? out->db_bytes / out->total : 512;
        if (per_vote < 64)
            per_vote = 64;
        double per_day = (double)out->recent_votes / HEALTH_RATE_DAYS * (double)per_vote;
        out->days_left = (int64_t)((double)out->free_bytes / per_day);
    }
    return 0;
}

void health_free(health *h)
{
    free(h->units);
    h->units = NULL;
    h->n_units = 0;
}

void health_log_line(const health *h, const kiosk_config *cfg, const char *version, char *buf,
                     size_t n)
{
    size_t len = 0;
#define PUT(...)                                                                               \
    do {                                                                                       \
        if (len < n) {                                                                         \
            int w_ = snprintf(buf + len, n - len, __VA_ARGS__);                                \
            len = w_ < 0 ? n : len + (size_t)w_;                                               \
        }                                                                                      \
    } while (0)
    PUT("health: version %s; database %.8s, %lld bytes; ", version, h->instance,
        (long long)h->db_bytes);
    if (h->last_export_utc)
        PUT("last export %lld (unix), %lld votes since; ", (long long)h->last_export_utc,
            (long long)h->since_export);
    else
        PUT("never exported, %lld votes; ", (long long)h->since_export);
    if (h->free_bytes >= 0)
        PUT("free %lld MB", (long long)(h->free_bytes / (1024 * 1024)));
    else
        PUT("free space unknown");
    if (h->days_left >= 0)
        PUT(", %lld days at %lld votes/%d days; ", (long long)h->days_left,
            (long long)h->recent_votes, HEALTH_RATE_DAYS);
    else
        PUT(", no votes in %d days; ", HEALTH_RATE_DAYS);
    PUT("clock %s; ", h->clock == HEALTH_CLOCK_OK           ? "ok"
                      : h->clock == HEALTH_CLOCK_BEFORE_DB ? "BEFORE the database was made"
                                                           : "BEHIND the latest vote");
    PUT("votes today/month/total %lld/%lld/%lld", (long long)h->today, (long long)h->month,
        (long long)h->total);
    for (size_t i = 0; i < h->n_units && i < cfg->n_units; i++)
        PUT("; %s %lld/%lld/%lld", cfg->units[i].code, (long long)h->units[i][0],
            (long long)h->units[i][1], (long long)h->units[i][2]);
#undef PUT
    if (n > 0)
        buf[n - 1] = '\0';
}

/* tally.c - the vote tallies (tally.h): the accumulator the writing
 * transactions fill, its writing into the tables, the rebuild, and the
 * window queries. */
#define _GNU_SOURCE /* qsort_r */
#include "tally.h"

#include "calendar.h"
#include "embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tables' count columns, state by state, each in the order 10 8 6 0. */
#define COLS16                                                                                 \
    "c10, c8, c6, c0, f10, f8, f6, f0, x10, x8, x6, x0, xf10, xf8, xf6, xf0"
#define SUMS16                                                                                 \
    "sum(c10), sum(c8), sum(c6), sum(c0), sum(f10), sum(f8), sum(f6), sum(f0), sum(x10), "     \
    "sum(x8), sum(x6), sum(x0), sum(xf10), sum(xf8), sum(xf6), sum(xf0)"
enum { NCOLS = TALLY_STATES * RATING_COUNT };

/* 9999-12-31 23:59:59: SQLite's dates end there, and so do the tallies'. */
#define TALLY_LOCAL_MAX INT64_C(253402300799)

/* The column of points within a state's four: 10 8 6 0. */
static int points_pos(int points)
{
    switch (points) {
    case 10: return 0;
    case 8: return 1;
    case 6: return 2;
    case 0: return 3;
    default: return -1;
    }
}

static int db_fail(sqlite3 *db, mp_err *err)
{
    return mp_fail(err, "office database: %s", sqlite3_errmsg(db));
}

/* ---- the accumulator ---- */

/* One tally row being changed: its key (unit and channel as indexes into
 * the names, a and b as the table needs) and its changes. */
typedef struct entry {
    int64_t a, b;       /* day number, -1 | month number, hour | weekday */
    uint32_t unit, channel;
    int32_t n[NCOLS];   /* by column: one transaction's changes (a file of fewer
                           than 2^31 votes) */
    int32_t used;
} entry;

typedef struct map {
    entry *e;
    size_t cap, len;    /* cap a power of two */
} map;

typedef struct name {
    char *s;
    uint64_t hash;
} name;

/* Day entries kept before they are written out: votes come roughly in time
 * order, so a day's entries are mostly complete when written, and the
 * table stays small enough for the processor's caches.  Months, weekdays
 * and hours, which a file's votes touch again and again, are held for the
 * whole transaction (written once each), unless one of them reaches
 * HELD_MAX entries (a file whose votes span decades). */
enum { FLUSH_AT = 8192, HELD_MAX = 65536 };

struct tally_delta {
    sqlite3 *db;
    name *names;          /* unit codes and channels, interned */
    size_t n_names, cap_names;
    uint32_t *name_slots; /* open addressing over names, index + 1 (0: empty) */
    size_t cap_slots;
    map days;             /* (unit, channel, day, -1) */
    map hours;            /* (unit, channel, month, hour): 不满意 only, columns 0..3 = states */
    map months, weekdays; /* while writing: (unit, channel, month, -1 | weekday) */
    uint32_t last_unit, last_channel; /* the names of the last vote, index + 1 */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* splitmix64's finaliser: every input bit reaches the low bits the table
 * uses. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

static uint64_t hash_key(uint32_t u, uint32_t c, int64_t a, int64_t b)
{
    return mix(mix(mix((uint64_t)u << 32 | c) ^ (uint64_t)a) ^ (uint64_t)b);
}

tally_delta *tally_delta_create(sqlite3 *db)
{
    tally_delta *d = calloc(1, sizeof(tally_delta));
    if (d)
        d->db = db;
    return d;
}

static void map_free(map *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

/* Empties m, keeping its memory. */
static void map_clear(map *m)
{
    if (m->e)
        memset(m->e, 0, m->cap * sizeof *m->e);
    m->len = 0;
}

void tally_delta_destroy(tally_delta *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_names; i++)
        free(d->names[i].s);
    free(d->names);
    free(d->name_slots);
    map_free(&d->days);
    map_free(&d->hours);
    map_free(&d->months);
    map_free(&d->weekdays);
    free(d);
}

/* The index of s among the names, added if new; -1 when out of memory. */
static int64_t intern(tally_delta *d, const char *s)
{
    uint64_t h = hash_str(s);
    if (d->cap_slots) {
        for (size_t i = h & (d->cap_slots - 1);; i = (i + 1) & (d->cap_slots - 1)) {
            uint32_t k = d->name_slots[i];
            if (!k)
                break;
            if (d->names[k - 1].hash == h && strcmp(d->names[k - 1].s, s) == 0)
                return k - 1;
        }
    }
    if (d->n_names == d->cap_names) {
        size_t cap = d->cap_names ? 2 * d->cap_names : 64;
        name *more = realloc(d->names, cap * sizeof *more);
        if (!more)
            return -1;
        d->names = more;
        d->cap_names = cap;
    }
    if (2 * (d->n_names + 1) > d->cap_slots) {
        size_t cap = d->cap_slots ? 2 * d->cap_slots : 256;
        uint32_t *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t k = 0; k < d->n_names; k++) {
            size_t i = d->names[k].hash & (cap - 1);
            while (slots[i])
                i = (i + 1) & (cap - 1);
            slots[i] = (uint32_t)k + 1;
        }
        free(d->name_slots);
        d->name_slots = slots;
        d->cap_slots = cap;
    }
    char *copy = strdup(s);
    if (!copy)
        return -1;
    d->names[d->n_names] = (name){copy, h};
    size_t i = h & (d->cap_slots - 1);
    while (d->name_slots[i])
        i = (i + 1) & (d->cap_slots - 1);
    d->name_slots[i] = (uint32_t)d->n_names + 1;
    return (int64_t)d->n_names++;
}

/* The entry of a key, made if new; NULL when out of memory. */
static entry *map_get(map *m, uint32_t u, uint32_t c, int64_t a, int64_t b)
{
    /* At most three quarters full.  The table is the import's largest
     * allocation besides SQLite's: kept small, its pages are touched once. */
    if (4 * (m->len + 1) > 3 * m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        entry *e = calloc(cap, sizeof *e);
        if (!e)
            return NULL;
        for (size_t k = 0; k < m->cap; k++) {
            if (!m->e[k].used)
                continue;
            const entry *o = &m->e[k];
            size_t i = hash_key(o->unit, o->channel, o->a, o->b) & (cap - 1);
            while (e[i].used)
                i = (i + 1) & (cap - 1);
            e[i] = *o;
        }
        free(m->e);
        m->e = e;
        m->cap = cap;
    }
    size_t i = hash_key(u, c, a, b) & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        entry *e = &m->e[i];
        if (!e->used) {
            *e = (entry){.unit = u, .channel = c, .a = a, .b = b, .used = 1};
            m->len++;
            return e;
        }
        if (e->unit == u && e->channel == c && e->a == a && e->b == b)
            return e;
    }
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int write_days(tally_delta *d, sqlite3 *db, mp_err *err);

int tally_delta_vote(tally_delta *d, const char *unit_code, const char *channel,
                     int64_t cast_utc, int utc_offset, int points, int state, int sign,
                     mp_err *err)
{
    int pos = points_pos(points);
    if (pos < 0 || state < 0 || state >= TALLY_STATES)
        return mp_fail(err, "vote tally: %d is not a rating's points", points);
    /* Consecutive votes mostly share their unit and channel. */
    uint32_t u, c;
    if (d->last_unit && strcmp(d->names[d->last_unit - 1].s, unit_code) == 0) {
        u = d->last_unit - 1;
    } else {
        int64_t k = intern(d, unit_code);
        if (k < 0)
            return mp_fail(err, "out of memory");
        u = (uint32_t)k;
        d->last_unit = u + 1;
    }
    if (d->last_channel && strcmp(d->names[d->last_channel - 1].s, channel) == 0) {
        c = d->last_channel - 1;
    } else {
        int64_t k = intern(d, channel);
        if (k < 0)
            return mp_fail(err, "out of memory");
        c = (uint32_t)k;
        d->last_channel = c + 1;
    }
    int64_t local = cast_utc + utc_offset;
    if (local > TALLY_LOCAL_MAX)
        local = TALLY_LOCAL_MAX; /* as the migration counts it */
    int64_t day = floor_div(local, 86400);
    entry *e = map_get(&d->days, u, c, day, -1);
    if (!e)
        return mp_fail(err, "out of memory");
    e->n[state * RATING_COUNT + pos] += sign;
    if (points == 0) {
        calendar_time t;
        calendar_split(local, &t);
        entry *h = map_get(&d->hours, u, c, t.year * 12 + t.month - 1, t.hour);
        if (!h)
            return mp_fail(err, "out of memory");
        h->n[state] += sign;
    }
    if (d->hours.len >= HELD_MAX || d->months.len >= HELD_MAX || d->weekdays.len >= HELD_MAX)
        return tally_delta_apply(d, d->db, err);
    if (d->days.len >= FLUSH_AT)
        return write_days(d, d->db, err);
    return 0;
}

/* "YYYY-MM" of year y and month mo (1-12), then "-DD" when day > 0: by
 * hand for years 0-9999 (every key written goes through here). */
static void date_text(int64_t y, int mo, int day, char buf[32])
{
    if (y < 0 || y > 9999) {
        if (day > 0)
            snprintf(buf, 32, "%04lld-%02d-%02d", (long long)y, mo, day);
        else
            snprintf(buf, 32, "%04lld-%02d", (long long)y, mo);
        return;
    }
    int yy = (int)y;
    char *p = buf;
    *p++ = (char)('0' + yy / 1000);
    *p++ = (char)('0' + yy / 100 % 10);
    *p++ = (char)('0' + yy / 10 % 10);
    *p++ = (char)('0' + yy % 10);
    *p++ = '-';
    *p++ = (char)('0' + mo / 10);
    *p++ = (char)('0' + mo % 10);
    if (day > 0) {
        *p++ = '-';
        *p++ = (char)('0' + day / 10);
        *p++ = (char)('0' + day % 10);
    }
    *p = '\0';
}

/* "YYYY-MM-DD" of day number z, "YYYY-MM" of month number m. */
static void day_text(int64_t z, char buf[32])
{
    calendar_time t;
    calendar_split(z * 86400, &t);
    date_text(t.year, t.month, t.day, buf);
}

static void month_text(int64_t m, char buf[32])
{
    date_text(floor_div(m, 12), (int)(m - floor_div(m, 12) * 12) + 1, 0, buf);
}

/* Monday 0 .. Sunday 6 of day number z (1970-01-01 was a Thursday). */
static int weekday_of(int64_t z)
{
    return (int)(z + 3 - floor_div(z + 3, 7) * 7);
}

static int any(const int32_t *n, int k)
{
    for (int i = 0; i < k; i++)
        if (n[i])
            return 1;
    return 0;
}

/* Runs the upsert sql for each entry of m with changes: parameters 1-3 the
 * key's text (made by key), unit code and channel, then the entry's b when
 * key_b_int, then its first k counts. */
/* An entry with its names, for sorting into the table's key order: the
 * rows then go into the B-tree in order, not at random. */
typedef struct sorted {
    const entry *e;
    uint32_t unit, channel; /* the names' places in byte order */
    int unit_first; /* the table's key starts with the unit code (vote_months) */
} sorted;

static int cmp_i64(int64_t x, int64_t y)
{
    return x < y ? -1 : x > y;
}

static int by_key(const void *pa, const void *pb)
{
    const sorted *x = pa, *y = pb;
    int c;
    if (x->unit_first) {
        if ((c = cmp_i64(x->unit, y->unit)) != 0 || (c = cmp_i64(x->e->a, y->e->a)) != 0)
            return c;
    } else {
        if ((c = cmp_i64(x->e->a, y->e->a)) != 0 || (c = cmp_i64(x->unit, y->unit)) != 0)
            return c;
    }
    if ((c = cmp_i64(x->channel, y->channel)) != 0)
        return c;
    return cmp_i64(x->e->b, y->e->b);
}

/* The names' places in byte order (SQLite's BINARY collation), by index. */
static int by_name(const void *pa, const void *pb, void *names)
{
    const name *n = names;
    return strcmp(n[*(const uint32_t *)pa].s, n[*(const uint32_t *)pb].s);
}

static uint32_t *name_ranks(const tally_delta *d)
{
    uint32_t *order = malloc((d->n_names ? d->n_names : 1) * sizeof *order);
    uint32_t *rank = malloc((d->n_names ? d->n_names : 1) * sizeof *rank);
    if (!order || !rank) {
        free(order);
        free(rank);
        return NULL;
    }
    for (size_t i = 0; i < d->n_names; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, d->n_names, sizeof *order, by_name, d->names);
    for (size_t i = 0; i < d->n_names; i++)
        rank[order[i]] = (uint32_t)i;
    free(order);
    return rank;
}

static int upsert_all(tally_delta *d, sqlite3 *db, const map *m, const char *sql, int k,
                      int key_b_int, int unit_first, void (*key)(const entry *, char[32]),
                      mp_err *err)
{
    sorted *rows = malloc((m->len ? m->len : 1) * sizeof *rows);
    uint32_t *rank = name_ranks(d);
    if (!rows || !rank) {
        free(rows);
        free(rank);
        return mp_fail(err, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++) {
        const entry *e = &m->e[i];
        if (e->used && any(e->n, k))
            rows[n++] = (sorted){e, rank[e->unit], rank[e->channel], unit_first};
    }
    free(rank);
    qsort(rows, n, sizeof *rows, by_key);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(rows);
        return db_fail(db, err);
    }
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
        const entry *e = rows[i].e;
        char a[32];
        key(e, a);
        sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, d->names[e->unit].s, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d->names[e->channel].s, -1, SQLITE_STATIC);
        int p = 4;
        if (key_b_int)
            sqlite3_bind_int64(st, p++, e->b);
        for (int j = 0; j < k; j++)
            sqlite3_bind_int64(st, p + j, e->n[j]);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(rows);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

static void key_day(const entry *e, char buf[32]) { day_text(e->a, buf); }
static void key_month(const entry *e, char buf[32]) { month_text(e->a, buf); }

#define UPSERT16(table, key, conflict)                                                         \
    "INSERT INTO " table "(" key ", unit_code, channel, " COLS16 ") VALUES (?1, ?2, ?3, ?4, "  \
    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT(" conflict \
    ") DO UPDATE SET c10 = c10 + excluded.c10, c8 = c8 + excluded.c8, c6 = c6 + excluded.c6, " \
    "c0 = c0 + excluded.c0, f10 = f10 + excluded.f10, f8 = f8 + excluded.f8, "                 \
    "f6 = f6 + excluded.f6, f0 = f0 + excluded.f0, x10 = x10 + excluded.x10, "                 \
    "x8 = x8 + excluded.x8, x6 = x6 + excluded.x6, x0 = x0 + excluded.x0, "                    \
    "xf10 = xf10 + excluded.xf10, xf8 = xf8 + excluded.xf8, xf6 = xf6 + excluded.xf6, "        \
    "xf0 = xf0 + excluded.xf0"
#define UPSERT4(table, col)                                                                    \
    "INSERT INTO " table "(month, unit_code, channel, " col ", c, f, x, xf) VALUES (?1, ?2, "   \
    "?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(month, unit_code, channel, " col ") DO UPDATE SET "   \
    "c = c + excluded.c, f = f + excluded.f, x = x + excluded.x, xf = xf + excluded.xf"

/* Writes out the days, adding them to the months and weekdays held. */
static int write_days(tally_delta *d, sqlite3 *db, mp_err *err)
{
    /* Months and weekdays are sums of days. */
    map *months = &d->months, *weekdays = &d->weekdays;
    int rc = 0;
    for (size_t i = 0; i < d->days.cap && rc == 0; i++) {
        const entry *e = &d->days.e[i];
        if (!e->used)
            continue;
        calendar_time t;
        calendar_split(e->a * 86400, &t);
        int64_t month = t.year * 12 + t.month - 1;
        entry *m = map_get(months, e->unit, e->channel, month, -1);
        if (!m) {
            rc = mp_fail(err, "out of memory");
            break;
        }
        for (int j = 0; j < NCOLS; j++)
            m->n[j] += e->n[j];
        int32_t dis[TALLY_STATES];
        for (int s = 0; s < TALLY_STATES; s++)
            dis[s] = e->n[s * RATING_COUNT + 3]; /* 不满意, 0 points */
        if (any(dis, TALLY_STATES)) {
            entry *w = map_get(weekdays, e->unit, e->channel, month, weekday_of(e->a) + 1);
            if (!w) {
                rc = mp_fail(err, "out of memory");
                break;
            }
            for (int s = 0; s < TALLY_STATES; s++)
                w->n[s] += dis[s];
        }
    }
    if (rc == 0)
        rc = upsert_all(d, db, &d->days, UPSERT16("vote_days", "day", "day, unit_code, channel"),
                        NCOLS, 0, 0, key_day, err);
    /* Folded into the months and weekdays: never written twice, even when
     * this failed (the transaction is then rolled back). */
    map_clear(&d->days);
    return rc;
}

int tally_delta_apply(tally_delta *d, sqlite3 *db, mp_err *err)
{
    int rc = write_days(d, db, err);
    if (rc == 0)
        rc = upsert_all(d, db, &d->months,
                        UPSERT16("vote_months", "month", "unit_code, month, channel"), NCOLS, 0,
                        1, key_month, err);
    if (rc == 0)
        rc = upsert_all(d, db, &d->weekdays, UPSERT4("dissatisfied_weekdays", "weekday"),
                        TALLY_STATES, 1, 0, key_month, err);
    if (rc == 0)
        rc = upsert_all(d, db, &d->hours, UPSERT4("dissatisfied_hours", "hour"), TALLY_STATES,
                        1, 0, key_month, err);
    map_clear(&d->months);
    map_clear(&d->weekdays);
    map_clear(&d->hours);
    return rc;
}

/* ---- rebuild ---- */

static const char FILL_MARK[] = "-- ---- fill ----";

int tally_rebuild(sqlite3 *db, mp_err *err)
{
    const char *fill = NULL;
    for (const struct embed_file *m = office_migrations; m->name && !fill; m++)
        if (strstr(m->name, "-tallies.sql"))
            fill = strstr(m->text, FILL_MARK);
    if (!fill)
        return mp_fail(err, "the tallies' migration is missing from this program");
    if (sqlite3_exec(db, "SAVEPOINT tally_rebuild", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, err);
    char *msg = NULL;
    if (sqlite3_exec(db,
                     "DELETE FROM vote_days; DELETE FROM vote_months; "
                     "DELETE FROM dissatisfied_hours; DELETE FROM dissatisfied_weekdays; "
                     "DELETE FROM vote_instances; DELETE FROM vote_clock_suspects;",
                     NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, fill, NULL, NULL, &msg) != SQLITE_OK) {
        mp_fail(err, "office database: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_exec(db, "ROLLBACK TO tally_rebuild; RELEASE tally_rebuild", NULL, NULL, NULL);
        return -1;
    }
    if (sqlite3_exec(db, "RELEASE tally_rebuild", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, err);
    return 0;
}

/* ---- windows ---- */

/* A window split into whole months (month_lo .. month_hi, possibly none)
 * and at most two runs of days (NULL bounds: none). */
typedef struct split {
    char month_lo[32], month_hi[32];
    char d1a[32], d1b[32], d2a[32], d2b[32];
    int has1, has2;
} split;

static void split_window(const char *from, const char *to, split *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->month_lo, sizeof s->month_lo, "0000-00");
    snprintf(s->month_hi, sizeof s->month_hi, "9999-99");
    int fy = 0, fm = 0, fd = 0, ty = 0, tm = 0, td = 0;
    if (from) {
        sscanf(from, "%d-%d-%d", &fy, &fm, &fd);
        if (fd == 1) {
            snprintf(s->month_lo, sizeof s->month_lo, "%04d-%02d", fy, fm);
        } else {
            int ny = fm == 12 ? fy + 1 : fy, nm = fm == 12 ? 1 : fm + 1;
            snprintf(s->month_lo, sizeof s->month_lo, "%04d-%02d", ny, nm);
            s->has1 = 1;
            snprintf(s->d1a, sizeof s->d1a, "%s", from);
            snprintf(s->d1b, sizeof s->d1b, "%04d-%02d-%02d", fy, fm,
                     calendar_days_in_month(fy, fm));
            if (to && strcmp(to, s->d1b) < 0)
                snprintf(s->d1b, sizeof s->d1b, "%s", to);
        }
    }
    if (to) {
        sscanf(to, "%d-%d-%d", &ty, &tm, &td);
        if (td == calendar_days_in_month(ty, tm)) {
            snprintf(s->month_hi, sizeof s->month_hi, "%04d-%02d", ty, tm);
        } else {
            int py = tm == 1 ? ty - 1 : ty, pm = tm == 1 ? 12 : tm - 1;
            snprintf(s->month_hi, sizeof s->month_hi, "%04d-%02d", py, pm);
            /* The month of `to` was covered already when `from` lies in it. */
            if (!(s->has1 && fy == ty && fm == tm)) {
                s->has2 = 1;
                snprintf(s->d2a, sizeof s->d2a, "%04d-%02d-01", ty, tm);
                if (from && strcmp(from, s->d2a) > 0)
                    snprintf(s->d2a, sizeof s->d2a, "%s", from);
                snprintf(s->d2b, sizeof s->d2b, "%s", to);
            }
        }
    }
}

/* Binds the split at 1..6: month_lo, month_hi, d1a, d1b, d2a, d2b. */
static void bind_split(sqlite3_stmt *st, const split *s)
{
    sqlite3_bind_text(st, 1, s->month_lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->month_hi, -1, SQLITE_STATIC);
    if (s->has1) {
        sqlite3_bind_text(st, 3, s->d1a, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, s->d1b, -1, SQLITE_STATIC);
    }
    if (s->has2) {
        sqlite3_bind_text(st, 5, s->d2a, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, s->d2b, -1, SQLITE_STATIC);
    }
}

/* Columns first .. first+15 (by COLS16) into t. */
static void read_counts(sqlite3_stmt *st, int first, tally_counts *t)
{
    for (int s = 0; s < TALLY_STATES; s++)
        for (int i = 0; i < RATING_COUNT; i++)
            t->n[s][i] = sqlite3_column_int64(st, first + s * RATING_COUNT +
                                                      points_pos(RATINGS[i].points));
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

#define CHAN_UNIT " AND (?7 IS NULL OR channel = ?7) AND (?8 IS NULL OR unit_code = ?8)"

/* Runs one of the grouped queries below on the window s and passes each row
 * (two texts, then the sixteen counts) to fn.  ?7 is the channel, ?8 the
 * unit (NULL: all). */
static int each_grouped(sqlite3 *db, const char *sql, const split *s, const char *channel,
                        const char *unit,
                        int (*fn)(void *user, const char *, const char *, const tally_counts *),
                        void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err);
    bind_split(st, s);
    if (channel)
        sqlite3_bind_text(st, 7, channel, -1, SQLITE_STATIC);
    if (unit)
        sqlite3_bind_text(st, 8, unit, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tally_counts t;
        read_counts(st, 2, &t);
        if (fn(user, col_text(st, 0), col_text(st, 1), &t) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped while counting votes");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

int tally_each_unit(sqlite3 *db, const char *from, const char *to, const char *channel,
                    const char *unit, tally_unit_fn fn, void *user, mp_err *err)
{
    split s;
    split_window(from, to, &s);
    return each_grouped(db,
                        "SELECT unit_code, channel, " SUMS16 " FROM ("
                        " SELECT unit_code, channel, " COLS16 " FROM vote_months"
                        "  WHERE month BETWEEN ?1 AND ?2" CHAN_UNIT
                        " UNION ALL SELECT unit_code, channel, " COLS16 " FROM vote_days"
                        "  WHERE day BETWEEN ?3 AND ?4" CHAN_UNIT
                        " UNION ALL SELECT unit_code, channel, " COLS16 " FROM vote_days"
                        "  WHERE day BETWEEN ?5 AND ?6" CHAN_UNIT
                        ") GROUP BY unit_code, channel ORDER BY unit_code, channel",
                        &s, channel, unit, fn, user, err);
}

#define CHAN " AND (?7 IS NULL OR channel = ?7)"

int tally_each_month(sqlite3 *db, const char *from, const char *to, const char *channel,
                     tally_month_fn fn, void *user, mp_err *err)
{
    split s;
    split_window(from, to, &s);
    return each_grouped(db,
                        "SELECT unit_code, m, " SUMS16 " FROM ("
                        " SELECT unit_code, month AS m, " COLS16 " FROM vote_months"
                        "  WHERE month BETWEEN ?1 AND ?2" CHAN
                        " UNION ALL SELECT unit_code, substr(day, 1, 7), " COLS16 " FROM vote_days"
                        "  WHERE day BETWEEN ?3 AND ?4" CHAN
                        " UNION ALL SELECT unit_code, substr(day, 1, 7), " COLS16 " FROM vote_days"
                        "  WHERE day BETWEEN ?5 AND ?6" CHAN
                        ") GROUP BY unit_code, m ORDER BY unit_code, m",
                        &s, channel, NULL, fn, user, err);
}

/* ---- the spread of 不满意 ---- */

typedef struct spread_row {
    char *code;
    tally_spread s;
} spread_row;

typedef struct spreads {
    spread_row *rows;
    size_t n, cap;
    size_t last;
} spreads;

static tally_spread *spread_of(spreads *sp, const char *code)
{
    if (sp->last < sp->n && strcmp(sp->rows[sp->last].code, code) == 0)
        return &sp->rows[sp->last].s;
    for (size_t i = 0; i < sp->n; i++)
        if (strcmp(sp->rows[i].code, code) == 0) {
            sp->last = i;
            return &sp->rows[i].s;
        }
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 32;
        spread_row *more = realloc(sp->rows, cap * sizeof *more);
        if (!more)
            return NULL;
        sp->rows = more;
        sp->cap = cap;
    }
    spread_row *r = &sp->rows[sp->n];
    memset(r, 0, sizeof *r);
    if (!(r->code = strdup(code)))
        return NULL;
    sp->last = sp->n++;
    return &r->s;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const spread_row *)a)->code, ((const spread_row *)b)->code);
}

/* The 不满意 votes of the days a .. b, one by one (the index (unit_code,
 * cast_utc) narrows them to the days, widened by the largest offset). */
static int raw_hours(sqlite3 *db, spreads *sp, const char *a, const char *b,
                     const char *channel, mp_err *err)
{
    sqlite3_stmt *units, *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT unit_code FROM vote_days WHERE day BETWEEN ?1 AND ?2"
                           " AND c0 + f0 + x0 + xf0 > 0 AND (?3 IS NULL OR channel = ?3)",
                           -1, &units, NULL) != SQLITE_OK)
        return db_fail(db, err);
    if (sqlite3_prepare_v2(db,
                           "SELECT v.cast_utc + v.utc_offset, v.flagged, e.seq IS NOT NULL"
                           " FROM votes v LEFT JOIN vote_excluded e ON e.kiosk_id = v.kiosk_id"
                           " AND e.instance = v.instance AND e.seq = v.seq"
                           " WHERE v.unit_code = ?1 AND v.cast_utc >= unixepoch(?2) - 86400"
                           " AND v.cast_utc < unixepoch(?3) + 2 * 86400 AND v.points = 0"
                           " AND date(v.cast_utc + v.utc_offset, 'unixepoch') BETWEEN ?2 AND ?3"
                           " AND (?4 IS NULL OR v.channel = ?4)",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(units);
        return db_fail(db, err);
    }
    sqlite3_bind_text(units, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(units, 2, b, -1, SQLITE_STATIC);
    if (channel)
        sqlite3_bind_text(units, 3, channel, -1, SQLITE_STATIC);
    int rc, oom = 0;
    while ((rc = sqlite3_step(units)) == SQLITE_ROW && !oom) {
        const char *code = col_text(units, 0);
        tally_spread *s = spread_of(sp, code);
        if (!s) {
            oom = 1;
            break;
        }
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
        if (channel)
            sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t local = sqlite3_column_int64(st, 0);
            int hour = (int)((local - floor_div(local, 86400) * 86400) / 3600);
            s->hour[hour][tally_state_of(sqlite3_column_int(st, 1), sqlite3_column_int(st, 2))]++;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            break;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(units);
    if (oom)
        return mp_fail(err, "out of memory");
    return rc == SQLITE_DONE ? 0 : db_fail(db, err);
}

int tally_each_spread(sqlite3 *db, const char *from, const char *to, const char *channel,
                      tally_spread_fn fn, void *user, mp_err *err)
{
    split s;
    split_window(from, to, &s);
    spreads sp = {0};
    int rc = 0;
    sqlite3_stmt *st = NULL;
    /* Whole months: the hour and weekday tables, read in their key order
     * (month, unit: consecutive rows mostly share their unit); the units
     * are sorted at the end. */
    static const char *const whole[2] = {
        "SELECT unit_code, hour, c, f, x, xf FROM dissatisfied_hours"
        " WHERE month BETWEEN ?1 AND ?2" CHAN,
        "SELECT unit_code, weekday - 1, c, f, x, xf FROM dissatisfied_weekdays"
        " WHERE month BETWEEN ?1 AND ?2" CHAN,
    };
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (sqlite3_prepare_v2(db, whole[k], -1, &st, NULL) != SQLITE_OK) {
            rc = db_fail(db, err);
            break;
        }
        bind_split(st, &s);
        if (channel)
            sqlite3_bind_text(st, 7, channel, -1, SQLITE_STATIC);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            tally_spread *t = spread_of(&sp, col_text(st, 0));
            int i = sqlite3_column_int(st, 1);
            if (!t) {
                rc = mp_fail(err, "out of memory");
                break;
            }
            if (i < 0 || i >= (k == 0 ? 24 : 7))
                continue; /* the tables' CHECKs allow no other */
            int64_t *cell = k == 0 ? t->hour[i] : t->weekday[i];
            for (int j = 0; j < TALLY_STATES; j++)
                cell[j] += sqlite3_column_int64(st, 2 + j);
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = db_fail(db, err);
        sqlite3_finalize(st);
    }
    /* The days of months the window covers in part: weekdays from the day
     * table, hours from the votes themselves. */
    const char *runs[2][2] = {{s.has1 ? s.d1a : NULL, s.d1b}, {s.has2 ? s.d2a : NULL, s.d2b}};
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (!runs[k][0])
            continue;
        if (sqlite3_prepare_v2(db,
                               "SELECT unit_code, day, c0, f0, x0, xf0 FROM vote_days"
                               " WHERE day BETWEEN ?1 AND ?2 AND c0 + f0 + x0 + xf0 > 0"
                               " AND (?3 IS NULL OR channel = ?3)",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = db_fail(db, err);
            break;
        }
        sqlite3_bind_text(st, 1, runs[k][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, runs[k][1], -1, SQLITE_STATIC);
        if (channel)
            sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            tally_spread *t = spread_of(&sp, col_text(st, 0));
            if (!t) {
                rc = mp_fail(err, "out of memory");
                break;
            }
            int y = 0, m = 0, d = 0;
            sscanf(col_text(st, 1), "%d-%d-%d", &y, &m, &d);
            int w = weekday_of(calendar_days_from_civil(y, m, d));
            for (int j = 0; j < TALLY_STATES; j++)
                t->weekday[w][j] += sqlite3_column_int64(st, 2 + j);
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = db_fail(db, err);
        sqlite3_finalize(st);
        if (rc == 0)
            rc = raw_hours(db, &sp, runs[k][0], runs[k][1], channel, err);
    }
    if (rc == 0 && sp.n > 1)
        qsort(sp.rows, sp.n, sizeof *sp.rows, by_code);
    for (size_t i = 0; i < sp.n && rc == 0; i++)
        if (fn(user, sp.rows[i].code, &sp.rows[i].s) != 0)
            rc = mp_fail(err, "stopped while counting votes");
    for (size_t i = 0; i < sp.n; i++)
        free(sp.rows[i].code);
    free(sp.rows);
    return rc;
}

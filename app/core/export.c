/* export.c - the signed vote export (format: export.h).
 *
 * Writing (kiosk): every vote is formatted, through a buffer of a fixed
 * size, straight into a hidden temporary file in the target folder; the
 * file is then mapped read-only (Ed25519 signs the whole message at once),
 * signed, its signature written into the place left for it, read back with
 * export_read as a self-check, synced, and only then given its final name,
 * without replacing anything.  Memory stays the same however many votes
 * there are.
 *
 * Reading (office): the bytes are checked in three stages, and the rows are
 * interpreted only after the signature has been verified:
 *   1. framing: where the signature line is, that nothing follows it, and
 *      that every line before it is clean text ending in CRLF;
 *   2. the signature line's fields, the kiosk's key, the signature;
 *   3. the header and every row (libcsv, strict), each field checked, and
 *      the rows held against the signature line.
 * Every rejection is one sentence, naming the line where there is one.
 */
#define _GNU_SOURCE /* memmem */
#include "export.h"
#include "calendar.h"
#include "config.h"
#include "fsutil.h"
#include "hexid.h"
#include "i18n.h"
#include "clock.h"
#include "rating.h"
#include "sign.h"
#include "store.h"
#include "followup.h"
#include "utf8.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOM "\xEF\xBB\xBF"
#define HEADER "终端编号,数据库实例,序号,唯一编号,投票时间(UTC),当地时间,时区,单位代码,单位名称,评价,分值,渠道,疑似刷票"
#define SIG_TAG "#签名"
#define SIG_PREFIX SIG_TAG ","
#define CHANNEL "kiosk"
#define CHANNEL_ONLINE "online"
/* Format 2 (export_write_v2): the vote lines, then this header and one line
 * per follow-up (followup.h), then the signature line. */
#define FU_HEADER "终端编号,数据库实例,跟进序号,唯一编号,填写时间(UTC),当地时间,时区,单位代码,所评投票,分值,原因,意见,渠道"

enum {
    N_FIELDS = 13,       /* columns of a vote line */
    N_SIG_FIELDS = 10,   /* fields of the signature line */
    FIELD_MAX = 255,     /* longest field we accept, in bytes */
    FU_COMMENT_FIELD = 11, /* a follow-up line's comment, which may be longer: */
    FU_COMMENT_MAX = FOLLOWUP_COMMENT_BYTES - 1,
    SIG_B64_CHARS = 88,  /* standard base64 of a 64-byte signature */
        UTC_CHARS = 20,      /* 2026-11-27T08:30:05Z */
    LOCAL_CHARS = 19,    /* 2026-11-27 16:30:05 */
    OFFSET_CHARS = 6,    /* +08:00 */
    /* The longest vote line there can be: every field FIELD_MAX bytes of
     * double quotes, quoted.  A longer line is refused before libcsv sees
     * it: libcsv grows a field's buffer 128 bytes at a time, which is
     * quadratic in the field's length wherever realloc has to copy. */
    LINE_MAX_BYTES = N_FIELDS * (2 * FIELD_MAX + 3),
};
_Static_assert(SIG_B64_CHARS + 1 == sodium_base64_ENCODED_LEN(SIGN_BYTES,
                                                              sodium_base64_VARIANT_ORIGINAL),
               "the signature's base64 has a fixed length");

/* ---- Time: proleptic Gregorian calendar (calendar.h), years 0001-9999 ---- */

/* The range of times an export can carry (both as UTC and local time). */
static const int64_t T_MIN = -62135596800;  /* 0001-01-01T00:00:00Z */
static const int64_t T_MAX = 253402300799;  /* 9999-12-31T23:59:59Z */

/* Value of n decimal digits at s, or -1 if any is not a digit. */
static int64_t digits(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Parses the time fmt_time writes; returns 0 and *t, or -1. */
static int parse_time(const char *s, size_t n, char sep, int zulu, int64_t *t)
{
    if (n != (size_t)(zulu ? UTC_CHARS : LOCAL_CHARS) || s[4] != '-' || s[7] != '-' ||
        s[10] != sep || s[13] != ':' || s[16] != ':' || (zulu && s[19] != 'Z'))
        return -1;
    calendar_time c = {.year = digits(s, 4)};
    int64_t mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
            mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (c.year < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 59)
        return -1;
    c.month = (int)mo;
    if (d > calendar_days_in_month(c.year, c.month))
        return -1;
    c.day = (int)d;
    c.hour = (int)h;
    c.min = (int)mi;
    c.sec = (int)se;
    *t = calendar_join(&c);
    return 0;
}

/* Parses "+08:00" (zero is "+00:00"); returns 0 and *offset, or -1. */
static int parse_offset(const char *s, size_t n, int *offset)
{
    if (n != OFFSET_CHARS || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return -1;
    int64_t h = digits(s + 1, 2), m = digits(s + 4, 2);
    if (h < 0 || m < 0 || m > 59)
        return -1;
    int64_t v = h * 3600 + m * 60;
    if (v > CLOCK_UTC_OFFSET_MAX || (v == 0 && s[0] == '-'))
        return -1;
    *offset = (int)(s[0] == '-' ? -v : v);
    return 0;
}

/* Parses a canonical non-negative decimal (no sign, no leading zero). */
static int parse_count(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18 || (n > 1 && s[0] == '0'))
        return -1;
    int64_t v = digits(s, n);
    if (v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Copies at most 40 bytes of untrusted text into out for a message: valid
 * UTF-8 without control characters is kept, any other byte becomes '?', and
 * "..." marks a cut. */
static const char *shown(const char *s, size_t n, char out[48])
{
    size_t k = 0, i = 0;
    while (i < n) {
        uint32_t cp;
        size_t m = utf8_decode(s + i, n - i, &cp);
        if (m == 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
            m = 0;
        if (k + (m ? m : 1) > 40)
            break;
        if (m) {
            memcpy(out + k, s + i, m);
            k += m;
            i += m;
        } else {
            out[k++] = '?';
            i++;
        }
    }
    if (i < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

/* ---- Writing ---- */

/* The file is written through a buffer of EXPORT_WBUF bytes straight into
 * the hidden temporary file, so a million votes need no more memory than a
 * dozen.  `err` keeps the errno of the first write that failed; every later
 * put does nothing. */
enum { EXPORT_WBUF = 256 << 10 };

typedef struct wbuf {
    int fd;
    char *p;        /* EXPORT_WBUF bytes */
    size_t len;     /* bytes waiting in p */
    uint64_t total; /* bytes put so far, written or waiting */
    int err;
} wbuf;

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len > (1 << 20) ? (1 << 20) : len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void wflush(wbuf *b)
{
    if (!b->err && b->len > 0 && write_all(b->fd, b->p, b->len) < 0)
        b->err = errno ? errno : EIO;
    b->len = 0;
}

static void put(wbuf *b, const void *data, size_t n)
{
    if (b->err)
        return;
    b->total += n;
    if (b->len + n > EXPORT_WBUF) {
        wflush(b);
        if (n > EXPORT_WBUF) {
            if (!b->err && write_all(b->fd, data, n) < 0)
                b->err = errno ? errno : EIO;
            return;
        }
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_str(wbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Room for n (at most EXPORT_WBUF) bytes at the end of the buffer, to be taken with
 * took(); NULL once a write failed. */
static char *room(wbuf *b, size_t n)
{
    if (b->len + n > EXPORT_WBUF)
        wflush(b);
    return b->err ? NULL : b->p + b->len;
}

static void took(wbuf *b, size_t n)
{
    b->len += n;
    b->total += n;
}

/* Writes one field, quoted (RFC 4180) only when it holds a comma, a double
 * quote, CR or LF; then the separator `end` ("," or "\r\n"). */
static void put_field(wbuf *b, const char *s, const char *end)
{
    if (strpbrk(s, ",\"\r\n")) {
        put(b, "\"", 1);
        for (const char *q; (q = strchr(s, '"')); s = q + 1) {
            put(b, s, (size_t)(q - s + 1));
            put(b, "\"", 1);
        }
        put_str(b, s);
        put(b, "\"", 1);
    } else {
        put_str(b, s);
    }
    put_str(b, end);
}

/* The fields the kiosk formats itself never need quotes; they are written
 * straight into the buffer, without snprintf. */

/* "%" PRId64 */
static size_t fmt_int(char *p, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t k = 0;
    if (v < 0)
        p[k++] = '-';
    while (n)
        p[k++] = tmp[--n];
    return k;
}

static char *two(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* "2026-11-27T08:30:05Z" (sep 'T', zulu 1) or "2026-11-27 16:30:05", for t
 * within T_MIN..T_MAX (a four-digit year); returns the characters written
 * (UTC_CHARS or LOCAL_CHARS), without a NUL. */
static size_t fmt_time(char *p, int64_t t, char sep, int zulu)
{
    calendar_time c;
    calendar_split(t, &c);
    char *q = two(two(p, (int)(c.year / 100)), (int)(c.year % 100));
    *q++ = '-';
    q = two(q, c.month);
    *q++ = '-';
    q = two(q, c.day);
    *q++ = sep;
    q = two(q, c.hour);
    *q++ = ':';
    q = two(q, c.min);
    *q++ = ':';
    q = two(q, c.sec);
    if (zulu)
        *q++ = 'Z';
    return (size_t)(q - p);
}

/* "+08:00", for an offset of whole minutes within ±14:00. */
static size_t fmt_offset(char *p, int offset)
{
    int a = offset < 0 ? -offset : offset;
    p[0] = offset < 0 ? '-' : '+';
    two(p + 1, a / 3600);
    p[3] = ':';
    two(p + 4, a % 3600 / 60);
    return OFFSET_CHARS;
}

typedef struct wctx {
    wbuf out;
    const char *kiosk_id, *instance;
    int64_t rows, first, last;
    int64_t followups;
    mp_err err; /* why add_row stopped the walk (not a write error: see out.err) */
} wctx;

static int add_row(void *user, const store_vote_row *v)
{
    wctx *w = user;
    if (strcmp(v->instance, w->instance) != 0)
        return mp_fail(&w->err, "vote %" PRId64 " belongs to another database (instance %s)",
                       v->seq, v->instance);
    if (v->utc_offset % 60 != 0 || v->utc_offset > CLOCK_UTC_OFFSET_MAX ||
        v->utc_offset < -CLOCK_UTC_OFFSET_MAX)
        return mp_fail(&w->err,
                       "vote %" PRId64 " has a UTC offset of %d seconds, which an export cannot "
                       "carry (whole minutes within ±14:00)",
                       v->seq, v->utc_offset);
    if (v->cast_utc < T_MIN || v->cast_utc > T_MAX)
        return mp_fail(&w->err, "vote %" PRId64 " has a time outside the years 1-9999", v->seq);
    int64_t local = v->cast_utc + v->utc_offset;
    if (local < T_MIN || local > T_MAX)
        return mp_fail(&w->err, "vote %" PRId64 " has a time outside the years 1-9999", v->seq);
    const rating *r = rating_by_points(v->points);
    if (!r)
        return mp_fail(&w->err, "vote %" PRId64 " has %d points, which is no rating", v->seq,
                       v->points);
    wbuf *b = &w->out;
    put_field(b, w->kiosk_id, ",");
    put_field(b, v->instance, ",");
    char *p = room(b, 24);
    if (p) {
        size_t n = fmt_int(p, v->seq);
        p[n++] = ',';
        took(b, n);
    }
    put_field(b, v->uuid, ",");
    /* "2026-11-27T08:30:05Z,2026-11-27 16:30:05,+08:00," */
    p = room(b, UTC_CHARS + LOCAL_CHARS + OFFSET_CHARS + 3);
    if (p) {
        size_t n = fmt_time(p, v->cast_utc, 'T', 1);
        p[n++] = ',';
        n += fmt_time(p + n, local, ' ', 0);
        p[n++] = ',';
        n += fmt_offset(p + n, v->utc_offset);
        p[n++] = ',';
        took(b, n);
    }
    put_field(b, v->unit_code, ",");
    put_field(b, v->unit_name, ",");
    put_field(b, r->label, ",");
    p = room(b, 8);
    if (p) {
        size_t n = fmt_int(p, v->points);
        p[n++] = ',';
        took(b, n);
    }
    put_field(b, v->channel, ",");
    put(b, v->flagged ? "1\r\n" : "0\r\n", 3);
    if (b->err)
        return 1; /* export_write says which write failed */
    if (w->rows == 0)
        w->first = v->seq;
    w->last = v->seq;
    w->rows++;
    return 0;
}

/* Writes one follow-up line (format 2). */
static int add_followup(void *user, const followup_row *f)
{
    wctx *w = user;
    if (strcmp(f->instance, w->instance) != 0)
        return mp_fail(&w->err, "follow-up %" PRId64 " belongs to another database", f->seq);
    if (f->utc_offset % 60 != 0 || f->utc_offset > CLOCK_UTC_OFFSET_MAX ||
        f->utc_offset < -CLOCK_UTC_OFFSET_MAX ||
        f->created_utc < T_MIN || f->created_utc > T_MAX ||
        f->created_utc + f->utc_offset < T_MIN || f->created_utc + f->utc_offset > T_MAX ||
        !rating_by_points(f->points))
        return mp_fail(&w->err, "follow-up %" PRId64 " has a time or points an export cannot "
                                "carry",
                       f->seq);
    wbuf *b = &w->out;
    char num[24], ref[CONFIG_ID_MAX + 64];
    put_field(b, w->kiosk_id, ",");
    put_field(b, f->instance, ",");
    num[fmt_int(num, f->seq)] = '\0';
    put_field(b, num, ",");
    put_field(b, f->uuid, ",");
    char *p = room(b, UTC_CHARS + LOCAL_CHARS + OFFSET_CHARS + 3);
    if (p) {
        size_t n = fmt_time(p, f->created_utc, 'T', 1);
        p[n++] = ',';
        n += fmt_time(p + n, f->created_utc + f->utc_offset, ' ', 0);
        p[n++] = ',';
        n += fmt_offset(p + n, f->utc_offset);
        p[n++] = ',';
        took(b, n);
    }
    put_field(b, f->unit_code, ",");
    if (f->vote_kiosk[0])
        snprintf(ref, sizeof ref, "%s/%s/%" PRId64, f->vote_kiosk, f->vote_instance, f->vote_seq);
    else
        snprintf(ref, sizeof ref, "%" PRId64, f->vote_seq);
    put_field(b, ref, ",");
    num[fmt_int(num, f->points)] = '\0';
    put_field(b, num, ",");
    put_field(b, f->reasons, ",");
    put_field(b, f->comment, ",");
    put_field(b, f->channel, "\r\n");
    if (b->err)
        return 1;
    w->followups++;
    return 0;
}

/* export_key_fn for the self-check: the key that signed it. */
static int own_key(void *user, const char *kiosk_id, const char *key_id,
                   unsigned char pk[SIGN_PK_BYTES], mp_err *err)
{
    const sign_key *key = user;
    (void)kiosk_id;
    (void)err;
    if (strcmp(key_id, key->id) != 0)
        return EXPORT_KEY_OTHER;
    memcpy(pk, key->pk, SIGN_PK_BYTES);
    return 1;
}

/* "dir/name" (malloc'd), without doubling a slash dir ends with. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    const char *sep = n > 0 && dir[n - 1] == '/' ? "" : "/";
    size_t total = n + strlen(sep) + strlen(name) + 1;
    char *p = malloc(total);
    if (p)
        snprintf(p, total, "%s%s%s", dir, sep, name);
    return p;
}

/* Creates the hidden temporary file in dfd (exclusively, no symbolic link
 * followed), open for reading too: it is mapped to be signed.  Its name goes
 * to tmp. */
static int create_temp(int dfd, const char *dir, char tmp[64], mp_err *err)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        unsigned char r[8];
        char hex[sizeof r * 2 + 1];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(hex, sizeof hex, r, sizeof r);
        snprintf(tmp, 64, ".minping-export-%s.tmp", hex);
        int fd = openat(dfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            return mp_fail(err, "cannot create a file in %s: %s", dir, strerror(errno));
    }
    return mp_fail(err, "cannot create a temporary file in %s", dir);
}

/* Writes the whole signed export of s into the open temporary file fd, and
 * reads it back with export_read; *rows gets the votes written. */
static int fill_temp(store *s, const kiosk_config *cfg, const sign_key *key, int64_t now_utc,
                     int fd, const char *dir, int64_t *fus, int64_t *rows, mp_err *err)
{
    int v2 = fus != NULL;
    wctx w = {.out = {.fd = fd}, .kiosk_id = cfg->id, .instance = store_instance(s)};
    if (!(w.out.p = malloc(EXPORT_WBUF)))
        return mp_fail(err, "out of memory while making the export");

    put_str(&w.out, BOM HEADER "\r\n");
    if (store_each_vote(s, add_row, &w, err) < 0) {
        free(w.out.p);
        if (w.out.err)
            return mp_fail(err, "cannot write the export into %s: %s", dir,
                           strerror(w.out.err));
        if (w.err.msg[0])
            return mp_fail(err, "cannot export: %s", w.err.msg);
        return mp_wrap(err, "cannot export");
    }
    if (v2) {
        put_str(&w.out, FU_HEADER "\r\n");
        if (followup_each(s, add_followup, &w, err) < 0) {
            free(w.out.p);
            if (w.out.err)
                return mp_fail(err, "cannot write the export into %s: %s", dir,
                               strerror(w.out.err));
            if (w.err.msg[0])
                return mp_fail(err, "cannot export: %s", w.err.msg);
            return mp_wrap(err, "cannot export the follow-ups");
        }
    }

    /* The signature line, its signature first written as 88 spaces: the
     * whole file is then on disk at its final length, mapped, signed, and
     * the signature written into its place. */
    char exported[UTC_CHARS + 1], line[512];
    exported[fmt_time(exported, now_utc, 'T', 1)] = '\0';
    snprintf(line, sizeof line,
             SIG_PREFIX "%s,%s,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,",
             v2 ? EXPORT_FORMAT_V2 : EXPORT_FORMAT, cfg->id, w.instance, exported, w.rows,
             w.first, w.last, key->id);
    put_str(&w.out, line);
    uint64_t signed_len = w.out.total;
    char blank[SIG_B64_CHARS];
    memset(blank, ' ', sizeof blank);
    put(&w.out, blank, sizeof blank);
    put(&w.out, "\r\n", 2);
    wflush(&w.out);
    free(w.out.p);
    if (w.out.err)
        return mp_fail(err, "cannot write the export into %s: %s", dir, strerror(w.out.err));
    if (w.out.total > SIZE_MAX)
        return mp_fail(err, "cannot export: the file would be too large");
    size_t len = (size_t)w.out.total;

    void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return mp_fail(err, "cannot read back the export written into %s: %s", dir,
                       strerror(errno));
    (void)madvise(map, len, MADV_SEQUENTIAL);
    unsigned char sig[SIGN_BYTES];
    char b64[SIG_B64_CHARS + 1];
    sign_detached(key, map, (size_t)signed_len, sig);
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    size_t done = 0;
    while (done < SIG_B64_CHARS) {
        ssize_t n = pwrite(fd, b64 + done, SIG_B64_CHARS - done, (off_t)(signed_len + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            munmap(map, len);
            return mp_fail(err, "cannot write the export into %s: %s", dir, strerror(e));
        }
        done += (size_t)n;
    }

    /* What the office will do, done here first, on the bytes of the file
     * (the mapping shows what was written): a file this kiosk cannot read
     * back is never given its name. */
    export_meta meta;
    mp_err why;
    int ok = export_read(map, len, own_key, (void *)key, &meta, NULL, NULL, &why);
    munmap(map, len);
    if (ok < 0)
        return mp_fail(err, "cannot export: the file made does not verify: %s", why.msg);
    *rows = w.rows;
    if (fus)
        *fus = w.followups;
    return 0;
}

/* Writes the export of s into dir/name (see export_write). */
static int write_file(store *s, const kiosk_config *cfg, const sign_key *key, int64_t now_utc,
                      const char *dir, char *name, size_t name_len, int64_t *fus, int64_t *rows,
                      mp_err *err)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return mp_fail(err, "cannot open the export folder %s: %s", dir, strerror(errno));
    char tmp[64];
    int fd = create_temp(dfd, dir, tmp, err);
    if (fd < 0) {
        close(dfd);
        return -1;
    }
    if (fill_temp(s, cfg, key, now_utc, fd, dir, fus, rows, err) < 0)
        goto fail;
    if (fsync(fd) < 0) {
        mp_fail(err, "cannot write the export into %s (sync failed): %s", dir, strerror(errno));
        goto fail;
    }
    int crc = close(fd);
    fd = -1;
    if (crc < 0) {
        mp_fail(err, "cannot write the export into %s (close failed): %s", dir, strerror(errno));
        goto fail;
    }
    /* A name taken (two exports within a second, or any file of that
     * name) is left alone: the export gets the next free "-2", "-3", ... */
    char base[CONFIG_ID_MAX + 64];
    snprintf(base, sizeof base, "%.*s", (int)(strlen(name) - 4), name); /* without ".csv" */
    int prc = fs_add_name(dfd, tmp, name);
    for (int n = 2; prc < 0 && errno == EEXIST && n <= EXPORT_NAME_TRIES; n++) {
        if (snprintf(name, name_len, "%s-%d.csv", base, n) >= (int)name_len) {
            errno = ENAMETOOLONG;
            prc = -1;
            break;
        }
        prc = fs_add_name(dfd, tmp, name);
    }
    if (prc == 0)
        (void)unlinkat(dfd, tmp, 0); /* a second name left by link(); harms nothing if it stays */
    if (prc < 0) {
        if (errno == EEXIST)
            mp_fail(err, "%s/%s.csv and %d more names like it already exist; not overwriting "
                         "any (export again in a moment)",
                    dir, base, EXPORT_NAME_TRIES - 1);
        else if (errno == EINVAL)
            mp_fail(err, "cannot name the export %s/%s: the file system cannot create a file "
                         "without risking replacing another (use a stick formatted FAT32, "
                         "exFAT or ext4)",
                    dir, name);
        else
            mp_fail(err, "cannot name the export %s/%s: %s", dir, name, strerror(errno));
        goto fail;
    }
    /* The name must be on the medium too.  A file system that cannot sync
     * a folder says EINVAL; anything else is a real failure. */
    if (fsync(dfd) < 0 && errno != EINVAL) {
        int e = errno;
        (void)unlinkat(dfd, name, 0);
        close(dfd);
        return mp_fail(err, "cannot write the export into %s (folder sync failed): %s", dir,
                       strerror(e));
    }
    close(dfd);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    (void)unlinkat(dfd, tmp, 0);
    close(dfd);
    return -1;
}

int export_write(store *s, const kiosk_config *cfg, const sign_key *key, const char *dir,
                 int64_t now_utc, char **out_path, int64_t *out_rows, mp_err *err)
{
    return export_write_v2(s, cfg, key, dir, now_utc, NULL, out_path, out_rows, err);
}

int export_write_v2(store *s, const kiosk_config *cfg, const sign_key *key, const char *dir,
                    int64_t now_utc, int64_t *out_followups, char **out_path,
                    int64_t *out_rows, mp_err *err)
{
    mp_err why;
    if (config_check_kiosk_id(cfg->id, &why) < 0)
        return mp_fail(err, "cannot export: %s", why.msg);
    if (now_utc < 0 || now_utc > T_MAX)
        return mp_fail(err, "cannot export: the clock says %" PRId64 ", outside the years "
                            "1970-9999", now_utc);

    calendar_time c;
    calendar_split(now_utc + clock_utc_offset(now_utc), &c);
    char name[CONFIG_ID_MAX + 64];
    snprintf(name, sizeof name, "minping-%s-%.8s-%04" PRId64 "%02d%02d-%02d%02d%02d.csv", cfg->id,
             store_instance(s), c.year, c.month, c.day, c.hour, c.min, c.sec);
    int64_t rows = 0;
    if (write_file(s, cfg, key, now_utc, dir, name, sizeof name, out_followups, &rows, err) < 0)
        return -1;
    char *path = join(dir, name);
    if (!path) {
        /* The file is there and complete; only its name cannot be returned. */
        return mp_fail(err, "out of memory (the export was written as %s/%s)", dir, name);
    }
    if (out_path)
        *out_path = path;
    else
        free(path);
    if (out_rows)
        *out_rows = rows;
    return 0;
}

/* ---- Reading ---- */

/* Line number (from 1) of the byte at pos. */
static int64_t line_of(const char *buf, size_t pos)
{
    int64_t line = 1;
    for (const char *p = buf, *end = buf + pos; (p = memchr(p, '\n', (size_t)(end - p)));
         p++)
        line++;
    return line;
}

/* Offset of the first LF in buf that does not follow a CR, or -1. */
static int64_t first_bare_lf(const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) {
        if (p == buf || p[-1] != '\r')
            return (int64_t)(p - buf);
        p++;
    }
    return -1;
}

/* A line that ends in a bare LF: the file went through a program that
 * converted its line ends after the kiosk signed it. */
static int converted(int64_t line, mp_err *err)
{
    return mp_fail(err, "line %" PRId64 " ends with LF instead of CRLF: the file's line ends were "
                        "converted after it was signed; copy the file from the USB stick again "
                        "without opening it, or export again at the kiosk",
                   line);
}

/* Whether [buf, buf+end) has no NUL, no byte-order mark after its first
 * byte, no CR but before an LF (buf has len bytes) and no LF but after a
 * CR: what find_frame's walk below checks, with memchr's speed. */
static int is_clean(const char *buf, size_t len, size_t end)
{
    if (memchr(buf, '\0', end) || (end > 1 && memmem(buf + 1, end - 1, BOM, 3)))
        return 0;
    for (const char *p = buf, *e = buf + end; (p = memchr(p, '\r', (size_t)(e - p))); p++)
        if ((size_t)(p - buf) + 1 >= len || p[1] != '\n')
            return 0;
    for (const char *p = buf, *e = buf + end; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        if (p == buf || p[-1] != '\r')
            return 0;
    return 1;
}

/* Stage 1: finds the signature line [*sig, *sig_end) (sig_end at its CR) and
 * checks the bytes before it. */
static int find_frame(const char *buf, size_t len, size_t *sig, size_t *sig_end, mp_err *err)
{
    static const char marker[] = "\r\n" SIG_PREFIX;
    size_t start;
    if (len >= sizeof SIG_PREFIX - 1 && memcmp(buf, SIG_PREFIX, sizeof SIG_PREFIX - 1) == 0) {
        start = 0;
    } else {
        const char *m = memmem(buf, len, marker, sizeof marker - 1);
        if (!m) {
            static const char lf_marker[] = "\n" SIG_PREFIX;
            int64_t lf = first_bare_lf(buf, len);
            if (memmem(buf, len, lf_marker, sizeof lf_marker - 1) && lf >= 0)
                return converted(line_of(buf, (size_t)lf), err);
            /* Two files joined, or a signature line behind a BOM. */
            const char *bom = len > 1 ? memmem(buf + 1, len - 1, BOM, 3) : NULL;
            if (bom)
                return mp_fail(err, "line %" PRId64 ": contains a byte-order mark, which may "
                                    "only start the file",
                               line_of(buf, (size_t)(bom - buf)));
            static const char head[] = BOM HEADER "\r\n";
            if (len >= sizeof head - 1 && memcmp(buf, head, sizeof head - 1) == 0)
                return mp_fail(err, "truncated: the file ends at line %" PRId64
                                    ", before its signature line",
                               line_of(buf, len - 1));
            return mp_fail(err, "not a Minping export (no signature line)");
        }
        start = (size_t)(m - buf) + 2;
    }
    const char *crlf = memmem(buf + start, len - start, "\r\n", 2);
    int64_t sig_line = line_of(buf, start);
    if (!crlf)
        return mp_fail(err, "truncated: the signature line (line %" PRId64 ") is incomplete",
                       sig_line);
    size_t end = (size_t)(crlf - buf);
    if (end + 2 != len)
        return mp_fail(err, "line %" PRId64 ": %zu bytes follow the signature line; nothing may "
                            "follow it",
                       sig_line + 1, len - end - 2);

    /* Clean lines: no NUL, no byte-order mark but the first, CR only in
     * CRLF.  (The signature check comes next; this only makes the message
     * precise for the usual ways a file gets damaged.)  A quick look first;
     * only a file that fails it is walked byte by byte for the message. */
    if (is_clean(buf, len, end)) {
        *sig = start;
        *sig_end = end;
        return 0;
    }
    int64_t line = 1;
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n') {
            if (i == 0 || buf[i - 1] != '\r')
                return converted(line, err);
            line++;
        } else if (c == '\r') {
            if (i + 1 >= len || buf[i + 1] != '\n')
                return mp_fail(err, "line %" PRId64 ": contains a CR that does not end the "
                                    "line",
                               line);
        } else if (c == '\0') {
            return mp_fail(err, "line %" PRId64 ": contains a NUL byte", line);
        } else if (c == 0xEF && i > 0 && i + 2 < len && (unsigned char)buf[i + 1] == 0xBB &&
                   (unsigned char)buf[i + 2] == 0xBF) {
            return mp_fail(err, "line %" PRId64 ": contains a byte-order mark, which may only "
                                "start the file",
                           line);
        }
    }
    *sig = start;
    *sig_end = end;
    return 0;
}

/* Splits [s, s+n) at commas into at most max fields. */
static int split(const char *s, size_t n, const char **f, size_t *flen, int max)
{
    int k = 0;
    const char *end = s + n;
    for (;;) {
        const char *c = memchr(s, ',', (size_t)(end - s));
        if (k == max)
            return max + 1;
        f[k] = s;
        flen[k] = (size_t)((c ? c : end) - s);
        k++;
        if (!c)
            return k;
        s = c + 1;
    }
}

/* Stage 2a: the signature line's fields into *meta and sig. */
static int parse_sig_line(const char *line, size_t n, int64_t lineno, export_meta *meta,
                          unsigned char sig[SIGN_BYTES], mp_err *err)
{
    const char *f[N_SIG_FIELDS];
    size_t fl[N_SIG_FIELDS];
    char show[48];
    int k = split(line, n, f, fl, N_SIG_FIELDS);
    int v1 = k >= 2 && fl[1] == strlen(EXPORT_FORMAT) && memcmp(f[1], EXPORT_FORMAT, fl[1]) == 0;
    int v2 = k >= 2 && fl[1] == strlen(EXPORT_FORMAT_V2) &&
             memcmp(f[1], EXPORT_FORMAT_V2, fl[1]) == 0;
    if (k >= 2 && !v1 && !v2)
        return mp_fail(err, "line %" PRId64 ": export format \"%s\" is not supported (this "
                            "program reads %s and %s): update minping-office",
                       lineno, shown(f[1], fl[1], show), EXPORT_FORMAT, EXPORT_FORMAT_V2);
    if (k > N_SIG_FIELDS)
        return mp_fail(err, "line %" PRId64 ": malformed signature line (more than %d fields)",
                       lineno, N_SIG_FIELDS);
    if (k < N_SIG_FIELDS)
        return mp_fail(err, "line %" PRId64 ": malformed signature line (%d fields, not %d)",
                       lineno, k, N_SIG_FIELDS);

    char id[CONFIG_ID_MAX + 1];
    mp_err why;
    if (fl[2] > CONFIG_ID_MAX || fl[2] == 0)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the kiosk id must be 1 "
                            "to %d characters long",
                       lineno, CONFIG_ID_MAX);
    memcpy(id, f[2], fl[2]);
    id[fl[2]] = '\0';
    if (config_check_kiosk_id(id, &why) < 0)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: kiosk id \"%s\" may "
                            "contain only letters, digits, '-' and '_'",
                       lineno, shown(f[2], fl[2], show));
    if (fl[3] != 32 || !hexid_is_lower(f[3], 32))
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the database instance "
                            "must be 32 lowercase hex digits",
                       lineno);
    int64_t exported;
    if (parse_time(f[4], fl[4], 'T', 1, &exported) < 0)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the export time must "
                            "look like 2026-11-27T08:30:05Z",
                       lineno);
    int64_t count, first, last;
    if (parse_count(f[5], fl[5], &count) < 0)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the vote count must be "
                            "a whole number",
                       lineno);
    if (parse_count(f[6], fl[6], &first) < 0)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the first seq must be "
                            "a whole number",
                       lineno);
    if (parse_count(f[7], fl[7], &last) < 0)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the last seq must be "
                            "a whole number",
                       lineno);
    if (count == 0 ? (first != 0 || last != 0)
                   : (first < 1 || last < first || last - first + 1 < count))
        return mp_fail(err, "line %" PRId64 ": malformed signature line: %" PRId64
                            " votes cannot run from seq %" PRId64 " to %" PRId64,
                       lineno, count, first, last);
    if (fl[8] != SIGN_ID_CHARS || !hexid_is_lower(f[8], SIGN_ID_CHARS))
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the key id must be %d "
                            "lowercase hex digits",
                       lineno, SIGN_ID_CHARS);
    size_t bin_len = 0;
    const char *b64_end = NULL;
    char again[SIG_B64_CHARS + 1];
    int ok = fl[9] == SIG_B64_CHARS &&
             sodium_base642bin(sig, SIGN_BYTES, f[9], fl[9], NULL, &bin_len, &b64_end,
                               sodium_base64_VARIANT_ORIGINAL) == 0 &&
             bin_len == SIGN_BYTES && b64_end == f[9] + fl[9];
    /* One signature, one spelling: base64 that decodes the same from other
     * text (unused bits set) is refused. */
    if (ok) {
        sodium_bin2base64(again, sizeof again, sig, SIGN_BYTES, sodium_base64_VARIANT_ORIGINAL);
        ok = memcmp(again, f[9], SIG_B64_CHARS) == 0;
    }
    if (!ok)
        return mp_fail(err, "line %" PRId64 ": malformed signature line: the signature is not "
                            "%d bytes in base64",
                       lineno, SIGN_BYTES);

    memcpy(meta->kiosk_id, id, fl[2] + 1);
    memcpy(meta->instance, f[3], 32);
    meta->instance[32] = '\0';
    meta->exported_utc = exported;
    meta->rows = count;
    meta->first_seq = first;
    meta->last_seq = last;
    memcpy(meta->key_id, f[8], SIGN_ID_CHARS);
    meta->key_id[SIGN_ID_CHARS] = '\0';
    meta->version = v2 ? 2 : 1;
    return 0;
}

/* Stage 3: the fields of the line being parsed, collected by libcsv. */
typedef struct rctx {
    char field[N_FIELDS][FU_COMMENT_MAX + 1];
    size_t flen[N_FIELDS];
    int fu_mode;   /* reading follow-up lines (format 2) */
    int nfields;   /* fields seen on this line (may exceed N_FIELDS) */
    int too_long;  /* 1 + index of a field over FIELD_MAX bytes, or 0 */
    int records;   /* records libcsv ended on this line */
} rctx;

static void on_field(void *s, size_t n, void *data)
{
    rctx *r = data;
    int i = r->nfields++;
    if (i >= N_FIELDS)
        return;
    if (n > (r->fu_mode && i == FU_COMMENT_FIELD ? (size_t)FU_COMMENT_MAX : FIELD_MAX)) {
        if (!r->too_long)
            r->too_long = i + 1;
        n = 0;
    }
    if (n)
        memcpy(r->field[i], s, n);
    r->field[i][n] = '\0';
    r->flen[i] = n;
}

static void on_record(int c, void *data)
{
    (void)c;
    ((rctx *)data)->records++;
}

static int no_space(unsigned char c)
{
    (void)c;
    return 0; /* nothing is trimmed: a field is exactly what is between the commas */
}

/* The columns' names, as messages name them (translated where printed). */
static const char *const COLUMN[N_FIELDS] = {
    N_("kiosk id"),  N_("database instance"), N_("seq"),        N_("uuid"),
    N_("vote time (UTC)"), N_("local time"), N_("time zone"), N_("unit code"),
    N_("unit name"), N_("rating"),            N_("points"),     N_("channel"),
    N_("flag"),
};

/* Checks one parsed vote line against the signature line; fills *row. */
static int check_row(rctx *r, int64_t lineno, const export_meta *meta, int64_t prev_seq,
                     export_row *row, mp_err *err)
{
    char (*f)[FU_COMMENT_MAX + 1] = r->field;
    size_t *fl = r->flen;
    char show[48];
    mp_err why;
    if (r->nfields != N_FIELDS)
        return mp_fail(err, "line %" PRId64 ": has %d fields, not %d", lineno, r->nfields,
                       N_FIELDS);
    if (r->too_long)
        return mp_fail(err, "line %" PRId64 ": the column \"%s\" is longer than %d bytes",
                       lineno, _(COLUMN[r->too_long - 1]), FIELD_MAX);
    if (strcmp(f[0], meta->kiosk_id) != 0)
        return mp_fail(err, "line %" PRId64 ": kiosk \"%s\" is not the kiosk of the signature "
                            "line (%s)",
                       lineno, shown(f[0], fl[0], show), meta->kiosk_id);
    if (strcmp(f[1], meta->instance) != 0)
        return mp_fail(err, "line %" PRId64 ": the database instance is not the signature "
                            "line's (%s)",
                       lineno, meta->instance);
    int64_t seq;
    if (parse_count(f[2], fl[2], &seq) < 0 || seq < 1)
        return mp_fail(err, "line %" PRId64 ": seq \"%s\" is not a whole number from 1 up",
                       lineno, shown(f[2], fl[2], show));
    if (prev_seq == 0 && seq != meta->first_seq)
        return mp_fail(err, "line %" PRId64 ": the first vote has seq %" PRId64
                            ", but the signature line says %" PRId64,
                       lineno, seq, meta->first_seq);
    if (prev_seq != 0 && seq <= prev_seq)
        return mp_fail(err, "line %" PRId64 ": seq %" PRId64 " follows %" PRId64
                            " (seq must ascend)",
                       lineno, seq, prev_seq);
    if (seq > meta->last_seq)
        return mp_fail(err, "line %" PRId64 ": seq %" PRId64
                            " is beyond the signature line's last seq %" PRId64,
                       lineno, seq, meta->last_seq);
    if (!hexid_is_uuid(f[3], fl[3]))
        return mp_fail(err, "line %" PRId64 ": uuid \"%s\" is not 8-4-4-4-12 lowercase hex "
                            "digits",
                       lineno, shown(f[3], fl[3], show));
    int64_t utc, local;
    int offset;
    if (parse_time(f[4], fl[4], 'T', 1, &utc) < 0)
        return mp_fail(err, "line %" PRId64 ": vote time (UTC) \"%s\" is not a time like "
                            "2026-11-27T08:30:05Z",
                       lineno, shown(f[4], fl[4], show));
    if (parse_time(f[5], fl[5], ' ', 0, &local) < 0)
        return mp_fail(err, "line %" PRId64 ": local time \"%s\" is not a time like "
                            "2026-11-27 16:30:05",
                       lineno, shown(f[5], fl[5], show));
    if (parse_offset(f[6], fl[6], &offset) < 0)
        return mp_fail(err, "line %" PRId64 ": time zone \"%s\" is not an offset like +08:00 "
                            "(whole minutes, at most 14:00 either way)",
                       lineno, shown(f[6], fl[6], show));
    if (local != utc + offset)
        return mp_fail(err, "line %" PRId64 ": local time %s is not UTC time %s at %s", lineno,
                       f[5], f[4], f[6]);
    if (config_check_unit_code(f[7], &why) < 0)
        return mp_fail(err, "line %" PRId64 ": unit code \"%s\" is not 1 to %d letters, "
                            "digits, '-' or '_'",
                       lineno, shown(f[7], fl[7], show), CONFIG_CODE_MAX);
    if (config_check_unit_name(f[8], &why) < 0)
        return mp_fail(err, "line %" PRId64 ": unit %s: %s", lineno, f[7], why.msg);
    /* The points exactly as the kiosk writes them: no sign, no leading zero. */
    int points = fl[10] >= 1 && fl[10] <= 2 && (fl[10] == 1 || f[10][0] != '0')
                     ? (int)digits(f[10], fl[10])
                     : -1;
    const rating *rt = rating_by_points(points);
    if (!rt)
        return mp_fail(err, "line %" PRId64 ": points \"%s\" are not 10, 8, 6 or 0", lineno,
                       shown(f[10], fl[10], show));
    if (strcmp(f[9], rt->label) != 0)
        return mp_fail(err, "line %" PRId64 ": rating \"%s\" does not go with %d points (%s "
                            "does)",
                       lineno, shown(f[9], fl[9], show), points, rt->label);
    /* "online": the votes of the survey server, exported like a kiosk's. */
    if (strcmp(f[11], CHANNEL) != 0 && strcmp(f[11], CHANNEL_ONLINE) != 0)
        return mp_fail(err, "line %" PRId64 ": channel \"%s\" is not \"%s\" or \"%s\"", lineno,
                       shown(f[11], fl[11], show), CHANNEL, CHANNEL_ONLINE);
    if (strcmp(f[12], "0") != 0 && strcmp(f[12], "1") != 0)
        return mp_fail(err, "line %" PRId64 ": flag \"%s\" is not 0 or 1", lineno,
                       shown(f[12], fl[12], show));

    *row = (export_row){
        .kiosk_id = f[0], .instance = f[1], .seq = seq, .uuid = f[3], .cast_utc = utc,
        .utc_offset = offset, .unit_code = f[7], .unit_name = f[8], .points = points,
        .channel = f[11], .flagged = f[12][0] == '1',
    };
    return 0;
}

/* Where a follow-up line's vote reference is kept while it is handed over. */
typedef struct fu_ref {
    char kiosk[CONFIG_ID_MAX + 1];
    char instance[33];
} fu_ref;

/* Checks one parsed follow-up line (format 2); fills *out. */
static int check_followup(rctx *r, int64_t lineno, const export_meta *meta, int64_t prev_seq,
                          fu_ref *ref, export_followup *out, mp_err *err)
{
    char (*f)[FU_COMMENT_MAX + 1] = r->field;
    size_t *fl = r->flen;
    char show[48];
    mp_err why;
    if (r->nfields != N_FIELDS)
        return mp_fail(err, "line %" PRId64 ": a follow-up line has %d fields, not %d", lineno,
                       r->nfields, N_FIELDS);
    if (r->too_long)
        return mp_fail(err, "line %" PRId64 ": field %d of the follow-up is too long", lineno,
                       r->too_long);
    if (strcmp(f[0], meta->kiosk_id) != 0 || strcmp(f[1], meta->instance) != 0)
        return mp_fail(err, "line %" PRId64 ": the follow-up's source or database instance is "
                            "not the signature line's",
                       lineno);
    int64_t seq;
    if (parse_count(f[2], fl[2], &seq) < 0 || seq < 1 || seq <= prev_seq)
        return mp_fail(err, "line %" PRId64 ": follow-up number \"%s\" is not a whole number "
                            "above the one before",
                       lineno, shown(f[2], fl[2], show));
    if (!hexid_is_uuid(f[3], fl[3]))
        return mp_fail(err, "line %" PRId64 ": uuid \"%s\" is not 8-4-4-4-12 lowercase hex "
                            "digits",
                       lineno, shown(f[3], fl[3], show));
    int64_t utc, local;
    int offset;
    if (parse_time(f[4], fl[4], 'T', 1, &utc) < 0 || parse_time(f[5], fl[5], ' ', 0, &local) < 0 ||
        parse_offset(f[6], fl[6], &offset) < 0 || local != utc + offset)
        return mp_fail(err, "line %" PRId64 ": the follow-up's time is malformed or its local "
                            "time does not fit its UTC time and offset",
                       lineno);
    if (config_check_unit_code(f[7], &why) < 0)
        return mp_fail(err, "line %" PRId64 ": unit code \"%s\" is malformed", lineno,
                       shown(f[7], fl[7], show));
    /* The vote: "SEQ" of this database, or "KIOSK/INSTANCE/SEQ". */
    int64_t vote_seq;
    const char *slash = strchr(f[8], '/');
    if (!slash) {
        snprintf(ref->kiosk, sizeof ref->kiosk, "%s", "");
        snprintf(ref->instance, sizeof ref->instance, "%s", meta->instance);
        if (parse_count(f[8], fl[8], &vote_seq) < 0 || vote_seq < 1)
            return mp_fail(err, "line %" PRId64 ": vote \"%s\" is not a vote number", lineno,
                           shown(f[8], fl[8], show));
    } else {
        const char *slash2 = strchr(slash + 1, '/');
        size_t kn = (size_t)(slash - f[8]);
        if (!slash2 || kn == 0 || kn > CONFIG_ID_MAX || slash2 - slash - 1 != 32 ||
            !hexid_is_lower(slash + 1, 32) ||
            parse_count(slash2 + 1, strlen(slash2 + 1), &vote_seq) < 0 || vote_seq < 1)
            return mp_fail(err, "line %" PRId64 ": vote \"%s\" is not KIOSK/INSTANCE/SEQ",
                           lineno, shown(f[8], fl[8], show));
        memcpy(ref->kiosk, f[8], kn);
        ref->kiosk[kn] = '\0';
        memcpy(ref->instance, slash + 1, 32);
        ref->instance[32] = '\0';
        if (config_check_kiosk_id(ref->kiosk, &why) < 0)
            return mp_fail(err, "line %" PRId64 ": vote \"%s\": %s", lineno,
                           shown(f[8], fl[8], show), why.msg);
    }
    int points = fl[9] >= 1 && fl[9] <= 2 && (fl[9] == 1 || f[9][0] != '0')
                     ? (int)digits(f[9], fl[9])
                     : -1;
    if (!rating_by_points(points))
        return mp_fail(err, "line %" PRId64 ": points \"%s\" are not 10, 8, 6 or 0", lineno,
                       shown(f[9], fl[9], show));
    if (fl[10] && utf8_count_printable(f[10]) < 1)
        return mp_fail(err, "line %" PRId64 ": the reasons are not text", lineno);
    for (const char *p = f[10]; fl[10] && p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == 0)
            return mp_fail(err, "line %" PRId64 ": an empty reason", lineno);
        p = bar ? bar + 1 : NULL;
    }
    long chars = utf8_count_printable(f[11]);
    if (chars < 0 || chars > FOLLOWUP_COMMENT_MAX_CHARS)
        return mp_fail(err, "line %" PRId64 ": the comment is not text of at most %d characters",
                       lineno, FOLLOWUP_COMMENT_MAX_CHARS);
    if (strcmp(f[12], CHANNEL) != 0 && strcmp(f[12], CHANNEL_ONLINE) != 0)
        return mp_fail(err, "line %" PRId64 ": channel \"%s\" is not \"%s\" or \"%s\"", lineno,
                       shown(f[12], fl[12], show), CHANNEL, CHANNEL_ONLINE);
    *out = (export_followup){
        .source_id = f[0], .instance = f[1], .seq = seq, .uuid = f[3], .created_utc = utc,
        .utc_offset = offset, .unit_code = f[7], .vote_kiosk = ref->kiosk,
        .vote_instance = ref->instance, .vote_seq = vote_seq, .points = points,
        .reasons = f[10], .comment = f[11], .channel = f[12],
    };
    return 0;
}

/* The signature check, on a second thread with verify_alongside, then the
 * caller's after_verify. */
enum { VERIFY_RUNNING, VERIFY_GOOD, VERIFY_BAD };
typedef struct verify_job {
    const unsigned char *pk, *sig;
    const char *msg;
    size_t len;
    void (*after)(void *);
    void *after_user;
    atomic_int verdict;
    pthread_t thread;
    int threaded;
} verify_job;

static void *verify_run(void *arg)
{
    verify_job *j = arg;
    int good = sign_verify(j->pk, j->msg, j->len, j->sig);
    /* The verdict first: the rows stop at once for a changed file. */
    atomic_store(&j->verdict, good ? VERIFY_GOOD : VERIFY_BAD);
    if (good && j->after)
        j->after(j->after_user);
    return NULL;
}

/* Rows between two looks at the verdict of a signature checked alongside. */
enum { VERIFY_POLL_ROWS = 4096 };

/* Stage 3: header and rows, between body and sig (the signature line).
 * With verdict (a signature being checked alongside), stops early with -2
 * once the signature is known to be bad. */
static int parse_rows(const char *buf, size_t sig, const export_meta *meta,
                      export_row_fn on_row, export_followup_fn on_fu, void *row_user,
                      int64_t *n_fu, const atomic_int *verdict, mp_err *err)
{
    static const char fu_head[] = FU_HEADER;
    int64_t fu_prev = 0;
    fu_ref ref;
    static const char head[] = HEADER "\r\n";
    if (sig < 3 || memcmp(buf, BOM, 3) != 0)
        return mp_fail(err, "line 1: the file does not start with a UTF-8 byte-order mark");
    if (sig - 3 < sizeof head - 1 || memcmp(buf + 3, head, sizeof head - 1) != 0)
        return mp_fail(err, "line 1: not the header line of a Minping export");

    struct csv_parser csv;
    if (csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return mp_fail(err, "out of memory");
    csv_set_space_func(&csv, no_space);
    rctx *r = malloc(sizeof *r);
    if (!r) {
        csv_free(&csv);
        return mp_fail(err, "out of memory");
    }

    int rc = 0;
    int64_t lineno = 1, rows = 0, prev = 0;
    size_t pos = 3 + sizeof head - 1;
    r->fu_mode = 0;
    while (pos < sig) {
        lineno++;
        if (verdict && lineno % VERIFY_POLL_ROWS == 0 &&
            atomic_load_explicit(verdict, memory_order_relaxed) == VERIFY_BAD) {
            rc = -2;
            break;
        }
        /* Stage 1 made sure every line before the signature ends in CRLF,
         * and that a CR comes only before an LF: the line ends at its
         * first LF. */
        const char *p = buf + pos;
        const char *lf = memchr(p, '\n', sig - pos);
        size_t n = (size_t)(lf - p) - 1;
        pos += n + 2;

        r->nfields = r->too_long = r->records = 0;
        if (meta->version == 2 && !r->fu_mode && n == sizeof fu_head - 1 &&
            memcmp(p, fu_head, n) == 0) {
            r->fu_mode = 1; /* the follow-ups' header: follow-up lines from here */
            continue;
        }
        if (n == 0) {
            rc = mp_fail(err, "line %" PRId64 ": is empty", lineno);
            break;
        }
        if (n > LINE_MAX_BYTES) {
            rc = mp_fail(err, "line %" PRId64 ": is %zu bytes long; a vote line has at most %d",
                         lineno, n, LINE_MAX_BYTES);
            break;
        }
        if (!memchr(p, '"', n)) {
            /* No quote: the fields are what lies between the commas, as
             * libcsv (strict, nothing trimmed) would say, only faster. */
            for (const char *f = p, *end = p + n;;) {
                const char *c = memchr(f, ',', (size_t)(end - f));
                on_field((void *)f, (size_t)((c ? c : end) - f), r);
                if (!c)
                    break;
                f = c + 1;
            }
            on_record('\n', r);
        } else if (csv_parse(&csv, p, n, on_field, on_record, r) != n ||
                   csv_fini(&csv, on_field, on_record, r) != 0) {
            rc = mp_fail(err, "line %" PRId64 ": not valid CSV (a double quote out of place)",
                         lineno);
            break;
        }
        if (r->fu_mode) {
            export_followup fu;
            if (check_followup(r, lineno, meta, fu_prev, &ref, &fu, err) < 0 ||
                (on_fu && on_fu(row_user, &fu, err) != 0)) {
                rc = -1;
                break;
            }
            fu_prev = fu.seq;
            (*n_fu)++;
            continue;
        }
        if (rows >= meta->rows) {
            rc = mp_fail(err, "line %" PRId64 ": the signature line counts %" PRId64
                              " votes, but there are more",
                         lineno, meta->rows);
            break;
        }
        export_row row;
        if (check_row(r, lineno, meta, prev, &row, err) < 0) {
            rc = -1;
            break;
        }
        if (on_row && on_row(row_user, &row, err) != 0) {
            rc = -1;
            break;
        }
        prev = row.seq;
        rows++;
    }
    csv_free(&csv);
    free(r);
    if (rc < 0)
        return rc;
    if (rows != meta->rows)
        return mp_fail(err, "the signature line counts %" PRId64 " votes, but the file has %" PRId64,
                       meta->rows, rows);
    if (rows > 0 && prev != meta->last_seq)
        return mp_fail(err, "the last vote has seq %" PRId64 ", but the signature line says %" PRId64,
                       prev, meta->last_seq);
    return 0;
}

int export_read(const char *buf, size_t len, export_key_fn key_fn, void *key_user,
                export_meta *meta, export_row_fn on_row, void *row_user, mp_err *err)
{
    return export_read_v2(buf, len, key_fn, key_user, meta, on_row, NULL, row_user, err);
}

int export_read_v2(const char *buf, size_t len, export_key_fn key_fn, void *key_user,
                   export_meta *meta, export_row_fn on_row, export_followup_fn on_followup,
                   void *user, mp_err *err)
{
    return export_read_with(buf, len, key_fn, key_user, meta, on_row, on_followup, user, NULL,
                            err);
}

/* The message of a file whose signature does not match. */
static int bad_signature(mp_err *err)
{
    return mp_fail(err, "the signature does not match: the file was changed after the "
                        "kiosk exported it; export again at the kiosk, then import the "
                        "new file");
}

int export_read_with(const char *buf, size_t len, export_key_fn key_fn, void *key_user,
                     export_meta *meta, export_row_fn on_row, export_followup_fn on_followup,
                     void *user, const export_read_options *opt, mp_err *err)
{
    static const export_read_options plain = {0};
    if (!opt)
        opt = &plain;
    export_meta local_meta;
    if (!meta)
        meta = &local_meta;
    memset(meta, 0, sizeof *meta);
    if (len == 0)
        return mp_fail(err, "the file is empty");

    /* 1. Framing. */
    size_t sig = 0, sig_end = 0;
    if (find_frame(buf, len, &sig, &sig_end, err) < 0)
        return -1;
    int64_t sig_line = line_of(buf, sig);

    /* 2. The signature line, the key, the signature. */
    unsigned char signature[SIGN_BYTES];
    if (parse_sig_line(buf + sig, sig_end - sig, sig_line, meta, signature, err) < 0)
        return -1;
    unsigned char pk[SIGN_PK_BYTES];
    int known = key_fn(key_user, meta->kiosk_id, meta->key_id, pk, err);
    if (known < 0)
        return -1;
    if (known == EXPORT_KEY_NO_KIOSK)
        return mp_fail(err, "kiosk %s is not provisioned in this office database: provision "
                            "it here first (minping-office provision), or import into the "
                            "office database that provisioned it (--db)",
                       meta->kiosk_id);
    if (known != EXPORT_KEY_FOUND)
        return mp_fail(err, "kiosk %s is provisioned here, but the key that signed this file "
                            "(key id %s) was not issued by this office: the kiosk was "
                            "provisioned by another office, or its kiosk.key was replaced; "
                            "provision the kiosk again here, then export again at the kiosk",
                       meta->kiosk_id, meta->key_id);
    verify_job job = {.pk = pk, .sig = signature, .msg = buf,
                      .len = sig_end - SIG_B64_CHARS, /* up to the comma before the signature */
                      .after = opt->after_verify, .after_user = opt->after_verify_user};
    atomic_init(&job.verdict, VERIFY_RUNNING);
    if (opt->verify_alongside)
        job.threaded = pthread_create(&job.thread, NULL, verify_run, &job) == 0;
    if (!job.threaded && (verify_run(&job), atomic_load(&job.verdict) != VERIFY_GOOD))
        return bad_signature(err);

    /* 3. The rows. */
    int rc = parse_rows(buf, sig, meta, on_row, on_followup, user, &meta->followups,
                        job.threaded ? &job.verdict : NULL, err);
    if (job.threaded) {
        pthread_join(job.thread, NULL);
        /* A changed file is named as such, whatever its rows brought. */
        if (atomic_load(&job.verdict) != VERIFY_GOOD)
            return bad_signature(err);
    }
    return rc < 0 ? -1 : 0;
}

/* store_salvage.c - store_open_salvage (store.h): the votes that can still
 * be read from a damaged kiosk database, by a small reader of SQLite's file
 * format that needs nothing of the file but its bytes.  This is the most
 * hostile input the project reads; tests/fuzz/fuzz_salvage.c fuzzes it. */
#include "store.h"
#include "store_int.h"
#include "clock.h"
#include "config.h"
#include "embed.h"
#include "fsutil.h"
#include "hexid.h"
#include "migrate.h"
#include "rating.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- salvage: reading votes from the bytes of a damaged file -------------
 *
 * SQLite's file format (https://www.sqlite.org/fileformat.html): pages of
 * page_size bytes; a table b-tree leaf page has type 0x0D at its header
 * (offset 100 on page 1), a cell count and a cell pointer array; a cell is
 * varint payload-size, varint rowid, then the record: varint header size,
 * serial types, values.  The WAL is a 32-byte header, then frames of a
 * 24-byte header and one page; a frame counts when its salts match the
 * header's and the running checksum holds, and only up to the last commit
 * frame.  Every bound is checked against the bytes present. */

enum { SALV_COLS = 12 };

typedef struct salv_col {
    int type;               /* 0 NULL, 1 integer, 2 text, 3 other */
    int64_t i;
    const unsigned char *t; /* text, not NUL-terminated */
    size_t n;
} salv_col;

typedef struct salv_row {
    int64_t seq;
    int rank;               /* 0 database file, 1 + frame index for the WAL */
    char instance[33];
    char uuid[37];
    int64_t cast_utc;
    int utc_offset;
    char unit_code[CONFIG_CODE_MAX + 1];
    char unit_name[CONFIG_NAME_MAX_CHARS * 4 + 1];
    int points;
    int flagged;
} salv_row;

typedef struct salv_ctx {
    salv_row *rows;
    size_t n, cap;
    char meta_instance[33];
    int meta_rank;          /* rank of meta_instance, -1 when none */
    int oom;
} salv_ctx;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* A SQLite varint at p (before end): returns its length, 0 if cut short. */
static int get_varint(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int i = 0; i < 9; i++) {
        if (p + i >= end)
            return 0;
        if (i == 8) {
            *v = (x << 8) | p[i];
            return 9;
        }
        x = (x << 7) | (p[i] & 0x7F);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* Splits a record into columns; -1 unless it is exactly well formed. */
static int parse_record(const unsigned char *p, size_t len, salv_col *cols, int *ncols)
{
    static const int int_size[7] = {0, 1, 2, 3, 4, 6, 8};
    const unsigned char *end = p + len;
    uint64_t hlen;
    int k = get_varint(p, end, &hlen);
    if (!k || hlen < (uint64_t)k || hlen > len)
        return -1;
    const unsigned char *h = p + k, *hend = p + hlen, *body = hend;
    int n = 0;
    while (h < hend) {
        uint64_t type;
        int m = get_varint(h, hend, &type);
        if (!m || n >= SALV_COLS)
            return -1;
        h += m;
        salv_col *c = &cols[n++];
        size_t size;
        c->t = NULL;
        c->n = 0;
        c->i = 0;
        if (type == 0) {
            c->type = 0;
            size = 0;
        } else if (type <= 6) {
            c->type = 1;
            size = (size_t)int_size[type];
        } else if (type == 7) {
            c->type = 3;
            size = 8;
        } else if (type == 8 || type == 9) {
            c->type = 1;
            c->i = type == 9;
            size = 0;
        } else if (type >= 12) {
            c->type = type % 2 ? 2 : 3;
            size = (size_t)((type - (type % 2 ? 13 : 12)) / 2);
        } else {
            return -1;
        }
        if (size > (size_t)(end - body))
            return -1;
        if (c->type == 1 && size > 0) {
            uint64_t u = body[0] & 0x80 ? UINT64_MAX : 0; /* sign-extend */
            for (size_t b = 0; b < size; b++)
                u = (u << 8) | body[b];
            c->i = (int64_t)u;
        } else if (c->type == 2 || c->type == 3) {
            c->t = body;
            c->n = size;
        }
        body += size;
    }
    if (body != end)
        return -1;
    *ncols = n;
    return 0;
}

/* The hex checks of hexid.h on a record's bytes. */
static int is_hex_lower(const unsigned char *s, size_t n)
{
    return hexid_is_lower((const char *)s, n);
}

static int is_uuid(const unsigned char *s, size_t n)
{
    return hexid_is_uuid((const char *)s, n);
}

/* Copies a text column into buf as a C string; 0 if it does not fit or has
 * a NUL byte. */
static int col_text(const salv_col *c, char *buf, size_t len)
{
    if (c->type != 2 || c->n >= len || memchr(c->t, 0, c->n))
        return 0;
    memcpy(buf, c->t, c->n);
    buf[c->n] = '\0';
    return 1;
}

/* Takes a record if it is a vote (or the meta table's instance row). */
static void take_record(salv_ctx *x, int64_t rowid, const unsigned char *p, size_t len, int rank)
{
    salv_col c[SALV_COLS];
    int n;
    if (parse_record(p, len, c, &n) < 0)
        return;
    if (n == 2) {
        if (c[0].type == 2 && c[0].n == 8 && memcmp(c[0].t, "instance", 8) == 0 &&
            c[1].type == 2 && c[1].n == 32 && is_hex_lower(c[1].t, 32) && rank > x->meta_rank) {
            memcpy(x->meta_instance, c[1].t, 32);
            x->meta_instance[32] = '\0';
            x->meta_rank = rank;
        }
        return;
    }
    if (n != 10 || rowid <= 0)
        return;
    salv_row r = {.seq = rowid, .rank = rank};
    if (c[0].type != 0 || c[1].type != 2 || c[1].n != 32 || !is_hex_lower(c[1].t, 32) ||
        c[2].type != 2 || !is_uuid(c[2].t, c[2].n) || c[3].type != 1 || c[4].type != 1 ||
        c[7].type != 1 || c[9].type != 1 || c[8].type != 2 || c[8].n != 5 ||
        memcmp(c[8].t, "kiosk", 5) != 0)
        return;
    if (c[4].i % 60 != 0 || c[4].i > CLOCK_UTC_OFFSET_MAX ||
        c[4].i < -CLOCK_UTC_OFFSET_MAX ||
        !rating_by_points((int)c[7].i) || c[7].i != (int)c[7].i || (c[9].i != 0 && c[9].i != 1))
        return;
    if (!col_text(&c[1], r.instance, sizeof r.instance) ||
        !col_text(&c[2], r.uuid, sizeof r.uuid) ||
        !col_text(&c[5], r.unit_code, sizeof r.unit_code) ||
        !col_text(&c[6], r.unit_name, sizeof r.unit_name) ||
        config_check_unit_code(r.unit_code, NULL) < 0 ||
        config_check_unit_name(r.unit_name, NULL) < 0)
        return;
    r.cast_utc = c[3].i;
    r.utc_offset = (int)c[4].i;
    r.points = (int)c[7].i;
    r.flagged = (int)c[9].i;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        salv_row *rows = realloc(x->rows, cap * sizeof *rows);
        if (!rows) {
            x->oom = 1;
            return;
        }
        x->rows = rows;
        x->cap = cap;
    }
    x->rows[x->n++] = r;
}

/* Reads the cells of one page if it is a table leaf.  avail: the bytes of
 * it that exist (a truncated file's last page may be short). */
static void scan_page(salv_ctx *x, const unsigned char *pg, size_t avail, size_t usable,
                      int page1, int rank)
{
    size_t h = page1 ? 100 : 0, limit = usable < avail ? usable : avail;
    if (limit < h + 8 || pg[h] != 0x0D)
        return;
    size_t ncell = be16(pg + h + 3), first = h + 8 + 2 * ncell;
    if (first > limit)
        return;
    for (size_t i = 0; i < ncell; i++) {
        size_t off = be16(pg + h + 8 + 2 * i);
        if (off < first || off >= limit)
            continue;
        const unsigned char *cell = pg + off, *end = pg + limit;
        uint64_t size, rowid;
        int k = get_varint(cell, end, &size);
        if (!k)
            continue;
        int m = get_varint(cell + k, end, &rowid);
        if (!m || size > usable - 35) /* larger records spill to overflow pages */
            continue;
        const unsigned char *payload = cell + k + m;
        if (size > (uint64_t)(end - payload))
            continue;
        take_record(x, (int64_t)rowid, payload, (size_t)size, rank);
    }
}

/* WAL checksum (SQLite's walChecksumBytes) over n bytes, n a multiple of 8. */
static void wal_checksum(int big_endian, const unsigned char *p, size_t n, uint32_t s[2])
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t a, b;
        if (big_endian) {
            a = be32(p + i);
            b = be32(p + i + 4);
        } else {
            a = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                (uint32_t)p[i + 3] << 24;
            b = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
                (uint32_t)p[i + 7] << 24;
        }
        s[0] += a + s[1];
        s[1] += b + s[0];
    }
}

static int valid_page_size(uint32_t ps)
{
    return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

/* The page size a WAL header gives, or 0. */
static uint32_t wal_page_size(const unsigned char *wal, size_t len)
{
    if (len < 32 || (be32(wal) & 0xFFFFFFFE) != 0x377F0682)
        return 0;
    uint32_t ps = be32(wal + 8);
    return valid_page_size(ps) ? ps : 0;
}

/* Scans the committed frames of a WAL of page size ps; returns how many. */
static int scan_wal(salv_ctx *x, const unsigned char *wal, size_t len, uint32_t ps,
                    size_t reserved)
{
    if (wal_page_size(wal, len) != ps)
        return 0;
    int big = be32(wal) & 1;
    uint32_t s[2] = {0, 0};
    wal_checksum(big, wal, 24, s);
    if (s[0] != be32(wal + 24) || s[1] != be32(wal + 28))
        return 0;
    uint32_t salt1 = be32(wal + 16), salt2 = be32(wal + 20);
    size_t frame = 24 + (size_t)ps;
    long last_commit = -1, nframes = 0;
    for (size_t off = 32; off + frame <= len; off += frame, nframes++) {
        const unsigned char *fh = wal + off;
        if (be32(fh + 8) != salt1 || be32(fh + 12) != salt2)
            break;
        wal_checksum(big, fh, 8, s);
        wal_checksum(big, fh + 24, ps, s);
        if (s[0] != be32(fh + 16) || s[1] != be32(fh + 20))
            break;
        if (be32(fh + 4) != 0)
            last_commit = nframes;
    }
    for (long i = 0; i <= last_commit; i++) {
        const unsigned char *fh = wal + 32 + (size_t)i * frame;
        scan_page(x, fh + 24, ps, ps - reserved, be32(fh) == 1, (int)i + 1);
    }
    return (int)(last_commit + 1);
}

static void scan_db(salv_ctx *x, const unsigned char *db, size_t len, uint32_t ps,
                    size_t reserved)
{
    for (size_t off = 0; off < len; off += ps) {
        size_t avail = len - off < ps ? len - off : ps;
        scan_page(x, db + off, avail, ps - reserved, off == 0, 0);
    }
}

/* Reads a whole file (at most 1 GiB) without following a symbolic link.
 * Returns 1 and *buf (malloc'd), 0 when it does not exist, -1 on error. */
static int slurp(const char *path, unsigned char **buf, size_t *len, mp_err *err)
{
    char *p = NULL;
    int rc = fs_read_file(path, (size_t)1 << 30, FS_READ_MISSING_OK, &p, len, err);
    if (rc < 0)
        return mp_wrap(err, "%s", path);
    *buf = (unsigned char *)p;
    return rc;
}

static int cmp_rows(const void *pa, const void *pb)
{
    const salv_row *a = pa, *b = pb;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return b->rank - a->rank; /* the newest copy first */
}

/* A row's instance id and where it was read, for counting. */
typedef struct salv_ref {
    const char *instance;
    size_t at;
} salv_ref;

/* Orders by instance id, then by where the row was read. */
static int cmp_refs(const void *pa, const void *pb)
{
    const salv_ref *a = pa, *b = pb;
    int c = strcmp(a->instance, b->instance);
    if (c)
        return c;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* The instance id most rows carry (the one read first among equals) into
 * instance; "" when there are no rows.  One sort and one pass: O(n log n).
 * Returns 0, or -1 when out of memory. */
static int most_common_instance(const salv_ctx *x, char instance[33])
{
    instance[0] = '\0';
    if (x->n == 0)
        return 0;
    salv_ref *r = malloc(x->n * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < x->n; i++)
        r[i] = (salv_ref){x->rows[i].instance, i};
    qsort(r, x->n, sizeof *r, cmp_refs);
    size_t best = 0, best_at = 0;
    for (size_t i = 0; i < x->n;) {
        size_t j = i + 1;
        while (j < x->n && strcmp(r[j].instance, r[i].instance) == 0)
            j++;
        /* r[i] is where this instance was first read. */
        if (j - i > best || (j - i == best && r[i].at < best_at)) {
            best = j - i;
            best_at = r[i].at;
        }
        i = j;
    }
    memcpy(instance, x->rows[best_at].instance, 33);
    free(r);
    return 0;
}

static void salv_scan(salv_ctx *x, const unsigned char *db, size_t dblen,
                      const unsigned char *wal, size_t wallen, uint32_t ps, size_t reserved,
                      int *frames)
{
    *frames = scan_wal(x, wal, wallen, ps, reserved);
    scan_db(x, db, dblen, ps, reserved);
}

int store_open_salvage(const char *path, store **out, store_salvage_info *info, mp_err *err)
{
    *out = NULL;
    char walpath[4200];
    if (snprintf(walpath, sizeof walpath, "%s-wal", path) >= (int)sizeof walpath)
        return mp_fail(err, "path too long: %s", path);
    unsigned char *db = NULL, *wal = NULL;
    size_t dblen = 0, wallen = 0;
    int hd = slurp(path, &db, &dblen, err);
    if (hd < 0)
        return -1;
    int hw = slurp(walpath, &wal, &wallen, err);
    if (hw < 0) {
        free(db);
        return -1;
    }
    if (!hd && !hw)
        return mp_fail(err, "%s: no such file", path);
    int rc = store_salvage_bytes(db, dblen, wal, wallen, path, out, info, err);
    free(db);
    free(wal);
    return rc;
}

int store_salvage_bytes(const unsigned char *db, size_t dblen, const unsigned char *wal,
                        size_t wallen, const char *path, store **out, store_salvage_info *info,
                        mp_err *err)
{
    *out = NULL;
    store_salvage_info in = {0};

    /* The page size: the database header's, else the WAL's, else whichever
     * common size reads the most votes. */
    uint32_t ps = 0;
    size_t reserved = 0;
    if (dblen >= 100 && memcmp(db, "SQLite format 3", 16) == 0) {
        uint32_t h = be16(db + 16);
        ps = h == 1 ? 65536 : h;
        reserved = db[20];
        if (!valid_page_size(ps) || reserved > ps / 4) {
            ps = 0;
            reserved = 0;
        }
    }
    if (!ps)
        ps = wal_page_size(wal, wallen);
    salv_ctx x = {.meta_rank = -1};
    int frames = 0;
    if (ps) {
        salv_scan(&x, db, dblen, wal, wallen, ps, reserved, &frames);
    } else {
        static const uint32_t sizes[] = {4096, 1024, 2048, 8192, 16384, 32768, 65536, 512};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            salv_ctx y = {.meta_rank = -1};
            int f = 0;
            salv_scan(&y, db, dblen, wal, wallen, sizes[i], 0, &f);
            if (!ps || y.n > x.n) {
                free(x.rows);
                x = y;
                ps = sizes[i];
                frames = f;
            } else {
                free(y.rows);
            }
        }
    }
    if (x.oom) {
        free(x.rows);
        return mp_fail(err, "out of memory reading %s", path);
    }
    in.page_size = (int)ps;
    in.wal_frames = frames;

    /* Which instance: the meta table's, else the one most votes carry. */
    if (x.meta_rank >= 0) {
        snprintf(in.instance, sizeof in.instance, "%s", x.meta_instance);
    } else if (most_common_instance(&x, in.instance) < 0) {
        free(x.rows);
        return mp_fail(err, "out of memory reading %s", path);
    }
    if (x.n > 0) /* qsort wants a real array even for no elements */
        qsort(x.rows, x.n, sizeof *x.rows, cmp_rows);

    store *s = calloc(1, sizeof *s);
    if (!s) {
        free(x.rows);
        return mp_fail(err, "out of memory");
    }
    sqlite3_stmt *ins = NULL;
    char sql[200];
    if (sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        mp_fail(err, "out of memory");
        goto fail;
    }
    snprintf(sql, sizeof sql, "INSERT INTO meta(key, value) VALUES ('instance', '%s')",
             in.instance);
    if (migrate_apply(s->db, kiosk_migrations, err) < 0 || store_exec(s->db, "BEGIN", err) < 0 ||
        (in.instance[0] && store_exec(s->db, sql, err) < 0))
        goto fail;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO votes(seq, instance, uuid, cast_utc, utc_offset, "
                           "unit_code, unit_name, points, channel, flagged) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'kiosk', ?9)",
                           -1, &ins, NULL) != SQLITE_OK) {
        mp_fail(err, "%s", sqlite3_errmsg(s->db));
        goto fail;
    }
    for (size_t i = 0; i < x.n; i++) {
        const salv_row *r = &x.rows[i];
        if (i > 0 && r->seq == x.rows[i - 1].seq)
            continue; /* an older copy of the same vote */
        if (strcmp(r->instance, in.instance) != 0) {
            in.other_instance++;
            continue;
        }
        sqlite3_bind_int64(ins, 1, r->seq);
        sqlite3_bind_text(ins, 2, r->instance, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, r->uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, r->cast_utc);
        sqlite3_bind_int(ins, 5, r->utc_offset);
        sqlite3_bind_text(ins, 6, r->unit_code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, r->unit_name, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 8, r->points);
        sqlite3_bind_int(ins, 9, r->flagged);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc == SQLITE_DONE) {
            if (!in.rows)
                in.first_seq = r->seq;
            in.last_seq = r->seq;
            in.rows++;
        } else if ((rc & 0xFF) != SQLITE_CONSTRAINT) { /* a uuid seen twice: not a vote */
            mp_fail(err, "%s", sqlite3_errmsg(s->db));
            goto fail;
        }
    }
    sqlite3_finalize(ins);
    ins = NULL;
    if (store_exec(s->db, "COMMIT", err) < 0 || store_exec(s->db, "PRAGMA query_only = 1", err) < 0)
        goto fail;
    free(x.rows);
    x.rows = NULL;
    if (in.rows == 0) {
        store_close(s);
        return mp_fail(err, "%s: no vote could be read from it", path);
    }
    in.missing = in.last_seq - in.first_seq + 1 - in.rows;
    snprintf(s->instance, sizeof s->instance, "%s", in.instance);
    if (info)
        *info = in;
    *out = s;
    return 0;
fail:
    sqlite3_finalize(ins);
    free(x.rows);
    store_close(s);
    return mp_wrap(err, "reading the votes of %s", path);
}

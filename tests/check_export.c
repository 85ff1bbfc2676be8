/* check_export.c - the signed vote export: written from a real store and
 * read back (every column, odd unit names, no votes at all), the file's
 * exact layout and name (byte for byte, across the writer's buffer), the
 * store's snapshot walk, writing failures that must leave no file (also
 * when the written file cannot be mapped to be signed), and export_read
 * refusing every kind of damaged, foreign or malformed file with its own
 * sentence.  Every test gets a fresh store and export folder. */
#define _GNU_SOURCE /* syscall */
#include "config.h"
#include "export.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HASH "$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4"
#define BOM "\xEF\xBB\xBF"
#define HEADER "终端编号,数据库实例,序号,唯一编号,投票时间(UTC),当地时间,时区,单位代码,单位名称,评价,分值,渠道,疑似刷票"
#define NOW INT64_C(1795768205) /* 2026-11-27T08:30:05Z */
#define ODD_NAME "县\"公安\",局"  /* a comma and double quotes */
#define NAME24 "一二三四五六七八九十一二三四五六七八九十一二三四"

static const char INI[] = "[kiosk]\n"
                          "id = room-01\n"
                          "survey_url = https://s.example/q\n"
                          "pin_hash = " HASH "\n"
                          "[units]\n"
                          "A01 = 县政务服务中心\n";

static char *dir;     /* this test's folder */
static char *out_dir; /* dir/out: where exports go */
static char *db_path;
static store *st;
static kiosk_config *cfg;
static sign_key key;  /* the kiosk's key */

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    out_dir = tu_path(dir, "out");
    ck_assert_int_eq(mkdir(out_dir, 0755), 0);
    db_path = tu_path(dir, "kiosk.db");
    mp_err err = {{0}};
    ck_assert_msg(store_open(db_path, &st, &err) == 0, "store_open: %s", err.msg);
    ck_assert_msg(config_parse(INI, strlen(INI), "test.ini", dir, &cfg, &err) == 0,
                  "config_parse: %s", err.msg);
    ck_assert_msg(sign_keygen(&key, &err) == 0, "sign_keygen: %s", err.msg);
    /* File names use local time: make it UTC+8 whatever the machine says. */
    ck_assert_int_eq(setenv("TZ", "UTC-8", 1), 0);
    tzset();
}

static void teardown(void)
{
    store_close(st);
    config_free(cfg);
    sign_key_wipe(&key);
    free(db_path);
    free(out_dir);
    free(dir);
}

/* ---- helpers: keys the office knows ---- */

typedef struct keyset {
    int n;
    const char *kiosk[4];
    const sign_key *key[4];
    int fail;     /* 1: the lookup itself fails */
    int calls;
} keyset;

static int lookup(void *user, const char *kiosk_id, const char *key_id,
                  unsigned char pk[SIGN_PK_BYTES], mp_err *err)
{
    keyset *ks = user;
    ks->calls++;
    if (ks->fail)
        return mp_fail(err, "the office database is locked");
    int kiosk_known = 0;
    for (int i = 0; i < ks->n; i++)
        if (strcmp(ks->kiosk[i], kiosk_id) == 0) {
            kiosk_known = 1;
            if (strcmp(ks->key[i]->id, key_id) == 0) {
                memcpy(pk, ks->key[i]->pk, SIGN_PK_BYTES);
                return EXPORT_KEY_FOUND;
            }
        }
    return kiosk_known ? EXPORT_KEY_OTHER : EXPORT_KEY_NO_KIOSK;
}

/* The office that knows the kiosk's key. */
static keyset office(void)
{
    keyset ks = {.n = 1, .kiosk = {"room-01"}, .key = {&key}};
    return ks;
}

/* ---- helpers: rows delivered by export_read ---- */

typedef struct got_row {
    char kiosk[CONFIG_ID_MAX + 1], instance[33], uuid[37], unit_code[64], unit_name[128],
        channel[16];
    int64_t seq, cast_utc;
    int utc_offset, points, flagged;
} got_row;

typedef struct rows {
    got_row r[6000];
    size_t n;
    size_t stop_at; /* 1-based row at which collect fails; 0: never */
} rows;

static int collect(void *user, const export_row *row, mp_err *err)
{
    rows *rs = user;
    if (rs->stop_at && rs->n + 1 == rs->stop_at)
        return mp_fail(err, "the ledger is full");
    ck_assert_uint_lt(rs->n, sizeof rs->r / sizeof rs->r[0]);
    got_row *g = &rs->r[rs->n++];
    snprintf(g->kiosk, sizeof g->kiosk, "%s", row->kiosk_id);
    snprintf(g->instance, sizeof g->instance, "%s", row->instance);
    snprintf(g->uuid, sizeof g->uuid, "%s", row->uuid);
    snprintf(g->unit_code, sizeof g->unit_code, "%s", row->unit_code);
    snprintf(g->unit_name, sizeof g->unit_name, "%s", row->unit_name);
    snprintf(g->channel, sizeof g->channel, "%s", row->channel);
    g->seq = row->seq;
    g->cast_utc = row->cast_utc;
    g->utc_offset = row->utc_offset;
    g->points = row->points;
    g->flagged = row->flagged;
    return 0;
}

static rows *rows_new(void)
{
    rows *rs = calloc(1, sizeof *rs);
    ck_assert_ptr_nonnull(rs);
    return rs;
}

/* The store's own rows, through store_each_vote. */
static int from_store(void *user, const store_vote_row *v)
{
    rows *rs = user;
    got_row *g = &rs->r[rs->n++];
    snprintf(g->instance, sizeof g->instance, "%s", v->instance);
    snprintf(g->uuid, sizeof g->uuid, "%s", v->uuid);
    snprintf(g->unit_code, sizeof g->unit_code, "%s", v->unit_code);
    snprintf(g->unit_name, sizeof g->unit_name, "%s", v->unit_name);
    snprintf(g->channel, sizeof g->channel, "%s", v->channel);
    g->seq = v->seq;
    g->cast_utc = v->cast_utc;
    g->utc_offset = v->utc_offset;
    g->points = v->points;
    g->flagged = v->flagged;
    return 0;
}

/* ---- helpers: writing ---- */

static store_vote add(const char *code, const char *name, int points, int flagged,
                      int64_t utc, int offset)
{
    store_vote v;
    mp_err err = {{0}};
    ck_assert_msg(store_add_vote(st, code, name, points, flagged, utc, offset, &v, &err) == 0,
                  "store_add_vote: %s", err.msg);
    return v;
}

/* Adds a vote the store itself would refuse (as an older program or another
 * tool might have written it), straight into the database file. */
static void add_raw(const char *code, const char *name, int points, int64_t utc, int offset)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, "
                                        "unit_code, unit_name, points) VALUES (?1, "
                                        "'0c6b4a2e-1d3f-4b5a-8c7d-9e0f1a2b3c4d', ?2, ?3, ?4, ?5, ?6)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, store_instance(st), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, utc);
    sqlite3_bind_int(q, 3, offset);
    sqlite3_bind_text(q, 4, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 6, points);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Exports into out_dir at time now; returns the file's bytes. */
static char *export_ok(int64_t now, size_t *len, char **path_out)
{
    char *path = NULL;
    int64_t n = -1;
    mp_err err = {{0}};
    ck_assert_msg(export_write(st, cfg, &key, out_dir, now, &path, &n, &err) == 0,
                  "export_write: %s", err.msg);
    ck_assert_ptr_nonnull(path);
    int64_t count = -1;
    ck_assert_int_eq(store_vote_count(st, &count, NULL), 0);
    ck_assert_int_eq(n, count);
    char *buf = tu_read_file(path, len);
    ck_assert_ptr_nonnull(buf);
    if (path_out)
        *path_out = path;
    else
        free(path);
    return buf;
}

/* Names in folder d other than . and .., newline-separated, sorted by the
 * file system (the tests only count them or look for one). */
static int count_entries(const char *d)
{
    DIR *dp = opendir(d);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

/* ---- helpers: reading ---- */

static void read_ok(const char *buf, size_t len, keyset *ks, export_meta *meta, rows *rs)
{
    mp_err err = {{0}};
    ck_assert_msg(export_read(buf, len, lookup, ks, meta, collect, rs, &err) == 0,
                  "export_read: %s", err.msg);
}

/* export_read must fail with exactly `want` (one line) and deliver no row
 * when `no_rows`. */
static void expect_reject_rows(const char *buf, size_t len, keyset *ks, const char *want,
                               int no_rows)
{
    rows *rs = rows_new();
    export_meta meta;
    mp_err err = {{0}};
    ck_assert_int_eq(export_read(buf, len, lookup, ks, &meta, collect, rs, &err), -1);
    ck_assert_msg(strcmp(err.msg, want) == 0, "message\n  \"%s\"\nexpected\n  \"%s\"", err.msg,
                  want);
    if (no_rows)
        ck_assert_msg(rs->n == 0, "%zu rows delivered from a refused file", rs->n);
    free(rs);
}

static void expect_reject(const char *buf, size_t len, keyset *ks, const char *want)
{
    expect_reject_rows(buf, len, ks, want, 1);
}

static void expect_reject_str(const char *buf, const char *want)
{
    keyset ks = office();
    expect_reject(buf, strlen(buf), &ks, want);
}

/* A file made by hand: `body` (everything before the signature line), then
 * "#签名," sig_fields "," and the signature by k over all that, CRLF.
 * For testing what a correctly signed but malformed file does. */
static char *sign_body(const sign_key *k, const char *body, const char *sig_fields, size_t *len)
{
    size_t n = strlen(body) + strlen(sig_fields) + 200;
    char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    int m = snprintf(buf, n, "%s#签名,%s,", body, sig_fields);
    unsigned char sig[SIGN_BYTES];
    sign_detached(k, buf, (size_t)m, sig);
    sodium_bin2base64(buf + m, n - (size_t)m, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    strcat(buf, "\r\n");
    *len = strlen(buf);
    return buf;
}

#define INST "0123456789abcdef0123456789abcdef"
#define UUID "123e4567-e89b-42d3-a456-426614174000"
#define TIMES "2026-11-27T08:30:05Z,2026-11-27 16:30:05,+08:00,"
#define UNIT "A01,县政务服务中心,"
#define RATE "非常满意,10,kiosk,0"
#define ROW(seq) "room-01," INST "," #seq "," UUID "," TIMES UNIT RATE "\r\n"
#define HEAD BOM HEADER "\r\n"

/* The usual signature line fields (before the signature itself). */
static void sig_fields(char *out, size_t len, const char *counts)
{
    snprintf(out, len, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,%s,%s", counts,
             key.id);
}

/* A hand-made file with the given rows, signed by the kiosk's key. */
static char *signed_rows(const char *rows_text, const char *counts, size_t *len)
{
    char body[4096], fields[512];
    snprintf(body, sizeof body, HEAD "%s", rows_text);
    sig_fields(fields, sizeof fields, counts);
    return sign_body(&key, body, fields, len);
}

/* ---- writing and reading back ---- */

START_TEST(test_round_trip)
{
    /* Every rating, flags, odd offsets (Nepal +05:45, Marquesas -09:30,
     * the extremes ±14:00), a day change, a unit name with a comma and
     * double quotes, the longest name. */
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    add("GA01", ODD_NAME, 8, 1, NOW + 1, 20700);
    add("A01", "县政务服务中心", 6, 0, NOW + 2, -34200);
    add("B-2_x", NAME24, 0, 1, NOW + 60, 14 * 3600);
    add("A01", "县政务服务中心", 0, 0, 0, -14 * 3600);
    add("A01", "县政务服务中心", 10, 0, NOW + 86400 * 400, 0);

    size_t len = 0;
    char *buf = export_ok(NOW + 100, &len, NULL);
    keyset ks = office();
    export_meta meta;
    rows *got = rows_new(), *want = rows_new();
    read_ok(buf, len, &ks, &meta, got);
    mp_err err = {{0}};
    ck_assert_msg(store_each_vote(st, from_store, want, &err) == 0, "%s", err.msg);

    ck_assert_str_eq(meta.kiosk_id, "room-01");
    ck_assert_str_eq(meta.instance, store_instance(st));
    ck_assert_int_eq(meta.exported_utc, NOW + 100);
    ck_assert_int_eq(meta.rows, 6);
    ck_assert_int_eq(meta.first_seq, 1);
    ck_assert_int_eq(meta.last_seq, 6);
    ck_assert_str_eq(meta.key_id, key.id);

    ck_assert_uint_eq(got->n, 6);
    ck_assert_uint_eq(want->n, 6);
    for (size_t i = 0; i < 6; i++) {
        const got_row *g = &got->r[i], *w = &want->r[i];
        ck_assert_str_eq(g->kiosk, "room-01");
        ck_assert_str_eq(g->instance, w->instance);
        ck_assert_int_eq(g->seq, w->seq);
        ck_assert_str_eq(g->uuid, w->uuid);
        ck_assert_int_eq(g->cast_utc, w->cast_utc);
        ck_assert_int_eq(g->utc_offset, w->utc_offset);
        ck_assert_str_eq(g->unit_code, w->unit_code);
        ck_assert_str_eq(g->unit_name, w->unit_name);
        ck_assert_int_eq(g->points, w->points);
        ck_assert_str_eq(g->channel, "kiosk");
        ck_assert_int_eq(g->flagged, w->flagged);
    }
    ck_assert_str_eq(got->r[1].unit_name, ODD_NAME);
    ck_assert_int_eq(got->r[4].cast_utc, 0);
    ck_assert_int_eq(got->r[4].utc_offset, -14 * 3600);
    free(got);
    free(want);
    free(buf);
}
END_TEST

START_TEST(test_layout)
{
    store_vote v1 = add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    store_vote v2 = add("GA01", ODD_NAME, 6, 1, NOW + 59, -20700);
    size_t len = 0;
    char *buf = export_ok(NOW + 3600, &len, NULL);
    const char *inst = store_instance(st);

    char want[4096];
    int n = snprintf(want, sizeof want,
                     BOM HEADER "\r\n"
                     "room-01,%s,1,%s,2026-11-27T08:30:05Z,2026-11-27 16:30:05,+08:00,A01,"
                     "县政务服务中心,非常满意,10,kiosk,0\r\n"
                     "room-01,%s,2,%s,2026-11-27T08:31:04Z,2026-11-27 02:46:04,-05:45,GA01,"
                     "\"县\"\"公安\"\",局\",一般,6,kiosk,1\r\n"
                     "#签名,minping-export-v1,room-01,%s,2026-11-27T09:30:05Z,2,1,2,%s,",
                     inst, v1.uuid, inst, v2.uuid, inst, key.id);
    ck_assert_int_lt(n, (int)sizeof want);
    ck_assert_uint_eq(len, (size_t)n + 88 + 2);
    ck_assert_msg(memcmp(buf, want, (size_t)n) == 0, "file:\n%s\nexpected:\n%s", buf, want);
    ck_assert_mem_eq(buf + len - 2, "\r\n", 2);

    /* The signature covers every byte before it. */
    unsigned char sig[SIGN_BYTES];
    size_t got = 0;
    ck_assert_int_eq(sodium_base642bin(sig, sizeof sig, buf + n, 88, NULL, &got, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(got, SIGN_BYTES);
    ck_assert_int_eq(sign_verify(key.pk, buf, (size_t)n, sig), 1);
    free(buf);
}
END_TEST

START_TEST(test_file_name)
{
    add("A01", "县政务服务中心", 8, 0, NOW, 28800);
    char *path = NULL;
    size_t len = 0;
    char *buf = export_ok(NOW, &len, &path);
    /* Local time (UTC+8 here) of the moment of export. */
    char want[512];
    snprintf(want, sizeof want, "%s/minping-room-01-%.8s-20261127-163005.csv", out_dir,
             store_instance(st));
    ck_assert_str_eq(path, want);
    ck_assert(tu_exists(path));
    /* Only the export is left in the folder: no temporary file. */
    ck_assert_int_eq(count_entries(out_dir), 1);
    struct stat sb;
    ck_assert_int_eq(lstat(path, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode));
    free(buf);
    free(path);

    /* A folder given with a trailing slash does not double it. */
    char *slashed = malloc(strlen(out_dir) + 2);
    ck_assert_ptr_nonnull(slashed);
    sprintf(slashed, "%s/", out_dir);
    mp_err err = {{0}};
    ck_assert_msg(export_write(st, cfg, &key, slashed, NOW + 1, &path, NULL, &err) == 0, "%s",
                  err.msg);
    snprintf(want, sizeof want, "%s/minping-room-01-%.8s-20261127-163006.csv", out_dir,
             store_instance(st));
    ck_assert_str_eq(path, want);
    free(path);
    free(slashed);
}
END_TEST

START_TEST(test_zero_votes)
{
    size_t len = 0;
    char *buf = export_ok(NOW, &len, NULL);
    char want[512];
    int n = snprintf(want, sizeof want,
                     BOM HEADER "\r\n#签名,minping-export-v1,room-01,%s,2026-11-27T08:30:05Z,0,0,0,"
                                "%s,",
                     store_instance(st), key.id);
    ck_assert_uint_eq(len, (size_t)n + 90);
    ck_assert_mem_eq(buf, want, (size_t)n);
    keyset ks = office();
    export_meta meta;
    rows *rs = rows_new();
    read_ok(buf, len, &ks, &meta, rs);
    ck_assert_uint_eq(rs->n, 0);
    ck_assert_int_eq(meta.rows, 0);
    ck_assert_int_eq(meta.first_seq, 0);
    ck_assert_int_eq(meta.last_seq, 0);
    free(rs);
    free(buf);
}
END_TEST

START_TEST(test_cumulative)
{
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    size_t len1 = 0, len2 = 0;
    char *first = export_ok(NOW, &len1, NULL);
    add("A01", "县政务服务中心", 8, 0, NOW + 5, 28800);
    add("A01", "县政务服务中心", 6, 0, NOW + 6, 28800);
    char *second = export_ok(NOW + 10, &len2, NULL);
    ck_assert_int_eq(count_entries(out_dir), 2);
    keyset ks = office();
    export_meta m1, m2;
    rows *r1 = rows_new(), *r2 = rows_new();
    read_ok(first, len1, &ks, &m1, r1);
    read_ok(second, len2, &ks, &m2, r2);
    ck_assert_uint_eq(r1->n, 1);
    ck_assert_uint_eq(r2->n, 3);
    ck_assert_str_eq(r1->r[0].uuid, r2->r[0].uuid);
    ck_assert_int_eq(m2.last_seq, 3);
    free(r1);
    free(r2);
    free(first);
    free(second);
}
END_TEST

START_TEST(test_many_votes)
{
    mp_err err = {{0}};
    for (int i = 0; i < 5000; i++)
        ck_assert_int_eq(store_add_vote(st, i % 2 ? "A01" : "GA01", i % 2 ? "县政务服务中心" : ODD_NAME,
                                        RATINGS[i % 4].points, i % 7 == 0, NOW + i, 28800, NULL,
                                        &err),
                         0);
    size_t len = 0;
    char *buf = export_ok(NOW + 9000, &len, NULL);
    keyset ks = office();
    export_meta meta;
    rows *rs = rows_new();
    read_ok(buf, len, &ks, &meta, rs);
    ck_assert_uint_eq(rs->n, 5000);
    ck_assert_int_eq(rs->r[4999].seq, 5000);
    ck_assert_int_eq(rs->r[4999].cast_utc, NOW + 4999);
    ck_assert_str_eq(rs->r[4998].unit_name, ODD_NAME);
    free(rs);
    free(buf);
}
END_TEST

/* ---- the writer's buffer ---- */

/* One field as the export writes it: quoted only when it must be. */
static void expect_field(FILE *f, const char *s, const char *end)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(end, f);
}

static void expect_time(FILE *f, int64_t t, char sep, const char *zulu)
{
    time_t tt = (time_t)t;
    struct tm tm;
    ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
    fprintf(f, "%04d-%02d-%02d%c%02d:%02d:%02d%s,", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            sep, tm.tm_hour, tm.tm_min, tm.tm_sec, zulu);
}

START_TEST(test_buffer_boundaries)
{
    /* Enough votes (about 900 KB) to fill the writer's 256 KiB buffer three
     * times, with odd names, codes, offsets and every rating, put straight
     * into the database in one transaction.  The file must be, byte for
     * byte, what the format says, made here independently (snprintf, as
     * the writer used to): the same bytes signed give the same signature. */
    enum { N = 5000 };
    static const char *const codes[] = {"A01", "GA-01", "z_9", "U0001"};
    static const char *const names[] = {"县政务服务中心", ODD_NAME, NAME24, "x,y", "\"q\"", "A"};
    static const int offsets[] = {28800, -12600, 20700, 0, 50400, -50400};
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "INSERT INTO votes(instance, uuid, cast_utc, utc_offset, "
                                        "unit_code, unit_name, points, flagged) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    char *body = NULL;
    size_t body_len = 0;
    FILE *f = open_memstream(&body, &body_len);
    ck_assert_ptr_nonnull(f);
    fputs(BOM HEADER "\r\n", f);
    for (int i = 0; i < N; i++) {
        char uuid[37];
        snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-8%03x-%012x", (unsigned)i * 2654435761u,
                 i & 0xffff, i & 0xfff, (i * 7) & 0xfff, (unsigned)i);
        int64_t utc = INT64_C(1000000000) + (int64_t)i * 102947;
        int off = offsets[i % 6], points = RATINGS[i % 4].points, flagged = i % 11 == 0;
        const char *code = codes[i % 4], *name = names[i % 6];
        sqlite3_bind_text(q, 1, store_instance(st), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, uuid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 3, utc);
        sqlite3_bind_int(q, 4, off);
        sqlite3_bind_text(q, 5, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 7, points);
        sqlite3_bind_int(q, 8, flagged);
        ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);

        fprintf(f, "room-01,%s,%d,%s,", store_instance(st), i + 1, uuid);
        expect_time(f, utc, 'T', "Z");
        expect_time(f, utc + off, ' ', "");
        int a = off < 0 ? -off : off;
        fprintf(f, "%c%02d:%02d,", off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
        expect_field(f, code, ",");
        expect_field(f, name, ",");
        fprintf(f, "%s,%d,kiosk,%d\r\n", RATINGS[i % 4].label, points, flagged);
    }
    sqlite3_finalize(q);
    ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    fprintf(f, "#签名,minping-export-v1,room-01,%s,2026-11-27T08:30:05Z,%d,1,%d,%s,",
            store_instance(st), N, N, key.id);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_uint_gt(body_len, 3 * (256 << 10));
    unsigned char sig[SIGN_BYTES];
    char b64[89];
    sign_detached(&key, body, body_len, sig);
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);

    size_t len = 0;
    char *buf = export_ok(NOW, &len, NULL);
    ck_assert_uint_eq(len, body_len + 88 + 2);
    ck_assert_msg(memcmp(buf, body, body_len) == 0, "the export differs from the format");
    ck_assert_msg(memcmp(buf + body_len, b64, 88) == 0 && memcmp(buf + len - 2, "\r\n", 2) == 0,
                  "the signature differs");
    keyset ks = office();
    export_meta meta;
    rows *rs = rows_new();
    read_ok(buf, len, &ks, &meta, rs);
    ck_assert_uint_eq(rs->n, N);
    ck_assert_str_eq(rs->r[N - 1].unit_name, names[(N - 1) % 6]);
    ck_assert_int_eq(rs->r[N - 1].utc_offset, offsets[(N - 1) % 6]);
    free(rs);
    free(buf);
    free(body);
    ck_assert_int_eq(count_entries(out_dir), 1); /* no temporary file left */
}
END_TEST

/* mmap, interposed for test_unmappable: while fail_export_map is set, the
 * export's hidden temporary file cannot be mapped (as on a file system
 * without mmap); every other mapping is made as usual. */
static int fail_export_map;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (fail_export_map && fd >= 0) {
        char link[64], target[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            if (strstr(target, "/.minping-export-")) {
                errno = ENODEV;
                return MAP_FAILED;
            }
        }
    }
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

START_TEST(test_unmappable)
{
    for (int i = 0; i < 50; i++)
        add("A01", "县政务服务中心", 10, 0, NOW + i, 28800);
    fail_export_map = 1;
    char *path = NULL;
    mp_err err = {{0}};
    int rc = export_write(st, cfg, &key, out_dir, NOW, &path, NULL, &err);
    fail_export_map = 0;
    ck_assert_int_eq(rc, -1);
    char want[600];
    snprintf(want, sizeof want, "cannot read back the export written into %s: No such device",
             out_dir);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(path);
    ck_assert_int_eq(count_entries(out_dir), 0); /* nor a temporary file */
    /* The store is as it was, and the next export works. */
    size_t len = 0;
    free(export_ok(NOW + 1, &len, NULL));
    ck_assert_int_eq(count_entries(out_dir), 1);
}
END_TEST

/* ---- the store's walk ---- */

typedef struct walk {
    store *other; /* a second connection that adds a vote mid-walk */
    int seen;
} walk;

static int add_during_walk(void *user, const store_vote_row *v)
{
    walk *w = user;
    (void)v;
    if (w->seen++ == 0) {
        mp_err err = {{0}};
        ck_assert_msg(store_add_vote(w->other, "A01", "县政务服务中心", 10, 0, NOW, 28800, NULL,
                                     &err) == 0,
                      "adding during the walk: %s", err.msg);
    }
    return 0;
}

static int stop_at_two(void *user, const store_vote_row *v)
{
    (void)user;
    return v->seq == 2;
}

START_TEST(test_walk_is_a_snapshot)
{
    for (int i = 0; i < 3; i++)
        add("A01", "县政务服务中心", 10, 0, NOW + i, 28800);
    walk w = {0};
    mp_err err = {{0}};
    ck_assert_msg(store_open(db_path, &w.other, &err) == 0, "%s", err.msg);
    ck_assert_msg(store_each_vote(st, add_during_walk, &w, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(w.seen, 3); /* the vote added meanwhile is not in this walk */
    w.seen = 1;
    ck_assert_int_eq(store_each_vote(st, add_during_walk, &w, &err), 0);
    ck_assert_int_eq(w.seen, 5); /* ...but in the next one */
    store_close(w.other);

    ck_assert_int_eq(store_each_vote(st, stop_at_two, NULL, &err), -1);
    ck_assert_str_eq(err.msg, "stopped by caller");
    /* The store is usable after a stopped walk (its transaction is over). */
    add("A01", "县政务服务中心", 8, 0, NOW, 28800);
}
END_TEST

/* ---- writing failures ---- */

START_TEST(test_missing_folder)
{
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    char *gone = tu_path(dir, "no-such-folder");
    char *path = (char *)"untouched";
    mp_err err = {{0}};
    ck_assert_int_eq(export_write(st, cfg, &key, gone, NOW, &path, NULL, &err), -1);
    char want[600];
    snprintf(want, sizeof want, "cannot open the export folder %s: No such file or directory",
             gone);
    ck_assert_str_eq(err.msg, want);
    ck_assert_str_eq(path, "untouched");
    ck_assert(!tu_exists(gone));
    free(gone);

    /* A file where the folder should be. */
    char *file = tu_path(dir, "a-file");
    tu_write_file(file, "x", 1);
    ck_assert_int_eq(export_write(st, cfg, &key, file, NOW, &path, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "Not a directory"));
    free(file);
}
END_TEST

START_TEST(test_existing_name_is_kept)
{
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    char name[512], base[256];
    snprintf(base, sizeof base, "minping-room-01-%.8s-20261127-163005", store_instance(st));
    snprintf(name, sizeof name, "%s.csv", base);
    char *taken = tu_path(out_dir, name);
    tu_write_file(taken, "keep me", 7);
    char *path = NULL;
    mp_err err = {{0}};
    /* Two exports within the same second: the second gets "-2". */
    ck_assert_msg(export_write(st, cfg, &key, out_dir, NOW, &path, NULL, &err) == 0, "%s",
                  err.msg);
    char want[700];
    snprintf(want, sizeof want, "%s/%s-2.csv", out_dir, base);
    ck_assert_str_eq(path, want);
    free(path);
    char *text = tu_read_file(taken, NULL);
    ck_assert_str_eq(text, "keep me");
    free(text);
    ck_assert_int_eq(count_entries(out_dir), 2); /* no temporary file left */

    /* A symbolic link under the next name is neither followed nor replaced. */
    snprintf(name, sizeof name, "%s-3.csv", base);
    char *link_name = tu_path(out_dir, name);
    char *target = tu_path(dir, "target.csv");
    ck_assert_int_eq(symlink(target, link_name), 0);
    ck_assert_msg(export_write(st, cfg, &key, out_dir, NOW, &path, NULL, &err) == 0, "%s",
                  err.msg);
    snprintf(want, sizeof want, "%s/%s-4.csv", out_dir, base);
    ck_assert_str_eq(path, want);
    free(path);
    ck_assert(!tu_exists(target));
    ck_assert_int_eq(count_entries(out_dir), 4);

    /* Every name taken: refused, nothing replaced, nothing left. */
    for (int n = 5; n <= EXPORT_NAME_TRIES; n++) {
        snprintf(name, sizeof name, "%s-%d.csv", base, n);
        char *p = tu_path(out_dir, name);
        tu_write_file(p, "keep me", 7);
        free(p);
    }
    ck_assert_int_eq(export_write(st, cfg, &key, out_dir, NOW, &path, NULL, &err), -1);
    snprintf(want, sizeof want,
             "%s/%s.csv and %d more names like it already exist; not overwriting any (export "
             "again in a moment)",
             out_dir, base, EXPORT_NAME_TRIES - 1);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(count_entries(out_dir), EXPORT_NAME_TRIES);
    text = tu_read_file(taken, NULL);
    ck_assert_str_eq(text, "keep me");
    free(text);

    /* A second later the name is free. */
    ck_assert_int_eq(export_write(st, cfg, &key, out_dir, NOW + 1, &path, NULL, &err), 0);
    ck_assert_int_eq(count_entries(out_dir), EXPORT_NAME_TRIES + 1);
    free(path);
    free(link_name);
    free(target);
    free(taken);
}
END_TEST

START_TEST(test_full_disk_leaves_nothing)
{
    for (int i = 0; i < 50; i++)
        add("A01", "县政务服务中心", 10, 0, NOW + i, 28800);
    /* The file size limit makes write() fail part-way, as a full stick does. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 1000;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    char *path = NULL;
    mp_err err = {{0}};
    int rc = export_write(st, cfg, &key, out_dir, NOW, &path, NULL, &err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert_int_eq(rc, -1);
    char want[600];
    snprintf(want, sizeof want, "cannot write the export into %s: File too large", out_dir);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(path);
    ck_assert_int_eq(count_entries(out_dir), 0);
    /* And with room again it works. */
    size_t len = 0;
    free(export_ok(NOW, &len, NULL));
}
END_TEST

START_TEST(test_read_only_folder)
{
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    ck_assert_int_eq(chmod(out_dir, 0555), 0);
    mp_err err = {{0}};
    tu_obey_permissions(1); /* root too */
    int rc = export_write(st, cfg, &key, out_dir, NOW, NULL, NULL, &err);
    tu_obey_permissions(0);
    ck_assert_int_eq(chmod(out_dir, 0755), 0);
    ck_assert_int_eq(rc, -1);
    char want[600];
    snprintf(want, sizeof want, "cannot create a file in %s: Permission denied", out_dir);
    ck_assert_str_eq(err.msg, want);
    ck_assert_int_eq(count_entries(out_dir), 0);
}
END_TEST

START_TEST(test_unexportable_votes)
{
    /* An offset of 1 h 0 min 1 s cannot be written as ±HH:MM.  The store
     * refuses such a vote; one already in a database stops the export. */
    mp_err err = {{0}};
    ck_assert_int_eq(store_add_vote(st, "A01", "县政务服务中心", 10, 0, NOW, 3601, NULL, &err), -1);
    add_raw("A01", "县政务服务中心", 10, NOW, 3601);
    ck_assert_int_eq(export_write(st, cfg, &key, out_dir, NOW, NULL, NULL, &err), -1);
    ck_assert_str_eq(err.msg, "cannot export: vote 1 has a UTC offset of 3601 seconds, which an "
                              "export cannot carry (whole minutes within ±14:00)");
    ck_assert_int_eq(count_entries(out_dir), 0);
}
END_TEST

START_TEST(test_self_check)
{
    /* A unit name the office would refuse (a line break): the kiosk finds out
     * before it writes anything. */
    mp_err err = {{0}};
    ck_assert_int_eq(store_add_vote(st, "A01", "县政务\n服务中心", 10, 0, NOW, 28800, NULL, &err),
                     -1);
    add_raw("A01", "县政务\n服务中心", 10, NOW, 28800);
    ck_assert_int_eq(export_write(st, cfg, &key, out_dir, NOW, NULL, NULL, &err), -1);
    ck_assert_msg(strncmp(err.msg, "cannot export: the file made does not verify: line 2", 52) ==
                      0,
                  "%s", err.msg);
    ck_assert_int_eq(count_entries(out_dir), 0);
}
END_TEST

/* ---- damaged files ---- */

static char *small_export(size_t *len)
{
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    add("GA01", ODD_NAME, 0, 1, NOW + 1, 28800);
    return export_ok(NOW + 2, len, NULL);
}

START_TEST(test_every_byte_change_fails)
{
    size_t len = 0;
    char *buf = small_export(&len);
    char *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    keyset ks = office();
    rows *rs = rows_new();
    static const unsigned char flips[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF};
    for (size_t i = 0; i < len; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(copy, buf, len);
            copy[i] = (char)(copy[i] ^ flips[f]);
            mp_err err = {{0}};
            int rc = export_read(copy, len, lookup, &ks, NULL, collect, rs, &err);
            ck_assert_msg(rc == -1, "byte %zu changed by 0x%02x still reads", i, flips[f]);
            ck_assert_msg(rs->n == 0, "byte %zu changed by 0x%02x delivered rows", i, flips[f]);
            ck_assert_msg(err.msg[0] && !strchr(err.msg, '\n'), "byte %zu: bad message \"%s\"",
                          i, err.msg);
        }
    }
    /* Every value at a few places: in a row, in the signature line's
     * fields, in the signature. */
    size_t spots[] = {5, len / 3, len - 150, len - 60, len - 5};
    for (size_t s = 0; s < sizeof spots / sizeof spots[0]; s++)
        for (int v = 0; v < 256; v++) {
            if ((unsigned char)buf[spots[s]] == v)
                continue;
            memcpy(copy, buf, len);
            copy[spots[s]] = (char)v;
            ck_assert_msg(export_read(copy, len, lookup, &ks, NULL, collect, rs, NULL) == -1,
                          "byte %zu set to 0x%02x still reads", spots[s], v);
        }
    ck_assert_uint_eq(rs->n, 0);
    /* The unchanged file reads (so the loop above tested something). */
    ck_assert_int_eq(export_read(buf, len, lookup, &ks, NULL, collect, rs, NULL), 0);
    ck_assert_uint_eq(rs->n, 2);
    free(rs);
    free(copy);
    free(buf);
}
END_TEST

static const export_read_options ALONGSIDE = {.verify_alongside = 1};

/* With the signature checked alongside the rows, every changed byte still
 * fails, with the very message the read that checks first gives. */
START_TEST(test_every_byte_change_fails_alongside)
{
    size_t len = 0;
    char *buf = small_export(&len);
    char *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    keyset ks = office();
    rows *rs = rows_new();
    int delivered = 0;
    for (size_t i = 0; i < len; i++) {
        for (unsigned f = 1; f <= 0x80; f <<= 1) {
            memcpy(copy, buf, len);
            copy[i] = (char)(copy[i] ^ f);
            mp_err first = {{0}}, alongside = {{0}};
            ck_assert_int_eq(export_read(copy, len, lookup, &ks, NULL, collect, rs, &first), -1);
            rs->n = 0;
            int rc = export_read_with(copy, len, lookup, &ks, NULL, collect, NULL, rs,
                                       &ALONGSIDE, &alongside);
            ck_assert_msg(rc == -1, "byte %zu changed by 0x%02x still reads", i, f);
            ck_assert_msg(strcmp(first.msg, alongside.msg) == 0,
                          "byte %zu changed by 0x%02x: \"%s\" checked first, \"%s\" alongside",
                          i, f, first.msg, alongside.msg);
            delivered += rs->n > 0;
        }
    }
    /* Rows of changed files did reach the callback (the rows are not held
     * back until the signature is known), and still every read failed. */
    ck_assert_int_gt(delivered, 0);
    rs->n = 0;
    ck_assert_int_eq(export_read_with(buf, len, lookup, &ks, NULL, collect, NULL, rs,
                                       &ALONGSIDE, NULL),
                     0);
    ck_assert_uint_eq(rs->n, 2);
    free(rs);
    free(copy);
    free(buf);
}
END_TEST

/* Changes one hex digit of the first vote's uuid: every row stays well
 * formed, only the signature no longer matches. */
static void change_first_uuid(char *file)
{
    char *row = strstr(file, "\r\nroom-01,") + 2;
    char *uuid = strchr(strchr(strchr(row, ',') + 1, ',') + 1, ',') + 1;
    *uuid = *uuid == 'a' ? 'b' : 'a';
}

/* after_verify: once for a good file, on the signature's thread when the
 * signature is checked alongside (before the rows otherwise), never for a
 * changed file. */
typedef struct after_count {
    int runs;
    pthread_t thread;
} after_count;

static void count_after(void *user)
{
    after_count *c = user;
    c->runs++;
    c->thread = pthread_self();
}

START_TEST(test_after_verify)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset ks = office();
    rows *rs = rows_new();
    for (int alongside = 0; alongside < 2; alongside++) {
        after_count c = {0};
        export_read_options opt = {.verify_alongside = alongside, .after_verify = count_after,
                                   .after_verify_user = &c};
        mp_err err = {{0}};
        rs->n = 0;
        ck_assert_msg(export_read_with(buf, len, lookup, &ks, NULL, collect, NULL, rs, &opt,
                                       &err) == 0,
                      "%s", err.msg);
        ck_assert_uint_eq(rs->n, 2);
        ck_assert_int_eq(c.runs, 1);
        ck_assert_int_eq(pthread_equal(c.thread, pthread_self()) != 0, !alongside);
        /* A changed byte in a row: no call. */
        char *copy = malloc(len);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, buf, len);
        change_first_uuid(copy);
        c.runs = 0;
        ck_assert_int_eq(export_read_with(copy, len, lookup, &ks, NULL, collect, NULL, rs, &opt,
                                          &err),
                         -1);
        ck_assert_int_eq(c.runs, 0);
        free(copy);
    }
    free(rs);
    free(buf);
}
END_TEST

/* A slow consumer of a changed file's rows is stopped once the signature is
 * known to be bad, not fed the whole file. */
static int collect_slowly(void *user, const export_row *row, mp_err *err)
{
    usleep(250);
    return collect(user, row, err);
}

START_TEST(test_alongside_stops_early)
{
    mp_err err = {{0}};
    enum { N = 6000 };
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(store_add_vote(st, "A01", "县政务服务中心", RATINGS[i % 4].points, 0,
                                        NOW + i, 28800, NULL, &err),
                         0);
    size_t len = 0;
    char *buf = export_ok(NOW + 9000, &len, NULL);
    /* The first vote's uuid changed: every row is still well formed. */
    change_first_uuid(buf);
    keyset ks = office();
    rows *rs = rows_new();
    ck_assert_int_eq(export_read_with(buf, len, lookup, &ks, NULL, collect_slowly, NULL, rs,
                                       &ALONGSIDE, &err),
                     -1);
    ck_assert_str_eq(err.msg, "the signature does not match: the file was changed after the "
                              "kiosk exported it; export again at the kiosk, then import the "
                              "new file");
    /* The verdict is looked at every 4096 lines: the rows stop at line
     * 4096 (the header is line 1), over a second after they began. */
    ck_assert_uint_eq(rs->n, 4094);
    free(rs);
    free(buf);
}
END_TEST

START_TEST(test_truncation_fails)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset ks = office();
    rows *rs = rows_new();
    size_t head = strlen(HEAD);
    for (size_t n = 0; n < len; n++) {
        char *copy = malloc(n + 1); /* exactly n bytes readable: ASan sees overreads */
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, buf, n);
        mp_err err = {{0}};
        ck_assert_msg(export_read(copy, n, lookup, &ks, NULL, collect, rs, &err) == -1,
                      "the first %zu bytes read as an export", n);
        if (n == 0)
            ck_assert_str_eq(err.msg, "the file is empty");
        else if (n >= head)
            ck_assert_msg(strncmp(err.msg, "truncated: ", 11) == 0, "%zu bytes: \"%s\"", n,
                          err.msg);
        else
            ck_assert_str_eq(err.msg, "not a Minping export (no signature line)");
        free(copy);
    }
    ck_assert_uint_eq(rs->n, 0);
    free(rs);

    /* The two kinds of truncated message. */
    expect_reject_str(HEAD ROW(1), "truncated: the file ends at line 2, before its signature "
                                   "line");
    keyset k2 = office();
    expect_reject(buf, len - 2, &k2, "truncated: the signature line (line 4) is incomplete");
    free(buf);
}
END_TEST

START_TEST(test_appended_data_fails)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset ks = office();
    char *more = malloc(len + 400);
    ck_assert_ptr_nonnull(more);

    memcpy(more, buf, len);
    memcpy(more + len, "\r\n", 2);
    expect_reject(more, len + 2, &ks,
                  "line 5: 2 bytes follow the signature line; nothing may follow it");

    /* A whole extra vote line after the signature. */
    const char *line2 = strstr(buf, "\r\n") + 2;
    size_t l2 = (size_t)(strstr(line2, "\r\n") + 2 - line2);
    memcpy(more + len, line2, l2);
    char want[200];
    snprintf(want, sizeof want, "line 5: %zu bytes follow the signature line; nothing may follow "
                                "it", l2);
    expect_reject(more, len + l2, &ks, want);

    /* A second signature line. */
    const char *sig = strstr(buf, "\r\n#签名") + 2;
    size_t sl = (size_t)(buf + len - sig);
    memcpy(more + len, sig, sl);
    snprintf(want, sizeof want, "line 5: %zu bytes follow the signature line; nothing may follow "
                                "it", sl);
    expect_reject(more, len + sl, &ks, want);

    /* A vote line inserted before the signature line. */
    size_t at = (size_t)(sig - buf);
    memcpy(more, buf, at);
    memcpy(more + at, line2, l2);
    memcpy(more + at + l2, sig, sl);
    expect_reject(more, len + l2, &ks,
                  "the signature does not match: the file was changed after the kiosk exported it; "
                  "export again at the kiosk, then import the new file");
    free(more);
    free(buf);
}
END_TEST

START_TEST(test_not_an_export)
{
    keyset ks = office();
    expect_reject("", 0, &ks, "the file is empty");
    expect_reject_str("hello, world\r\n", "not a Minping export (no signature line)");
    expect_reject_str("\x89PNG\r\n\x1a\n", "not a Minping export (no signature line)");
    static const char bin[] = {0, 1, 2, 3, 0, (char)0xFF, '\r', '\n'};
    expect_reject(bin, sizeof bin, &ks, "not a Minping export (no signature line)");
    expect_reject_str(BOM HEADER, "not a Minping export (no signature line)");
    /* A signature line that is cut right after its tag. */
    expect_reject_str(HEAD "#签名,", "truncated: the signature line (line 2) is incomplete");
}
END_TEST

START_TEST(test_line_end_conversion)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset ks = office();
    /* Every CRLF made LF, as a text-mode copy would. */
    char *lf = malloc(len);
    ck_assert_ptr_nonnull(lf);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
            lf[n++] = buf[i];
    expect_reject(lf, n, &ks, "line 1 ends with LF instead of CRLF: the file's line ends were "
                              "converted after it was signed; copy the file from the USB "
                              "stick again without opening it, or export again at the kiosk");
    /* Only line 2's. */
    char *line2_end = strstr(strstr(buf, "\r\n") + 2, "\r\n");
    size_t at = (size_t)(line2_end - buf);
    memcpy(lf, buf, at);
    memcpy(lf + at, buf + at + 1, len - at - 1);
    expect_reject(lf, len - 1, &ks, "line 2 ends with LF instead of CRLF: the file's line ends "
                                    "were converted after it was signed; copy the file from "
                                    "the USB stick again without opening it, or export again "
                                    "at the kiosk");
    /* A CR alone inside line 3. */
    memcpy(lf, buf, len);
    lf[at + 5] = '\r';
    expect_reject(lf, len, &ks, "line 3: contains a CR that does not end the line");
    free(lf);
    free(buf);
}
END_TEST

START_TEST(test_bom_and_nul)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset ks = office();
    char *copy = malloc(len + 3);
    ck_assert_ptr_nonnull(copy);

    /* A BOM at the start of line 2. */
    size_t at = (size_t)(strstr(buf, "\r\n") + 2 - buf);
    memcpy(copy, buf, at);
    memcpy(copy + at, BOM, 3);
    memcpy(copy + at + 3, buf + at, len - at);
    expect_reject(copy, len + 3, &ks,
                  "line 2: contains a byte-order mark, which may only start the file");
    /* Two at the start. */
    memcpy(copy, BOM, 3);
    memcpy(copy + 3, buf, len);
    expect_reject(copy, len + 3, &ks,
                  "line 1: contains a byte-order mark, which may only start the file");
    /* None: the file's first bytes are part of what is signed. */
    expect_reject(buf + 3, len - 3, &ks,
                  "the signature does not match: the file was changed after the kiosk exported it; "
                  "export again at the kiosk, then import the new file");
    /* A NUL byte in line 3, and in the signature line. */
    memcpy(copy, buf, len);
    char *line3 = strstr(strstr(buf, "\r\n") + 2, "\r\n") + 2;
    copy[line3 - buf + 10] = '\0';
    expect_reject(copy, len, &ks, "line 3: contains a NUL byte");
    memcpy(copy, buf, len);
    copy[len - 10] = '\0';
    expect_reject(copy, len, &ks, "line 4: contains a NUL byte");
    free(copy);
    free(buf);
}
END_TEST

/* ---- keys ---- */

/* buf with its signature line replaced: same fields but key id `key_id`,
 * signed by `by`. */
static char *resign(const char *buf, size_t len, const char *key_id, const sign_key *by,
                    size_t *out_len)
{
    const char *sig = strstr(buf, "\r\n#签名,") + 2;
    /* The fields between "#签名," and the key id. */
    const char *fields = sig + strlen("#签名,");
    const char *end = buf + len - 2 - 88 - 1;       /* the comma before the signature */
    const char *kid = end - SIGN_ID_CHARS;           /* the key id */
    char body[8192], sf[512];
    ck_assert_uint_lt((size_t)(sig - buf), sizeof body);
    memcpy(body, buf, (size_t)(sig - buf));
    body[sig - buf] = '\0';
    snprintf(sf, sizeof sf, "%.*s%s", (int)(kid - fields), fields, key_id);
    return sign_body(by, body, sf, out_len);
}

START_TEST(test_foreign_key)
{
    size_t len = 0;
    char *buf = small_export(&len);
    sign_key thief;
    ck_assert_int_eq(sign_keygen(&thief, NULL), 0);
    keyset ks = office();
    char want[300];

    /* Re-signed with the thief's own key: the office does not know it. */
    size_t n = 0;
    char *forged = resign(buf, len, thief.id, &thief, &n);
    snprintf(want, sizeof want,
             "kiosk room-01 is provisioned here, but the key that signed this file (key id %s) "
             "was not issued by this office: the kiosk was provisioned by another office, or "
             "its kiosk.key was replaced; provision the kiosk again here, then export again at "
             "the kiosk",
             thief.id);
    expect_reject(forged, n, &ks, want);
    free(forged);

    /* Re-signed by the thief under the kiosk's key id. */
    forged = resign(buf, len, key.id, &thief, &n);
    expect_reject(forged, n, &ks,
                  "the signature does not match: the file was changed after the kiosk exported it; "
                  "export again at the kiosk, then import the new file");
    free(forged);

    /* The thief's key is known, but as another kiosk's. */
    keyset both = {.n = 2, .kiosk = {"room-01", "room-02"}, .key = {&key, &thief}};
    forged = resign(buf, len, thief.id, &thief, &n);
    expect_reject(forged, n, &both, want);
    free(forged);

    /* Re-signed by the kiosk's key, for comparison: that one reads. */
    forged = resign(buf, len, key.id, &key, &n);
    rows *rs = rows_new();
    read_ok(forged, n, &ks, NULL, rs);
    ck_assert_uint_eq(rs->n, 2);
    free(rs);
    free(forged);
    free(buf);
}
END_TEST

START_TEST(test_unknown_kiosk)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset none = {0};
    char want[300];
    snprintf(want, sizeof want,
             "kiosk room-01 is not provisioned in this office database: provision it here "
             "first (minping-office provision), or import into the office database that "
             "provisioned it (--db)");
    expect_reject(buf, len, &none, want);
    ck_assert_int_eq(none.calls, 1);
    /* The key registered for another kiosk does not count. */
    keyset other = {.n = 1, .kiosk = {"room-02"}, .key = {&key}};
    expect_reject(buf, len, &other, want);
    /* A failing lookup passes its own reason on. */
    keyset broken = {.fail = 1};
    expect_reject(buf, len, &broken, "the office database is locked");
    free(buf);
}
END_TEST

START_TEST(test_row_callback_stops)
{
    size_t len = 0;
    add("A01", "县政务服务中心", 10, 0, NOW, 28800);
    char *buf = small_export(&len);
    keyset ks = office();
    rows *rs = rows_new();
    rs->stop_at = 2;
    mp_err err = {{0}};
    ck_assert_int_eq(export_read(buf, len, lookup, &ks, NULL, collect, rs, &err), -1);
    ck_assert_str_eq(err.msg, "the ledger is full");
    ck_assert_uint_eq(rs->n, 1);
    /* No callback at all: verification only. */
    export_meta meta;
    ck_assert_int_eq(export_read(buf, len, lookup, &ks, &meta, NULL, NULL, &err), 0);
    ck_assert_int_eq(meta.rows, 3);
    free(rs);
    free(buf);
}
END_TEST

/* ---- correctly signed, but malformed ---- */

static const struct bad_rows {
    const char *rows, *counts, *want;
} BAD_ROWS[] = {
    {ROW(1) ROW(3) ROW(2), "3,1,3", "line 4: seq 2 follows 3 (seq must ascend)"},
    {ROW(1) ROW(1), "2,1,2", "line 3: seq 1 follows 1 (seq must ascend)"},
    {ROW(2), "1,1,1", "line 2: the first vote has seq 2, but the signature line says 1"},
    {ROW(1) ROW(2), "3,1,3", "the signature line counts 3 votes, but the file has 2"},
    {ROW(1) ROW(2), "1,1,2", "line 3: the signature line counts 1 votes, but there are more"},
    {ROW(1) ROW(2), "2,1,3", "the last vote has seq 2, but the signature line says 3"},
    {ROW(1) ROW(5), "2,1,4", "line 3: seq 5 is beyond the signature line's last seq 4"},
    {"", "1,1,1", "the signature line counts 1 votes, but the file has 0"},
    {ROW(1), "0,0,0", "line 2: the signature line counts 0 votes, but there are more"},
    {"room-02," INST ",1," UUID "," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: kiosk \"room-02\" is not the kiosk of the signature line (room-01)"},
    {"room-01,0123456789ABCDEF0123456789abcdef,1," UUID "," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: the database instance is not the signature line's (" INST ")"},
    {"room-01," INST ",01," UUID "," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: seq \"01\" is not a whole number from 1 up"},
    {"room-01," INST ",0," UUID "," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: seq \"0\" is not a whole number from 1 up"},
    {"room-01," INST ",-1," UUID "," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: seq \"-1\" is not a whole number from 1 up"},
    {"room-01," INST ",99999999999999999999," UUID "," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: seq \"99999999999999999999\" is not a whole number from 1 up"},
    {"room-01," INST ",1,123E4567-E89B-42D3-A456-426614174000," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: uuid \"123E4567-E89B-42D3-A456-426614174000\" is not 8-4-4-4-12 lowercase hex "
     "digits"},
    {"room-01," INST ",1,123e4567e89b42d3a456426614174000," TIMES UNIT RATE "\r\n", "1,1,1",
     "line 2: uuid \"123e4567e89b42d3a456426614174000\" is not 8-4-4-4-12 lowercase hex digits"},
    {"room-01," INST ",1," UUID ",2026-11-27 08:30:05Z,2026-11-27 16:30:05,+08:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: vote time (UTC) \"2026-11-27 08:30:05Z\" is not a time like 2026-11-27T08:30:05Z"},
    {"room-01," INST ",1," UUID ",2026-02-29T08:30:05Z,2026-02-29 16:30:05,+08:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: vote time (UTC) \"2026-02-29T08:30:05Z\" is not a time like 2026-11-27T08:30:05Z"},
    {"room-01," INST ",1," UUID ",2026-11-27T24:00:00Z,2026-11-28 08:00:00,+08:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: vote time (UTC) \"2026-11-27T24:00:00Z\" is not a time like 2026-11-27T08:30:05Z"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27T16:30:05,+08:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: local time \"2026-11-27T16:30:05\" is not a time like 2026-11-27 16:30:05"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27 16:30:06,+08:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: local time 2026-11-27 16:30:06 is not UTC time 2026-11-27T08:30:05Z at +08:00"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27 16:30:05,-08:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: local time 2026-11-27 16:30:05 is not UTC time 2026-11-27T08:30:05Z at -08:00"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27 22:31:05,+14:01," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: time zone \"+14:01\" is not an offset like +08:00 (whole minutes, at most 14:00 "
     "either way)"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27 08:30:05,-00:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: time zone \"-00:00\" is not an offset like +08:00 (whole minutes, at most 14:00 "
     "either way)"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27 16:30:05,+8:00," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: time zone \"+8:00\" is not an offset like +08:00 (whole minutes, at most 14:00 "
     "either way)"},
    {"room-01," INST ",1," UUID ",2026-11-27T08:30:05Z,2026-11-27 16:30:05,+07:60," UNIT RATE
     "\r\n", "1,1,1",
     "line 2: time zone \"+07:60\" is not an offset like +08:00 (whole minutes, at most 14:00 "
     "either way)"},
    {"room-01," INST ",1," UUID "," TIMES "A 01,县政务服务中心," RATE "\r\n", "1,1,1",
     "line 2: unit code \"A 01\" is not 1 to 32 letters, digits, '-' or '_'"},
    {"room-01," INST ",1," UUID "," TIMES ",县政务服务中心," RATE "\r\n", "1,1,1",
     "line 2: unit code \"\" is not 1 to 32 letters, digits, '-' or '_'"},
    {"room-01," INST ",1," UUID "," TIMES "A01,," RATE "\r\n", "1,1,1",
     "line 2: unit A01: unit name must be 1 to 24 characters long (has 0)"},
    {"room-01," INST ",1," UUID "," TIMES "A01," NAME24 "五," RATE "\r\n", "1,1,1",
     "line 2: unit A01: unit name must be 1 to 24 characters long (has 25)"},
    {"room-01," INST ",1," UUID "," TIMES "A01,县\xE5\x8E," RATE "\r\n", "1,1,1",
     "line 2: unit A01: unit name is not valid UTF-8 text"},
    {"room-01," INST ",1," UUID "," TIMES "A01,县\t局," RATE "\r\n", "1,1,1",
     "line 2: unit A01: unit name is not valid UTF-8 text"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "基本满意,10,kiosk,0\r\n", "1,1,1",
     "line 2: rating \"基本满意\" does not go with 10 points (非常满意 does)"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "满意,7,kiosk,0\r\n", "1,1,1",
     "line 2: points \"7\" are not 10, 8, 6 or 0"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "一般,06,kiosk,0\r\n", "1,1,1",
     "line 2: points \"06\" are not 10, 8, 6 or 0"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "不满意,00,kiosk,0\r\n", "1,1,1",
     "line 2: points \"00\" are not 10, 8, 6 or 0"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "基本满意,+8,kiosk,0\r\n", "1,1,1",
     "line 2: points \"+8\" are not 10, 8, 6 or 0"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "非常满意,100,kiosk,0\r\n", "1,1,1",
     "line 2: points \"100\" are not 10, 8, 6 or 0"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "一般,,kiosk,0\r\n", "1,1,1",
     "line 2: points \"\" are not 10, 8, 6 or 0"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "非常满意,10,web,0\r\n", "1,1,1",
     "line 2: channel \"web\" is not \"kiosk\" or \"online\""},
    {"room-01," INST ",1," UUID "," TIMES UNIT "非常满意,10,kiosk,2\r\n", "1,1,1",
     "line 2: flag \"2\" is not 0 or 1"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "非常满意,10,kiosk,\r\n", "1,1,1",
     "line 2: flag \"\" is not 0 or 1"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "非常满意,10,kiosk\r\n", "1,1,1",
     "line 2: has 12 fields, not 13"},
    {"room-01," INST ",1," UUID "," TIMES UNIT "非常满意,10,kiosk,0,\r\n", "1,1,1",
     "line 2: has 14 fields, not 13"},
    {"room-01," INST ",1," UUID "," TIMES "A01,\"县局\"x," RATE "\r\n", "1,1,1",
     "line 2: not valid CSV (a double quote out of place)"},
    {"room-01," INST ",1," UUID "," TIMES "A01,县\"局," RATE "\r\n", "1,1,1",
     "line 2: not valid CSV (a double quote out of place)"},
    {"room-01," INST ",1," UUID "," TIMES "A01,\"县局," RATE "\r\n", "1,1,1",
     "line 2: not valid CSV (a double quote out of place)"},
    {ROW(1) "\r\n" ROW(2), "2,1,2", "line 3: is empty"},
};

START_TEST(test_bad_rows)
{
    const struct bad_rows *c = &BAD_ROWS[_i];
    size_t len = 0;
    char *buf = signed_rows(c->rows, c->counts, &len);
    keyset ks = office();
    /* Rows before the bad one may have been delivered: the caller rolls
     * them back. */
    expect_reject_rows(buf, len, &ks, c->want, 0);
    free(buf);
}
END_TEST

START_TEST(test_long_field)
{
    char rows_text[2048], name[400];
    memset(name, 'x', 300);
    name[300] = '\0';
    snprintf(rows_text, sizeof rows_text, "room-01," INST ",1," UUID "," TIMES "A01,%s," RATE "\r\n",
             name);
    size_t len = 0;
    char *buf = signed_rows(rows_text, "1,1,1", &len);
    keyset ks = office();
    expect_reject(buf, len, &ks, "line 2: the column \"unit name\" is longer than 255 bytes");
    free(buf);
}
END_TEST

START_TEST(test_quoting_accepted)
{
    /* RFC 4180 lets any field be quoted; the values are what count. */
    size_t len = 0;
    char *buf = signed_rows("\"room-01\"," INST ",\"1\"," UUID "," TIMES
                            "A01,\"县\"\"政务\"\",中心\"," RATE "\r\n"
                            "room-01," INST ",7," UUID ",2026-11-27T08:30:05Z,2026-11-26 18:30:05,"
                            "-14:00,A01,县政务服务中心,不满意,0,kiosk,1\r\n",
                            "2,1,7", &len);
    keyset ks = office();
    rows *rs = rows_new();
    export_meta meta;
    read_ok(buf, len, &ks, &meta, rs);
    ck_assert_uint_eq(rs->n, 2);
    ck_assert_str_eq(rs->r[0].kiosk, "room-01");
    ck_assert_int_eq(rs->r[0].seq, 1);
    ck_assert_str_eq(rs->r[0].unit_name, "县\"政务\",中心");
    ck_assert_int_eq(rs->r[1].seq, 7); /* gaps are the ledger's business */
    ck_assert_int_eq(rs->r[1].utc_offset, -14 * 3600);
    ck_assert_int_eq(rs->r[1].points, 0);
    ck_assert_int_eq(rs->r[1].flagged, 1);
    ck_assert_int_eq(meta.exported_utc, NOW);
    free(rs);
    free(buf);
}
END_TEST

static const struct bad_frame {
    const char *body;   /* before the signature line; NULL: HEAD ROW(1) */
    const char *fields; /* the signature line's fields; "%K" is replaced by the key id */
    const char *want;
} BAD_FRAME[] = {
    {HEADER "\r\n" ROW(1), "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 1: the file does not start with a UTF-8 byte-order mark"},
    {BOM "终端编号,数据库实例\r\n" ROW(1),
     "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 1: not the header line of a Minping export"},
    {BOM HEADER ",\r\n" ROW(1), "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 1: not the header line of a Minping export"},
    {NULL, "minping-export-v3,room-01," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 3: export format \"minping-export-v3\" is not supported (this program reads "
     "minping-export-v1 and minping-export-v2): update minping-office"},
    {NULL, "minping-export-v1,room-01," INST ",1,1,1,%K",
     "line 3: malformed signature line (9 fields, not 10)"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,1,1,x,%K",
     "line 3: malformed signature line (more than 10 fields)"},
    {NULL, "minping-export-v1,room 01," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 3: malformed signature line: kiosk id \"room 01\" may contain only letters, digits, "
     "'-' and '_'"},
    {NULL, "minping-export-v1,,," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 3: malformed signature line (more than 10 fields)"},
    {NULL, "minping-export-v1,," INST ",2026-11-27T08:30:05Z,1,1,1,%K",
     "line 3: malformed signature line: the kiosk id must be 1 to 64 characters long"},
    {NULL, "minping-export-v1,room-01,0123456789ABCDEF0123456789abcdef,2026-11-27T08:30:05Z,1,1,"
           "1,%K",
     "line 3: malformed signature line: the database instance must be 32 lowercase hex digits"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05,1,1,1,%K",
     "line 3: malformed signature line: the export time must look like 2026-11-27T08:30:05Z"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,01,1,1,%K",
     "line 3: malformed signature line: the vote count must be a whole number"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,x,1,%K",
     "line 3: malformed signature line: the first seq must be a whole number"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,1,-1,%K",
     "line 3: malformed signature line: the last seq must be a whole number"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,0,1,1,%K",
     "line 3: malformed signature line: 0 votes cannot run from seq 1 to 1"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,3,1,2,%K",
     "line 3: malformed signature line: 3 votes cannot run from seq 1 to 2"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,2,1,%K",
     "line 3: malformed signature line: 1 votes cannot run from seq 2 to 1"},
    {NULL, "minping-export-v1,room-01," INST ",2026-11-27T08:30:05Z,1,1,1,ABCDEF0123456789",
     "line 3: malformed signature line: the key id must be 16 lowercase hex digits"},
};

START_TEST(test_bad_frame)
{
    const struct bad_frame *c = &BAD_FRAME[_i];
    char fields[512];
    const char *k = strstr(c->fields, "%K");
    if (k)
        snprintf(fields, sizeof fields, "%.*s%s%s", (int)(k - c->fields), c->fields, key.id,
                 k + 2);
    else
        snprintf(fields, sizeof fields, "%s", c->fields);
    size_t len = 0;
    char *buf = sign_body(&key, c->body ? c->body : HEAD ROW(1), fields, &len);
    keyset ks = office();
    expect_reject(buf, len, &ks, c->want);
    free(buf);
}
END_TEST

START_TEST(test_bad_signature_text)
{
    size_t len = 0;
    char *buf = small_export(&len);
    keyset ks = office();
    const char *want = "line 4: malformed signature line: the signature is not 64 bytes in base64";
    char *copy = malloc(len + 8);
    ck_assert_ptr_nonnull(copy);
    size_t s = len - 2 - 88; /* where the signature's base64 starts */

    memcpy(copy, buf, len);
    memset(copy + s, '*', 88);
    expect_reject(copy, len, &ks, want);
    /* One character short, one too many. */
    memcpy(copy, buf, s + 87);
    memcpy(copy + s + 87, "\r\n", 2);
    expect_reject(copy, len - 1, &ks, want);
    memcpy(copy, buf, s + 88);
    memcpy(copy + s + 88, "A\r\n", 3);
    expect_reject(copy, len + 1, &ks, want);
    /* The unused low bits of the last character set: the same bytes
     * spelled differently must not pass as the same signature. */
    memcpy(copy, buf, len);
    ck_assert_int_eq(copy[s + 86], '=');
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int v = (int)(strchr(B64, copy[s + 85]) - B64);
    copy[s + 85] = B64[v ^ 0x01];
    expect_reject(copy, len, &ks, want);
    /* URL-safe base64 is not the standard kind. */
    memcpy(copy, buf, len);
    for (size_t i = s; i < s + 88; i++)
        copy[i] = copy[i] == '+' ? '-' : copy[i] == '/' ? '_' : copy[i];
    if (memcmp(copy, buf, len) != 0)
        expect_reject(copy, len, &ks, want);
    free(copy);
    free(buf);
}
END_TEST

static Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("write");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_file_name);
    tcase_add_test(tc, test_zero_votes);
    tcase_add_test(tc, test_cumulative);
    tcase_add_test(tc, test_many_votes);
    tcase_add_test(tc, test_buffer_boundaries);
    tcase_add_test(tc, test_unmappable);
    tcase_add_test(tc, test_walk_is_a_snapshot);
    tcase_add_test(tc, test_missing_folder);
    tcase_add_test(tc, test_existing_name_is_kept);
    tcase_add_test(tc, test_full_disk_leaves_nothing);
    tcase_add_test(tc, test_read_only_folder);
    tcase_add_test(tc, test_unexportable_votes);
    tcase_add_test(tc, test_self_check);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_byte_change_fails);
    tcase_add_test(tc, test_every_byte_change_fails_alongside);
    tcase_add_test(tc, test_alongside_stops_early);
    tcase_add_test(tc, test_after_verify);
    tcase_add_test(tc, test_truncation_fails);
    tcase_add_test(tc, test_appended_data_fails);
    tcase_add_test(tc, test_not_an_export);
    tcase_add_test(tc, test_line_end_conversion);
    tcase_add_test(tc, test_bom_and_nul);
    tcase_add_test(tc, test_bad_signature_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("keys");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_foreign_key);
    tcase_add_test(tc, test_unknown_kiosk);
    tcase_add_test(tc, test_row_callback_stops);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_bad_rows, 0, (int)(sizeof BAD_ROWS / sizeof BAD_ROWS[0]));
    tcase_add_loop_test(tc, test_bad_frame, 0, (int)(sizeof BAD_FRAME / sizeof BAD_FRAME[0]));
    tcase_add_test(tc, test_long_field);
    tcase_add_test(tc, test_quoting_accepted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(export_suite());
}

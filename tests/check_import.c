/* check_import.c - the ledger commands of minping-office run as a program:
 * `import`, `kiosks`, `report` and `units`.
 *
 * Fixtures are made the real way: kiosks provisioned with `minping-office
 * provision` (which writes kiosk.ini and kiosk.key), votes stored in a kiosk
 * store, exports written with export_write and the kiosk's own key.  Every
 * refusal is checked to leave the office database exactly as it was (a dump
 * of every table before and after). */
#define _XOPEN_SOURCE 700 /* posix_openpt */
#include "clock.h"
#include "config.h"
#include "export.h"
#include "exporter.h"
#include "followup.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif

#define URL "https://s.example/q?k={kiosk}&u={unit}"
#define H8 (8 * 3600) /* UTC+08:00 */
#define DAY 86400

static char *dir; /* this test's folder, the program's working folder */

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
    setenv("TZ", "UTC", 1);
}

static void teardown(void)
{
    free(dir);
}

static char *in_dir(const char *name)
{
    return tu_path(dir, name);
}

static void run_args(tu_result *r, const char *const *args)
{
    tu_run_list(MINPING_OFFICE_BIN, dir, args, NULL, r);
}

/* Runs minping-office in dir with the arguments, ending with NULL. */
static void run(tu_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    tu_run_va(MINPING_OFFICE_BIN, dir, NULL, r, ap);
    va_end(ap);
}

static void assert_ok(const tu_result *r)
{
    ck_assert_msg(r->status == 0, "exit status %d; stderr: %s; stdout: %s", r->status, r->err,
                  r->out);
}

/* Failed with status, one line on stderr starting "minping-office: " with want. */
static void assert_one_error(const tu_result *r, int status, const char *want)
{
    ck_assert_msg(r->status == status, "exit status %d, expected %d; stderr: %s", r->status,
                  status, r->err);
    ck_assert_msg(strncmp(r->err, "minping-office: ", 16) == 0, "stderr: %s", r->err);
    ck_assert_msg(strstr(r->err, want) != NULL, "stderr \"%s\" lacks \"%s\"", r->err, want);
    const char *nl = strchr(r->err, '\n');
    ck_assert_msg(nl && nl[1] == '\0', "more than one line on stderr: %s", r->err);
}

/* ---- kiosks, made the real way ---- */

typedef struct kiosk {
    kiosk_config *cfg;
    sign_key key;
    store *s;
} kiosk;

/* Provisions kiosk id into office database db_name with units "CODE=NAME". */
static void provision(const char *db_name, const char *id, const char *const *units)
{
    const char *args[64] = {"--db", db_name, "provision", "--kiosk", id, "--survey-url", URL,
                            "--pin", "1234", "--out", id};
    size_t n = 11;
    for (; *units; units++) {
        args[n++] = "--unit";
        args[n++] = *units;
    }
    args[n] = NULL;
    tu_result r;
    run_args(&r, args);
    assert_ok(&r);
    tu_result_free(&r);
}

static const char *const UNITS[] = {"GA01=县公安局", "MZ01=县民政局", "TS01=城关镇人民政府",
                                    NULL};

/* The kiosk provisioned into folder id, with its store open. */
static void kiosk_open(kiosk *k, const char *id)
{
    mp_err err = {{0}};
    char *sub = in_dir(id);
    char *ini = tu_path(sub, "kiosk.ini");
    char *key = tu_path(sub, "kiosk.key");
    ck_assert_msg(config_load(ini, &k->cfg, &err) == 0, "config_load: %s", err.msg);
    ck_assert_msg(sign_key_load(key, &k->key, &err) == 0, "sign_key_load: %s", err.msg);
    ck_assert_msg(store_open(k->cfg->db_path, &k->s, &err) == 0, "store_open: %s", err.msg);
    free(ini);
    free(key);
    free(sub);
}

static void kiosk_close(kiosk *k)
{
    store_close(k->s);
    config_free(k->cfg);
    sign_key_wipe(&k->key);
}

static void vote_at(kiosk *k, const char *unit, int points, int flagged, int64_t when,
                    int offset)
{
    const config_unit *u = config_find_unit(k->cfg, unit);
    ck_assert_ptr_nonnull(u);
    mp_err err = {{0}};
    ck_assert_msg(store_add_vote(k->s, u->code, u->name, points, flagged, when, offset, NULL,
                                 &err) == 0,
                  "store_add_vote: %s", err.msg);
}

/* n votes of `points` for unit, an hour ago, at UTC+8. */
static void votes(kiosk *k, const char *unit, int points, int n)
{
    for (int i = 0; i < n; i++)
        vote_at(k, unit, points, 0, clock_utc_now() - 3600, H8);
}

/* Writes an export of k (signed with key, as kiosk cfg) into folder "exports"
 * and returns its path relative to dir (malloc'd).  seconds makes the file
 * name unique. */
static char *export_as(kiosk *k, const kiosk_config *cfg, const sign_key *key, int seconds)
{
    char *out = in_dir("exports");
    mp_err err = {{0}};
    ck_assert_int_eq(mkdir(out, 0755) == 0 || errno == EEXIST, 1);
    char *path = NULL;
    int64_t rows = 0;
    ck_assert_msg(export_write(k->s, cfg, key, out, clock_utc_now() + seconds, &path, &rows,
                               &err) == 0,
                  "export_write: %s", err.msg);
    char *rel = strdup(path + strlen(dir) + 1);
    free(path);
    free(out);
    return rel;
}

static int export_serial;

static char *export_of(kiosk *k)
{
    return export_as(k, k->cfg, &k->key, ++export_serial);
}

/* ---- the office database ---- */

/* Every table's schema and rows, as text. */
static char *dump(const char *db_name)
{
    char *path = in_dir(db_name);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    free(path);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    sqlite3_stmt *tables;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name, type, sql FROM sqlite_schema "
                                            "ORDER BY type, name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        const char *type = (const char *)sqlite3_column_text(tables, 1);
        const unsigned char *sql = sqlite3_column_text(tables, 2);
        fprintf(f, "== %s %s\n%s\n", type, name, sql ? (const char *)sql : "");
        if (strcmp(type, "table") != 0)
            continue;
        char q[256];
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", name);
        sqlite3_stmt *rows;
        ck_assert_int_eq(sqlite3_prepare_v2(db, q, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(rows); i++) {
                const unsigned char *t = sqlite3_column_text(rows, i);
                fprintf(f, "%s|", t ? (const char *)t : "NULL");
            }
            fputc('\n', f);
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_stmt *uv;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &uv, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(uv), SQLITE_ROW);
    fprintf(f, "user_version %d\n", sqlite3_column_int(uv, 0));
    sqlite3_finalize(uv);
    fclose(f);
    sqlite3_close(db);
    return buf;
}

static int64_t db_count(const char *sql)
{
    char *path = in_dir("office.db");
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    free(path);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s",
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* The report as CSV. */
static char *report_csv(const char *extra1, const char *extra2, const char *extra3)
{
    const char *args[16] = {"--db", "office.db", "report", "--format", "csv"};
    size_t n = 5;
    if (extra1)
        args[n++] = extra1;
    if (extra2)
        args[n++] = extra2;
    if (extra3)
        args[n++] = extra3;
    args[n] = NULL;
    tu_result r;
    run_args(&r, args);
    assert_ok(&r);
    char *out = strdup(r.out);
    tu_result_free(&r);
    return out;
}

static const char CSV_HEAD[] = "\xEF\xBB\xBF单位代码,单位名称,非常满意,基本满意,一般,不满意,"
                               "有效票数,疑似刷票,民主测评得分,现场票数,网上票数,已排除,"
                               "95%区间下限,95%区间上限,有效票少于30\r\n";

/* ---- tests ---- */

START_TEST(test_round_trip)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    /* GA01: 3 × 10, 2 × 8, 1 × 6 and one flagged 0; MZ01: 2 × 8, 1 × 6. */
    votes(&k, "GA01", 10, 3);
    votes(&k, "GA01", 8, 2);
    votes(&k, "GA01", 6, 1);
    vote_at(&k, "GA01", 0, 1, clock_utc_now() - 3000, H8);
    votes(&k, "MZ01", 8, 2);
    votes(&k, "MZ01", 6, 1);
    char *file = export_of(&k);

    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    ck_assert_str_eq(r.err, "");
    ck_assert_msg(strstr(r.out, file) && strstr(r.out, "kiosk room-01") &&
                      strstr(r.out, "10 votes, 10 new"),
                  "%s", r.out);
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 10);
    ck_assert_int_eq(db_count("SELECT count(*) FROM imports"), 1);

    /* By hand: GA01 (30 + 16 + 6) / 6 = 8.666… -> 8.67; MZ01 22 / 3 -> 7.33;
     * TS01 has no votes: blank score. */
    char *csv = report_csv(NULL, NULL, NULL);
    char want[1024];
    snprintf(want, sizeof want,
             "%sGA01,县公安局,3,2,1,0,6,1,8.67,6,0,0,3.32,10.00,是\r\n"
             "MZ01,县民政局,0,2,1,0,3,0,7.33,3,0,0,0.87,9.99,是\r\n"
             "TS01,城关镇人民政府,0,0,0,0,0,0,,0,0,0,,,\r\n",
             CSV_HEAD);
    ck_assert_str_eq(csv, want);
    free(csv);

    /* With the flagged vote: GA01 52 / 7 = 7.428… -> 7.43. */
    csv = report_csv("--include-flagged", NULL, NULL);
    snprintf(want, sizeof want,
             "%sGA01,县公安局,3,2,1,1,7,1,7.43,7,0,0,2.52,9.86,是\r\n"
             "MZ01,县民政局,0,2,1,0,3,0,7.33,3,0,0,0.87,9.99,是\r\n"
             "TS01,城关镇人民政府,0,0,0,0,0,0,,0,0,0,,,\r\n",
             CSV_HEAD);
    ck_assert_str_eq(csv, want);
    free(csv);

    /* The table: same numbers, columns aligned (CJK characters count double). */
    run(&r, "--db", "office.db", "report", NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "8.67"));
    ck_assert_ptr_nonnull(strstr(r.out, "得分 = (10×非常满意"));
    const char *head = strstr(r.out, "单位代码");
    ck_assert_ptr_nonnull(head);
    int widths[4] = {0};
    const char *line = head;
    for (int i = 0; i < 4; i++) {
        const char *end = strchr(line, '\n');
        ck_assert_ptr_nonnull(end);
        int w = 0;
        for (const char *p = line; p < end;) {
            unsigned char c = (unsigned char)*p;
            int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            w += n == 3 ? 2 : 1; /* the CJK characters here are all 3 bytes */
            p += n;
        }
        widths[i] = w;
        line = end + 1;
    }
    ck_assert_msg(widths[0] == widths[1] && widths[1] == widths[2] && widths[2] == widths[3],
                  "table lines of width %d %d %d %d:\n%s", widths[0], widths[1], widths[2],
                  widths[3], r.out);
    ck_assert_msg(strstr(r.out, "  县公安局    ") != NULL, "%s", r.out);
    tu_result_free(&r);

    /* The HTML page: self-contained, the working shown, the import listed. */
    run(&r, "--db", "office.db", "report", "--format", "html", "--out", "report.html", NULL);
    assert_ok(&r);
    ck_assert_str_eq(r.out, "");
    tu_result_free(&r);
    char *html_path = in_dir("report.html");
    char *html = tu_read_file(html_path, NULL);
    free(html_path);
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_nonnull(strstr(html, "<!DOCTYPE html>"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "http://"));
    ck_assert_ptr_null(strstr(html, "https://"));
    ck_assert_ptr_null(strstr(html, "<link"));
    ck_assert_ptr_nonnull(strstr(html, "得分 = ( 10 × 非常满意 + 8 × 基本满意 + 6 × 一般 + "
                                       "0 × 不满意 ) ÷ 有效票数"));
    ck_assert_msg(strstr(html, "(10×3 + 8×2 + 6×1 + 0×0) ÷ 6<br><span class=\"cont\">= 52 ÷ 6 "
                               "= 8.6666…，四舍五入得 <b>8.67</b>"),
                  "GA01's working is missing");
    ck_assert_ptr_nonnull(strstr(html, "(10×0 + 8×2 + 6×1 + 0×0) ÷ 3<br><span class=\"cont\">"
                                       "= 22 ÷ 3 = 7.3333…"));
    ck_assert_ptr_nonnull(strstr(html, "本期间无有效票，不计分。"));
    ck_assert_ptr_nonnull(strstr(html, "疑似刷票 1 票，未计入上式"));
    ck_assert_ptr_nonnull(strstr(html, strrchr(file, '/') + 1));
    ck_assert_ptr_nonnull(strstr(html, "未发现缺号"));
    /* Sorted by score: GA01 (8.67) before MZ01 (7.33) before TS01 (none). */
    const char *ga = strstr(html, "<td class=\"c mono\">GA01</td>");
    const char *mz = strstr(html, "<td class=\"c mono\">MZ01</td>");
    const char *ts = strstr(html, "<td class=\"c mono\">TS01</td>");
    ck_assert(ga && mz && ts && ga < mz && mz < ts);
    free(html);

    free(file);
    kiosk_close(&k);
}
END_TEST

/* A good export of room-01, and room-02 provisioned too. */
static char *good_export(kiosk *k)
{
    provision("office.db", "room-01", UNITS);
    static const char *const two[] = {"GA01=县公安局", NULL};
    provision("office.db", "room-02", two);
    kiosk_open(k, "room-01");
    votes(k, "GA01", 10, 2);
    votes(k, "TS01", 6, 1);
    return export_of(k);
}

/* A copy of data (len bytes) with the first `from` replaced by `to`. */
static char *replace_once(const char *data, size_t len, const char *from, const char *to)
{
    const char *at = NULL;
    for (size_t i = 0; !at && i + strlen(from) <= len; i++)
        if (memcmp(data + i, from, strlen(from)) == 0)
            at = data + i;
    ck_assert_ptr_nonnull(at);
    size_t head = (size_t)(at - data), nf = strlen(from), nt = strlen(to);
    char *out = malloc(len - nf + nt + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, data, head);
    memcpy(out + head, to, nt);
    memcpy(out + head + nt, at + nf, len - head - nf);
    out[len - nf + nt] = '\0';
    return out;
}

/* Writes data as file name in dir; returns name. */
static const char *write_named(const char *name, const void *data, size_t len)
{
    char *p = in_dir(name);
    tu_write_file(p, data, len);
    free(p);
    return name;
}

/* Imports file alone: it must be rejected with want, the database unchanged. */
static void assert_rejected(const char *file, const char *want)
{
    char *before = dump("office.db");
    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    ck_assert_msg(r.status == 1, "%s: exit status %d; stderr %s", file, r.status, r.err);
    ck_assert_msg(strncmp(r.err, "minping-office: ", 16) == 0, "stderr: %s", r.err);
    ck_assert_msg(strstr(r.err, file) != NULL, "the message does not name %s: %s", file, r.err);
    ck_assert_msg(strstr(r.err, want) != NULL, "%s: stderr \"%s\" lacks \"%s\"", file, r.err,
                  want);
    ck_assert_msg(strchr(r.err, '\n')[1] == '\0', "more than one line: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "0 of 1 file imported"));
    tu_result_free(&r);
    char *after = dump("office.db");
    ck_assert_msg(strcmp(before, after) == 0, "%s changed the office database", file);
    free(before);
    free(after);
}

START_TEST(test_rejections)
{
    kiosk k;
    char *good = good_export(&k);
    char *good_path = in_dir(good);
    size_t len = 0;
    char *data = tu_read_file(good_path, &len);
    free(good_path);
    ck_assert_uint_gt(len, 200);

    /* One byte changed: in the first vote's uuid. */
    char *tampered = malloc(len);
    memcpy(tampered, data, len);
    char *row = strstr(tampered, "\r\nroom-01,") + 2;
    char *uuid = strchr(strchr(strchr(row, ',') + 1, ',') + 1, ',') + 1;
    *uuid = *uuid == 'a' ? 'b' : 'a';
    assert_rejected(write_named("tampered.csv", tampered, len), "signature does not match");
    /* A vote's rating changed from 10 to 8 points. */
    char *changed = replace_once(data, len, ",非常满意,10,", ",基本满意,8,");
    assert_rejected(write_named("points.csv", changed, len - 1), "signature does not match");
    free(changed);
    /* A change that also makes a vote malformed is still named as a change
     * (the rows are read while the signature is checked). */
    changed = replace_once(data, len, ",非常满意,10,", ",非常满意,11,");
    assert_rejected(write_named("points11.csv", changed, len), "signature does not match");
    free(changed);
    free(tampered);

    /* Cut short, at several places. */
    assert_rejected(write_named("truncated.csv", data, len / 2), "truncated");
    assert_rejected(write_named("truncated2.csv", data, len - 3), "truncated");
    assert_rejected(write_named("truncated3.csv", data, len - 1), "");
    /* Something appended. */
    char *appended = malloc(len + 64);
    memcpy(appended, data, len);
    memcpy(appended + len, "room-01,x\r\n", 11);
    assert_rejected(write_named("appended.csv", appended, len + 11), "follow the signature line");
    free(appended);
    /* Empty, garbage, a CSV that is no export, a registry file. */
    assert_rejected(write_named("empty.csv", "", 0), "empty");
    assert_rejected(write_named("garbage.bin", "\x7f" "ELF\x02\x01\x01\0\0\0", 10), "");
    assert_rejected(write_named("plain.csv", "a,b,c\r\n1,2,3\r\n", 14), "not a Minping export");
    assert_rejected(write_named("lf.csv", "hello\n", 6), "");
    /* Not a file at all. */
    char *sub = in_dir("a-folder");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    free(sub);
    assert_rejected("a-folder", "not a regular file");
    assert_rejected("no-such-file.csv", "cannot open");
    char *link = in_dir("link.csv");
    ck_assert_int_eq(symlink(good, link), 0);
    free(link);
    assert_rejected("link.csv", "symbolic link");

    /* Signed by a key the office never issued (a copied kiosk.ini with a
     * home-made key). */
    sign_key stranger;
    mp_err err = {{0}};
    ck_assert_int_eq(sign_keygen(&stranger, &err), 0);
    char *forged = export_as(&k, k.cfg, &stranger, 100);
    assert_rejected(forged, "kiosk room-01 is provisioned here, but the key that signed this "
                            "file (key id");
    free(forged);

    /* room-01's votes signed with room-02's key: a key of another kiosk. */
    kiosk k2;
    kiosk_open(&k2, "room-02");
    char *foreign = export_as(&k, k.cfg, &k2.key, 101);
    assert_rejected(foreign, "was not issued by this office: the kiosk was provisioned by "
                             "another office, or its kiosk.key was replaced");
    free(foreign);

    /* A kiosk this office never provisioned (provisioned by another office). */
    provision("other.db", "room-99", UNITS);
    kiosk k99;
    kiosk_open(&k99, "room-99");
    votes(&k99, "GA01", 10, 1);
    char *unknown = export_of(&k99);
    assert_rejected(unknown, "kiosk room-99 is not provisioned in this office database: "
                             "provision it here first");

    /* A bad file among good ones: the good ones import, the status is 1. */
    char *before = dump("office.db");
    tu_result r;
    run(&r, "--db", "office.db", "import", "tampered.csv", good, unknown, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "tampered.csv: rejected"));
    ck_assert_ptr_nonnull(strstr(r.err, "room-99"));
    ck_assert_ptr_nonnull(strstr(r.out, "3 votes, 3 new"));
    ck_assert_ptr_nonnull(strstr(r.out, "1 of 3 files imported, 2 rejected; new votes: 3."));
    tu_result_free(&r);
    char *after = dump("office.db");
    ck_assert_msg(strcmp(before, after) != 0, "the office database did not change");
    free(before);
    free(after);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 3);

    free(unknown);
    kiosk_close(&k99);
    kiosk_close(&k2);
    sign_key_wipe(&stranger);
    free(data);
    free(good);
    kiosk_close(&k);
}
END_TEST

START_TEST(test_usage)
{
    tu_result r;
    run(&r, "--db", "office.db", "import", NULL);
    assert_one_error(&r, 2, "no file given");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "import", "--bogus", "x", NULL);
    assert_one_error(&r, 2, "unknown option --bogus");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "import", "x.csv", NULL);
    assert_one_error(&r, 1, "does not exist");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "report", NULL);
    assert_one_error(&r, 1, "does not exist");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "kiosks", NULL);
    assert_one_error(&r, 1, "does not exist");
    tu_result_free(&r);
    char *p = in_dir("office.db");
    ck_assert_msg(!tu_exists(p), "a database was created");
    free(p);

    provision("office.db", "room-01", UNITS);
    const struct {
        const char *a, *b, *c, *d, *want;
    } bad[] = {
        {"--year", "2026", "--from", "2026-01-01", "--year cannot be combined"},
        {"--from", "2026-02-30", NULL, NULL, "--from: 2026-02-30: month 2 has no day 30"},
        {"--to", "26-01-01", NULL, NULL, "--to: \"26-01-01\" is not a date"},
        {"--from", "2026-05-01", "--to", "2026-04-30", "is after --to"},
        {"--year", "26", NULL, NULL, "is not a year"},
        {"--format", "pdf", NULL, NULL, "--format \"pdf\""},
        {"--out", "", NULL, NULL, "--out needs a file name"},
        {"extra", NULL, NULL, NULL, "unexpected argument \"extra\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run(&r, "--db", "office.db", "report", bad[i].a, bad[i].b, bad[i].c, bad[i].d, NULL);
        assert_one_error(&r, 2, bad[i].want);
        tu_result_free(&r);
    }
    run(&r, "--db", "office.db", "report", "--help", NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "--include-flagged"));
    tu_result_free(&r);
    run(&r, "--db", "office.db", "import", "--help", NULL);
    assert_ok(&r);
    tu_result_free(&r);
    run(&r, "--db", "office.db", "kiosks", "--help", NULL);
    assert_ok(&r);
    tu_result_free(&r);
    run(&r, "--db", "office.db", "units", "--help", NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "联系人1QQ"));
    tu_result_free(&r);
    run(&r, "--db", "office.db", "units", NULL);
    assert_one_error(&r, 2, "import FILE.csv");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "units", "delete", NULL);
    assert_one_error(&r, 2, "unknown subcommand \"delete\"");
    tu_result_free(&r);
    run(&r, "--help", NULL);
    assert_ok(&r);
    ck_assert(strstr(r.out, "import") && strstr(r.out, "kiosks") && strstr(r.out, "report") &&
              strstr(r.out, "units"));
    tu_result_free(&r);

    /* A report into a folder that does not exist fails and says where. */
    run(&r, "--db", "office.db", "report", "--out", "no/such/dir/r.csv", NULL);
    assert_one_error(&r, 1, "no/such/dir");
    tu_result_free(&r);
}
END_TEST

START_TEST(test_double_and_overlap)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "GA01", 10, 2);
    votes(&k, "GA01", 0, 1);
    char *first = export_of(&k);
    votes(&k, "GA01", 8, 2);
    char *second = export_of(&k);

    tu_result r;
    run(&r, "--db", "office.db", "import", first, NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "3 votes, 3 new"));
    tu_result_free(&r);
    /* The same file again. */
    run(&r, "--db", "office.db", "import", first, NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "3 votes, 0 new (this very file was imported before)"), "%s",
                  r.out);
    tu_result_free(&r);
    /* The later cumulative export overlaps the first: only 2 new. */
    run(&r, "--db", "office.db", "import", second, first, second, NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "5 votes, 2 new"));
    ck_assert_ptr_nonnull(strstr(r.out, "3 of 3 files imported, 0 rejected; new votes: 2."));
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 5);

    char *csv = report_csv(NULL, NULL, NULL);
    /* (20 + 16 + 0) / 5 = 7.20 */
    ck_assert_ptr_nonnull(strstr(csv, "\r\nGA01,县公安局,2,2,0,1,5,0,7.20,5,0,0,1.69,9.92,是\r\n"));
    free(csv);
    free(first);
    free(second);
    kiosk_close(&k);
}
END_TEST

/* Copies the file at from (in dir) to to. */
static void copy_file(const char *from, const char *to)
{
    char *a = in_dir(from), *b = in_dir(to);
    size_t len = 0;
    char *data = tu_read_file(a, &len);
    ck_assert_ptr_nonnull(data);
    tu_write_file(b, data, len);
    free(data);
    free(a);
    free(b);
}

START_TEST(test_conflict)
{
    /* A kiosk database copied aside (same instance) and both copies used:
     * vote 3 exists twice with different content. */
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "GA01", 10, 2);
    store_close(k.s);
    copy_file("room-01/kiosk.db", "room-01/clone.db");
    mp_err err = {{0}};
    ck_assert_int_eq(store_open(k.cfg->db_path, &k.s, &err), 0);
    votes(&k, "GA01", 10, 1);
    char *original = export_of(&k);
    store_close(k.s);
    char *clone = in_dir("room-01/clone.db");
    ck_assert_msg(store_open(clone, &k.s, &err) == 0, "%s", err.msg);
    free(clone);
    votes(&k, "GA01", 0, 1);
    char *changed = export_of(&k);

    tu_result r;
    run(&r, "--db", "office.db", "import", original, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    char *before = dump("office.db");
    run(&r, "--db", "office.db", "import", changed, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, changed) && strstr(r.err, "conflict") &&
                      strstr(r.err, "vote 3 of kiosk room-01") &&
                      strstr(r.err, strrchr(original, '/') + 1),
                  "%s", r.err);
    tu_result_free(&r);
    char *after = dump("office.db");
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(before);
    free(after);
    free(original);
    free(changed);
    kiosk_close(&k);
}
END_TEST

/* Deletes votes from a kiosk database behind the kiosk's back. */
static void delete_on_kiosk(kiosk *k, const char *where)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(k->cfg->db_path, &db), SQLITE_OK);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TRIGGER votes_no_delete; DELETE FROM votes WHERE %s", where);
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
    sqlite3_close(db);
}

START_TEST(test_gaps)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "GA01", 10, 6);
    delete_on_kiosk(&k, "seq IN (3, 4)");
    char *file = export_of(&k);

    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r); /* imported, with a warning */
    ck_assert_ptr_nonnull(strstr(r.out, "4 votes, 4 new"));
    ck_assert_msg(strstr(r.err, "minping-office: warning: kiosk room-01, database ") &&
                      strstr(r.err, ": votes 3-4 missing (2 votes never imported"),
                  "%s", r.err);
    tu_result_free(&r);

    run(&r, "--db", "office.db", "kiosks", NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "kiosk room-01:") && strstr(r.out, "4 votes from 1 file") &&
                      strstr(r.out, "numbers up to 6") &&
                      strstr(r.out, "    warning: kiosk room-01, database ") &&
                      strstr(r.out, "votes 3-4 missing"),
                  "%s", r.out);
    tu_result_free(&r);

    run(&r, "--db", "office.db", "report", "--format", "html", NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "<td>3-4</td>"), "no gap row in the HTML report");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "report", NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "缺少序号 3-4"));
    tu_result_free(&r);

    /* A deletion at the start shows as well: votes 1-2 of a second kiosk. */
    provision("office.db", "room-02", UNITS);
    kiosk k2;
    kiosk_open(&k2, "room-02");
    votes(&k2, "MZ01", 8, 3);
    delete_on_kiosk(&k2, "seq <= 2");
    char *file2 = export_of(&k2);
    run(&r, "--db", "office.db", "import", file2, NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.err, "kiosk room-02") && strstr(r.err, "votes 1-2 missing"), "%s",
                  r.err);
    ck_assert_msg(!strstr(r.err, "room-01"), "warnings of another kiosk: %s", r.err);
    tu_result_free(&r);
    free(file2);
    kiosk_close(&k2);
    free(file);
    kiosk_close(&k);
}
END_TEST

START_TEST(test_deleted_after_export)
{
    /* Votes exported and imported, then deleted on the kiosk: the next
     * cumulative export lacks them.  The office keeps them and says so. */
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "GA01", 10, 5);
    char *first = export_of(&k);
    tu_result r;
    run(&r, "--db", "office.db", "import", first, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    delete_on_kiosk(&k, "seq IN (2, 3)");
    votes(&k, "GA01", 8, 1);
    char *second = export_of(&k);
    run(&r, "--db", "office.db", "import", second, NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "4 votes, 1 new"));
    ck_assert_msg(strstr(r.err, "minping-office: warning: ") && strstr(r.err, second) &&
                      strstr(r.err, "lacks votes 2-3 (2 votes) that an earlier import"),
                  "%s", r.err);
    ck_assert_ptr_null(strstr(r.err, "missing")); /* no gap: the office has them */
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 6);
    ck_assert_int_eq(db_count("SELECT absent_rows FROM imports WHERE id = 2"), 2);

    run(&r, "--db", "office.db", "kiosks", NULL);
    ck_assert_msg(strstr(r.out, "  warning: file ") && strstr(r.out, "lacks votes 2-3 (2)"),
                  "%s", r.out);
    tu_result_free(&r);
    run(&r, "--db", "office.db", "report", "--format", "html", NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "<td>2-3</td><td class=\"n\">2</td>"));
    tu_result_free(&r);
    char *csv = report_csv(NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(csv, "GA01,县公安局,5,1,0,0,6,0,9.67"));
    free(csv);
    free(first);
    free(second);
    kiosk_close(&k);
}
END_TEST

START_TEST(test_clock_warning)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "GA01", 10, 1);
    vote_at(&k, "GA01", 8, 0, 5, H8);  /* 1970: a board without a clock */
    vote_at(&k, "GA01", 6, 0, 65, H8);
    votes(&k, "GA01", 10, 1);
    char *file = export_of(&k);

    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.err, "minping-office: warning: kiosk room-01: 2 votes with an "
                                "implausible date") &&
                      strstr(r.err, "2 dated before the kiosk was provisioned") &&
                      strstr(r.err, "1970-01-01 00:00:05 +00:00 to 1970-01-01 00:01:05 +00:00") &&
                      strstr(r.err, "; numbers ") && strstr(r.err, ": 2-3."),
                  "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 4); /* imported all the same */

    run(&r, "--db", "office.db", "kiosks", NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "  warning: kiosk room-01: 2 votes with an implausible"));
    tu_result_free(&r);

    /* All dates: counted by the date they carry; 2026 only: not. */
    char *csv = report_csv(NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(csv, "GA01,县公安局,2,1,1,0,4,0,8.50"));
    free(csv);
    char year[16];
    time_t local = (time_t)(clock_utc_now() - 3600 + H8); /* the votes' local date */
    struct tm tm;
    gmtime_r(&local, &tm);
    snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
    csv = report_csv("--year", year, NULL);
    ck_assert_ptr_nonnull(strstr(csv, "GA01,县公安局,2,0,0,0,2,0,10.00"));
    free(csv);
    run(&r, "--db", "office.db", "report", "--format", "html", "--year", year, NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "（三）终端时钟"));
    ck_assert_ptr_nonnull(strstr(r.out, "<td>room-01</td><td class=\"n\">2</td>"));
    ck_assert_ptr_nonnull(strstr(r.out, "1970-01-01 00:00:05"));
    tu_result_free(&r);
    free(file);
    kiosk_close(&k);
}
END_TEST

START_TEST(test_date_windows)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    /* UTC+8: local dates differ from UTC dates between 16:00 and 24:00 UTC. */
    const int64_t jan1_local = INT64_C(1767198600);  /* 2025-12-31 16:30Z = 2026-01-01 00:30 */
    const int64_t mar31_local = INT64_C(1774971000); /* 2026-03-31 15:30Z = 2026-03-31 23:30 */
    const int64_t apr1_local = INT64_C(1774974600);  /* 2026-03-31 16:30Z = 2026-04-01 00:30 */
    const int64_t next_year = INT64_C(1798734600);   /* 2026-12-31 16:30Z = 2027-01-01 00:30 */
    vote_at(&k, "GA01", 10, 0, jan1_local, H8);
    vote_at(&k, "GA01", 8, 0, mar31_local, H8);
    vote_at(&k, "GA01", 6, 0, apr1_local, H8);
    vote_at(&k, "GA01", 0, 0, next_year, H8);
    vote_at(&k, "MZ01", 0, 0, jan1_local - 3600, H8); /* 2025-12-31 23:30 local */
    char *file = export_as(&k, k.cfg, &k.key, 400 * DAY); /* exported after all of them */
    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    tu_result_free(&r);

    char *csv = report_csv("--year", "2026", NULL);
    ck_assert_msg(strstr(csv, "GA01,县公安局,1,1,1,0,3,0,8.00") &&
                      strstr(csv, "MZ01,县民政局,0,0,0,0,0,0,,0,0,0,,,\r\n"),
                  "%s", csv);
    free(csv);
    csv = report_csv("--from", "2026-04-01", NULL);
    ck_assert_msg(strstr(csv, "GA01,县公安局,0,0,1,1,2,0,3.00"), "%s", csv);
    free(csv);
    csv = report_csv("--to", "2026-03-31", NULL);
    ck_assert_msg(strstr(csv, "GA01,县公安局,1,1,0,0,2,0,9.00") &&
                      strstr(csv, "MZ01,县民政局,0,0,0,1,1,0,0.00"),
                  "%s", csv);
    free(csv);
    csv = report_csv("--from", "2026-04-01", "--to=2026-04-01");
    ck_assert_msg(strstr(csv, "GA01,县公安局,0,0,1,0,1,0,6.00"), "%s", csv);
    free(csv);
    csv = report_csv("--year", "2025", NULL);
    ck_assert_msg(strstr(csv, "MZ01,县民政局,0,0,0,1,1,0,0.00") &&
                      strstr(csv, "GA01,县公安局,0,0,0,0,0,0,,0,0,0,,,\r\n"),
                  "%s", csv);
    free(csv);
    run(&r, "--db", "office.db", "report", "--format", "html", "--year", "2026", NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "统计期间：2026年度（2026年1月1日至2026年12月31日）"));
    tu_result_free(&r);
    run(&r, "--db", "office.db", "report", "--format", "html", "--from", "2026-04-01", NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "统计期间：2026年4月1日起"));
    tu_result_free(&r);
    free(file);
    kiosk_close(&k);
}
END_TEST

/* The 95 % interval and the mark of a score on fewer than 30 votes, in every
 * format: A has 30 votes (no mark), B 29. */
START_TEST(test_interval_and_few_votes)
{
    static const char *const units[] = {"A=甲单位", "B=乙单位", NULL};
    provision("office.db", "room-01", units);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "A", 10, 20); /* 266 / 30 = 8.87; 6.74–9.83 */
    votes(&k, "A", 8, 6);
    votes(&k, "A", 6, 3);
    votes(&k, "A", 0, 1);
    votes(&k, "B", 10, 20); /* 258 / 29 = 8.90; 6.74–9.85 */
    votes(&k, "B", 8, 5);
    votes(&k, "B", 6, 3);
    votes(&k, "B", 0, 1);
    char *file = export_of(&k);
    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    tu_result_free(&r);

    char *csv = report_csv(NULL, NULL, NULL);
    char want[512];
    snprintf(want, sizeof want,
             "%sA,甲单位,20,6,3,1,30,0,8.87,30,0,0,6.74,9.83,否\r\n"
             "B,乙单位,20,5,3,1,29,0,8.90,29,0,0,6.74,9.85,是\r\n",
             CSV_HEAD);
    ck_assert_str_eq(csv, want);
    free(csv);

    run(&r, "--db", "office.db", "report", NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "  95%区间\n") && strstr(r.out, "  6.74~9.83\n") &&
                      strstr(r.out, "  6.74~9.85 *\n") &&
                      strstr(r.out, "* 有效票少于30票：得分的偶然性大，请结合95%区间解读。") &&
                      strstr(r.out, "Chernoff–Hoeffding"),
                  "%s", r.out);
    tu_result_free(&r);

    run(&r, "--db", "office.db", "report", "--format", "html", NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "<th>95%区间</th>") &&
                      strstr(r.out, "<td class=\"s\">8.87</td>") &&
                      strstr(r.out, "<td class=\"s\">8.90<sup class=\"few\">*</sup></td>") &&
                      strstr(r.out, "<td class=\"c iv\">6.74–9.83</td>") &&
                      strstr(r.out, "95%区间：<b class=\"iv\">6.74–9.85</b>（29 票") &&
                      strstr(r.out, "有效票仅 29 票，少于30票") &&
                      strstr(r.out, "8.90<sup class=\"few\">*</sup><small> 分</small>") &&
                      strstr(r.out, "<div class=\"uscore\">8.87<small> 分</small>") &&
                      !strstr(r.out, "有效票仅 30 票"),
                  "%s", r.out);
    tu_result_free(&r);
    free(file);
    kiosk_close(&k);
}
END_TEST

/* Scores of the rounding cases, through the whole program. */
START_TEST(test_rounding_cases)
{
    static const char *const units[] = {"A=甲单位", "B=乙单位", "C=丙单位", "D=丁单位", NULL};
    provision("office.db", "room-01", units);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "A", 8, 2); /* 2 of 8, 1 of 6: 22/3 = 7.33 */
    votes(&k, "A", 6, 1);
    votes(&k, "B", 10, 1); /* 1 of 10, 2 of 6: 22/3 = 7.33 */
    votes(&k, "B", 6, 2);
    votes(&k, "C", 10, 2); /* 2 of 10, 1 of 8: 28/3 = 9.33 */
    votes(&k, "C", 8, 1);
    votes(&k, "D", 10, 10); /* 146/16 = 9.125 exactly: half up to 9.13 */
    votes(&k, "D", 8, 5);
    votes(&k, "D", 6, 1);
    char *file = export_of(&k);
    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    char *csv = report_csv(NULL, NULL, NULL);
    char want[512];
    snprintf(want, sizeof want,
             "%sA,甲单位,0,2,1,0,3,0,7.33,3,0,0,0.87,9.99,是\r\n"
             "B,乙单位,1,0,2,0,3,0,7.33,3,0,0,0.87,9.99,是\r\n"
             "C,丙单位,2,1,0,0,3,0,9.33,3,0,0,2.09,10.00,是\r\n"
             "D,丁单位,10,5,1,0,16,0,9.13,16,0,0,6.14,9.98,是\r\n",
             CSV_HEAD);
    ck_assert_str_eq(csv, want);
    free(csv);
    run(&r, "--db", "office.db", "report", "--format", "html", NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "= 146 ÷ 16 = 9.125，四舍五入得 <b>9.13</b>"));
    /* Ties share a rank. */
    ck_assert_ptr_nonnull(strstr(r.out, "<td class=\"c\">3</td><td class=\"c mono\">A</td>"));
    ck_assert_ptr_nonnull(strstr(r.out, "<td class=\"c\">3</td><td class=\"c mono\">B</td>"));
    tu_result_free(&r);
    free(file);
    kiosk_close(&k);
}
END_TEST

/* The sample registry shipped in assets/. */
static char *sample_units(void)
{
    char *src = strdup(__FILE__);
    char *tests = dirname(src);
    char *p = tu_path(tests, "../assets/sample-units.csv");
    free(src);
    return p;
}

static void units_import(tu_result *r, const char *name, const char *text)
{
    write_named(name, text, strlen(text));
    run(r, "--db", "office.db", "units", "import", name, NULL);
}

START_TEST(test_units_import)
{
    /* The sample file: every unit, contacts included. */
    char *sample = sample_units();
    tu_result r;
    run(&r, "--db", "office.db", "units", "import", sample, NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, " added, 0 updated, 0 unchanged."), "%s", r.out);
    tu_result_free(&r);
    int64_t n = db_count("SELECT count(*) FROM units");
    ck_assert_int_ge(n, 8);
    ck_assert_int_eq(db_count("SELECT count(*) FROM units WHERE type IS NULL"), 0);
    ck_assert_int_eq(db_count("SELECT count(DISTINCT type) FROM units"), 4);
    ck_assert_int_eq(db_count("SELECT count(*) FROM unit_contacts WHERE contact1_qq = '' OR "
                              "contact2_name = '' OR leader = ''"),
                     0);
    /* Again: nothing changes. */
    char *before = dump("office.db");
    run(&r, "--db", "office.db", "units", "import", sample, NULL);
    assert_ok(&r);
    char want[64];
    snprintf(want, sizeof want, "0 added, 0 updated, %" PRId64 " unchanged.", n);
    ck_assert_msg(strstr(r.out, want), "%s", r.out);
    tu_result_free(&r);
    char *after = dump("office.db");
    ck_assert_msg(strcmp(before, after) == 0, "the office database changed");
    free(before);
    free(after);
    free(sample);

    run(&r, "--db", "office.db", "units", "list", NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "代码\t名称\t类型"));
    tu_result_free(&r);
}
END_TEST

START_TEST(test_units_update_and_rename)
{
    provision("office.db", "room-01", UNITS);
    tu_result r;
    /* No BOM, LF line ends, columns in another order, an alias. */
    units_import(&r, "a.csv",
                 "单位名称,单位代码,类型,联系人1手机\n"
                 "衡山县公安局,GA01,县直机关,000-0000-0000\n"
                 "城关镇人民政府,TS01,乡镇,\n"
                 "# a comment line\n"
                 ",,,\n"
                 "县档案馆,DA01,公共企事业单位,\n");
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "a.csv: 3 units: 1 added, 2 updated, 0 unchanged."), "%s",
                  r.out);
    ck_assert_msg(strstr(r.out, "renamed GA01: \"县公安局\" is now \"衡山县公安局\"") &&
                      strstr(r.out, "kiosks room-01 show the old name"),
                  "%s", r.out);
    ck_assert_ptr_null(strstr(r.out, "renamed TS01"));
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM units WHERE code = 'GA01' AND "
                              "name = '衡山县公安局' AND type = '县直机关'"),
                     1);
    ck_assert_int_eq(db_count("SELECT count(*) FROM unit_contacts WHERE unit_code = 'GA01' "
                              "AND contact1_mobile = '000-0000-0000'"),
                     1);

    /* A file without the contact columns leaves the contacts alone. */
    units_import(&r, "b.csv", "\xEF\xBB\xBF代码,名称,类型\r\nGA01,衡山县公安局,县直机关\r\n");
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "0 added, 0 updated, 1 unchanged."), "%s", r.out);
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM unit_contacts WHERE "
                              "contact1_mobile = '000-0000-0000'"),
                     1);

    /* Quoted fields with commas and quotes. */
    units_import(&r, "c.csv",
                 "代码,名称,类型,责任科室\r\n"
                 "MZ01,\"县民政局\",县直机关,\"办公室,\"\"政务公开\"\"组\"\r\n");
    assert_ok(&r);
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM unit_contacts WHERE office = "
                              "'办公室,\"政务公开\"组'"),
                     1);

    /* Names a spreadsheet or a browser would interpret.  A formula is
     * refused at the door (test_units_errors); one already stored, from a
     * registry older than that check, is still shown inert. */
    units_import(&r, "d.csv", "代码,名称,类型\r\nX1,甲,乡镇\r\nX2,<b>乙</b>,乡镇\r\n");
    assert_ok(&r);
    tu_result_free(&r);
    char *path = in_dir("office.db");
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    free(path);
    ck_assert_msg(sqlite3_exec(db, "UPDATE units SET name = '=HYPERLINK(1)' WHERE code = 'X1'",
                               NULL, NULL, NULL) == SQLITE_OK,
                  "%s", sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_changes(db), 1);
    sqlite3_close(db);

    /* The report uses the registry's name. */
    char *csv = report_csv(NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(csv, "\r\nGA01,衡山县公安局,"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\nDA01,县档案馆,"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\nX1,'=HYPERLINK(1),0,"));
    free(csv);
    run(&r, "--db", "office.db", "report", "--format", "html", NULL);
    assert_ok(&r);
    ck_assert_ptr_nonnull(strstr(r.out, "&lt;b&gt;乙&lt;/b&gt;"));
    ck_assert_ptr_null(strstr(r.out, "<b>乙"));
    tu_result_free(&r);
}
END_TEST

/* A registry file that must be refused, naming want, with nothing stored. */
static void assert_units_refused(const char *text, size_t len, const char *want)
{
    char *before = dump("office.db");
    write_named("bad.csv", text, len);
    tu_result r;
    run(&r, "--db", "office.db", "units", "import", "bad.csv", NULL);
    assert_one_error(&r, 1, want);
    ck_assert_ptr_nonnull(strstr(r.err, "bad.csv"));
    ck_assert_ptr_nonnull(strstr(r.err, "nothing was stored"));
    tu_result_free(&r);
    char *after = dump("office.db");
    ck_assert_msg(strcmp(before, after) == 0, "refused file changed the database: %s", want);
    free(before);
    free(after);
}

#define REFUSED(text, want) assert_units_refused(text, sizeof text - 1, want)

START_TEST(test_units_errors)
{
    provision("office.db", "room-01", UNITS);
    REFUSED("代码,名称,类型\r\nGA01,县公安局,县直机关\r\nXX01,某单位,街道\r\n",
            "bad.csv, line 3: 类型 \"街道\" is not one of 乡镇, 县直机关, 垂直管理单位, "
            "公共企事业单位");
    REFUSED("代码,名称,类型\r\nGA01,县公安局,县直机关\r\nMZ01,县民政局,县直机关\r\n"
            "GA01,县公安局,县直机关\r\n",
            "line 4: unit GA01 is also on line 2");
    REFUSED("代码,名称\r\nGA01,县公安局\r\n", "line 1: the header has no column 类型");
    /* What Excel and WPS would run as a formula. */
    REFUSED("代码,名称,类型\r\nGA01,=HYPERLINK(1),县直机关\r\n",
            "line 2: 名称 \"=HYPERLINK(1)\": \"=HYPERLINK(1)\" starts with '='");
    REFUSED("代码,名称,类型\r\nGA01,@县公安局,县直机关\r\n", "starts with '@'");
    REFUSED("代码,名称,类型\r\nGA01,+县公安局,县直机关\r\n", "starts with '+'");
    REFUSED("代码,名称,类型\r\n-GA01,县公安局,县直机关\r\n",
            "line 2: 代码: \"-GA01\" starts with '-', which Excel and WPS would run as a formula");
    REFUSED("代码,名称,类型,电话\r\n", "line 1: \"电话\" is not a column name");
    REFUSED("代码,名称,类型,名称\r\n", "line 1: the column 名称 is named twice");
    REFUSED("代码,名称,类型\r\nGA01,县公安局\r\n", "line 2: 2 fields, but the header names 3");
    REFUSED("# units\r\n代码,名称,类型\r\n\r\nGA 01,县公安局,县直机关\r\n",
            "line 4: 代码: unit code \"GA 01\" may contain only");
    REFUSED("代码,名称,类型\r\nGA01,一二三四五六七八九十一二三四五六七八九十一二三四五,县直机关\r\n",
            "line 2: 名称");
    REFUSED("代码,名称,类型,联系人1手机\r\nGA01,县公安局,县直机关,call me\r\n",
            "line 2: 联系人1手机 \"call me\" is not a telephone number");
    REFUSED("代码,名称,类型,联系人1电子邮箱\r\nGA01,县公安局,县直机关,nobody\r\n",
            "line 2: 联系人1电子邮箱 \"nobody\" is not an e-mail address");
    REFUSED("代码,名称,类型,联系人1QQ\r\nGA01,县公安局,县直机关,12ab\r\n",
            "line 2: 联系人1QQ \"12ab\" is not a QQ number");
    /* GBK bytes: what Excel's plain "CSV" gives on a Chinese Windows. */
    REFUSED("代码,名称,类型\r\nGA01,\xcf\xd8\xb9\xab\xb0\xb2\xbe\xd6,县直机关\r\n",
            "line 2: not UTF-8 text");
    REFUSED("代码,名称,类型\r\nGA01,\"县公安局,县直机关\r\n",
            "line 2: a quoted field opened here is never closed");
    REFUSED("代码,名称,类型\r\nGA01,县\"公安\"局,县直机关\r\n", "line 2: malformed CSV");
    REFUSED("代码,名称,类型,责任科室\r\nGA01,县公安局,县直机关,\"办公室\r\n二楼\"\r\n",
            "line 2: 责任科室: the value contains a control character");
    REFUSED("代码,名称,类型\r\nGA01,县公\0局,县直机关\r\n", "line 2: the file contains a NUL");
    REFUSED("", "bad.csv is empty");
    REFUSED("\xEF\xBB\xBF", "bad.csv is empty");
    REFUSED("代码,名称,类型\r\n", "has no units, only the header");
    REFUSED("# nothing\r\n", "has no header line");

    /* The error is in the last line: nothing of the good lines before it. */
    REFUSED("代码,名称,类型\r\nNEW1,新单位一,乡镇\r\nNEW2,新单位二,乡镇\r\nNEW3,,乡镇\r\n",
            "line 4: 名称");
    ck_assert_int_eq(db_count("SELECT count(*) FROM units WHERE code LIKE 'NEW%'"), 0);

    tu_result r;
    run(&r, "--db", "office.db", "units", "import", "missing.csv", NULL);
    assert_one_error(&r, 1, "missing.csv: cannot open");
    tu_result_free(&r);
    run(&r, "--db", "office.db", "units", "import", NULL);
    assert_one_error(&r, 2, "no file given");
    tu_result_free(&r);
}
END_TEST

START_TEST(test_unregistered_and_kiosks_listing)
{
    provision("office.db", "room-01", UNITS);
    provision("office.db", "room-02", UNITS);
    tu_result r;
    run(&r, "--db", "office.db", "kiosks", NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "kiosk room-01: provisioned ") &&
                      strstr(r.out, "3 units\n  nothing imported yet") &&
                      strstr(r.out, "kiosk room-02:"),
                  "%s", r.out);
    ck_assert_ptr_null(strstr(r.out, "warning"));
    tu_result_free(&r);

    /* Votes for a unit code the registry does not have: the kiosk was given
     * a unit by editing its kiosk.ini. */
    kiosk k;
    kiosk_open(&k, "room-01");
    mp_err err = {{0}};
    ck_assert_int_eq(store_add_vote(k.s, "ZZ99", "外来单位", 10, 0, clock_utc_now() - 60, H8,
                                    NULL, &err),
                     0);
    votes(&k, "GA01", 8, 1);
    char *file = export_of(&k);
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.err, "warning: 1 vote for unit ZZ99 (\"外来单位\"), which is not in "
                                "the unit registry"),
                  "%s", r.err);
    tu_result_free(&r);
    run(&r, "--db", "office.db", "report", NULL);
    ck_assert_ptr_nonnull(strstr(r.out, "单位代码 ZZ99（外来单位）不在单位名录中"));
    tu_result_free(&r);
    char *csv = report_csv(NULL, NULL, NULL);
    ck_assert_ptr_null(strstr(csv, "ZZ99"));
    free(csv);
    free(file);
    kiosk_close(&k);
}
END_TEST

/* Runs minping-office with stderr on a pseudo-terminal; returns what the
 * terminal showed. */
static char *run_on_tty(const char *const *args)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    char *slave_name = strdup(ptsname(master));
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int slave = open(slave_name, O_RDWR | O_NOCTTY);
        int null = open("/dev/null", O_WRONLY);
        if (slave < 0 || null < 0 || dup2(slave, 2) < 0 || dup2(null, 1) < 0 ||
            chdir(dir) < 0)
            _exit(126);
        const char *argv[16] = {MINPING_OFFICE_BIN};
        for (int i = 0; args[i]; i++)
            argv[i + 1] = args[i];
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    free(slave_name);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char chunk[4096];
    for (;;) {
        ssize_t n = read(master, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* EIO once the child has closed the terminal */
            int ws;
            if (waitpid(pid, &ws, WNOHANG) == pid) {
                ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
                break;
            }
            if (n < 0 && errno == EIO) {
                usleep(10000);
                continue;
            }
            break;
        }
        fwrite(chunk, 1, (size_t)n, f);
    }
    fclose(f);
    close(master);
    return buf;
}

START_TEST(test_progress_on_terminal)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    /* Enough votes for a progress line (1000 or more); one transaction on the
     * kiosk database keeps this fast. */
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(k.cfg->db_path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    for (int i = 0; i < 1200; i++)
        vote_at(&k, "GA01", RATINGS[i % 4].points, 0, clock_utc_now() - 60, H8);
    char *file = export_of(&k);

    const char *args[] = {"--db", "office.db", "import", file, NULL};
    char *shown = run_on_tty(args);
    ck_assert_msg(strstr(shown, "\r") && strstr(shown, "%") && strstr(shown, "of 1200 votes"),
                  "no progress on the terminal: %s", shown);
    ck_assert_ptr_nonnull(strstr(shown, "100% (1200 of 1200 votes)"));
    free(shown);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 1200);

    /* Not a terminal: nothing but the result. */
    tu_result r;
    run(&r, "--db", "office.db", "import", file, NULL);
    assert_ok(&r);
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_null(strchr(r.out, '\r'));
    tu_result_free(&r);
    free(file);
    kiosk_close(&k);
}
END_TEST

/* A reason tapped on the kiosk's thank-you screen (followups_add, as the
 * kiosk's reason buttons store it) goes through the kiosk's own export
 * (exporter_run: format 2 once there are follow-ups) into the office and is
 * counted for its unit in the report; importing the same or a later export
 * again counts each follow-up once. */
static void kiosk_reason(kiosk *k, int64_t vote_seq, const char *label)
{
    const char *labels[1] = {label};
    followup_in in = {.vote_seq = vote_seq, .reasons = labels, .n_reasons = 1, .comment = "",
                      .channel = "kiosk", .created_utc = clock_utc_now() - 3000,
                      .utc_offset = H8};
    followup_result res;
    mp_err err = {{0}};
    ck_assert_msg(followup_add(k->s, &in, &res, &err) == 0, "followup_add: %s", err.msg);
    ck_assert_int_eq(res, FOLLOWUP_STORED);
}

static char *kiosk_export(kiosk *k, int64_t *followups)
{
    char *out = in_dir("exports");
    ck_assert_int_eq(mkdir(out, 0755) == 0 || errno == EEXIST, 1);
    exporter_result res;
    mp_err err = {{0}};
    ck_assert_msg(exporter_run(k->cfg, k->s, out, clock_utc_now() + ++export_serial, &res,
                               &err) == 0,
                  "exporter_run: %s (%s)", err.msg, res.zh);
    *followups = res.followups;
    free(out);
    return strdup(res.path + strlen(dir) + 1);
}

/* The HTML report's follow-up line of the unit named name (its card), from
 * after "群众反映的问题</b>" to the next tag; "" when the card has none. */
static char *unit_followups(const char *html, const char *name)
{
    char head[200];
    snprintf(head, sizeof head, "<span class=\"uname\">%s</span>", name);
    const char *card = strstr(html, head);
    ck_assert_msg(card != NULL, "no card for %s in %s", name, html);
    const char *next = strstr(card + 1, "class=\"card-head\"");
    const char *fu = strstr(card, "群众反映的问题</b>");
    if (!fu || (next && fu > next))
        return strdup("");
    fu += strlen("群众反映的问题</b>");
    return strndup(fu, strcspn(fu, "<"));
}

START_TEST(test_kiosk_reasons_reach_the_report)
{
    provision("office.db", "room-01", UNITS);
    kiosk k;
    kiosk_open(&k, "room-01");
    votes(&k, "GA01", 10, 2);                /* seq 1-2 */
    votes(&k, "GA01", 0, 2);                 /* seq 3-4 */
    votes(&k, "MZ01", 6, 1);                 /* seq 5 */
    int64_t n_fu = -1;
    char *plain = kiosk_export(&k, &n_fu);   /* no reasons yet: format 1 */
    ck_assert_int_eq(n_fu, 0);
    kiosk_reason(&k, 3, "服务态度差");
    kiosk_reason(&k, 4, "服务态度差");
    kiosk_reason(&k, 5, "多次跑腿");
    char *first = kiosk_export(&k, &n_fu);
    ck_assert_int_eq(n_fu, 3);

    tu_result r;
    run(&r, "--db", "office.db", "import", plain, first, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 5);
    ck_assert_int_eq(db_count("SELECT count(*) FROM followups"), 3);
    /* A kiosk's own vote ('' in its file) is named by the kiosk. */
    ck_assert_int_eq(db_count("SELECT count(*) FROM followups WHERE source_id = 'room-01' AND "
                              "vote_kiosk = 'room-01' AND channel = 'kiosk' AND "
                              "vote_seq = 3 AND unit_code = 'GA01' AND points = 0 AND "
                              "reasons = '服务态度差'"),
                     1);

    /* The same file again, and a later export with one more reason. */
    kiosk_reason(&k, 1, "其他"); /* the table allows one on any vote */
    char *later = kiosk_export(&k, &n_fu);
    ck_assert_int_eq(n_fu, 4);
    run(&r, "--db", "office.db", "import", first, later, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    ck_assert_int_eq(db_count("SELECT count(*) FROM votes"), 5);
    ck_assert_int_eq(db_count("SELECT count(*) FROM followups"), 4);
    ck_assert_int_eq(db_count("SELECT count(*) FROM followups WHERE reasons = '服务态度差'"), 2);

    run(&r, "--db", "office.db", "report", "--format", "html", NULL);
    assert_ok(&r);
    char *ga = unit_followups(r.out, "县公安局"), *mz = unit_followups(r.out, "县民政局");
    ck_assert_str_eq(ga, "（跟进意见 3 条）：服务态度差 2 · 其他 1");
    ck_assert_str_eq(mz, "（跟进意见 1 条）：多次跑腿 1");
    free(ga);
    free(mz);
    tu_result_free(&r);
    free(plain);
    free(first);
    free(later);
    kiosk_close(&k);
}
END_TEST

static Suite *import_suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("import");
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_rejections);
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_double_and_overlap);
    tcase_add_test(tc, test_conflict);
    tcase_add_test(tc, test_gaps);
    tcase_add_test(tc, test_deleted_after_export);
    tcase_add_test(tc, test_clock_warning);
    tcase_add_test(tc, test_date_windows);
    tcase_add_test(tc, test_rounding_cases);
    tcase_add_test(tc, test_interval_and_few_votes);
    tcase_add_test(tc, test_units_import);
    tcase_add_test(tc, test_units_update_and_rename);
    tcase_add_test(tc, test_units_errors);
    tcase_add_test(tc, test_unregistered_and_kiosks_listing);
    tcase_add_test(tc, test_progress_on_terminal);
    tcase_add_test(tc, test_kiosk_reasons_reach_the_report);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(import_suite());
}

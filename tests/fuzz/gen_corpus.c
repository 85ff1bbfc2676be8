/* gen_corpus.c - writes the fuzzers' seed corpora and the export the fuzzing
 * office holds before each input:
 *
 *   gen_corpus FUZZ_DIR ASSETS_DIR
 *
 * FUZZ_DIR/office-prior.csv          votes 1-3 of kiosk fuzz-01 (fuzz_export
 *                                    imports it into its office database)
 * FUZZ_DIR/corpus/fuzz_export/       real exports: written by export_write
 *                                    from temporary kiosk stores, signed with
 *                                    the fixed keys of fuzzutil.h
 * FUZZ_DIR/corpus/fuzz_units/        unit registries (ASSETS_DIR/sample-units.csv
 *                                    and hand-written ones)
 * FUZZ_DIR/corpus/fuzz_config/       kiosk.ini files (ASSETS_DIR/demo-kiosk.ini,
 *                                    one written by config_format, variants)
 * FUZZ_DIR/corpus/fuzz_salvage/      kiosk databases made by the store, with
 *                                    and without a WAL, whole and damaged
 *
 * A third argument, a target's name, writes that target's corpus alone.
 *
 * Stores get random instance ids and vote uuids, so each run writes other
 * bytes; the committed corpus is one run's output.  Run it again after a
 * change of the export format (and commit the result). */
#define _GNU_SOURCE /* memmem */
#include "config.h"
#include "export.h"
#include "fuzzutil.h"
#include "rating.h"
#include "sign.h"
#include "store.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY 86400
#define H8 (8 * 3600)

static char *tmp_dir;

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot write %s: %s", path, strerror(errno));
    FUZZ_CHECK(fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    FUZZ_CHECK(f != NULL, "cannot read %s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            buf = realloc(buf, cap);
            FUZZ_CHECK(buf != NULL, "out of memory");
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, text, strlen(text));
}

static void copy_file(const char *from, const char *dir, const char *name)
{
    size_t len;
    char *data = read_file(from, &len);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, data, len);
    free(data);
}

static void make_dir(const char *path)
{
    FUZZ_CHECK(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
}

/* ---- exports ---- */

static store *new_store(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.db", tmp_dir, name);
    store *s = NULL;
    mp_err err = {{0}};
    FUZZ_CHECK(store_open(path, &s, &err) == 0, "store_open: %s", err.msg);
    return s;
}

static void vote(store *s, int unit, int points, int flagged, int64_t when, int offset)
{
    kiosk_config *cfg = fuzz_kiosk_config(FUZZ_KIOSK_A);
    const config_unit *u = &cfg->units[(size_t)unit % cfg->n_units];
    mp_err err = {{0}};
    FUZZ_CHECK(store_add_vote(s, u->code, u->name, points, flagged, when, offset, NULL, &err) == 0,
               "store_add_vote: %s", err.msg);
    config_free(cfg);
}

/* Writes every vote of s, as kiosk `kiosk` signed with key `key`, to
 * dir/name (and to more_path, if not NULL). */
static void export_to(store *s, const char *kiosk, int key, int64_t now, const char *dir,
                      const char *name, const char *more_path)
{
    kiosk_config *cfg = fuzz_kiosk_config(kiosk);
    sign_key k;
    fuzz_key(key, &k);
    char out_dir[4096];
    snprintf(out_dir, sizeof out_dir, "%s/out", tmp_dir);
    make_dir(out_dir);
    char *path = NULL;
    mp_err err = {{0}};
    FUZZ_CHECK(export_write(s, cfg, &k, out_dir, now, &path, NULL, &err) == 0,
               "export_write: %s", err.msg);
    copy_file(path, dir, name);
    if (more_path) {
        size_t len;
        char *data = read_file(path, &len);
        write_file(more_path, data, len);
        free(data);
    }
    unlink(path);
    free(path);
    config_free(cfg);
}

/* Writes dir/name: the export at path without its vote `seq` (a middle one),
 * the signature line's count made one less and signed again with key `key`:
 * a kiosk whose votes were deleted from its database before an export. */
static void drop_vote(const char *path, int64_t seq, int key, const char *dir, const char *name)
{
    size_t len;
    char *in = read_file(path, &len);
    char *out = malloc(len + 1);
    FUZZ_CHECK(out != NULL, "out of memory");
    size_t o = 0;
    char want[32];
    snprintf(want, sizeof want, ",%lld,", (long long)seq);
    const char *line = in, *end = in + len;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = (size_t)(nl ? nl + 1 - line : end - line);
        if (strncmp(line, "#", 1) == 0) { /* the signature line: count - 1, signed again */
            char fields[10][128];
            int k = 0;
            for (const char *f = line; k < 10; k++) {
                const char *c = memchr(f, ',', (size_t)(line + n - f));
                size_t fl = (size_t)((c ? c : line + n) - f);
                FUZZ_CHECK(fl < sizeof fields[k], "field too long");
                memcpy(fields[k], f, fl);
                fields[k][fl] = '\0';
                f = c ? c + 1 : line + n;
            }
            snprintf(fields[5], sizeof fields[5], "%lld", atoll(fields[5]) - 1);
            for (int i = 0; i < 9; i++)
                o += (size_t)sprintf(out + o, "%s,", fields[i]);
            sign_key kk;
            fuzz_key(key, &kk);
            unsigned char sig[SIGN_BYTES];
            sign_detached(&kk, out, o, sig);
            sodium_bin2base64(out + o, 89, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
            o += 88;
            memcpy(out + o, "\r\n", 2);
            o += 2;
            break;
        }
        const char *c1 = memchr(line, ',', n);
        if (!(c1 && strncmp(c1 + 33, want, strlen(want)) == 0)) { /* kiosk,instance,seq, */
            memcpy(out + o, line, n);
            o += n;
        }
        line += n;
    }
    char dest[4096];
    snprintf(dest, sizeof dest, "%s/%s", dir, name);
    write_file(dest, out, o);
    free(out);
    free(in);
}

static void exports(const char *fuzz_dir, const char *dir)
{
    static const int points[] = {10, 8, 6, 0};
    char prior[4096];
    snprintf(prior, sizeof prior, "%s/office-prior.csv", fuzz_dir);

    /* fuzz-01: votes 1-3 are what the office already has. */
    store *s = new_store("a");
    vote(s, 0, 10, 0, FUZZ_NOW - 21 * DAY, H8);
    vote(s, 1, 8, 0, FUZZ_NOW - 21 * DAY + 60, H8);
    vote(s, 2, 6, 0, FUZZ_NOW - 21 * DAY + 120, H8);
    export_to(s, FUZZ_KIOSK_A, FUZZ_KEY_A, FUZZ_NOW - 20 * DAY, dir, "fuzz-01-3votes.csv", prior);
    /* A later, cumulative export: a name with a comma and quotes, a flagged
     * vote, odd offsets, a vote from 1970 and one after the export. */
    vote(s, 3, 0, 1, FUZZ_NOW - 10 * DAY, H8);
    vote(s, 0, 10, 0, FUZZ_NOW - 9 * DAY, -(3 * 3600 + 1800));
    vote(s, 1, 8, 0, FUZZ_NOW - 8 * DAY, 0);
    vote(s, 2, 6, 0, FUZZ_NOW - 7 * DAY, 14 * 3600);
    vote(s, 0, 0, 0, 5, -14 * 3600);
    vote(s, 1, 8, 0, FUZZ_NOW + 5 * DAY, H8);
    export_to(s, FUZZ_KIOSK_A, FUZZ_KEY_A, FUZZ_NOW - DAY, dir, "fuzz-01-9votes.csv", NULL);
    /* Vote 3 (which the office has) and vote 6 deleted on the kiosk. */
    char nine[4096];
    snprintf(nine, sizeof nine, "%s/fuzz-01-9votes.csv", dir);
    drop_vote(nine, 3, FUZZ_KEY_A, dir, "fuzz-01-9votes-without-3.csv");
    drop_vote(nine, 6, FUZZ_KEY_A, dir, "fuzz-01-9votes-without-6.csv");
    /* Found by hand: a byte-order mark in front of the signature line. */
    size_t len;
    char *data = read_file(nine, &len);
    const char *sig = memmem(data, len, "\r\n#", 3);
    FUZZ_CHECK(sig != NULL, "no signature line");
    size_t at = (size_t)(sig - data) + 2;
    char *bom = malloc(len + 3);
    FUZZ_CHECK(bom != NULL, "out of memory");
    memcpy(bom, data, at);
    memcpy(bom + at, "\xEF\xBB\xBF", 3);
    memcpy(bom + at + 3, data + at, len - at);
    char path[4096];
    snprintf(path, sizeof path, "%s/regress-bom-before-signature.csv", dir);
    write_file(path, bom, len + 3);
    free(bom);
    free(data);
    /* The same votes, signed by another office's kiosk of the same name. */
    export_to(s, FUZZ_KIOSK_A, FUZZ_KEY_OTHER, FUZZ_NOW - DAY, dir, "fuzz-01-other-office.csv",
              NULL);
    store_close(s);

    s = new_store("empty");
    export_to(s, FUZZ_KIOSK_A, FUZZ_KEY_A, FUZZ_NOW - DAY, dir, "fuzz-01-empty.csv", NULL);
    store_close(s);

    s = new_store("b");
    vote(s, 0, 6, 0, FUZZ_NOW - 3 * DAY, H8);
    vote(s, 3, 10, 1, FUZZ_NOW - 2 * DAY, H8);
    export_to(s, FUZZ_KIOSK_B, FUZZ_KEY_B, FUZZ_NOW - DAY, dir, "fuzz-02-2votes.csv", NULL);
    store_close(s);

    s = new_store("many");
    for (int i = 0; i < 40; i++)
        vote(s, i, points[i % 4], i % 9 == 8, FUZZ_NOW - 30 * DAY + i * 3571, H8);
    export_to(s, FUZZ_KIOSK_A, FUZZ_KEY_A, FUZZ_NOW - DAY, dir, "fuzz-01-40votes.csv", NULL);
    store_close(s);
}

/* ---- unit registries ---- */

/* What the fuzzing office holds before each input of fuzz_units (a copy of
 * fuzz_units.c's PRIOR_UNITS, to start from). */
static const char PRIOR_UNITS[] =
    "代码,名称,类型,分管领导,联系人1姓名,联系人1手机,联系人1电子邮箱,联系人1QQ\n"
    "GA01,县公安局,县直机关,张示例,李示例,000-0000-0000,a@example.org,10000101\n"
    "MZ01,县民政局,县直机关,,,,,\n"
    "ZJ01,县住房和城乡建设局,县直机关,王示例,,,,\n";

static void units(const char *assets, const char *dir)
{
    char sample[4096];
    snprintf(sample, sizeof sample, "%s/sample-units.csv", assets);
    copy_file(sample, dir, "sample-units.csv");
    write_text(dir, "prior.csv", PRIOR_UNITS);
    write_text(dir, "minimal.csv", "代码,名称,类型\nGA01,县公安局,县直机关\n");
    write_text(dir, "aliases-rename.csv",
               "单位代码,单位名称,单位类型,联系人1手机\r\n"
               "GA01,县公安分局,县直机关,139 0000 0000\r\n"
               "MZ01,县民政局,县直机关,\r\n"
               "TS01,城关镇人民政府,乡镇,0000-0000000转123\r\n");
    write_text(dir, "all-columns-bom-crlf.csv",
               "\xEF\xBB\xBF"
               "类型,代码,名称,分管领导,分管领导职务,分管领导电话,责任科室,科室负责人,"
               "科室负责人职务,科室负责人电话,联系人1姓名,联系人1办公电话,联系人1手机,"
               "联系人1电子邮箱,联系人1QQ,联系人2姓名,联系人2办公电话,联系人2手机,"
               "联系人2电子邮箱,联系人2QQ\r\n"
               "# 示例：虚构的单位与人员,,,,,,,,,,,,,,,,,,,\r\n"
               "垂直管理单位,SW01,\"国家税务总局某县税务局\",赵示例,\"副局长,分管\",(0000) 000-0000,"
               "\"办公室\"\"综合\"\"\",钱示例,主任,+86 000 0000 0000,孙示例,0000-0000000,"
               "000-0000-0000,sun@example.org,123456789012,周示例,0000-0000001,"
               "000-0000-0001,zhou@example.org,12345\r\n"
               ",,,,,,,,,,,,,,,,,,,\r\n"
               "公共企事业单位,GS01,县供水公司,,,,,,,,,,,,,,,,,\r\n"
               "乡镇,TS02,河口乡人民政府,,,,,,,,,,,,,,,,,\r\n");
    /* Found by hand: two registries joined, a unit name with a BOM. */
    write_text(dir, "regress-two-files-joined.csv",
               "\xEF\xBB\xBF代码,名称,类型\r\nGA01,县公安局,县直机关\r\n"
               "\xEF\xBB\xBF代码,名称,类型\r\nMZ01,县民政局,县直机关\r\n");
    write_text(dir, "regress-bom-in-name.csv", "代码,名称,类型\nGA01,\xEF\xBB\xBF县公安局,县直机关\n");
    write_text(dir, "quoted-multiline-comment.csv",
               "\"#注释\",\"跨行\n的注释\",x\n"
               "代码,名称,类型\n"
               "\"GA01\",\"县公安局\",\"县直机关\"\n");
}

/* ---- kiosk.ini ---- */

#define PIN_HASH                                                                                  \
    "$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbf" \
    "M00x+4"

static void configs(const char *assets, const char *dir)
{
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/demo-kiosk.ini", assets);
    copy_file(demo, dir, "demo-kiosk.ini");

    kiosk_config *cfg = fuzz_kiosk_config(FUZZ_KIOSK_A);
    cfg->pin_hash = strdup(PIN_HASH);
    cfg->db_path = strdup("votes/kiosk.db");
    cfg->export_dir = strdup("/media/usb");
    cfg->signing_key_path = strdup("kiosk.key");
    cfg->thanks_seconds = 600;
    cfg->cooldown_seconds = 0;
    cfg->burst_votes = 10000;
    char *text = NULL;
    mp_err err = {{0}};
    FUZZ_CHECK(config_format(cfg, &text, &err) == 0, "config_format: %s", err.msg);
    write_text(dir, "provisioned.ini", text);

    /* The same with a byte-order mark and CRLF line ends. */
    size_t n = strlen(text), lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    char *crlf = malloc(3 + n + lines + 1), *o = crlf;
    FUZZ_CHECK(crlf != NULL, "out of memory");
    memcpy(o, "\xEF\xBB\xBF", 3);
    o += 3;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\n')
            *o++ = '\r';
        *o++ = text[i];
    }
    *o = '\0';
    write_text(dir, "provisioned-bom-crlf.ini", crlf);
    free(crlf);
    free(text);
    config_free(cfg);

    /* Found by hand: a unit name with a BOM (every export would fail). */
    write_text(dir, "regress-bom-in-unit-name.ini",
               "[kiosk]\nid=k\nsurvey_url=http://h\npin_hash=" PIN_HASH "\n[units]\n"
               "A=\xEF\xBB\xBF名\n");
    write_text(dir, "minimal.ini",
               "[kiosk]\nid=k\nsurvey_url=http://h\npin_hash=" PIN_HASH "\n[units]\nA=名\n");
    write_text(dir, "comments.ini",
               "# comment\n; comment\n\n[kiosk]\n"
               "id : room_01 ; inline comment\n"
               "survey_url = https://s.example/x;y?k={kiosk}&u={unit}\n"
               "pin_hash = " PIN_HASH "\n"
               "export_dir =\n"
               "thanks_seconds = 3\ncooldown_seconds = 2\nidle_seconds = 3600\n"
               "burst_votes = 1\nburst_seconds = 86400\n"
               "\n[units]\n"
               "ZZ-9_x = 一二三四五六七八九十一二三四五六七八九十一二三四\n"
               "B = a=b\n");
}

/* ---- damaged databases ---- */

/* Writes one fuzz_salvage input: the database part's length (4 bytes,
 * little-endian), the database bytes, the WAL bytes. */
static void salvage_input(const char *dir, const char *name, const char *db, size_t dblen,
                          const char *wal, size_t wallen)
{
    size_t len = 4 + dblen + wallen;
    unsigned char *b = malloc(len);
    FUZZ_CHECK(b != NULL, "out of memory");
    b[0] = (unsigned char)dblen;
    b[1] = (unsigned char)(dblen >> 8);
    b[2] = (unsigned char)(dblen >> 16);
    b[3] = (unsigned char)(dblen >> 24);
    if (dblen)
        memcpy(b + 4, db, dblen);
    if (wallen)
        memcpy(b + 4 + dblen, wal, wallen);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, b, len);
    free(b);
}

static char *read_maybe(const char *path, size_t *len)
{
    if (access(path, F_OK) != 0) {
        *len = 0;
        return NULL;
    }
    return read_file(path, len);
}

static void salvage(const char *dir)
{
    char path[4096], walpath[4200];
    snprintf(path, sizeof path, "%s/salvage.db", tmp_dir);
    snprintf(walpath, sizeof walpath, "%s-wal", path);
    store *s = new_store("salvage");
    for (int i = 0; i < 24; i++)
        vote(s, i, (int)RATINGS[i % RATING_COUNT].points, i % 7 == 0,
             FUZZ_NOW - 86400 + i * 600, i % 3 ? 8 * 3600 : -5 * 3600);
    store_close(s); /* checkpointed: every vote in the database file */
    size_t dblen, wallen;
    char *db = read_file(path, &dblen);
    salvage_input(dir, "whole.bin", db, dblen, NULL, 0);
    salvage_input(dir, "truncated.bin", db, dblen / 2 + 100, NULL, 0);
    char *zeroed = malloc(dblen);
    FUZZ_CHECK(zeroed != NULL, "out of memory");
    memcpy(zeroed, db, dblen);
    memset(zeroed, 0, dblen > 4096 ? 4096 : dblen); /* page 1: header and schema */
    salvage_input(dir, "page1-zeroed.bin", zeroed, dblen, NULL, 0);
    /* The page that holds the meta table's instance id, lost. */
    memcpy(zeroed, db, dblen);
    for (size_t off = 4096; off + 4096 <= dblen; off += 4096)
        if (memmem(zeroed + off, 4096, "instance", 8))
            memset(zeroed + off, 0, 4096);
    salvage_input(dir, "meta-lost.bin", zeroed, dblen, NULL, 0);
    free(zeroed);
    free(db);

    /* Two more votes, only in the WAL (the store left open). */
    FUZZ_CHECK(store_open(path, &s, NULL) == 0, "store_open");
    vote(s, 1, 10, 0, FUZZ_NOW - 60, 8 * 3600);
    vote(s, 2, 0, 1, FUZZ_NOW - 30, 8 * 3600);
    db = read_file(path, &dblen);
    char *wal = read_maybe(walpath, &wallen);
    FUZZ_CHECK(wal != NULL && wallen > 0, "the store left no WAL");
    salvage_input(dir, "with-wal.bin", db, dblen, wal, wallen);
    salvage_input(dir, "wal-only.bin", NULL, 0, wal, wallen);
    salvage_input(dir, "wal-cut.bin", db, dblen, wal, wallen - 1000);
    free(db);
    free(wal);
    store_close(s);
}

/* Whether target's corpus is to be written (only: NULL for all); if so,
 * makes its folder, named in dir. */
static int wanted(const char *only, const char *target, const char *fuzz_dir, char *dir,
                  size_t len)
{
    if (only && strcmp(only, target) != 0)
        return 0;
    snprintf(dir, len, "%s/corpus/%s", fuzz_dir, target);
    make_dir(dir);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: gen_corpus FUZZ_DIR ASSETS_DIR [TARGET]\n");
        return 2;
    }
    const char *fuzz_dir = argv[1], *assets = argv[2], *only = argc == 4 ? argv[3] : NULL;
    const char *t = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/minping-corpus-XXXXXX", t && *t ? t : "/tmp");
    FUZZ_CHECK(mkdtemp(tmpl) != NULL, "mkdtemp: %s", strerror(errno));
    tmp_dir = tmpl;

    char dir[4096];
    snprintf(dir, sizeof dir, "%s/corpus", fuzz_dir);
    make_dir(dir);
    if (wanted(only, "fuzz_export", fuzz_dir, dir, sizeof dir))
        exports(fuzz_dir, dir);
    if (wanted(only, "fuzz_units", fuzz_dir, dir, sizeof dir))
        units(assets, dir);
    if (wanted(only, "fuzz_config", fuzz_dir, dir, sizeof dir))
        configs(assets, dir);
    if (wanted(only, "fuzz_salvage", fuzz_dir, dir, sizeof dir))
        salvage(dir);

    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : 1;
}

/* check_hostile.c - hostile files, made by hand: what a USB stick, a copied
 * key, a careless editor or two files joined together can put in front of
 * Minping.
 *
 * Exports and unit registries go through the real office commands
 * (`minping-office import`, `minping-office units import`) against an office
 * database that already holds a kiosk, imported votes and a registry; each
 * must be refused (exit status 1, one line naming the reason, no raw control
 * character on the terminal) and leave the database exactly as it was: the
 * text of `sqlite3 office.db .dump` before and after.  The kiosk's kiosk.ini
 * goes through config_parse and config_load, which must refuse it without
 * allocating anything (the sanitizer pass checks for leaks).
 *
 * The cases: a 10 MB single line; NUL bytes; invalid UTF-8; a byte-order
 * mark in the wrong place; CR and LF line ends (CRLF where it is accepted);
 * a valid file signed by another office's kiosk; a valid signature over
 * different content.  Exports modified "with the kiosk's key" are signed
 * again with it, as staff who copied the key could do, so that the checks
 * behind the signature are what refuses them. */
#define _GNU_SOURCE /* memmem */
#include "clock.h"
#include "config.h"
#include "export.h"
#include "sign.h"
#include "store.h"
#include "testutil.h"
#include "utf8.h"

#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef MINPING_OFFICE_BIN
#error "MINPING_OFFICE_BIN must name the minping-office program"
#endif

#define URL "https://s.example/q?k={kiosk}&u={unit}"
#define MB10 ((size_t)10 << 20)
#define BOM "\xEF\xBB\xBF"
#define SIG_B64 88 /* base64 of an Ed25519 signature */
#define PIN_HASH                                                                                  \
    "$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbf" \
    "M00x+4"

static const char *const UNITS[] = {"GA01=县公安局", "MZ01=县民政局", "TS01=城关镇人民政府",
                                    NULL};

static const char REGISTRY[] = "代码,名称,类型,联系人1姓名,联系人1手机\n"
                               "GA01,县公安局,县直机关,李示例,000-0000-0000\n"
                               "MZ01,县民政局,县直机关,,\n"
                               "TS01,城关镇人民政府,乡镇,,\n";

/* ---- fixture ---- */

typedef struct kiosk {
    kiosk_config *cfg;
    sign_key key;
    store *s;
} kiosk;

static char *dir;        /* this test's folder, the office's working folder */
static kiosk k;          /* room-01 of this office */
static char *base;       /* its export (name in dir), imported by the fixture */
static char *base_data;  /* the export's bytes */
static size_t base_len;
static char *before;     /* sqlite3 .dump of office.db once the fixture is made */

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

/* Provisions kiosk id into office database db_name, writing its files into
 * folder out (in dir). */
static void provision(const char *db_name, const char *id, const char *out)
{
    const char *args[64] = {"--db", db_name, "provision", "--kiosk", id, "--survey-url", URL,
                            "--pin", "1234", "--out", out};
    size_t n = 11;
    for (const char *const *u = UNITS; *u; u++) {
        args[n++] = "--unit";
        args[n++] = *u;
    }
    args[n] = NULL;
    tu_result r;
    run_args(&r, args);
    assert_ok(&r);
    tu_result_free(&r);
}

/* The kiosk provisioned into folder sub, with its store open. */
static void kiosk_open(kiosk *kk, const char *sub)
{
    mp_err err = {{0}};
    char *d = in_dir(sub);
    char *ini = tu_path(d, "kiosk.ini");
    char *key = tu_path(d, "kiosk.key");
    ck_assert_msg(config_load(ini, &kk->cfg, &err) == 0, "config_load: %s", err.msg);
    ck_assert_msg(sign_key_load(key, &kk->key, &err) == 0, "sign_key_load: %s", err.msg);
    ck_assert_msg(store_open(kk->cfg->db_path, &kk->s, &err) == 0, "store_open: %s", err.msg);
    free(ini);
    free(key);
    free(d);
}

static void kiosk_close(kiosk *kk)
{
    store_close(kk->s);
    config_free(kk->cfg);
    sign_key_wipe(&kk->key);
    memset(kk, 0, sizeof *kk);
}

static void vote(kiosk *kk, const char *unit, int points)
{
    const config_unit *u = config_find_unit(kk->cfg, unit);
    ck_assert_ptr_nonnull(u);
    mp_err err = {{0}};
    ck_assert_msg(store_add_vote(kk->s, u->code, u->name, points, 0, clock_utc_now() - 3600,
                                 8 * 3600, NULL, &err) == 0,
                  "store_add_vote: %s", err.msg);
}

/* Writes an export of kk into folder "exports"; returns its name relative
 * to dir (malloc'd).  seconds makes the file name unique. */
static char *export_of(kiosk *kk, int seconds)
{
    char *out = in_dir("exports");
    ck_assert_int_eq(mkdir(out, 0755) == 0 || errno == EEXIST, 1);
    char *path = NULL;
    mp_err err = {{0}};
    ck_assert_msg(export_write(kk->s, kk->cfg, &kk->key, out, clock_utc_now() + seconds, &path,
                               NULL, &err) == 0,
                  "export_write: %s", err.msg);
    char *rel = strdup(path + strlen(dir) + 1);
    free(path);
    free(out);
    return rel;
}

static char *read_in_dir(const char *name, size_t *len)
{
    char *path = in_dir(name);
    char *data = tu_read_file(path, len);
    ck_assert_msg(data != NULL, "%s is missing", path);
    free(path);
    return data;
}

/* The text of `sqlite3 office.db .dump` and the user_version. */
static char *dump(void)
{
    char *const argv[] = {"/bin/sh", "-c", "exec sqlite3 \"$0\" .dump 'PRAGMA user_version'",
                          "office.db", NULL};
    tu_result r;
    tu_run(dir, argv, NULL, &r);
    ck_assert_msg(r.status == 0, "sqlite3 .dump: status %d: %s", r.status, r.err);
    /* (quoted since migration 008 rebuilt the table under its name) */
    ck_assert_msg(strstr(r.out, "TABLE IF NOT EXISTS \"votes\" (") != NULL, "no dump: %s", r.out);
    char *text = strdup(r.out);
    tu_result_free(&r);
    return text;
}

static void assert_unchanged(const char *what)
{
    char *now = dump();
    ck_assert_msg(strcmp(now, before) == 0, "%s changed the office database", what);
    free(now);
}

static void setup(void)
{
    dir = tu_mkdtemp_in(tu_root);
    unsetenv("MINPING_OFFICE_DB");
    setenv("TZ", "UTC", 1);
    provision("office.db", "room-01", "room-01");
    kiosk_open(&k, "room-01");
    vote(&k, "GA01", 10);
    vote(&k, "MZ01", 8);
    vote(&k, "TS01", 6);
    vote(&k, "GA01", 0);
    base = export_of(&k, 1);
    base_data = read_in_dir(base, &base_len);
    tu_result r;
    run(&r, "--db", "office.db", "import", base, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    char *reg = in_dir("registry.csv");
    tu_write_file(reg, REGISTRY, strlen(REGISTRY));
    free(reg);
    run(&r, "--db", "office.db", "units", "import", "registry.csv", NULL);
    assert_ok(&r);
    tu_result_free(&r);
    before = dump();
}

static void teardown(void)
{
    kiosk_close(&k);
    free(base);
    free(base_data);
    free(before);
    free(dir);
}

/* ---- making hostile files ---- */

/* Writes data to dir/name; returns name. */
static const char *put(const char *name, const void *data, size_t len)
{
    char *path = in_dir(name);
    tu_write_file(path, data, len);
    free(path);
    return name;
}

/* A copy of buf (len bytes) with its first `old` replaced by new_ (new_len
 * bytes, may hold NULs); *out_len gets the new length. */
static char *replace(const char *buf, size_t len, const char *old, const char *new_,
                     size_t new_len, size_t *out_len)
{
    size_t old_len = strlen(old);
    const char *at = memmem(buf, len, old, old_len);
    ck_assert_msg(at != NULL, "\"%s\" is not in the file", old);
    size_t pre = (size_t)(at - buf), n = len - old_len + new_len;
    char *out = malloc(n + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, buf, pre);
    memcpy(out + pre, new_, new_len);
    memcpy(out + pre + new_len, at + old_len, len - pre - old_len);
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* A copy of buf with every `old` (one byte or more) replaced by new_. */
static char *replace_all(const char *buf, size_t len, const char *old, const char *new_,
                         size_t *out_len)
{
    size_t ol = strlen(old), nl = strlen(new_), n = 0;
    char *out = malloc(len * (nl > ol ? nl : 1) + 1);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < len;) {
        if (i + ol <= len && memcmp(buf + i, old, ol) == 0) {
            memcpy(out + n, new_, nl);
            n += nl;
            i += ol;
        } else {
            out[n++] = buf[i++];
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

/* Signs buf again with key, as a kiosk would: the signature at its end
 * (",<88 characters>\r\n") is replaced by one over everything before it. */
static void resign_with(char *buf, size_t len, const sign_key *key)
{
    ck_assert_uint_gt(len, SIG_B64 + 3);
    ck_assert_msg(buf[len - 3 - SIG_B64] == ',' && memcmp(buf + len - 2, "\r\n", 2) == 0,
                  "no signature at the end");
    unsigned char sig[SIGN_BYTES];
    char b64[SIG_B64 + 1];
    sign_detached(key, buf, len - 2 - SIG_B64, sig);
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    memcpy(buf + len - 2 - SIG_B64, b64, SIG_B64);
}

static void resign(char *buf, size_t len)
{
    resign_with(buf, len, &k.key);
}

/* The base export with old replaced by new_ (new_len bytes), signed again
 * with the kiosk's key; written as name. */
static const char *signed_variant(const char *name, const char *old, const char *new_,
                                  size_t new_len)
{
    size_t n;
    char *v = replace(base_data, base_len, old, new_, new_len, &n);
    resign(v, n);
    put(name, v, n);
    free(v);
    return name;
}

/* Fails unless text holds no control character but line ends. */
static void assert_no_control(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        ck_assert_msg(*c >= 0x20 ? *c != 0x7F : *c == '\n',
                      "a control character (0x%02x) reached the terminal: %s", *c, text);
}

/* `minping-office import name` refuses the file with a reason holding want,
 * and the office database is as it was. */
static void assert_import_refused(const char *name, const char *want)
{
    tu_result r;
    run(&r, "--db", "office.db", "import", name, NULL);
    ck_assert_msg(r.status == 1, "%s: exit status %d; stderr: %s; stdout: %s", name, r.status,
                  r.err, r.out);
    ck_assert_msg(strstr(r.err, "rejected, nothing imported: ") != NULL, "%s: %s", name, r.err);
    ck_assert_msg(strstr(r.err, want) != NULL, "%s: stderr \"%s\" lacks \"%s\"", name, r.err,
                  want);
    ck_assert_msg(strstr(r.out, "0 of 1 file imported") != NULL, "%s: %s", name, r.out);
    assert_no_control(r.err);
    tu_result_free(&r);
    assert_unchanged(name);
}

/* `minping-office units import name` refuses the file with a reason holding
 * want, and the office database is as it was. */
static void assert_units_refused(const char *name, const char *want)
{
    tu_result r;
    run(&r, "--db", "office.db", "units", "import", name, NULL);
    ck_assert_msg(r.status == 1, "%s: exit status %d; stderr: %s; stdout: %s", name, r.status,
                  r.err, r.out);
    ck_assert_msg(strstr(r.err, "nothing was stored") != NULL, "%s: %s", name, r.err);
    ck_assert_msg(strstr(r.err, want) != NULL, "%s: stderr \"%s\" lacks \"%s\"", name, r.err,
                  want);
    assert_no_control(r.err);
    tu_result_free(&r);
    assert_unchanged(name);
}

/* head, count bytes of c, then tail (head and tail may be NULL), malloc'd and
 * NUL-terminated; *len gets the length. */
static char *filled(size_t count, char c, const char *head, const char *tail, size_t *len)
{
    size_t hl = head ? strlen(head) : 0, tl = tail ? strlen(tail) : 0;
    char *buf = malloc(hl + count + tl + 1);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, head ? head : "", hl);
    memset(buf + hl, c, count);
    memcpy(buf + hl + count, tail ? tail : "", tl);
    buf[hl + count + tl] = '\0';
    *len = hl + count + tl;
    return buf;
}

/* ---- exports ---- */

START_TEST(test_export_10mb_line)
{
    size_t n;
    /* 10 MB without a line end. */
    char *line = filled(MB10, 'A', NULL, NULL, &n);
    assert_import_refused(put("line.csv", line, n), "not a Minping export");
    free(line);
    /* One 10 MB "signature line". */
    line = filled(MB10, 'A', "#签名,", "\r\n", &n);
    assert_import_refused(put("sigline.csv", line, n), "is not supported");
    free(line);
    /* A vote line of 10 MB of commas, signed with the kiosk's key. */
    char *commas = filled(MB10, ',', NULL, NULL, &n);
    signed_variant("commas.csv", ",县公安局,", commas, n);
    assert_import_refused("commas.csv", "bytes long; a vote line has at most 6669");
    free(commas);
    /* A line of 300 fields, fewer bytes than the longest vote line. */
    commas = filled(300, ',', NULL, NULL, &n);
    signed_variant("fields.csv", ",县公安局,", commas, n);
    assert_import_refused("fields.csv", "line 2: has 311 fields, not 13");
    free(commas);
    /* A unit name of 10 MB (3.5 million characters), signed with the key. */
    size_t chars = MB10 / 3;
    char *name = malloc(3 * chars + 2);
    ck_assert_ptr_nonnull(name);
    name[0] = ',';
    for (size_t i = 0; i < chars; i++)
        memcpy(name + 1 + 3 * i, "县", 3);
    name[3 * chars + 1] = ',';
    signed_variant("name.csv", ",县公安局,", name, 3 * chars + 2);
    assert_import_refused("name.csv", "a vote line has at most");
    /* A unit name of 300 bytes. */
    char *name300 = filled(300, 'x', ",", ",", &n);
    signed_variant("name300.csv", ",县公安局,", name300, n);
    assert_import_refused("name300.csv", "line 2: the column \"unit name\" is longer than 255 bytes");
    free(name300);
    free(name);
}
END_TEST

START_TEST(test_export_nul)
{
    size_t n;
    char *v = replace(base_data, base_len, "县公安局", "县公\0安局", 13, &n);
    assert_import_refused(put("nul.csv", v, n), "contains a NUL byte");
    resign(v, n);
    assert_import_refused(put("nul-signed.csv", v, n), "contains a NUL byte");
    free(v);
    v = replace(base_data, base_len, "#签名,", "#签名,\0", 9, &n);
    assert_import_refused(put("nul-sigline.csv", v, n), "contains a NUL byte");
    free(v);
    v = replace(base_data, base_len, BOM, "\0", 1, &n);
    assert_import_refused(put("nul-first.csv", v, n), "contains a NUL byte");
    free(v);
    char *zeros = filled(1 << 20, '\0', NULL, NULL, &n);
    assert_import_refused(put("zeros.csv", zeros, n), "not a Minping export");
    free(zeros);
}
END_TEST

START_TEST(test_export_invalid_utf8)
{
    /* Validly signed: what the signature protects is checked too. */
    static const struct {
        const char *name, *bytes;
    } bad[] = {
        {"ff.csv", "\xFF\xFE"},
        {"overlong.csv", "\xC0\xAF"},
        {"surrogate.csv", "\xED\xA0\x80"},
        {"cut.csv", "县公\xE5\x8E"},
        {"gbk.csv", "\xCF\xD8\xB9\xAB\xB0\xB2\xBE\xD6"}, /* 县公安局 in GBK */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        signed_variant(bad[i].name, "县公安局", bad[i].bytes, strlen(bad[i].bytes));
        assert_import_refused(bad[i].name, "unit GA01: unit name is not valid UTF-8 text");
    }
    /* GBK in the rating and in the header line. */
    signed_variant("gbk-rating.csv", "非常满意", "\xB7\xC7\xB3\xA3\xC2\xFA\xD2\xE2", 8);
    assert_import_refused("gbk-rating.csv", "does not go with 10 points");
    signed_variant("gbk-header.csv", "终端编号", "\xD6\xD5\xB6\xCB\xB1\xE0\xBA\xC5", 8);
    assert_import_refused("gbk-header.csv", "not the header line of a Minping export");
    /* Not signed again: the signature says it all. */
    size_t n;
    char *v = replace(base_data, base_len, "县公安局", "\xFF\xFF\xFF\xFF", 4, &n);
    assert_import_refused(put("ff-unsigned.csv", v, n), "the signature does not match");
    free(v);
}
END_TEST

START_TEST(test_export_bom_misplaced)
{
    /* Before the second vote line, signed with the key. */
    const char *second = strstr(strstr(base_data, "\r\nroom-01,") + 2, "\r\nroom-01,");
    ck_assert_ptr_nonnull(second);
    size_t at = (size_t)(second - base_data) + 2, n = base_len + 3;
    char *v = malloc(n);
    memcpy(v, base_data, at);
    memcpy(v + at, BOM, 3);
    memcpy(v + at + 3, base_data + at, base_len - at);
    resign(v, n);
    assert_import_refused(put("bom-line3.csv", v, n), "line 3: contains a byte-order mark");
    free(v);
    /* Twice at the start (a tool that adds one without looking). */
    signed_variant("bom-twice.csv", BOM, BOM BOM, 6);
    assert_import_refused("bom-twice.csv", "line 1: contains a byte-order mark");
    /* None at the start. */
    signed_variant("bom-none.csv", BOM, "", 0);
    assert_import_refused("bom-none.csv", "does not start with a UTF-8 byte-order mark");
    /* Inside a unit name. */
    signed_variant("bom-name.csv", "县公安局", BOM "县公安局", 15);
    assert_import_refused("bom-name.csv", "byte-order mark");
    /* In front of the signature line (two files joined). */
    v = replace(base_data, base_len, "\r\n#签名,", "\r\n" BOM "#签名,", 13, &n);
    assert_import_refused(put("bom-sigline.csv", v, n), "byte-order mark");
    free(v);
    /* The export followed by another export. */
    char *joined = malloc(2 * base_len);
    memcpy(joined, base_data, base_len);
    memcpy(joined + base_len, base_data, base_len);
    assert_import_refused(put("joined.csv", joined, 2 * base_len), "follow the signature line");
    free(joined);
}
END_TEST

START_TEST(test_export_line_ends)
{
    size_t n;
    /* Converted to LF, CR alone, or CR CR LF. */
    char *v = replace_all(base_data, base_len, "\r\n", "\n", &n);
    assert_import_refused(put("lf.csv", v, n), "ends with LF instead of CRLF");
    free(v);
    v = replace_all(base_data, base_len, "\r\n", "\r", &n);
    assert_import_refused(put("cr.csv", v, n), "not a Minping export");
    free(v);
    v = replace_all(base_data, base_len, "\r\n", "\r\r\n", &n);
    assert_import_refused(put("crcrlf.csv", v, n), "contains a CR that does not end the line");
    free(v);
    /* One line converted, signed with the key. */
    v = replace(base_data, base_len, "疑似刷票\r\n", "疑似刷票\n", strlen("疑似刷票\n"), &n);
    resign(v, n);
    assert_import_refused(put("lf-one.csv", v, n), "line 1 ends with LF instead of CRLF");
    free(v);
    /* A CR inside a field, signed with the key. */
    signed_variant("cr-field.csv", "县公安局", "县公\r安局", 13);
    assert_import_refused("cr-field.csv", "contains a CR that does not end the line");
    /* The last line end missing, or doubled. */
    assert_import_refused(put("no-last-crlf.csv", base_data, base_len - 2),
                          "the signature line (line 6) is incomplete");
    v = malloc(base_len + 2);
    memcpy(v, base_data, base_len);
    memcpy(v + base_len, "\r\n", 2);
    assert_import_refused(put("extra-crlf.csv", v, base_len + 2), "follow the signature line");
    free(v);
    /* CRLF, as the kiosk writes it, is what the office takes: the fixture
     * imported this very file; again it counts nothing twice. */
    tu_result r;
    run(&r, "--db", "office.db", "import", base, NULL);
    assert_ok(&r);
    ck_assert_msg(strstr(r.out, "4 votes, 0 new") != NULL, "%s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(test_export_other_office)
{
    /* Another office provisioned its own room-01 (same name, its own key)
     * and a room-07 this office never heard of. */
    provision("other.db", "room-01", "other-room-01");
    provision("other.db", "room-07", "other-room-07");
    kiosk b1, b7;
    kiosk_open(&b1, "other-room-01");
    kiosk_open(&b7, "other-room-07");
    vote(&b1, "GA01", 10);
    vote(&b7, "MZ01", 6);
    char *f1 = export_of(&b1, 2), *f7 = export_of(&b7, 3);
    assert_import_refused(f1, "kiosk room-01 is provisioned here, but the key that signed");
    assert_import_refused(f7, "kiosk room-07 is not provisioned in this office database");
    /* This office's votes signed with the other office's room-01 key. */
    size_t n;
    char *v = replace(base_data, base_len, k.key.id, b1.key.id, SIGN_ID_CHARS, &n);
    resign_with(v, n, &b1.key);
    assert_import_refused(put("other-key.csv", v, n), "kiosk room-01 is provisioned here, but the key that signed");
    free(v);
    /* The other office's file imports there. */
    tu_result r;
    run(&r, "--db", "other.db", "import", f1, NULL);
    assert_ok(&r);
    tu_result_free(&r);
    free(f1);
    free(f7);
    kiosk_close(&b1);
    kiosk_close(&b7);
}
END_TEST

/* The signature line of file b put under the body of file a. */
static char *splice(const char *a, size_t a_len, const char *b, size_t b_len, size_t *len)
{
    const char *sa = memmem(a, a_len, "\r\n#签名,", strlen("\r\n#签名,"));
    const char *sb = memmem(b, b_len, "\r\n#签名,", strlen("\r\n#签名,"));
    ck_assert_ptr_nonnull(sa);
    ck_assert_ptr_nonnull(sb);
    size_t body = (size_t)(sa - a), sig = b_len - (size_t)(sb - b);
    char *out = malloc(body + sig);
    memcpy(out, a, body);
    memcpy(out + body, sb, sig);
    *len = body + sig;
    return out;
}

START_TEST(test_export_signature_over_other_content)
{
    /* A later export of the same kiosk: two more votes. */
    vote(&k, "MZ01", 10);
    vote(&k, "TS01", 10);
    char *later = export_of(&k, 2);
    size_t later_len, n;
    char *later_data = read_in_dir(later, &later_len);
    /* Its votes under the first export's (valid) signature line, and the
     * other way round: each signature is genuine, over other content. */
    char *v = splice(later_data, later_len, base_data, base_len, &n);
    assert_import_refused(put("later-body.csv", v, n), "signature does not match");
    free(v);
    v = splice(base_data, base_len, later_data, later_len, &n);
    assert_import_refused(put("earlier-body.csv", v, n), "signature does not match");
    free(v);
    /* A vote changed so the line stays valid (10 points to 0), the genuine
     * signature kept. */
    v = replace(base_data, base_len, ",非常满意,10,", ",不满意,0,", strlen(",不满意,0,"), &n);
    assert_import_refused(put("rating-changed.csv", v, n), "signature does not match");
    free(v);
    /* The signature line's count changed to hide a vote. */
    v = replace(base_data, base_len, ",4,1,4,", ",3,1,4,", 7, &n);
    assert_import_refused(put("count-changed.csv", v, n), "signature does not match");
    free(v);
    /* Another kiosk's genuine signature line (room-02 of this office). */
    provision("office.db", "room-02", "room-02");
    kiosk k2;
    kiosk_open(&k2, "room-02");
    vote(&k2, "GA01", 10);
    char *other = export_of(&k2, 3);
    size_t other_len;
    char *other_data = read_in_dir(other, &other_len);
    free(before);
    before = dump(); /* room-02 is provisioned now */
    v = splice(base_data, base_len, other_data, other_len, &n);
    assert_import_refused(put("room-02-sig.csv", v, n), "signature does not match");
    free(v);
    free(other_data);
    free(other);
    kiosk_close(&k2);
    free(later_data);
    free(later);
}
END_TEST

/* ---- unit registries ---- */

START_TEST(test_units_10mb_line)
{
    size_t n;
    char *line = filled(MB10, 'x', "代码", NULL, &n);
    assert_units_refused(put("line.csv", line, n), "line 1: a field of more than 65536 bytes");
    free(line);
    line = filled(MB10, 'x', "代码,名称,类型\nGA01,", ",县直机关\n", &n);
    assert_units_refused(put("name.csv", line, n), "line 2: a field of more than 65536 bytes");
    free(line);
    line = filled(MB10, ',', "代码,名称,类型\n", "\n", &n);
    assert_units_refused(put("commas.csv", line, n), "line 2: more than 64 fields");
    free(line);
    line = filled(MB10, 'x', "代码,名称,类型\n\"", NULL, &n);
    assert_units_refused(put("quote.csv", line, n), "line 2: a field of more than 65536 bytes");
    free(line);
    /* Long, but not that long: the reason is not pushed out of the message
     * by the value it quotes. */
    line = filled(60000, 'x', "代码", "\n", &n);
    assert_units_refused(put("header.csv", line, n), "xxx…\" is not a column name");
    free(line);
    line = filled(60000, 'x', "代码,名称,类型\nGA01,", ",县直机关\n", &n);
    assert_units_refused(put("name60k.csv", line, n),
                         "line 2: 名称 \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\": unit name must be");
    free(line);
}
END_TEST

START_TEST(test_units_nul_utf8_bom)
{
#define WITH_NUL(text) text, sizeof text - 1
    static const struct {
        const char *name, *text;
        size_t len; /* 0: strlen */
        const char *want;
    } cases[] = {
        {"nul.csv", WITH_NUL("代码,名称,类型\nGA01,县公\0安局,县直机关\n"),
         "line 2: the file contains a NUL byte"},
        {"nul-quoted.csv", WITH_NUL("代码,名称,类型\n\"GA01\0\",县公安局,县直机关\n"),
         "line 2: the file contains a NUL byte"},
        {"gbk.csv", "\xB4\xFA\xC2\xEB,\xC3\xFB\xB3\xC6,\xC0\xE0\xD0\xCD\n", 0,
         "line 1: not UTF-8 text (save the file as \"CSV UTF-8\")"},
        {"ff.csv", "代码,名称,类型,联系人1姓名\nGA01,县公安局,县直机关,李\xFF\n", 0,
         "line 2: not UTF-8 text"},
        {"overlong.csv", "代码,名称,类型\nGA01,\xC0\xAF,县直机关\n", 0, "line 2: not UTF-8 text"},
        {"joined.csv",
         BOM "代码,名称,类型\r\nGA01,县公安局,县直机关\r\n" BOM "代码,名称,类型\r\nMZ01,县民政局,县直机关\r\n",
         0, "line 3: a byte-order mark (U+FEFF) after the start of the file"},
        {"bom-twice.csv", BOM BOM "代码,名称,类型\nGA01,县公安局,县直机关\n", 0,
         "line 1: a byte-order mark"},
        {"bom-name.csv", "代码,名称,类型\nGA01," BOM "县公安局,县直机关\n", 0,
         "line 2: a byte-order mark"},
        {"cr-field.csv", "代码,名称,类型\nGA01,县公\r安局,县直机关\n", 0,
         "2 fields, but the header names 3 columns"},
        {"crlf-quoted-name.csv", "代码,名称,类型\nGA01,\"县公\r\n安局\",县直机关\n", 0,
         "line 2: 名称: the value contains a control character"},
        {"escape-header.csv", "代码,名称,类型,\x1b[2J\x1b]0;owned\x07\nGA01,县公安局,县直机关,\n", 0,
         "is not a column name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        assert_units_refused(put(cases[i].name, cases[i].text, len), cases[i].want);
    }
}
END_TEST

START_TEST(test_units_line_ends_accepted)
{
    /* CRLF with a byte-order mark (Excel's "CSV UTF-8"), LF, and CR alone
     * (old Mac) are all line ends to the registry. */
    static const char *const files[] = {
        BOM "代码,名称,类型\r\nGA01,县公安局,县直机关\r\nZJ01,县住房和城乡建设局,县直机关\r\n",
        "代码,名称,类型\nGA01,县公安局,县直机关\nZJ01,县住房和城乡建设局,县直机关\n",
        "代码,名称,类型\rGA01,县公安局,县直机关\rZJ01,县住房和城乡建设局,县直机关\r",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        put("ends.csv", files[i], strlen(files[i]));
        tu_result r;
        run(&r, "--db", "office.db", "units", "import", "ends.csv", NULL);
        assert_ok(&r);
        ck_assert_msg(strstr(r.out, "2 units") != NULL, "file %zu: %s", i, r.out);
        tu_result_free(&r);
    }
}
END_TEST

/* ---- kiosk.ini ---- */

static const char INI_HEAD[] = "[kiosk]\nid = room-01\nsurvey_url = " URL "\npin_hash = " PIN_HASH
                               "\n[units]\n";

/* config_parse refuses text (len bytes) with a message holding want that
 * carries no control character and no invalid UTF-8. */
static void assert_config_refused(const char *text, size_t len, const char *want)
{
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_parse(text, len, "kiosk.ini", "/etc/minping", &cfg, &err) < 0,
                  "accepted: %.200s", text);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "\"%s\" lacks \"%s\"", err.msg, want);
    ck_assert_msg(utf8_count_printable(err.msg) >= 0, "not printable text: %s", err.msg);
}

static char *ini_with(const char *units, size_t *len)
{
    size_t hl = strlen(INI_HEAD), ul = strlen(units);
    char *t = malloc(hl + ul + 1);
    memcpy(t, INI_HEAD, hl);
    memcpy(t + hl, units, ul + 1);
    *len = hl + ul;
    return t;
}

START_TEST(test_config_hostile)
{
    size_t n;
    /* A 10 MB line: refused by the reader, and as a file by its size. */
    char *big = filled(MB10, 'x', "[kiosk]\nid = ", "\n", &n);
    assert_config_refused(big, n, "kiosk.ini:2: line is longer than 199 bytes");
    char *path = in_dir("big.ini");
    tu_write_file(path, big, n);
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_int_lt(config_load(path, &cfg, &err), 0);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(err.msg, "larger than 1 MiB") != NULL, "%s", err.msg);
    free(path);
    free(big);

    /* NUL bytes. */
    static const char nul_line[] = "GA01 = 县公\0安局\n";
    char *t = ini_with("", &n);
    t = realloc(t, n + sizeof nul_line);
    memcpy(t + n, nul_line, sizeof nul_line);
    assert_config_refused(t, n + sizeof nul_line - 1, "kiosk.ini:6: line contains a NUL byte");
    free(t);

    /* Invalid UTF-8 in a name; in a key, shown as '?'. */
    t = ini_with("GA01 = \xCF\xD8\xB9\xAB\xB0\xB2\xBE\xD6\n", &n);
    assert_config_refused(t, n, "unit name is not valid UTF-8 text");
    free(t);
    t = ini_with("GA\xFF = 县公安局\n", &n);
    assert_config_refused(t, n, "kiosk.ini:6: GA?: unit code");
    free(t);
    /* Control characters in a key reach no terminal. */
    t = ini_with("\x1b[2J\x1b]0;x\x07 = 县公安局\n", &n);
    assert_config_refused(t, n, "kiosk.ini:6: ?[2J?]0;x?: unit code");
    free(t);

    /* A byte-order mark in the wrong place: twice at the start, at the start
     * of a later line, inside a unit name. */
    static const char twice[] = BOM BOM "[kiosk]\nid = k\n";
    assert_config_refused(twice, strlen(twice), "kiosk.ini:1: not a valid INI line");
    t = ini_with(BOM "[units]\nGA01 = 县公安局\n", &n);
    assert_config_refused(t, n, "kiosk.ini:6: not a valid INI line");
    free(t);
    t = ini_with("GA01 = " BOM "县公安局\n", &n);
    assert_config_refused(t, n, "unit name contains a byte-order mark");
    free(t);

    /* Line ends: CR alone is no line end; CRLF (and a BOM at the start) are
     * fine. */
    size_t cr_len;
    t = ini_with("GA01 = 县公安局\n", &n);
    char *cr = replace_all(t, n, "\n", "\r", &cr_len);
    assert_config_refused(cr, cr_len, "");
    free(cr);
    char *crlf = replace_all(t, n, "\n", "\r\n", &cr_len);
    char *bom_crlf = malloc(cr_len + 3);
    memcpy(bom_crlf, BOM, 3);
    memcpy(bom_crlf + 3, crlf, cr_len);
    ck_assert_int_eq(config_parse(bom_crlf, cr_len + 3, "kiosk.ini", "/etc/minping", &cfg, &err),
                     0);
    ck_assert_str_eq(cfg->units[0].name, "县公安局");
    ck_assert_str_eq(cfg->db_path, "/etc/minping/kiosk.db");
    config_free(cfg);
    free(bom_crlf);
    free(crlf);
    free(t);
}
END_TEST

/* A unit name holding a byte-order mark could be stored but never exported
 * (an export may hold one only at its start): it is refused everywhere. */
START_TEST(test_bom_in_unit_name_refused_everywhere)
{
    tu_result r;
    run(&r, "--db", "office.db", "provision", "--kiosk", "room-03", "--survey-url", URL, "--pin",
        "1234", "--out", "room-03", "--unit", "GA09=" BOM "县公安局", NULL);
    ck_assert_msg(r.status == 2 && strstr(r.err, "byte-order mark"), "status %d: %s", r.status,
                  r.err);
    tu_result_free(&r);
    char *ini = in_dir("room-03/kiosk.ini");
    ck_assert(!tu_exists(ini));
    free(ini);
    assert_unchanged("provision");

    mp_err err = {{0}};
    int rc = store_add_vote(k.s, "GA01", BOM "县公安局", 10, 0, clock_utc_now(), 0, NULL, &err);
    ck_assert_int_lt(rc, 0);
    ck_assert_msg(strstr(err.msg, "byte-order mark") != NULL, "%s", err.msg);
    /* The kiosk still exports. */
    char *again = export_of(&k, 5);
    free(again);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 240);
    tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_export_10mb_line);
    tcase_add_test(tc, test_export_nul);
    tcase_add_test(tc, test_export_invalid_utf8);
    tcase_add_test(tc, test_export_bom_misplaced);
    tcase_add_test(tc, test_export_line_ends);
    tcase_add_test(tc, test_export_other_office);
    tcase_add_test(tc, test_export_signature_over_other_content);
    tcase_add_test(tc, test_units_10mb_line);
    tcase_add_test(tc, test_units_nul_utf8_bom);
    tcase_add_test(tc, test_units_line_ends_accepted);
    tcase_add_test(tc, test_config_hostile);
    tcase_add_test(tc, test_bom_in_unit_name_refused_everywhere);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(hostile_suite());
}

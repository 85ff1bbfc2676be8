/* fuzzutil.c - the fuzzing office: fixed keys, an office database restored
 * from an in-memory image before an input, dumps and message checks (see
 * fuzzutil.h). */
#include "fuzzutil.h"
#include "keyring.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fuzz_office {
    registry *reg;
    sqlite3 *db;
    unsigned char *image; /* the pristine database, serialized */
    sqlite3_int64 size;
    char *dump;           /* fuzz_dump of the pristine database */
};

void fuzz_die(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "\n%s:%d: check failed: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void fuzz_key(int which, sign_key *out)
{
    static const char *const label[] = {"minping fuzzing: kiosk fuzz-01",
                                        "minping fuzzing: kiosk fuzz-02",
                                        "minping fuzzing: another office's fuzz-01"};
    FUZZ_CHECK(which >= 0 && which <= FUZZ_KEY_OTHER, "no key %d", which);
    FUZZ_CHECK(sodium_init() >= 0, "libsodium failed to initialise");
    unsigned char seed[crypto_sign_SEEDBYTES];
    crypto_generichash(seed, sizeof seed, (const unsigned char *)label[which],
                       strlen(label[which]), NULL, 0);
    memset(out, 0, sizeof *out);
    FUZZ_CHECK(crypto_sign_seed_keypair(out->pk, out->sk, seed) == 0, "seed keypair");
    sign_key_id(out->pk, out->id);
}

int fuzz_key_lookup(void *user, const char *kiosk_id, const char *key_id,
                    unsigned char pk[SIGN_PK_BYTES], mp_err *err)
{
    (void)user;
    (void)err;
    static sign_key keys[2];
    static int ready;
    if (!ready) {
        fuzz_key(FUZZ_KEY_A, &keys[0]);
        fuzz_key(FUZZ_KEY_B, &keys[1]);
        ready = 1;
    }
    static const char *const kiosk[2] = {FUZZ_KIOSK_A, FUZZ_KIOSK_B};
    for (int i = 0; i < 2; i++)
        if (strcmp(kiosk_id, kiosk[i]) == 0 && strcmp(key_id, keys[i].id) == 0) {
            memcpy(pk, keys[i].pk, SIGN_PK_BYTES);
            return 1;
        }
    return 0;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    FUZZ_CHECK(d != NULL, "out of memory");
    return d;
}

kiosk_config *fuzz_kiosk_config(const char *id)
{
    static const char *const units[][2] = {
        {"GA01", "县公安局"},
        {"MZ01", "县民政局"},
        {"TS01", "城关镇人民政府"},
        {"Q01", "名称,带\"引号\""},
    };
    enum { N = sizeof units / sizeof units[0] };
    kiosk_config *cfg = calloc(1, sizeof *cfg);
    FUZZ_CHECK(cfg != NULL, "out of memory");
    config_set_defaults(cfg);
    cfg->id = xstrdup(id);
    cfg->survey_url = xstrdup("https://survey.example.org/q?k={kiosk}&u={unit}");
    cfg->units = calloc(N, sizeof *cfg->units);
    FUZZ_CHECK(cfg->units != NULL, "out of memory");
    for (size_t i = 0; i < N; i++) {
        cfg->units[i].code = xstrdup(units[i][0]);
        cfg->units[i].name = xstrdup(units[i][1]);
    }
    cfg->n_units = N;
    return cfg;
}

static void remove_files(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

fuzz_office *fuzz_office_create(int (*prep)(registry *r, void *user), void *user)
{
    fuzz_office *o = calloc(1, sizeof *o);
    FUZZ_CHECK(o != NULL, "out of memory");
    const char *tmp = getenv("TMPDIR");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/minping-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL, "cannot make a folder in %s", dir);
    snprintf(path, sizeof path, "%s/office.db", dir);

    mp_err err = {{0}};
    FUZZ_CHECK(registry_open(path, &o->reg, &err) == 0, "registry_open: %s", err.msg);
    o->db = registry_sqlite(o->reg);
    static const char *const kiosk[2] = {FUZZ_KIOSK_A, FUZZ_KIOSK_B};
    for (int i = 0; i < 2; i++) {
        sign_key key;
        fuzz_key(i == 0 ? FUZZ_KEY_A : FUZZ_KEY_B, &key);
        kiosk_config *cfg = fuzz_kiosk_config(kiosk[i]);
        sqlite3 *db = registry_sqlite(o->reg);
        FUZZ_CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
                       registry_provision(db, cfg, FUZZ_PROVISIONED, &err) == 0 &&
                       keyring_add(db, cfg->id, key.pk, FUZZ_PROVISIONED, &err) == 0 &&
                       sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK,
                   "provisioning: %s", err.msg);
        config_free(cfg);
    }
    if (prep)
        FUZZ_CHECK(prep(o->reg, user) == 0, "preparing the office database failed");

    /* A serialized database must not be in WAL mode. */
    FUZZ_CHECK(sqlite3_exec(o->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK,
               "journal_mode: %s", sqlite3_errmsg(o->db));
    o->image = sqlite3_serialize(o->db, "main", &o->size, 0);
    FUZZ_CHECK(o->image != NULL, "sqlite3_serialize failed");
    fuzz_office_restore(o); /* from now on the database lives in memory */
    remove_files(path);
    rmdir(dir);
    o->dump = fuzz_dump(o->db);
    return o;
}

registry *fuzz_office_registry(fuzz_office *o)
{
    return o->reg;
}

sqlite3 *fuzz_office_db(fuzz_office *o)
{
    return o->db;
}

void fuzz_office_restore(fuzz_office *o)
{
    unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)o->size);
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, o->image, (size_t)o->size);
    int rc = sqlite3_deserialize(o->db, "main", copy, o->size, o->size,
                                 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
    FUZZ_CHECK(rc == SQLITE_OK, "sqlite3_deserialize: %s", sqlite3_errstr(rc));
}

void fuzz_office_check_idle(fuzz_office *o, const char *what)
{
    FUZZ_CHECK(sqlite3_get_autocommit(o->db), "%s left a transaction open", what);
    sqlite3_stmt *st = sqlite3_next_stmt(o->db, NULL);
    FUZZ_CHECK(st == NULL, "%s left a statement unfinalized: %s", what,
               st ? sqlite3_sql(st) : "");
}

void fuzz_office_check_unchanged(fuzz_office *o, const char *what)
{
    fuzz_office_check_idle(o, what);
    char *now = fuzz_dump(o->db);
    if (strcmp(now, o->dump) != 0) {
        fprintf(stderr, "---- office database before:\n%s---- after:\n%s----\n", o->dump, now);
        FUZZ_CHECK(0, "%s was rejected but changed the office database", what);
    }
    free(now);
}

char *fuzz_dump(sqlite3 *db)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f != NULL, "out of memory");
    sqlite3_stmt *tables;
    FUZZ_CHECK(sqlite3_prepare_v2(db,
                                  "SELECT name, type, sql FROM sqlite_schema ORDER BY type, name",
                                  -1, &tables, NULL) == SQLITE_OK,
               "%s", sqlite3_errmsg(db));
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
        FUZZ_CHECK(sqlite3_prepare_v2(db, q, -1, &rows, NULL) == SQLITE_OK, "%s: %s", q,
                   sqlite3_errmsg(db));
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
    fprintf(f, "user_version %" PRId64 "\n", fuzz_count(db, "PRAGMA user_version"));
    fclose(f);
    return buf;
}

int64_t fuzz_count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    FUZZ_CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
               sqlite3_errmsg(db));
    FUZZ_CHECK(sqlite3_step(st) == SQLITE_ROW, "%s: %s", sql, sqlite3_errmsg(db));
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

void fuzz_check_message(const mp_err *err, const char *what)
{
    FUZZ_CHECK(err->msg[0] != '\0', "%s failed without saying why", what);
    size_t n = strnlen(err->msg, sizeof err->msg);
    FUZZ_CHECK(n < sizeof err->msg, "%s: the message is not terminated", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)err->msg[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7F,
                   "%s: the message carries control character 0x%02x at byte %zu: %s", what, c,
                   i, err->msg);
    }
}

uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * UINT64_C(1099511628211);
    return h;
}

/* fuzzutil.h - what the fuzz targets and the corpus generator share: the
 * fixed signing keys of the fuzzing office's kiosks, an office database
 * made once and put back cheaply before an input, a text dump of every
 * table, and the checks every target makes of a rejection.
 *
 * A failed check prints what went wrong and aborts, which libFuzzer records
 * as a crash with the input that caused it. */
#ifndef MINPING_FUZZUTIL_H
#define MINPING_FUZZUTIL_H

#include "config.h"
#include "err.h"
#include "registry.h"
#include "sign.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* The kiosks of the fuzzing office and their keys.  Each key pair comes
 * from a fixed seed (crypto_sign_seed_keypair), so the committed corpus can
 * hold validly signed exports. */
#define FUZZ_KIOSK_A "fuzz-01"
#define FUZZ_KIOSK_B "fuzz-02"
enum {
    FUZZ_KEY_A,     /* kiosk fuzz-01 */
    FUZZ_KEY_B,     /* kiosk fuzz-02 */
    FUZZ_KEY_OTHER, /* a key another office gave its own kiosk "fuzz-01" */
};

/* The office's clock: provisioning on 2026-10-28, imports on 2026-11-27
 * (both 00:00 UTC). */
#define FUZZ_PROVISIONED INT64_C(1793145600)
#define FUZZ_NOW INT64_C(1795737600)

#define FUZZ_CHECK(cond, ...)                                                                     \
    do {                                                                                          \
        if (!(cond))                                                                              \
            fuzz_die(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

void fuzz_die(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* The key pair `which` (FUZZ_KEY_*). */
void fuzz_key(int which, sign_key *out);

/* An export_key_fn over a fixed in-memory keyring: fuzz-01 has key A,
 * fuzz-02 key B; `user` is unused. */
int fuzz_key_lookup(void *user, const char *kiosk_id, const char *key_id,
                    unsigned char pk[SIGN_PK_BYTES], mp_err *err);

/* A kiosk configuration for kiosk `id` with the fuzzing units (GA01 县公安局,
 * MZ01 县民政局, TS01 城关镇人民政府, Q01 a name with a comma and quotes);
 * free with config_free. */
kiosk_config *fuzz_kiosk_config(const char *id);

/* An office database: made in a temporary file by registry_open (every
 * migration), kiosks fuzz-01 and fuzz-02 provisioned with keys A and B,
 * then prepared further by prep (may be NULL); then held in memory
 * (sqlite3_serialize) and the file removed.  fuzz_office_restore puts that
 * image back (sqlite3_deserialize) in a few microseconds. */
typedef struct fuzz_office fuzz_office;
fuzz_office *fuzz_office_create(int (*prep)(registry *r, void *user), void *user);
registry *fuzz_office_registry(fuzz_office *o);
sqlite3 *fuzz_office_db(fuzz_office *o);
void fuzz_office_restore(fuzz_office *o);

/* Checks the connection is idle (no transaction left open, no statement
 * left unfinalized) and the database's dump is the pristine one's. */
void fuzz_office_check_unchanged(fuzz_office *o, const char *what);
/* Checks the connection is idle. */
void fuzz_office_check_idle(fuzz_office *o, const char *what);

/* Every table's schema and rows and the user_version, as text (malloc'd). */
char *fuzz_dump(sqlite3 *db);

/* One integer from a query (aborts on an error). */
int64_t fuzz_count(sqlite3 *db, const char *sql);

/* Checks a rejection's message: one non-empty sentence without control
 * characters (a hostile file must not reach the terminal raw). */
void fuzz_check_message(const mp_err *err, const char *what);

/* FNV-1a of the input: picks, reproducibly, the inputs that take a slower path. */
uint64_t fuzz_hash(const uint8_t *data, size_t size);

#endif

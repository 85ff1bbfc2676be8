/* keyring.c - the kiosks' public signing keys in the office database.
 * Keys are stored as standard base64 beside their key id; a lookup checks
 * that the stored key still has the id it is filed under. */
#include "keyring.h"

#include "export.h"

#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

/* Standard base64 of a public key, with its padding. */
enum { PK_B64_CHARS = 44 };
_Static_assert(PK_B64_CHARS + 1 == sodium_base64_ENCODED_LEN(SIGN_PK_BYTES,
                                                             sodium_base64_VARIANT_ORIGINAL),
               "kiosk_keys.public_key has a fixed length");

int keyring_add(sqlite3 *db, const char *kiosk_id, const unsigned char pk[SIGN_PK_BYTES],
                int64_t now_utc, mp_err *err)
{
    char key_id[SIGN_ID_CHARS + 1];
    char b64[PK_B64_CHARS + 1];
    sign_key_id(pk, key_id);
    sodium_bin2base64(b64, sizeof b64, pk, SIGN_PK_BYTES, sodium_base64_VARIANT_ORIGINAL);

    sqlite3_stmt *st = NULL;
    /* The same key twice is harmless; two keys with one id (a 64-bit
     * collision) are refused by the check below. */
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO kiosk_keys(kiosk_id, key_id, public_key, added_utc) "
                           "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(kiosk_id, key_id) DO NOTHING",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "cannot record the kiosk's key: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, b64, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_utc);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "cannot record the kiosk's key: %s", sqlite3_errmsg(db));

    unsigned char have[SIGN_PK_BYTES];
    int found = keyring_lookup(db, kiosk_id, key_id, have, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_fail(err, "the kiosk's key %s was not recorded", key_id);
    if (sodium_memcmp(have, pk, SIGN_PK_BYTES) != 0)
        return mp_fail(err, "kiosk %s already has another key with id %s; provision again",
                       kiosk_id, key_id);
    return 0;
}

int keyring_lookup(void *user, const char *kiosk_id, const char *key_id,
                   unsigned char pk[SIGN_PK_BYTES], mp_err *err)
{
    sqlite3 *db = user;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT public_key FROM kiosk_keys WHERE kiosk_id = ?1 AND key_id = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "cannot look up the kiosk's key: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        int n = 0;
        if (keyring_count(db, kiosk_id, &n, err) < 0)
            return -1;
        return n > 0 ? EXPORT_KEY_OTHER : EXPORT_KEY_NO_KIOSK;
    }
    if (rc != SQLITE_ROW) {
        mp_fail(err, "cannot look up the kiosk's key: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    const char *b64 = (const char *)sqlite3_column_text(st, 0);
    size_t b64_len = b64 ? strlen(b64) : 0;
    size_t bin_len = 0;
    const char *end = NULL;
    unsigned char got[SIGN_PK_BYTES];
    char id[SIGN_ID_CHARS + 1] = "";
    int ok = b64_len == PK_B64_CHARS &&
             sodium_base642bin(got, sizeof got, b64, b64_len, NULL, &bin_len, &end,
                               sodium_base64_VARIANT_ORIGINAL) == 0 &&
             bin_len == SIGN_PK_BYTES && end == b64 + b64_len;
    sqlite3_finalize(st);
    if (ok) {
        sign_key_id(got, id);
        ok = strcmp(id, key_id) == 0;
    }
    if (!ok)
        return mp_fail(err, "the office database's record of key %s of kiosk %s is damaged",
                       key_id, kiosk_id);
    memcpy(pk, got, SIGN_PK_BYTES);
    return 1;
}

int keyring_count(sqlite3 *db, const char *kiosk_id, int *n, mp_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM kiosk_keys WHERE kiosk_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return mp_fail(err, "cannot count the kiosk's keys: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    else
        mp_fail(err, "cannot count the kiosk's keys: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* keyring.h - the office's record of each kiosk's public signing keys
 * (table kiosk_keys of the office database, db/office/002-keys.sql).
 *
 * A kiosk gets a new key pair every time it is provisioned; the office keeps
 * every public key it has issued, so an export signed with an older key of
 * the kiosk still verifies.  Secret keys are never stored here.
 *
 * Like every office-side module, it works on the office database's
 * connection (registry_sqlite()).
 */
#ifndef MINPING_KEYRING_H
#define MINPING_KEYRING_H

#include "err.h"
#include "sign.h"

#include <sqlite3.h>
#include <stdint.h>

/* Records pk as a key of kiosk_id (which must already be in the kiosks
 * table).  Runs inside the caller's transaction when there is one, so that
 * provisioning records the kiosk (registry_provision) and its key together.
 * Adding a key the kiosk already has changes nothing. */
int keyring_add(sqlite3 *db, const char *kiosk_id, const unsigned char pk[SIGN_PK_BYTES],
                int64_t now_utc, mp_err *err);

/* An export_key_fn (export.h) over the office database: `db` is its
 * sqlite3 *.  Returns 1 and fills pk when kiosk_id has a key with key_id,
 * 0 when kiosk_id has no key at all (never provisioned by this office), 2
 * when it has keys but not key_id (EXPORT_KEY_*), -1 on a database error or
 * a damaged stored key. */
int keyring_lookup(void *db, const char *kiosk_id, const char *key_id,
                   unsigned char pk[SIGN_PK_BYTES], mp_err *err);

/* *n receives the number of keys recorded for kiosk_id. */
int keyring_count(sqlite3 *db, const char *kiosk_id, int *n, mp_err *err);

#endif

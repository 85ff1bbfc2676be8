/* registry.h - the office database: opening it, and its registered units
 * and provisioned kiosks (their public keys: keyring.h).
 *
 * registry_open gives the one handle of the office database; every office-
 * side module (this one, keyring, unitreg, ledger) then takes its
 * connection, registry_sqlite(). */
#ifndef MINPING_REGISTRY_H
#define MINPING_REGISTRY_H

#include "config.h"
#include "err.h"
#include "sign.h"

#include <sqlite3.h>
#include <stdint.h>

typedef struct registry registry;

/* How long a command waits for another one that is writing the office
 * database (an import of a million votes takes seconds) before giving up
 * with "database is locked". */
enum { REGISTRY_BUSY_MS = 60000 };

/* Opens (creating and migrating if needed) the office database at path.  It
 * keeps a rollback journal (see registry.c): while one command writes, the
 * others wait, up to REGISTRY_BUSY_MS. */
int registry_open(const char *path, registry **out, mp_err *err);
void registry_close(registry *r);

/* The office database's connection, for the other office-side modules
 * (import ledger, reports); owned by r. */
sqlite3 *registry_sqlite(registry *r);

/* Records kiosk `cfg->id` with its units (registering unknown units), in
 * the transaction the caller has begun on db (fails when there is none):
 * the caller records the kiosk's new key (keyring_add) in the same one and
 * commits, or rolls back after a failure of either.  A unit code already
 * registered under another name is an error.  Re-provisioning replaces the
 * kiosk's unit list; its earlier keys stay valid. */
int registry_provision(sqlite3 *db, const kiosk_config *cfg, int64_t now_utc, mp_err *err);

/* Runs fn for each kiosk unit (kiosk_id, unit_code, unit_name, position) in
 * kiosk then position order; stops and fails if fn returns non-zero. */
typedef int (*registry_kiosk_unit_fn)(void *user, const char *kiosk_id, const char *code,
                                      const char *name);
int registry_each_kiosk_unit(sqlite3 *db, registry_kiosk_unit_fn fn, void *user, mp_err *err);

#endif

/* officedb.h - fixtures of the office-side module tests (check_registry,
 * check_keyring, check_unitreg): a fresh office database per test and a
 * kiosk configuration to provision. */
#ifndef MINPING_OFFICEDB_H
#define MINPING_OFFICEDB_H

#include "config.h"
#include "registry.h"

#include <sqlite3.h>
#include <stdint.h>

/* A new office database in a new folder below tu_root (registry_open). */
registry *odb_open(void);

/* A kiosk configuration of kiosk `id` whose [units] section is `units`
 * ("GA01=县公安局\n..."); free with config_free. */
kiosk_config *odb_kiosk(const char *id, const char *units);

/* Provisions cfg in one transaction, with pk (may be NULL: no key). */
int odb_provision(sqlite3 *db, const kiosk_config *cfg, const unsigned char *pk, int64_t now,
                  mp_err *err);

#endif

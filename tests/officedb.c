/* officedb.c - office database fixtures (officedb.h). */
#include "officedb.h"
#include "keyring.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

registry *odb_open(void)
{
    char *dir = tu_mkdtemp_in(tu_root), *path = tu_path(dir, "office.db");
    registry *r = NULL;
    mp_err err = {{0}};
    ck_assert_msg(registry_open(path, &r, &err) == 0, "%s", err.msg);
    free(path);
    free(dir);
    return r;
}

kiosk_config *odb_kiosk(const char *id, const char *units)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[kiosk]\nid=%s\nsurvey_url=https://example.org/s\n"
             "pin_hash=$argon2id$v=19$m=65536,t=2,p=1$feQAnoiWdmsCD6pVDJgQTA$"
             "Tg3NMQ7OWiDSeLS2rz9UBFFmQfAML7ZAiVPbfM00x+4\n[units]\n%s",
             id, units);
    kiosk_config *cfg = NULL;
    mp_err err = {{0}};
    ck_assert_msg(config_parse(text, strlen(text), "kiosk.ini", ".", &cfg, &err) == 0, "%s",
                  err.msg);
    return cfg;
}

int odb_provision(sqlite3 *db, const kiosk_config *cfg, const unsigned char *pk, int64_t now,
                  mp_err *err)
{
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    if (registry_provision(db, cfg, now, err) < 0 ||
        (pk && keyring_add(db, cfg->id, pk, now, err) < 0)) {
        ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
        return -1;
    }
    ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    return 0;
}

/* migrate.c - apply embedded SQL migrations in order. */
#include "migrate.h"

#include <stdio.h>

int migrate_count(const struct embed_file *m)
{
    int n = 0;
    while (m[n].name)
        n++;
    return n;
}

static int user_version(sqlite3 *db, int *out, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "cannot read the schema version: %s", sqlite3_errmsg(db));
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return mp_fail(err, "cannot read the schema version: %s", sqlite3_errmsg(db));
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

int migrate_apply(sqlite3 *db, const struct embed_file *m, mp_err *err)
{
    int have = 0, known = migrate_count(m);
    if (user_version(db, &have, err) < 0)
        return -1;
    if (have > known)
        return mp_fail(err, "the database has schema version %d, newer than this program's %d",
                       have, known);
    for (int i = have; i < known; i++) {
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, m[i].text, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            mp_fail(err, "migration %s failed: %s", m[i].name, msg ? msg : sqlite3_errmsg(db));
            sqlite3_free(msg);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

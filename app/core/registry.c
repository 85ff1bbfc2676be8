/* registry.c - the office database: opening and migrating it, recording a
 * provisioned kiosk and its units (in the caller's transaction, beside its
 * key: keyring.c), listing kiosk units. */
#include "registry.h"
#include "embed.h"
#include "migrate.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct registry {
    sqlite3 *db;
};

int registry_open(const char *path, registry **out, mp_err *err)
{
    registry *r = calloc(1, sizeof *r);
    if (!r)
        return mp_fail(err, "out of memory");
    /* One thread uses the connection (an import's hashing thread never
     * does): SQLite's own locks would only cost time. */
    if (sqlite3_open_v2(path, &r->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        mp_fail(err, "cannot open office database %s: %s", path,
                r->db ? sqlite3_errmsg(r->db) : "out of memory");
        registry_close(r);
        return -1;
    }
    sqlite3_busy_timeout(r->db, REGISTRY_BUSY_MS);
    /* A rollback journal, not a write-ahead log: an import is one
     * transaction of up to millions of rows, which a WAL would write twice
     * (log, then checkpoint) and SQLite's own advice is a rollback journal
     * for transactions over about 100 MB.  A database an older version left
     * in WAL mode is switched back here; while another connection holds it
     * open it cannot be, and stays in WAL mode, which works as well. */
    (void)sqlite3_exec(r->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    char *msg = NULL;
    if (sqlite3_exec(r->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
                     NULL, NULL, &msg) != SQLITE_OK) {
        mp_fail(err, "office database %s: %s", path, msg ? msg : sqlite3_errmsg(r->db));
        sqlite3_free(msg);
        registry_close(r);
        return -1;
    }
    if (migrate_apply(r->db, office_migrations, err) < 0) {
        mp_wrap(err, "office database %s", path);
        registry_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void registry_close(registry *r)
{
    if (!r)
        return;
    sqlite3_close(r->db);
    free(r);
}

sqlite3 *registry_sqlite(registry *r)
{
    return r->db;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st, mp_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    return 0;
}

int registry_provision(sqlite3 *db, const kiosk_config *cfg, int64_t now_utc, mp_err *err)
{
    sqlite3_stmt *get_unit = NULL, *add_unit = NULL, *add_ku = NULL, *st = NULL;
    if (sqlite3_get_autocommit(db))
        return mp_fail(err, "provisioning needs a transaction on the office database");

    if (sqlite3_prepare_v2(db,
                           "INSERT INTO kiosks(id, survey_url, provisioned_utc) VALUES (?1,?2,?3) "
                           "ON CONFLICT(id) DO UPDATE SET survey_url = excluded.survey_url, "
                           "provisioned_utc = excluded.provisioned_utc",
                           -1, &st, NULL) != SQLITE_OK)
        goto sql_fail;
    sqlite3_bind_text(st, 1, cfg->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cfg->survey_url, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_utc);
    if (step_done(db, st, err) < 0)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;

    if (sqlite3_prepare_v2(db, "DELETE FROM kiosk_units WHERE kiosk_id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        goto sql_fail;
    sqlite3_bind_text(st, 1, cfg->id, -1, SQLITE_STATIC);
    if (step_done(db, st, err) < 0)
        goto fail;

    if (sqlite3_prepare_v2(db, "SELECT name FROM units WHERE code = ?1", -1, &get_unit, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO units(code, name) VALUES (?1, ?2)", -1, &add_unit,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO kiosk_units(kiosk_id, unit_code, position) "
                           "VALUES (?1, ?2, ?3)",
                           -1, &add_ku, NULL) != SQLITE_OK)
        goto sql_fail;

    for (size_t i = 0; i < cfg->n_units; i++) {
        const config_unit *u = &cfg->units[i];
        sqlite3_bind_text(get_unit, 1, u->code, -1, SQLITE_STATIC);
        int rc = sqlite3_step(get_unit);
        if (rc == SQLITE_ROW) {
            const char *have = (const char *)sqlite3_column_text(get_unit, 0);
            if (strcmp(have, u->name) != 0) {
                mp_fail(err, "unit %s is registered as \"%s\", not \"%s\"", u->code, have,
                        u->name);
                goto fail;
            }
        } else if (rc == SQLITE_DONE) {
            sqlite3_bind_text(add_unit, 1, u->code, -1, SQLITE_STATIC);
            sqlite3_bind_text(add_unit, 2, u->name, -1, SQLITE_STATIC);
            if (step_done(db, add_unit, err) < 0)
                goto fail;
        } else {
            goto sql_fail;
        }
        sqlite3_reset(get_unit);
        sqlite3_bind_text(add_ku, 1, cfg->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(add_ku, 2, u->code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(add_ku, 3, (sqlite3_int64)i);
        if (step_done(db, add_ku, err) < 0)
            goto fail;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(get_unit);
    sqlite3_finalize(add_unit);
    sqlite3_finalize(add_ku);
    return 0;
sql_fail:
    mp_fail(err, "%s", sqlite3_errmsg(db));
fail:
    sqlite3_finalize(st);
    sqlite3_finalize(get_unit);
    sqlite3_finalize(add_unit);
    sqlite3_finalize(add_ku);
    return -1;
}

int registry_each_kiosk_unit(sqlite3 *db, registry_kiosk_unit_fn fn, void *user, mp_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT ku.kiosk_id, u.code, u.name FROM kiosk_units ku "
                           "JOIN units u ON u.code = ku.unit_code "
                           "ORDER BY ku.kiosk_id, ku.position",
                           -1, &st, NULL) != SQLITE_OK)
        return mp_fail(err, "%s", sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(user, (const char *)sqlite3_column_text(st, 0),
               (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2)) != 0) {
            sqlite3_finalize(st);
            return mp_fail(err, "stopped by caller");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return mp_fail(err, "%s", sqlite3_errstr(rc));
    return 0;
}

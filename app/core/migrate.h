/* migrate.h - schema migrations by PRAGMA user_version. */
#ifndef MINPING_MIGRATE_H
#define MINPING_MIGRATE_H

#include "embed.h"
#include "err.h"

#include <sqlite3.h>

/* Applies, each in its own transaction, the migrations the database has not
 * had yet (user_version counts those applied).  Fails without change if the
 * database is newer than the migrations known. */
int migrate_apply(sqlite3 *db, const struct embed_file *migrations, mp_err *err);

/* Number of migrations in the table. */
int migrate_count(const struct embed_file *migrations);

#endif

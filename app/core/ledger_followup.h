/* ledger_followup.h - the office's follow-ups (db/office/004-followups.sql):
 * stored by the import that reads them (ledger_import, inside its
 * transaction), each once: the same follow-up again is counted once, the
 * same key with other content is a conflict that rejects the file. */
#ifndef MINPING_LEDGER_FOLLOWUP_H
#define MINPING_LEDGER_FOLLOWUP_H

#include "err.h"
#include "export.h"

#include <sqlite3.h>

/* Stores f (a follow-up verified by export_read_v2) in db's open
 * transaction.  *is_new (may be NULL) says whether it was new. */
int ledger_followup_add(sqlite3 *db, const export_followup *f, int *is_new, mp_err *err);

#endif

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

/* One stored follow-up, as ledger_followup_each passes it (strings valid
 * only during the call). */
typedef struct ledger_followup_info {
    const char *unit_code;
    int points;              /* the rating of the vote it follows */
    const char *reasons;     /* joined by '|' */
    const char *comment;
    const char *channel;
} ledger_followup_info;

typedef int (*ledger_followup_fn)(void *user, const ledger_followup_info *f);

/* Every follow-up written on a local date in from..to (either NULL:
 * unbounded) of channel (NULL: all), by unit code then time.  A non-zero
 * return from fn stops the walk and fails. */
int ledger_followup_each(sqlite3 *db, const char *from, const char *to, const char *channel,
                         ledger_followup_fn fn, void *user, mp_err *err);

#endif

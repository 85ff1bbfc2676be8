/* store_tx.h - votes of any channel, several to one commit, on the vote
 * store (store.h).  The survey server's single writer uses this: it opens a
 * transaction, adds every vote waiting (each in its own savepoint, so one
 * refused vote does not undo the others), and commits them together; a
 * vote is durable, and may be acknowledged, only once store_tx_commit has
 * returned 0 (WAL, synchronous=FULL: the commit syncs).
 */
#ifndef MINPING_STORE_TX_H
#define MINPING_STORE_TX_H

#include "err.h"
#include "store.h"

#include <stdint.h>

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK on the store's connection.  A failed
 * commit leaves nothing of the transaction stored (it is rolled back). */
int store_tx_begin(store *s, mp_err *err);
int store_tx_commit(store *s, mp_err *err);
void store_tx_rollback(store *s);

/* SAVEPOINT around one job inside the transaction: release keeps what the
 * job did, undo drops it (the transaction stays open). */
int store_tx_mark(store *s, mp_err *err);
int store_tx_release(store *s, mp_err *err);
void store_tx_undo(store *s);

/* Appends one vote of channel ("kiosk" or "online") with the checks of
 * store_add_vote; inside a transaction it is stored by the commit, outside
 * one it commits by itself.  out (may be NULL) receives seq, uuid, time. */
int store_tx_add_vote(store *s, const char *channel, const char *unit_code,
                      const char *unit_name, int points, int flagged, int64_t cast_utc,
                      int utc_offset, store_vote *out, mp_err *err);

/* Records that `browser` (a hash, hex) voted for unit_code on local date day
 * ("YYYY-MM-DD"); *seen = 1 when it had already, else 0.  Marks from days
 * before keep_from ("YYYY-MM-DD") are removed now and then. */
int store_tx_mark_browser(store *s, const char *day, const char *unit_code,
                          const char *browser, int *seen, mp_err *err);
int store_tx_prune_marks(store *s, const char *keep_from, mp_err *err);

#endif

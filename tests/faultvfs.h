/* faultvfs.h - a SQLite VFS for tests that wraps the default one and can be
 * told to fail writes, as a full disk or a failing medium would. */
#ifndef MINPING_FAULTVFS_H
#define MINPING_FAULTVFS_H

/* Registers the fault VFS as SQLite's default.  Idempotent. */
int faultvfs_install(void);

/* 0: pass everything through.  Otherwise every xWrite and xSync fails with
 * this SQLite result code (e.g. SQLITE_FULL, SQLITE_IOERR_WRITE). */
void faultvfs_set_failure(int sqlite_rc);

/* Number of write/sync calls failed so far. */
long faultvfs_failures(void);

/* ---- power loss -----------------------------------------------------------
 * A model of a disk that loses its volatile cache when the power goes: for
 * each file opened through the VFS it keeps the content as of the last
 * successful xSync (what is "on the platter"), and the writes and truncates
 * made since.  Real syncs are skipped (the model decides what survives).
 *
 *   faultvfs_power_track(1)      start keeping the model (files opened from
 *                                now on; their content then counts as synced)
 *   faultvfs_power_cut_after(n)  the n-th next xWrite/xSync/xTruncate is the
 *                                moment the power goes: that call and every
 *                                later one fails with an I/O error, as a
 *                                machine that stopped would never return
 *   faultvfs_power_restore(seed) after every connection is closed: rewrites
 *                                each file as the disk would hold it when the
 *                                power comes back, its synced content plus a
 *                                random choice (seeded) of the later writes,
 *                                in order, each kept, lost, or torn (only its
 *                                first 512-byte sectors kept; in a quarter
 *                                of the cases every write is kept, in
 *                                another quarter none); then forgets
 *                                the model and turns the power back on
 */
void faultvfs_power_track(int on);
void faultvfs_power_cut_after(long n);
/* 1 once the power has gone (until faultvfs_power_restore). */
int faultvfs_power_is_off(void);
/* Returns the number of unsynced writes that were pending, or -1 when a file
 * cannot be rewritten. */
long faultvfs_power_restore(unsigned seed);

#endif

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

#endif

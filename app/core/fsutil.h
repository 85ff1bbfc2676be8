/* fsutil.h - careful files: whole files written or nothing, a name created
 * without ever replacing one (also on FAT), a whole file read at once. */
#ifndef MINPING_FSUTIL_H
#define MINPING_FSUTIL_H

#include "err.h"

#include <stddef.h>
#include <sys/types.h>

/* Writes data to a temporary file beside path (exclusive create, no symbolic
 * links followed), syncs it, and renames it over path, then syncs the folder.
 * Readers see the old file or the new one, never a part.  Fails when the
 * folder cannot be synced (the new file is then in place but may not
 * survive a power cut). */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, mp_err *err);

/* Like fs_write_atomic, but fails (leaving everything as it was) when path
 * already exists: the name is given with fs_add_name. */
int fs_write_new(const char *path, const void *data, size_t len, mode_t mode, mp_err *err);

/* Syncs the folder that holds path, so a name created, renamed or removed
 * in it is on disk.  Returns 0 (also when the file system says it cannot
 * sync a folder: EINVAL), or -1 with errno set. */
int fs_sync_dir_of(const char *path);

/* Gives the file `from` (relative to folder dfd, or AT_FDCWD) the further
 * name `to` in the same folder, never replacing a file already there:
 * link() where the file system has links, else (FAT and exFAT, most USB
 * sticks) renameat2's RENAME_NOREPLACE, after which `from` is gone.  The
 * caller removes `from` when it is still there and no longer wanted, and
 * syncs the folder.  Returns 0, or -1 with errno (EEXIST: `to` is taken). */
int fs_add_name(int dfd, const char *from, const char *to);

/* fs_read_file's flags. */
enum {
    FS_READ_MISSING_OK = 1, /* a path that does not exist is not an error */
    FS_READ_FOLLOW = 2,     /* follow a symbolic link at path (else refuse it) */
};

/* Reads the whole regular file at path (no FIFO waited on) into *buf,
 * malloc'd, with a NUL byte after its *len bytes.  Fails when it is not a
 * regular file, is larger than max bytes, or grows while it is read, and
 * when it is a symbolic link unless flags has FS_READ_FOLLOW.  Messages do
 * not name path: the caller adds it.  Returns 1 (read), 0 when path does
 * not exist and flags has FS_READ_MISSING_OK (*buf NULL, *len 0), or -1. */
int fs_read_file(const char *path, size_t max, int flags, char **buf, size_t *len, mp_err *err);

/* Creates dir and its missing parents with mode 0755 (like mkdir -p). */
int fs_mkdir_p(const char *dir, mp_err *err);

#endif

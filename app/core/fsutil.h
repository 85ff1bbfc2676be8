/* fsutil.h - careful file writing: whole files or nothing. */
#ifndef MINPING_FSUTIL_H
#define MINPING_FSUTIL_H

#include "err.h"

#include <stddef.h>
#include <sys/types.h>

/* Writes data to a temporary file beside path (exclusive create, no symbolic
 * links followed), syncs it, and renames it over path, then syncs the folder.
 * Readers see the old file or the new one, never a part. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, mp_err *err);

/* Like fs_write_atomic, but fails (leaving everything as it was) when path
 * already exists. */
int fs_write_new(const char *path, const void *data, size_t len, mode_t mode, mp_err *err);

/* Syncs the folder that holds path, so a name created, renamed or removed
 * in it is on disk.  Returns 0, or -1 with errno set. */
int fs_sync_dir_of(const char *path);

/* Creates dir and its missing parents with mode 0755 (like mkdir -p). */
int fs_mkdir_p(const char *dir, mp_err *err);

#endif

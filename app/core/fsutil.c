/* fsutil.c - careful file writing and reading (fsutil.h). */
#define _GNU_SOURCE /* renameat2 */
#include "fsutil.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_sync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc < 0 && e == EINVAL)
        return 0; /* a file system that cannot sync a folder (FAT on some kernels) */
    errno = e;
    return rc;
}

/* Why path cannot be created (e is errno), naming path and its folder,
 * never the temporary file beside it. */
static int fail_create(const char *path, int e, mp_err *err)
{
    char *copy = strdup(path);
    const char *dir = copy ? dirname(copy) : ".";
    struct stat st;
    int rc;
    if (e == ENOENT && stat(dir, &st) != 0)
        rc = mp_fail(err, "cannot create %s: the folder %s does not exist; create it first, or "
                          "name a folder that exists",
                     path, dir);
    else if (e == ENOTDIR)
        rc = mp_fail(err, "cannot create %s: %s is not a folder", path, dir);
    else
        rc = mp_fail(err, "cannot create %s in the folder %s: %s", path, dir, strerror(e));
    free(copy);
    return rc;
}

/* Writes data into a fresh temporary file next to path; *tmp receives its name. */
static int write_temp(const char *path, const void *data, size_t len, mode_t mode, char *tmp,
                      size_t tmplen, mp_err *err)
{
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, tmplen, "%s.tmp-%ld-%d", path, (long)getpid(), attempt);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            return fail_create(path, errno, err);
    }
    if (fd < 0)
        return mp_fail(err, "cannot create a temporary file beside %s", path);
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            mp_fail(err, "cannot write %s: %s", path, strerror(errno));
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        mp_fail(err, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        mp_fail(err, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, mp_err *err)
{
    char tmp[4096];
    if (strlen(path) + 32 > sizeof tmp)
        return mp_fail(err, "path too long: %s", path);
    if (write_temp(path, data, len, mode, tmp, sizeof tmp, err) < 0)
        return -1;
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return mp_fail(err, "cannot replace %s: %s", path, strerror(e));
    }
    if (fs_sync_dir_of(path) < 0)
        return mp_fail(err, "cannot sync the folder of %s: %s", path, strerror(errno));
    return 0;
}

int fs_write_new(const char *path, const void *data, size_t len, mode_t mode, mp_err *err)
{
    char tmp[4096];
    if (strlen(path) + 32 > sizeof tmp)
        return mp_fail(err, "path too long: %s", path);
    if (write_temp(path, data, len, mode, tmp, sizeof tmp, err) < 0)
        return -1;
    /* The check and the creation are one step. */
    if (fs_add_name(AT_FDCWD, tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        if (e == EEXIST)
            return mp_fail(err, "%s already exists; not overwriting it", path);
        return mp_fail(err, "cannot create %s: %s", path, strerror(e));
    }
    (void)unlink(tmp); /* gone already after a rename */
    if (fs_sync_dir_of(path) < 0)
        return mp_fail(err, "cannot sync the folder of %s: %s", path, strerror(errno));
    return 0;
}

int fs_add_name(int dfd, const char *from, const char *to)
{
    if (linkat(dfd, from, dfd, to, 0) == 0)
        return 0;
    if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS && errno != EMLINK)
        return -1;
    return renameat2(dfd, from, dfd, to, RENAME_NOREPLACE);
}

/* Files from this size on (a large kiosk export) are read into memory that
 * is aligned to 2 MiB, asked for as transparent huge pages and populated
 * in one call before the read.  Filling ordinary 4 KiB pages one fault at a
 * time cost 0.7 s for a 180 MB file on a virtual machine (35 us a fault),
 * and every later pass over the buffer pays for their TLB misses; this way
 * the read took 0.03 to 0.4 s (docs/performance.md).  Both requests are
 * hints: on a kernel without them the buffer is ordinary memory. */
#define FS_BIG_FILE ((size_t)8 << 20)
#define FS_HUGE_PAGE ((size_t)2 << 20)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

static char *read_buffer(size_t cap)
{
    if (cap < FS_BIG_FILE)
        return malloc(cap);
    void *p = NULL;
    if (posix_memalign(&p, FS_HUGE_PAGE, cap) != 0)
        return NULL;
    /* The whole pages of the allocation (p is aligned). */
    size_t pages = cap & ~((size_t)sysconf(_SC_PAGESIZE) - 1);
    (void)madvise(p, pages, MADV_HUGEPAGE);
    (void)madvise(p, pages, MADV_POPULATE_WRITE);
    return p;
}

int fs_read_file(const char *path, size_t max, int flags, char **buf, size_t *len, mp_err *err)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
                            (flags & FS_READ_FOLLOW ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        if (errno == ENOENT && (flags & FS_READ_MISSING_OK))
            return 0;
        if (errno == ELOOP)
            return mp_fail(err, "is a symbolic link; not reading it");
        return mp_fail(err, "cannot open: %s", strerror(errno));
    }
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int e = errno;
        close(fd);
        return mp_fail(err, "cannot read: %s", strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return mp_fail(err, "is not a regular file");
    }
    if ((uintmax_t)sb.st_size > max) {
        close(fd);
        if (max >= (1u << 20))
            return mp_fail(err, "is larger than %zu MiB", max >> 20);
        return mp_fail(err, "is larger than %zu bytes", max);
    }
    size_t cap = (size_t)sb.st_size + 1, have = 0;
    char *data = read_buffer(cap);
    if (!data) {
        close(fd);
        return mp_fail(err, "out of memory");
    }
    for (;;) {
        ssize_t got = read(fd, data + have, cap - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(data);
            close(fd);
            return mp_fail(err, "cannot read: %s", strerror(e));
        }
        if (got == 0)
            break;
        have += (size_t)got;
        if (have == cap) { /* it grew while we read */
            free(data);
            close(fd);
            return mp_fail(err, "changed while being read; try again");
        }
    }
    close(fd);
    data[have] = '\0';
    *buf = data;
    *len = have;
    return 1;
}

int fs_mkdir_p(const char *dir, mp_err *err)
{
    char buf[4096];
    if (!*dir)
        return mp_fail(err, "no folder given");
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return mp_fail(err, "path too long: %s", dir);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return mp_fail(err, "cannot create folder %s: %s", buf, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    struct stat sb;
    if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
        return mp_fail(err, "%s is not a folder", dir);
    return 0;
}

/* fsutil.c - atomic whole-file writes. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    close(fd);
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
            return mp_fail(err, "cannot create %s: %s", tmp, strerror(errno));
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
            mp_fail(err, "cannot write %s: %s", tmp, strerror(errno));
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
        mp_fail(err, "cannot sync %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        mp_fail(err, "cannot close %s: %s", tmp, strerror(errno));
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
    fs_sync_dir_of(path);
    return 0;
}

int fs_write_new(const char *path, const void *data, size_t len, mode_t mode, mp_err *err)
{
    char tmp[4096];
    if (strlen(path) + 32 > sizeof tmp)
        return mp_fail(err, "path too long: %s", path);
    if (write_temp(path, data, len, mode, tmp, sizeof tmp, err) < 0)
        return -1;
    /* link() never replaces an existing name: the check and the creation are
     * one step. */
    if (link(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        if (e == EEXIST)
            return mp_fail(err, "%s already exists; not overwriting it", path);
        return mp_fail(err, "cannot create %s: %s", path, strerror(e));
    }
    unlink(tmp);
    fs_sync_dir_of(path);
    return 0;
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

/* vanish.c - a USB stick pulled in the middle of an export, for tests.
 *
 * Interposes fsync(): when the environment variable MINPING_TEST_VANISH_DIR
 * names a folder and a regular file on that folder's file system is synced,
 * the folder's mount is detached and the folder removed (as a desktop does
 * when a stick is pulled), and the sync fails with EIO, as it would on a
 * device that is gone.  Once only: the variable is then cleared.  Any other
 * fsync passes through.
 *
 * Built twice: linked into a test program (its fsync then replaces libc's
 * for the whole process) and as a shared library for LD_PRELOAD into
 * minping-kiosk. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int fsync(int fd)
{
    static int (*real_fsync)(int);
    if (!real_fsync)
        real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    const char *dir = getenv("MINPING_TEST_VANISH_DIR");
    struct stat f, d;
    if (dir && *dir && fstat(fd, &f) == 0 && S_ISREG(f.st_mode) && stat(dir, &d) == 0 &&
        f.st_dev == d.st_dev) {
        umount2(dir, MNT_DETACH);
        rmdir(dir);
        unsetenv("MINPING_TEST_VANISH_DIR");
        errno = EIO;
        return -1;
    }
    return real_fsync(fd);
}

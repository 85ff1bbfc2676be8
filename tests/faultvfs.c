/* faultvfs.c - a pass-through VFS whose writes and syncs can be made to
 * fail, and which can model losing the power (see faultvfs.h). */
#include "faultvfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the power-loss model ---- */

typedef struct pending_op {
    int truncate;          /* 1: truncate to off; 0: write data at off */
    sqlite3_int64 off;
    int len;
    unsigned char *data;
} pending_op;

typedef struct shadow {
    char *name;
    unsigned char *synced; /* content as of the last sync */
    size_t synced_len;
    pending_op *ops;       /* writes and truncates since */
    size_t n_ops, cap_ops;
    struct shadow *next;
} shadow;

static int tracking;
static shadow *shadows;
static long cut_countdown; /* 0: no cut armed */
static int power_off;

typedef struct fault_file {
    sqlite3_file base;
    shadow *sh;         /* NULL when not modelled */
    sqlite3_file *real; /* follows this struct in the same allocation */
} fault_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_io;
static int failure_rc;
static long failures;

void faultvfs_set_failure(int rc) { failure_rc = rc; }
long faultvfs_failures(void) { return failures; }

#define REAL(f) (((fault_file *)(f))->real)
#define SHADOW(f) (((fault_file *)(f))->sh)

void faultvfs_power_track(int on) { tracking = on; }
void faultvfs_power_cut_after(long n) { cut_countdown = n; }
int faultvfs_power_is_off(void) { return power_off; }

/* Counts one modelled operation; 1 when the power is (now) off. */
static int power_gone(void)
{
    if (power_off)
        return 1;
    if (cut_countdown > 0 && --cut_countdown == 0) {
        power_off = 1;
        return 1;
    }
    return 0;
}

static shadow *shadow_for(const char *name, sqlite3_file *real)
{
    for (shadow *s = shadows; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    shadow *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->name = strdup(name);
    sqlite3_int64 size = 0;
    if (real->pMethods->xFileSize(real, &size) != SQLITE_OK)
        size = 0;
    s->synced = malloc((size_t)size + 1);
    if (!s->name || !s->synced)
        abort();
    if (size > 0 && real->pMethods->xRead(real, s->synced, (int)size, 0) != SQLITE_OK)
        size = 0;
    s->synced_len = (size_t)size;
    s->next = shadows;
    shadows = s;
    return s;
}

static void shadow_add(shadow *s, int truncate, sqlite3_int64 off, const void *data, int len)
{
    if (s->n_ops == s->cap_ops) {
        s->cap_ops = s->cap_ops ? s->cap_ops * 2 : 16;
        s->ops = realloc(s->ops, s->cap_ops * sizeof *s->ops);
        if (!s->ops)
            abort();
    }
    pending_op *op = &s->ops[s->n_ops++];
    op->truncate = truncate;
    op->off = off;
    op->len = len;
    op->data = NULL;
    if (!truncate) {
        op->data = malloc((size_t)len);
        if (!op->data)
            abort();
        memcpy(op->data, data, (size_t)len);
    }
}

/* Applies op (or its first `keep` bytes) to a content buffer. */
static void apply_op(unsigned char **buf, size_t *len, const pending_op *op, int keep)
{
    if (op->truncate) {
        if ((size_t)op->off < *len)
            *len = (size_t)op->off;
        return;
    }
    size_t end = (size_t)op->off + (size_t)keep;
    if (end > *len) {
        *buf = realloc(*buf, end + 1);
        if (!*buf)
            abort();
        memset(*buf + *len, 0, end - *len);
        *len = end;
    }
    memcpy(*buf + op->off, op->data, (size_t)keep);
}

static void shadow_clear_ops(shadow *s)
{
    for (size_t i = 0; i < s->n_ops; i++)
        free(s->ops[i].data);
    s->n_ops = 0;
}

/* A successful sync: everything written so far is on the platter. */
static void shadow_sync(shadow *s)
{
    for (size_t i = 0; i < s->n_ops; i++)
        apply_op(&s->synced, &s->synced_len, &s->ops[i], s->ops[i].len);
    shadow_clear_ops(s);
}

long faultvfs_power_restore(unsigned seed)
{
    long pending = 0;
    int bad = 0;
    /* The disk's character this time: flushed everything just before the
     * cut, flushed nothing, or anything in between. */
    int character = (int)(rand_r(&seed) % 4);
    for (shadow *s = shadows; s;) {
        for (size_t i = 0; i < s->n_ops; i++) {
            pending_op *op = &s->ops[i];
            int fate = character == 0 ? 1 : character == 1 ? 0 : (int)(rand_r(&seed) % 3);
            if (op->truncate) {
                if (fate)
                    apply_op(&s->synced, &s->synced_len, op, 0);
            } else if (fate == 1) {
                apply_op(&s->synced, &s->synced_len, op, op->len);
            } else if (fate == 2) {
                int sectors = (op->len + 511) / 512;
                int keep = (int)(rand_r(&seed) % (unsigned)sectors) * 512;
                if (keep > 0)
                    apply_op(&s->synced, &s->synced_len, op, keep);
            }
            pending++;
        }
        int fd = open(s->name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            bad = 1;
        } else {
            size_t done = 0;
            while (done < s->synced_len) {
                ssize_t n = write(fd, s->synced + done, s->synced_len - done);
                if (n <= 0) {
                    bad = 1;
                    break;
                }
                done += (size_t)n;
            }
            close(fd);
        }
        shadow *next = s->next;
        shadow_clear_ops(s);
        free(s->ops);
        free(s->synced);
        free(s->name);
        free(s);
        s = next;
    }
    shadows = NULL;
    power_off = 0;
    cut_countdown = 0;
    return bad ? -1 : pending;
}

static int f_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    if (failure_rc) {
        failures++;
        return failure_rc;
    }
    if (SHADOW(f)) {
        if (power_gone())
            return SQLITE_IOERR_WRITE;
        shadow_add(SHADOW(f), 0, o, b, n);
    }
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (SHADOW(f)) {
        if (power_gone())
            return SQLITE_IOERR_TRUNCATE;
        shadow_add(SHADOW(f), 1, size, NULL, 0);
    }
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
    if (failure_rc) {
        failures++;
        return SQLITE_IOERR_FSYNC;
    }
    if (SHADOW(f)) {
        if (power_gone())
            return SQLITE_IOERR_FSYNC;
        shadow_sync(SHADOW(f));
        return SQLITE_OK; /* the model, not the disk, decides what lasts */
    }
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_check(sqlite3_file *f, int *o) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), o); }
static int f_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}
static int f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shmunmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int f_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), o, n, pp);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), o, p);
}

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
    (void)vfs;
    fault_file *p = (fault_file *)file;
    p->real = (sqlite3_file *)&p[1];
    memset(p->real, 0, (size_t)real_vfs->szOsFile);
    p->sh = NULL;
    int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out);
    p->base.pMethods = p->real->pMethods ? &fault_io : NULL;
    if (rc == SQLITE_OK && tracking && name && p->real->pMethods &&
        (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)))
        p->sh = shadow_for(name, p->real);
    return rc;
}

static int f_delete(sqlite3_vfs *v, const char *n, int sync)
{
    (void)v;
    if (tracking) {
        if (power_gone())
            return SQLITE_IOERR_DELETE;
        /* Deleting (a WAL after a full checkpoint) is taken as durable: the
         * file leaves the model. */
        for (shadow **pp = &shadows; *pp; pp = &(*pp)->next) {
            if (strcmp((*pp)->name, n) == 0) {
                shadow *s = *pp;
                *pp = s->next;
                shadow_clear_ops(s);
                free(s->ops);
                free(s->synced);
                free(s->name);
                free(s);
                break;
            }
        }
    }
    return real_vfs->xDelete(real_vfs, n, sync);
}
static int f_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, n, flags, out);
}
static int f_fullpath(sqlite3_vfs *v, const char *n, int len, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, n, len, out);
}
static void *f_dlopen(sqlite3_vfs *v, const char *n) { (void)v; return real_vfs->xDlOpen(real_vfs, n); }
static void f_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; real_vfs->xDlError(real_vfs, n, m); }
static void (*f_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
    (void)v;
    return real_vfs->xDlSym(real_vfs, h, s);
}
static void f_dlclose(sqlite3_vfs *v, void *h) { (void)v; real_vfs->xDlClose(real_vfs, h); }
static int f_random(sqlite3_vfs *v, int n, char *b) { (void)v; return real_vfs->xRandomness(real_vfs, n, b); }
static int f_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int f_time(sqlite3_vfs *v, double *t) { (void)v; return real_vfs->xCurrentTime(real_vfs, t); }
static int f_lasterr(sqlite3_vfs *v, int n, char *b)
{
    (void)v;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, b) : 0;
}
static int f_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, t);
}

int faultvfs_install(void)
{
    if (real_vfs)
        return 0;
    sqlite3_initialize();
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return -1;
    fault_io = (sqlite3_io_methods){3, f_close, f_read, f_write, f_truncate, f_sync, f_size,
                                    f_lock, f_unlock, f_check, f_fcntl, f_sector, f_devchar,
                                    f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, f_fetch,
                                    f_unfetch};
    fault_vfs = (sqlite3_vfs){2, (int)sizeof(fault_file) + real_vfs->szOsFile,
                              real_vfs->mxPathname, NULL, "minping-fault", NULL,
                              f_open, f_delete, f_access, f_fullpath, f_dlopen, f_dlerror,
                              f_dlsym, f_dlclose, f_random, f_sleep, f_time, f_lasterr,
                              f_time64, NULL, NULL, NULL};
    return sqlite3_vfs_register(&fault_vfs, 1) == SQLITE_OK ? 0 : -1;
}

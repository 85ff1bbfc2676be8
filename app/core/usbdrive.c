/* usbdrive.c - finding, mounting and ejecting the export stick through
 * udisks2 (sd-bus), or using one mounted by someone else (see usbdrive.h). */
#define _GNU_SOURCE /* syncfs */
#include "usbdrive.h"
#include "log.h"
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define UD_NAME "org.freedesktop.UDisks2"
#define UD_ROOT "/org/freedesktop/UDisks2"
#define UD_BLOCK UD_NAME ".Block"
#define UD_FS UD_NAME ".Filesystem"
#define UD_DRIVE UD_NAME ".Drive"

/* Objects read from one GetManagedObjects answer (more are ignored). */
enum { UD_MAX_OBJECTS = 128, UD_OBJ_MAX = 256 };
/* Mount, unmount and power-off may take a while on a slow stick. */
static const uint64_t UD_TIMEOUT_USEC = 60ULL * 1000 * 1000;

typedef struct ud_block {
    char object[UD_OBJ_MAX], drive[UD_OBJ_MAX], label[128], mount[4096];
    int has_fs, read_only, hint_ignore, hint_system;
    uint64_t size;
} ud_block;

typedef struct ud_drive {
    char object[UD_OBJ_MAX], bus[32];
    int removable, media_removable, can_power_off;
    uint64_t detected;  /* TimeDetected: a stick plugged again is new */
} ud_drive;

struct usbdrive {
    const char *const *roots;
    sd_bus *bus;
    /* The block object this handle mounted, "" none. */
    char mounted[UD_OBJ_MAX];
    /* Ejected, or refused (with why): not used again while listed with the
     * same TimeDetected (the same stick, not plugged again). */
    char ejected[UD_OBJ_MAX];
    char refused[UD_OBJ_MAX];
    uint64_t ejected_at, refused_at;
    char refused_why[sizeof(mp_err)];
    int said_fallback; /* the fallback was logged (once per switch) */
};

usbdrive *usbdrive_create(const char *const roots[])
{
    usbdrive *u = calloc(1, sizeof *u);
    if (u)
        u->roots = roots;
    return u;
}

void usbdrive_destroy(usbdrive *u)
{
    if (!u)
        return;
    sd_bus_flush_close_unref(u->bus);
    free(u);
}

/* src (NULL: "") into dst of n bytes, cut to fit. */
static void copy(char *dst, size_t n, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

/* --- reading the ObjectManager's answer -------------------------------- */

/* Reads a variant holding one basic value of type t ('s', 'o', 'b', 't')
 * into the matching out pointer. */
static int read_variant(sd_bus_message *m, char t, void *out)
{
    char sig[2] = {t, '\0'};
    int r = sd_bus_message_enter_container(m, 'v', sig);
    if (r <= 0)
        return r < 0 ? r : -EBADMSG;
    r = sd_bus_message_read_basic(m, t, out);
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

static int read_string(sd_bus_message *m, char t, char *dst, size_t n)
{
    const char *s = NULL;
    int r = read_variant(m, t, &s);
    if (r >= 0)
        copy(dst, n, s);
    return r;
}

static int read_bool(sd_bus_message *m, int *dst)
{
    int b = 0;
    int r = read_variant(m, 'b', &b);
    if (r >= 0)
        *dst = !!b;
    return r;
}

/* MountPoints (aay, each NUL-terminated): the first into dst. */
static int read_mount_points(sd_bus_message *m, char *dst, size_t n)
{
    int r = sd_bus_message_enter_container(m, 'v', "aay");
    if (r <= 0)
        return r < 0 ? r : -EBADMSG;
    if ((r = sd_bus_message_enter_container(m, 'a', "ay")) <= 0)
        return r < 0 ? r : -EBADMSG;
    dst[0] = '\0';
    for (;;) {
        const void *p;
        size_t len;
        r = sd_bus_message_read_array(m, 'y', &p, &len);
        if (r < 0)
            return r;
        if (r == 0)
            break;
        if (!dst[0] && len > 0 && len < n) {
            memcpy(dst, p, len);
            dst[len] = '\0'; /* the last byte is the NUL already */
        }
    }
    if ((r = sd_bus_message_exit_container(m)) < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

/* One interface's a{sv} of object `obj`. */
static int read_props(sd_bus_message *m, const char *iface, ud_block *b, ud_drive *d)
{
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r <= 0)
        return r < 0 ? r : -EBADMSG;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *name;
        if ((r = sd_bus_message_read_basic(m, 's', &name)) < 0)
            return r;
        int is_block = strcmp(iface, UD_BLOCK) == 0, is_drive = strcmp(iface, UD_DRIVE) == 0;
        if (is_block && strcmp(name, "Drive") == 0)
            r = read_string(m, 'o', b->drive, sizeof b->drive);
        else if (is_block && strcmp(name, "IdLabel") == 0)
            r = read_string(m, 's', b->label, sizeof b->label);
        else if (is_block && strcmp(name, "ReadOnly") == 0)
            r = read_bool(m, &b->read_only);
        else if (is_block && strcmp(name, "HintIgnore") == 0)
            r = read_bool(m, &b->hint_ignore);
        else if (is_block && strcmp(name, "HintSystem") == 0)
            r = read_bool(m, &b->hint_system);
        else if (is_block && strcmp(name, "Size") == 0)
            r = read_variant(m, 't', &b->size);
        else if (strcmp(iface, UD_FS) == 0 && strcmp(name, "MountPoints") == 0)
            r = read_mount_points(m, b->mount, sizeof b->mount);
        else if (is_drive && strcmp(name, "ConnectionBus") == 0)
            r = read_string(m, 's', d->bus, sizeof d->bus);
        else if (is_drive && strcmp(name, "Removable") == 0)
            r = read_bool(m, &d->removable);
        else if (is_drive && strcmp(name, "MediaRemovable") == 0)
            r = read_bool(m, &d->media_removable);
        else if (is_drive && strcmp(name, "CanPowerOff") == 0)
            r = read_bool(m, &d->can_power_off);
        else if (is_drive && strcmp(name, "TimeDetected") == 0)
            r = read_variant(m, 't', &d->detected);
        else
            r = sd_bus_message_skip(m, "v");
        if (r < 0)
            return r;
        if ((r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

/* Reads GetManagedObjects' a{oa{sa{sv}}} into blocks (those with a Block
 * interface) and drives. */
static int read_objects(sd_bus_message *m, ud_block *blocks, int *nb, ud_drive *drives, int *nd)
{
    *nb = *nd = 0;
    int r = sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}");
    if (r <= 0)
        return r < 0 ? r : -EBADMSG;
    while ((r = sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}")) > 0) {
        const char *obj;
        if ((r = sd_bus_message_read_basic(m, 'o', &obj)) < 0)
            return r;
        ud_block b = {0};
        ud_drive d = {0};
        int is_block = 0, is_drive = 0;
        copy(b.object, sizeof b.object, obj);
        copy(d.object, sizeof d.object, obj);
        if ((r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}")) <= 0)
            return r < 0 ? r : -EBADMSG;
        while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
            const char *iface;
            if ((r = sd_bus_message_read_basic(m, 's', &iface)) < 0)
                return r;
            is_block |= strcmp(iface, UD_BLOCK) == 0;
            b.has_fs |= strcmp(iface, UD_FS) == 0;
            is_drive |= strcmp(iface, UD_DRIVE) == 0;
            if ((r = read_props(m, iface, &b, &d)) < 0)
                return r;
            if ((r = sd_bus_message_exit_container(m)) < 0)
                return r;
        }
        if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
            (r = sd_bus_message_exit_container(m)) < 0)
            return r;
        if (is_block && *nb < UD_MAX_OBJECTS)
            blocks[(*nb)++] = b;
        if (is_drive && *nd < UD_MAX_OBJECTS)
            drives[(*nd)++] = d;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

/* --- udisks2 ----------------------------------------------------------- */

static int bus_open(usbdrive *u)
{
    if (u->bus)
        return 0;
    int r = sd_bus_open_system(&u->bus);
    if (r < 0) {
        u->bus = NULL;
        return r;
    }
    sd_bus_set_method_call_timeout(u->bus, UD_TIMEOUT_USEC);
    return 0;
}

/* The message of a failed call, for err and the log. */
static const char *why(const sd_bus_error *e, int r)
{
    return sd_bus_error_is_set(e) && e->message ? e->message : strerror(-r);
}

/* Calls iface.method(a{sv} {"auth.no_user_interaction": true, + "options":
 * options when not NULL}) on obj; *reply (may be NULL) gets the answer. */
static int ud_call(usbdrive *u, const char *obj, const char *iface, const char *method,
                   const char *options, sd_bus_message **reply, sd_bus_error *e)
{
    sd_bus_message *m = NULL;
    int r = sd_bus_message_new_method_call(u->bus, &m, UD_NAME, obj, iface, method);
    if (r >= 0)
        r = sd_bus_message_open_container(m, 'a', "{sv}");
    if (r >= 0)
        r = sd_bus_message_append(m, "{sv}", "auth.no_user_interaction", "b", 1);
    if (r >= 0 && options)
        r = sd_bus_message_append(m, "{sv}", "options", "s", options);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd_bus_call(u->bus, m, UD_TIMEOUT_USEC, e, reply);
    sd_bus_message_unref(m);
    return r;
}

static const ud_drive *drive_of(const ud_block *b, const ud_drive *drives, int nd)
{
    for (int i = 0; i < nd; i++)
        if (strcmp(drives[i].object, b->drive) == 0)
            return &drives[i];
    return NULL;
}

/* Is obj listed, on a drive detected at `at` (any time when at_any)? */
static int listed(const char *obj, uint64_t at, int at_any, const ud_block *blocks, int nb,
                  const ud_drive *drives, int nd)
{
    for (int i = 0; obj[0] && i < nb; i++) {
        if (strcmp(blocks[i].object, obj) != 0)
            continue;
        const ud_drive *d = drive_of(&blocks[i], drives, nd);
        return at_any || (d && d->detected == at);
    }
    return 0;
}

/* The figures of a mounted stick: space, device, read-only. */
static void fill_mounted(usbdrive_stick *s)
{
    struct statvfs v;
    struct stat st;
    s->free_bytes = s->size_bytes = -1;
    if (statvfs(s->path, &v) == 0) {
        s->free_bytes = (int64_t)v.f_bavail * (int64_t)v.f_frsize;
        s->size_bytes = (int64_t)v.f_blocks * (int64_t)v.f_frsize;
        if (v.f_flag & ST_RDONLY)
            s->read_only = 1;
    }
    if (stat(s->path, &st) == 0)
        s->dev = (uint64_t)st.st_dev;
}

/* Returns 1/0/-1 as usbdrive_find; -2 when udisks2 does not answer at all
 * (the caller falls back). */
static int ud_find(usbdrive *u, usbdrive_stick *out, mp_err *err)
{
    if (bus_open(u) < 0)
        return -2;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int r = sd_bus_call_method(u->bus, UD_NAME, UD_ROOT, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &e, &reply, "");
    if (r < 0) {
        if (!u->said_fallback)
            log_info("usb: udisks2 does not answer (%s); using sticks mounted under /media",
                     why(&e, r));
        u->said_fallback = 1;
        sd_bus_error_free(&e);
        /* A broken connection is opened anew next time. */
        sd_bus_flush_close_unref(u->bus);
        u->bus = NULL;
        return -2;
    }
    if (u->said_fallback)
        log_info("usb: udisks2 answers");
    u->said_fallback = 0;
    ud_block *blocks = calloc(UD_MAX_OBJECTS, sizeof *blocks);
    ud_drive *drives = calloc(UD_MAX_OBJECTS, sizeof *drives);
    int nb = 0, nd = 0, rc = 0;
    if (!blocks || !drives) {
        rc = mp_fail(err, "out of memory");
        goto done;
    }
    if ((r = read_objects(reply, blocks, &nb, drives, &nd)) < 0) {
        log_error("usb: udisks2's object list cannot be read: %s", strerror(-r));
        rc = -2;
        goto done;
    }
    /* Forget ejected or refused sticks that have gone. */
    if (!listed(u->ejected, u->ejected_at, 0, blocks, nb, drives, nd))
        u->ejected[0] = '\0';
    if (!listed(u->refused, u->refused_at, 0, blocks, nb, drives, nd))
        u->refused[0] = '\0';
    if (!listed(u->mounted, 0, 1, blocks, nb, drives, nd))
        u->mounted[0] = '\0';
    const ud_block *best = NULL;
    const ud_drive *best_d = NULL;
    for (int i = 0; i < nb; i++) {
        const ud_block *b = &blocks[i];
        const ud_drive *d = drive_of(b, drives, nd);
        if (!b->has_fs || b->hint_ignore || b->hint_system || !d)
            continue;
        if (strcmp(d->bus, "usb") != 0 && !d->removable && !d->media_removable)
            continue;
        if (strcmp(b->object, u->ejected) == 0)
            continue;
        if (!best || strcmp(b->object, best->object) < 0) {
            best = b;
            best_d = d;
        }
    }
    if (!best)
        goto done; /* rc 0: none */
    if (strcmp(best->object, u->refused) == 0) {
        rc = mp_fail(err, "%s", u->refused_why);
        goto done;
    }
    memset(out, 0, sizeof *out);
    copy(out->object, sizeof out->object, best->object);
    copy(out->drive, sizeof out->drive, best->drive);
    copy(out->label, sizeof out->label, best->label);
    out->read_only = best->read_only;
    out->can_power_off = best_d->can_power_off;
    out->detected = best_d->detected;
    if (best->mount[0]) {
        copy(out->path, sizeof out->path, best->mount);
    } else {
        sd_bus_message *mr = NULL;
        r = ud_call(u, best->object, UD_FS, "Mount", "noexec,nosuid,nodev", &mr, &e);
        const char *path = NULL;
        if (r >= 0 && (r = sd_bus_message_read(mr, "s", &path)) < 0)
            sd_bus_error_set_errno(&e, r);
        if (r < 0) {
            mp_err why_err;
            mp_fail(&why_err, "the USB stick %s (%s) cannot be mounted: %s", best->object,
                    best->label[0] ? best->label : "no label", why(&e, r));
            copy(u->refused, sizeof u->refused, best->object);
            u->refused_at = best_d->detected;
            copy(u->refused_why, sizeof u->refused_why, why_err.msg);
            log_error("usb: %s", why_err.msg);
            sd_bus_message_unref(mr);
            rc = mp_fail(err, "%s", u->refused_why);
            goto done;
        }
        copy(out->path, sizeof out->path, path);
        sd_bus_message_unref(mr);
        copy(u->mounted, sizeof u->mounted, best->object);
        log_info("usb: mounted %s (%s) at %s", best->object, best->label, out->path);
    }
    out->mounted_here = strcmp(u->mounted, best->object) == 0;
    fill_mounted(out);
    rc = 1;
done:
    sd_bus_error_free(&e);
    sd_bus_message_unref(reply);
    free(blocks);
    free(drives);
    return rc;
}

/* --- the interface ----------------------------------------------------- */

int usbdrive_find(usbdrive *u, usbdrive_stick *out, mp_err *err)
{
    int rc = ud_find(u, out, err);
    if (rc != -2)
        return rc;
    /* udisks2 does not answer: a stick someone else mounted. */
    memset(out, 0, sizeof *out);
    mp_err none;
    if (media_find(u->roots, out->path, sizeof out->path, &none) < 0)
        return 0;
    const char *slash = strrchr(out->path, '/');
    copy(out->label, sizeof out->label, slash ? slash + 1 : out->path);
    fill_mounted(out);
    return 1;
}

int usbdrive_present(const usbdrive_stick *s)
{
    struct stat st;
    return stat(s->path, &st) == 0 && S_ISDIR(st.st_mode) && (uint64_t)st.st_dev == s->dev;
}

/* Syncs the file system of s (when it is still there). */
static void sync_stick(const usbdrive_stick *s)
{
    if (!usbdrive_present(s))
        return;
    int fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (syncfs(fd) != 0)
        log_warn("usb: syncing %s: %s", s->path, strerror(errno));
    close(fd);
}

static int ud_unmount(usbdrive *u, const usbdrive_stick *s, mp_err *err)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = ud_call(u, s->object, UD_FS, "Unmount", NULL, NULL, &e);
    int rc = 0;
    if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.UDisks2.Error.NotMounted"))
        rc = mp_fail(err, "the USB stick at %s cannot be unmounted: %s", s->path, why(&e, r));
    if (strcmp(u->mounted, s->object) == 0)
        u->mounted[0] = '\0';
    sd_bus_error_free(&e);
    return rc;
}

int usbdrive_eject(usbdrive *u, const usbdrive_stick *s, mp_err *err)
{
    if (!s->object[0]) {
        sync_stick(s);
        return mp_fail(err, "the USB stick at %s was mounted by another program and udisks2 "
                            "does not answer: it cannot be ejected from the kiosk", s->path);
    }
    if (bus_open(u) < 0)
        return mp_fail(err, "the system bus cannot be reached: the USB stick cannot be ejected");
    sync_stick(s);
    if (ud_unmount(u, s, err) < 0)
        return -1;
    if (!s->drive[0] || !s->can_power_off) {
        log_info("usb: %s is unmounted; its drive cannot be powered off", s->path);
        copy(u->ejected, sizeof u->ejected, s->object);
        u->ejected_at = s->detected;
        return 0;
    }
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = ud_call(u, s->drive, UD_DRIVE, "PowerOff", NULL, NULL, &e);
    if (r < 0) {
        mp_fail(err, "the USB stick is unmounted but cannot be powered off: %s", why(&e, r));
        sd_bus_error_free(&e);
        return -1;
    }
    log_info("usb: %s unmounted and powered off", s->path);
    /* Not offered again until it has gone (a powered-off drive goes). */
    copy(u->ejected, sizeof u->ejected, s->object);
    u->ejected_at = s->detected;
    return 0;
}

int usbdrive_release(usbdrive *u, const usbdrive_stick *s, mp_err *err)
{
    if (!s->mounted_here || !s->object[0] || strcmp(u->mounted, s->object) != 0)
        return 0;
    if (bus_open(u) < 0)
        return mp_fail(err, "the system bus cannot be reached: the USB stick stays mounted");
    sync_stick(s);
    if (ud_unmount(u, s, err) < 0)
        return -1;
    log_info("usb: unmounted %s (not exported to)", s->path);
    return 0;
}

/* usbdrive.h - the USB stick of a staff export, with nobody logged in:
 * found, mounted for the kiosk, and after the export unmounted and powered
 * off, so that staff may pull it.
 *
 * Two backends, chosen on every usbdrive_find:
 *   - udisks2 on the system D-Bus (org.freedesktop.UDisks2; the address is
 *     DBUS_SYSTEM_BUS_ADDRESS when set): its ObjectManager lists the block
 *     devices; the first (by object path) that carries a file system, is on
 *     a USB or removable drive and is not a system or ignored device is the
 *     stick.  It is used where it is mounted, or mounted now
 *     (Filesystem.Mount, options noexec,nosuid,nodev).  usbdrive_eject
 *     unmounts it (Filesystem.Unmount) and powers its drive off
 *     (Drive.PowerOff).  Every call asks for no interaction: a polkit rule
 *     (packaging/) lets the kiosk's user do these three things.
 *   - "mounted", when udisks2 does not answer: a stick another program
 *     mounted (media_find over the roots given).  It can be synced but not
 *     ejected: usbdrive_eject says so.
 *
 * The handle holds a D-Bus connection: one thread at a time (the kiosk's
 * USB worker, app/kiosk/usbjob.h).  Every call may block for a while
 * (D-Bus round trips, a mount, a power-off). */
#ifndef MINPING_USBDRIVE_H
#define MINPING_USBDRIVE_H

#include "err.h"

#include <stdint.h>

typedef struct usbdrive usbdrive;

typedef struct usbdrive_stick {
    char path[4096];        /* where it is mounted */
    char label[128];        /* the file system's label, "" when it has none */
    char object[256];       /* its udisks2 block object; "" for a "mounted" stick */
    char drive[256];        /* its udisks2 drive object, "" when unknown */
    int64_t free_bytes;     /* space a file may take, -1 unknown */
    int64_t size_bytes;     /* the file system's size, -1 unknown */
    int read_only;          /* mounted read-only (or the device is) */
    int mounted_here;       /* this handle mounted it (and unmounts it) */
    int can_power_off;      /* udisks2 says the drive can be powered off */
    uint64_t detected;      /* when udisks2 saw the drive come (TimeDetected) */
    uint64_t dev;           /* st_dev of path when it was found */
} usbdrive_stick;

/* A handle that looks under roots (NULL-terminated; e.g. MEDIA_ROOTS, kept
 * by the caller) when udisks2 does not answer.  NULL when out of memory.
 * Connects to the bus only when first used. */
usbdrive *usbdrive_create(const char *const roots[]);
/* Closes the connection.  Unmounts nothing (see usbdrive_release). */
void usbdrive_destroy(usbdrive *u);

/* Looks for a stick.  Returns 1 with *out filled (mounting it first when
 * it is not mounted yet), 0 when there is none (or only sticks ejected by
 * usbdrive_eject that have not gone away yet), -1 when there is one but it
 * cannot be used: udisks2 refused to mount it (err says why; it is not
 * tried again until it has gone and come back). */
int usbdrive_find(usbdrive *u, usbdrive_stick *out, mp_err *err);

/* 1 when s is still mounted where it was found (its folder on the same
 * device), 0 when it is gone (pulled). */
int usbdrive_present(const usbdrive_stick *s);

/* Makes s safe to pull: its file system is synced, unmounted and its drive
 * powered off (a drive udisks2 says cannot be powered off is done once
 * unmounted).  0 only when all of that is done; -1 otherwise, with the
 * reason in err (a stick already gone, udisks2 refusing, or a "mounted"
 * stick, which cannot be ejected from here).  An ejected stick is not
 * found again until it has gone away. */
int usbdrive_eject(usbdrive *u, const usbdrive_stick *s, mp_err *err);

/* Unmounts s when this handle mounted it (s->mounted_here), without
 * powering it off: the stick is left as it was found.  0 when there was
 * nothing to do or it is unmounted. */
int usbdrive_release(usbdrive *u, const usbdrive_stick *s, mp_err *err);

#endif

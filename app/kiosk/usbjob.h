/* usbjob.h - the USB stick of the admin screen, watched on a worker thread,
 * so that no D-Bus call or mount ever blocks the screen.
 *
 * While watching is on (the admin screen shows), the worker looks for a
 * stick about once a second (usbdrive_find: udisks2 mounts it for the
 * kiosk) and publishes what it found.  The export itself is written by the
 * caller, on its own thread, into the published stick's folder; then
 * usb_worker_eject has the worker unmount the stick and power it off, and
 * the outcome is published with the count of ejects done.  Watching off:
 * a stick the worker mounted and nobody exported to is unmounted again. */
#ifndef MINPING_USBJOB_H
#define MINPING_USBJOB_H

#include "usbdrive.h"

typedef enum usb_state {
    USB_LOOKING,   /* not looked yet */
    USB_NONE,      /* no stick */
    USB_READY,     /* stick: mounted, ready for an export */
    USB_REFUSED,   /* a stick, but it cannot be mounted (why) */
    USB_EJECTING,  /* unmounting and powering off stick */
} usb_state;

typedef struct usb_status {
    unsigned serial;          /* changes whenever anything below changes */
    usb_state state;
    usbdrive_stick stick;     /* USB_READY, USB_EJECTING */
    char why[sizeof(mp_err)]; /* USB_REFUSED: the reason (English) */
    /* The ejects asked for that are done, and the last one's outcome. */
    unsigned ejects_done;
    int eject_rc;             /* 0: unmounted and powered off, -1: not */
    char eject_why[sizeof(mp_err)];
} usb_status;

typedef struct usb_worker usb_worker;

/* Starts the worker thread (looking under roots when udisks2 does not
 * answer); NULL when it cannot be started. */
usb_worker *usb_worker_create(const char *const roots[]);
/* Stops the worker (after what it is doing), unmounting a stick it mounted
 * and did not eject. */
void usb_worker_destroy(usb_worker *w);

/* Watching on or off. */
void usb_worker_watch(usb_worker *w, int on);
/* A copy of what the worker last published. */
void usb_worker_status(usb_worker *w, usb_status *out);
/* Asks to eject the stick published as ready.  Returns the number of
 * ejects_done that says it is done (ejects_done + 1), or 0 when there is
 * no ready stick. */
unsigned usb_worker_eject(usb_worker *w);

#endif

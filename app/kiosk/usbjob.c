/* usbjob.c - the USB worker thread (see usbjob.h). */
#include "usbjob.h"
#include "log.h"
#include "worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How often the worker looks for a stick while watching. */
enum { USB_LOOK_MS = 1000 };

struct usb_worker {
    worker_thread t;
    int watch;
    unsigned eject_asked;   /* ejects asked for (eject_asked > st.ejects_done: one waits) */
    usb_status st;          /* published */
    usbdrive *drive;        /* the worker's alone */
};

static void publish(usb_worker *w, const usb_status *next)
{
    /* Called with t.mu held. */
    usb_status n = *next;
    n.serial = w->st.serial;
    if (memcmp(&n, &w->st, sizeof n) != 0) {
        n.serial++;
        w->st = n;
    }
}

static void wait_a_while(usb_worker *w)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += (long)USB_LOOK_MS * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&w->t.cv, &w->t.mu, &t);
}

static void *worker(void *arg)
{
    usb_worker *w = arg;
    pthread_mutex_lock(&w->t.mu);
    for (;;) {
        usb_status next = w->st;
        if (w->eject_asked > w->st.ejects_done) {
            usbdrive_stick s = w->st.stick;
            next.state = USB_EJECTING;
            publish(w, &next);
            pthread_mutex_unlock(&w->t.mu);
            mp_err err = {{0}};
            int rc = usbdrive_eject(w->drive, &s, &err);
            if (rc < 0)
                log_error("usb: eject: %s", err.msg);
            pthread_mutex_lock(&w->t.mu);
            next = w->st;
            next.ejects_done++;
            next.eject_rc = rc;
            memcpy(next.eject_why, err.msg, sizeof next.eject_why);
            next.state = USB_LOOKING;
            memset(&next.stick, 0, sizeof next.stick);
            publish(w, &next);
            continue; /* look again at once */
        }
        if (w->t.quit)
            break;
        if (w->watch) {
            pthread_mutex_unlock(&w->t.mu);
            usbdrive_stick s;
            mp_err err = {{0}};
            int rc = usbdrive_find(w->drive, &s, &err);
            pthread_mutex_lock(&w->t.mu);
            next = w->st;
            if (w->eject_asked > next.ejects_done)
                continue; /* asked meanwhile, for the stick published before */
            memset(next.why, 0, sizeof next.why);
            memset(&next.stick, 0, sizeof next.stick);
            if (rc == 1) {
                next.state = USB_READY;
                next.stick = s;
            } else if (rc == 0) {
                next.state = USB_NONE;
            } else {
                next.state = USB_REFUSED;
                memcpy(next.why, err.msg, sizeof next.why);
            }
            publish(w, &next);
        } else if (w->st.state == USB_READY && w->st.stick.mounted_here) {
            usbdrive_stick s = w->st.stick;
            pthread_mutex_unlock(&w->t.mu);
            mp_err err;
            if (usbdrive_release(w->drive, &s, &err) < 0)
                log_error("usb: %s", err.msg);
            pthread_mutex_lock(&w->t.mu);
            next = w->st;
            next.state = USB_LOOKING;
            memset(&next.stick, 0, sizeof next.stick);
            publish(w, &next);
        }
        if (w->t.quit || w->eject_asked > w->st.ejects_done)
            continue;
        wait_a_while(w);
    }
    /* Leaving: a stick mounted here and not exported to is unmounted. */
    if (w->st.state == USB_READY && w->st.stick.mounted_here) {
        usbdrive_stick s = w->st.stick;
        mp_err err;
        if (usbdrive_release(w->drive, &s, &err) < 0)
            log_error("usb: %s", err.msg);
    }
    pthread_mutex_unlock(&w->t.mu);
    return NULL;
}

usb_worker *usb_worker_create(const char *const roots[])
{
    usb_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->drive = usbdrive_create(roots);
    if (!w->drive || worker_thread_start(&w->t, worker, w) < 0) {
        log_error("usb: the USB worker thread cannot be started");
        usbdrive_destroy(w->drive);
        free(w);
        return NULL;
    }
    return w;
}

void usb_worker_destroy(usb_worker *w)
{
    if (!w)
        return;
    worker_thread_stop(&w->t);
    usbdrive_destroy(w->drive);
    free(w);
}

void usb_worker_watch(usb_worker *w, int on)
{
    pthread_mutex_lock(&w->t.mu);
    w->watch = !!on;
    pthread_cond_broadcast(&w->t.cv);
    pthread_mutex_unlock(&w->t.mu);
}

void usb_worker_status(usb_worker *w, usb_status *out)
{
    pthread_mutex_lock(&w->t.mu);
    *out = w->st;
    pthread_mutex_unlock(&w->t.mu);
}

unsigned usb_worker_eject(usb_worker *w)
{
    unsigned ticket = 0;
    pthread_mutex_lock(&w->t.mu);
    if (w->st.state == USB_READY && w->eject_asked == w->st.ejects_done) {
        w->eject_asked = w->st.ejects_done + 1;
        ticket = w->eject_asked;
        pthread_cond_broadcast(&w->t.cv);
    }
    pthread_mutex_unlock(&w->t.mu);
    return ticket;
}

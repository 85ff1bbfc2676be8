/* usbjob.c - the USB worker thread (see usbjob.h). */
#include "usbjob.h"
#include "log.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How often the worker looks for a stick while watching. */
enum { USB_LOOK_MS = 1000 };

struct usb_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int watch, quit;
    unsigned eject_asked;   /* ejects asked for (eject_asked > st.ejects_done: one waits) */
    usb_status st;          /* published */
    usbdrive *drive;        /* the worker's alone */
};

static void publish(usb_worker *w, const usb_status *next)
{
    /* Called with mu held. */
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
    pthread_cond_timedwait(&w->cv, &w->mu, &t);
}

static void *worker(void *arg)
{
    usb_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        usb_status next = w->st;
        if (w->eject_asked > w->st.ejects_done) {
            usbdrive_stick s = w->st.stick;
            next.state = USB_EJECTING;
            publish(w, &next);
            pthread_mutex_unlock(&w->mu);
            mp_err err = {{0}};
            int rc = usbdrive_eject(w->drive, &s, &err);
            if (rc < 0)
                log_error("usb: eject: %s", err.msg);
            pthread_mutex_lock(&w->mu);
            next = w->st;
            next.ejects_done++;
            next.eject_rc = rc;
            memcpy(next.eject_why, err.msg, sizeof next.eject_why);
            next.state = USB_LOOKING;
            memset(&next.stick, 0, sizeof next.stick);
            publish(w, &next);
            continue; /* look again at once */
        }
        if (w->quit)
            break;
        if (w->watch) {
            pthread_mutex_unlock(&w->mu);
            usbdrive_stick s;
            mp_err err = {{0}};
            int rc = usbdrive_find(w->drive, &s, &err);
            pthread_mutex_lock(&w->mu);
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
            pthread_mutex_unlock(&w->mu);
            mp_err err;
            if (usbdrive_release(w->drive, &s, &err) < 0)
                log_error("usb: %s", err.msg);
            pthread_mutex_lock(&w->mu);
            next = w->st;
            next.state = USB_LOOKING;
            memset(&next.stick, 0, sizeof next.stick);
            publish(w, &next);
        }
        if (w->quit || w->eject_asked > w->st.ejects_done)
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
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

usb_worker *usb_worker_create(const char *const roots[])
{
    usb_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->drive = usbdrive_create(roots);
    pthread_condattr_t ca;
    int ok = w->drive && pthread_condattr_init(&ca) == 0;
    if (ok) {
        ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&w->cv, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    if (ok && pthread_mutex_init(&w->mu, NULL) != 0) {
        pthread_cond_destroy(&w->cv);
        ok = 0;
    }
    if (ok) {
        /* Signals (SIGTERM) are for the main thread's loop. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        ok = pthread_create(&w->thread, NULL, worker, w) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!ok) {
            pthread_cond_destroy(&w->cv);
            pthread_mutex_destroy(&w->mu);
        }
    }
    if (!ok) {
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
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    usbdrive_destroy(w->drive);
    free(w);
}

void usb_worker_watch(usb_worker *w, int on)
{
    pthread_mutex_lock(&w->mu);
    w->watch = !!on;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void usb_worker_status(usb_worker *w, usb_status *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->st;
    pthread_mutex_unlock(&w->mu);
}

unsigned usb_worker_eject(usb_worker *w)
{
    unsigned ticket = 0;
    pthread_mutex_lock(&w->mu);
    if (w->st.state == USB_READY && w->eject_asked == w->st.ejects_done) {
        w->eject_asked = w->st.ejects_done + 1;
        ticket = w->eject_asked;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return ticket;
}

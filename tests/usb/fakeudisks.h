/* fakeudisks.h - a small stand-in for udisks2, for the USB export tests.
 *
 * fake_udisks_start runs a private dbus-daemon (its socket in the test's
 * folder; DBUS_SYSTEM_BUS_ADDRESS then names it, so the kiosk's "system
 * bus" is this one) and, on a thread of the test, a service that owns
 * org.freedesktop.UDisks2 and answers as udisks2 does for one USB stick:
 * the ObjectManager lists a Block + Filesystem object and its Drive;
 * Filesystem.Mount really mounts a tmpfs (in the test's mount namespace)
 * under <folder>/media/<label>, Unmount unmounts it, Drive.PowerOff makes
 * the stick go away (as the kernel does).  Before unmounting it copies the
 * stick's files into <folder>/seen/<n>/ so that the test can read what was
 * written.  Faults: a refused mount, a refused power-off, a power-off that
 * waits until the test releases it, a stick pulled (unmounted at once). */
#ifndef MINPING_FAKEUDISKS_H
#define MINPING_FAKEUDISKS_H

typedef struct fake_stick {
    const char *label;
    const char *tmpfs_opts;   /* e.g. "size=4m" */
    int read_only;            /* Block.ReadOnly, mounted read-only */
    int refuse_mount;         /* Mount fails: not authorized */
    int refuse_power_off;     /* PowerOff fails */
    int hold_power_off;       /* PowerOff answers only after fake_udisks_release */
} fake_stick;

typedef struct fake_counts {
    int mounts, unmounts, power_offs;
    int power_off_waiting;    /* a held PowerOff is waiting */
    int without_auth_flag;    /* calls that did not ask auth.no_user_interaction */
    int snapshots;            /* copies made into <folder>/seen/ */
    char mount_options[200];  /* "options" of the last Mount */
} fake_counts;

/* Starts the bus and the service; the test aborts when they cannot start. */
void fake_udisks_start(const char *folder);
/* Stops both (a stick still mounted is detached). */
void fake_udisks_stop(void);

void fake_udisks_plug(const fake_stick *s);
/* The stick is pulled: its mount detached and its objects gone. */
void fake_udisks_pull(void);
/* A held PowerOff is answered (and the stick goes). */
void fake_udisks_release(void);
/* Where the stick is mounted now ("" when it is not). */
void fake_udisks_mount_path(char *buf, int len);
void fake_udisks_counts(fake_counts *out);

#endif

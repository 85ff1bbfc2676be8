/* fakeudisks.c - the udisks2 stand-in of the USB export tests (see
 * fakeudisks.h).  All sd-bus work happens on the service's thread; the
 * test's requests (plug, pull, release) are handed to it under a mutex. */
#define _GNU_SOURCE
#include "fakeudisks.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define ROOT "/org/freedesktop/UDisks2"
#define BLOCK_PATH ROOT "/block_devices/sdz1"
#define DRIVE_PATH ROOT "/drives/Fake_USB_Stick"

enum { CMD_NONE, CMD_PLUG, CMD_PULL, CMD_RELEASE, CMD_QUIT };

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int cmd;                    /* handed over, CMD_NONE when taken and done */
    fake_stick next;            /* CMD_PLUG's stick */
    char label[64], opts[64];
    char folder[400], media[450], mount[600];
    pid_t daemon;
    /* Service state (the thread's; read by the test under mu). */
    sd_bus *bus;
    sd_bus_slot *slots[3];
    fake_stick st;
    int present, mounted, go_away;
    int plugs;                  /* sticks plugged so far (TimeDetected) */
    sd_bus_message *held;       /* a PowerOff waiting for CMD_RELEASE */
    fake_counts n;
} F;

/* --- properties -------------------------------------------------------- */

static int get_str(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *r,
                   void *u, sd_bus_error *e)
{
    (void)b, (void)p, (void)i, (void)u, (void)e;
    if (strcmp(prop, "Drive") == 0)
        return sd_bus_message_append(r, "o", DRIVE_PATH);
    if (strcmp(prop, "IdLabel") == 0)
        return sd_bus_message_append(r, "s", F.label);
    if (strcmp(prop, "ConnectionBus") == 0)
        return sd_bus_message_append(r, "s", "usb");
    return sd_bus_message_append(r, "s", "");
}

static int get_bool(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *r,
                    void *u, sd_bus_error *e)
{
    (void)b, (void)p, (void)i, (void)u, (void)e;
    int v = 0;
    if (strcmp(prop, "ReadOnly") == 0)
        v = F.st.read_only;
    else if (strcmp(prop, "Removable") == 0 || strcmp(prop, "MediaRemovable") == 0 ||
             strcmp(prop, "CanPowerOff") == 0)
        v = 1;
    return sd_bus_message_append(r, "b", v);
}

static int get_detected(sd_bus *b, const char *p, const char *i, const char *prop,
                        sd_bus_message *r, void *u, sd_bus_error *e)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(r, "t", (uint64_t)F.plugs * 1000000);
}

static int get_size(sd_bus *b, const char *p, const char *i, const char *prop, sd_bus_message *r,
                    void *u, sd_bus_error *e)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)e;
    return sd_bus_message_append(r, "t", (uint64_t)4 << 20);
}

static int get_mount_points(sd_bus *b, const char *p, const char *i, const char *prop,
                            sd_bus_message *r, void *u, sd_bus_error *e)
{
    (void)b, (void)p, (void)i, (void)prop, (void)u, (void)e;
    int k = sd_bus_message_open_container(r, 'a', "ay");
    if (k >= 0 && F.mounted)
        k = sd_bus_message_append_array(r, 'y', F.mount, strlen(F.mount) + 1);
    if (k >= 0)
        k = sd_bus_message_close_container(r);
    return k;
}

/* Reads a method's a{sv}: counts a call without auth.no_user_interaction,
 * keeps "options" in opts. */
static int read_options(sd_bus_message *m, char *opts, size_t n)
{
    int no_ui = 0, r;
    if (opts)
        opts[0] = '\0';
    if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *key;
        if ((r = sd_bus_message_read(m, "s", &key)) < 0)
            return r;
        if (strcmp(key, "auth.no_user_interaction") == 0) {
            r = sd_bus_message_read(m, "v", "b", &no_ui);
        } else if (strcmp(key, "options") == 0) {
            const char *o;
            r = sd_bus_message_read(m, "v", "s", &o);
            if (r >= 0 && opts)
                snprintf(opts, n, "%s", o);
        } else {
            r = sd_bus_message_skip(m, "v");
        }
        if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
        return r;
    pthread_mutex_lock(&F.mu);
    if (!no_ui)
        F.n.without_auth_flag++;
    pthread_mutex_unlock(&F.mu);
    return 0;
}

/* Is F.mount still a mount point (not pulled meanwhile)? */
static int still_mounted(void)
{
    struct stat a, b;
    return stat(F.mount, &a) == 0 && stat(F.media, &b) == 0 && a.st_dev != b.st_dev;
}

/* Copies the stick's files into <folder>/seen/<n>/ (called with mu held). */
static void snapshot(void)
{
    char to[800], cmd[2400];
    F.n.snapshots++;
    snprintf(to, sizeof to, "%s/seen/%d", F.folder, F.n.snapshots);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp -a '%s/.' '%s/'", to, F.mount, to);
    if (system(cmd) != 0)
        fprintf(stderr, "fakeudisks: copying %s failed\n", F.mount);
}

/* --- methods ----------------------------------------------------------- */

static int do_mount(sd_bus_message *m, void *u, sd_bus_error *e)
{
    (void)u;
    char opts[200];
    if (read_options(m, opts, sizeof opts) < 0)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.Failed", "bad options");
    pthread_mutex_lock(&F.mu);
    snprintf(F.n.mount_options, sizeof F.n.mount_options, "%s", opts);
    int refuse = F.st.refuse_mount, mounted = F.mounted;
    pthread_mutex_unlock(&F.mu);
    if (refuse)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.NotAuthorizedCanObtain",
                                "Not authorized to perform operation");
    if (mounted)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.AlreadyMounted",
                                "Device is already mounted");
    if (mkdir(F.mount, 0700) != 0 && errno != EEXIST)
        return sd_bus_error_set_errnof(e, errno, "mkdir %s: %m", F.mount);
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (F.st.read_only ? MS_RDONLY : 0);
    if (mount("fakestick", F.mount, "tmpfs", flags, F.opts) != 0)
        return sd_bus_error_set_errnof(e, errno, "mount %s: %m", F.mount);
    pthread_mutex_lock(&F.mu);
    F.mounted = 1;
    F.n.mounts++;
    pthread_mutex_unlock(&F.mu);
    return sd_bus_reply_method_return(m, "s", F.mount);
}

static int do_unmount(sd_bus_message *m, void *u, sd_bus_error *e)
{
    (void)u;
    if (read_options(m, NULL, 0) < 0)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.Failed", "bad options");
    if (!F.mounted)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.NotMounted",
                                "Device is not mounted");
    if (!still_mounted()) { /* pulled: the device is gone */
        F.go_away = 1;
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.Failed",
                                "Error unmounting: the device is gone");
    }
    pthread_mutex_lock(&F.mu);
    snapshot();
    pthread_mutex_unlock(&F.mu);
    if (umount2(F.mount, 0) != 0)
        return sd_bus_error_set_errnof(e, errno, "Error unmounting %s: target is busy", F.mount);
    rmdir(F.mount);
    pthread_mutex_lock(&F.mu);
    F.mounted = 0;
    F.n.unmounts++;
    pthread_mutex_unlock(&F.mu);
    return sd_bus_reply_method_return(m, "");
}

static int do_power_off(sd_bus_message *m, void *u, sd_bus_error *e)
{
    (void)u;
    if (read_options(m, NULL, 0) < 0)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.Failed", "bad options");
    if (F.mounted)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.Failed",
                                "Error powering off drive: a file system is mounted");
    if (F.st.refuse_power_off)
        return sd_bus_error_set(e, "org.freedesktop.UDisks2.Error.Failed",
                                "Error powering off drive: no such device");
    pthread_mutex_lock(&F.mu);
    if (F.st.hold_power_off) {
        F.held = sd_bus_message_ref(m);
        F.n.power_off_waiting = 1;
        pthread_mutex_unlock(&F.mu);
        return 1; /* answered on CMD_RELEASE */
    }
    F.n.power_offs++;
    F.go_away = 1;
    pthread_mutex_unlock(&F.mu);
    return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable block_vt[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Drive", "o", get_str, 0, 0),
    SD_BUS_PROPERTY("IdLabel", "s", get_str, 0, 0),
    SD_BUS_PROPERTY("IdUsage", "s", get_str, 0, 0),
    SD_BUS_PROPERTY("ReadOnly", "b", get_bool, 0, 0),
    SD_BUS_PROPERTY("HintIgnore", "b", get_bool, 0, 0),
    SD_BUS_PROPERTY("HintSystem", "b", get_bool, 0, 0),
    SD_BUS_PROPERTY("Size", "t", get_size, 0, 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable fs_vt[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("MountPoints", "aay", get_mount_points, 0, 0),
    SD_BUS_METHOD("Mount", "a{sv}", "s", do_mount, 0),
    SD_BUS_METHOD("Unmount", "a{sv}", "", do_unmount, 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable drive_vt[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("ConnectionBus", "s", get_str, 0, 0),
    SD_BUS_PROPERTY("Removable", "b", get_bool, 0, 0),
    SD_BUS_PROPERTY("MediaRemovable", "b", get_bool, 0, 0),
    SD_BUS_PROPERTY("CanPowerOff", "b", get_bool, 0, 0),
    SD_BUS_PROPERTY("TimeDetected", "t", get_detected, 0, 0),
    SD_BUS_METHOD("PowerOff", "a{sv}", "", do_power_off, 0),
    SD_BUS_VTABLE_END,
};

/* --- the service's thread ---------------------------------------------- */

static void remove_objects(void)
{
    for (int i = 0; i < 3; i++)
        F.slots[i] = sd_bus_slot_unref(F.slots[i]);
    if (F.mounted) {
        umount2(F.mount, MNT_DETACH);
        rmdir(F.mount);
    }
    F.mounted = F.present = F.go_away = 0;
}

static void plug(void)
{
    if (F.present)
        remove_objects();
    F.st = F.next;
    F.plugs++;
    snprintf(F.label, sizeof F.label, "%s", F.next.label);
    snprintf(F.opts, sizeof F.opts, "%s", F.next.tmpfs_opts);
    F.st.label = F.label;
    F.st.tmpfs_opts = F.opts;
    snprintf(F.mount, sizeof F.mount, "%s/%s", F.media, F.label);
    int r = sd_bus_add_object_vtable(F.bus, &F.slots[0], BLOCK_PATH,
                                     "org.freedesktop.UDisks2.Block", block_vt, NULL);
    if (r >= 0)
        r = sd_bus_add_object_vtable(F.bus, &F.slots[1], BLOCK_PATH,
                                     "org.freedesktop.UDisks2.Filesystem", fs_vt, NULL);
    if (r >= 0)
        r = sd_bus_add_object_vtable(F.bus, &F.slots[2], DRIVE_PATH,
                                     "org.freedesktop.UDisks2.Drive", drive_vt, NULL);
    if (r < 0)
        fprintf(stderr, "fakeudisks: adding the objects: %s\n", strerror(-r));
    F.present = 1;
}

static void *service(void *arg)
{
    (void)arg;
    for (;;) {
        int r;
        do
            r = sd_bus_process(F.bus, NULL);
        while (r > 0);
        pthread_mutex_lock(&F.mu);
        int cmd = F.cmd;
        pthread_mutex_unlock(&F.mu);
        if (F.go_away && !F.held)
            remove_objects();
        if (cmd == CMD_QUIT)
            break;
        if (cmd == CMD_PLUG)
            plug();
        if (cmd == CMD_PULL && F.present)
            remove_objects();
        if (cmd == CMD_RELEASE && F.held) {
            pthread_mutex_lock(&F.mu);
            F.n.power_offs++;
            F.n.power_off_waiting = 0;
            pthread_mutex_unlock(&F.mu);
            sd_bus_reply_method_return(F.held, "");
            F.held = sd_bus_message_unref(F.held);
            sd_bus_flush(F.bus);
            remove_objects();
        }
        if (cmd != CMD_NONE) {
            pthread_mutex_lock(&F.mu);
            F.cmd = CMD_NONE;
            pthread_cond_broadcast(&F.cv);
            pthread_mutex_unlock(&F.mu);
            continue;
        }
        sd_bus_wait(F.bus, 20 * 1000);
    }
    remove_objects();
    F.held = sd_bus_message_unref(F.held);
    return NULL;
}

static void command(int cmd)
{
    pthread_mutex_lock(&F.mu);
    F.cmd = cmd;
    while (F.cmd != CMD_NONE)
        pthread_cond_wait(&F.cv, &F.mu);
    pthread_mutex_unlock(&F.mu);
}

/* --- the test's side --------------------------------------------------- */

void fake_udisks_start(const char *folder)
{
    memset(&F, 0, sizeof F);
    pthread_mutex_init(&F.mu, NULL);
    pthread_cond_init(&F.cv, NULL);
    snprintf(F.folder, sizeof F.folder, "%s", folder);
    snprintf(F.media, sizeof F.media, "%s/media", folder);
    ck_assert_int_eq(mkdir(F.media, 0755), 0);
    char sock[500], addr[520];
    snprintf(sock, sizeof sock, "%s/system_bus_socket", folder);
    snprintf(addr, sizeof addr, "--address=unix:path=%s", sock);
    /* The daemon prints its address on the pipe once it accepts connections
     * (the socket file exists a moment before that: connecting then is
     * refused). */
    int ready[2];
    ck_assert_int_eq(pipe(ready), 0);
    F.daemon = fork();
    ck_assert_int_ge(F.daemon, 0);
    if (F.daemon == 0) {
        char print[32];
        close(ready[0]);
        snprintf(print, sizeof print, "--print-address=%d", ready[1]);
        execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile", addr, print,
               (char *)NULL);
        _exit(127);
    }
    close(ready[1]);
    char line[600];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof line - 1 && (n = read(ready[0], line + got, sizeof line - 1 - got)) > 0) {
        got += (size_t)n;
        if (memchr(line, '\n', got))
            break;
    }
    close(ready[0]);
    line[got] = '\0';
    ck_assert_msg(strchr(line, '\n') != NULL,
                  "dbus-daemon did not start (is dbus-daemon installed?)");
    struct stat st;
    ck_assert_msg(stat(sock, &st) == 0, "dbus-daemon has no socket at %s", sock);
    setenv("DBUS_SYSTEM_BUS_ADDRESS", addr + strlen("--address="), 1);
    ck_assert_int_ge(sd_bus_new(&F.bus), 0);
    ck_assert_int_ge(sd_bus_set_address(F.bus, addr + strlen("--address=")), 0);
    ck_assert_int_ge(sd_bus_set_bus_client(F.bus, 1), 0);
    ck_assert_int_ge(sd_bus_start(F.bus), 0);
    ck_assert_int_ge(sd_bus_add_object_manager(F.bus, NULL, ROOT), 0);
    ck_assert_int_ge(sd_bus_request_name(F.bus, "org.freedesktop.UDisks2", 0), 0);
    ck_assert_int_eq(pthread_create(&F.thread, NULL, service, NULL), 0);
}

void fake_udisks_stop(void)
{
    if (!F.bus)
        return;
    pthread_mutex_lock(&F.mu);
    F.cmd = CMD_QUIT; /* taken, never acknowledged: the thread ends */
    pthread_mutex_unlock(&F.mu);
    pthread_join(F.thread, NULL);
    F.bus = sd_bus_flush_close_unref(F.bus);
    kill(F.daemon, SIGTERM);
    waitpid(F.daemon, NULL, 0);
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

void fake_udisks_plug(const fake_stick *s)
{
    pthread_mutex_lock(&F.mu);
    F.next = *s;
    pthread_mutex_unlock(&F.mu);
    command(CMD_PLUG);
}

void fake_udisks_pull(void)
{
    command(CMD_PULL);
}

void fake_udisks_release(void)
{
    command(CMD_RELEASE);
}

void fake_udisks_mount_path(char *buf, int len)
{
    pthread_mutex_lock(&F.mu);
    snprintf(buf, (size_t)len, "%s", F.mounted ? F.mount : "");
    pthread_mutex_unlock(&F.mu);
}

void fake_udisks_counts(fake_counts *out)
{
    pthread_mutex_lock(&F.mu);
    *out = F.n;
    pthread_mutex_unlock(&F.mu);
}

/* backlight.c - switching the backlight class's devices off and on
 * (backlight.h). */
#include "backlight.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NAME_MAX_BYTES = 256 };

typedef struct bl_saved {
    char path[PATH_MAX]; /* the file backlight_off wrote */
    long value;          /* what it held before */
} bl_saved;

struct backlight {
    char *dir;
    int n_off;
    bl_saved saved[BACKLIGHT_MAX_DEVICES];
    int told; /* the one line on why the screen stays lit is written */
};

/* Reads a whole number (sysfs: digits and a newline) from path; -1 with
 * errno set (EINVAL for anything else in the file). */
static int read_long(const char *path, long *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[32];
    ssize_t n;
    do
        n = read(fd, buf, sizeof buf - 1);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    buf[n] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || end == buf || (*end != '\0' && *end != '\n') || v < 0) {
        errno = EINVAL;
        return -1;
    }
    *out = v;
    return 0;
}

/* Writes v to path in one write; -1 with errno set. */
static int write_long(const char *path, long v)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", v);
    ssize_t n;
    do
        n = write(fd, buf, (size_t)len);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    if (close(fd) != 0 && n == len)
        return -1;
    if (n != len) {
        errno = n < 0 ? saved : EIO;
        return -1;
    }
    return 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp((const char *)x, (const char *)y);
}

/* The device names in b->dir, sorted, at most BACKLIGHT_MAX_DEVICES; -1
 * with errno set when the folder cannot be read. */
static int list_devices(const backlight *b, char names[][NAME_MAX_BYTES])
{
    DIR *d = opendir(b->dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while (n < BACKLIGHT_MAX_DEVICES && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= NAME_MAX_BYTES)
            continue;
        strcpy(names[n++], e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, NAME_MAX_BYTES, by_name);
    return n;
}

static void file_path(char *out, const backlight *b, const char *dev, const char *file)
{
    snprintf(out, PATH_MAX, "%s/%s/%s", b->dir, dev, file);
}

/* A kiosk starts lit: device dev left off (bl_power not 0, or brightness 0)
 * is switched on. */
static void light_up(const backlight *b, const char *dev)
{
    char path[PATH_MAX];
    long v;
    file_path(path, b, dev, "bl_power");
    if (read_long(path, &v) == 0 && v != 0) {
        if (write_long(path, 0) == 0)
            log_info("backlight %s: found powered down (bl_power %ld): switched on", dev, v);
        else
            log_warn("backlight %s: found powered down (bl_power %ld), cannot switch it on: "
                     "%s: %s", dev, v, path, strerror(errno));
    }
    file_path(path, b, dev, "brightness");
    if (read_long(path, &v) == 0 && v == 0) {
        char max_path[PATH_MAX];
        long max;
        file_path(max_path, b, dev, "max_brightness");
        if (read_long(max_path, &max) < 0 || max <= 0)
            return;
        if (write_long(path, max) == 0)
            log_info("backlight %s: found at brightness 0: set to its maximum, %ld", dev, max);
        else
            log_warn("backlight %s: found at brightness 0, cannot raise it: %s: %s", dev, path,
                     strerror(errno));
    }
}

backlight *backlight_create(const char *dir)
{
    backlight *b = calloc(1, sizeof *b);
    if (!b || !(b->dir = strdup(dir))) {
        free(b);
        return NULL;
    }
    char names[BACKLIGHT_MAX_DEVICES][NAME_MAX_BYTES];
    int n = list_devices(b, names);
    for (int i = 0; i < n; i++)
        light_up(b, names[i]);
    return b;
}

void backlight_destroy(backlight *b)
{
    if (!b)
        return;
    backlight_on(b);
    free(b->dir);
    free(b);
}

/* Switches device dev off: bl_power, else brightness.  On failure, why
 * holds the last file tried and its error. */
static int switch_off(backlight *b, const char *dev, char *why, size_t why_len)
{
    static const struct {
        const char *file;
        long off;
    } WAYS[] = {{"bl_power", BACKLIGHT_POWERDOWN}, {"brightness", 0}};
    bl_saved *s = &b->saved[b->n_off];
    for (size_t i = 0; i < sizeof WAYS / sizeof WAYS[0]; i++) {
        file_path(s->path, b, dev, WAYS[i].file);
        if (read_long(s->path, &s->value) == 0 && write_long(s->path, WAYS[i].off) == 0) {
            b->n_off++;
            return 0;
        }
        snprintf(why, why_len, "%s: %s", s->path, strerror(errno));
    }
    return -1;
}

int backlight_off(backlight *b)
{
    if (!b || b->n_off > 0)
        return b ? b->n_off : 0;
    char names[BACKLIGHT_MAX_DEVICES][NAME_MAX_BYTES];
    char why[PATH_MAX + 128] = "";
    int n = list_devices(b, names);
    if (n < 0)
        snprintf(why, sizeof why, "%s: %s", b->dir, strerror(errno));
    else if (n == 0)
        snprintf(why, sizeof why, "no device in %s", b->dir);
    int failed = n <= 0;
    for (int i = 0; i < n; i++)
        if (switch_off(b, names[i], why, sizeof why) < 0)
            failed = 1;
    if (failed && !b->told) {
        b->told = 1;
        if (n <= 0)
            log_info("backlight: %s: asleep, the screen shows a black frame and stays lit",
                     why);
        else
            log_warn("backlight: cannot switch it off (%s): asleep, the screen shows a black "
                     "frame and stays lit; install the udev rule 60-minping-backlight.rules "
                     "and run the kiosk in group video (README, Deploying a kiosk)", why);
    }
    if (b->n_off > 0)
        log_info("backlight: %d device(s) off", b->n_off);
    return b->n_off;
}

void backlight_on(backlight *b)
{
    if (!b || b->n_off == 0)
        return;
    for (int i = 0; i < b->n_off; i++)
        if (write_long(b->saved[i].path, b->saved[i].value) < 0)
            log_warn("backlight: cannot switch it on again: %s: %s", b->saved[i].path,
                     strerror(errno));
    log_info("backlight: on again");
    b->n_off = 0;
}

int backlight_off_count(const backlight *b)
{
    return b ? b->n_off : 0;
}

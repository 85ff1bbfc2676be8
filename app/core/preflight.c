/* preflight.c - the start-up check of what the kiosk needs (preflight.h). */
#include "preflight.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void preflight_env_from_system(preflight_env *env, const char *state_dir)
{
    env->display = getenv("DISPLAY");
    env->wayland_display = getenv("WAYLAND_DISPLAY");
    env->video_driver = getenv("SDL_VIDEODRIVER");
    env->dev_dir = "/dev";
    env->state_dir = state_dir;
}

static int set(const char *s)
{
    return s && *s;
}

static int is(const char *s, const char *want)
{
    return s && strcmp(s, want) == 0;
}

/* Appends one "; "-separated part to out. */
static void add(char *out, size_t n, const char *fmt, ...)
{
    size_t len = strlen(out);
    if (len + 1 >= n)
        return;
    if (len > 0) {
        snprintf(out + len, n - len, "; ");
        len = strlen(out);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + len, n - len, fmt, ap);
    va_end(ap);
}

/* Looks in dir for entries named prefix* that open with flags.  Returns 1
 * when one does (its name in found), 0 otherwise; *seen counts the entries
 * there were, *first_errno is the first open's failure. */
static int find_openable(const char *dir, const char *prefix, int flags, char *found,
                         size_t found_n, int *seen, int *first_errno)
{
    *seen = 0;
    *first_errno = 0;
    DIR *d = opendir(dir);
    if (!d) {
        *first_errno = errno;
        return 0;
    }
    int ok = 0;
    struct dirent *e;
    while (!ok && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        ++*seen;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0) {
            close(fd);
            snprintf(found, found_n, "%s", path);
            ok = 1;
        } else if (*first_errno == 0) {
            *first_errno = errno;
        }
    }
    closedir(d);
    return ok;
}

/* Can a file be made in dir?  0, or the errno of the failure. */
static int dir_writable(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/.minping-check-XXXXXX", dir) >= (int)sizeof path)
        return ENAMETOOLONG;
    int fd = mkstemp(path);
    if (fd < 0)
        return errno;
    close(fd);
    unlink(path);
    return 0;
}

int preflight_check(const preflight_env *env, char *out, size_t n)
{
    if (n == 0)
        return 0;
    out[0] = '\0';
    char ok[1024] = "";
    int problems = 0;
    const char *drv = env->video_driver;

    if (is(drv, "offscreen") || is(drv, "dummy")) {
        add(ok, sizeof ok, "display: headless (SDL_VIDEODRIVER=%s)", drv);
    } else if (set(env->wayland_display) || set(env->display) || is(drv, "x11") ||
               is(drv, "wayland")) {
        add(ok, sizeof ok, "display: %s %s", set(env->wayland_display) ? "Wayland" : "X11",
            set(env->wayland_display) ? env->wayland_display
                                      : (set(env->display) ? env->display : "(unset)"));
    } else {
        char dir[4096], found[4096];
        int seen, e;
        snprintf(dir, sizeof dir, "%s/dri", env->dev_dir);
        if (find_openable(dir, "card", O_RDWR, found, sizeof found, &seen, &e)) {
            add(ok, sizeof ok, "display: %s", found);
        } else {
            problems++;
            if (seen == 0)
                add(out, n, "no display: DISPLAY and WAYLAND_DISPLAY are unset and %s has no "
                            "card* device (is the graphics driver loaded? or run the kiosk under "
                            "cage, or set DISPLAY)", dir);
            else
                add(out, n, "no display: %s/card* cannot be opened (%s): add the minping user "
                            "to group video (SupplementaryGroups=video render)", dir,
                    strerror(e));
        }
        snprintf(dir, sizeof dir, "%s/input", env->dev_dir);
        if (find_openable(dir, "event", O_RDONLY, found, sizeof found, &seen, &e)) {
            add(ok, sizeof ok, "input: %s", found);
        } else {
            problems++;
            if (seen == 0)
                add(out, n, "no input device: %s has no event* device (is the touch screen "
                            "plugged in?)", dir);
            else
                add(out, n, "no input device readable: %s/event* cannot be opened (%s): add "
                            "the minping user to group input (SupplementaryGroups=input)", dir,
                    strerror(e));
        }
    }

    int e = dir_writable(env->state_dir);
    if (e == 0) {
        add(ok, sizeof ok, "state folder: %s writable", env->state_dir);
    } else {
        problems++;
        add(out, n, "state folder %s not writable (%s): give it to the minping user "
                    "(StateDirectory=minping makes /var/lib/minping) or point db in kiosk.ini "
                    "elsewhere", env->state_dir, strerror(e));
    }
    if (problems == 0)
        snprintf(out, n, "%s", ok);
    return problems;
}

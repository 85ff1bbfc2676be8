/* media.c - locating a mounted removable drive. */
#include "media.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const MEDIA_ROOTS[] = {"/media", "/run/media", NULL};

/* Sorted names of the sub-folders of dir (not "." or ".."); *n receives the
 * count.  Returns NULL (and *n = 0) when dir cannot be read. */
static char **subdirs(const char *dir, int *n)
{
    *n = 0;
    struct dirent **list = NULL;
    int k = scandir(dir, &list, NULL, alphasort);
    if (k < 0)
        return NULL;
    char **names = calloc((size_t)k + 1, sizeof *names);
    for (int i = 0; i < k; i++) {
        const char *nm = list[i]->d_name;
        if (names && strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0)
            names[(*n)++] = strdup(nm);
        free(list[i]);
    }
    free(list);
    return names;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int is_mounted_dir(const char *path, dev_t parent_dev)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0; /* also refuses symbolic links */
    return st.st_dev != parent_dev && access(path, W_OK) == 0;
}

int media_find(const char *const roots[], char *out, size_t len, mp_err *err)
{
    for (int r = 0; roots[r]; r++) {
        int nu;
        char **users = subdirs(roots[r], &nu);
        for (int u = 0; u < nu; u++) {
            char user_dir[4096];
            struct stat ust;
            snprintf(user_dir, sizeof user_dir, "%s/%s", roots[r], users[u]);
            if (lstat(user_dir, &ust) != 0 || !S_ISDIR(ust.st_mode))
                continue;
            int nd;
            char **drives = subdirs(user_dir, &nd);
            for (int d = 0; d < nd; d++) {
                char path[8192];
                snprintf(path, sizeof path, "%s/%s", user_dir, drives[d]);
                if (is_mounted_dir(path, ust.st_dev) && strlen(path) < len) {
                    snprintf(out, len, "%s", path);
                    free_names(drives, nd);
                    free_names(users, nu);
                    return 0;
                }
            }
            free_names(drives, nd);
        }
        free_names(users, nu);
    }
    return mp_fail(err, "no removable drive is mounted under /media or /run/media");
}

/* rubricfind.c - finding the rubric of a year (see rubricfind.h). */
#include "rubricfind.h"

#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MINPING_RUBRIC_BUILD
#define MINPING_RUBRIC_BUILD ""
#endif
#ifndef MINPING_RUBRIC_INSTALL
#define MINPING_RUBRIC_INSTALL ""
#endif
#ifndef MINPING_BUILD_ROOT
#define MINPING_BUILD_ROOT "/nonexistent"
#endif

int office_parse_year(const char *s, int *year, mp_err *err)
{
    if (strlen(s) != 4 || strspn(s, "0123456789") != 4 || atoi(s) < 1970)
        return mp_fail(err, "\"%s\" is not a year like 2026", s);
    *year = atoi(s);
    return 0;
}

/* The folders to search, in order; the strings are malloc'd. */
static int search_dirs(const office_ctx *ctx, char *dirs[4], int *n)
{
    *n = 0;
    const char *env = getenv("MINPING_RUBRIC_DIR");
    if (env && *env)
        dirs[(*n)++] = strdup(env);
    const char *slash = strrchr(ctx->db_path, '/');
    char *d;
    if (slash) {
        size_t len = (size_t)(slash - ctx->db_path);
        d = malloc(len + sizeof "/rubric");
        if (d) {
            memcpy(d, ctx->db_path, len);
            memcpy(d + len, "/rubric", sizeof "/rubric");
        }
    } else {
        d = strdup("rubric");
    }
    dirs[(*n)++] = d;
    /* The build tree's rubrics when this program is the one in the build tree. */
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    const char *shipped = MINPING_RUBRIC_INSTALL;
    const char *built = MINPING_RUBRIC_BUILD;
    if (k > 0 && *built) {
        self[k] = '\0';
        const char *root = MINPING_BUILD_ROOT;
        if (strncmp(self, root, strlen(root)) == 0 && self[strlen(root)] == '/')
            shipped = MINPING_RUBRIC_BUILD;
    }
    dirs[(*n)++] = strdup(shipped);
    for (int i = 0; i < *n; i++)
        if (!dirs[i])
            return -1;
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_ini(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".ini") == 0;
}

/* Calls fn for each rubric of one folder (a missing folder has none). */
static int each_in_dir(const char *dir, office_rubric_fn fn, void *user, mp_err *err)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, is_ini, by_name);
    if (n < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0
                                                   : mp_fail(err, "cannot read the folder %s: %s",
                                                             dir, strerror(errno));
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
            char *path = malloc(len);
            if (!path) {
                rc = mp_fail(err, "out of memory");
            } else {
                snprintf(path, len, "%s/%s", dir, names[i]->d_name);
                rubric *r = NULL;
                if (rubric_load(path, &r, err) < 0)
                    rc = -1;
                else
                    rc = fn(user, path, r); /* fn takes r */
                free(path);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int office_each_rubric(const office_ctx *ctx, office_rubric_fn fn, void *user, mp_err *err)
{
    char *dirs[4] = {NULL};
    int n = 0, rc = 0;
    if (search_dirs(ctx, dirs, &n) < 0)
        rc = mp_fail(err, "out of memory");
    for (int i = 0; i < n && rc == 0; i++)
        rc = each_in_dir(dirs[i], fn, user, err);
    for (int i = 0; i < n; i++)
        free(dirs[i]);
    return rc;
}

typedef struct pick {
    int year;          /* wanted; 0: the latest */
    rubric *best;
    char *best_path;
    int best_dir;      /* the folder it came from */
    int dir;           /* the folder being searched */
    int twice;         /* two rubrics of the year in one folder */
    char *other_path;
} pick;

static int consider(void *user, const char *path, rubric *r)
{
    pick *p = user;
    int y = rubric_year(r);
    int take;
    if (p->year == 0) {
        take = !p->best || y > rubric_year(p->best);
    } else {
        take = y == p->year && !p->best;
        if (y == p->year && p->best && p->best_dir == p->dir && !p->twice) {
            p->twice = 1;
            p->other_path = strdup(path);
        }
    }
    if (!take) {
        rubric_destroy(r);
        return 0;
    }
    rubric_destroy(p->best);
    free(p->best_path);
    p->best = r;
    p->best_path = strdup(path);
    p->best_dir = p->dir;
    return 0;
}

int office_load_rubric(const office_ctx *ctx, const char *path, int year, rubric **out,
                       mp_err *err)
{
    *out = NULL;
    if (path) {
        rubric *r = NULL;
        if (rubric_load(path, &r, err) < 0)
            return -1;
        if (year && rubric_year(r) != year) {
            int y = rubric_year(r);
            rubric_destroy(r);
            return mp_fail(err, "the rubric %s is for %d, not %d", path, y, year);
        }
        *out = r;
        return 0;
    }
    char *dirs[4] = {NULL};
    int n = 0, rc = 0;
    pick p = {.year = year};
    if (search_dirs(ctx, dirs, &n) < 0)
        rc = mp_fail(err, "out of memory");
    for (int i = 0; i < n && rc == 0; i++) {
        p.dir = i;
        rc = each_in_dir(dirs[i], consider, &p, err);
        if (year && p.best)
            break; /* the first folder with the year's rubric decides */
    }
    if (rc == 0 && p.twice)
        rc = mp_fail(err, "two rubrics for %d: %s and %s; keep one, or name it with --rubric",
                     year, p.best_path, p.other_path ? p.other_path : "?");
    if (rc == 0 && !p.best) {
        if (year)
            rc = mp_fail(err,
                         "no rubric for %d: copy the latest (minping-office rubric show names "
                         "it) into %s/, set year = %d and what changed, or name one with --rubric",
                         year, dirs[n > 2 ? 1 : 0], year);
        else
            rc = mp_fail(err, "no rubric found: name one with --rubric");
    }
    for (int i = 0; i < n; i++)
        free(dirs[i]);
    free(p.best_path);
    free(p.other_path);
    if (rc < 0) {
        rubric_destroy(p.best);
        return -1;
    }
    *out = p.best;
    return 0;
}

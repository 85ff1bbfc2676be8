/* check_soak.c - a long run: 20,000 votes cast through the kiosk's pointer
 * path (SDL mouse events -> one pointer stream -> the rating screen -> the
 * store -> thanks -> back), with a staff export every 5,000 votes, a storage
 * failure and recovery now and then, and a frame drawn every 50 votes.
 * Memory (heap in use, less SQLite's own page cache, which is bounded) must
 * not grow between the end of the warm-up and the end, nor the number of
 * open file descriptors; the figures are printed.  MINPING_SOAK_VOTES
 * changes the number of votes.
 *
 * Runs in its own user and mount namespace (unshare -rm), the kiosk's folder
 * on a tmpfs. */
#include "faultvfs.h"
#include "harness.h"
#include "sign.h"
#include "testutil.h"

#include <SDL.h>
#include <check.h>
#include <dirent.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
/* From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC
 * does not install): bytes allocated and not yet freed. */
size_t __sanitizer_get_current_allocated_bytes(void);
static long long heap_in_use(void) { return (long long)__sanitizer_get_current_allocated_bytes(); }
#else
static long long heap_in_use(void) { return (long long)mallinfo2().uordblks; }
#endif

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the one opendir holds */
}

static long long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%ld %ld", &pages, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef struct sample {
    long long heap, sqlite, rss;
    int fds;
} sample;

static sample measure(void)
{
    malloc_trim(0);
    sample s = {heap_in_use(), (long long)sqlite3_memory_used(), rss_kib(), open_fds()};
    return s;
}

static void event(Uint32 type, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = x;
    ev.button.y = y;
    app_sdl_event(kh_app, &ev, kh_now);
}

/* A tap at the centre of id through SDL events, timers run, no frame. */
static void quick_tap(const char *id)
{
    ui_rect r = kh_rect(id);
    event(SDL_MOUSEBUTTONDOWN, r.x + r.w / 2, r.y + r.h / 2);
    kh_now += 40;
    app_tick(kh_app, kh_now);
    event(SDL_MOUSEBUTTONUP, r.x + r.w / 2, r.y + r.h / 2);
    kh_now += 20;
    app_tick(kh_app, kh_now);
}

START_TEST(twenty_thousand_votes)
{
    const char *env = getenv("MINPING_SOAK_VOTES");
    int votes = env && atoi(env) > 0 ? atoi(env) : 20000;
    int warmup = votes / 10;
    char *dir = tu_mkdtemp_in(tu_root);
    kh_mount_tmpfs(dir, "size=512m");
    kh_setup(dir);
    char *stick = tu_path(dir, "stick");
    ck_assert_int_eq(mkdir(stick, 0755), 0);
    mp_err err;
    ck_assert_int_eq(faultvfs_install(), 0);
    /* A signing key, so that staff exports really write files. */
    char *kp = tu_path(dir, "kiosk.key");
    {
        sign_key key;
        ck_assert_int_eq(sign_keygen(&key, &err), 0);
        ck_assert_msg(sign_key_save(kp, &key, &err) == 0, "%s", err.msg);
        sign_key_wipe(&key);
    }
    ck_assert_msg(kh_start(3, 800, 480, "signing_key = kiosk.key\nexport_dir = stick", &err) == 0,
                  "%s", err.msg);
    static const char *units[3] = {"unit.U01", "unit.U02", "unit.U03"};
    static const char *rates[4] = {"rate.10", "rate.8", "rate.6", "rate.0"};
    sample warm = {0};
    int exports = 0, failures = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int v = 1; v <= votes; v++) {
        quick_tap(units[v % 3]);
        quick_tap(rates[(v / 3) % 4]);
        ck_assert_msg(strcmp(kh_screen(), "thanks") == 0, "vote %d: on %s", v, kh_screen());
        if (v % 50 == 0)
            app_render(kh_app);
        quick_tap("thanks.done");
        ck_assert_str_eq(kh_screen(), "units");
        if (v % 50 == 0)
            app_render(kh_app);
        if (v % 5000 == 0 || v == warmup) {
            /* Staff export from the admin screen. */
            kh_advance(2000);
            kh_open_admin();
            kh_advance(1100); /* a new second: a new file name */
            kh_tap("admin.export");
            ck_assert_msg(strstr(kh_label("admin.message"), "已导出"), "%s",
                          kh_label("admin.message"));
            exports++;
            kh_tap("admin.close");
        }
        if (v % 3000 == 1500) {
            /* The disk fails one vote; the kiosk reopens its store. */
            faultvfs_set_failure(SQLITE_IOERR_WRITE);
            quick_tap(units[0]);
            quick_tap("rate.10");
            ck_assert_str_eq(kh_screen(), "error");
            faultvfs_set_failure(0);
            kh_advance(5100);
            ck_assert_str_eq(kh_screen(), "units");
            failures++;
        }
        if (v == warmup)
            warm = measure();
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sample end = measure();
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_int_eq(kh_count(kh_db, "1"), votes);
    char where[64];
    snprintf(where, sizeof where, "seq BETWEEN 1 AND %d", votes);
    ck_assert_int_eq(kh_count(kh_db, where), votes);
    ck_assert(kh_integrity_ok(kh_db));
    long long own_warm = warm.heap - warm.sqlite, own_end = end.heap - end.sqlite;
    printf("soak: %d votes through the pointer path in %.1f s (%.0f votes/s), %d staff exports, "
           "%d storage failures recovered; after %d votes / at the end: heap in use %lld / %lld "
           "bytes, of which SQLite %lld / %lld, the rest %lld / %lld (growth %lld bytes); "
           "resident %lld / %lld KiB; open file descriptors %d / %d\n",
           votes, secs, votes / secs, exports, failures, warmup, warm.heap, end.heap, warm.sqlite,
           end.sqlite, own_warm, own_end, own_end - own_warm, warm.rss, end.rss, warm.fds,
           end.fds);
    ck_assert_msg(end.fds == warm.fds, "file descriptors leak: %d then %d", warm.fds, end.fds);
    ck_assert_msg(own_end - own_warm < 64 * 1024, "memory grows: %lld bytes more",
                  own_end - own_warm);
    /* SQLite's own memory is its page cache (2 MB by default), bounded. */
    ck_assert_msg(end.sqlite < 8 * 1024 * 1024, "SQLite holds %lld bytes", end.sqlite);
    kh_teardown();
    umount2(dir, MNT_DETACH);
    free(kp);
    free(stick);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("soak");
    TCase *tc = tcase_create("soak");
    tcase_add_unchecked_fixture(tc, kh_suite_setup, tu_root_teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, twenty_thousand_votes);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

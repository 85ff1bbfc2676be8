/* main.c - minping-kiosk: command line, SDL set-up and the event loop.
 *
 * The loop sleeps in SDL_WaitEventTimeout until an event arrives or the app's
 * next timer is due, and redraws only when something changed.  Keys, window
 * close requests and SDL_QUIT are ignored: a citizen cannot end the kiosk;
 * SIGTERM (and SIGINT) end it cleanly.  Asleep outside the open hours the
 * loop waits minutes at a time, so a signal must wake it: the handler posts
 * a semaphore (async-signal-safe), and a thread waiting on it pushes an SDL
 * event, which ends the wait at once.
 */
#include "app.h"
#include "backlight.h"
#include "clock.h"
#include "config.h"
#include "embed.h"
#include "exporter.h"
#include "fsutil.h"
#include "i18n.h"
#include "log.h"
#include "preflight.h"
#include "service.h"
#include "sign.h"
#include "voice.h"
#include "window.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set by on_signal, read by the loop and by stop_waiter: a lock-free
 * atomic, safe to store from a signal handler. */
static atomic_int stop_signal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "stop_signal is stored from a signal handler");
static sem_t stop_sem;        /* posted by on_signal, or to end stop_waiter */
static Uint32 stop_event;     /* SDL event type that wakes the loop */

static void on_signal(int sig)
{
    stop_signal = sig;
    sem_post(&stop_sem);
}

/* Waits for on_signal's post, then wakes the loop with stop_event. */
static void *stop_waiter(void *unused)
{
    (void)unused;
    while (sem_wait(&stop_sem) != 0 && errno == EINTR)
        continue;
    if (stop_signal && stop_event != (Uint32)-1) {
        SDL_Event ev = {.type = stop_event};
        SDL_PushEvent(&ev);
    }
    return NULL;
}

static void usage(FILE *f)
{
    fputs(_("Usage: minping-kiosk --config FILE [--window WxH] [--ui-dump FILE]\n"
          "       minping-kiosk --demo [--window WxH] [--ui-dump FILE]\n"
          "       minping-kiosk export --config FILE --out DIR [--db FILE]\n"
          "\n"
          "The Minping satisfaction-vote kiosk (民主测评): a citizen picks a unit, taps\n"
          "非常满意 / 基本满意 / 一般 / 不满意, is thanked once the vote is durably stored,\n"
          "and is shown a QR code for the online survey.\n"
          "\n"
          "Options:\n"
          "  --config FILE    the kiosk.ini written by `minping-office provision`\n"
          "  --demo           run the built-in demo configuration (six units, staff PIN\n"
          "                   1234); its votes go to $XDG_STATE_HOME/minping/demo-kiosk.db\n"
          "                   (default ~/.local/state/minping/demo-kiosk.db)\n"
          "  --window WxH     run in a window of that size instead of full screen\n"
          "  --ui-dump FILE   after every screen change, atomically rewrite FILE with\n"
          "                   the screen name and every touch target as JSON\n"
          "  --help           show this help; --version its version\n"
          "\n"
          "Staff: press and hold the top-left corner for 3 seconds, then enter the PIN.\n"
          "The admin screen shows the totals, exports the votes and can quit the kiosk.\n"
          "\n"
          "export: writes every vote of the kiosk's database, signed with its key, to a\n"
          "new CSV file in DIR and prints the file's path as the last line.  Safe while\n"
          "the kiosk runs.  Exit status 1 (with the reason) when nothing was written.\n"
          "  --db FILE        export instead the votes that can still be read from FILE,\n"
          "                   a damaged database the kiosk set aside (kiosk.db.damaged-*);\n"
          "                   FILE is only read, and the rows keep its own instance id\n"
          "Environment: MINPING_FONT overrides the font file; SDL_VIDEODRIVER and\n"
          "SDL_RENDER_DRIVER choose SDL's video and render drivers (the latter over\n"
          "kiosk.ini's renderer setting); MINPING_BACKLIGHT_DIR replaces\n"
          "/sys/class/backlight, whose devices are switched off outside the open hours.\n"
          "Logs go to standard error, one timestamped line per event (in English, for\n"
          "technicians).\n"
          "Exit status: 0 done; 1 an error (the reason on standard error); 2 a mistake\n"
          "in the command line.\n"),
          f);
}

static const char *find_font(void)
{
    const char *env = getenv("MINPING_FONT");
    if (env && *env)
        return env;
    if (access(MINPING_FONT_INSTALL, R_OK) == 0)
        return MINPING_FONT_INSTALL;
    return MINPING_FONT_BUILD;
}

/* The spoken prompts' folder: installed, else the build's. */
static const char *find_voice(void)
{
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/%s", MINPING_VOICE_INSTALL, voice_file(VOICE_UNITS));
    if (access(probe, R_OK) == 0)
        return MINPING_VOICE_INSTALL;
    return MINPING_VOICE_BUILD;
}

static int load_demo_config(kiosk_config **out, mp_err *err)
{
    char dir[4096];
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (state && *state)
        snprintf(dir, sizeof dir, "%s/minping", state);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.local/state/minping", home);
    else
        return mp_fail(err, "neither XDG_STATE_HOME nor HOME is set; cannot place the demo database");
    if (fs_mkdir_p(dir, err) < 0)
        return -1;
    const char *text = demo_config[0].text;
    if (config_parse(text, strlen(text), "demo configuration", dir, out, err) < 0)
        return -1;
    /* The demo signs its exports with a key of its own, made on first use. */
    char key_path[4200];
    snprintf(key_path, sizeof key_path, "%s/demo-kiosk.key", dir);
    if (access(key_path, F_OK) != 0) {
        sign_key key;
        int rc = sign_keygen(&key, err);
        if (rc == 0)
            rc = sign_key_save(key_path, &key, err);
        sign_key_wipe(&key);
        if (rc < 0) {
            config_free(*out);
            *out = NULL;
            return -1;
        }
    }
    free((*out)->signing_key_path);
    (*out)->signing_key_path = strdup(key_path);
    return 0;
}

static int parse_window(const char *s, int *w, int *h)
{
    char x;
    if (sscanf(s, "%d%c%d", w, &x, h) != 3 || (x != 'x' && x != 'X') || *w < 320 || *h < 240 ||
        *w > 16384 || *h > 16384)
        return -1;
    return 0;
}

/* minping-kiosk export --config FILE --out DIR [--db FILE] */
static int cmd_export(int argc, char **argv)
{
    const char *config_path = NULL, *out = NULL, *old_db = NULL;
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"db", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'o': out = optarg; break;
        case 'b': old_db = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !config_path || !out) {
        fputs(_("minping-kiosk: export needs --config FILE and --out DIR (see minping-kiosk "
                "--help)\n"),
              stderr);
        return 2;
    }
    log_set_program("minping-kiosk");
    mp_err err;
    kiosk_config *cfg = NULL;
    if (sodium_init() < 0) {
        fputs(_("minping-kiosk: libsodium failed to initialise\n"), stderr);
        return 1;
    }
    if (config_load(config_path, &cfg, &err) < 0) {
        fprintf(stderr, "minping-kiosk: %s\n", err.msg);
        return 1;
    }
    store *s = NULL;
    exporter_result res;
    int rc;
    if (old_db) {
        /* A damaged database set aside: read what can be read, never write. */
        store_salvage_info info;
        rc = store_open_salvage(old_db, &s, &info, &err);
        if (rc == 0)
            fprintf(stderr,
                    P_("minping-kiosk: %s: read %lld vote of database %s (seq %lld to %lld, "
                       "%lld missing between them)\n",
                       "minping-kiosk: %s: read %lld votes of database %s (seq %lld to %lld, "
                       "%lld missing between them)\n",
                       (unsigned long)info.rows),
                    old_db, (long long)info.rows, info.instance, (long long)info.first_seq,
                    (long long)info.last_seq, (long long)info.missing);
    } else {
        struct stat st;
        if (stat(cfg->db_path, &st) != 0 && errno == ENOENT) {
            fprintf(stderr,
                    _("minping-kiosk: this kiosk has no votes yet: it has never been started "
                      "(its database %s does not exist yet).  Nothing was exported; start the "
                      "kiosk with minping-kiosk --config %s, and export once it has votes.\n"),
                    cfg->db_path, config_path);
            config_free(cfg);
            return 1;
        }
        if (stat(cfg->db_path, &st) != 0) {
            fprintf(stderr, _("minping-kiosk: cannot read the kiosk's database %s: %s\n"),
                    cfg->db_path, strerror(errno));
            config_free(cfg);
            return 1;
        }
        rc = store_open(cfg->db_path, &s, &err);
    }
    if (rc == 0)
        rc = exporter_run(cfg, s, out, clock_utc_now(), &res, &err);
    store_close(s);
    config_free(cfg);
    if (rc < 0) {
        fprintf(stderr, _("minping-kiosk: export failed, nothing was written: %s\n"), err.msg);
        return 1;
    }
    if (res.followups > 0) {
        /* The reasons tapped on the thank-you screen travel in the same file. */
        printf(P_("%lld vote exported", "%lld votes exported", (unsigned long)res.rows),
               (long long)res.rows);
        printf(P_(", with %lld follow-up\n", ", with %lld follow-ups\n",
                  (unsigned long)res.followups),
               (long long)res.followups);
        printf("%s\n", res.path);
        return 0;
    }
    printf(P_("%lld vote exported\n%s\n", "%lld votes exported\n%s\n", (unsigned long)res.rows),
           (long long)res.rows, res.path);
    return 0;
}

int main(int argc, char **argv)
{
    i18n_init();
    if (argc > 1 && strcmp(argv[1], "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    const char *config_path = NULL, *dump_path = NULL;
    int demo = 0, win_w = 0, win_h = 0;
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"demo", no_argument, NULL, 'd'},
        {"window", required_argument, NULL, 'w'}, {"ui-dump", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'd': demo = 1; break;
        case 'u': dump_path = optarg; break;
        case 'w':
            if (parse_window(optarg, &win_w, &win_h) < 0) {
                fprintf(stderr, _("minping-kiosk: --window wants WIDTHxHEIGHT, e.g. 1280x800 "
                                  "(at least 320x240), not \"%s\"\n"), optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        case 'V': puts("minping-kiosk " MINPING_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || (!config_path && !demo) || (config_path && demo)) {
        fputs(optind < argc ? _("minping-kiosk: unexpected argument\n")
                            : _("minping-kiosk: give either --config FILE or --demo\n"),
              stderr);
        usage(stderr);
        return 2;
    }
    log_set_program("minping-kiosk");
    /* Blocks of 64 KiB and more (pixel buffers, rendered text, the PIN
     * hash's memory) get pages of their own that go back to the system when
     * freed; by default glibc raises this threshold after the first such
     * free and the next ones stay in the heap for good. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    /* One heap for both threads (the vote is committed on a worker thread
     * that waits for the next vote): a second arena would keep pages of its
     * own. */
    mallopt(M_ARENA_MAX, 1);
    if (sodium_init() < 0) {
        fputs(_("minping-kiosk: libsodium failed to initialise\n"), stderr);
        return 1;
    }

    mp_err err;
    kiosk_config *cfg = NULL;
    if ((demo ? load_demo_config(&cfg, &err) : config_load(config_path, &cfg, &err)) < 0) {
        fprintf(stderr, "minping-kiosk: %s\n", err.msg);
        return 1;
    }

    if (sem_init(&stop_sem, 0, 0) != 0) {
        fprintf(stderr, "minping-kiosk: sem_init: %s\n", strerror(errno));
        config_free(cfg);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    /* One line on what is missing (display, input, state folder) before
     * SDL tries, so a kiosk that cannot start says why. */
    char *state_dir = strdup(cfg->db_path);
    if (!state_dir) {
        fputs("minping-kiosk: out of memory\n", stderr);
        config_free(cfg);
        return 1;
    }
    preflight_env pf;
    preflight_env_from_system(&pf, dirname(state_dir));
    char pf_line[2048];
    if (preflight_check(&pf, pf_line, sizeof pf_line) > 0)
        log_warn("start-up check: %s", pf_line);
    else
        log_info("start-up check: %s", pf_line);
    free(state_dir);

    if (window_video_start(&err) < 0) {
        fprintf(stderr, "minping-kiosk: %s\n", err.msg);
        config_free(cfg);
        return 1;
    }
    if (TTF_Init() != 0) {
        fprintf(stderr, _("minping-kiosk: cannot start SDL_ttf: %s\n"), TTF_GetError());
        config_free(cfg);
        SDL_Quit();
        return 1;
    }
    int rc = 1;
    SDL_Window *win = NULL;
    SDL_Renderer *ren = NULL;
    app *a = NULL;
    svc *service = NULL;
    if (window_open(cfg->renderer, win_w, win_h, &win, &ren, &err) < 0) {
        fprintf(stderr, "minping-kiosk: %s\n", err.msg);
        goto out;
    }
    SDL_RendererInfo info;
    SDL_GetRendererInfo(ren, &info);
    int w, h;
    SDL_GetRendererOutputSize(ren, &w, &h);
    char *db_path = strdup(cfg->db_path);
    log_info("kiosk %s starting: %zu unit(s), database %s, %dx%d, renderer %s", cfg->id,
             cfg->n_units, db_path ? db_path : "?", w, h, info.name);
    free(db_path);
    const char *bl_dir = getenv("MINPING_BACKLIGHT_DIR");
    app_options opt = {.font_path = find_font(), .dump_path = dump_path,
                       .voice_dir = find_voice(),
                       .backlight_dir = bl_dir && *bl_dir ? bl_dir : BACKLIGHT_SYS_DIR};
    if (app_create(cfg, ren, w, h, &opt, clock_mono_ms(), &a, &err) < 0) {
        fprintf(stderr, "minping-kiosk: %s\n", err.msg);
        goto out;
    }
    cfg = NULL;

    service = svc_create(clock_mono_ms());
    stop_event = SDL_RegisterEvents(1);
    pthread_t waiter;
    int waiter_rc = pthread_create(&waiter, NULL, stop_waiter, NULL);
    if (waiter_rc != 0)
        log_warn("signal watcher not started (%s): SIGTERM is noticed only when the loop "
                 "wakes", strerror(waiter_rc));
    while (!stop_signal && !app_quit_requested(a)) {
        if (app_render(a))
            svc_ready(service); /* the first screen is shown */
        svc_tick(service, clock_mono_ms());
        SDL_Event ev;
        int64_t now = clock_mono_ms();
        if (SDL_WaitEventTimeout(&ev, svc_wait_ms(service, now, app_wait_ms(a, now)))) {
            do {
                if (ev.type == SDL_WINDOWEVENT &&
                    ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
                    SDL_GetRendererOutputSize(ren, &w, &h);
                    app_resize(a, w, h);
                }
                app_sdl_event(a, &ev, clock_mono_ms());
            } while (SDL_PollEvent(&ev));
        }
        app_tick(a, clock_mono_ms());
    }
    if (stop_signal)
        log_info("signal %d: shutting down", (int)stop_signal);
    if (waiter_rc == 0) {
        sem_post(&stop_sem); /* ends the watcher if no signal did */
        pthread_join(waiter, NULL);
    }
    svc_stopping(service);
    rc = 0;
out:
    svc_destroy(service);
    app_destroy(a);
    config_free(cfg);
    if (ren)
        SDL_DestroyRenderer(ren);
    if (win)
        SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    if (rc == 0)
        log_info("kiosk stopped");
    return rc;
}

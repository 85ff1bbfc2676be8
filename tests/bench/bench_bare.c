/* bench_bare.c - the baseline of the kiosk's start-up, memory and idle
 * figures: a bare SDL program that starts SDL as the kiosk does, opens the
 * same window with the same renderer (app/kiosk/window.c), presents one frame
 * and writes a marker file the way the kiosk writes its ui-dump.  With
 * --stay it then sleeps in SDL_WaitEvent, as an idle kiosk would, until
 * SIGTERM.
 *
 *   bench_bare [--renderer software|gpu] [--window WxH] [--mark FILE] [--stay]
 */
#include "config.h"
#include "fsutil.h"
#include "window.h"

#include <SDL.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    int renderer = CONFIG_RENDERER_DEFAULT, w = 0, h = 0, stay = 0;
    const char *mark = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--renderer") == 0 && i + 1 < argc) {
            renderer = config_renderer_by_name(argv[++i]);
            if (renderer < 0) {
                fprintf(stderr, "bench_bare: --renderer is software or gpu\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
            if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 1 || h < 1) {
                fprintf(stderr, "bench_bare: --window wants WxH\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--mark") == 0 && i + 1 < argc) {
            mark = argv[++i];
        } else if (strcmp(argv[i], "--stay") == 0) {
            stay = 1;
        } else {
            fprintf(stderr, "usage: bench_bare [--renderer software|gpu] [--window WxH] "
                            "[--mark FILE] [--stay]\n");
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);

    mp_err err;
    SDL_Window *win;
    SDL_Renderer *ren;
    if (window_video_start(&err) < 0 || window_open(renderer, w, h, &win, &ren, &err) < 0) {
        fprintf(stderr, "bench_bare: %s\n", err.msg);
        return 1;
    }
    SDL_SetRenderDrawColor(ren, 0xF4, 0xF1, 0xEA, 255);
    SDL_RenderClear(ren);
    SDL_RenderPresent(ren);
    static const char json[] = "{\"screen\":\"bare\"}\n";
    if (mark && fs_write_atomic(mark, json, sizeof json - 1, 0644, &err) < 0) {
        fprintf(stderr, "bench_bare: %s\n", err.msg);
        return 1;
    }
    while (stay && !stop) {
        SDL_Event ev;
        if (SDL_WaitEventTimeout(&ev, 500))
            while (SDL_PollEvent(&ev)) {
            }
    }
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}

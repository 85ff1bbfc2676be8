/* window.c - SDL start-up, window and renderer (see window.h). */
#include "window.h"
#include "log.h"

int window_video_start(mp_err *err)
{
    /* One pointer stream: no synthesized mouse-from-touch or touch-from-mouse. */
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return mp_fail(err, "cannot start SDL video: %s", SDL_GetError());
    return 0;
}

static SDL_Renderer *software_renderer(SDL_Window *win)
{
    /* Without this hint SDL would, on Linux, open a hidden OpenGL window to
     * decide how to back the framebuffer: tens of megabytes of driver for a
     * renderer that never uses it.  Set with normal priority, so the
     * environment variable still wins. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    return SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
}

int window_open(int renderer, int w, int h, SDL_Window **win, SDL_Renderer **ren, mp_err *err)
{
    *win = NULL;
    *ren = NULL;
    Uint32 flags = SDL_WINDOW_SHOWN;
    SDL_Rect at = {SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h};
    if (!w) {
        /* Full screen: cover the display exactly from its corner, so that
         * without a window manager the window is not left off-centre. */
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
        if (SDL_GetDisplayBounds(0, &at) != 0)
            at = (SDL_Rect){0, 0, 1280, 800};
    }
    if (renderer == CONFIG_RENDERER_GPU)
        flags |= SDL_WINDOW_OPENGL; /* spares SDL re-creating the window */
    *win = SDL_CreateWindow("Minping 民主测评", at.x, at.y, at.w, at.h, flags);
    if (!*win)
        return mp_fail(err, "cannot open a window: %s", SDL_GetError());
    if (renderer == CONFIG_RENDERER_GPU) {
        *ren = SDL_CreateRenderer(*win, -1, SDL_RENDERER_ACCELERATED);
        if (!*ren)
            log_info("no accelerated renderer (%s): using the software one", SDL_GetError());
    }
    if (!*ren)
        *ren = software_renderer(*win);
    if (!*ren) {
        mp_fail(err, "cannot create a renderer: %s", SDL_GetError());
        SDL_DestroyWindow(*win);
        *win = NULL;
        return -1;
    }
    if (!w)
        SDL_ShowCursor(SDL_DISABLE);
    return 0;
}

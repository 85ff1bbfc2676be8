/* window.h - starting SDL's video and opening the kiosk's window and
 * renderer.  The kiosk and the benchmarks' bare SDL program (tests/bench)
 * both open their window here, so a baseline measures exactly the window and
 * renderer the kiosk gets. */
#ifndef MINPING_WINDOW_H
#define MINPING_WINDOW_H

#include "config.h"
#include "err.h"

#include <SDL.h>

/* Sets the kiosk's SDL hints (one pointer stream, no SDL signal handlers, no
 * quit on window close, no screen saver) and starts SDL's video and events. */
int window_video_start(mp_err *err);

/* Opens the window, full screen over display 0 (w == 0) or w x h in a
 * window, and its renderer:
 *   CONFIG_RENDERER_SOFTWARE  SDL's software renderer drawing straight into
 *                             the window's framebuffer (X11 shared memory);
 *                             SDL_FRAMEBUFFER_ACCELERATION is set to 0 so
 *                             SDL neither probes nor loads OpenGL;
 *   CONFIG_RENDERER_GPU       SDL's accelerated renderer (OpenGL or GLES
 *                             through the system's driver), falling back to
 *                             the software one when there is none.
 * No vsync: a frame is presented as soon as it is drawn.  The environment
 * variables SDL_RENDER_DRIVER and SDL_FRAMEBUFFER_ACCELERATION still override
 * this choice.  On failure nothing stays open. */
int window_open(int renderer, int w, int h, SDL_Window **win, SDL_Renderer **ren, mp_err *err);

#endif

/* input.h - turns SDL mouse and finger events into one pointer stream.
 *
 * A touch screen reports a finger event and, for the same touch, a mouse
 * event (synthesized by SDL with which == SDL_TOUCH_MOUSEID, or emulated by
 * the X server).  Only one press/release pair per physical tap comes out:
 * mouse events are ignored while a finger is down and shortly after one
 * lifts, and a second press while one is held is ignored.
 */
#ifndef MINPING_INPUT_H
#define MINPING_INPUT_H

#include "ui.h"

#include <SDL.h>
#include <stdint.h>

enum { INPUT_TOUCH_QUIET_MS = 800 }; /* mouse ignored this long after touch */

typedef enum input_source { INPUT_NONE, INPUT_MOUSE, INPUT_FINGER } input_source;

typedef struct input_state {
    input_source down;       /* source of the press being held, or NONE */
    SDL_FingerID finger;     /* the finger being held */
    int64_t last_touch_ms;   /* last finger event; -1 when none yet */
} input_state;

void input_init(input_state *in);

/* Translates ev (window of w x h pixels) at monotonic time now_ms.  Returns 1
 * and fills *out when ev becomes a pointer event, 0 when it is not one. */
int input_translate(input_state *in, const SDL_Event *ev, int w, int h, int64_t now_ms,
                    ui_pointer *out);

#endif

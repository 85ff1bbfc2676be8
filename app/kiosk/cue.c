/* cue.c - which spoken prompt (voice.h) the kiosk says, and when: the one
 * table of them.
 *
 * The kiosk speaks only in answer to a touch, so it never talks to an
 * empty room: a screen's prompt is said when a tap brought the screen (its
 * first frame shown), never when a timer did (start, the thank-you's
 * countdown, the idle reset, the opening hour).  A tap beside every button
 * says the screen's prompt again, for a citizen who cannot read it; so
 * does the 大字 switch.  A rating's name is said on its tap, before the vote
 * is stored; 谢谢您的评价 follows it once the thank-you is shown, which is
 * only after the vote is durably stored (a failed commit shows the error
 * screen, which says nothing).
 */
#include "app_int.h"

#include <stddef.h>

enum {
    CUE_SHOWN = -1, /* in place of a tag: the screen's first frame after a tap */
    CUE_ANY = -1,   /* in place of an arg: every element of that tag */
};

static const struct cue {
    const screen_class *screen;
    int tag;      /* CUE_SHOWN, TAG_NONE (a tap beside every button) or the
                     tapped element's tag */
    int arg;      /* the element's arg (TAG_RATE: the index in RATINGS) or CUE_ANY */
    voice_prompt prompt;
    int after;    /* said after what is playing rather than in its place */
} CUES[] = {
    {&screen_units, CUE_SHOWN, CUE_ANY, VOICE_UNITS, 0},
    {&screen_units, TAG_NONE, CUE_ANY, VOICE_UNITS, 0},
    {&screen_units, TAG_MODE_LARGE, CUE_ANY, VOICE_UNITS, 0},
    {&screen_rating, CUE_SHOWN, CUE_ANY, VOICE_RATING, 0},
    {&screen_rating, TAG_NONE, CUE_ANY, VOICE_RATING, 0},
    {&screen_rating, TAG_MODE_LARGE, CUE_ANY, VOICE_RATING, 0},
    {&screen_rating, TAG_RATE, 0, VOICE_RATE_10, 0}, /* RATINGS: best first */
    {&screen_rating, TAG_RATE, 1, VOICE_RATE_8, 0},
    {&screen_rating, TAG_RATE, 2, VOICE_RATE_6, 0},
    {&screen_rating, TAG_RATE, 3, VOICE_RATE_0, 0},
    {&screen_thanks, CUE_SHOWN, CUE_ANY, VOICE_THANKS, 1},
};
_Static_assert(RATING_COUNT == 4, "a prompt for each rating");

/* Says the prompt for (a->screen, tag, arg), if the table has one. */
static void cue(app *a, int tag, int arg)
{
    if (!a->voice)
        return;
    for (size_t i = 0; i < sizeof CUES / sizeof CUES[0]; i++) {
        const struct cue *c = &CUES[i];
        if (c->screen != a->screen || c->tag != tag || (c->arg != CUE_ANY && c->arg != arg))
            continue;
        if (c->after)
            voice_say_next(a->voice, c->prompt);
        else
            voice_say(a->voice, c->prompt);
        return;
    }
}

void app_cue_tap(app *a, const ui_element *e)
{
    cue(a, e ? e->tag : TAG_NONE, e ? e->arg : 0);
}

void app_cue_shown(app *a)
{
    cue(a, CUE_SHOWN, 0);
}

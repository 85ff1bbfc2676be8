/* app_int.h - the app's private state, shared by app.c and the screens. */
#ifndef MINPING_APP_INT_H
#define MINPING_APP_INT_H

#include "app.h"
#include "draw.h"
#include "input.h"
#include "layout.h"
#include "pin.h"
#include "qr.h"
#include "text.h"
#include "vote.h"
#include "votejob.h"

enum { APP_MAX_ELEMENTS = 160 };

/* A screen: a constant table of what it does.  Screens see taps on their
 * elements and timer ticks, never SDL events. */
typedef struct screen_class {
    const char *name;                               /* ui-dump screen name */
    void (*enter)(app *a);                          /* reset screen state */
    void (*layout)(app *a);                         /* add elements for a->m */
    void (*activate)(app *a, const ui_element *e);  /* a tap on e */
    void (*tick)(app *a);                           /* timers; may be NULL */
    void (*draw)(app *a);                           /* the whole frame */
    void (*presented)(app *a);                      /* after a frame is shown;
                                                       may be NULL */
    int hotspot;                                    /* staff hotspot shown */
    int idle_return;                                /* idle_seconds apply */
} screen_class;

/* Drops every cached shape, QR code, text layout and rendered line (they
 * are made again as frames need them). */
void app_drop_caches(app *a);

/* Draws screen s with the app's state as it stands (the caller sets what s
 * reads: a->last_points, a->pressed...), clipped to one pixel of the frame
 * being drawn, which is always drawn whole before it is shown: nothing of it
 * is seen, but the caches then hold its shapes and text, so that when the
 * screen comes its frame renders none.  What the layout sets (the elements,
 * the header's margins) is restored. */
void app_warm(app *a, const screen_class *s);

extern const screen_class screen_units, screen_rating, screen_thanks, screen_pin, screen_admin,
    screen_error;

struct app {
    kiosk_config *cfg;
    store *store;             /* NULL while storage cannot be opened */
    vote_burst *burst;
    pin_guard guard;
    vote_worker worker;       /* commits votes while the thanks frame is drawn */

    SDL_Renderer *ren;
    text_ctx *text;
    draw_ctx *draw;
    layout_metrics m;

    const screen_class *screen;
    ui_element el[APP_MAX_ELEMENTS];
    int n_el;

    input_state input;
    int pressed;              /* element index under the held press, or -1 */
    int64_t now;              /* monotonic ms of the event being handled */
    int64_t last_input;
    int64_t hold_deadline;    /* staff hotspot held until then; 0 = none */
    int swallow_release;      /* the held press opened the PIN pad */

    int dirty;                /* frame must be presented (and drawn) */
    int warmed;               /* the screen's presented hook has run */
    int drawn_ahead;          /* ...and is already drawn (app_draw_ahead) */
    int dump_pending;         /* ui-dump must be rewritten */
    char *dump_path;
    unsigned dump_serial;
    int quit;
    int64_t wake_at;          /* the screen's next timer, 0 = none */
    int header_side;          /* header margin kept free each side (layout) */

    /* Screen state. */
    int unit;                 /* index of the chosen unit */
    int unit_page;
    int last_points;          /* rating of the vote just stored */
    int64_t screen_since;     /* when the screen was entered */
    qr_code *qr;              /* the thanks screen's code... */
    char *qr_url;             /* ...of this survey address... */
    int qr_unit;              /* ...for this unit (-1: none) */
    int shown_secs;           /* countdown value on screen */
    char pin[PIN_MAX_DIGITS + 1];
    int pin_len;
    int pin_state;            /* 0 entering, 1 wrong, 2 locked */
    int admin_page;
    char admin_msg[600];      /* outcome of the last export, for staff */
    int admin_msg_bad;        /* 1 when admin_msg reports a failure */
    char status[sizeof(mp_err)]; /* last storage problem, for staff */
    char damaged_note[4400];  /* where a damaged database was set aside
                                 (this database replaced it), or "" */
    int64_t next_probe;
};

/* Switches to screen s (enter + layout; redraw and ui-dump follow). */
void app_go(app *a, const screen_class *s);
/* The screen a citizen starts on: unit choice, or rating with one unit. */
const screen_class *app_first_screen(const app *a);
/* Re-runs the current screen's layout (after a state change that moves or
 * enables elements) and schedules a redraw and a ui-dump. */
void app_relayout(app *a);
/* Marks the frame as changed: it is redrawn and presented by app_render.
 * Every change of what the screen shows goes through here (or relayout). */
void app_redraw(app *a);
/* Draws the frame now without presenting it; app_render presents it unless
 * app_redraw is called first.  For work that can overlap the drawing. */
void app_draw_ahead(app *a);
/* Adds an element for the current layout; returns it (never NULL: extra
 * elements beyond APP_MAX_ELEMENTS are an assertion failure). */
ui_element *app_add(app *a, const char *id, const char *label, ui_rect r, int touch);
/* Index of the element with this id, or -1. */
int app_find(const app *a, const char *id);
/* Tries to (re)open the vote store; records the problem in a->status.  A
 * damaged database is never written to or removed: it is set aside under a
 * dated name (store_set_aside), a new database is started in its place, and
 * a->damaged_note names the old file for the admin screen (also recorded in
 * the new database, so the note survives restarts). */
int app_open_store(app *a);
/* The admin screen's sentence about a->damaged_note (Chinese), or "". */
void app_damaged_notice(const app *a, char *buf, size_t len);

/* Makes a->qr the survey QR code of unit a->unit, unless it is already.
 * On failure a->qr is NULL and the problem logged (the thank-you still
 * shows, without a code). */
void app_prepare_qr(app *a);

/* Drawing helpers shared by screens. */
void app_draw_header(app *a, const char *title, const char *subtitle);
/* A card button for element i: shadow, fill (pressed/disabled aware), label. */
void app_draw_button(app *a, int i, uint32_t fill, uint32_t ink, int max_px);

#endif

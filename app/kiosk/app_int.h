/* app_int.h - the app's private state and the screen layer, shared by
 * app.c and the screens (the files in screens/).
 *
 * A screen is a constant table (screen_class).  Its layout fills a frame
 * (ui_frame) the caller passes, from the app and the screen's own state as
 * the frame says, without changing either; its draw reads them all as
 * const.  So the live frame and any scratch frame (app_warm) are made the
 * same way, and making one never disturbs the other. */
#ifndef MINPING_APP_INT_H
#define MINPING_APP_INT_H

#include "app.h"
#include "backlight.h"
#include "draw.h"
#include "health.h"
#include "input.h"
#include "layout.h"
#include "pin.h"
#include "qr.h"
#include "sign.h"
#include "text.h"
#include "theme.h"
#include "usbjob.h"
#include "voice.h"
#include "vote.h"
#include "votejob.h"

enum { APP_MAX_ELEMENTS = 160 };

/* What an element is, for the screen that laid it out (ui_element.tag);
 * ui_element.arg says which one (unit index, rating index, digit). */
typedef enum ui_tag {
    TAG_NONE,
    TAG_HOTSPOT,                                                 /* every screen with one */
    TAG_UNIT, TAG_PAGE_PREV, TAG_PAGE_NEXT, TAG_PAGE_LABEL,      /* units */
    TAG_BACK, TAG_RATE,                                          /* rating */
    TAG_QR, TAG_QR_CARD, TAG_THANKS_DONE, TAG_THANKS_TEXT,       /* thanks */
    TAG_PIN_DIGIT, TAG_PIN_DEL, TAG_PIN_OK, TAG_PIN_CANCEL, TAG_PIN_INFO, /* pin */
    TAG_ADMIN_CLOSE, TAG_ADMIN_EXPORT, TAG_ADMIN_PREV, TAG_ADMIN_NEXT, /* admin */
    TAG_ADMIN_QUIT, TAG_ADMIN_TABLE, TAG_ADMIN_NOTICE, TAG_ADMIN_MESSAGE,
    TAG_ADMIN_HEALTH, TAG_ADMIN_USB,
    TAG_MODE_LARGE,                                              /* the first screen */
    TAG_REASON, TAG_THANKS_NOTE,                                 /* thanks: reasons */
} ui_tag;

/* One laid-out frame of a screen. */
typedef struct ui_frame {
    const void *state;        /* the screen's state it shows (set by the caller;
                                 NULL for screens without one) */
    int header_side;          /* header margin kept free each side */
    int pressed;              /* element drawn held down, or -1 */
    int n_el;
    ui_element el[APP_MAX_ELEMENTS];
} ui_frame;

/* Each screen's own state. */
typedef struct units_state {
    int page;                 /* asked for; the layout shows the last page
                                 when there are fewer (units_page) */
} units_state;

/* What became of the reason buttons (screens/reasons.c). */
typedef enum reason_state {
    REASON_OPEN,              /* none tapped yet (or the last write failed) */
    REASON_STORED,            /* reason `chosen` is stored: all buttons off */
    REASON_FAILED,            /* the last write failed: nothing stored */
} reason_state;

typedef struct thanks_state {
    int points;               /* the rating given */
    int64_t since;            /* when it was shown */
    int shown_secs;           /* countdown value on screen */
    int64_t extra_ms;         /* the countdown lengthened by a reason tap */
    int64_t vote_seq;         /* the vote thanked (0: not stored yet) */
    reason_state reason;
    int chosen;               /* REASON_STORED: index into cfg->reasons */
} thanks_state;

typedef enum pinpad_mode { PINPAD_ENTERING, PINPAD_WRONG, PINPAD_LOCKED } pinpad_mode;

typedef struct pinpad_state {
    char digits[PIN_MAX_DIGITS + 1]; /* wiped after each try and on leaving */
    int len;
    pinpad_mode mode;
} pinpad_state;

typedef struct admin_state {
    int page;                 /* asked for (admin_page gives the one shown) */
    char msg[UI_LABEL_MAX];   /* outcome of the last export, for staff */
    int msg_bad;              /* 1 when msg reports a failure */
    /* Loaded when the screen is entered: */
    int have_store;
    int64_t total;            /* votes in the database, -1 unknown */
    char instance[9];         /* the database's id, first 8 characters */
    store_totals *totals;     /* per unit, cfg->n_units of them (or NULL) */
    int have_health;
    health health;            /* admin.health's figures */
    /* The USB stick (a->usb, when export_dir is not set): */
    usb_status usb;           /* as a->usb last published it */
    unsigned eject_ticket;    /* an eject under way (usb_worker_eject), 0 none */
    int eject_fallback;       /* ...of a stick udisks2 does not manage */
    int export_rc;            /* the export before it: result... */
    char export_zh[600];      /* ...and what it said */
} admin_state;

typedef struct error_state {
    int64_t next_probe;
} error_state;

/* A screen: a constant table of what it does.  Screens see taps on their
 * elements and timer ticks, never SDL events. */
typedef struct screen_class {
    const char *name;                                  /* ui-dump screen name */
    void (*enter)(app *a);                             /* set up its state, load
                                                          the data it shows */
    void (*leave)(app *a);                             /* release them; may be NULL */
    void (*layout)(const app *a, ui_frame *f);         /* add elements to f */
    void (*activate)(app *a, const ui_element *e);     /* a tap on e */
    void (*tick)(app *a);                              /* timers; may be NULL */
    void (*draw)(const app *a, const ui_frame *f);     /* the whole frame */
    void (*presented)(app *a);                         /* after its first frame
                                                          is shown; may be NULL */
    size_t state;             /* offsetof(struct app, its state), or 0: none */
    int hotspot;              /* staff hotspot shown */
    int idle_return;          /* idle_seconds apply */
} screen_class;

extern const screen_class screen_units, screen_rating, screen_thanks, screen_pin, screen_admin,
    screen_error, screen_sleep;

/* The press being held on a button: which element (by tag and arg, so that
 * it is found again when the screen is laid out anew) and where it was. */
typedef struct app_press {
    int held;
    int tag, arg;
    ui_rect at;               /* its rectangle when pressed */
} app_press;

struct app {
    kiosk_config *cfg;
    store *store;             /* NULL while storage cannot be opened */
    vote_burst *burst;
    pin_guard guard;
    vote_worker worker;       /* commits votes while the thanks frame is drawn */
    usb_worker *usb;          /* the admin screen's USB stick (no export_dir):
                                 made when the screen is first entered */
    voice *voice;             /* the spoken prompts; NULL: silent */

    SDL_Renderer *ren;
    text_ctx *text;
    draw_ctx *draw;
    layout_metrics m;         /* for the window and the text mode */
    int large;                /* 大字 mode: until the next idle reset */
    const theme_palette *pal; /* THEME_NORMAL or THEME_LARGE, as large says */

    const screen_class *screen;
    ui_frame frame;           /* the current screen's, as shown */

    input_state input;
    app_press press;
    int64_t now;              /* monotonic ms of the event being handled */
    int64_t last_input;
    int64_t (*utc_now)(void); /* the wall clock (tests set their own) */
    int64_t next_health_log;  /* monotonic ms of the next health: line */
    int64_t hold_deadline;    /* staff hotspot held until then; 0 = none */
    int swallow_release;      /* the held press opened the PIN pad */
    int press_beside;         /* the press being held hit no element */
    int tapping;              /* a tap is being handled (cue.c) */
    int cue_pending;          /* a tap brought this screen: its prompt is
                                 said with its first frame (cue.c) */

    int dirty;                /* frame must be presented (and drawn) */
    int warmed;               /* the screen's presented hook has run */
    int drawn_ahead;          /* ...and is already drawn (app_draw_ahead) */
    int dump_pending;         /* ui-dump must be rewritten */
    char *dump_path;
    unsigned dump_serial;
    int quit;
    backlight *backlight;     /* off while the sleep screen shows; NULL: none */
    int64_t wake_at;          /* the screen's next timer, 0 = none */
    void (*warm_hook)(app *a, void *user); /* app_set_warm_hook */
    void *warm_user;

    /* The citizen's way through the screens. */
    int unit;                 /* index of the chosen unit */
    int last_points;          /* rating of the vote just stored */
    int64_t screen_since;     /* when the screen was entered */
    qr_code *qr;              /* the thanks screen's code... */
    char *qr_url;             /* ...of this survey address... */
    int qr_unit;              /* ...for this unit (-1: none) */
    /* survey_url has {token}: each vote's code names it (fu_token.h),
     * signed with the kiosk's key, so it is made after the commit; until
     * then a->qr is a stand-in of the same size (the frame drawn ahead). */
    int fu_on;                /* the key is loaded and the URL wants tokens */
    sign_key fu_key;
    int64_t fu_last_seq;      /* seq of the last vote, to size the stand-in */

    /* Each screen's own state. */
    units_state units;
    thanks_state thanks;
    pinpad_state pin;
    admin_state admin;
    error_state error;

    char status[sizeof(mp_err)]; /* last storage problem, for staff */
    char damaged_note[4400];  /* where a damaged database was set aside
                                 (this database replaced it), or "" */
};

/* Switches to screen s (leave, enter + layout; redraw and ui-dump follow).
 * A press held on the old screen's button is dropped with it. */
void app_go(app *a, const screen_class *s);
/* The screen a citizen starts on: unit choice, or rating with one unit. */
const screen_class *app_first_screen(const app *a);
/* Lays the current screen out anew (after a state change that moves or
 * enables elements) and schedules a redraw and a ui-dump.  A press held on
 * a button stays held when the button is still there and enabled. */
void app_relayout(app *a);
/* Marks the frame as changed: it is redrawn and presented by app_render.
 * Every change of what the screen shows goes through here (or relayout). */
void app_redraw(app *a);
/* Draws the frame now without presenting it; app_render presents it unless
 * app_redraw is called first.  For work that can overlap the drawing. */
void app_draw_ahead(app *a);
/* Lays screen s out into f for the app as it stands and the screen state
 * st (the hotspot, the header's margins, then s->layout). */
void app_layout_frame(const app *a, const screen_class *s, const void *st, ui_frame *f);
/* Lays out and draws screen s with state st into a scratch frame, clipped
 * to one pixel of the frame being drawn, which is always drawn whole before
 * it is shown: nothing of it is seen, but the caches then hold its shapes
 * and text, so that when the screen comes its frame renders none.  The
 * current frame, press and screen are not touched. */
void app_warm(app *a, const screen_class *s, const void *st);
/* Adds an element to f; returns it (never NULL: extra elements beyond
 * APP_MAX_ELEMENTS are an assertion failure).  Enabled by default. */
ui_element *app_add(ui_frame *f, int tag, int arg, const char *id, const char *label, ui_rect r,
                    int touch);
/* Index of the first element of f with this tag, or -1. */
int app_find_tag(const ui_frame *f, int tag);
/* Drops every cached shape, QR code, text layout and rendered line (they
 * are made again as frames need them). */
void app_drop_caches(app *a);
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
/* With {token} in survey_url (a->fu_on): replaces a->qr with the code whose
 * link names vote v (just stored at a->unit), and puts it into the
 * thanks frame: over the frame drawn ahead when the code has the stand-in's
 * size (only the code is drawn again), else by laying the frame out anew.
 * On failure the frame shows no code (never another vote's) and the problem
 * is logged.  Without {token} it does nothing. */
void app_vote_qr(app *a, const store_vote *v);
/* The thanks screen's state for a vote of `points` shown now. */
void thanks_state_init(const app *a, thanks_state *t, int points);

/* The reason buttons of the thank-you screen (screens/reasons.c).  Offered
 * after 一般 and 不满意 when kiosk.ini lists reasons. */
int reasons_offered(const app *a, const thanks_state *t);
/* Rows the buttons take in a band w pixels wide, in a column h high (0
 * when not offered). */
int reasons_rows(const app *a, const thanks_state *t, int w, int h);
/* Adds reason.1 ... reason.N into band (rows as reasons_rows gave), and
 * thanks.note (what the citizen is told about them) into note. */
void reasons_layout(const app *a, const thanks_state *t, ui_rect band, int rows, ui_rect note,
                    ui_frame *f);
/* A tap on reason button idx: stores the follow-up of the vote thanked
 * through the vote worker, and only once it is durable shows it stored. */
void reasons_tap(app *a, int idx);
/* Draws the reason buttons and the note of f. */
void reasons_draw(const app *a, const ui_frame *f);

/* Is it within kiosk.ini's open hours now (the app's UTC clock, the local
 * offset)?  Always 1 without open_hours and open_days. */
int app_is_open(const app *a);
/* app_wait_ms on the sleep screen: until the opening time, the next
 * health: line or SLEEP_MAX_WAIT_MS, whichever comes first. */
int sleep_wait_ms(const app *a, int64_t now_ms);

/* The admin screen's health text (Chinese, two lines) for h; *bad is set
 * when the clock is wrong (shown in red). */
void admin_health_text(const app *a, const health *h, char *buf, size_t n, int *bad);
/* Logs the health: line when it is due (at start, then once an hour). */
void app_health_tick(app *a);

/* Switches 大字 mode on or off: palette, text sizes, caches, relayout. */
void app_set_large(app *a, int on);

/* The spoken prompts (cue.c, the table of which prompt when): a tap on
 * element e of the current screen, before it acts (NULL: a tap beside
 * every button); the current screen's first frame shown after a tap. */
void app_cue_tap(app *a, const ui_element *e);
void app_cue_shown(app *a);

/* Drawing helpers shared by screens. */
void app_draw_header(const app *a, const ui_frame *f, const char *title, const char *subtitle);
/* A card button for element i of f: shadow, fill (pressed/disabled aware), label. */
void app_draw_button(const app *a, const ui_frame *f, int i, uint32_t fill, uint32_t ink,
                     int max_px);

#endif

/* ui.h - types shared by the kiosk shell: rectangles, touch targets and the
 * single pointer stream that screens see (never an SDL_Event). */
#ifndef MINPING_UI_H
#define MINPING_UI_H

typedef struct ui_rect {
    int x, y, w, h;
} ui_rect;

static inline int ui_rect_contains(ui_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static inline ui_rect ui_rect_inset(ui_rect r, int d)
{
    ui_rect o = {r.x + d, r.y + d, r.w - 2 * d, r.h - 2 * d};
    if (o.w < 0)
        o.w = 0;
    if (o.h < 0)
        o.h = 0;
    return o;
}

/* One event of the pointer stream: a press, a move while pressed, a release. */
typedef enum ui_pointer_kind { UI_PRESS, UI_MOVE, UI_RELEASE } ui_pointer_kind;

typedef struct ui_pointer {
    ui_pointer_kind kind;
    int x, y; /* window pixels */
} ui_pointer;

enum { UI_ID_MAX = 48, UI_LABEL_MAX = 640 };

/* A touch target (or, with touch = 0, a listed element such as the QR code).
 * The id and label are what the ui-dump lists; the screens tell their
 * elements apart by tag (the screen's own enum) and arg (which unit,
 * rating, digit...), never by the id's text. */
typedef struct ui_element {
    int tag;
    int arg;
    char id[UI_ID_MAX];
    char label[UI_LABEL_MAX];
    ui_rect r;
    int touch;   /* responds to taps */
    int enabled; /* drawn active; taps ignored when 0 */
} ui_element;

#endif

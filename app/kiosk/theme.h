/* theme.h - the kiosk's compile-time look, in one reviewed table: every
 * colour, the shadow, the proportions (fractions of the window's short side,
 * "S", in permille) and font sizes.  Runtime deployment settings live in
 * kiosk.ini instead.  The limits the screens rely on are checked at compile
 * time below. */
#ifndef MINPING_THEME_H
#define MINPING_THEME_H

#include "rating.h"

#include <stdint.h>

/* Colours, 0xRRGGBB, in two palettes: the normal one and the 大字 (large
 * text, high contrast) one a citizen can switch to on the first screen.
 * Screens take every colour from the app's current palette (a->pal). */
typedef struct theme_palette {
    uint32_t bg;              /* screen background */
    uint32_t header;          /* title band */
    uint32_t header_text;
    uint32_t header_subtext;  /* the band's second line */
    uint32_t text;            /* body text on bg */
    uint32_t text_soft;       /* secondary text, disabled labels */
    uint32_t card;            /* buttons on the unit, PIN and admin screens */
    uint32_t card_text;       /* ink on card and quiet_key */
    uint32_t card_pressed;
    uint32_t panel;           /* the admin table, the QR code's card (text: text) */
    uint32_t row_stripe;      /* every other row of the admin table */
    uint32_t on_colour;       /* ink on coloured buttons and faces */
    uint32_t accent;          /* primary action */
    uint32_t ok;              /* export button, export succeeded */
    uint32_t quiet_key;       /* the PIN pad's cancel */
    uint32_t dot_empty;       /* a PIN digit not yet entered */
    uint32_t danger;          /* a button or sign: white ink on it */
    uint32_t ok_text;         /* good news, on bg */
    uint32_t danger_text;     /* bad news, on bg */
    uint32_t toggle;          /* the 大字 switch */
    uint32_t toggle_text;
    /* Ratings, green to red, in RATINGS order (10, 8, 6, 0): the button,
     * its pressed shade and the face's features, and text in that colour on
     * bg. */
    uint32_t rating[RATING_COUNT];
    uint32_t rating_dark[RATING_COUNT];
    uint32_t rating_ink[RATING_COUNT];
} theme_palette;

static const theme_palette THEME_NORMAL = {
    .bg = 0xF3F5F7u, .header = 0x1F4E79u, .header_text = 0xFFFFFFu,
    .header_subtext = 0xD6E4F0u, .text = 0x1F2933u, .text_soft = 0x52606Du,
    .card = 0xFFFFFFu, .card_text = 0x1F2933u, .card_pressed = 0xD9E6F2u,
    .panel = 0xFFFFFFu, .row_stripe = 0xF0F4F8u, .on_colour = 0xFFFFFFu,
    .accent = 0x1F6FB2u, .ok = 0x1E8E4Eu, .quiet_key = 0xE4E8ECu, .dot_empty = 0xC5CED6u,
    .danger = 0xC0392Bu, .ok_text = 0x1E8E4Eu, .danger_text = 0xC0392Bu, .toggle = 0xFFD400u, .toggle_text = 0x000000u,
    .rating = {0x1E8E4Eu, 0x5E9E2Eu, 0xD98500u, 0xD64541u},
    .rating_dark = {0x12633Au, 0x3F6E1Cu, 0x8F5800u, 0x9E2B24u},
    .rating_ink = {0x12633Au, 0x3F6E1Cu, 0x8F5800u, 0x9E2B24u},
};

/* 大字: white and yellow on black; yellow cards with black ink; coloured
 * buttons dark enough for white ink at a contrast of 7:1 or more. */
static const theme_palette THEME_LARGE = {
    .bg = 0x000000u, .header = 0x000000u, .header_text = 0xFFE500u,
    .header_subtext = 0xFFFFFFu, .text = 0xFFFFFFu, .text_soft = 0xE6E6E6u,
    .card = 0xFFE500u, .card_text = 0x000000u, .card_pressed = 0xB3A000u,
    .panel = 0x141414u, .row_stripe = 0x2B2B2Bu, .on_colour = 0xFFFFFFu,
    .accent = 0x0B4A85u, .ok = 0x0B5E30u, .quiet_key = 0xFFFFFFu, .dot_empty = 0x5C5C5Cu,
    .danger = 0xB3261Eu, .ok_text = 0x5BE08Fu, .danger_text = 0xFF7A70u, .toggle = 0xFFFFFFu, .toggle_text = 0x000000u,
    .rating = {0x0B5E30u, 0x335C10u, 0x7A4A00u, 0x8E1F19u},
    .rating_dark = {0x05331Au, 0x1C3408u, 0x432900u, 0x4F110Eu},
    .rating_ink = {0x5BE08Fu, 0xB5E36Fu, 0xFFC247u, 0xFF7A70u},
};

/* 大字: text sizes (title, body, small print) grow by this much, in percent;
 * the layout rules (button sizes, the QR code) stay as they are. */
#define THEME_LARGE_TEXT_PERCENT 140

/* Shadow under cards: colour, opacity (0-255), blur = radius / 2 + BLUR_PX,
 * dropped by a third of the blur. */
#define THEME_SHADOW 0x0B1F33u
#define THEME_SHADOW_ALPHA 46
#define THEME_SHADOW_BLUR_PX 4

/* Shades (draw_mix weights, 0-255): a disabled card is its colour faded
 * into the background, a pressed one darkened; the back button is white
 * glass over the header band. */
#define THEME_DISABLED_MIX 110
#define THEME_PRESSED_MIX 50
#define THEME_GLASS_MIX 40
#define THEME_GLASS_PRESSED_MIX 90

/* Proportions of S = min(window width, window height), in permille. */
#define THEME_PAD_PERMILLE 35       /* outer margin */
#define THEME_GAP_PERMILLE 25       /* between buttons */
#define THEME_HEADER_PERMILLE 150   /* title band height */
#define THEME_RADIUS_PERMILLE 30    /* button corner radius */
#define THEME_HOTSPOT_PERMILLE 120  /* admin hotspot square, top-left corner */
/* The 15 % rule (contract): every button a citizen or staff member taps is
 * at least 15 % of S in both directions; the action buttons (thanks.done,
 * the PIN pad's cancel, the admin bar, the unit pages) are exactly that high. */
#define THEME_BUTTON_PERMILLE 150
#define THEME_UNIT_MIN_W_PERMILLE 360 /* unit button minimum width */
#define THEME_QR_MIN_PERMILLE 340   /* QR code side incl. quiet zone, at least S/3 */

#define THEME_FRAC(p) ((p) / 1000.0)
#define THEME_PAD THEME_FRAC(THEME_PAD_PERMILLE)
#define THEME_GAP THEME_FRAC(THEME_GAP_PERMILLE)
#define THEME_HEADER_H THEME_FRAC(THEME_HEADER_PERMILLE)
#define THEME_RADIUS THEME_FRAC(THEME_RADIUS_PERMILLE)
#define THEME_HOTSPOT THEME_FRAC(THEME_HOTSPOT_PERMILLE)
#define THEME_BUTTON THEME_FRAC(THEME_BUTTON_PERMILLE)
#define THEME_RATE_MIN THEME_BUTTON
#define THEME_UNIT_MIN_H THEME_BUTTON
#define THEME_UNIT_MIN_W THEME_FRAC(THEME_UNIT_MIN_W_PERMILLE)
#define THEME_QR_MIN THEME_FRAC(THEME_QR_MIN_PERMILLE)

/* Font sizes, fractions of S. */
#define THEME_TITLE_PX 0.062      /* title font size */
#define THEME_BODY_PX 0.045       /* body font size */
#define THEME_SMALL_PX 0.034      /* small print */
#define THEME_RATE_LABEL_PX 0.11  /* a rating button's label, at most */
#define THEME_THANKS_PX 0.1       /* the thank-you line */
#define THEME_MIN_PX 14           /* no text smaller than this, in pixels */

/* Timing. */
#define THEME_HOLD_MS 3000        /* staff hotspot press-and-hold */
#define THEME_PROBE_MS 5000       /* storage re-check while out of service */
#define THEME_REASON_LINGER_MS 5000 /* the thank-you stays at least this long
                                       after a reason is stored */

_Static_assert(THEME_BUTTON_PERMILLE >= 150, "buttons must be at least 15% of S");
_Static_assert(THEME_QR_MIN_PERMILLE * 3 >= 1000, "the QR code must be at least a third of S");
/* The RATING_COUNT rating buttons, at least 15 % of S each, fit in a row
 * (landscape) or a column (portrait) of a square window under the header. */
_Static_assert(THEME_HEADER_PERMILLE + 2 * THEME_PAD_PERMILLE +
                       RATING_COUNT * THEME_BUTTON_PERMILLE +
                       (RATING_COUNT - 1) * THEME_GAP_PERMILLE <=
                   1000,
               "the rating buttons no longer fit at 15% of S each");
_Static_assert(THEME_HOTSPOT_PERMILLE <= THEME_HEADER_PERMILLE,
               "the staff hotspot lies within the header band");

#endif

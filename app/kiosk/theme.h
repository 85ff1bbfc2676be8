/* theme.h - the kiosk's compile-time look, in one reviewed table: every
 * colour, the shadow, the proportions (fractions of the window's short side,
 * "S", in permille) and font sizes.  Runtime deployment settings live in
 * kiosk.ini instead.  The limits the screens rely on are checked at compile
 * time below. */
#ifndef MINPING_THEME_H
#define MINPING_THEME_H

#include "rating.h"

#include <stdint.h>

/* Colours, 0xRRGGBB. */
#define THEME_BG 0xF3F5F7u          /* screen background */
#define THEME_HEADER 0x1F4E79u      /* title band */
#define THEME_HEADER_TEXT 0xFFFFFFu
#define THEME_HEADER_SUBTEXT 0xD6E4F0u /* the band's second line */
#define THEME_TEXT 0x1F2933u        /* body text */
#define THEME_TEXT_SOFT 0x52606Du   /* secondary text, disabled labels */
#define THEME_CARD 0xFFFFFFu        /* buttons on the unit and PIN screens */
#define THEME_CARD_PRESSED 0xD9E6F2u
#define THEME_PANEL 0xFFFFFFu       /* the admin table, the QR code's card */
#define THEME_ROW_STRIPE 0xF0F4F8u  /* every other row of the admin table */
#define THEME_ON_COLOUR 0xFFFFFFu   /* ink on coloured buttons and faces */
#define THEME_ACCENT 0x1F6FB2u      /* primary action */
#define THEME_OK 0x1E8E4Eu          /* export button, export succeeded */
#define THEME_QUIET_KEY 0xE4E8ECu   /* the PIN pad's cancel */
#define THEME_DOT_EMPTY 0xC5CED6u   /* a PIN digit not yet entered */
#define THEME_DANGER 0xC0392Bu

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

/* Rating colours, green to red, in RATINGS order (10, 8, 6, 0). */
static const uint32_t THEME_RATING[RATING_COUNT] = {0x1E8E4Eu, 0x5E9E2Eu, 0xD98500u, 0xD64541u};
static const uint32_t THEME_RATING_DARK[RATING_COUNT] = {0x12633Au, 0x3F6E1Cu, 0x8F5800u,
                                                         0x9E2B24u};

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

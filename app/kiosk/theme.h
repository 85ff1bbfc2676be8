/* theme.h - the kiosk's compile-time look, in one reviewed table: colours,
 * proportions (fractions of the window's short side, "S") and font sizes.
 * Runtime deployment settings live in kiosk.ini instead. */
#ifndef MINPING_THEME_H
#define MINPING_THEME_H

#include <stdint.h>

/* Colours, 0xRRGGBB. */
#define THEME_BG 0xF3F5F7u          /* screen background */
#define THEME_HEADER 0x1F4E79u      /* title band */
#define THEME_HEADER_TEXT 0xFFFFFFu
#define THEME_TEXT 0x1F2933u        /* body text */
#define THEME_TEXT_SOFT 0x52606Du   /* secondary text */
#define THEME_CARD 0xFFFFFFu        /* buttons on the unit and PIN screens */
#define THEME_CARD_PRESSED 0xD9E6F2u
#define THEME_ACCENT 0x1F6FB2u      /* primary action */
#define THEME_DANGER 0xC0392Bu
#define THEME_SHADOW 0x0B1F33u

/* Rating colours, green to red, in RATINGS order (10, 8, 6, 0). */
static const uint32_t THEME_RATING[4] = {0x1E8E4Eu, 0x5E9E2Eu, 0xD98500u, 0xD64541u};
static const uint32_t THEME_RATING_DARK[4] = {0x12633Au, 0x3F6E1Cu, 0x8F5800u, 0x9E2B24u};

/* Proportions of S = min(window width, window height). */
#define THEME_PAD 0.035           /* outer margin */
#define THEME_GAP 0.025           /* between buttons */
#define THEME_HEADER_H 0.15       /* title band height */
#define THEME_RADIUS 0.03         /* button corner radius */
#define THEME_HOTSPOT 0.12        /* admin hotspot square, top-left corner */
#define THEME_RATE_MIN_PERMILLE 150 /* each rating button, both directions (contract) */
#define THEME_RATE_MIN (THEME_RATE_MIN_PERMILLE / 1000.0)
#define THEME_UNIT_MIN_H 0.15     /* unit button minimum height */
#define THEME_UNIT_MIN_W 0.36     /* unit button minimum width */
#define THEME_QR_MIN_PERMILLE 340 /* QR code side incl. quiet zone, at least S/3 */
#define THEME_QR_MIN (THEME_QR_MIN_PERMILLE / 1000.0)
#define THEME_TITLE_PX 0.062      /* title font size */
#define THEME_BODY_PX 0.045       /* body font size */
#define THEME_SMALL_PX 0.034      /* small print */
#define THEME_MIN_PX 14           /* no text smaller than this, in pixels */

/* Timing. */
#define THEME_HOLD_MS 3000        /* staff hotspot press-and-hold */
#define THEME_PROBE_MS 5000       /* storage re-check while out of service */

_Static_assert(THEME_RATE_MIN_PERMILLE >= 150, "rating buttons must be at least 15% of S");
_Static_assert(THEME_QR_MIN_PERMILLE * 3 >= 1000, "the QR code must be at least a third of S");

#endif

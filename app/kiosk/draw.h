/* draw.h - drawing primitives of the kiosk on an SDL renderer: anti-aliased
 * rounded rectangles, shadows and faces (rendered once in software, cached as
 * small textures) and QR codes with whole-pixel modules. */
#ifndef MINPING_DRAW_H
#define MINPING_DRAW_H

#include "qr.h"
#include "ui.h"

#include <SDL.h>
#include <stdint.h>

typedef struct draw_ctx draw_ctx;

draw_ctx *draw_create(SDL_Renderer *ren);
void draw_destroy(draw_ctx *d);
/* Drops every cached texture (after a window resize). */
void draw_flush(draw_ctx *d);
/* The pixel bytes of the textures cached (shapes and the QR code). */
size_t draw_cached_bytes(const draw_ctx *d);
/* How many textures the caches have had to make so far. */
unsigned draw_cache_misses(const draw_ctx *d);

void draw_clear(draw_ctx *d, uint32_t rgb);
void draw_rect(draw_ctx *d, ui_rect r, uint32_t rgb);
/* Rounded rectangle; alpha 0-255. */
void draw_rrect(draw_ctx *d, ui_rect r, int radius, uint32_t rgb, int alpha);
/* A soft drop shadow under a rounded rectangle r of that radius, on a
 * background of colour bg.  For an opaque card drawn at r right after it:
 * only the rim is drawn (the card hides the middle), and drawn opaque, the
 * shadow already blended onto bg (a copy, where a blend would cost a
 * software renderer many times more).  So the rim, which reaches at most
 * radius/4 + 2 pixels beyond r's sides and top, must lie on bg, not on
 * another card: the layouts' gaps between cards are wider than that. */
void draw_shadow(draw_ctx *d, ui_rect r, int radius, uint32_t bg);
/* The face of a rating, centred in r (a square of the smaller side), on a
 * background of colour bg (the square around the disc is drawn in it:
 * copying an opaque square costs far less than blending one). */
void draw_face(draw_ctx *d, ui_rect r, int points, uint32_t face, uint32_t ink, uint32_t bg);

/* over drawn with opacity alpha (0-255) onto under, as the renderer blends:
 * the one colour a translucent fill would give, to draw opaque instead. */
uint32_t draw_mix(uint32_t under, uint32_t over, int alpha);

/* Draws qr with module size `module` px and a white quiet zone of
 * QR_QUIET_MODULES, its top-left at (x, y).  Returns the side drawn. */
int draw_qr(draw_ctx *d, const qr_code *qr, int x, int y, int module);
/* The same pixels, drawn as filled runs without making (or caching) a
 * texture: for a code shown once, drawn while a citizen waits. */
int draw_qr_runs(draw_ctx *d, const qr_code *qr, int x, int y, int module);

#endif

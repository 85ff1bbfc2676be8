/* text.h - the kiosk's one font (SDL_ttf), fitting Chinese text into boxes
 * (wrapping anywhere between characters, keeping Latin words whole) and
 * drawing it.  Sizes are in pixels. */
#ifndef MINPING_TEXT_H
#define MINPING_TEXT_H

#include "err.h"
#include "ui.h"

#include <SDL.h>
#include <stdint.h>

typedef struct text_ctx text_ctx;

/* Opens the font file (read as glyphs need it, never mapped; see text.c).
 * Requires TTF_Init.  Fitted layouts and rendered lines are cached
 * (text.c); text_close frees them, and must come before the renderer's end. */
int text_open(const char *font_path, text_ctx **out, mp_err *err);
void text_close(text_ctx *t);
/* Drops the cached layouts and line textures (after a window resize). */
void text_flush(text_ctx *t);
/* The pixel bytes of the line textures cached. */
size_t text_cached_bytes(const text_ctx *t);
/* How many layouts the cache has had to fit and lines to render so far. */
unsigned text_cache_misses(const text_ctx *t);

/* Returns 1 when the font has a glyph for every character of s; otherwise 0
 * and *missing receives the first uncovered code point. */
int text_covers(text_ctx *t, const char *s, uint32_t *missing);

enum { TEXT_MAX_LINES = 4 };

typedef struct text_layout {
    int px;                          /* chosen size; 0 when it does not fit */
    int n_lines;
    int line_h;                      /* pixels per line */
    int start[TEXT_MAX_LINES];       /* byte offsets into the string */
    int len[TEXT_MAX_LINES];
    int width[TEXT_MAX_LINES];
} text_layout;

/* Finds the largest size in [min_px, max_px] at which s fits into w x h in at
 * most max_lines lines (lines balanced in width).  Returns the size, 0 when
 * even min_px does not fit. */
int text_fit(text_ctx *t, const char *s, int w, int h, int min_px, int max_px, int max_lines,
             text_layout *out);

/* Horizontal alignment inside a box. */
typedef enum text_align { TEXT_LEFT, TEXT_CENTER, TEXT_RIGHT } text_align;

/* For bg below: what lies under the text is not one colour. */
#define TEXT_ON_ANY 0xFF000000u

/* Draws a fitted layout centred vertically in box, aligned horizontally, in
 * colour rgb.  bg is the solid colour (0xRRGGBB) under the text: each line
 * is then rendered onto it and copied as an opaque rectangle, which costs a
 * software renderer a small part of blending it; every pixel of the line's
 * rectangle must lie on bg.  TEXT_ON_ANY blends the text over whatever is
 * there. */
void text_draw(text_ctx *t, SDL_Renderer *ren, const char *s, const text_layout *lay, ui_rect box,
               uint32_t rgb, uint32_t bg, text_align align);

/* Fits and draws in one go; returns the size used (0: did not fit, nothing drawn). */
int text_box(text_ctx *t, SDL_Renderer *ren, const char *s, ui_rect box, int min_px, int max_px,
             int max_lines, uint32_t rgb, uint32_t bg, text_align align);

#endif

/* draw.c - cached shape textures and QR drawing. */
#include "draw.h"
#include "raster.h"

#include <stdlib.h>
#include <string.h>

enum { CACHE_MAX = 48, PROFILE_MAX = 512 };

typedef struct cached {
    int kind, w, h, a, b; /* key */
    uint32_t c1, c2;
    SDL_Texture *tex;
    uint8_t *profile;     /* K_SHADOW: alpha of each row of its straight edge */
    unsigned used;        /* last use, for eviction */
} cached;

struct draw_ctx {
    SDL_Renderer *ren;
    cached cache[CACHE_MAX];
    unsigned clock;
};

enum { K_RRECT, K_SHADOW, K_FACE };

/* The shadow's colour and opacity. */
#define SHADOW_RGB 0x0B1F33u
enum { SHADOW_ALPHA = 46 };

draw_ctx *draw_create(SDL_Renderer *ren)
{
    draw_ctx *d = calloc(1, sizeof *d);
    if (d)
        d->ren = ren;
    return d;
}

static void drop(cached *c)
{
    if (c->tex)
        SDL_DestroyTexture(c->tex);
    free(c->profile);
    memset(c, 0, sizeof *c);
}

void draw_flush(draw_ctx *d)
{
    for (int i = 0; i < CACHE_MAX; i++)
        drop(&d->cache[i]);
}

void draw_destroy(draw_ctx *d)
{
    if (!d)
        return;
    draw_flush(d);
    free(d);
}

static void set_color(draw_ctx *d, uint32_t rgb, int alpha)
{
    SDL_SetRenderDrawColor(d->ren, (Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb,
                           (Uint8)alpha);
}

void draw_clear(draw_ctx *d, uint32_t rgb)
{
    set_color(d, rgb, 255);
    SDL_RenderClear(d->ren);
}

void draw_rect(draw_ctx *d, ui_rect r, uint32_t rgb)
{
    set_color(d, rgb, 255);
    SDL_Rect s = {r.x, r.y, r.w, r.h};
    SDL_RenderFillRect(d->ren, &s);
}

/* Gives every pixel the colour rgb and scales its alpha by alpha/255. */
static void tint(uint32_t *px, size_t n, uint32_t rgb, int alpha)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t a = (px[i] >> 24) * (uint32_t)alpha;
        px[i] = ((a + 127) / 255) << 24 | (rgb & 0xFFFFFFu);
    }
}

/* Returns the cache entry for the key, rendering it on a miss.  Colours are
 * baked into the pixels: a texture drawn with colour or alpha modulation
 * takes the software renderer's slowest blitter. */
static cached *get(draw_ctx *d, int kind, int w, int h, int a, int b, uint32_t c1, uint32_t c2)
{
    d->clock++;
    int victim = 0;
    for (int i = 0; i < CACHE_MAX; i++) {
        cached *c = &d->cache[i];
        if (c->tex && c->kind == kind && c->w == w && c->h == h && c->a == a && c->b == b &&
            c->c1 == c1 && c->c2 == c2) {
            c->used = d->clock;
            return c;
        }
        if (!c->tex || (d->cache[victim].tex && c->used < d->cache[victim].used))
            victim = i;
    }
    if (w <= 0 || h <= 0 || (kind == K_SHADOW && h / 2 > PROFILE_MAX))
        return NULL;
    uint32_t *px = malloc((size_t)w * (size_t)h * sizeof *px);
    uint8_t *profile = kind == K_SHADOW ? malloc((size_t)h / 2) : NULL;
    if (!px || (kind == K_SHADOW && !profile)) {
        free(px);
        free(profile);
        return NULL;
    }
    switch (kind) {
    case K_RRECT:
        raster_rounded_rect(px, w, h, (float)a, 1.0f);
        tint(px, (size_t)w * (size_t)h, c1, 255);
        break;
    case K_SHADOW:
        raster_rounded_rect(px, w, h, (float)a, (float)b);
        tint(px, (size_t)w * (size_t)h, SHADOW_RGB, SHADOW_ALPHA);
        /* The column left of the middle lies on the straight top edge. */
        for (int y = 0; y < h / 2; y++)
            profile[y] = (uint8_t)(px[(size_t)y * (size_t)w + (size_t)(w / 2 - 1)] >> 24);
        break;
    default:
        raster_face(px, w, a, c1, c2);
        break;
    }
    SDL_Texture *tex = SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_ARGB8888,
                                         SDL_TEXTUREACCESS_STATIC, w, h);
    if (tex) {
        SDL_UpdateTexture(tex, NULL, px, w * (int)sizeof *px);
        SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    }
    free(px);
    if (!tex) {
        free(profile);
        return NULL;
    }
    cached *c = &d->cache[victim];
    drop(c);
    *c = (cached){kind, w, h, a, b, c1, c2, tex, profile, d->clock};
    return c;
}

/* Shapes are drawn in pieces: the four corners from a small cached texture
 * (the shape at its smallest, 2C x 2C, cut in quarters) and the rest as
 * plain rectangles.  Blending a texture the size of a card costs a software
 * renderer milliseconds a frame and holds megabytes a card; drawn like this a
 * card costs a few fills. */

static void copy_part(draw_ctx *d, SDL_Texture *tex, SDL_Rect src, SDL_Rect dst)
{
    if (dst.w > 0 && dst.h > 0)
        SDL_RenderCopy(d->ren, tex, &src, &dst);
}

static void fill(draw_ctx *d, int x, int y, int w, int h)
{
    if (w > 0 && h > 0)
        SDL_RenderFillRect(d->ren, &(SDL_Rect){x, y, w, h});
}

static void corners(draw_ctx *d, SDL_Texture *tex, int c, ui_rect r)
{
    int rx = r.x + r.w - c, by = r.y + r.h - c;
    copy_part(d, tex, (SDL_Rect){0, 0, c, c}, (SDL_Rect){r.x, r.y, c, c});
    copy_part(d, tex, (SDL_Rect){c, 0, c, c}, (SDL_Rect){rx, r.y, c, c});
    copy_part(d, tex, (SDL_Rect){0, c, c, c}, (SDL_Rect){r.x, by, c, c});
    copy_part(d, tex, (SDL_Rect){c, c, c, c}, (SDL_Rect){rx, by, c, c});
}

void draw_rrect(draw_ctx *d, ui_rect r, int radius, uint32_t rgb, int alpha)
{
    int c = radius;
    if (c > r.w / 2)
        c = r.w / 2;
    if (c > r.h / 2)
        c = r.h / 2;
    if (c < 0)
        c = 0;
    cached *e = c > 0 ? get(d, K_RRECT, 2 * c, 2 * c, c, 0, rgb & 0xFFFFFFu, 0) : NULL;
    if (e) {
        SDL_SetTextureAlphaMod(e->tex, (Uint8)alpha);
        corners(d, e->tex, c, r);
    } else {
        c = 0; /* square corners rather than none */
    }
    SDL_SetRenderDrawBlendMode(d->ren, alpha < 255 ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE);
    set_color(d, rgb, alpha);
    fill(d, r.x + c, r.y, r.w - 2 * c, c);
    fill(d, r.x, r.y + c, r.w, r.h - 2 * c);
    fill(d, r.x + c, r.y + r.h - c, r.w - 2 * c, c);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
}

void draw_shadow(draw_ctx *d, ui_rect r, int radius)
{
    int blur = radius / 2 + 4;
    ui_rect s = {r.x - blur / 2, r.y - blur / 2 + blur / 3, r.w + blur, r.h + blur};
    int ra = radius + blur / 2;
    /* Beyond c from an edge the shadow's profile no longer changes along it
     * (raster_rounded_rect: inset blur/2, then the corner radius). */
    int c = (blur + 1) / 2 + ra + 1;
    if (2 * c > s.w || 2 * c > s.h)
        return; /* smaller than its own blur: no shadow */
    cached *e = get(d, K_SHADOW, 2 * c, 2 * c, ra, blur, 0, 0);
    if (!e)
        return;
    corners(d, e->tex, c, s);
    /* The edges: rows of one alpha each along the straight sides. */
    int mw = s.w - 2 * c, mh = s.h - 2 * c;
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND);
    for (int k = 0; k < c; k++) {
        if (!e->profile[k])
            continue;
        set_color(d, SHADOW_RGB, e->profile[k]);
        fill(d, s.x + c, s.y + k, mw, 1);
        fill(d, s.x + c, s.y + s.h - 1 - k, mw, 1);
        fill(d, s.x + k, s.y + c, 1, mh);
        fill(d, s.x + s.w - 1 - k, s.y + c, 1, mh);
    }
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    /* The middle lies under the card (at least the radius inside its edges)
     * and is left out: draw_shadow is for opaque cards. */
}

void draw_face(draw_ctx *d, ui_rect r, int points, uint32_t face, uint32_t ink)
{
    int side = r.w < r.h ? r.w : r.h;
    cached *e = get(d, K_FACE, side, side, points, 0, face, ink);
    if (!e)
        return;
    SDL_Rect s = {r.x + (r.w - side) / 2, r.y + (r.h - side) / 2, side, side};
    SDL_RenderCopy(d->ren, e->tex, NULL, &s);
}

int draw_qr(draw_ctx *d, const qr_code *qr, int x, int y, int module)
{
    int q = QR_QUIET_MODULES;
    int side = (qr->width + 2 * q) * module;
    draw_rect(d, (ui_rect){x, y, side, side}, 0xFFFFFF);
    set_color(d, 0x000000, 255);
    /* One rectangle per horizontal run of dark modules, drawn in batches. */
    SDL_Rect runs[256];
    int n = 0;
    for (int row = 0; row < qr->width; row++) {
        int col = 0;
        while (col < qr->width) {
            if (!qr->dark[row * qr->width + col]) {
                col++;
                continue;
            }
            int start = col;
            while (col < qr->width && qr->dark[row * qr->width + col])
                col++;
            runs[n++] = (SDL_Rect){x + (q + start) * module, y + (q + row) * module,
                                   (col - start) * module, module};
            if (n == (int)(sizeof runs / sizeof runs[0])) {
                SDL_RenderFillRects(d->ren, runs, n);
                n = 0;
            }
        }
    }
    if (n > 0)
        SDL_RenderFillRects(d->ren, runs, n);
    return side;
}

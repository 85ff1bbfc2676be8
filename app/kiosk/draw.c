/* draw.c - cached shape textures and QR drawing. */
#include "draw.h"
#include "raster.h"
#include "theme.h"

#include <stdlib.h>
#include <string.h>

enum { CACHE_MAX = 96, PROFILE_MAX = 512 };

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
    unsigned misses;       /* textures made: shapes and QR codes */
    /* The QR code shown last, drawn whole: its modules as fills cost more. */
    SDL_Texture *qr_tex;
    uint32_t qr_hash;
    int qr_width, qr_module;
};

/* Shapes cached: rounded-rectangle corners, shadow corners (with the
 * profile of its edges), faces, and the visible strips of shadow edges
 * (K_EDGE_TOP ... K_EDGE_RIGHT, made from a shadow's profile). */
enum { K_RRECT, K_SHADOW, K_FACE, K_EDGE_TOP, K_EDGE_BOTTOM, K_EDGE_LEFT, K_EDGE_RIGHT };


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
    if (d->qr_tex)
        SDL_DestroyTexture(d->qr_tex);
    d->qr_tex = NULL;
}

size_t draw_cached_bytes(const draw_ctx *d)
{
    size_t n = 0;
    for (int i = 0; i < CACHE_MAX; i++)
        if (d->cache[i].tex)
            n += (size_t)d->cache[i].w * (size_t)d->cache[i].h * 4;
    if (d->qr_tex) {
        int side = (d->qr_width + 2 * QR_QUIET_MODULES) * d->qr_module;
        n += (size_t)side * (size_t)side * 4;
    }
    return n;
}

unsigned draw_cache_misses(const draw_ctx *d)
{
    return d->misses;
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

/* Fills a rectangle in the current colour and blend mode.  SDL's software
 * renderer fills an opaque row with 64-byte streaming stores from its first
 * 16-byte-aligned pixel: unless that is also the start of a 64-byte line,
 * every store straddles two lines and the fill is about five times slower
 * (measured at 1920x1080: 450x600 pixels 0.23 ms, the same from x = 1296
 * 0.04 ms).  So the columns left of the first x that is a multiple of 16
 * pixels (64 bytes; rows of 1920 or 3840 pixels keep that alignment) are a
 * fill of their own.  The pixels drawn are the same. */
static void fill(draw_ctx *d, int x, int y, int w, int h)
{
    if (w <= 0 || h <= 0)
        return;
    int head = (16 - (x & 15)) & 15;
    if (head > 0 && w > head + 16) {
        SDL_Rect parts[2] = {{x, y, head, h}, {x + head, y, w - head, h}};
        SDL_RenderFillRects(d->ren, parts, 2);
    } else {
        SDL_RenderFillRect(d->ren, &(SDL_Rect){x, y, w, h});
    }
}

void draw_rect(draw_ctx *d, ui_rect r, uint32_t rgb)
{
    set_color(d, rgb, 255);
    fill(d, r.x, r.y, r.w, r.h);
}

uint32_t draw_mix(uint32_t under, uint32_t over, int alpha)
{
    uint32_t out = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        uint32_t u = (under >> sh) & 0xFF, o = (over >> sh) & 0xFF;
        /* As SDL's software renderer blends a fill: each term rounded down. */
        uint32_t c = o * (uint32_t)alpha / 255 + u * (uint32_t)(255 - alpha) / 255;
        out |= c << sh;
    }
    return out;
}

/* Composites straight-alpha pixels onto bg, leaving them opaque. */
static void flatten(uint32_t *px, size_t n, uint32_t bg)
{
    for (size_t i = 0; i < n; i++)
        px[i] = 0xFF000000u | draw_mix(bg, px[i] & 0xFFFFFFu, (int)(px[i] >> 24));
}

/* Gives every pixel the colour rgb and scales its alpha by alpha/255. */
static void tint(uint32_t *px, size_t n, uint32_t rgb, int alpha)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t a = (px[i] >> 24) * (uint32_t)alpha;
        px[i] = ((a + 127) / 255) << 24 | (rgb & 0xFFFFFFu);
    }
}

/* One pixel of shadow at alpha al. */
static uint32_t shadow_px(uint8_t al)
{
    return (uint32_t)al << 24 | THEME_SHADOW;
}

/* Returns the cache entry for the key, rendering it on a miss.  Colours are
 * baked into the pixels (a texture drawn with colour or alpha modulation
 * takes the software renderer's slowest blitter), and all but corners are
 * flattened onto their background.  profile_in: for the edges of a shadow,
 * made from its profile (the shadow the key's a and b name); else NULL. */
static cached *get_shape(draw_ctx *d, int kind, int w, int h, int a, int b, uint32_t c1,
                         uint32_t c2, const uint8_t *profile_in)
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
    if (w <= 0 || h <= 0 || (kind == K_SHADOW && h / 2 > PROFILE_MAX) ||
        (kind >= K_EDGE_TOP && !profile_in))
        return NULL;
    d->misses++;
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
        tint(px, (size_t)w * (size_t)h, THEME_SHADOW, THEME_SHADOW_ALPHA);
        /* The column left of the middle lies on the straight top edge. */
        for (int y = 0; y < h / 2; y++)
            profile[y] = (uint8_t)(px[(size_t)y * (size_t)w + (size_t)(w / 2 - 1)] >> 24);
        flatten(px, (size_t)w * (size_t)h, c1); /* c1: the background */
        break;
    case K_FACE: /* b: the background colour it is flattened onto */
        raster_face(px, w, a, c1, c2);
        flatten(px, (size_t)w * (size_t)h, (uint32_t)b);
        break;
    default: /* an edge strip: row (or column) k from the outside in has profile_in[k] */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int k = kind == K_EDGE_TOP      ? y
                        : kind == K_EDGE_BOTTOM ? h - 1 - y
                        : kind == K_EDGE_LEFT   ? x
                                                : w - 1 - x;
                px[(size_t)y * (size_t)w + (size_t)x] = shadow_px(profile_in[k]);
            }
        flatten(px, (size_t)w * (size_t)h, c1);
        break;
    }
    /* All but rounded-rectangle corners are flattened onto their background:
     * opaque, in the window's usual format, copied without a blend. */
    int opaque = kind != K_RRECT;
    SDL_Texture *tex = SDL_CreateTexture(d->ren,
                                         opaque ? SDL_PIXELFORMAT_RGB888 : SDL_PIXELFORMAT_ARGB8888,
                                         SDL_TEXTUREACCESS_STATIC, w, h);
    if (tex && (SDL_UpdateTexture(tex, NULL, px, w * (int)sizeof *px) != 0 ||
                SDL_SetTextureBlendMode(tex, opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND) !=
                    0)) {
        SDL_DestroyTexture(tex);
        tex = NULL;
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

/* get_shape for shapes that need nothing beyond their key. */
static cached *get(draw_ctx *d, int kind, int w, int h, int a, int b, uint32_t c1, uint32_t c2)
{
    return get_shape(d, kind, w, h, a, b, c1, c2, NULL);
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

void draw_shadow(draw_ctx *d, ui_rect r, int radius, uint32_t bg)
{
    int blur = radius / 2 + THEME_SHADOW_BLUR_PX;
    ui_rect s = {r.x - blur / 2, r.y - blur / 2 + blur / 3, r.w + blur, r.h + blur};
    int ra = radius + blur / 2;
    /* Beyond c from an edge the shadow's profile no longer changes along it
     * (raster_rounded_rect: inset blur/2, then the corner radius). */
    int c = (blur + 1) / 2 + ra + 1;
    if (2 * c > s.w || 2 * c > s.h)
        return; /* smaller than its own blur: no shadow */
    bg &= 0xFFFFFFu;
    cached *e = get(d, K_SHADOW, 2 * c, 2 * c, ra, blur, bg, 0);
    if (!e)
        return;
    corners(d, e->tex, c, s);
    /* The edges: strips of rows of one shade each, only as deep as they
     * show: the card covers the rest from its own edge inwards. */
    uint8_t profile[PROFILE_MAX]; /* e may be evicted while strips are made */
    memcpy(profile, e->profile, (size_t)c);
    int mw = s.w - 2 * c, mh = s.h - 2 * c;
    int top = r.y - s.y, bottom = s.y + s.h - (r.y + r.h);
    int left = r.x - s.x, right = s.x + s.w - (r.x + r.w);
    const struct {
        int kind, w, h, x, y;
    } strips[4] = {
        {K_EDGE_TOP, mw, top, s.x + c, s.y},
        {K_EDGE_BOTTOM, mw, bottom, s.x + c, s.y + s.h - bottom},
        {K_EDGE_LEFT, left, mh, s.x, s.y + c},
        {K_EDGE_RIGHT, right, mh, s.x + s.w - right, s.y + c},
    };
    for (int i = 0; i < 4; i++) {
        int depth = strips[i].kind <= K_EDGE_BOTTOM ? strips[i].h : strips[i].w;
        if (depth <= 0 || depth > c || strips[i].w <= 0 || strips[i].h <= 0)
            continue;
        cached *st = get_shape(d, strips[i].kind, strips[i].w, strips[i].h, ra, blur, bg, 0,
                               profile);
        if (st)
            SDL_RenderCopy(d->ren, st->tex, NULL,
                           &(SDL_Rect){strips[i].x, strips[i].y, strips[i].w, strips[i].h});
    }
    /* The middle lies under the card and is left out too. */
}

void draw_face(draw_ctx *d, ui_rect r, int points, uint32_t face, uint32_t ink, uint32_t bg)
{
    int side = r.w < r.h ? r.w : r.h;
    cached *e = get_shape(d, K_FACE, side, side, points, (int)(bg & 0xFFFFFFu), face, ink, NULL);
    if (!e)
        return;
    SDL_Rect s = {r.x + (r.w - side) / 2, r.y + (r.h - side) / 2, side, side};
    SDL_RenderCopy(d->ren, e->tex, NULL, &s);
}

/* Without a texture (out of memory): one fill per run of dark modules. */
static int draw_qr_fills(draw_ctx *d, const qr_code *qr, int x, int y, int module)
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

/* FNV-1a over the modules. */
static uint32_t qr_hash(const qr_code *qr)
{
    uint32_t h = 2166136261u ^ (uint32_t)qr->width;
    for (int i = 0; i < qr->width * qr->width; i++)
        h = (h ^ qr->dark[i]) * 16777619u;
    return h;
}

/* The code with its quiet zone, opaque, in the window's usual pixel format
 * so that drawing it is a plain copy. */
static SDL_Texture *qr_texture(draw_ctx *d, const qr_code *qr, int module)
{
    uint32_t h = qr_hash(qr);
    if (d->qr_tex && d->qr_hash == h && d->qr_width == qr->width && d->qr_module == module)
        return d->qr_tex;
    d->misses++;
    int q = QR_QUIET_MODULES, cells = qr->width + 2 * q, side = cells * module;
    uint32_t *px = malloc((size_t)side * (size_t)side * sizeof *px);
    if (!px)
        return NULL;
    for (int y = 0; y < side; y++) {
        int row = y / module - q;
        for (int x = 0; x < side; x++) {
            int col = x / module - q;
            int dark = row >= 0 && row < qr->width && col >= 0 && col < qr->width &&
                       qr->dark[row * qr->width + col];
            px[(size_t)y * (size_t)side + (size_t)x] = dark ? 0xFF000000u : 0xFFFFFFFFu;
        }
    }
    SDL_Texture *tex =
        SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STATIC, side, side);
    if (tex && (SDL_UpdateTexture(tex, NULL, px, side * (int)sizeof *px) != 0 ||
                SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE) != 0)) {
        SDL_DestroyTexture(tex);
        tex = NULL;
    }
    free(px);
    if (!tex)
        return NULL;
    if (d->qr_tex)
        SDL_DestroyTexture(d->qr_tex);
    d->qr_tex = tex;
    d->qr_hash = h;
    d->qr_width = qr->width;
    d->qr_module = module;
    return tex;
}

int draw_qr_runs(draw_ctx *d, const qr_code *qr, int x, int y, int module)
{
    return draw_qr_fills(d, qr, x, y, module);
}

int draw_qr(draw_ctx *d, const qr_code *qr, int x, int y, int module)
{
    int side = (qr->width + 2 * QR_QUIET_MODULES) * module;
    SDL_Texture *tex = qr_texture(d, qr, module);
    if (tex) {
        SDL_RenderCopy(d->ren, tex, NULL, &(SDL_Rect){x, y, side, side});
        return side;
    }
    return draw_qr_fills(d, qr, x, y, module);
}

/* draw.c - cached shape textures and QR drawing. */
#include "draw.h"
#include "raster.h"

#include <stdlib.h>
#include <string.h>

enum { CACHE_MAX = 48 };

typedef struct cached {
    int kind, w, h, a, b; /* key */
    uint32_t c1, c2;
    SDL_Texture *tex;
    unsigned used;        /* last use, for eviction */
} cached;

struct draw_ctx {
    SDL_Renderer *ren;
    cached cache[CACHE_MAX];
    unsigned clock;
};

enum { K_RRECT, K_SHADOW, K_FACE };

draw_ctx *draw_create(SDL_Renderer *ren)
{
    draw_ctx *d = calloc(1, sizeof *d);
    if (d)
        d->ren = ren;
    return d;
}

void draw_flush(draw_ctx *d)
{
    for (int i = 0; i < CACHE_MAX; i++) {
        if (d->cache[i].tex)
            SDL_DestroyTexture(d->cache[i].tex);
        memset(&d->cache[i], 0, sizeof d->cache[i]);
    }
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

/* Returns the cached texture for the key, rendering it on a miss. */
static SDL_Texture *get(draw_ctx *d, int kind, int w, int h, int a, int b, uint32_t c1,
                        uint32_t c2)
{
    d->clock++;
    int victim = 0;
    for (int i = 0; i < CACHE_MAX; i++) {
        cached *c = &d->cache[i];
        if (c->tex && c->kind == kind && c->w == w && c->h == h && c->a == a && c->b == b &&
            c->c1 == c1 && c->c2 == c2) {
            c->used = d->clock;
            return c->tex;
        }
        if (!c->tex || (d->cache[victim].tex && c->used < d->cache[victim].used))
            victim = i;
    }
    if (w <= 0 || h <= 0)
        return NULL;
    uint32_t *px = malloc((size_t)w * (size_t)h * sizeof *px);
    if (!px)
        return NULL;
    switch (kind) {
    case K_RRECT:
        raster_rounded_rect(px, w, h, (float)a, 1.0f);
        break;
    case K_SHADOW:
        raster_rounded_rect(px, w, h, (float)a, (float)b);
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
    if (!tex)
        return NULL;
    cached *c = &d->cache[victim];
    if (c->tex)
        SDL_DestroyTexture(c->tex);
    *c = (cached){kind, w, h, a, b, c1, c2, tex, d->clock};
    return tex;
}

void draw_rrect(draw_ctx *d, ui_rect r, int radius, uint32_t rgb, int alpha)
{
    SDL_Texture *tex = get(d, K_RRECT, r.w, r.h, radius, 0, 0, 0);
    if (!tex) {
        draw_rect(d, r, rgb);
        return;
    }
    SDL_SetTextureColorMod(tex, (Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb);
    SDL_SetTextureAlphaMod(tex, (Uint8)alpha);
    SDL_Rect s = {r.x, r.y, r.w, r.h};
    SDL_RenderCopy(d->ren, tex, NULL, &s);
}

void draw_shadow(draw_ctx *d, ui_rect r, int radius)
{
    int blur = radius / 2 + 4;
    ui_rect s = {r.x - blur / 2, r.y - blur / 2 + blur / 3, r.w + blur, r.h + blur};
    SDL_Texture *tex = get(d, K_SHADOW, s.w, s.h, radius + blur / 2, blur, 0, 0);
    if (!tex)
        return;
    SDL_SetTextureColorMod(tex, 0x0B, 0x1F, 0x33);
    SDL_SetTextureAlphaMod(tex, 46);
    SDL_Rect sr = {s.x, s.y, s.w, s.h};
    SDL_RenderCopy(d->ren, tex, NULL, &sr);
}

void draw_face(draw_ctx *d, ui_rect r, int points, uint32_t face, uint32_t ink)
{
    int side = r.w < r.h ? r.w : r.h;
    SDL_Texture *tex = get(d, K_FACE, side, side, points, 0, face, ink);
    if (!tex)
        return;
    SDL_Rect s = {r.x + (r.w - side) / 2, r.y + (r.h - side) / 2, side, side};
    SDL_RenderCopy(d->ren, tex, NULL, &s);
}

int draw_qr(draw_ctx *d, const qr_code *qr, int x, int y, int module)
{
    int q = QR_QUIET_MODULES;
    int side = (qr->width + 2 * q) * module;
    draw_rect(d, (ui_rect){x, y, side, side}, 0xFFFFFF);
    set_color(d, 0x000000, 255);
    /* One rectangle per horizontal run of dark modules. */
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
            SDL_Rect s = {x + (q + start) * module, y + (q + row) * module,
                          (col - start) * module, module};
            SDL_RenderFillRect(d->ren, &s);
        }
    }
    return side;
}

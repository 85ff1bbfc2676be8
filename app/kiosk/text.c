/* text.c - font loading, fitting and drawing. */
#include "text.h"
#include "utf8.h"

#include <SDL_ttf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fitting a string (a binary search over sizes, each a wrap) and rendering
 * it (FreeType rasterises every glyph anew after a size change) cost
 * milliseconds; a kiosk draws the same few strings over and over.  So both
 * are cached: the layouts by string and box, the rendered lines as textures
 * by string, size and colour, each evicting the least recently used entry. */
enum {
    FIT_CACHE = 64,
    RUN_CACHE = 96,
    RUN_CACHE_BYTES = 6 << 20, /* texture pixels kept, at most */
};

typedef struct fit_entry {
    char *s;                    /* NULL: free slot */
    int w, h, min_px, max_px, max_lines;
    text_layout lay;
    unsigned used;
} fit_entry;

typedef struct run_entry {
    char *s;                    /* NULL: free slot */
    int px;
    uint32_t rgb, bg;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int w, h;
    unsigned used;
} run_entry;

struct text_ctx {
    TTF_Font *font;
    int px;                     /* current size of font */
    unsigned clock;
    unsigned misses;            /* layouts fitted and lines rendered */
    fit_entry fit[FIT_CACHE];
    run_entry run[RUN_CACHE];
    size_t run_bytes;
};

int text_open(const char *font_path, text_ctx **out, mp_err *err)
{
    text_ctx *t = calloc(1, sizeof *t);
    if (!t)
        return mp_fail(err, "out of memory");
    /* Read, not mapped: the font has tens of thousands of glyphs and a
     * kiosk shows a few hundred.  Through a stream FreeType reads just the
     * bytes of each glyph it loads (rendered lines are cached, so that is
     * seldom); a mapping keeps every page it touches resident, and the
     * kernel maps 64 KiB around each: 6.3 MB of this font after a visit
     * to each screen, against about 2 MB of tables FreeType keeps read. */
    int fd = open(font_path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    FILE *f = NULL;
    if (fd < 0 || fstat(fd, &st) < 0) {
        mp_fail(err, "cannot open font %s: %s", font_path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > INT_MAX) {
        mp_fail(err, "cannot open font %s: not a font file (%lld bytes)", font_path,
                (long long)st.st_size);
        goto fail;
    }
    f = fdopen(fd, "rb");
    if (!f) {
        mp_fail(err, "cannot open font %s: %s", font_path, strerror(errno));
        goto fail;
    }
    fd = -1; /* f owns it */
    SDL_RWops *rw = SDL_RWFromFP(f, SDL_TRUE);
    if (!rw) {
        mp_fail(err, "cannot open font %s: %s", font_path, SDL_GetError());
        goto fail;
    }
    f = NULL; /* rw owns it, and the font owns rw (closed with it, or on failure) */
    t->px = 32;
    t->font = TTF_OpenFontRW(rw, 1, t->px);
    if (!t->font) {
        mp_fail(err, "cannot open font %s: %s", font_path, TTF_GetError());
        goto fail;
    }
    TTF_SetFontHinting(t->font, TTF_HINTING_LIGHT);
    *out = t;
    return 0;
fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    free(t);
    return -1;
}

static void drop_run(text_ctx *t, run_entry *e)
{
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    t->run_bytes -= (size_t)e->w * (size_t)e->h * 4;
    free(e->s);
    memset(e, 0, sizeof *e);
}

void text_flush(text_ctx *t)
{
    for (int i = 0; i < RUN_CACHE; i++)
        if (t->run[i].s)
            drop_run(t, &t->run[i]);
    for (int i = 0; i < FIT_CACHE; i++) {
        free(t->fit[i].s);
        memset(&t->fit[i], 0, sizeof t->fit[i]);
    }
}

size_t text_cached_bytes(const text_ctx *t)
{
    return t->run_bytes;
}

unsigned text_cache_misses(const text_ctx *t)
{
    return t->misses;
}

void text_close(text_ctx *t)
{
    if (!t)
        return;
    text_flush(t);
    TTF_CloseFont(t->font);
    free(t);
}

static void set_px(text_ctx *t, int px)
{
    if (t->px != px && TTF_SetFontSize(t->font, px) == 0)
        t->px = px;
}

int text_covers(text_ctx *t, const char *s, uint32_t *missing)
{
    size_t len = strlen(s);
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(s, len, &cp);
        if (n == 0) {
            *missing = 0xFFFD;
            return 0;
        }
        if (cp != ' ' && !TTF_GlyphIsProvided32(t->font, cp)) {
            *missing = cp;
            return 0;
        }
        s += n;
        len -= n;
    }
    return 1;
}

static int width_of(text_ctx *t, const char *s, int len)
{
    char buf[512];
    if (len >= (int)sizeof buf)
        len = (int)sizeof buf - 1;
    memcpy(buf, s, (size_t)len);
    buf[len] = '\0';
    int w = 0, h = 0;
    if (TTF_SizeUTF8(t->font, buf, &w, &h) < 0)
        return 1 << 20;
    return w;
}

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Greedy wrap of s into lines no wider than max_w at the current size.
 * Returns the number of lines, or -1 when more than max_lines are needed or a
 * single character is wider than max_w. */
static int wrap(text_ctx *t, const char *s, int max_w, int max_lines, text_layout *lay)
{
    int total = (int)strlen(s);
    int pos = 0, n = 0;
    while (pos < total) {
        if (n == max_lines)
            return -1;
        /* Skip spaces at the start of a continuation line. */
        while (n > 0 && s[pos] == ' ')
            pos++;
        int extent = 0, count = 0;
        char buf[512];
        int rest = total - pos < (int)sizeof buf - 1 ? total - pos : (int)sizeof buf - 1;
        memcpy(buf, s + pos, (size_t)rest);
        buf[rest] = '\0';
        if (TTF_MeasureUTF8(t->font, buf, max_w, &extent, &count) < 0 || count == 0)
            return -1;
        /* count is in characters: convert to bytes. */
        int bytes = 0;
        for (int c = 0; c < count && bytes < rest; c++) {
            uint32_t cp;
            size_t k = utf8_decode(buf + bytes, (size_t)(rest - bytes), &cp);
            bytes += k ? (int)k : 1;
        }
        /* Do not split a Latin word or number if a space allows better. */
        if (bytes < rest && is_word_byte((unsigned char)buf[bytes]) &&
            bytes > 0 && is_word_byte((unsigned char)buf[bytes - 1])) {
            int b = bytes;
            while (b > 0 && is_word_byte((unsigned char)buf[b - 1]))
                b--;
            if (b > 0)
                bytes = b;
        }
        int line_len = bytes;
        while (line_len > 0 && buf[line_len - 1] == ' ')
            line_len--;
        lay->start[n] = pos;
        lay->len[n] = line_len;
        lay->width[n] = width_of(t, s + pos, line_len);
        n++;
        pos += bytes;
    }
    return n;
}

static int layout_at(text_ctx *t, const char *s, int w, int h, int px, int max_lines,
                     text_layout *lay)
{
    set_px(t, px);
    int line_h = TTF_FontLineSkip(t->font);
    int n = wrap(t, s, w, max_lines, lay);
    if (n < 0 || n * line_h > h)
        return 0;
    if (n > 1) {
        /* Balance: find the narrowest width that still needs only n lines. */
        int lo = width_of(t, s, (int)strlen(s)) / n, hi = w;
        text_layout best = *lay;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            text_layout trial;
            int m = wrap(t, s, mid, n, &trial);
            if (m == n) {
                best = trial;
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        *lay = best;
    }
    lay->n_lines = n;
    lay->line_h = line_h;
    lay->px = px;
    return 1;
}

static int fit_uncached(text_ctx *t, const char *s, int w, int h, int min_px, int max_px,
                        int max_lines, text_layout *out)
{
    memset(out, 0, sizeof *out);
    if (max_lines > TEXT_MAX_LINES)
        max_lines = TEXT_MAX_LINES;
    if (max_px < min_px || w <= 0 || h <= 0)
        return 0;
    text_layout lay;
    if (!layout_at(t, s, w, h, min_px, max_lines, &lay))
        return 0;
    *out = lay;
    int lo = min_px + 1, hi = max_px;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (layout_at(t, s, w, h, mid, max_lines, &lay)) {
            *out = lay;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return out->px;
}

int text_fit(text_ctx *t, const char *s, int w, int h, int min_px, int max_px, int max_lines,
             text_layout *out)
{
    t->clock++;
    fit_entry *victim = &t->fit[0];
    for (int i = 0; i < FIT_CACHE; i++) {
        fit_entry *e = &t->fit[i];
        if (e->s && e->w == w && e->h == h && e->min_px == min_px && e->max_px == max_px &&
            e->max_lines == max_lines && strcmp(e->s, s) == 0) {
            e->used = t->clock;
            *out = e->lay;
            return out->px;
        }
        if (!e->s || (victim->s && e->used < victim->used))
            victim = e;
    }
    t->misses++;
    int px = fit_uncached(t, s, w, h, min_px, max_px, max_lines, out);
    char *copy = strdup(s);
    if (copy) { /* else: not cached, still correct */
        free(victim->s);
        *victim = (fit_entry){copy, w, h, min_px, max_px, max_lines, *out, t->clock};
    }
    return px;
}

/* The texture of one line at size px in colour rgb on bg, rendered on a miss. */
static run_entry *get_run(text_ctx *t, SDL_Renderer *ren, const char *line, int px, uint32_t rgb,
                          uint32_t bg)
{
    t->clock++;
    run_entry *victim = &t->run[0];
    for (int i = 0; i < RUN_CACHE; i++) {
        run_entry *e = &t->run[i];
        if (e->s && e->px == px && e->rgb == rgb && e->bg == bg && e->ren == ren &&
            strcmp(e->s, line) == 0) {
            e->used = t->clock;
            return e;
        }
        if (!e->s || (victim->s && e->used < victim->used))
            victim = e;
    }
    t->misses++;
    set_px(t, px);
    SDL_Color c = {(Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255};
    SDL_Color b = {(Uint8)(bg >> 16), (Uint8)(bg >> 8), (Uint8)bg, 255};
    /* On a known colour: anti-aliased onto it (256 levels), no alpha, so the
     * texture is copied rather than blended. */
    SDL_Surface *surf = bg == TEXT_ON_ANY ? TTF_RenderUTF8_Blended(t->font, line, c)
                                          : TTF_RenderUTF8_Shaded(t->font, line, c, b);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(ren, surf);
    if (tex && bg != TEXT_ON_ANY && SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_NONE) != 0) {
        SDL_DestroyTexture(tex);
        tex = NULL;
    }
    int w = surf->w, h = surf->h;
    SDL_FreeSurface(surf);
    char *copy = tex ? strdup(line) : NULL;
    if (!copy) {
        if (tex)
            SDL_DestroyTexture(tex);
        return NULL;
    }
    if (victim->s)
        drop_run(t, victim);
    /* Keep the pixels held within budget: drop the oldest others first. */
    size_t bytes = (size_t)w * (size_t)h * 4;
    while (t->run_bytes + bytes > RUN_CACHE_BYTES) {
        run_entry *old = NULL;
        for (int i = 0; i < RUN_CACHE; i++)
            if (t->run[i].s && (!old || t->run[i].used < old->used))
                old = &t->run[i];
        if (!old)
            break;
        drop_run(t, old);
    }
    *victim = (run_entry){copy, px, rgb, bg, ren, tex, w, h, t->clock};
    t->run_bytes += bytes;
    return victim;
}

void text_draw(text_ctx *t, SDL_Renderer *ren, const char *s, const text_layout *lay, ui_rect box,
               uint32_t rgb, uint32_t bg, text_align align)
{
    if (lay->px <= 0)
        return;
    int total_h = lay->n_lines * lay->line_h;
    int y = box.y + (box.h - total_h) / 2;
    for (int i = 0; i < lay->n_lines; i++, y += lay->line_h) {
        char buf[512];
        int len = lay->len[i] < (int)sizeof buf - 1 ? lay->len[i] : (int)sizeof buf - 1;
        if (len <= 0)
            continue;
        memcpy(buf, s + lay->start[i], (size_t)len);
        buf[len] = '\0';
        run_entry *e = get_run(t, ren, buf, lay->px, rgb, bg);
        if (!e)
            continue;
        int x = align == TEXT_LEFT     ? box.x
                : align == TEXT_RIGHT ? box.x + box.w - e->w
                                      : box.x + (box.w - e->w) / 2;
        SDL_RenderCopy(ren, e->tex, NULL, &(SDL_Rect){x, y, e->w, e->h});
    }
}

int text_box(text_ctx *t, SDL_Renderer *ren, const char *s, ui_rect box, int min_px, int max_px,
             int max_lines, uint32_t rgb, uint32_t bg, text_align align)
{
    text_layout lay;
    /* The layouts are made so text fits at min_px; should it not, smaller
     * text is better than none. */
    if (!text_fit(t, s, box.w, box.h, min_px, max_px, max_lines, &lay) &&
        !text_fit(t, s, box.w, box.h, 6, min_px, max_lines, &lay))
        return 0;
    text_draw(t, ren, s, &lay, box, rgb, bg, align);
    return lay.px;
}

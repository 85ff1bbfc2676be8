/* check_ui_text.c - the kiosk's text: the layout and line caches keyed on
 * every parameter, text on a known background equal to blended text, the
 * font read (not mapped), and a unit name the font cannot show refused. */
#include "uitest.h"

#include "draw.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The caches' keys: a layout or a rendered line asked for with any one
 * parameter changed is never served from another's entry.  Each result from
 * one text_ctx, asked everything in turn (twice), equals a fresh text_ctx's. */
static void draw_variant(text_ctx *t, SDL_Renderer *r, const char *s, int px, uint32_t ink,
                         uint32_t bg)
{
    SDL_SetRenderDrawColor(r, 0x20, 0xC0, 0x40, 255); /* neither bg nor ink */
    SDL_RenderClear(r);
    ck_assert_int_gt(text_box(t, r, s, (ui_rect){0, 0, 300, 60}, px, px, 1, ink, bg, TEXT_LEFT),
                     0);
}

/* Counts the lines of /proc/self/maps that map path. */
static int mappings_of(const char *path)
{
    char *real = realpath(path, NULL);
    ck_assert_ptr_nonnull(real);
    FILE *f = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        size_t rl = strlen(real);
        n += len >= rl && strcmp(line + len - rl, real) == 0;
    }
    fclose(f);
    free(real);
    return n;
}

START_TEST(text_caches_never_mix_keys)
{
    static const struct {
        int w, h, min_px, max_px, lines;
    } fits[] = {{400, 80, 10, 48, 1}, {150, 80, 10, 48, 1}, {400, 30, 10, 48, 1},
                {400, 80, 10, 20, 1}, {400, 80, 30, 48, 1}, {150, 80, 10, 48, 2}};
    static const struct {
        int px;
        uint32_t ink, bg;
    } runs[] = {{24, 0x000000, 0xFFFFFF}, {24, 0x000000, 0xD93F3F}, {24, 0xFFFFFF, 0xD93F3F},
                {24, 0x000000, TEXT_ON_ANY}, {30, 0x000000, 0xFFFFFF}};
    const char *str = "县人力资源和社会保障局";
    mp_err err;
    text_ctx *t;
    ck_assert_msg(text_open(MINPING_FONT_BUILD, &t, &err) == 0, "%s", err.msg);
    SDL_Surface *surf[2];
    SDL_Renderer *sr[2];
    for (int i = 0; i < 2; i++) {
        surf[i] = SDL_CreateRGBSurfaceWithFormat(0, 300, 60, 32, SDL_PIXELFORMAT_RGB888);
        ck_assert_ptr_nonnull(surf[i]);
        sr[i] = SDL_CreateSoftwareRenderer(surf[i]);
        ck_assert_ptr_nonnull(sr[i]);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
            text_ctx *fresh;
            ck_assert_msg(text_open(MINPING_FONT_BUILD, &fresh, &err) == 0, "%s", err.msg);
            text_layout got, want;
            int px = text_fit(t, str, fits[i].w, fits[i].h, fits[i].min_px, fits[i].max_px,
                              fits[i].lines, &got);
            ck_assert_int_eq(px, text_fit(fresh, str, fits[i].w, fits[i].h, fits[i].min_px,
                                          fits[i].max_px, fits[i].lines, &want));
            ck_assert_msg(got.px == want.px && got.n_lines == want.n_lines &&
                              got.line_h == want.line_h,
                          "fit %zu: a cached layout differs", i);
            for (int l = 0; l < got.n_lines; l++)
                ck_assert_msg(got.start[l] == want.start[l] && got.len[l] == want.len[l] &&
                                  got.width[l] == want.width[l],
                              "fit %zu, line %d: a cached layout differs", i, l);
            text_close(fresh);
        }
        for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
            text_ctx *fresh;
            ck_assert_msg(text_open(MINPING_FONT_BUILD, &fresh, &err) == 0, "%s", err.msg);
            draw_variant(t, sr[0], str, runs[i].px, runs[i].ink, runs[i].bg);
            draw_variant(fresh, sr[1], str, runs[i].px, runs[i].ink, runs[i].bg);
            ck_assert_msg(memcmp(surf[0]->pixels, surf[1]->pixels, (size_t)surf[0]->pitch * 60) ==
                              0,
                          "line %zu: a cached line differs", i);
            text_close(fresh);
        }
    }
    for (int i = 0; i < 2; i++) {
        SDL_DestroyRenderer(sr[i]);
        SDL_FreeSurface(surf[i]);
    }
    text_close(t);
}
END_TEST

/* Text rendered onto its known background looks as text blended over it. */
START_TEST(text_on_known_background_matches_blended_text)
{
    SDL_Surface *surf[2];
    SDL_Renderer *sr[2];
    text_ctx *t;
    mp_err err;
    ck_assert_msg(text_open(MINPING_FONT_BUILD, &t, &err) == 0, "%s", err.msg);
    const uint32_t bg = 0x1F4E79, ink = 0xFFFFFF;
    for (int i = 0; i < 2; i++) {
        surf[i] = SDL_CreateRGBSurfaceWithFormat(0, 400, 80, 32, SDL_PIXELFORMAT_RGB888);
        ck_assert_ptr_nonnull(surf[i]);
        sr[i] = SDL_CreateSoftwareRenderer(surf[i]);
        ck_assert_ptr_nonnull(sr[i]);
        SDL_SetRenderDrawColor(sr[i], (Uint8)(bg >> 16), (Uint8)(bg >> 8), (Uint8)bg, 255);
        SDL_RenderClear(sr[i]);
        ck_assert_int_gt(text_box(t, sr[i], "县人力资源和社会保障局 8", (ui_rect){0, 0, 400, 80}, 10,
                                  48, 1, ink, i ? bg : TEXT_ON_ANY, TEXT_CENTER),
                         0);
    }
    int worst = 0, inked = 0;
    for (int y = 0; y < 80; y++)
        for (int x = 0; x < 400; x++) {
            uint32_t p = pixel_at(sr[0], x, y), q = pixel_at(sr[1], x, y);
            int d = channel_diff(p, q);
            if (d > worst)
                worst = d;
            inked += q == ink;
        }
    ck_assert_msg(inked > 500, "only %d pixels in the ink colour: text missing?", inked);
    ck_assert_msg(worst <= 8, "text on its background differs from blended text by %d", worst);
    for (int i = 0; i < 2; i++) {
        SDL_DestroyRenderer(sr[i]);
        SDL_FreeSurface(surf[i]);
    }
    text_close(t);
}
END_TEST

/* The font is read through a stream, never mapped (a mapping of this font
 * kept 6 MB resident), and glyphs loaded after opening still render; a
 * path that is no font is refused with its name. */
START_TEST(font_is_read_not_mapped)
{
    text_ctx *t;
    mp_err err;
    ck_assert_msg(text_open(MINPING_FONT_BUILD, &t, &err) == 0, "%s", err.msg);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 600, 100, 32, SDL_PIXELFORMAT_RGB888);
    ck_assert_ptr_nonnull(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    ck_assert_ptr_nonnull(sr);
    SDL_SetRenderDrawColor(sr, 0, 0, 0, 255);
    SDL_RenderClear(sr);
    ck_assert_int_gt(text_box(t, sr, "鄱阳湖畔婺源县龘", (ui_rect){0, 0, 600, 100}, 10, 60, 1,
                              0xFFFFFF, 0x000000, TEXT_CENTER),
                     0);
    int inked = 0;
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 600; x++)
            inked += pixel_at(sr, x, y) == 0xFFFFFF;
    ck_assert_msg(inked > 800, "only %d pixels inked: glyphs not read?", inked);
    ck_assert_int_eq(mappings_of(MINPING_FONT_BUILD), 0);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
    text_close(t);

    char *missing = tu_path(dir, "no-such-font.otf"), *empty = tu_path(dir, "empty.otf"),
         *junk = tu_path(dir, "junk.otf");
    const char *bad[] = {missing, dir, empty, junk};
    const char *why[] = {"No such file", "not a font file", "not a font file", "cannot open font"};
    tu_write_file(empty, "", 0);
    tu_write_file(junk, "this is not an OpenType font, just words in a file", 50);
    for (int i = 0; i < 4; i++) {
        t = NULL;
        ck_assert_int_eq(text_open(bad[i], &t, &err), -1);
        ck_assert_ptr_null(t);
        ck_assert_msg(strstr(err.msg, bad[i]) && strstr(err.msg, why[i]), "%s", err.msg);
    }
    free(missing);
    free(empty);
    free(junk);
}
END_TEST

START_TEST(missing_glyph_is_refused)
{
    write_config(0, NULL);
    FILE *f = fopen(cfg_path, "a");
    fputs("X1 = 县\xF0\x9F\x98\x80局\n", f); /* U+1F600, not in a CJK text font */
    fclose(f);
    kiosk_config *cfg;
    mp_err err;
    ck_assert_msg(config_load(cfg_path, &cfg, &err) == 0, "%s", err.msg);
    open_window(800, 480);
    app_options opt = {.font_path = MINPING_FONT_BUILD, .dump_path = NULL};
    ck_assert_int_ne(app_create(cfg, ren, 800, 480, &opt, 0, &a, &err), 0);
    config_free(cfg); /* still ours after a failure */
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(err.msg, "U+1F600") && strstr(err.msg, "X1"), "%s", err.msg);
}
END_TEST

static Suite *ui_text_suite(void)
{
    Suite *s = suite_create("ui_text");
    TCase *tc = tcase_create("text");
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, text_caches_never_mix_keys);
    tcase_add_test(tc, text_on_known_background_matches_blended_text);
    tcase_add_test(tc, font_is_read_not_mapped);
    tcase_add_test(tc, missing_glyph_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(ui_text_suite());
}

/* check_ui_layout.c - the kiosk's geometry and pixels: every screen's touch
 * targets inside the window, apart and at least 15 % of the short side at
 * every window size, labels that fit; the header's margins after a warm-up;
 * fills that cover exactly their pixels and opaque colours that equal the
 * renderer's blends. */
#include "uitest.h"

#include "draw.h"
#include "layout.h"
#include "qr.h"
#include "rating.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int SIZES[][2] = {{800, 480},   {480, 800},   {1024, 600}, {1280, 800},
                               {1920, 1080}, {1080, 1920}, {3840, 2160}, {2160, 3840}};

/* Every touch target inside the window and none overlapping another. */
static void check_geometry(int w, int h)
{
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++) {
        ui_rect r = el[i].r;
        ck_assert_msg(r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h && r.w > 0 &&
                          r.h > 0,
                      "%dx%d %s: %s outside the window", w, h, app_screen_name(a), el[i].id);
        if (!el[i].touch)
            continue;
        for (int j = i + 1; j < n; j++) {
            if (!el[j].touch)
                continue;
            ui_rect q = el[j].r;
            int overlap = r.x < q.x + q.w && q.x < r.x + r.w && r.y < q.y + q.h && q.y < r.y + r.h;
            ck_assert_msg(!overlap, "%dx%d %s: %s overlaps %s", w, h, app_screen_name(a),
                          el[i].id, el[j].id);
        }
    }
}

/* Each touch target's label fits inside it at a readable size. */
static void check_labels(int w, int h, text_ctx *t)
{
    layout_metrics m = layout_metrics_for(w, h);
    int n;
    const ui_element *el = app_elements(a, &n);
    for (int i = 0; i < n; i++) {
        if (!el[i].touch || strcmp(el[i].id, "admin.hotspot") == 0)
            continue;
        int dx = m.radius > 6 ? m.radius : 6, dy = m.radius / 2 > 4 ? m.radius / 2 : 4;
        ui_rect box = {el[i].r.x + dx, el[i].r.y + dy, el[i].r.w - 2 * dx, el[i].r.h - 2 * dy};
        text_layout lay;
        ck_assert_msg(text_fit(t, el[i].label, box.w, box.h, m.min_px, m.min_px * 4, 2, &lay) > 0,
                      "%dx%d %s: label of %s (\"%s\") does not fit %dx%d", w, h,
                      app_screen_name(a), el[i].id, el[i].label, box.w, box.h);
    }
}

START_TEST(layout_holds_at_every_size)
{
    int w = SIZES[_i][0], h = SIZES[_i][1];
    int s = w < h ? w : h;
    mp_err err;
    text_ctx *t;
    ck_assert_int_eq(text_open(MINPING_FONT_BUILD, &t, &err), 0);
    ck_assert_msg(start_app(40, w, h, NULL, &err) == 0, "%s", err.msg);
    app_render(a);

    /* Units: 40 units, paged; every one reachable, each target large. */
    int seen = 0, pages = 0;
    for (;;) {
        assert_screen("units");
        check_geometry(w, h);
        check_labels(w, h, t);
        int n;
        const ui_element *el = app_elements(a, &n);
        for (int i = 0; i < n; i++)
            if (strncmp(el[i].id, "unit.", 5) == 0) {
                seen++;
                ck_assert_int_ge(el[i].r.h, (int)(s * 0.15));
            }
        pages++;
        if (!enabled("page.next"))
            break;
        tap("page.next");
        ck_assert_int_lt(pages, 40);
    }
    ck_assert_int_eq(seen, 40);

    while (enabled("page.prev"))
        tap("page.prev");
    tap("unit.U01");
    assert_screen("rating");
    check_geometry(w, h);
    check_labels(w, h, t);
    for (int i = 0; i < RATING_COUNT; i++) {
        ui_rect r = rect_of(RATINGS[i].id);
        ck_assert_msg(r.w >= s * 0.15 && r.h >= s * 0.15, "%dx%d: %s is %dx%d", w, h,
                      RATINGS[i].id, r.w, r.h);
    }
    /* Left to right (landscape) or top to bottom (portrait): 10, 8, 6, 0. */
    for (int i = 1; i < RATING_COUNT; i++) {
        ui_rect p = rect_of(RATINGS[i - 1].id), q = rect_of(RATINGS[i].id);
        ck_assert(h > w ? q.y > p.y : q.x > p.x);
    }

    tap("rate.10");
    assert_screen("thanks");
    check_geometry(w, h);
    int n;
    const ui_element *el = app_elements(a, &n);
    int qi = find("qr");
    ck_assert_int_ge(qi, 0);
    qr_code *qr;
    ck_assert_int_eq(qr_encode(el[qi].label, &qr, &err), 0);
    int cells = qr->width + 2 * QR_QUIET_MODULES;
    qr_free(qr);
    ck_assert_int_eq(el[qi].r.w, el[qi].r.h);
    ck_assert_msg(el[qi].r.w % cells == 0, "QR side %d is not whole modules of %d", el[qi].r.w,
                  cells);
    ck_assert_msg(el[qi].r.w * 3 >= s, "QR side %d below a third of %d", el[qi].r.w, s);
    advance(3000);
    check_labels(w, h, t);

    advance(3000);
    hold_hotspot(3100);
    assert_screen("pin");
    check_geometry(w, h);
    check_labels(w, h, t);
    enter_pin("1234");
    assert_screen("admin");
    check_geometry(w, h);
    check_labels(w, h, t);
    text_close(t);
}
END_TEST

/* Drawing the thank-you frames unseen leaves the rating screen as it was:
 * its frame afterwards equals one laid out and drawn afresh (a long name
 * in a narrow header shows the header's margins). */
static const int WARM_SIZES[][2] = {{480, 800}, {800, 480}, {1024, 600}};

START_TEST(warming_leaves_the_screen_as_it_was)
{
    int w = WARM_SIZES[_i][0], h = WARM_SIZES[_i][1];
    start(5, w, h);
    tap("unit.U05");
    assert_screen("rating");
    long n_warm, n_cold;
    unsigned char *warm = frame("rating-warm", &n_warm);
    app_resize(a, w + 1, h);
    app_resize(a, w, h);
    unsigned char *cold = frame("rating-cold", &n_cold);
    ck_assert_int_eq(n_warm, n_cold);
    ck_assert_msg(memcmp(warm, cold, (size_t)n_warm) == 0,
                  "%dx%d: the rating frame changed after the thanks frames were warmed", w, h);
    free(warm);
    free(cold);
}
END_TEST

/* draw_rect and draw_rrect's fills are split at a 16-pixel column for
 * speed: every start column and width still fills exactly its pixels. */
START_TEST(fills_cover_exactly_their_pixels)
{
    enum { W = 96, H = 4 };
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    ck_assert_ptr_nonnull(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    ck_assert_ptr_nonnull(sr);
    draw_ctx *d = draw_create(sr);
    ck_assert_ptr_nonnull(d);
    static uint32_t px[W * H];
    for (int x = 0; x < 40; x++)
        for (int w = 1; x + w <= W; w++) {
            draw_clear(d, 0x000000);
            draw_rect(d, (ui_rect){x, 1, w, 2}, 0xFFFFFF);
            /* Square corners (radius 0): the rounded rectangle is its fills. */
            draw_rrect(d, (ui_rect){x, 3, w, 1}, 0, 0x00FF00, 255);
            ck_assert_int_eq(SDL_RenderReadPixels(sr, NULL, SDL_PIXELFORMAT_RGB888, px, W * 4), 0);
            for (int yy = 0; yy < H; yy++)
                for (int xx = 0; xx < W; xx++) {
                    int inside = xx >= x && xx < x + w;
                    uint32_t want = !inside || yy == 0 ? 0 : yy == 3 ? 0x00FF00 : 0xFFFFFF;
                    ck_assert_msg((px[yy * W + xx] & 0xFFFFFF) == want,
                                  "fill from x %d, %d wide: pixel (%d, %d) is %06X, not %06X", x,
                                  w, xx, yy, px[yy * W + xx] & 0xFFFFFF, want);
                }
        }
    draw_destroy(d);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
}
END_TEST

/* draw_mix gives the colour the renderer makes of a translucent fill, so
 * cards drawn opaque in that colour look as the translucent ones did. */
START_TEST(draw_mix_matches_the_renderer)
{
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, 4, 4, 32, SDL_PIXELFORMAT_RGB888);
    ck_assert_ptr_nonnull(surf);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(surf);
    ck_assert_ptr_nonnull(sr);
    static const uint32_t under[] = {0xF3F5F7, 0x1F4E79, 0x000000, 0xFFFFFF};
    static const uint32_t over[] = {0xFFFFFF, 0x000000, 0x1F6FB2, 0xD93F3F};
    static const int alphas[] = {0, 1, 40, 50, 90, 110, 128, 254, 255};
    for (size_t u = 0; u < 4; u++)
        for (size_t o = 0; o < 4; o++)
            for (size_t k = 0; k < sizeof alphas / sizeof alphas[0]; k++) {
                SDL_SetRenderDrawBlendMode(sr, SDL_BLENDMODE_NONE);
                SDL_SetRenderDrawColor(sr, (Uint8)(under[u] >> 16), (Uint8)(under[u] >> 8),
                                       (Uint8)under[u], 255);
                SDL_RenderClear(sr);
                SDL_SetRenderDrawBlendMode(sr, SDL_BLENDMODE_BLEND);
                SDL_SetRenderDrawColor(sr, (Uint8)(over[o] >> 16), (Uint8)(over[o] >> 8),
                                       (Uint8)over[o], (Uint8)alphas[k]);
                SDL_RenderFillRect(sr, NULL);
                uint32_t got = pixel_at(sr, 1, 1), want = draw_mix(under[u], over[o], alphas[k]);
                ck_assert_msg(channel_diff(got, want) <= 1,
                              "%06X over %06X at %d: renderer %06X, draw_mix %06X", over[o],
                              under[u], alphas[k], got, want);
            }
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surf);
}
END_TEST

static Suite *ui_layout_suite(void)
{
    Suite *s = suite_create("ui_layout");
    TCase *tc = tcase_create("layout");
    tcase_add_unchecked_fixture(tc, ui_suite_setup, tu_root_teardown);
    tcase_add_checked_fixture(tc, ui_setup, ui_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, layout_holds_at_every_size, 0, (int)(sizeof SIZES / sizeof SIZES[0]));
    tcase_add_loop_test(tc, warming_leaves_the_screen_as_it_was, 0,
                        (int)(sizeof WARM_SIZES / sizeof WARM_SIZES[0]));
    tcase_add_test(tc, fills_cover_exactly_their_pixels);
    tcase_add_test(tc, draw_mix_matches_the_renderer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(ui_layout_suite());
}

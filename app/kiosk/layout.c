/* layout.c - proportions and grids. */
#include "layout.h"
#include "theme.h"

static int frac(int s, double f)
{
    return (int)(s * f + 0.5);
}

layout_metrics layout_metrics_for(int w, int h)
{
    layout_metrics m;
    m.w = w;
    m.h = h;
    m.s = w < h ? w : h;
    m.portrait = h > w;
    m.pad = frac(m.s, THEME_PAD);
    m.gap = frac(m.s, THEME_GAP);
    m.radius = frac(m.s, THEME_RADIUS);
    m.header_h = frac(m.s, THEME_HEADER_H);
    m.hotspot = frac(m.s, THEME_HOTSPOT);
    m.title_px = frac(m.s, THEME_TITLE_PX);
    m.body_px = frac(m.s, THEME_BODY_PX);
    m.small_px = frac(m.s, THEME_SMALL_PX);
    m.min_px = THEME_MIN_PX;
    if (m.small_px < m.min_px)
        m.small_px = m.min_px;
    if (m.body_px < m.min_px)
        m.body_px = m.min_px;
    if (m.title_px < m.body_px)
        m.title_px = m.body_px;
    return m;
}

layout_metrics layout_metrics_text(int w, int h, int text_percent)
{
    layout_metrics m = layout_metrics_for(w, h);
    if (text_percent == 100)
        return m;
    m.title_px = m.title_px * text_percent / 100;
    m.body_px = m.body_px * text_percent / 100;
    m.small_px = m.small_px * text_percent / 100;
    m.min_px = m.min_px * text_percent / 100;
    return m;
}

void layout_grid_fit(ui_rect area, int n, int min_w, int min_h, int gap, layout_grid *g)
{
    if (n < 1)
        n = 1;
    if (min_w < 1)
        min_w = 1;
    if (min_h < 1)
        min_h = 1;
    int max_cols = (area.w + gap) / (min_w + gap);
    int max_rows = (area.h + gap) / (min_h + gap);
    if (max_cols < 1)
        max_cols = 1;
    if (max_rows < 1)
        max_rows = 1;
    g->cols = g->rows = 0;
    long best = -1;
    /* Among grids that hold all n cells with cells at least the minimum,
     * prefer the one whose cells are largest (by the smaller of width and
     * height scaled to the minimum's shape). */
    for (int cols = 1; cols <= max_cols && cols <= n; cols++) {
        int rows = (n + cols - 1) / cols;
        if (rows > max_rows)
            continue;
        int cw = (area.w - (cols - 1) * gap) / cols;
        int ch = (area.h - (rows - 1) * gap) / rows;
        long sw = (long)cw * min_h, sh = (long)ch * min_w; /* compare cw/min_w vs ch/min_h */
        long score = sw < sh ? sw : sh;
        if (score > best) {
            best = score;
            g->cols = cols;
            g->rows = rows;
        }
    }
    if (best < 0) { /* paging: as many as fit */
        g->cols = max_cols;
        g->rows = max_rows;
    }
    g->per_page = g->cols * g->rows;
    g->pages = (n + g->per_page - 1) / g->per_page;
    g->cell_w = (area.w - (g->cols - 1) * gap) / g->cols;
    g->cell_h = (area.h - (g->rows - 1) * gap) / g->rows;
    /* Cells need not be huge: cap the height so a few units do not become
     * screen-high slabs. */
    if (g->cell_h > 3 * min_h)
        g->cell_h = 3 * min_h;
}

ui_rect layout_grid_cell(const layout_grid *g, ui_rect area, int gap, int i)
{
    int gw = g->cols * g->cell_w + (g->cols - 1) * gap;
    int gh = g->rows * g->cell_h + (g->rows - 1) * gap;
    int x0 = area.x + (area.w - gw) / 2, y0 = area.y + (area.h - gh) / 2;
    int col = i % g->cols, row = i / g->cols;
    return (ui_rect){x0 + col * (g->cell_w + gap), y0 + row * (g->cell_h + gap), g->cell_w,
                     g->cell_h};
}

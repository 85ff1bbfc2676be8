/* layout.h - geometry computed from the window size, SDL-free. */
#ifndef MINPING_LAYOUT_H
#define MINPING_LAYOUT_H

#include "ui.h"

/* The window's short side and the derived proportions of theme.h, in pixels. */
typedef struct layout_metrics {
    int w, h, s;              /* window size and short side */
    int portrait;             /* h > w */
    int pad, gap, radius;
    int header_h, hotspot;
    int title_px, body_px, small_px, min_px;
} layout_metrics;

layout_metrics layout_metrics_for(int w, int h);
/* The same with the text sizes (title, body, small print) grown by
 * text_percent (100: as layout_metrics_for); the other proportions stay. */
layout_metrics layout_metrics_text(int w, int h, int text_percent);

/* A grid of n cells in area, each at least min_w x min_h, with gap between.
 * When all n fit, the grid with the largest cells is chosen; otherwise the
 * grid holds as many cells as fit and the rest go to further pages. */
typedef struct layout_grid {
    int cols, rows;
    int per_page;             /* cols * rows, or n when fewer */
    int pages;
    int cell_w, cell_h;
} layout_grid;

void layout_grid_fit(ui_rect area, int n, int min_w, int min_h, int gap, layout_grid *out);

/* The rectangle of cell i (0-based within the page) of grid g in area; the
 * grid is centred in area. */
ui_rect layout_grid_cell(const layout_grid *g, ui_rect area, int gap, int i);

#endif

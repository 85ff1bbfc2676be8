/* raster.h - anti-aliased shapes drawn in software into ARGB8888 pixel
 * buffers (premultiplied-free, straight alpha), from signed distances.
 * SDL-free: the kiosk turns the buffers into textures once and reuses them. */
#ifndef MINPING_RASTER_H
#define MINPING_RASTER_H

#include <stdint.h>

/* A rounded rectangle filling w x h, white, with corner radius r; `soft`
 * widens the edge (1 = crisp, larger = blurred, for shadows). */
void raster_rounded_rect(uint32_t *px, int w, int h, float r, float soft);

/* A face for the rating worth `points` (10 laughing, 8 smiling, 6 neutral,
 * 0 frowning) in a size x size square: a disc of `face` colour with eyes and
 * mouth in `ink`; colours 0xRRGGBB. */
void raster_face(uint32_t *px, int size, int points, uint32_t face, uint32_t ink);

#endif
